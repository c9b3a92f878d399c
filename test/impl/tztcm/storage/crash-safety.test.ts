/**
 * Power loss at every file-system operation of a workload (writes, fsyncs, renames, removals,
 * directory syncs, and the RPMB image's own atomic replace inside each authenticated write), then
 * a restart: every object reads back whole as it was before the operation in flight or after it,
 * nothing else is lost, and the storage keeps working.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryFs, PowerLoss } from '../../../../impl/tztcm/storage/fs/memory-fs.ts';
import type { SecureStorage, TaIdentity } from '../../../../impl/tztcm/storage/secure-storage.ts';
import { freshFs, mount, str, TA2, TA3, text, TZTCM } from './storage-fixture.ts';

type Op = { kind: 'write'; ta: TaIdentity; id: string; data: string } | { kind: 'delete'; ta: TaIdentity; id: string } | { kind: 'rename'; ta: TaIdentity; id: string; to: string };
type Model = Map<string, string>; // `${ta.name}/${id}` → data

const WORKLOAD: Op[] = [
  { kind: 'write', ta: TZTCM, id: 'tpm-state', data: 'seeds v1' },
  { kind: 'write', ta: TA2, id: 'notes', data: 'ta2 v1' },
  { kind: 'write', ta: TZTCM, id: 'tpm-state', data: 'seeds v2 '.repeat(40) },
  { kind: 'rename', ta: TA2, id: 'notes', to: 'notes-2' },
  { kind: 'write', ta: TA3, id: 'tpm-state', data: 'ta3 has its own tpm-state' },
  { kind: 'delete', ta: TZTCM, id: 'tpm-state' },
  { kind: 'write', ta: TZTCM, id: 'tpm-state', data: 'seeds v3' },
];
const TAS = [TZTCM, TA2, TA3];

function apply(m: Model, op: Op): Model {
  const n = new Map(m);
  const k = `${op.ta.name}/${op.id}`;
  if (op.kind === 'write') n.set(k, op.data);
  else if (op.kind === 'delete') n.delete(k);
  else (n.set(`${op.ta.name}/${op.to}`, n.get(k)!), n.delete(k));
  return n;
}

function run(s: SecureStorage, op: Op): void {
  if (op.kind === 'write') s.write(op.ta, op.id, text(op.data));
  else if (op.kind === 'delete') s.delete(op.ta, op.id);
  else s.rename(op.ta, op.id, op.to);
}

/** everything the storage holds, read through the API (a corrupted object throws) */
function contents(s: SecureStorage): Model {
  const m: Model = new Map();
  for (const ta of TAS) for (const id of s.list(ta)) m.set(`${ta.name}/${id}`, str(s.read(ta, id)));
  return m;
}

const same = (a: Model, b: Model) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

describe('crash safety', () => {
  it('a power loss at every operation of the workload leaves the state before or after the write in flight', (t) => {
    const base = freshFs();
    const models: Model[] = [new Map()];
    for (const op of WORKLOAD) models.push(apply(models[models.length - 1]!, op));
    const kinds = new Map<string, number>();
    let points = 0;
    let outcomes = { before: 0, after: 0 };
    for (let crashAt = 1; ; crashAt++) {
      const fs: MemoryFs = base.snapshot(crashAt);
      let inFlight = -1;
      try {
        const s = mount(fs);
        for (let i = 0; i < WORKLOAD.length; i++) {
          inFlight = i;
          run(s, WORKLOAD[i]!);
        }
      } catch (e) {
        if (!(e instanceof PowerLoss)) throw e;
        points++;
        const what = e.what.split(' ')[0]!;
        kinds.set(what, (kinds.get(what) ?? 0) + 1);
        const after0 = fs.afterCrash();
        const restarted = mount(after0);
        const got = contents(restarted);
        const before = models[inFlight]!;
        const after = models[inFlight + 1]!;
        assert.ok(same(got, before) || same(got, after), `crash at op ${crashAt} (${e.what}, during workload step ${inFlight}): ${JSON.stringify([...got])}`);
        if (same(got, after) && !same(before, after)) outcomes.after++;
        else outcomes.before++;
        // the storage keeps working after the restart, and leaves no leftovers behind
        restarted.write(TA3, 'after-crash', text('ok'));
        assert.equal(str(mount(after0.snapshot()).read(TA3, 'after-crash')), 'ok');
        assert.deepEqual(after0.list().filter((n) => n.endsWith('.tmp')), [], 'no temp file left');
        continue;
      }
      // no crash: the whole workload ran
      assert.ok(same(contents(mount(fs.snapshot())), models[WORKLOAD.length]!));
      break;
    }
    t.diagnostic(`crash points tried: ${points} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); restarts found the old state ${outcomes.before} times, the new ${outcomes.after}`);
    assert.ok(points >= 90, `crash points: ${points}`);
    assert.ok(outcomes.before > 0 && outcomes.after > 0, 'both outcomes occur');
    for (const k of ['write', 'fsync', 'rename', 'syncDir', 'remove']) assert.ok(kinds.get(k), `no crash at a ${k}`);
  });

  it('the check catches a broken writer: on a disk whose fsync does nothing, some crash leaves a state that is neither', () => {
    const base = freshFs();
    const models: Model[] = [new Map()];
    for (const op of WORKLOAD) models.push(apply(models[models.length - 1]!, op));
    let broken = 0;
    for (let crashAt = 1; crashAt < 120; crashAt++) {
      const fs = base.snapshot(crashAt);
      fs.ignoreFsync = true;
      let inFlight = -1;
      try {
        const s = mount(fs);
        for (let i = 0; i < WORKLOAD.length; i++) (inFlight = i), run(s, WORKLOAD[i]!);
        break;
      } catch (e) {
        if (!(e instanceof PowerLoss)) throw e;
      }
      try {
        const got = contents(mount(fs.afterCrash()));
        if (!same(got, models[inFlight]!) && !same(got, models[inFlight + 1]!)) broken++;
      } catch {
        broken++; // the restart finds a directory or object that does not verify
      }
    }
    assert.ok(broken > 0, 'a lying fsync must break some restart');
  });
});
