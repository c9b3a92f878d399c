/**
 * One Tamarin rule per machine transition (the machines are already step-compressed: receive,
 * compute, send). The rule consumes the role's state fact `St_<Role>_<from>(~tid, live vars)`,
 * the received message `In(pattern)` and `Fr(~x)` for each fresh value, and produces the next
 * state fact and `Out(m)` for each send. Claims become action facts.
 *
 * How the steps map:
 * - `let x = t`: `t` is substituted for `x` (Tamarin's own reading: a destructor that does not
 *   reduce leaves a stuck term) — except `let x = sdec(c, k)` (or `adec`) where `c` was just
 *   received: then the transition has two rules. In the first, `c` is matched as `senc(x, k)`
 *   in the `In` pattern (with the typing tag when `x` has a sort); in the second (`…_stuck`),
 *   `c` is any message that is not an encryption under `k` (action `StuckSdec(c, k)`, the
 *   restriction `Stuck_sdec` in theory.ts) and `x` is the stuck `sdec(c, k)`. A `let` keeps the
 *   stuck term in the machines, the explorer and the runtime (AES-CFB has no integrity: any
 *   ciphertext decrypts, TPM 2.0 Part 1 §21), so without the second rule Tamarin 1.7.1 verified
 *   provisioning M3.2's P3.2, where the explorer finds the attacker's ciphertext accepted.
 * - `check l = r`: when one side is a variable just received, it is folded into the `In`
 *   pattern (Tamarin matches modulo the theory, as the check does); otherwise an `Eq(l, r)`
 *   action with the `Equality` restriction. Signature checks are always `Eq`.
 * - `match p = t`: folded into the pattern when `t` is a just-received variable or its
 *   decryption; anything else cannot be expressed and is an error naming the step.
 * - `claim`: `Running`/`Commit`/`Secret(role, tag, actor, peer, data)`, `Finish(role, tag,
 *   data)`; a rule with a Commit or Secret claim also records `Honest(a)` for each agent the
 *   role deals with, so lemmas can exclude compromised agents the manual's way.
 * @module
 */
import type { Protocol } from '../../models/protocol.ts';
import type { Step, TransitionSpec } from '../../models/steps.ts';
import { type Var, varsOf } from '../../models/terms.ts';
import type { RoleWalk } from '../walk.ts';
import { keepsStuck } from '../typing-tags.ts';
import { type TFact, type TRule, type TSort, type TTerm, fact, tconst, tvar } from './ast.ts';
import { type VarNames, factIdent, ident } from './names.ts';
import { ExportError, hasReducible, isCfbKey, occursVar, sameTerm, spthyTerm, substituteT } from './term.ts';
import { printTerm } from './print.ts';

/** What rule building shares across the rules of one theory. */
export interface ExportContext {
  readonly protocol: Protocol;
  readonly names: VarNames;
  /** per role and state: the sorts of the state fact's arguments after `~tid` */
  readonly stateSorts: Map<string, readonly TSort[]>;
  readonly ruleNames: Set<string>;
}

export const TID = tvar('tid', 'fresh');
export const NO_PEER = tconst('none');
/** A claim tag as a constant. Tags live in their own namespace (`'tag_secret'`) so that none
 * differs only in case from a message constant ('secret' vs the KDFe label 'SECRET'), which
 * Tamarin warns about. */
export const tagConst = (tag: string) => tconst(`tag_${tag}`);

export function stateFact(role: string, state: string, args: readonly TTerm[]): TFact {
  return fact(`St_${factIdent(role).replace(/^F_/, '')}_${ident(state)}`, TID, ...args);
}

/** The Tamarin variable a model variable of the given sort stands for. */
export function modelVar(ctx: ExportContext, x: Var, sort: TSort): TTerm {
  return tvar(ctx.names.name(x.name, x.sort), sort);
}

export function sortOfValue(t: TTerm): TSort {
  return t.k === 'var' ? t.sort : 'msg';
}

/** Record (or compare with the recorded) sorts of a state's fact: every rule into a state must
 * agree, or Tamarin would silently never match the next rule. */
