/**
 * `tcv tztcm monitor`: the TZTCM's active measurement of a running host (seed 002 §3.2–3.3),
 * with an optional attack injected, printed as one timeline.
 * @module
 */
import { type Command, intFlag, parseFlags, UsageError } from '../command.ts';
import { ATTACKS, type AttackKind } from '../../impl/tztcm/monitor/attacks.ts';
import { POLICIES, type InterventionPolicy } from '../../impl/tztcm/monitor/interventions.ts';
import { hashAvailable, type MeasureHash } from '../../impl/tztcm/monitor/measurement.ts';
import { runMonitorScenario } from '../../impl/tztcm/monitor/monitor-run.ts';
import { PAGE_SIZE } from '../../impl/tztcm/monitor/host-memory.ts';
import { SEED_KERNEL_TEXT_BYTES } from '../../impl/tztcm/monitor/kernel-text.ts';
import { monitorTimeline } from '../../impl/tztcm/monitor/monitor-timeline.ts';
import { svgTimeline } from '../../impl/report/svg-timeline.ts';
import { writeOrSay } from '../diagram-files.ts';

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} takes ${allowed.join(', ')}; got '${value}'`);
  return value as T;
}

export const tztcmMonitorCommand: Command = {
  name: 'monitor',
  summary: 'watch a running host: periodic measurement, attacks, interventions',
  help: `usage: tcv tztcm monitor [--period MS] [--policy P] [--attack A [--at MS]] [--duration MS]
                         [--placement dedicated|shared] [--hash sha256|sm3] [--kernel-pages N] [--json]
                         [--svg FILE]

The TZTCM's active measurement (seed 002 §3.2-3.3). A host boots with 13.4 MiB of real code as
its kernel: the .text of Debian's Linux kernel (bash scripts/install-kernel-image.sh fetches it
with apt-get download), else the node executable's .text (the reason is printed); the TZTCM measures it at boot, then re-measures it on
its own core every period through the host's page table, checks the page-table entries, the
agent's /proc/iomem-style report and the pages it locked, and intervenes on a difference. The
host runs a small UnixBench-like workload meanwhile.

  --period MS      time between measurements (default 100)
  --policy P       what to do on a finding: ${POLICIES.join(', ')} (default log)
                   log: alarm only; pause: the host parks at its next safe point;
                   nx: changed pages marked never-execute and locked; revoke-io: net0's grant withdrawn
  --attack A       inject: ${ATTACKS.join(', ')}
  --at MS          when to inject, after the host starts (default 300)
  --duration MS    how long the host runs (default 1500; up to 600000)
  --placement      dedicated: the checks on the s-core (NUCAA, default); shared: on the host's core
  --hash           sha256 (TPM mode, default) or sm3 (TCM mode, where Node's OpenSSL has it)
  --kernel-pages N kernel size in 4 KiB pages (default ${SEED_KERNEL_TEXT_BYTES / PAGE_SIZE}, the seed's 13.4 MB)
  --json           the whole report as JSON
  --svg FILE       also draw the timeline: a lane per core, each measurement as a bar (red
                   where it found something), the attack, the detection and the interventions

exit 0 when the run went as it should (an injected attack detected and acted on; no alarm
without one), 1 otherwise (an attack missed, or an alarm on a clean host), 2 usage error`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      period: { type: 'string' },
      policy: { type: 'string' },
      attack: { type: 'string' },
      at: { type: 'string' },
      duration: { type: 'string' },
      placement: { type: 'string' },
      hash: { type: 'string' },
      'kernel-pages': { type: 'string' },
      json: { type: 'boolean' },
      svg: { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const periodMs = intFlag('period', values.period, 100);
    const durationMs = intFlag('duration', values.duration, 1500);
    const attackAtMs = intFlag('at', values.at, 300);
    const pages = intFlag('kernel-pages', values['kernel-pages'], SEED_KERNEL_TEXT_BYTES / PAGE_SIZE);
    if (periodMs < 1 || periodMs > 60_000) throw new UsageError(`--period wants 1..60000 ms, got ${periodMs}`);
    if (durationMs < 1 || durationMs > 600_000) throw new UsageError(`--duration wants 1..600000 ms, got ${durationMs}`);
    if (pages < 1 || pages > 65_536) throw new UsageError(`--kernel-pages wants 1..65536, got ${pages}`);
    const policy = oneOf<InterventionPolicy>('policy', values.policy, POLICIES, 'log');
    const placement = oneOf('placement', values.placement, ['dedicated', 'shared'] as const, 'dedicated');
    const alg = oneOf<MeasureHash>('hash', values.hash, ['sha256', 'sm3'], 'sha256');
    if (!hashAvailable(alg)) throw new UsageError(`--hash ${alg}: this Node's OpenSSL has no ${alg}`);
    const attack = values.attack === undefined ? undefined : oneOf<AttackKind>('attack', values.attack, ATTACKS, 'inline-hook');
    if (values.at !== undefined && !attack) throw new UsageError('--at needs --attack');
    if (attack && attackAtMs >= durationMs) throw new UsageError(`--at ${attackAtMs} is not before the end of the run (--duration ${durationMs})`);

    const r = await runMonitorScenario({ periodMs, policy, placement, durationMs, alg, kernelBytes: pages * PAGE_SIZE, ...(attack ? { attack, attackAtMs } : {}) });
    const ok = attack ? r.detection !== null && r.interventions.length > 0 : r.alarms.length === 0;
    if (values.svg !== undefined) {
      writeOrSay(values.svg, svgTimeline(monitorTimeline(r)), 'timeline picture');
      if (!values.json) io.out(`wrote ${values.svg}`);
    }
    if (values.json) {
      io.out(JSON.stringify({ ok, ...r }, null, 2));
      return ok ? 0 : 1;
    }
    io.out(`kernel: ${r.kernel.bytes} bytes (${r.kernel.pages} pages) from ${r.kernel.source}, SHA-256 ${r.kernel.sha256}`);
    if (r.kernel.fallback) io.out(`        not the Debian kernel: ${r.kernel.fallback}`);
    for (const e of r.bootEvents) io.out(`boot:   PCR ${e.pcr} ${e.alg} ${e.digest.slice(0, 16)}…  ${e.event}`);
    io.out(`monitor: ${r.placement === 'dedicated' ? 'on the s-core (NUCAA)' : "on the host's core"}, every ${r.periodMs} ms, policy ${r.policy}, ${r.measurements.count} measurements (median ${r.measurements.medianMs.toFixed(1)} ms, max ${r.measurements.maxMs.toFixed(1)} ms)`);
    io.out('');
    for (const t of r.timeline) io.out(`  ${`+${t.atMs.toFixed(1)}`.padStart(9)} ms  ${t.what.padEnd(12)} ${t.detail}`);
    io.out('');
    if (attack) {
      if (r.detection) io.out(`detected ${r.detection.latencyMs.toFixed(1)} ms after the attack (bound: period + one measurement = ${(periodMs + r.measurements.maxMs).toFixed(1)} ms)`);
      else io.out(`NOT DETECTED: ${attack} went unnoticed`);
      if (r.hostPausedAtMs !== null) io.out(`host paused at +${r.hostPausedAtMs.toFixed(1)} ms`);
    } else io.out(r.alarms.length ? `${r.alarms.length} ALARM(S) on a host nobody attacked` : 'no alarm');
    io.out(`alarms read by a host process: ${r.alarms.map((a) => `${a.kind}@0x${a.vpage.toString(16)}`).join(', ') || 'none'}`);
    return ok ? 0 : 1;
  },
};
