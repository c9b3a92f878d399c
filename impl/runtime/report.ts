/**
 * One honest concrete run of a protocol, summarised as data: the message sequence (sender,
 * receiver, size, bytes), each party's final state and failure, its claims, the secrets each
 * side derived (so equal keys can be seen), and the claim checks of this run.
 * @module
 */
import type { Protocol } from '../../models/protocol.ts';
import type { Target } from '../../models/target.ts';
import { roleOf } from '../../models/role.ts';
import { hex, showValue, valueEquals, valueToJson } from '../wire/value.ts';
import { type ClaimCheck, checkClaims } from './claims-check.ts';
import { type RunOptions, ProtocolRun } from './session.ts';

export interface RunReport {
  readonly protocol: string;
  readonly variant: string | null;
  readonly seed: number | null;
  /** the crypto suite the run computed with ('tpm2-p256', 'tcm-sm2') */
  readonly suite: string;
  readonly ms: number;
  readonly messages: readonly { id: number; from: string; to: string; label: string; size: number; hex: string; status: string }[];
  readonly parties: readonly { role: string; party: string; agent: string; state: string; failure: unknown; stored: Record<string, string> }[];
  readonly claims: readonly { seq: number; role: string; agent: string; event: string; tag: string; data: unknown; show: string }[];
  readonly secrets: readonly { tag: string; values: { role: string; hex: string }[]; equal: boolean }[];
  readonly checks: readonly ClaimCheck[];
  /** every party finished and every claim check holds */
  readonly ok: boolean;
}

/** One party's end state in a run report (`party`: who played it, by default the role's party). */
export function partyReport(protocol: Protocol, s: ReturnType<ProtocolRun['partyStates']>[number], party?: string): RunReport['parties'][number] {
  return {
    role: s.role,
    party: party ?? roleOf(protocol.roles.find((r) => r.role === s.role)!.machine).party,
    agent: s.agent,
    state: s.state,
    failure: s.failure,
    stored: Object.fromEntries(Object.entries(s.stored).map(([k, v]) => [k, showValue(v, true)])),
  };
}

/** The honest run of a resolved target (models/target.ts: its variant applied) with real crypto. */
export function honestRun(target: Target, opts: RunOptions = {}): RunReport {
  const t0 = performance.now();
  const variant = target.variant?.id ?? null;
  const run = new ProtocolRun(target.protocol, opts);
  run.start();
  run.runHonest();
  const ms = performance.now() - t0;
  run.stop();
  return runReport(run, variant, opts.seed ?? null, ms);
}

/**
 * The report of a run that has ended, local actors and endpoints alike: an endpoint's role is
 * shown as the endpoint says (`shownAs`, `party`); every claim is judged from the one claim log.
 */
export function runReport(run: ProtocolRun, variant: string | null, seed: number | null, ms: number): RunReport {
  const protocol = run.protocol;
  const shown = (role: string) => run.endpointOf(role)?.shownAs ?? role;
  const delivered = new Set(run.network.log.filter((e) => e.kind === 'delivered').map((e) => e.env.id));
  const sinks = new Set(run.sinks.map((e) => e.id));
  const messages = run.network.observed.map((e) => ({
    id: e.id,
    from: shown(e.from),
    to: shown(e.to),
    label: e.label,
    size: e.bytes.length,
    hex: hex(e.bytes),
    status: sinks.has(e.id) ? 'stored outside the protocol' : delivered.has(e.id) ? 'delivered' : 'pending',
  }));
  const parties = run.partyStates().map((s) => partyReport(protocol, s, run.endpointOf(s.role)?.party));
  const claims = run.claims.map((c) => ({ seq: c.seq, role: c.role, agent: c.agent, event: c.event, tag: c.tag, data: valueToJson(c.data), show: showValue(c.data) }));
  const tags = [...new Set(run.claims.filter((c) => c.event === 'Secret').map((c) => c.tag))];
  const secrets = tags.map((tag) => {
    const cs = run.claims.filter((c) => c.event === 'Secret' && c.tag === tag);
    return {
      tag,
      values: cs.map((c) => ({ role: c.role, hex: c.data.k === 'tuple' || c.data.k === 'const' ? showValue(c.data, true) : hex(c.data.b) })),
      equal: cs.every((c) => valueEquals(c.data, cs[0]!.data)),
    };
  });
  const checks = checkClaims(protocol, run.claims, run.network.observed);
  const ok = parties.every((p) => p.state === 'done') && checks.every((c) => c.ok);
  return { protocol: protocol.name, variant, seed, suite: run.deps.suite.name, ms, messages, parties, claims, secrets, checks, ok };
}