export function noteStateSorts(ctx: ExportContext, key: string, values: readonly TTerm[], where: string): void {
  const sorts = values.map(sortOfValue);
  const known = ctx.stateSorts.get(key);
  if (!known) ctx.stateSorts.set(key, sorts);
  else if (known.some((s, i) => s !== 'msg' && s !== sorts[i]))
    throw new ExportError(`${where}: reaches a state with a value of another sort than an earlier transition gives it (${values.map(printTerm).join(', ')})`);
}

export function uniqueRuleName(ctx: ExportContext, base: string): string {
  let n = ident(base);
  for (let i = 2; ctx.ruleNames.has(n); i++) n = `${ident(base)}_${i}`;
  ctx.ruleNames.add(n);
  return n;
}

/** Does a decryption always succeed in the runtime? Only under a KDFa 'CFB' key (`isCfbKey`);
 * every other `senc` is authenticated, and its `sdec` fails on a ciphertext under another key,
 * as the fold into the In pattern says. */
export const alwaysDecrypts = (dec: TTerm): boolean => dec.k === 'app' && dec.f === 'sdec' && isCfbKey(dec.args[1]!);

/** The action a stuck-decryption rule records for the destructor `f` (`StuckSdec(c, k)`). */
export const stuckAction = (f: string) => `Stuck${f[0]!.toUpperCase()}${f.slice(1)}`;

/** The rules of one transition: the rule the steps read, then one for every non-empty set of
 * its `let` decryptions of a just-received ciphertext taken as stuck (see the module comment). */
export function transitionRules(ctx: ExportContext, walk: RoleWalk, t: TransitionSpec): TRule[] {
  const first = buildRule(ctx, walk, t, new Set())!;
  const n = first.letDecryptions.length;
  if (n > 4) throw new ExportError(`${ctx.protocol.name}/${walk.decl.role} ${t.label}: ${n} decryptions bound by let in one transition (${2 ** n} rules); split the transition`);
  const out = [first.rule];
  for (let m = 1; m < 2 ** n; m++) {
    const alt = buildRule(ctx, walk, t, new Set(first.letDecryptions.filter((_, i) => m & (1 << i))));
    if (alt) out.push(alt.rule);
  }
  return out;
}

