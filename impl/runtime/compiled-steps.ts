/**
 * A machine transition compiled once into a plain step function — the compiled engine's
 * execute.ts. The steps are the transition's own (its `TransitionSpec`, read from the machine);
 * what is done once here instead of at every run: the dispatch on each step's kind, its failure
 * label (`at`), and its terms and patterns (compiled-terms.ts). The result is exactly
 * `executeTransition`'s: the same environment, messages and bytes, claims, stored values, or the
 * same typed failure naming the same step.
 *
 * The in-place form binds into the instance's own environment and, when the transition fails,
 * puts back every value it replaced: the environment is not copied at every transition (it grows
 * with the records of a channel session, and its copies were the largest cost of a stream).
 * @module
 */
import type { ClaimRecord } from '../../models/role.ts';
import type { ConcreteContext } from './local-role.ts';
import type { Step, TransitionSpec } from '../../models/steps.ts';
import { decode, DecodeError, encode, EncodeError } from '../wire/codec.ts';
import { type Value, valueEquals } from '../wire/value.ts';
import { type EvalDeps, EvalFailure, type StepMemo, freshValue } from './evaluate.ts';
import type { Delivered, StepResult, WireMessage } from './execute.ts';
import { compilePattern, compileTerm } from './compiled-terms.ts';

/** What a compiled step works on while its transition runs. */
interface Frame {
  readonly env: Record<string, Value>;
  /** what the transition replaced, in order: [name, previous value or undefined] */
  readonly undo: [string, Value | undefined][];
  /** the variables its patterns bound (absent before) */
  readonly bound: string[];
  readonly outbox: WireMessage[];
  readonly claims: ClaimRecord<Value>[];
  readonly stored: Record<string, Value>;
  readonly memo: StepMemo;
  readonly msg: Delivered | null;
  readonly deps: EvalDeps;
}

/** One step: runs, or throws EvalFailure / EncodeError; `at` names it in a failure. */
interface CompiledStep {
  readonly at: string;
  readonly run: (f: Frame) => void;
}

/** A transition as a step function: `executeTransition(spec, ctx, msg, deps)`. */
export type CompiledTransition = (ctx: ConcreteContext, msg: Delivered | null, deps: EvalDeps) => StepResult;

/** The same, run in `env` itself: on success the result's env is `env`, extended; on failure
 * `env` is as it was. */
export type InPlaceTransition = (env: Record<string, Value>, stored: Readonly<Record<string, Value>>, msg: Delivered | null, deps: EvalDeps) => StepResult;

const COMPILED = new WeakMap<TransitionSpec, InPlaceTransition>();

export function compileTransitionInPlace(spec: TransitionSpec): InPlaceTransition {
  let c = COMPILED.get(spec);
  if (!c) COMPILED.set(spec, (c = build(spec)));
  return c;
}

export function compileTransition(spec: TransitionSpec): CompiledTransition {
  const run = compileTransitionInPlace(spec);
  return (ctx, msg, deps) => run({ ...ctx.env }, ctx.stored, msg, deps);
}

/** Bind `name` in the transition's environment, remembering what it replaces. */
function bind(f: Frame, name: string, v: Value): void {
  f.undo.push([name, f.env[name]]);
  f.env[name] = v;
}

/** A `let` or `fresh` rebinding a variable: the memo may hold values computed from its old value
 * (evaluate.ts `forgetIfRebound`). */
function forget(f: Frame, name: string): void {
  if (f.env[name] !== undefined) f.memo.clear();
}

