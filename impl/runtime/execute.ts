/**
 * Execute one machine transition concretely: decode the received bytes, then run the steps in
 * order over the role's environment. The result is data — the new environment, outgoing
 * messages, claims and stored values, or a typed failure naming the step — so the XState guard
 * can decide and the action can commit without running anything twice.
 * @module
 */
import type { ClaimRecord, Failure, OutMessage, RoleContext } from '../../models/role.ts';
import type { TransitionSpec } from '../../models/steps.ts';
import { decode, DecodeError, encode, EncodeError } from '../wire/codec.ts';
import { type Value, valueEquals, showValue } from '../wire/value.ts';
import { type EvalDeps, EvalFailure, type StepMemo, evaluate, forgetIfRebound, freshValue } from './evaluate.ts';
import { matchPattern } from './match.ts';

export interface Delivered {
  readonly from: string;
  readonly label: string;
  readonly bytes: Uint8Array;
}

/** An outgoing message with its encoding (what goes on the wire). */
export interface WireMessage extends OutMessage<Value> {
  readonly bytes: Uint8Array;
}

export type StepResult =
  | {
      readonly ok: true;
      readonly env: Record<string, Value>;
      readonly outbox: WireMessage[];
      readonly claims: ClaimRecord<Value>[];
      readonly stored: Record<string, Value>;
    }
  | { readonly ok: false; readonly failure: Failure };

export function executeTransition(spec: TransitionSpec, ctx: RoleContext<Value, WireMessage>, msg: Delivered | null, deps: EvalDeps): StepResult {
  let env: Record<string, Value> = { ...ctx.env };
  const outbox: WireMessage[] = [];
  const claims: ClaimRecord<Value>[] = [];
  const stored: Record<string, Value> = { ...ctx.stored };
  let at = spec.label;
  // one value per distinct subterm in this step, as the symbolic model has one term (StepMemo)
  const memo: StepMemo = new Map();
  const ev = (t: Parameters<typeof evaluate>[0]) => evaluate(t, env, deps, memo);
  try {
    for (const step of spec.steps) {
      switch (step.op) {
        case 'recv': {
          at = `${spec.label}: receive ${step.label}`;
          if (!msg) throw new EvalFailure('unexpected', `${step.label} expected, but no message was delivered`);
          const v = decode(msg.bytes);
          if (v instanceof DecodeError) throw new EvalFailure('decode', v.message);
          env = matchPattern(step.pattern, v, env, deps, step.label, memo, true);
          break;
        }
        case 'fresh':
          forgetIfRebound(memo, env, step.v.name);
          env[step.v.name] = deps.override?.(step.v.name) ?? freshValue(step.v.sort, deps);
          break;
        case 'let':
          at = `${spec.label}: ${step.label}`;
          forgetIfRebound(memo, env, step.v.name);
          env[step.v.name] = deps.override?.(step.v.name) ?? ev(step.t);
          break;
        case 'match':
          at = `${spec.label}: ${step.label}`;
          env = matchPattern(step.pattern, ev(step.t), env, deps, step.label, memo, true);
          break;
        case 'check': {
          at = `${spec.label}: check ${step.label}`;
          if (deps.skipChecks?.has(step.label)) break;
          const l = ev(step.left);
          const r = ev(step.right);
          if (!valueEquals(l, r)) throw new EvalFailure('check', `${step.label} failed: ${step.why}`);
          break;
        }
        case 'send': {
          at = `${spec.label}: send ${step.label}`;
          const value = ev(step.t);
          outbox.push({ to: step.to, label: step.label, value, bytes: encode(value) });
          break;
        }
        case 'claim':
          claims.push({ event: step.event, tag: step.tag, peer: step.peer ? ev(step.peer) : null, data: ev(step.data), ...(step.sid ? { sid: ev(step.sid) } : {}) });
          break;
        case 'store':
          stored[step.slot] = ev(step.t);
          break;
      }
    }
  } catch (e) {
    if (e instanceof EvalFailure) return { ok: false, failure: { label: at, code: e.code, message: e.message } };
    if (e instanceof EncodeError) return { ok: false, failure: { label: at, code: 'type', message: `cannot encode: ${e.message}` } };
    throw e;
  }
  return { ok: true, env, outbox, claims, stored };
}

export { showValue };
