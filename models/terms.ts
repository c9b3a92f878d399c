/**
 * The symbolic term algebra every interpreter shares.
 *
 * A term is plain data (JSON-serialisable, hashable by its printed form). Function symbols are
 * named as Tamarin names them and take their arguments in Tamarin's order (`sign(m, sk)`,
 * `senc(m, k)`, `aenc(m, pk)`), so the exporter maps one to one. The table `SYMBOLS` is the
 * single description of each symbol: arity, whether the attacker may apply it, which Tamarin
 * builtin declares it, and the sort of its concrete value. Equations live in `equations.ts`.
 * @module
 */

/** Sorts of values. The runtime enforces them on receive (typed wire encoding), so the
 * explorer can treat received variables as typed, matching what the implementation checks. */
export type Sort =
  | 'msg' // anything (no type check)
  | 'nonce' // 32 random bytes
  | 'const' // a public constant (ASCII label)
  | 'agent' // an agent identity (a public constant)
  | 'skey' // a private scalar: ECDSA signing key or DH exponent
  | 'point' // an EC point: pk(sk) or 'g'^x
  | 'sig' // an ECDSA signature
  | 'digest' // hash or MAC output, or a KDF-derived key
  | 'ct' // ciphertext
  | 'bool' // the constant `true`
  | 'symkey'; // a symmetric key: 32 bytes (AES-256), such as a key two agents share

/** Every sort, for checking a model written outside the type checker (a user's protocol file). */
export const SORTS: readonly Sort[] = ['msg', 'nonce', 'const', 'agent', 'skey', 'point', 'sig', 'digest', 'ct', 'bool', 'symkey'];

/** A role-local variable, bound by a receive pattern, `fresh`, `let`, or the role's set-up. In a
 * set-up term, a variable may instead refer to a long-term value (`lt`, models/protocol.ts): what
 * it refers to is the structured `lt` field, never parsed back from `name`. */
export interface Var {
  readonly t: 'var';
  readonly name: string;
  readonly sort: Sort;
  readonly lt?: LongTermRef;
}
/** A reference to the long-term value `name` of the agent bound to agent variable `agentVar`
 * (with `peerVar`: the value that agent shares with the agent of `peerVar`). */
export interface LongTermRef {
  readonly name: string;
  readonly agentVar: string;
  readonly peerVar?: string;
}
/** A public constant such as `'report'` (Tamarin `'report'`). */
export interface Const {
  readonly t: 'const';
  readonly name: string;
}
/** A name: a fresh value created by one role instance or by the long-term set-up. Only
 * interpreters create these (the explorer's symbolic instances); machines never contain them.
 * `name` identifies it (two names are equal iff their `name`s are) and is how it is printed;
 * what it stands for, when not a role instance's fresh value, is `origin` — read from there,
 * never parsed back from `name`. */
export interface Name {
  readonly t: 'name';
  readonly name: string;
  readonly sort: Sort;
  readonly origin?: NameOrigin;
}
/** What a name stands for besides a role instance's fresh value. */
export type NameOrigin =
  /** the long-term value `value` of these agents (one, or a pair: models/protocol.ts `ltAgents`) */
  | { readonly kind: 'long-term'; readonly value: string; readonly agents: readonly string[] }
  /** a value the attacker chooses for the open variable `variable` of a trace */
  | { readonly kind: 'attacker-choice'; readonly variable: string };
/** A function application. `tuple` is n-ary (Tamarin `<a, b, c>`). */
export interface App {
  readonly t: 'app';
  readonly f: FunctionSymbol;
  readonly args: readonly Term[];
}
export type Term = Var | Const | Name | App;

export type FunctionSymbol =
  | 'tuple'
  | 'pk'
  | 'sign'
  | 'verify'
  | 'true'
  | 'h'
  | 'hmac'
  | 'senc'
  | 'sdec'
  | 'aenc'
  | 'adec'
  | 'kdfa'
  | 'kdfe'
  | 'exp'
  | 'mult';

