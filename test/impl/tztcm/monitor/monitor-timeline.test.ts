/**
 * Issue 17 item 5's picture: `tcv tztcm monitor --svg FILE` draws the run's timeline. The SVG is
 * well-formed XML and shows what a real run recorded — one bar per measurement, the detecting one
 * red, the attack, the detection and the intervention as marks — and a clean run shows no
 * finding and no attack.
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svgTimeline } from '../../../../impl/report/svg-timeline.ts';
import { PAGE_SIZE } from '../../../../impl/tztcm/monitor/host-memory.ts';
import { runMonitorScenario } from '../../../../impl/tztcm/monitor/monitor-run.ts';
import { monitorTimeline } from '../../../../impl/tztcm/monitor/monitor-timeline.ts';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/** Well-formed XML: one root, tags nested and closed in order, quoted attributes without a raw
 * `<` or `&`, text without a raw `<`, entities only the five named or numeric ones. Returns the
 * elements (name, attributes, the text right after the start tag). */
function elements(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const out: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const open: string[] = [];
  const badEntity = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  let roots = 0;
  for (const m of xml.matchAll(/<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g)) {
    if (m[6]) throw new Error(`a stray '<' at ${m.index}`);
    if (m[5] !== undefined) {
      if (badEntity.test(m[5])) throw new Error(`a raw '&' in text at ${m.index}`);
      if (!open.length && m[5].trim()) throw new Error('text outside the root');
      if (out.length) out[out.length - 1]!.text += m[5];
      continue;
    }
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      if (open.pop() !== name) throw new Error(`</${name}> closes another element`);
      continue;
    }
    if (!open.length && roots++ > 0) throw new Error('a second root');
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (badEntity.test(a[2]!)) throw new Error(`a raw '&' in ${name}@${a[1]}`);
      attrs[a[1]!] = a[2]!;
    }
    out.push({ name: name!, attrs, text: '' });
    if (!selfClose) open.push(name!);
  }
  if (open.length) throw new Error(`<${open.at(-1)}> is not closed`);
  return out;
}

const spans = (els: ReturnType<typeof elements>, kind: string) => els.filter((e) => e.name === 'rect' && e.attrs['class'] === `span ${kind}`);
const marks = (els: ReturnType<typeof elements>, kind: string) => els.filter((e) => e.name === 'circle' && e.attrs['data-mark'] === kind);

describe('the monitor timeline picture', () => {
  it('the checker catches a broken document', () => {
    assert.throws(() => elements('<svg><g></svg>'));
    assert.throws(() => elements('<svg><text>a & b</text></svg>'));
  });

  it('a real run with an inline hook: a bar per measurement, the detecting one red; attack, detection, intervention marked', async () => {
    const r = await runMonitorScenario({ periodMs: 50, policy: 'nx', placement: 'dedicated', durationMs: 700, kernelBytes: 256 * PAGE_SIZE, attack: 'inline-hook', attackAtMs: 200 });
    assert.ok(r.detection, 'the run detected the hook');
    const els = elements(svgTimeline(monitorTimeline(r)));
    assert.equal(els[0]!.name, 'svg');
    assert.equal(spans(els, 'work').length + spans(els, 'finding').length, r.measurements.count);
    assert.ok(spans(els, 'finding').length >= 1);
    const firstRed = Number(spans(els, 'finding')[0]!.attrs['data-start']);
    assert.ok(firstRed + 1 >= r.attack!.atMs - 50, 'the first red bar is the tick after the attack');
    for (const k of ['attack', 'detect', 'intervene']) assert.equal(marks(els, k).length >= 1, true, k);
    const text = els.filter((e) => e.name === 'text').map((e) => e.text).join('\n');
    assert.match(text, new RegExp(`detected after ${r.detection.latencyMs.toFixed(1)} ms`));
    assert.match(text, /intervene\s+nx:/);
    assert.match(text, /s-core \(TZTCM\)/);
  });

  it('a clean run: no red bar, no attack mark; tcv tztcm monitor --svg writes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcv-timeline-'));
    try {
      const file = join(dir, 't.svg');
      const p = spawnSync(process.execPath, [join(root, 'bin/tcv.js'), 'tztcm', 'monitor', '--kernel-pages', '64', '--period', '50', '--duration', '400', '--svg', file], { encoding: 'utf8', env: { ...process.env, TCV_FROM_SOURCE: '1' } });
      assert.equal(p.status, 0, p.stderr);
      assert.match(p.stdout, /wrote .*t\.svg/);
      const els = elements(readFileSync(file, 'utf8'));
      assert.ok(spans(els, 'work').length >= 3);
      assert.equal(spans(els, 'finding').length, 0);
      assert.equal(marks(els, 'attack').length, 0);
      assert.equal(marks(els, 'detect').length, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
