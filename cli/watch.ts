/**
 * The save loop behind `--watch`: run a round, then wait for a save of any file the round read
 * (the protocol file and every user module it imports, as the module hooks report them) or a new
 * module in a named directory, and run the next round — until SIGINT, which closes every watcher
 * and timer and ends the loop (the command then exits 130, 128 + SIGINT, as a shell would). A
 * SIGINT during a round (a search runs synchronously) takes Node's default action: the process
 * ends at once.
 *
 * A directory is watched rather than each file: an editor that saves by writing a new file and
 * renaming it over the old one (vim, most IDEs' "safe write") replaces the inode a file watch
 * holds. Events are debounced briefly (an editor's save may be several writes) and a round runs
 * only when some watched file's content differs from what the previous round read, so the
 * duplicate events inotify sends for one save cost nothing.
 * @module
 */
import { existsSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';

export interface WatchLoop {
  /** one round; `changed` lists the files whose content changed since the last round ([] first) */
  round(changed: readonly string[]): Promise<void>;
  /** the files the last round read (absolute paths) */
  files(): Iterable<string>;
  /** directories whose new modules matter too (a directory of protocols the user named) */
  readonly dirs?: readonly string[];
  /** ms to wait after an event before reading the files (default 5) */
  readonly debounceMs?: number;
  /** stops the loop (SIGINT does the same) */
  readonly signal?: AbortSignal;
}

const MODULE_EXT = new Set(['.ts', '.mts', '.js', '.mjs']);

const contentOf = (f: string): string | null => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return null; // deleted (or in the middle of a rename): a change too
  }
};

/** Runs the loop until SIGINT or the signal; resolves once everything it started is closed. */
export async function watchLoop(loop: WatchLoop): Promise<void> {
  const seen = new Map<string, string | null>();
  const watchers = new Map<string, FSWatcher>();
  const dirs = (loop.dirs ?? []).map((d) => resolve(d));
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((res) => (stop = res));
  const onSigint = () => stop();

  const snapshot = (): string[] => {
    const changed: string[] = [];
    for (const f of new Set([...loop.files(), ...seen.keys()])) {
      const now = contentOf(f);
      if (!seen.has(f) || seen.get(f) !== now) changed.push(f);
      seen.set(f, now);
    }
    return changed;
  };

  const rewatch = () => {
    const want = new Set([...dirs, ...[...seen.keys()].map((f) => dirname(f))].filter((d) => existsSync(d) && statSync(d).isDirectory()));
    for (const [d, w] of watchers) if (!want.has(d)) (w.close(), watchers.delete(d));
    for (const d of want) {
      if (watchers.has(d)) continue;
      const w = watch(d, { persistent: true }, (_event, name) => {
        if (!name) return schedule();
        const full = join(d, name.toString());
        if (seen.has(full) || (dirs.some((x) => full.startsWith(x)) && MODULE_EXT.has(extname(full)))) schedule();
      });
      w.on('error', () => {}); // a directory removed: its files read as deleted at the next round
      watchers.set(d, w);
    }
  };

  const runRound = async (first: boolean) => {
    if (running) return void (again = true);
    running = true;
    // Ctrl-C during a search ends the process at once (the default action: the shell reports
    // 130); while waiting for a save it closes the watchers and the command returns 130
    process.off('SIGINT', onSigint);
    try {
      // read before the round: a save during the round is then a change for the next one
      const changed = snapshot();
      if (first || changed.length) {
        await loop.round(first ? [] : changed);
        for (const f of loop.files()) if (!seen.has(f)) seen.set(f, contentOf(f));
        rewatch();
      }
    } finally {
      running = false;
      if (!loop.signal?.aborted) process.on('SIGINT', onSigint);
    }
    if (again && !loop.signal?.aborted) {
      again = false;
      await runRound(false);
    }
  };

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => void runRound(false).catch(() => {}), loop.debounceMs ?? 5);
  }

  process.on('SIGINT', onSigint);
  loop.signal?.addEventListener('abort', () => stop(), { once: true });
  try {
    if (!loop.signal?.aborted) {
      await runRound(true);
      if (!loop.signal?.aborted) await stopped;
    }
  } finally {
    process.off('SIGINT', onSigint);
    clearTimeout(timer);
    for (const w of watchers.values()) w.close();
    watchers.clear();
  }
}
