/**
 * A `let x = sdec(c, kdfa(…, 'CFB', …))` of a received `c` always "decrypts" in the machines,
 * the explorer and the runtime (AES-CFB, no integrity), so the Tamarin export has a `_stuck`
 * rule beside the one that matches `c` as the honest encryption. Without it Tamarin 1.7.1
 * verified provisioning M3.2's P3.2, where `tcv verify` finds the attacker's ciphertext
 * accepted. The decryptions are read from the machines, not named here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { targetOf } from '../../models/target.ts';
import type { Term } from '../../models/terms.ts';
import { walkTarget } from '../../proofs-export/walk.ts';
import { exportTamarin } from '../../proofs-export/tamarin/theory.ts';
import { theoryProblems } from '../../proofs-export/tamarin/check-theory.ts';
import { printTerm } from '../../proofs-export/tamarin/print.ts';
import type { TRule, Theory } from '../../proofs-export/tamarin/ast.ts';

const rulesOf = (t: Theory): TRule[] => t.items.flatMap((i) => (i.k === 'rule' ? [i.rule] : []));
/** the key of a decryption under a KDFa 'CFB' key (after the transition's lets), if it is one */
function cfbLets(p: (typeof PROTOCOLS)[number], variant?: string) {
  const out: { role: string; from: string; to: string; v: string }[] = [];
  for (const r of walkTarget(targetOf(p, variant)).roles)
    for (const t of r.transitions) {
      const lets = new Map<string, Term>();
      const expand = (x: Term): Term => (x.t === 'var' && lets.has(x.name) ? expand(lets.get(x.name)!) : x);
      for (const s of t.steps) {
        if (s.op !== 'let') continue;
        lets.set(s.v.name, s.t);
        if (s.t.t !== 'app' || s.t.f !== 'sdec') continue;
        const k = expand(s.t.args[1]!);
        if (k.t === 'app' && k.f === 'kdfa' && k.args[1]?.t === 'const' && k.args[1].name === 'CFB') out.push({ role: r.decl.role, from: t.from, to: t.to, v: s.v.name });
      }
    }
  return out;
}

const cases = PROTOCOLS.flatMap((p) => [undefined, ...p.variants.map((v) => v.id)].map((variant) => ({ p, variant, lets: cfbLets(p, variant) }))).filter((c) => c.lets.length);

test('the models have CFB decryptions bound by let (provisioning, channel): the tests below judge something', () => {
  assert.ok(cases.some((c) => c.p.name === 'provisioning' && c.variant === 'M3.2'));
  assert.ok(cases.some((c) => c.p.name === 'channel'));
});

for (const { p, variant, lets } of cases)
  test(`tamarin ${p.name}${variant ? ` ${variant}` : ''}: every CFB let decryption of a received ciphertext has a _stuck rule (any message, the stuck sdec)`, () => {
    const { theory } = exportTamarin(targetOf(p, variant));
    const rules = rulesOf(theory);
    for (const l of lets) {
      const base = `${l.role}_${l.from}_to_${l.to}`;
      const honest = rules.find((r) => r.name === base)!;
      const stuck = rules.find((r) => r.name === `${base}_stuck`);
      assert.ok(stuck, `${base}_stuck missing (${l.v})`);
      const inOf = (r: TRule) => r.lhs.filter((f) => f.name === 'In').map((f) => printTerm(f.args[0]!)).join(' ');
      // the honest rule matches the encryption under the CFB key, the stuck one does not
      assert.match(inOf(honest), /senc\([^]*'CFB'/);
      assert.doesNotMatch(inOf(stuck), /senc\([^]*'CFB'/);
      const mark = stuck.actions.find((a) => a.name === 'StuckSdec');
      assert.ok(mark, 'the stuck rule records StuckSdec(c, k)');
      assert.equal(mark.args[0]!.k, 'var', 'the ciphertext is any received message');
      // the stuck decryption is what the rule's later steps read
      const all = [...stuck.actions, ...stuck.rhs].map((f) => f.args.map(printTerm).join(', ')).join(' ');
      assert.ok(all.includes(`sdec(${printTerm(mark.args[0]!)}, ${printTerm(mark.args[1]!)})`), all);
    }
    const text = exportTamarin(targetOf(p, variant)).text;
    assert.match(text, /restriction Stuck_sdec:\n {2}"not \(Ex m k #i\. StuckSdec\(senc\(m, k\), k\) @ #i\)"/);
  });

test("provisioning M3.2: the TEE's Commit on S covers the attacker's ciphertext (the explorer's attack), the base keeps the HMAC over it", () => {
  const rule = (variant?: string) => rulesOf(exportTamarin(targetOf(PROTOCOLS.find((x) => x.name === 'provisioning')!, variant)).theory).find((r) => r.name.endsWith('_stuck'))!;
  const commit = (r: TRule) => r.actions.filter((a) => a.name === 'Commit').map((a) => printTerm(a.args[4]!));
  assert.ok(commit(rule('M3.2')).some((d) => /^<sdec\(/.test(d)), commit(rule('M3.2')).join('; '));
  const inM32 = printTerm(rule('M3.2').lhs.find((f) => f.name === 'In')!.args[0]!);
  const inBase = printTerm(rule().lhs.find((f) => f.name === 'In')!.args[0]!);
  assert.doesNotMatch(inM32, /hmac/);
  assert.match(inBase, /hmac\(sKey, [^]*h\(<'ty_bytes', ct>\)/, 'the base stuck rule still needs the response HMAC over the received ciphertext');
});

test('a decryption under a key that is not CFB (authenticated) has no _stuck rule: tztcm-storage, nssk, iso-9798-2, andrew-rpc', () => {
  for (const p of ALL_PROTOCOLS.filter((x) => cfbLets(x).length === 0)) {
    const { theory, text } = exportTamarin(targetOf(p));
    assert.ok(!rulesOf(theory).some((r) => r.name.endsWith('_stuck')), p.name);
    assert.doesNotMatch(text, /Stuck_sdec/, p.name);
  }
});

test('the checker rejects a CFB-key In pattern without its _stuck rule (the export before this fix)', () => {
  const { theory } = exportTamarin(targetOf(PROTOCOLS.find((x) => x.name === 'provisioning')!, 'M3.2'));
  assert.deepEqual(theoryProblems(theory), []);
  const without: Theory = { ...theory, items: theory.items.filter((i) => !(i.k === 'rule' && i.rule.name.endsWith('_stuck'))) };
  assert.match(theoryProblems(without).join('\n'), /TEE_waitUnsealResponse_to_done: its In pattern matches an encryption under a 'CFB' key/);
});
