/**
 * The active measurement's checks, one attack at a time, on a small host (64 pages of real
 * code): a clean host raises nothing over many ticks; each attack is found with the right
 * finding and each policy does its intervention.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { loadKernelText, elfTextSection } from '../../../../impl/tztcm/monitor/kernel-text.ts';
import { bootHost, iomemLine, parseIomemLine } from '../../../../impl/tztcm/monitor/host-boot.ts';
import { MonitorCore } from '../../../../impl/tztcm/monitor/monitor-core.ts';
import { CTRL_PAUSE, PAGE_SIZE, PTE_NX, readAlarms } from '../../../../impl/tztcm/monitor/host-memory.ts';
import { executePage, ioWrite } from '../../../../impl/tztcm/monitor/host-executor.ts';
import { agentLie, inlineHook, nxUndo, pteRemap } from '../../../../impl/tztcm/monitor/attacks.ts';
import type { InterventionPolicy } from '../../../../impl/tztcm/monitor/interventions.ts';

const PAGES = 64;
function setup(policy: InterventionPolicy = 'log') {
  const host = bootHost(loadKernelText(PAGES * PAGE_SIZE));
  const core = new MonitorCore(host.mem, host.layout, { policy });
  core.boot();
  return { ...host, core };
}

test('the kernel text is real code from the node executable where it is ELF', () => {
  const k = loadKernelText(PAGES * PAGE_SIZE);
  if (elfTextSection(process.execPath)) assert.match(k.source, /\.text/);
  assert.equal(k.bytes.length, PAGES * PAGE_SIZE);
  // not a constant pattern: many distinct byte values
  assert.ok(new Set(k.bytes.subarray(0, 4096)).size > 64);
});

test('iomem lines round-trip and anything else is refused', () => {
  assert.equal(iomemLine(0x1000, 3430), '01000000-01d65fff : Kernel code');
  assert.deepEqual(parseIomemLine(iomemLine(0x1000, 3430)), { startFrame: 0x1000, pages: 3430 });
  for (const bad of ['', '01000000-01d65fff : System RAM', '01000001-01d65fff : Kernel code', 'zz-01 : Kernel code']) assert.equal(parseIomemLine(bad), null, bad);
});

test('a clean host: boot events recorded, and no finding over 20 ticks', () => {
  const { core, mem } = setup();
  assert.equal(core.bootEvents.length, 2);
  assert.match(core.bootEvents[0]!.digest, /^[0-9a-f]{64}$/);
  for (let i = 0; i < 20; i++) {
    const t = core.tick();
    assert.ok(t.digestMatches);
    assert.deepEqual(t.findings, []);
  }
  assert.equal(readAlarms(mem).alarms.length, 0);
});

test('an inline hook is found on its page; the nx policy locks it and the executor refuses it', () => {
  const { core, mem, layout } = setup('nx');
  const atk = inlineHook(mem, layout, 10);
  assert.equal(executePage(mem, atk.vpage).ok, true, 'before the tick the hooked page still runs');
  const t = core.tick();
  assert.equal(t.digestMatches, false);
  assert.deepEqual(t.findings.map((f) => [f.kind, f.vpages]), [['code-modified', [atk.vpage]]]);
  assert.deepEqual(t.interventions[0]!.nxPages, [atk.vpage]);
  assert.deepEqual(executePage(mem, atk.vpage), { ok: false, fault: 'never-execute' });
  assert.equal(executePage(mem, atk.vpage + 1).ok, true, 'other pages still run');
  assert.deepEqual(readAlarms(mem).alarms.map((a) => [a.kind, a.vpage]), [['code-modified', atk.vpage]]);
});

test('a remapped page is found through the page table although its original frame is untouched', () => {
  const { core, mem, layout } = setup('log');
  const before = createHash('sha256').update(mem.bytes.subarray(layout.kernelFrame0 * PAGE_SIZE, (layout.kernelFrame0 + layout.pages) * PAGE_SIZE)).digest('hex');
  const atk = pteRemap(mem, layout, 5);
  const after = createHash('sha256').update(mem.bytes.subarray(layout.kernelFrame0 * PAGE_SIZE, (layout.kernelFrame0 + layout.pages) * PAGE_SIZE)).digest('hex');
  assert.equal(after, before, 'a measurement of the physical region alone would miss this attack');
  const t = core.tick();
  assert.deepEqual(t.findings.map((f) => [f.kind, f.vpages]), [['mapping-changed', [atk.vpage]]]);
});

test('an agent reporting a shorter region is not believed, and the hidden page is still measured', () => {
  const { core, mem, layout } = setup('log');
  const atk = agentLie(mem, layout);
  const kinds = core.tick().findings.map((f) => f.kind);
  assert.deepEqual(kinds.sort(), ['code-modified', 'report-mismatch']);
  assert.ok(core.tick().findings.find((f) => f.kind === 'code-modified')!.vpages.includes(atk.vpage));
});

test('the host undoing a lock is found and the lock set again', () => {
  const { core, mem, layout } = setup('nx');
  const atk = inlineHook(mem, layout, 3);
  core.tick();
  assert.ok(mem.flags(atk.vpage) & PTE_NX);
  assert.ok(nxUndo(mem, layout));
  assert.equal(executePage(mem, atk.vpage).ok, true, 'the host has made the hooked page executable again');
  const t = core.tick();
  assert.ok(t.findings.some((f) => f.kind === 'lock-undone' && f.vpages.includes(atk.vpage)));
  assert.deepEqual(executePage(mem, atk.vpage), { ok: false, fault: 'never-execute' });
});

test('the pause policy asks the host to stop; revoke-io withdraws the grant', () => {
  const p = setup('pause');
  inlineHook(p.mem, p.layout);
  assert.equal(Atomics.load(p.mem.control, CTRL_PAUSE), 0);
  p.core.tick();
  assert.equal(Atomics.load(p.mem.control, CTRL_PAUSE), 1);

  const r = setup('revoke-io');
  assert.equal(ioWrite(r.mem, 'net0'), true);
  inlineHook(r.mem, r.layout);
  r.core.tick();
  assert.equal(ioWrite(r.mem, 'net0'), false);
  assert.equal(ioWrite(r.mem, 'blk0'), true, 'only the configured device loses its grant');
});

test('changes are localised across chunk boundaries (pages 0, 63, 64 and the last)', () => {
  const host = bootHost(loadKernelText(130 * PAGE_SIZE));
  const core = new MonitorCore(host.mem, host.layout, { policy: 'log' });
  core.boot();
  const hit = [0, 63, 64, 129].map((p) => inlineHook(host.mem, host.layout, p).vpage);
  assert.deepEqual(core.tick().findings.map((f) => f.vpages), [hit]);
});

test('a finding that persists is alarmed once; a second attack is a new finding', () => {
  const { core, mem, layout } = setup('log');
  const a = inlineHook(mem, layout, 1);
  assert.equal(core.tick().interventions.length, 1);
  assert.equal(core.tick().interventions.length, 0, 'the same hook is not re-alarmed every period');
  const b = inlineHook(mem, layout, 2);
  const t = core.tick();
  assert.deepEqual(t.findings[0]!.vpages, [a.vpage, b.vpage]);
  assert.equal(t.interventions.length, 1);
  assert.equal(readAlarms(mem).alarms.length, 1 + 2);
});

test('a change undone and done again is alarmed again', () => {
  const { core, mem, layout } = setup('log');
  const v = layout.kernelVpage0 + 7;
  const original = Buffer.from(mem.frame(mem.frameOf(v)));
  inlineHook(mem, layout, 7);
  assert.equal(core.tick().interventions.length, 1);
  mem.frame(mem.frameOf(v)).set(original);
  assert.deepEqual(core.tick().findings, [], 'restored: as at boot');
  inlineHook(mem, layout, 7);
  assert.equal(core.tick().interventions.length, 1);
});
