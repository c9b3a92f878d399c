/**
 * A decryption that never fails: AES-CFB under a KDFa 'CFB' key (TPM 2.0 Part 1 §21, CFB-mode
 * parameter encryption) has no integrity, so the runtime (impl/runtime/primitives.ts `sdec`)
 * turns any ciphertext into some plaintext and the explorer keeps the stuck `sdec(ct, k)` as the
 * received value (properties/explorer/execute.ts). ProVerif's destructor `sdec` fails on a
 * ciphertext that is not `senc(m, k)`, so `let S = sdec(ct, k)` would accept only the honest
 * TPM's ciphertext: provisioning M3.2 (no response HMAC) then "held" where the explorer finds
 * the substituted S. Such a decryption is exported as a public constructor with the rule as an
 * equation (the ProVerif manual's encryption "where decryption always succeeds"):
 *
 *     fun sdec_cfb_bytes(bitstring, bitstring): bitstring.
 *     equation forall m, k; sdec_cfb_bytes(senc((c_ty_bytes, m), k), k) = m.
 *
 * On any other ciphertext the term stays as it is: the stuck value, which the attacker can also
 * compute when it knows the key (as it can apply `sdec` in the explorer). A destructor with an
 * `otherwise` rule to a stuck constructor was tried first: ProVerif 2.05 then found the M3.2
 * attack only "assuming the following hypothesis" `x1 ≠ senc(…)` (the otherwise rule's
 * disequality), so it answered "cannot be proved"; the equation has no such side condition.
 * Only a plaintext the runtime accepts as raw bytes falls back (a variable of kind bytes or of
 * sort msg): junk never decodes as a constant, a point or a tuple of the expected shape.
 * @module
 */
import { CFB_KEY_LABEL } from '../../impl/runtime/primitives.ts';
import type { Term } from '../../models/terms.ts';
import type { PvDecl, PvTerm } from './ast.ts';
import { PV_SIGNATURE } from './functions.ts';

/** Is `k` a KDFa 'CFB' key, itself or through the `let`/set-up definitions of its variables. */
export function isCfbKey(k: Term, defs: ReadonlyMap<string, Term>, seen: ReadonlySet<string> = new Set()): boolean {
  if (k.t === 'var') {
    const d = defs.get(k.name);
    return d !== undefined && !seen.has(k.name) && isCfbKey(d, defs, new Set([...seen, k.name]));
  }
  return k.t === 'app' && k.f === 'kdfa' && k.args[1]?.t === 'const' && k.args[1].name === CFB_KEY_LABEL;
}

/** A destructor application whose key (its last argument) is a CFB key: it always yields a plaintext. */
export function isCfbDecryption(t: Term, defs: ReadonlyMap<string, Term>): t is Extract<Term, { t: 'app' }> {
  return t.t === 'app' && PV_SIGNATURE.destructors.includes(t.f) && t.args.length > 0 && isCfbKey(t.args[t.args.length - 1]!, defs);
}

/** The kinds whose variables take the junk of a failed CFB decryption (raw bytes). */
export const JUNK_KINDS: ReadonlySet<string> = new Set(['bytes', 'any']);

/** The name of destructor `f`'s total form (`tag`: the plaintext's typing tag constant, absent
 * for a plaintext of sort msg). */
export const totalName = (f: string, tag?: string) => `${f}_cfb${tag ? `_${tag.replace(/^c_ty_/, '')}` : ''}`;

/** The declarations of `f`'s total form: a public constructor, and `f`'s rewrite rules as
 * equations on it with the plaintext tagged by `tag`. */
export function totalDecryptionDecls(f: string, tag: string | undefined): PvDecl[] {
  const rules = PV_SIGNATURE.reducs.filter((r) => r.f === f);
  if (!rules.length) throw new Error(`'${f}' has no rewrite rule`);
  const name = totalName(f, tag);
  const tagged = (t: PvTerm, plain: string): PvTerm => {
    if (t.k === 'var') return tag && t.name === plain ? { k: 'tuple', items: [{ k: 'var', name: tag }, t] } : t;
    if (t.k === 'tuple') return { k: 'tuple', items: t.items.map((x) => tagged(x, plain)) };
    return { k: 'app', f: t.f, args: t.args.map((x) => tagged(x, plain)) };
  };
  const equations = rules.map((r): PvDecl => {
    if (r.lhs.k !== 'app' || r.rhs.k !== 'var') throw new Error(`'${f}': a rule whose right side is not one of its variables`);
    const plain = r.rhs.name;
    return { k: 'equation', vars: r.vars, lhs: { k: 'app', f: name, args: r.lhs.args.map((a) => tagged(a, plain)) }, rhs: r.rhs };
  });
  const arity = (rules[0]!.lhs as { args: readonly PvTerm[] }).args.length;
  return [{ k: 'fun', name, arity, result: 'bitstring', private: false }, ...equations];
}
