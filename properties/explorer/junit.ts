/**
 * Verification reports as JUnit XML (`tcv verify --junit FILE`), the format CI servers read to
 * show test results (GitLab, Jenkins, GitHub test reporters): one test suite per protocol or
 * variant, one test case per property. A property whose verdict differs from the model's
 * expectation is a failure (of type `holds`, `attack` or `inconclusive`: the verdict), with the
 * readable attack trace when there is one (as tcv verify prints it: `impl/report/text-trace.ts`);
 * an expected attack keeps its trace as output.
 * @module
 */
import { textTrace } from '../../impl/report/text-trace.ts';
import type { VerifyReport } from './verify.ts';

/** Text as XML character data: markup characters escaped, and characters XML 1.0 does not
 * allow at all left out. */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Text as a double-quoted XML attribute value. */
function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function suite(r: VerifyReport): string[] {
  const name = `${r.protocol}${r.variant ? ' ' + r.variant : ''}`;
  const failures = r.properties.filter((x) => x.verdict !== x.expected).length;
  const out = [
    `  <testsuite name="${xmlAttr(name)}" tests="${r.properties.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(r.stats.ms)}">`,
    '    <properties>',
    `      <property name="bound" value="${xmlAttr(r.bound)}"/>`,
    `      <property name="states" value="${r.stats.states}"/>`,
    ...(r.stats.cut ? [`      <property name="cut" value="${xmlAttr(r.stats.cut)}"/>`] : []),
    '    </properties>',
  ];
  const classname = `tcv.${r.protocol}${r.variant ? '.' + r.variant : ''}`;
  for (const x of r.properties) {
    const head = `    <testcase classname="${xmlAttr(classname)}" name="${xmlAttr(`${x.id} ${x.kind}: expected ${x.expected}`)}">`;
    const trace = x.trace ? textTrace(x.trace.sequence).join('\n') : '';
    if (x.verdict !== x.expected) {
      const why = `expected ${x.expected}, verdict ${x.verdict} (bound: ${x.bound}${x.verdict === 'inconclusive' && r.stats.cut ? `; ${r.stats.cut}` : ''})`;
      out.push(head, `      <failure type="${x.verdict}" message="${xmlAttr(why)}">${xmlText(trace || why)}</failure>`, '    </testcase>');
    } else if (trace) out.push(head, `      <system-out>${xmlText(trace)}</system-out>`, '    </testcase>');
    else out.push(head.replace(/>$/, '/>'));
  }
  out.push('  </testsuite>');
  return out;
}

/** The JUnit XML document of these reports. */
export function junitXml(reports: readonly VerifyReport[]): string {
  const tests = reports.reduce((n, r) => n + r.properties.length, 0);
  const failures = reports.reduce((n, r) => n + r.properties.filter((x) => x.verdict !== x.expected).length, 0);
  const ms = reports.reduce((n, r) => n + r.stats.ms, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tcv verify" tests="${tests}" failures="${failures}" errors="0" time="${seconds(ms)}">`,
    ...reports.flatMap(suite),
    '</testsuites>',
    '',
  ].join('\n');
}