export interface SymbolInfo {
  /** number of arguments; -1 for n-ary */
  readonly arity: number;
  /** may the attacker apply it to terms it knows? (all symbols here are public) */
  readonly public: boolean;
  /** constructor (builds values) or destructor (only reduces by an equation) */
  readonly role: 'constructor' | 'destructor';
  /** the Tamarin builtin that declares it, or 'functions' for a user-declared free function */
  readonly tamarin: 'pairing' | 'signing' | 'hashing' | 'symmetric-encryption' | 'asymmetric-encryption' | 'diffie-hellman' | 'functions';
  /** sort of a concrete value of this application */
  readonly sort: Sort;
  /** the kind of its concrete value (models/sorts.ts), null if only evaluation tells (a
   * decryption yields whatever was encrypted) */
  readonly kind: ValueKind | null;
  /** its equations, oriented left to right (models/equations.ts normalises with them; the
   * exporters declare them): each left side is an application of this symbol, and the
   * variables of a side are pattern variables (one repeated must match equal terms) */
  readonly rules?: readonly RewriteRule[];
  /** associative and commutative: its normal form is flat (no argument of the same symbol)
   * with the arguments sorted by their printed form */
  readonly ac?: true;
  /** the argument that is the message it protects (encrypts, signs, MACs, hashes, or — for a
   * check — the message checked): the exporters' typing tags tag it (proofs-export/typing-tags.ts) */
  readonly plaintext?: number;
}

/** A symbol table: SYMBOLS, or (in tests) a copy with symbols added; the derivations
 * (equations.ts, the exporters, the runtime's dispatch) take one. */
export type SymbolTable = Readonly<Record<string, SymbolInfo>>;

/** `lhs → rhs`, the variables of both being pattern variables. */
export interface RewriteRule {
  readonly lhs: App;
  readonly rhs: Term;
}

/** The kinds of concrete value, as a receiver tells them apart on the wire (models/sorts.ts says
 * which a sort admits; impl/wire/value.ts is their byte form). */
export type ValueKind = 'bytes' | 'point' | 'sig' | 'scalar' | 'const' | 'tuple';

// Patterns of the rewrite rules below: built without `app`'s arity check (the table is not
// there yet); tests check every rule against the table's arities.
// A pattern variable's sort is what a variable made for it stands for, when narrowing makes one
// (equations.ts `narrowings`: verify's signing key); the exporters print the names only.
const pv = (name: string, sort: Sort = 'msg'): Var => ({ t: 'var', name, sort });
const pf = (f: FunctionSymbol, ...args: Term[]): App => ({ t: 'app', f, args });
const [M, K, B, X, Y] = ['m', 'k', 'b', 'x', 'y'].map((n) => pv(n)) as [Var, Var, Var, Var, Var];
const SK = pv('sk', 'skey');

/** The primitives, as data (Verifpal style): one generic deduction engine reads this table.
 * Everything else about a symbol is derived from its row: normalisation and stuck destructors
 * (models/equations.ts), the exporters' declarations (proofs-export/), and the runtime's
 * dispatch, which must have one implementation per row (impl/runtime/primitives.ts). */
