/**
 * Type tags for the untyped provers. The runtime decodes every received value with its kind
 * (impl/wire: bytes, constant, scalar, point, signature, n-tuple) and a receive pattern checks
 * each variable's kind (impl/runtime/match.ts), so a plaintext of one shape is never accepted
 * where another is expected: NSPK's message 1 `aenc(<na, I>, pk(R))` (bytes, constant) is
 * not message 2 `aenc(<na, nb>, pk(I))` (bytes, bytes) for a reflected initiator. Tamarin and
 * ProVerif are untyped and do accept it (ProVerif 2.05 falsified NS4 on exactly that trace;
 * Tamarin with --auto-sources too).
 *
 * The exports therefore carry the runtime's typing as a tag: the plaintext `p` of every
 * encryption, signature, MAC and hash (`aenc`/`senc`/`sign` argument 1, `hmac` argument 2,
 * `h`, and the message a `verify` checks) becomes `<'ty_<kinds of p>', p…>`, the kinds
 * written in prefix form (`t2_bytes_const` for a pair of bytes and a constant), and a
 * decryption's pattern gets the same tag. Sender and receiver compute the tag from the sorts
 * of their own variables, so they agree exactly when the runtime would accept; the attacker
 * may still build any tagged plaintext it can encrypt (tags are public constants). This is
 * the field-typing of Heather, Lowe and Schneider ("How to prevent type flaw attacks on
 * security protocols", CSFW 2000), read off the model's sorts rather than added to it.
 * @module
 */
import { isDecryptionApp } from '../models/equations.ts';
import { SORT_KINDS } from '../models/sorts.ts';
import { type Sort, type Term, type Var, SYMBOLS, varsOf } from '../models/terms.ts';
import type { Step, TransitionSpec } from '../models/steps.ts';
import type { ProtocolWalk, RoleWalk } from './walk.ts';

/** The runtime's kind of a value of a sort (models/sorts.ts, what a receiver checks); `any` for msg. */
const sortKind = (s: Sort): string => {
  const k = SORT_KINDS[s];
  return k === 'any' || k.length !== 1 ? 'any' : k[0]!;
};

/** The kinds of a term in prefix form: `t<n>` then the n items for a tuple. */
export function kindSignature(t: Term): string {
  switch (t.t) {
    case 'var':
    case 'name':
      return sortKind(t.sort);
    case 'const':
      return t.name === 'g' ? 'point' : 'const';
    case 'app':
      if (t.f === 'tuple') return t.args.length === 1 ? kindSignature(t.args[0]!) : [`t${t.args.length}`, ...t.args.map(kindSignature)].join('_');
      return SYMBOLS[t.f].kind ?? 'any';
  }
}

/** The tagged form of a plaintext: `<'ty_…', items…>` (a tuple's items follow the tag). As a
 * decryption's pattern (`pattern`), a plaintext with an unchecked item (a variable of sort `msg`,
 * kind `any`) takes any tag: the runtime accepts any kind there, so the tag is a variable of its
 * own, `ty_<the item>` (Otway–Rees's untyped key takes a tuple, tagged as the sender tagged it). */
export function tagged(p: Term, pattern = false): Term {
  const sig = kindSignature(p);
  const loose = pattern && sig.split('_').includes('any') ? varsOf(p).find((x) => x.sort === 'msg') : undefined;
  const tag: Term = loose ? { t: 'var', name: `ty_${loose.name}`, sort: 'msg' } : { t: 'const', name: `ty_${sig}` };
  const items = p.t === 'app' && p.f === 'tuple' && p.args.length > 1 ? p.args : [p];
  return { t: 'app', f: 'tuple', args: [tag, ...items] };
}


/** Tag every plaintext inside a term. */
export function tagTerm(t: Term): Term {
  if (t.t !== 'app') return t;
  const args = t.args.map(tagTerm);
  const i = SYMBOLS[t.f].plaintext;
  if (i !== undefined && args[i]) args[i] = tagged(args[i]!);
  return { t: 'app', f: t.f, args };
}

const isDecryption = isDecryptionApp;

/** A `match` made of `let x = dec(c, k)`: the machine binds `x` even where `dec` does not reduce
 * (a `let` keeps the stuck term — AES-CFB has no integrity, so any ciphertext "decrypts",
 * TPM 2.0 Part 1 §21; properties/explorer/execute.ts), so the pattern covers only the case
 * where `c` is an encryption under `k`; an exporter must cover the other (the stuck term) too. */
export type LetDecryptionMatch = Extract<Step, { op: 'match' }> & { readonly keepsStuck: Var };

/** The variable a tagged `let` decryption binds, if this step is one (see `LetDecryptionMatch`). */
export function keepsStuck(s: Step): Var | undefined {
  return s.op === 'match' ? (s as Partial<LetDecryptionMatch>).keepsStuck : undefined;
}

function tagStep(s: Step): Step {
  switch (s.op) {
    case 'recv':
      return { ...s, pattern: tagTerm(s.pattern) };
    case 'let':
      // the value of a decryption is the tagged plaintext: bind `x` from it by its sort
      if (isDecryption(s.t) && s.v.sort !== 'msg') {
        const m: LetDecryptionMatch = { op: 'match', pattern: tagged(s.v), t: tagTerm(s.t), label: s.label, keepsStuck: s.v };
        return m;
      }
      return { ...s, t: tagTerm(s.t) };
    case 'match':
      return { ...s, pattern: isDecryption(s.t) ? tagged(tagTerm(s.pattern), true) : tagTerm(s.pattern), t: tagTerm(s.t) };
    case 'check':
      return { ...s, left: tagTerm(s.left), right: tagTerm(s.right) };
    case 'send':
      return { ...s, t: tagTerm(s.t) };
    case 'store':
      return { ...s, t: tagTerm(s.t) };
    case 'claim':
      // claim data that hold messages (an RPMB block) must be the messages as sent
      return { ...s, data: tagTerm(s.data), peer: s.peer && tagTerm(s.peer) };
    default:
      return s;
  }
}

function tagRole(r: RoleWalk): RoleWalk {
  const knows = Object.fromEntries(Object.entries(r.decl.knows).map(([k, t]) => [k, tagTerm(t)]));
  const transitions: TransitionSpec[] = r.transitions.map((t) => ({ ...t, steps: t.steps.map(tagStep) }));
  return { ...r, decl: { ...r.decl, knows }, transitions };
}

/** The walk with every plaintext tagged by its kinds (both exporters read this). */
export function tagWalk(w: ProtocolWalk): ProtocolWalk {
  return { ...w, roles: w.roles.map(tagRole) };
}
