/**
 * The party-endpoint seam: a role played by an endpoint goes through the run's one scheduler,
 * claim log and report builder. An endpoint that plays the role with its own local actor of the
 * machine gives the same run as the local actor itself: same messages and bytes (seeded), same
 * claims in the same order, same checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOLS } from '../../../models/protocols/index.ts';
import type { EndpointContext, EndpointSnapshot, PartyEndpoint } from '../../../impl/runtime/endpoint.ts';
import type { Delivered, WireMessage } from '../../../impl/runtime/execute.ts';
import { LocalRole } from '../../../impl/runtime/local-role.ts';
import { honestRun, runReport } from '../../../impl/runtime/report.ts';
import { ProtocolRun } from '../../../impl/runtime/session.ts';
import { recvOf } from '../../../models/steps.ts';
import { roleOf } from '../../../models/role.ts';
import type { Value } from '../../../impl/wire/value.ts';
import { targetOf } from '../../../models/target.ts';

/** An endpoint that answers later (a microtask) with its own actor of the role's machine. */
class DeferredLocal implements PartyEndpoint {
  readonly party = 'deferred local actor';
  readonly shownAs: string;
  private local: LocalRole | null = null;
  private ctx: EndpointContext | null = null;
  constructor(readonly role: string) {
    this.shownAs = role;
  }
  async begin(ctx: EndpointContext) {
    this.ctx = ctx;
    this.local = new LocalRole(ctx.decl, ctx.env, () => ctx.deps);
  }
  async start() {
    await Promise.resolve();
    this.local!.send({ type: 'START' });
  }
  async handle(m: Delivered) {
    await Promise.resolve();
    this.local!.send({ type: 'MSG', ...m });
  }
  waitsFor(label: string) {
    return roleOf(this.ctx!.decl.machine).transitions.some((t) => t.from === this.local!.state && recvOf(t)?.label === label);
  }
  snapshot(): EndpointSnapshot {
    const c = this.local!.context;
    return { state: this.local!.state, active: this.local!.active, outbox: c.outbox as WireMessage[], claims: c.claims, stored: c.stored as Record<string, Value>, failure: c.failure };
  }
}

const strip = (r: ReturnType<typeof honestRun>) => ({ ...r, ms: 0, parties: r.parties.map((p) => ({ ...p, party: '' })) });

for (const p of PROTOCOLS) {
  for (const decl of p.roles) {
    test(`${p.name}: ${decl.role} as an endpoint gives the local run`, async () => {
      const local = honestRun(targetOf(p), { seed: 5 });
      const run = new ProtocolRun(p, { seed: 5, endpoints: { [decl.role]: new DeferredLocal(decl.role) } });
      await run.startAsync();
      await run.runHonestAsync();
      run.stop();
      const viaEndpoint = runReport(run, null, 5, 0);
      assert.ok(local.ok);
      assert.deepEqual(strip(viaEndpoint), strip(local));
      assert.equal(viaEndpoint.parties.find((x) => x.role === decl.role)!.party, 'deferred local actor');
    });
  }
}

test('the synchronous scheduler refuses a run with an endpoint (never skips it silently)', () => {
  const p = PROTOCOLS[1]!;
  const role = p.roles.find((r) => r.initiator)!.role;
  const run = new ProtocolRun(p, { seed: 1, endpoints: { [role]: new DeferredLocal(role) } });
  assert.throws(() => run.startInstance(`${role}#1`), /endpoint/);
  run.stop();
});