export const SYMBOLS: Readonly<Record<FunctionSymbol, SymbolInfo>> = {
  tuple: { arity: -1, public: true, role: 'constructor', tamarin: 'pairing', sort: 'msg', kind: 'tuple' },
  pk: { arity: 1, public: true, role: 'constructor', tamarin: 'signing', sort: 'point', kind: 'point' },
  sign: { arity: 2, public: true, role: 'constructor', tamarin: 'signing', sort: 'sig', kind: 'sig', plaintext: 0 },
  verify: { arity: 3, public: true, role: 'destructor', tamarin: 'signing', sort: 'bool', kind: 'const', plaintext: 1, rules: [{ lhs: pf('verify', pf('sign', M, SK), M, pf('pk', SK)), rhs: pf('true') }] },
  true: { arity: 0, public: true, role: 'constructor', tamarin: 'signing', sort: 'bool', kind: 'const' },
  h: { arity: 1, public: true, role: 'constructor', tamarin: 'hashing', sort: 'digest', kind: 'bytes', plaintext: 0 },
  hmac: { arity: 2, public: true, role: 'constructor', tamarin: 'functions', sort: 'digest', kind: 'bytes', plaintext: 1 },
  senc: { arity: 2, public: true, role: 'constructor', tamarin: 'symmetric-encryption', sort: 'ct', kind: 'bytes', plaintext: 0 },
  sdec: { arity: 2, public: true, role: 'destructor', tamarin: 'symmetric-encryption', sort: 'msg', kind: null, rules: [{ lhs: pf('sdec', pf('senc', M, K), K), rhs: M }] },
  aenc: { arity: 2, public: true, role: 'constructor', tamarin: 'asymmetric-encryption', sort: 'ct', kind: 'bytes', plaintext: 0 },
  adec: { arity: 2, public: true, role: 'destructor', tamarin: 'asymmetric-encryption', sort: 'msg', kind: null, rules: [{ lhs: pf('adec', pf('aenc', M, pf('pk', SK)), SK), rhs: M }] },
  kdfa: { arity: 4, public: true, role: 'constructor', tamarin: 'functions', sort: 'digest', kind: 'bytes' },
  kdfe: { arity: 4, public: true, role: 'constructor', tamarin: 'functions', sort: 'digest', kind: 'bytes' },
  // (b^x)^y = b^(x*y); with `mult` AC, two DH terms are equal iff their normal forms are
  // (no inverses: Tamarin's diffie-hellman without them is what the models need)
  exp: { arity: 2, public: true, role: 'constructor', tamarin: 'diffie-hellman', sort: 'point', kind: 'point', rules: [{ lhs: pf('exp', pf('exp', B, X), Y), rhs: pf('exp', B, pf('mult', X, Y)) }] },
  // product of exponents; appears only inside normalised `exp` terms (DH exponents commute)
  mult: { arity: -1, public: true, role: 'constructor', tamarin: 'diffie-hellman', sort: 'skey', kind: 'scalar', ac: true },
};

// ---------------------------------------------------------------- constructors

export const v = (name: string, sort: Sort = 'msg'): Var => ({ t: 'var', name, sort });
export const c = (name: string): Const => ({ t: 'const', name });
export const name = (n: string, sort: Sort, origin?: NameOrigin): Name => (origin ? { t: 'name', name: n, sort, origin } : { t: 'name', name: n, sort });
/** The attacker's own value for the open variable `x` of a trace (the explorer makes one per
 * open variable when it judges or prints a trace): a name printed `~x:<variable>`. */
export const attackerChoice = (x: Var): Name => name(`x:${x.name}`, x.sort, { kind: 'attacker-choice', variable: x.name });
/** Is this term one of the attacker's own choices (`attackerChoice`)? */
export const isAttackerChoice = (t: Term): t is Name => t.t === 'name' && t.origin?.kind === 'attacker-choice';
export const app = (f: FunctionSymbol, ...args: Term[]): App => {
  const arity = SYMBOLS[f].arity;
  if (arity >= 0 && args.length !== arity) throw new TypeError(`${f} takes ${arity} arguments, got ${args.length}`);
  return { t: 'app', f, args };
};
/** `<a, b, …>` */
export const tup = (...items: Term[]): App => app('tuple', ...items);
export const pk = (sk: Term) => app('pk', sk);
/** `sign(m, sk)` (Tamarin's argument order) */
export const sign = (m: Term, sk: Term) => app('sign', m, sk);
export const verify = (sig: Term, m: Term, pub: Term) => app('verify', sig, m, pub);
export const TRUE: App = app('true');
export const h = (m: Term) => app('h', m);
export const hmac = (k: Term, m: Term) => app('hmac', k, m);
export const senc = (m: Term, k: Term) => app('senc', m, k);
export const sdec = (ct: Term, k: Term) => app('sdec', ct, k);
export const aenc = (m: Term, pub: Term) => app('aenc', m, pub);
export const adec = (ct: Term, sk: Term) => app('adec', ct, sk);
/** TPM2 KDFa(key, label, contextU, contextV) — TPM 2.0 Part 1 §11.4.10.2 */
export const kdfa = (k: Term, label: string, u: Term, w: Term) => app('kdfa', k, c(label), u, w);
/** TPM2 KDFe(Z, label, partyU, partyV) — TPM 2.0 Part 1 §11.4.10.3 */
export const kdfe = (z: Term, label: string, u: Term, w: Term) => app('kdfe', z, c(label), u, w);
/** the DH generator `'g'` */
export const G: Const = c('g');
/** `b ^ x` */
export const exp = (b: Term, x: Term) => app('exp', b, x);

