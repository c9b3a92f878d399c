/**
 * The key derivations and file constructions of the TZTCM secure storage (seed 002 §2.2, Fig. 3
 * and Fig. 4), once, as term constructors: the protocol-5 machines (./tztcm.ts) build their
 * steps from them, and the concrete storage (impl/tztcm/storage) evaluates the same terms with
 * the runtime's evaluator — the formulas are written here only.
 *
 *   SSK   = hmac(HUK, <chipId, 'static string'>)        Fig. 4, TEE layer
 *   TSK_u = hmac(SSK, uuid_u)                           Fig. 4, application layer
 *   encFEK = senc(FEK, TSK_u); encData = senc(data, FEK)  Fig. 4, file layer
 *   K_rpmb = kdfa(KeyS, 'RPMB', chipId, 'K_rpmb')        Fig. 3 ("KDF as the TPM specification
 *                                                         defines it": TPM 2.0 Part 1 §11.4.10.2)
 *   K_helper = kdfa(KeyS, 'DataKA', chipId, 'helper')     the tag key that lets GRU detect altered
 *                                                         helper data at boot (§2.2.1 requires the
 *                                                         detection; the tag is this design's)
 * @module
 */
import { c, hmac, kdfa, sdec, senc, tup, v, type Term } from '../terms.ts';
import { agent } from '../protocol.ts';

/** The variables of protocol 5 (and the names the concrete storage binds when it evaluates). */
export const St = {
  self: agent('self'),
  app: agent('app'),
  HUK: v('HUK', 'skey'),
  chipId: v('chipId', 'const'),
  Krpmb: v('Krpmb', 'digest'),
  kTA: v('kTA', 'digest'),
  SSK: v('SSK', 'digest'),
  TSK: v('TSK', 'digest'),
  FEK: v('FEK', 'nonce'),
  FEK0: v('FEK0', 'nonce'),
  data: v('data', 'nonce'),
  data0: v('data0', 'nonce'),
  encFEK: v('encFEK', 'ct'),
  encData: v('encData', 'ct'),
  mac: v('mac', 'digest'),
  KeyS: v('KeyS', 'digest'),
} as const;

/** SSK = hmac(HUK, <chipId, 'static string'>) — seed 002 §2.2.2 (its "static sting" is a typo). */
export const sskOf = (huk: Term, chipId: Term): Term => hmac(huk, tup(chipId, c('static string')));
/** TSK_u = hmac(SSK, uuid_u) — seed 002 §2.2.2 */
export const tskOf = (ssk: Term, uuid: Term): Term => hmac(ssk, uuid);
/** the FEK wrapped by the TA's TSK */
export const wrapFek = (fek: Term, tsk: Term): Term => senc(fek, tsk);
export const unwrapFek = (encFek: Term, tsk: Term): Term => sdec(encFek, tsk);
/** a file's data under its FEK */
export const sealData = (data: Term, fek: Term): Term => senc(data, fek);
export const openData = (encData: Term, fek: Term): Term => sdec(encData, fek);
/** K_rpmb from the PUF-rebuilt seed key (GRU, seed 002 §2.2.1 Fig. 3) */
export const rpmbKeyOf = (keyS: Term, chipId: Term): Term => kdfa(keyS, 'RPMB', chipId, c('K_rpmb'));
/** the key of the helper data's integrity tag */
export const helperKeyOf = (keyS: Term, chipId: Term): Term => kdfa(keyS, 'DataKA', chipId, c('helper'));
