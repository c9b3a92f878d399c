/**
 * Symbolic execution of one machine transition of one role instance (step compression: the
 * receive, the computations and checks, the claims and the sends are one atomic step).
 *
 * The received message is the pattern with a fresh variable for every position the pattern
 * binds, under the constraint that the attacker can build it from what it knew before the step
 * (lazy intruder). `check` and `match` unify modulo the theory; a transition whose checks cannot
 * succeed is not taken (the party would go to `failed` and do nothing observable). `let` with a
 * destructor that does not reduce keeps the stuck term (AES-CFB always "decrypts").
 * @module
 */
import type { ClaimRecord } from '../../models/role.ts';
import type { Step, TransitionSpec } from '../../models/steps.ts';
import { type Term, type Var, name, substitute, varsOf } from '../../models/terms.ts';
import { type Constraint, type Deduction, type SolveContext, derivable, solve } from './deduction.ts';
import { ATTACKER } from './scenario.ts';
import type { Instance, Scenario } from './scenario.ts';
import { EMPTY, type FreshVars, type Subst, resolve, unify } from './unify.ts';

/** A claim of a symbolic trace: the role instance's claim (models/role.ts, its values terms) and
 * where in the trace it was made. */
export interface SymClaim extends ClaimRecord<Term> {
  readonly step: number;
  readonly inst: number;
  readonly role: string;
  readonly self: string;
  /** every agent the instance names (itself included): it is honest iff all of them are */
  readonly agents: readonly string[];
  /** the session the claim names, if any (models/steps.ts) */
  readonly sid?: Term;
  /** a Commit naming the attacker's agent, under `peers: 'any'`: could the attacker derive its
   * data from what it knew before the step (models/judge.ts `attackerHad`)? */
  readonly had?: boolean;
}

export interface SentMessage {
  readonly to: string;
  readonly label: string;
  readonly term: Term;
  /** its index in the attacker's knowledge */
  readonly know: number;
}

/** One step of a trace: a transition of an instance, or a compromise event. */
export interface TraceStep {
  readonly inst: number;
  readonly transition: string;
  readonly recv?: { readonly from: string; readonly label: string; readonly term: Term };
  readonly sends: readonly SentMessage[];
  readonly claims: readonly SymClaim[];
  /** how the attacker built the received message */
  readonly deductions: readonly Deduction[];
  readonly reveal?: { readonly event: string; readonly agent: string; readonly value: Term; readonly know: number };
  /** knowledge size before the step (the level of its input constraint) */
  readonly knowBefore: number;
  /** fresh input variables the step introduced */
  readonly inputs: readonly Var[];
}

export interface SymState {
  readonly insts: readonly Instance[];
  readonly know: readonly Term[];
  readonly cons: readonly Constraint[];
  readonly s: Subst;
  readonly steps: readonly TraceStep[];
  readonly claims: readonly SymClaim[];
  /** reveal options already used */
  readonly revealed: readonly number[];
}

/** A scenario's state before any step: every instance in its initial state, the attacker with
 * its initial knowledge. */
export function initialState(scen: Scenario): SymState {
  return { insts: scen.instances, know: scen.knowledge, cons: [], s: EMPTY, steps: [], claims: [], revealed: [] };
}

export interface Successor {
  readonly state: SymState;
  /** did the step leave an attacker choice open (a new variable in a solved constraint)? */
  readonly free: boolean;
  /** the received message, resolved (for the independence test of the partial-order reduction) */
  readonly recvTerm: Term | null;
}

/** Instantiate a pattern: unbound variables in binding positions become fresh variables. */
function instantiatePattern(p: Term, env: Record<string, Term>, fresh: FreshVars, inputs: Var[]): Term {
  const sub: Record<string, Term> = {};
  for (const x of varsOf(p)) {
    if (x.name in env) sub[x.name] = env[x.name]!;
    else {
      const nv = fresh.next(x.name, x.sort);
      env[x.name] = nv;
      sub[x.name] = nv;
      inputs.push(nv);
    }
  }
  return substitute(p, sub);
}