// ---------------------------------------------------------------- inspection

export function isVar(t: Term): t is Var {
  return t.t === 'var';
}
export function isApp(t: Term, f?: FunctionSymbol): t is App {
  return t.t === 'app' && (f === undefined || t.f === f);
}

/** Variables of a term, in first-occurrence order, without duplicates. */
export function varsOf(t: Term, acc: Var[] = [], seen = new Set<string>()): Var[] {
  if (t.t === 'var') {
    if (!seen.has(t.name)) {
      seen.add(t.name);
      acc.push(t);
    }
  } else if (t.t === 'app') for (const a of t.args) varsOf(a, acc, seen);
  return acc;
}

/** Replace variables by terms (variables missing from `s` are left in place). */
export function substitute(t: Term, s: ReadonlyMap<string, Term> | Readonly<Record<string, Term>>): Term {
  const get = s instanceof Map ? (k: string) => s.get(k) : (k: string) => (s as Record<string, Term>)[k];
  const go = (u: Term): Term => {
    if (u.t === 'var') return get(u.name) ?? u;
    if (u.t === 'app') return { t: 'app', f: u.f, args: u.args.map(go) };
    return u;
  };
  return go(t);
}

/** Structural map over a term, bottom-up. */
export function mapTerm(t: Term, f: (u: Term) => Term): Term {
  if (t.t === 'app') return f({ t: 'app', f: t.f, args: t.args.map((a) => mapTerm(a, f)) });
  return f(t);
}

export function termEquals(a: Term, b: Term): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'var':
    case 'const':
      return a.name === (b as Var | Const).name;
    case 'name':
      return a.name === (b as Name).name;
    case 'app': {
      const bb = b as App;
      if (a.f !== bb.f || a.args.length !== bb.args.length) return false;
      for (let i = 0; i < a.args.length; i++) if (!termEquals(a.args[i]!, bb.args[i]!)) return false;
      return true;
    }
  }
}

/** Does `needle` occur in `t` (as a subterm)? */
export function occurs(needle: Term, t: Term): boolean {
  if (termEquals(needle, t)) return true;
  return t.t === 'app' && t.args.some((a) => occurs(needle, a));
}

/** Readable form in the design's notation: `<a, b>`, `~n`, `'c'`, `f(x, y)`, `b^x`. */
export function show(t: Term): string {
  switch (t.t) {
    case 'var':
      return t.name;
    case 'const':
      return `'${t.name}'`;
    case 'name':
      return `~${t.name}`;
    case 'app':
      if (t.f === 'tuple') return `<${t.args.map(show).join(', ')}>`;
      if (t.f === 'exp') return `${showAtom(t.args[0]!)}^${showAtom(t.args[1]!)}`;
      if (t.f === 'mult') return `(${t.args.map(show).join('*')})`;
      if (t.f === 'true') return 'true';
      return `${t.f}(${t.args.map(show).join(', ')})`;
  }
}
function showAtom(t: Term): string {
  return t.t === 'app' && t.f === 'exp' ? `(${show(t)})` : show(t);
}
