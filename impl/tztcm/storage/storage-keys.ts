/**
 * The storage's key derivations and file crypto, evaluated from the protocol-5 terms
 * (models/parties/tztcm-storage-terms.ts) by the runtime's evaluator (impl/runtime/evaluate.ts):
 * the same terms the Writer and Reader machines use, so SSK, TSK, the FEK wrap and the file seal
 * have one definition. hmac is HMAC-SHA256, senc AES-256-GCM with a synthetic nonce, kdfa TPM 2.0
 * KDFa — as the evaluator's table says.
 * @module
 */
import { helperKeyOf, openData, rpmbKeyOf, sealData, sskOf, St, tskOf, unwrapFek, wrapFek } from '../../../models/parties/tztcm-storage-terms.ts';
import type { Term } from '../../../models/terms.ts';
import { systemRandom, tpm2P256 } from '../../crypto/index.ts';
import { EvalFailure, evaluate } from '../../runtime/evaluate.ts';
import { bytesV, type Value } from '../../wire/value.ts';

const deps = { suite: tpm2P256, rng: systemRandom() };

function bytesOf(v: Value, what: string): Uint8Array {
  if (v.k !== 'bytes') throw new EvalFailure('type', `${what}: expected bytes, got ${v.k}`);
  return v.b;
}

const run = (t: Term, env: Record<string, Value>, what: string) => bytesOf(evaluate(t, env, deps), what);

/** SSK = hmac(HUK, <chipId, 'static string'>) */
export function deriveSsk(huk: Uint8Array, chipId: Uint8Array): Uint8Array {
  return run(sskOf(St.HUK, St.chipId), { [St.HUK.name]: bytesV(huk), [St.chipId.name]: bytesV(chipId) }, St.SSK.name);
}

/** TSK_u = hmac(SSK, uuid_u) */
export function deriveTsk(ssk: Uint8Array, uuid: Uint8Array): Uint8Array {
  return run(tskOf(St.SSK, St.app), { [St.SSK.name]: bytesV(ssk), [St.app.name]: bytesV(uuid) }, St.TSK.name);
}

/** K_rpmb = kdfa(KeyS, 'RPMB', chipId, 'K_rpmb') */
export function deriveRpmbKey(keyS: Uint8Array, chipId: Uint8Array): Uint8Array {
  return run(rpmbKeyOf(St.KeyS, St.chipId), { [St.KeyS.name]: bytesV(keyS), [St.chipId.name]: bytesV(chipId) }, 'K_rpmb');
}

/** the helper data's tag key, kdfa(KeyS, 'DataKA', chipId, 'helper') */
export function deriveHelperKey(keyS: Uint8Array, chipId: Uint8Array): Uint8Array {
  return run(helperKeyOf(St.KeyS, St.chipId), { [St.KeyS.name]: bytesV(keyS), [St.chipId.name]: bytesV(chipId) }, 'helper key');
}

/** encFEK = senc(FEK, TSK) */
export function wrapFileKey(fek: Uint8Array, tsk: Uint8Array): Uint8Array {
  return run(wrapFek(St.FEK, St.TSK), { [St.FEK.name]: bytesV(fek), [St.TSK.name]: bytesV(tsk) }, St.encFEK.name);
}

/** FEK = sdec(encFEK, TSK); undefined when the tag does not verify (another TA's TSK, altered bytes) */
export function unwrapFileKey(encFek: Uint8Array, tsk: Uint8Array): Uint8Array | undefined {
  try {
    return run(unwrapFek(St.encFEK, St.TSK), { [St.encFEK.name]: bytesV(encFek), [St.TSK.name]: bytesV(tsk) }, St.FEK.name);
  } catch (e) {
    if (e instanceof EvalFailure) return undefined;
    throw e;
  }
}

/** encData = senc(data, FEK); `data` is any value (the storage seals <uuid, id, version, bytes>) */
export function sealFileData(data: Value, fek: Uint8Array): Uint8Array {
  return run(sealData(St.data, St.FEK), { [St.data.name]: data, [St.FEK.name]: bytesV(fek) }, St.encData.name);
}

/** data = sdec(encData, FEK), or undefined when the tag does not verify */
export function openFileData(encData: Uint8Array, fek: Uint8Array): Value | undefined {
  try {
    return evaluate(openData(St.encData, St.FEK), { [St.encData.name]: bytesV(encData), [St.FEK.name]: bytesV(fek) }, deps);
  } catch (e) {
    if (e instanceof EvalFailure) return undefined;
    throw e;
  }
}