/** The rule of one transition, the `let` decryptions at the step indices `stuck` taken as stuck. */
function buildRule(ctx: ExportContext, walk: RoleWalk, t: TransitionSpec, stuck: ReadonlySet<number>): { rule: TRule; letDecryptions: number[] } | null {
  const role = walk.decl.role;
  const where = `${ctx.protocol.name}/${role} ${t.label}`;
  const live = walk.liveAt.get(t.from)!;
  const sorts = ctx.stateSorts.get(`${role}/${t.from}`);
  if (!sorts) throw new ExportError(`${where}: state '${t.from}' is reached before any rule produces it`);
  const env = new Map<string, TTerm>();
  live.forEach((x, i) => env.set(x.name, modelVar(ctx, x, sorts[i]!)));
  const lookup = (n: string) => {
    const r = env.get(n);
    if (!r) throw new ExportError(`${where}: '${n}' is used before it is bound`);
    return r;
  };
  const received = new Set<string>(); // Tamarin names of message variables bound by this rule's In
  const subst = new Map<string, TTerm>();
  const ins: TFact[] = [];
  const frs: TFact[] = [];
  const actions: TFact[] = [];
  const outs: TFact[] = [];
  const notes: string[] = [];
  const letDecryptions: number[] = []; // step indices of `let` decryptions folded into the In pattern
  let needsHonest = false;

  const bindPattern = (p: Step & { op: 'recv' | 'match' }) => {
    for (const x of varsOf(p.pattern))
      if (!env.has(x.name)) {
        const tv = modelVar(ctx, x, x.sort === 'agent' || x.sort === 'const' ? 'pub' : 'msg');
        env.set(x.name, tv);
        if (tv.k === 'var' && tv.sort === 'msg') received.add(tv.name);
      }
    return spthyTerm(p.pattern, lookup, where);
  };
  const foldable = (x: TTerm) => x.k === 'var' && x.sort === 'msg' && received.has(x.name) && !subst.has(x.name);
  /** bind the received variable `x` to `value` in the In pattern, if Tamarin can match it there */
  const fold = (x: TTerm, value: TTerm): boolean => {
    if (x.k !== 'var' || !foldable(x)) return false;
    const v = substituteT(value, subst);
    if (hasReducible(v) || occursVar(x.name, 'msg', v)) return false;
    subst.set(x.name, v);
    return true;
  };
  /** `dec(c, k)` with `c` just received, as the encryption `c` must be for it to reduce */
  const asEncryption = (t: TTerm, plain: TTerm): [TTerm, TTerm] | null => {
    if (t.k !== 'app' || (t.f !== 'sdec' && t.f !== 'adec')) return null;
    const [c, k] = t.args as [TTerm, TTerm];
    if (!foldable(c) || hasReducible(k)) return null;
    return [c, t.f === 'sdec' ? { k: 'app', f: 'senc', args: [plain, k] } : { k: 'app', f: 'aenc', args: [plain, { k: 'app', f: 'pk', args: [k] }] }];
  };

  /** `let x = dec(c, k)` taken as stuck: `c` is not an encryption under `k`, `x` the stuck term */
  const stuckDecryption = (x: Var, value: TTerm, label: string): boolean => {
    if (value.k !== 'app' || !asEncryption(value, value)) return false;
    const [c, k] = value.args as [TTerm, TTerm];
    env.set(x.name, value);
    actions.push(fact(stuckAction(value.f), c, k));
    notes.push(`let ${x.name} (${label}): ${printTerm(c)} is not an encryption under the key; the decryption is the stuck term`);
    return true;
  };

  for (const [j, s] of t.steps.entries()) {
    if (stuck.has(j) && (s.op === 'let' || s.op === 'match')) {
      const x = s.op === 'let' ? s.v : keepsStuck(s);
      // under an earlier stuck key it is no received ciphertext's decryption: that set is not a case
      if (!x || !stuckDecryption(x, spthyTerm(s.t, lookup, where), s.label)) return null;
      continue;
    }
    switch (s.op) {
      case 'recv':
        ins.push(fact('In', bindPattern(s)));
        break;
      case 'fresh': {
        const x = modelVar(ctx, s.v, 'fresh');
        env.set(s.v.name, x);
        frs.push(fact('Fr', x));
        break;
      }
      case 'let': {
        const value = spthyTerm(s.t, lookup, where);
        const x = modelVar(ctx, s.v, 'msg');
        const enc = asEncryption(value, x);
        if (enc && fold(enc[0], enc[1]) && x.k === 'var') {
          env.set(s.v.name, x);
          received.add(x.name);
          if (alwaysDecrypts(value)) letDecryptions.push(j);
          notes.push(`let ${s.v.name} (${s.label}): received as an encryption under the key${alwaysDecrypts(value) ? ' (the _stuck rule: any other message)' : ''}`);
        } else env.set(s.v.name, value);
        break;
      }
      case 'match': {
        const value = spthyTerm(s.t, lookup, where);
        const lx = keepsStuck(s);
        if (lx && !asEncryption(value, value)) {
          // a let decryption of a value not just received (a key from a _stuck rule): Tamarin's
          // reading, the term itself (it reduces where the attacker built the encryption)
          env.set(lx.name, value);
          break;
        }
        const pattern = bindPattern(s);
        const enc = asEncryption(value, pattern);
        if (!(enc ? fold(enc[0], enc[1]) : fold(value, pattern)))
          throw new ExportError(`${where}: match '${s.label}' destructures a value that is neither a received variable nor its decryption; Tamarin cannot bind variables from it`);
        if (enc && keepsStuck(s) && alwaysDecrypts(value)) letDecryptions.push(j);
        break;
      }
      case 'check': {
        const l = substituteT(spthyTerm(s.left, lookup, where), subst);
        const r = substituteT(spthyTerm(s.right, lookup, where), subst);
        if (sameTerm(l, r)) notes.push(`check '${s.label}': holds by construction`);
        else if (fold(l, r) || fold(r, l)) notes.push(`check '${s.label}': in the In pattern`);
        else {
          actions.push(fact('Eq', l, r));
          notes.push(`check '${s.label}': Eq restriction`);
        }
        break;
      }
      case 'send':
        outs.push(fact('Out', spthyTerm(s.t, lookup, where)));
        break;
      case 'claim': {
        const data = spthyTerm(s.data, lookup, where);
        if (s.event === 'Oops') break; // the leak is the rule's Out; `unlessOops` is not exported (docs/explorer-semantics.md)
        if (s.event === 'Finish') actions.push(fact('Finish', tconst(role), tagConst(s.tag), data));
        else {
          const peer = s.peer ? spthyTerm(s.peer, lookup, where) : NO_PEER;
          actions.push(fact(s.event, tconst(role), tagConst(s.tag), lookup('self'), peer, data));
          if (s.event !== 'Running') needsHonest = true;
        }
        break;
      }
      case 'store':
        actions.push(fact('Store', tconst(s.slot), spthyTerm(s.t, lookup, where)));
        break;
    }
  }
  if (needsHonest) {
    const seen = new Set<string>();
    for (const a of walk.agents) {
      const v = lookup(a.name);
      if (!seen.has(printTerm(v))) actions.push(fact('Honest', v));
      seen.add(printTerm(v));
    }
  }
  const next = walk.liveAt.get(t.to)!.map((x) => substituteT(lookup(x.name), subst));
  noteStateSorts(ctx, `${role}/${t.to}`, next, where);
  const sub = (f: TFact): TFact => ({ ...f, args: f.args.map((a) => substituteT(a, subst)) });
  const inFacts = ins.map(sub);
  const outFacts = outs.map(sub);
  const rule: TRule = {
    name: uniqueRuleName(ctx, `${role}_${t.from}_to_${t.to}${stuck.size ? '_stuck' : ''}`),
    comments: [`${t.label}: ${t.from} --${t.trigger}--> ${t.to}`, ...notes],
    lhs: [stateFact(role, t.from, live.map((x) => lookup(x.name))), ...inFacts, ...frs],
    actions: [...actions.map(sub), ...sourceActions(inFacts, outFacts, received)],
    rhs: [stateFact(role, t.to, next), ...outFacts],
  };
  return { rule, letDecryptions };
}

