/**
 * The long-term set-up of a protocol when the TPM is a real one. The TPM party's long-term
 * values are the real TPM's: its keys never leave it, and what the other roles know of them (a
 * public key, a reference value) is what the TPM produced. The protocol's machines are not
 * touched — only the `knows` set-up terms of its roles, and the values they are given:
 *
 *   - `'g'^q`, `pk(q)` (the key-exchange key Q): the TPM's ECC P-256 storage primary's point;
 *   - `pk(skAK)` (protocol 1, the TTP's enrolled attestation key): the TPM's restricted signing
 *     key's point, marked `restricted` — under it the TTP accepts TPM attestations only;
 *   - `pcr` (protocol 1): the reference PCR state, SHA-256(TPMS_QUOTE_INFO) of the quoted PCR
 *     selection as the TPM reported it at set-up (impl/tpm2/attested-statement.ts);
 *   - `q`, `skAK` themselves: a placeholder — held inside the TPM, never evaluated.
 *
 * The long-term names (`q`, `skAK`, `pcr` in protocols 1–3) are the binding's (models/real-tpm.ts).
 * The rewritten terms name values `Q@tpm` / `AK@tpm`, handed in through `initialEnv`'s `given`.
 * @module
 */
import { G, type Term, mapTerm } from '../../models/terms.ts';
import { type Protocol, lt, ltRefOf } from '../../models/protocol.ts';
import type { RealTpmBinding } from '../../models/real-tpm.ts';
import { type Value, bytesV, constV } from '../wire/value.ts';
import { restrictedKey } from '../tpm2/value-forms.ts';

/** What the real TPM decided at set-up. */
export interface RealTpmValues {
  /** uncompressed P-256 point of the key-exchange key Q */
  readonly Q: Uint8Array;
  /** protocol 1: uncompressed P-256 point of the attestation key AK */
  readonly ak: Uint8Array | null;
  /** protocol 1: SHA-256(TPMS_QUOTE_INFO) of the quoted PCRs at set-up */
  readonly pcrReference: Uint8Array | null;
}

/** The value standing for a private key a real TPM holds (never usable in a computation). */
export const HELD_BY_TPM: Value = constV('held inside the TPM');

const Qreal = lt('Q', 'tpm', 'point');
const AKreal = lt('AK', 'tpm', 'point');

/** `pk(lt(name, …))` or `'g'^lt(name, …)`: the public part of the long-term key `name`. */
function publicOf(u: Term, name: string): boolean {
  if (u.t !== 'app') return false;
  const arg = u.f === 'pk' ? u.args[0] : u.f === 'exp' && u.args[0]?.t === 'const' && u.args[0].name === G.name ? u.args[1] : undefined;
  return arg?.t === 'var' && ltRefOf(arg)?.name === name;
}

/**
 * The protocol with every role's `knows` rewritten to the real TPM's values, and per role the
 * values to give `initialEnv` (ProtocolRun's `given`).
 */
export function withRealTpm(protocol: Protocol, real: RealTpmValues, binding: RealTpmBinding): { protocol: Protocol; given: Record<string, Record<string, Value>> } {
  const { storageKey, attestationKey, pcrReference } = binding.longTerm;
  const given: Record<string, Record<string, Value>> = {};
  const roles = protocol.roles.map((decl) => {
    const g: Record<string, Value> = {};
    const rewrite = (u: Term): Term => {
      if (publicOf(u, storageKey)) {
        g[Qreal.name] = { k: 'point', b: real.Q };
        return Qreal;
      }
      if (real.ak && attestationKey && publicOf(u, attestationKey)) {
        g[AKreal.name] = restrictedKey(real.ak);
        return AKreal;
      }
      const ref = u.t === 'var' ? ltRefOf(u) : null;
      if (ref && (ref.name === storageKey || (real.ak && ref.name === attestationKey))) g[(u as { name: string }).name] = HELD_BY_TPM;
      if (ref && real.pcrReference && ref.name === pcrReference) g[(u as { name: string }).name] = bytesV(real.pcrReference);
      return u;
    };
    const knows = Object.fromEntries(Object.entries(decl.knows).map(([k, t]) => [k, mapTerm(t, rewrite)]));
    given[decl.role] = g;
    return { ...decl, knows };
  });
  return { protocol: { ...protocol, roles }, given };
}
