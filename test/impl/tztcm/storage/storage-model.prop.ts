/**
 * Model-based property: random workloads of create / write / read / delete / rename across three
 * TAs, with power losses at random file-system operations and restarts, agree with a model (a
 * map per TA). After a crash the storage must hold the model before the operation in flight or
 * after it — the model then follows whichever it holds.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryFs, PowerLoss } from '../../../../impl/tztcm/storage/fs/memory-fs.ts';
import { type SecureStorage, StorageError } from '../../../../impl/tztcm/storage/secure-storage.ts';
import { freshFs, mount, str, TA2, TA3, text, TZTCM } from './storage-fixture.ts';

const TAS = [TZTCM, TA2, TA3];
const IDS = ['tpm-state', 'a', 'b', 'nv-0x01000000'];

type Op =
  | { k: 'write'; ta: number; id: string; data: string }
  | { k: 'read'; ta: number; id: string }
  | { k: 'delete'; ta: number; id: string }
  | { k: 'rename'; ta: number; id: string; to: string }
  | { k: 'crash'; at: number }
  | { k: 'restart' };

const ta = fc.nat(2);
const id = fc.constantFrom(...IDS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('write' as const), ta, id, data: fc.string({ maxLength: 300 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('read' as const), ta, id }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), ta, id }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rename' as const), ta, id, to: id }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('crash' as const), at: fc.integer({ min: 1, max: 16 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'restart' as const }) },
);

type Model = Map<string, string>;
const key = (t: number, i: string) => `${t}/${i}`;

function contents(s: SecureStorage): Model {
  const m: Model = new Map();
  TAS.forEach((t, i) => s.list(t).forEach((x) => m.set(key(i, x), str(s.read(t, x)))));
  return m;
}
const same = (a: Model, b: Model) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/** the model after a mutating op, or the same model when the op must fail (and how) */
function step(m: Model, o: Op): { next: Model; error?: string } {
  if (o.k === 'write') return { next: new Map(m).set(key(o.ta, o.id), o.data) };
  if (o.k === 'delete') {
    if (!m.has(key(o.ta, o.id))) return { next: m, error: 'not-found' };
    const n = new Map(m);
    n.delete(key(o.ta, o.id));
    return { next: n };
  }
  if (o.k === 'rename') {
    if (!m.has(key(o.ta, o.id))) return { next: m, error: 'not-found' };
    if (o.id !== o.to && m.has(key(o.ta, o.to))) return { next: m, error: 'bad-id' };
    const n = new Map(m);
    const v = n.get(key(o.ta, o.id))!;
    n.delete(key(o.ta, o.id));
    n.set(key(o.ta, o.to), v);
    return { next: n };
  }
  return { next: m };
}

describe('secure storage against a model, with crashes and restarts', () => {
  it('random workloads over three TAs agree with a map per TA', () => {
    let crashes = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        let fs: MemoryFs = freshFs();
        let s = mount(fs);
        let model: Model = new Map();
        let armed: number | undefined;
        for (const o of ops) {
          if (o.k === 'crash') {
            armed = o.at;
            continue;
          }
          if (o.k === 'restart') {
            fs = fs.snapshot();
            s = mount(fs);
            assert.ok(same(contents(s), model));
            continue;
          }
          if (o.k === 'read') {
            const k = key(o.ta, o.id);
            if (model.has(k)) assert.equal(str(s.read(TAS[o.ta]!, o.id)), model.get(k));
            else assert.throws(() => s.read(TAS[o.ta]!, o.id), (e: StorageError) => e.code === 'not-found');
            continue;
          }
          const { next, error } = step(model, o);
          if (armed !== undefined) fs.crashAt = fs.ops + armed;
          armed = undefined;
          try {
            const t = TAS[o.ta]!;
            if (o.k === 'write') s.write(t, o.id, text(o.data));
            else if (o.k === 'delete') s.delete(t, o.id);
            else s.rename(t, o.id, o.to);
            assert.equal(error, undefined, `${o.k} should have failed with ${error}`);
            model = next;
          } catch (e) {
            if (e instanceof PowerLoss) {
              crashes++;
              fs = fs.afterCrash();
              s = mount(fs);
              const got = contents(s);
              assert.ok(same(got, model) || same(got, next), `after a crash in ${JSON.stringify(o)}: ${JSON.stringify([...got])}`);
              model = got;
            } else {
              assert.ok(e instanceof StorageError && e.code === error, `${o.k}: ${(e as Error).message} (expected ${error})`);
            }
          } finally {
            fs.crashAt = Infinity;
          }
        }
        fs = fs.snapshot();
        assert.ok(same(contents(mount(fs)), model), 'final state after a clean restart');
      }),
      { seed: 1616, numRuns: 40 },
    );
    assert.ok(crashes > 10, `crashes exercised: ${crashes}`);
  });
});
