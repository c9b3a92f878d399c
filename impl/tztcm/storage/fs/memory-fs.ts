/**
 * An in-memory {@link StorageFs} that can lose power at any operation — the test bed of the
 * crash-safety claims (issue 16, "crash at every write step").
 *
 * Durability model (the pessimistic reading of POSIX): file contents become durable at fsync;
 * a file written and not fsynced holds, after the crash, a torn prefix of what was written (half
 * of it); name changes (create, rename, remove) become durable at syncDir — before it, a crash
 * undoes them. Power is lost *instead of* operation number `crashAt` (counting from 1); every
 * later call throws {@link PowerLoss} too, until `afterCrash()` gives the file system a restart
 * sees.
 * @module
 */
import { checkName, type StorageFs } from './storage-fs.ts';

export class PowerLoss extends Error {
  constructor(readonly op: number, readonly what: string) {
    super(`power lost at file-system operation ${op} (${what})`);
  }
}

interface Node {
  data: Uint8Array;
  /** contents as of the last fsync (undefined: never synced) */
  durable: Uint8Array | undefined;
}

export class MemoryFs implements StorageFs {
  /** the live namespace */
  private names = new Map<string, Node>();
  /** the namespace as of the last syncDir */
  private durableNames = new Map<string, Node>();
  /** operations performed so far */
  ops = 0;
  /** a log of the operations (for reports: what each crash point interrupted) */
  readonly log: string[] = [];
  private dead = false;
  /** TEST ONLY: a disk that acknowledges fsync without making anything durable (the writers' ordering then fails) */
  ignoreFsync = false;

  constructor(public crashAt = Infinity) {}

  private op(what: string): void {
    if (this.dead) throw new PowerLoss(this.ops, `after the crash: ${what}`);
    this.ops++;
    this.log.push(what);
    if (this.ops >= this.crashAt) {
      this.dead = true;
      throw new PowerLoss(this.ops, what);
    }
  }

  read(name: string): Uint8Array | undefined {
    if (this.dead) throw new PowerLoss(this.ops, `after the crash: read ${name}`);
    checkName(name);
    return this.names.get(name)?.data.slice();
  }
  write(name: string, data: Uint8Array): void {
    checkName(name);
    this.op(`write ${name}`);
    const existing = this.names.get(name);
    if (existing) existing.data = data.slice();
    else this.names.set(name, { data: data.slice(), durable: undefined });
  }
  fsync(name: string): void {
    this.op(`fsync ${name}`);
    const n = this.names.get(name);
    if (!n) throw new Error(`fsync: no file '${name}'`);
    if (!this.ignoreFsync) n.durable = n.data.slice();
  }
  rename(from: string, to: string): void {
    checkName(to);
    this.op(`rename ${from} ${to}`);
    const n = this.names.get(from);
    if (!n) throw new Error(`rename: no file '${from}'`);
    this.names.delete(from);
    this.names.set(to, n);
  }
  remove(name: string): void {
    this.op(`remove ${name}`);
    this.names.delete(name);
  }
  list(): string[] {
    return [...this.names.keys()].sort();
  }
  syncDir(): void {
    this.op('syncDir');
    this.durableNames = new Map(this.names);
  }

  /** What a restart finds: the durable namespace, each file's durable contents or a torn prefix. */
  afterCrash(crashAt = Infinity): MemoryFs {
    const next = new MemoryFs(crashAt);
    for (const [name, n] of this.durableNames) {
      const data = n.durable ?? n.data.slice(0, n.data.length >> 1);
      next.names.set(name, { data: data.slice(), durable: data.slice() });
    }
    next.durableNames = new Map(next.names);
    return next;
  }

  /** A copy with everything durable (a clean shutdown), optionally crashing at a later operation. */
  snapshot(crashAt = Infinity): MemoryFs {
    const next = new MemoryFs(crashAt);
    for (const [name, n] of this.names) next.names.set(name, { data: n.data.slice(), durable: n.data.slice() });
    next.durableNames = new Map(next.names);
    return next;
  }

  /** TEST ONLY: change a file's bytes behind the storage's back (bit rot, a malicious host). */
  tamper(name: string, f: (b: Uint8Array) => Uint8Array | undefined): void {
    const n = this.names.get(name);
    if (!n) throw new Error(`tamper: no file '${name}'`);
    const b = f(n.data.slice());
    if (b === undefined) {
      this.names.delete(name);
      this.durableNames.delete(name);
    } else {
      n.data = b;
      n.durable = b.slice();
    }
  }
}
