import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_PROTOCOLS } from '../../../models/catalog.ts';
import { verifyTarget, type VerifyReport } from '../../../properties/explorer/verify.ts';
import { junitXml } from '../../../properties/explorer/junit.ts';
import { tcv } from '../../cli/harness.ts';
import { targetOf } from '../../../models/target.ts';

/** A small XML well-formedness check: one root, tags nested and closed in order, attributes
 * double-quoted without a raw `<` or `&`, text without a raw `<`, only the five predefined
 * entities. Returns the elements in document order (name and attributes). */
function elements(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  const out: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const open: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const entity = /&(?!(amp|lt|gt|quot|apos);)/;
  let roots = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"]*")*)\s*(\/?)>|([^<]+)|(<)/g)) {
    if (m[6]) throw new Error(`a stray '<' at ${m.index}`);
    if (m[5] !== undefined) {
      if (entity.test(m[5])) throw new Error(`a raw '&' in text at ${m.index}`);
      if (open.length) open[open.length - 1]!.text += m[5];
      else if (m[5].trim()) throw new Error('text outside the root');
      continue;
    }
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      const top = open.pop();
      if (!top || top.name !== name) throw new Error(`</${name}> closes <${top?.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([\w-]+)="([^"]*)"/g)) {
      if (a[2]!.includes('<') || entity.test(a[2]!)) throw new Error(`attribute ${a[1]} of <${name}> is not escaped`);
      attrs[a[1]!] = a[2]!;
    }
    if (!open.length) roots++;
    const el = { name: name!, attrs, text: '' };
    out.push(el);
    if (!selfClose) open.push(el);
  }
  if (open.length) throw new Error(`<${open[open.length - 1]!.name}> is never closed`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return out;
}

const nspk = ALL_PROTOCOLS.find((p) => p.name === 'nspk')!;

test('JUnit: a suite per report, a case per property, failures where a verdict differs', () => {
  const r = verifyTarget(targetOf(nspk, undefined, { sessions: 1 }));
  // the same report with NS1 expected to hold: one failure, of type attack, with the trace
  const wrong: VerifyReport = { ...r, variant: 'x&y', properties: r.properties.map((x) => (x.id === 'NS1' ? { ...x, expected: 'holds' as const } : x)) };
  const xml = junitXml([r, wrong]);
  const els = elements(xml);
  const root = els[0]!;
  assert.equal(root.name, 'testsuites');
  assert.equal(root.attrs['tests'], '8');
  assert.equal(root.attrs['failures'], '1');
  const suites = els.filter((e) => e.name === 'testsuite');
  assert.deepEqual(suites.map((s) => [s.attrs['name'], s.attrs['tests'], s.attrs['failures']]), [
    ['nspk', '4', '0'],
    ['nspk x&amp;y', '4', '1'],
  ]);
  assert.equal(els.filter((e) => e.name === 'testcase').length, 8);
  const failures = els.filter((e) => e.name === 'failure');
  assert.equal(failures.length, 1);
  assert.equal(failures[0]!.attrs['type'], 'attack');
  assert.match(failures[0]!.attrs['message']!, /^expected holds, verdict attack/);
  // the narrated trace, its terms escaped (`<…>` tuples)
  assert.match(failures[0]!.text, /attack on NS1/);
  assert.match(failures[0]!.text, /aenc\(&lt;~na\.I2, 'a1'&gt;/);
  // expected attacks keep their traces as output
  assert.equal(els.filter((e) => e.name === 'system-out').length, 3);
});

test('JUnit: characters XML cannot hold are left out, markup in names escaped', () => {
  const r = verifyTarget(targetOf(nspk, undefined, { sessions: 1 }), { properties: ['NS3'] });
  const odd: VerifyReport = { ...r, protocol: 'a<b>"c"\u0001', stats: { ...r.stats, cut: 'time & budget' } };
  const els = elements(junitXml([odd]));
  assert.equal(els.find((e) => e.name === 'testsuite')!.attrs['name'], 'a&lt;b&gt;&quot;c&quot;');
  assert.ok(els.some((e) => e.name === 'property' && e.attrs['value'] === 'time &amp; budget'));
});

test('tcv verify --junit writes the report beside the usual output; a bad path is one line, exit 2, nothing lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcv-junit-'));
  const file = join(dir, 'reports', 'nspk.xml');
  const r = await tcv('verify', 'nspk', '--property', 'NS2', '--junit', file);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /NS2/);
  const els = elements(readFileSync(file, 'utf8'));
  assert.equal(els.filter((e) => e.name === 'testcase').length, 1);
  // a file already there survives a run that fails before it writes (unknown protocol) …
  writeFileSync(join(dir, 'keep.xml'), 'old');
  assert.equal((await tcv('verify', 'nope', '--junit', join(dir, 'keep.xml'))).code, 2);
  assert.equal(readFileSync(join(dir, 'keep.xml'), 'utf8'), 'old');
  // … and a path that cannot be written (a directory) is named
  const bad = await tcv('verify', 'nspk', '--property', 'NS2', '--junit', dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /cannot write the JUnit report to /);
  assert.equal(bad.err.split('\n').length, 1);
  assert.equal((await tcv('verify', 'nspk', '--junit', '')).code, 2);
});
