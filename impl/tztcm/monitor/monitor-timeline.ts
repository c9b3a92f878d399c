/**
 * The monitor's run (monitor-run.ts) as a timeline picture (impl/report/svg-timeline.ts): the
 * s-core's lane with every measurement as a bar (red where it found something) and the
 * detection and interventions as marks; the host core's lane with the attack, the host parking
 * and the end of its workload. In the shared placement the checks are on the host's core, and
 * there is one lane. Read from the report only: the picture shows what the run recorded.
 * @module
 */
import type { Timeline } from '../../report/svg-timeline.ts';
import type { MonitorRunReport } from './monitor-run.ts';

const HOST_EVENTS = new Set(['attack', 'host-paused', 'host-resumed', 'host-done']);

export function monitorTimeline(r: MonitorRunReport): Timeline {
  const dedicated = r.placement === 'dedicated';
  const lanes = dedicated
    ? [
        { id: 'score', label: 's-core (TZTCM)' },
        { id: 'host', label: 'host core' },
      ]
    : [{ id: 'host', label: "host core (+checks)" }];
  const monitorLane = dedicated ? 'score' : 'host';
  const spans = r.timeline.filter((e) => e.what === 'measure').map((e) => ({ lane: monitorLane, startMs: e.atMs, endMs: e.atMs + (e.durationMs ?? 0), kind: e.finding ? ('finding' as const) : ('work' as const) }));
  const marks = r.timeline
    .filter((e) => e.what !== 'measure')
    .map((e) => ({
      lane: HOST_EVENTS.has(e.what) ? 'host' : monitorLane,
      atMs: e.atMs,
      kind: e.what === 'attack' ? ('attack' as const) : e.what === 'detect' ? ('detect' as const) : e.what === 'intervene' ? ('intervene' as const) : ('event' as const),
      label: `${e.what === 'host-done' ? 'host done' : e.what === 'host-paused' ? 'host paused' : ''}${e.what.startsWith('host') ? ': ' : ''}${e.detail}`,
    }));
  const d = r.detection;
  const brackets = d && r.attack ? [{ fromMs: r.attack.atMs, toMs: d.atMs, label: `detected after ${d.latencyMs.toFixed(1)} ms` }] : [];
  return {
    title: `TZTCM active measurement — ${r.attack ? `attack ${r.attack.kind}` : 'no attack'}, policy ${r.policy}`,
    subtitle: `every ${r.periodMs} ms on ${dedicated ? 'the s-core (NUCAA)' : "the host's core"}; ${r.measurements.count} measurements of ${r.kernel.pages} pages (median ${r.measurements.medianMs.toFixed(1)} ms); ${r.alarms.length} alarm(s) read by a host process`,
    lanes,
    spans,
    marks,
    brackets,
    endMs: Math.max(r.host.durationMs, ...r.timeline.map((e) => e.atMs + (e.durationMs ?? 0))),
  };
}
