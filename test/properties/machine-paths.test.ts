/**
 * Issue 5 — model-based tests from the machines: xstate/graph enumerates every simple path of
 * each role's machine, through its success transitions and its failure transitions (the
 * abstract guard decides by the event's `ok` flag). Each path is then driven through the real
 * runtime — a failing step is produced by corrupting the message the role receives at that step
 * — and the role must end in the state the path ends in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getSimplePaths } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { ProtocolRun } from '../../impl/runtime/session.ts';

type PathEvent = { type: 'START' | 'MSG'; ok: boolean };

/** The role's paths as sequences of `ok` flags of its MSG events, with the final state. */
function pathsOf(machine: AnyStateMachine): { oks: boolean[]; final: string }[] {
  const logic = machine.provide({ guards: { accepts: ({ event }: { event: PathEvent }) => event.ok } } as never);
  const events: PathEvent[] = [
    { type: 'START', ok: true },
    { type: 'MSG', ok: true },
    { type: 'MSG', ok: false },
  ];
  const paths = getSimplePaths(logic, { events, input: { env: {} } } as never);
  return paths
    .filter((p) => p.state.status === 'done')
    .map((p) => ({
      oks: p.steps.map((s) => s.event as unknown as PathEvent).filter((e) => e.type === 'MSG').map((e) => e.ok),
      final: String(p.state.value),
    }));
}

for (const p of PROTOCOLS) {
  for (const decl of p.roles) {
    test(`${p.name}/${decl.role}: the runtime follows every path of the machine`, () => {
      const paths = pathsOf(decl.machine);
      const failing = paths.filter((x) => x.final === 'failed').length;
      const receives = paths.some((x) => x.oks.length > 0);
      assert.ok(paths.some((x) => x.final === 'done'), 'expected a path to done');
      assert.equal(failing > 0, receives, 'a role that receives must have failure paths (one per receive)');
      for (const path of paths) {
        const run = new ProtocolRun(p, { seed: 1 });
        run.start();
        let received = 0;
        for (let guard = 0; guard < 200; guard++) {
          const next = run.deliverable()[0] ?? run.network.pending()[0];
          if (!next) break;
          if (next.to === decl.role) {
            const ok = path.oks[received++];
            if (ok === false) {
              const b = Uint8Array.from(next.bytes);
              b[0] = 0xee; // not a type tag: the receiver's decode step fails
              run.deliver(run.network.replace(next.id, b).id);
              continue;
            }
          }
          run.deliver(next.id);
        }
        const me = run.partyStates().find((s) => s.instance === `${decl.role}#1`)!;
        assert.equal(me.state, path.final, `path ${JSON.stringify(path.oks)}: ${JSON.stringify(me.failure)}`);
        if (path.final === 'failed') assert.equal(me.failure?.code, 'decode');
        run.stop();
      }
    });
  }
}