const isEncryption = (t: TTerm): t is TTerm & { k: 'app' } => t.k === 'app' && (t.f === 'aenc' || t.f === 'senc');

/** Message variables in the plaintext of an encryption, not under a nested one. */
function plaintextVars(t: TTerm, acc: string[] = []): string[] {
  if (t.k === 'var' && t.sort === 'msg' && !acc.includes(t.name)) acc.push(t.name);
  else if (t.k === 'tuple') t.items.forEach((x) => plaintextVars(x, acc));
  else if (t.k === 'app' && !isEncryption(t)) t.args.forEach((x) => plaintextVars(x, acc));
  return acc;
}

function encryptions(t: TTerm, acc: TTerm[] = []): TTerm[] {
  if (isEncryption(t)) acc.push(t);
  if (t.k === 'app') t.args.forEach((x) => encryptions(x, acc));
  else if (t.k === 'tuple' || t.k === 'mult') t.items.forEach((x) => encryptions(x, acc));
  else if (t.k === 'exp') [t.base, t.exponent].forEach((x) => encryptions(x, acc));
  return acc;
}

/**
 * The actions the generated sources lemma reads (theory.ts, `sourcesLemma`): `RecvEnc(x, c)`
 * for each message variable `x` this rule learns from the plaintext of a received encryption
 * `c` (what Tamarin cannot trace back: a "partial deconstruction"), and `SentEnc(e)` for each
 * encryption `e` the rule sends. The lemma then says: `x` was known to the attacker before, or
 * `c` is an encryption an honest rule sent (manual §"Sources lemmas", the NSPK3 example).
 */
function sourceActions(ins: readonly TFact[], outs: readonly TFact[], received: ReadonlySet<string>): TFact[] {
  const out: TFact[] = [];
  const seen = new Set<string>();
  const add = (f: TFact) => {
    const k = `${f.name}(${f.args.map(printTerm).join(',')})`;
    if (!seen.has(k)) out.push(f);
    seen.add(k);
  };
  for (const f of ins)
    for (const c of encryptions(f.args[0]!))
      for (const x of plaintextVars((c as { args: readonly TTerm[] }).args[0]!)) if (received.has(x)) add(fact('RecvEnc', tvar(x, 'msg'), c));
  for (const f of outs) for (const e of encryptions(f.args[0]!)) add(fact('SentEnc', e));
  return out;
}