function compileStep(spec: TransitionSpec, step: Step, at: string): CompiledStep {
  switch (step.op) {
    case 'recv': {
      const label = step.label;
      const match = compilePattern(step.pattern, label);
      const missing = `${label} expected, but no message was delivered`;
      return {
        at: `${spec.label}: receive ${label}`,
        run: (f) => {
          if (!f.msg) throw new EvalFailure('unexpected', missing);
          const v = decode(f.msg.bytes);
          if (v instanceof DecodeError) throw new EvalFailure('decode', v.message);
          match(v, f.env, f.deps, f.memo, f.bound);
        },
      };
    }
    case 'fresh': {
      const { name, sort } = step.v;
      return {
        at,
        run: (f) => {
          forget(f, name);
          bind(f, name, f.deps.override?.(name) ?? freshValue(sort, f.deps));
        },
      };
    }
    case 'let': {
      const name = step.v.name;
      const ev = compileTerm(step.t);
      return {
        at: `${spec.label}: ${step.label}`,
        run: (f) => {
          forget(f, name);
          bind(f, name, f.deps.override?.(name) ?? ev(f.env, f.deps, f.memo));
        },
      };
    }
    case 'match': {
      const ev = compileTerm(step.t);
      const match = compilePattern(step.pattern, step.label);
      return { at: `${spec.label}: ${step.label}`, run: (f) => match(ev(f.env, f.deps, f.memo), f.env, f.deps, f.memo, f.bound) };
    }
    case 'check': {
      const label = step.label;
      const left = compileTerm(step.left);
      const right = compileTerm(step.right);
      const failed = `${label} failed: ${step.why}`;
      return {
        at: `${spec.label}: check ${label}`,
        run: (f) => {
          if (f.deps.skipChecks?.has(label)) return;
          const l = left(f.env, f.deps, f.memo);
          const r = right(f.env, f.deps, f.memo);
          if (!valueEquals(l, r)) throw new EvalFailure('check', failed);
        },
      };
    }
    case 'send': {
      const { to, label } = step;
      const ev = compileTerm(step.t);
      return {
        at: `${spec.label}: send ${label}`,
        run: (f) => {
          const value = ev(f.env, f.deps, f.memo);
          f.outbox.push({ to, label, value, bytes: encode(value) });
        },
      };
    }
    case 'claim': {
      const { event, tag } = step;
      const peer = step.peer ? compileTerm(step.peer) : null;
      const data = compileTerm(step.data);
      const sid = step.sid ? compileTerm(step.sid) : null;
      return {
        at,
        run: (f) => {
          const c: ClaimRecord<Value> = { event, tag, peer: peer ? peer(f.env, f.deps, f.memo) : null, data: data(f.env, f.deps, f.memo) };
          f.claims.push(sid ? { ...c, sid: sid(f.env, f.deps, f.memo) } : c);
        },
      };
    }
    case 'store': {
      const slot = step.slot;
      const ev = compileTerm(step.t);
      return { at, run: (f) => void (f.stored[slot] = ev(f.env, f.deps, f.memo)) };
    }
  }
}

function build(spec: TransitionSpec): InPlaceTransition {
  // `at` as executeTransition keeps it: a fresh, claim or store step does not move it
  let at = spec.label;
  const steps: CompiledStep[] = [];
  for (const s of spec.steps) {
    const c = compileStep(spec, s, at);
    at = c.at;
    steps.push(c);
  }
  return (env, stored, msg, deps) => {
    const f: Frame = { env, undo: [], bound: [], outbox: [], claims: [], stored: { ...stored }, memo: new Map<string, Value>(), msg, deps };
    let i = 0;
    try {
      for (; i < steps.length; i++) steps[i]!.run(f);
    } catch (e) {
      const where = steps[i]!.at;
      if (e instanceof EvalFailure) return (rollBack(f), { ok: false, failure: { label: where, code: e.code, message: e.message } });
      if (e instanceof EncodeError) return (rollBack(f), { ok: false, failure: { label: where, code: 'type', message: `cannot encode: ${e.message}` } });
      rollBack(f);
      throw e;
    }
    return { ok: true, env: f.env, outbox: f.outbox, claims: f.claims, stored: f.stored };
  };
}

/** Put the environment back as it was before the transition: the replaced values in reverse
 * order, then the pattern-bound variables (absent before; a later `let` may have replaced one). */
function rollBack(f: Frame): void {
  for (let j = f.undo.length - 1; j >= 0; j--) {
    const [name, prev] = f.undo[j]!;
    if (prev === undefined) delete f.env[name];
    else f.env[name] = prev;
  }
  for (const name of f.bound) delete f.env[name];
}
