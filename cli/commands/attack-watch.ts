/**
 * `tcv attack FILE [--variant ID] --watch`: find and replay the attack again on every save of
 * the protocol file or a user module it imports (the same loop as `verify --watch`,
 * cli/watch.ts): one line per save — the attack found and whether it reproduces with real
 * crypto, or that none is found — and the concrete replay's steps when the outcome changed. A
 * save that does not load is one line; SIGINT ends the watch (exit 130).
 * @module
 */
import { performance } from 'node:perf_hooks';
import { relative, resolve } from 'node:path';
import type { CliIO } from '../command.ts';
import type { CryptoSuite } from '../../impl/crypto/index.ts';
import { watchLoop } from '../watch.ts';
import { EXIT_SIGINT } from './verify-watch.ts';

export interface AttackWatchOptions {
  readonly path: string;
  readonly pick?: string;
  readonly variant?: string;
  readonly property?: string;
  readonly sessions?: number;
  readonly seed: number;
  readonly suite: CryptoSuite;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export async function attackWatch(io: CliIO, opts: AttackWatchOptions): Promise<number> {
  const { loadProtocolFiles, userModulesLoaded, severalMessage } = await import('../protocol-files.ts');
  const { replayAttack } = await import('../../properties/attack-replay.ts');
  const { targetOf } = await import('../../models/target.ts');
  const { expectedVerdict } = await import('../../models/protocol.ts');
  let generation = 0;
  let last: string | null = null;
  const show = (f: string) => relative(process.cwd(), f) || f;
  await watchLoop({
    files: () => userModulesLoaded(),
    ...(opts.signal ? { signal: opts.signal } : {}),
    async round(changed) {
      const t0 = performance.now();
      const what = changed.length ? changed.map(show).join(', ') : show(resolve(opts.path));
      let found;
      try {
        found = await loadProtocolFiles(opts.path, opts.pick, ++generation);
        if (found.length > 1) throw new Error(severalMessage(opts.path, found.map((x) => x.protocol)));
        const p = found[0]!.protocol;
        found = p;
      } catch (e) {
        io.out(`[watch] ${(e as Error).message.replace(/\n\s*-\s*/g, '; ').replace(/:;/g, ':')} — waiting for the next save`);
        return;
      }
      const p = found;
      const target = `${p.name}${opts.variant ? ' ' + opts.variant : ''}`;
      let r;
      try {
        // an unknown variant, one whose edit no longer applies, an unknown property: one line,
        // as a load error
        r = replayAttack(targetOf(p, opts.variant, opts.sessions ? { sessions: opts.sessions } : undefined), { ...(opts.property ? { property: opts.property } : {}), seed: opts.seed, suite: opts.suite, timeoutMs: opts.timeoutMs });
      } catch (e) {
        io.out(`[watch] ${target}: ${(e as Error).message.split('\n')[0]} — waiting for the next save`);
        return;
      }
      const ms = Math.round(performance.now() - t0);
      let outcome: string;
      if (!r.found) outcome = r.cut ? `inconclusive — the search was cut (${r.cut})` : `no attack within the bound (${r.bound})`;
      else {
        const declared = opts.variant !== undefined || expectedVerdict(p, r.variantRun.property, undefined) === 'attack';
        outcome = `attack on ${r.variantRun.property}: ${r.variantRun.reproduced ? 'VIOLATED with real crypto' : 'not violated with real crypto'}${r.correctRun ? `; the correct protocol: ${r.correctRun.reproduced ? 'VIOLATED (unexpected)' : 'no violation'}` : declared ? '' : ' — a flaw: the property is declared to hold'}`;
      }
      io.out(`[watch] ${what}: ${target}: ${outcome} (${ms} ms)`);
      // the concrete steps when the outcome is new
      if (r.found && outcome !== last) {
        for (const s of r.variantRun.steps) {
          io.out(`  ${String(s.n).padStart(2)}. ${s.instance} ${s.transition}${s.received ? ` ← ${s.received.label} ${s.received.bytes} B${s.received.forged ? ' (made by the attacker)' : ''}` : ' ← START'}`);
          for (const m of s.sent) io.out(`        → ${m.to} ${m.label} ${m.bytes} B`);
        }
        io.out(`  ${r.variantRun.detail}`);
      }
      last = outcome;
    },
  });
  io.out('[watch] stopped');
  return EXIT_SIGINT;
}