/** All successors of `st` by transition `spec` of instance `i`. */
export function execTransition(st: SymState, i: number, spec: TransitionSpec, ctx: SolveContext): Successor[] {
  const inst = st.insts[i]!;
  const env: Record<string, Term> = { ...inst.env };
  const fresh = ctx.fresh;
  const lvl = st.know.length;
  const inputs: Var[] = [];
  const newCons: Constraint[] = [];
  const sends: { to: string; label: string; term: Term }[] = [];
  const claims: Omit<SymClaim, 'step'>[] = [];
  let recvd: TraceStep['recv'];
  let branches: Subst[] = [st.s];
  const sub = (t: Term) => substitute(t, env);
  const agentList = [...new Set(Object.values(inst.agents))];

  for (const step of spec.steps as Step[]) {
    if (!branches.length) return [];
    switch (step.op) {
      case 'recv': {
        const m = instantiatePattern(step.pattern, env, fresh, inputs);
        newCons.push({ lvl, t: m });
        recvd = { from: step.from, label: step.label, term: m };
        break;
      }
      case 'fresh':
        env[step.v.name] = name(`${step.v.name}.${inst.label}`, step.v.sort);
        break;
      case 'let':
        env[step.v.name] = sub(step.t);
        break;
      case 'match': {
        const value = sub(step.t);
        const pat = instantiatePattern(step.pattern, env, fresh, []);
        branches = branches.flatMap((s) => unify(pat, value, s, fresh));
        break;
      }
      case 'check': {
        const l = sub(step.left);
        const r = sub(step.right);
        branches = branches.flatMap((s) => unify(l, r, s, fresh));
        break;
      }
      case 'send':
        sends.push({ to: step.to, label: step.label, term: sub(step.t) });
        break;
      case 'claim':
        claims.push({
          inst: i,
          role: inst.role,
          self: inst.agents['self']!,
          agents: agentList,
          event: step.event,
          tag: step.tag,
          peer: step.peer ? sub(step.peer) : null,
          data: sub(step.data),
          ...(step.sid ? { sid: sub(step.sid) } : {}),
        });
        break;
      case 'store':
        break; // protected storage: not observable by the attacker
    }
  }

  const stepNo = st.steps.length;
  const out: Successor[] = [];
  const oldVars = new Set(st.cons.map((c) => (c.t as Var).name));
  for (const s of branches) {
    for (const sol of solve([...st.cons, ...newCons], s, ctx)) {
      const know = [...st.know, ...sends.map((m) => m.term)];
      const nextInst: Instance = { ...inst, state: spec.to, env, started: true };
      const insts = st.insts.slice();
      insts[i] = nextInst;
      // the data of a Commit naming the attacker's agent, against the knowledge before the step
      // (its constraints and bindings as solved; what the attacker had, not what it will learn)
      const had = (c: Omit<SymClaim, 'step'>) => ctx.attackerHad === true && c.event === 'Commit' && c.self !== ATTACKER && c.agents.includes(ATTACKER);
      const stepClaims = claims.map((c) => (had(c) ? { ...c, step: stepNo, had: derivable(c.data, lvl, sol.cons, sol.s, ctx) !== null } : { ...c, step: stepNo }));
      const trace: TraceStep = {
        inst: i,
        transition: spec.label,
        ...(recvd ? { recv: recvd } : {}),
        sends: sends.map((m, k) => ({ ...m, know: lvl + k })),
        claims: stepClaims,
        deductions: sol.notes,
        knowBefore: lvl,
        inputs,
      };
      out.push({
        state: { insts, know, cons: sol.cons, s: sol.s, steps: [...st.steps, trace], claims: [...st.claims, ...stepClaims], revealed: st.revealed },
        free: sol.cons.some((c) => !oldVars.has((c.t as Var).name)),
        recvTerm: recvd ? resolve(recvd.term, sol.s) : null,
      });
    }
  }
  return out;
}

/** The attacker triggers a compromise event: the long-term value joins its knowledge. */
export function execReveal(st: SymState, k: number, r: { event: string; agent: string; value: Term }): SymState {
  const step: TraceStep = {
    inst: -1,
    transition: r.event,
    sends: [],
    claims: [],
    deductions: [],
    reveal: { ...r, know: st.know.length },
    knowBefore: st.know.length,
    inputs: [],
  };
  return { ...st, know: [...st.know, r.value], steps: [...st.steps, step], revealed: [...st.revealed, k] };
}
