/**
 * The step vocabulary a party machine is written in.
 *
 * A machine transition (one step of a party, step-compressed: receive, compute, send) carries a
 * `TransitionSpec` — an ordered list of `Step`s — as the parameter of its typed guard and action.
 * Interpreters read these parameters; none of them runs a closure written in a machine.
 *
 * Receive patterns use Tamarin's pattern semantics restricted to what a real receiver can do:
 * variables (bind, or compare if already bound), constants, tuples (destructure), and any other
 * subterm whose variables are all bound elsewhere (computed and compared, e.g. a known nonce).
 * Everything else a receiver does (verify a signature, check a MAC, decrypt) is an explicit
 * `check` or `let`, so it has a label that names it when it fails and a variant can remove it.
 * @module
 */
import type { Term, Var } from './terms.ts';

/** Claim events, named as the Tamarin manual's action facts. */
export type ClaimEvent =
  | 'Running' // actor is running the protocol with peer, with these data (agreement source)
  | 'Commit' // actor has completed with peer and accepts these data (agreement target)
  | 'Secret' // actor believes data is secret (shared only with the named peer)
  | 'Finish' // actor completed its role (executability)
  | 'Oops'; // the session's key leaked (Paulson's Oops): `data` is given to the attacker, `sid` names the session

export type Step =
  /** receive a message from the network that should come from role `from` */
  | { readonly op: 'recv'; readonly from: string; readonly pattern: Term; readonly label: string }
  /** create a fresh value (a random nonce, key or exponent) */
  | { readonly op: 'fresh'; readonly v: Var }
  /** compute a value; fails if a destructor in `t` does not reduce (e.g. decryption fails) */
  | { readonly op: 'let'; readonly v: Var; readonly t: Term; readonly label: string }
  /** destructure a computed value with a pattern (same semantics as a receive pattern), e.g.
   * `match(<na, A>, adec(ct, skB))`; fails if the value does not have the pattern's shape */
  | { readonly op: 'match'; readonly pattern: Term; readonly t: Term; readonly label: string }
  /** compare two computed values (for a signature: verify(sig, m, pk) against true) */
  | { readonly op: 'check'; readonly left: Term; readonly right: Term; readonly label: string; readonly why: string }
  /** send a message to role `to` over the (attacker-controlled) network */
  | { readonly op: 'send'; readonly to: string; readonly t: Term; readonly label: string }
  /** emit a claim event for the property judge */
  | {
      readonly op: 'claim';
      readonly event: ClaimEvent;
      readonly tag: string;
      readonly peer: Term | null;
      readonly data: Term;
      /** the session the claim is about (e.g. its key and nonces): a secrecy property
       * `unlessOops` does not judge a Secret claim whose sid an Oops claim names */
      readonly sid?: Term;
    }
  /** write a value to the party's protected storage (TEE secure storage, TPM NV, RPMB) */
  | { readonly op: 'store'; readonly slot: string; readonly t: Term };

export type Trigger = 'START' | 'MSG';

/** One machine transition: from a waiting state, on a trigger, run the steps, reach `to`. */
export interface TransitionSpec {
  /** readable unique name within the role, e.g. `tpm.startAuthSession` */
  readonly label: string;
  readonly from: string;
  readonly to: string;
  readonly trigger: Trigger;
  readonly steps: readonly Step[];
}

// ---------------------------------------------------------------- step constructors

export const recv = (from: string, label: string, pattern: Term): Step => ({ op: 'recv', from, pattern, label });
export const fresh = (v: Var): Step => ({ op: 'fresh', v });
export const let_ = (v: Var, t: Term, label = `let ${v.name}`): Step => ({ op: 'let', v, t, label });
export const match = (pattern: Term, t: Term, label: string): Step => ({ op: 'match', pattern, t, label });
export const check = (label: string, left: Term, right: Term, why: string): Step => ({ op: 'check', left, right, label, why });
export const send = (to: string, label: string, t: Term): Step => ({ op: 'send', to, t, label });
export const claim = (event: ClaimEvent, tag: string, peer: Term | null, data: Term, sid?: Term): Step =>
  sid === undefined ? { op: 'claim', event, tag, peer, data } : { op: 'claim', event, tag, peer, data, sid };
/** A session-key reveal (Paulson's Oops, "Relations between secrets", 1997; Scyther's and
 * Tamarin's session-key reveal): the session `sid` is over and its `value` leaks to the
 * attacker — an Oops claim for the judge, and the value sent to the environment, which the
 * attacker reads (every interpreter already gives it what is sent). */
export const oops = (tag: string, peer: Term | null, value: Term, sid: Term): Step[] => [claim('Oops', tag, peer, value, sid), send('Env', 'Oops', value)];
export const store = (slot: string, t: Term): Step => ({ op: 'store', slot, t });

/** The receive step of a transition, if any (always the first step when present). */
export function recvOf(spec: TransitionSpec): Extract<Step, { op: 'recv' }> | undefined {
  const s = spec.steps[0];
  return s && s.op === 'recv' ? s : undefined;
}

/** Steps of one kind, typed. */
export function stepsOf<K extends Step['op']>(spec: TransitionSpec, op: K): Extract<Step, { op: K }>[] {
  return spec.steps.filter((s): s is Extract<Step, { op: K }> => s.op === op);
}

/** Terms a step reads or writes (its pattern included). */
export function stepTerms(s: Step): Term[] {
  switch (s.op) {
    case 'recv':
      return [s.pattern];
    case 'fresh':
      return [s.v];
    case 'let':
      return [s.v, s.t];
    case 'match':
      return [s.pattern, s.t];
    case 'check':
      return [s.left, s.right];
    case 'send':
      return [s.t];
    case 'claim':
      return s.peer ? [s.peer, s.data] : [s.data];
    case 'store':
      return [s.t];
  }
}
