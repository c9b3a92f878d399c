import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { exportTamarin, theoryName } from '../../proofs-export/tamarin/theory.ts';
import { theoryProblems } from '../../proofs-export/tamarin/check-theory.ts';
import { targetOf } from '../../models/target.ts';

const golden = (name: string) => new URL(`../golden/${name}`, import.meta.url);

for (const p of PROTOCOLS) {
  for (const variant of [undefined, ...p.variants.map((v) => v.id)]) {
    const label = `${p.name}${variant ? ` ${variant}` : ''}`;
    test(`tamarin ${label}: passes the checker, one lemma per property and an exists-trace lemma`, () => {
      const { theory, text } = exportTamarin(targetOf(p, variant));
      assert.deepEqual(theoryProblems(theory), []);
      assert.match(text, new RegExp(`^theory ${theoryName(targetOf(p, variant))}\\nbegin\\n`, 'm'));
      assert.match(text, /\nend\n$/);
      const lemmas = theory.items.flatMap((i) => (i.k === 'lemma' ? [i.lemma] : []));
      assert.deepEqual(
        lemmas.filter((l) => l.trace === 'all-traces' && !l.sources && !l.reuse).map((l) => l.comments[0]!.split(' ')[0]),
        p.properties.map((x) => x.id),
      );
      assert.equal(lemmas.filter((l) => l.trace === 'exists-trace').length, 1);
      // every transition of every role is one rule, commented with its label
      const rules = theory.items.flatMap((i) => (i.k === 'rule' ? [i.rule] : []));
      for (const r of p.roles) assert.ok(rules.some((x) => x.name === `${r.role}_start`), `${r.role}_start`);
    });
  }
  test(`tamarin ${p.name}: byte-identical across two exports and equal to the reviewed golden file`, () => {
    const a = exportTamarin(targetOf(p)).text;
    const b = exportTamarin(targetOf(p)).text;
    assert.equal(a, b);
    const file = golden(`${theoryName(targetOf(p))}.spthy`);
    if (process.env['UPDATE_GOLDEN']) writeFileSync(file, a);
    assert.ok(existsSync(file), `missing golden file ${file.pathname} (UPDATE_GOLDEN=1 writes it)`);
    assert.equal(a, readFileSync(file, 'utf8'), 'the export differs from the golden file; review and rerun with UPDATE_GOLDEN=1');
  });
}

const byName = (n: string) => PROTOCOLS.find((p) => p.name === n)!;

test('M2.3: PolicySigned over a constant shows up in the export (TEE signs the constant, TPM checks it)', () => {
  const base = exportTamarin(targetOf(byName('key-exchange'))).text;
  const m23 = exportTamarin(targetOf(byName('key-exchange'), 'M2.3')).text;
  assert.match(base, /sign\(<'ty_\w+', 'policy', nT1, sh>, ~skT\)/);
  assert.match(base, /Eq\(verify\(pol, <'ty_\w+', 'policy', ~nT1, ~sh>, pkT\), true\)/);
  assert.doesNotMatch(m23, /'policy', ~?nT1/);
  assert.match(m23, /sign\(<'ty_\w+', 'policy', 'empty', 'empty'>, ~skT\)/);
  assert.match(m23, /Eq\(verify\(pol, <'ty_\w+', 'policy', 'empty', 'empty'>, pkT\), true\)/);
});

test('M4.1 / M4.2: the command MAC loses the counter / the session id in both roles', () => {
  const base = exportTamarin(targetOf(byName('tztcm-session'))).text;
  assert.match(base, /hmac\(~Kuuid, <'ty_\w+', 'cmd', sid, '1', ~cmd1>\)/);
  assert.match(base, /hmac\(~Kuuid, <'ty_\w+', 'cmd', ~sid, '1', cmd1>\)/);
  const m41 = exportTamarin(targetOf(byName('tztcm-session'), 'M4.1')).text;
  assert.doesNotMatch(m41, /'cmd', [^>]*'1'/);
  assert.match(m41, /hmac\(~Kuuid, <'ty_\w+', 'cmd', sid, ~cmd1>\)/);
  const m42 = exportTamarin(targetOf(byName('tztcm-session'), 'M4.2')).text;
  assert.match(m42, /hmac\(~Kuuid, <'ty_\w+', 'cmd', '1', ~cmd1>\)/);
});

test('M3.1: the Unseal response carries S in the clear; the base encrypts it', () => {
  const base = exportTamarin(targetOf(byName('provisioning'))).text;
  const m31 = exportTamarin(targetOf(byName('provisioning'), 'M3.1')).text;
  assert.match(base, /Out\(<senc\(<'ty_bytes', ~S>, kdfa\(sKey, 'CFB', ~nT3, nC3\)\), ~nT3/);
  assert.match(m31, /Out\(<~S, ~nT3, hmac\(sKey, <'ty_\w+', h\(<'ty_bytes', ~S>\)/);
});

test('M2.1: the TEE no longer checks tokTPM (no Eq in its first rule)', () => {
  const rule = (text: string) => text.slice(text.indexOf('rule TEE_waitKey_to_waitAuthSession'), text.indexOf('rule TEE_waitAuthSession_to'));
  assert.match(rule(exportTamarin(targetOf(byName('key-exchange'))).text), /Eq\(verify\(tokTPM/);
  assert.doesNotMatch(rule(exportTamarin(targetOf(byName('key-exchange'), 'M2.1')).text), /Eq\(/);
});

test('the forward-secrecy lemma lets RevealQ happen only after the claim; expected verdicts follow the variant', () => {
  const base = exportTamarin(targetOf(byName('key-exchange'))).text;
  assert.match(base, /Reveal\('RevealQ', A\) @ #r & Honest\(A\) @ #i & #r < #i/);
  assert.match(base, /P2\.4[^\n]*\n[^\n]*\n\/\/ expected: attack/);
  assert.match(exportTamarin(targetOf(byName('key-exchange'), 'two-phase')).text, /P2\.4[^\n]*\n[^\n]*\n\/\/ expected: holds/);
  assert.match(exportTamarin(targetOf(byName('key-exchange'), 'M2.2')).text, /P2\.3[^\n]*\n[^\n]*\n\/\/ expected: attack/);
});

test("injective agreement counts only honest agents' other Commits (Tamarin 1.9 falsified P4.2 with a revealed TDDL agent committing on the honest session's public data)", () => {
  const text = exportTamarin(targetOf(byName('tztcm-session'))).text;
  const lemma = text.slice(text.indexOf('lemma P4_2_injective_agreement'), text.indexOf('lemma P4_3'));
  assert.match(lemma, /not \(Ex a3 b3 #i2\. Commit\('TDDL', 'tag_rsp', a3, b3, d\) @ #i2 & not \(#i2 = #i\) & not \(Ex kind A #r\. Reveal\(kind, A\) @ #r & Honest\(A\) @ #i2\)\)/);
});

test('a sources lemma is generated where a role learns a value from a received encryption (nspk: what kept Tamarin from terminating; KU only there)', () => {
  const nspk = exportTamarin(targetOf(ALL_PROTOCOLS.find((p) => p.name === 'nspk')!)).text;
  assert.match(nspk, /lemma received_plaintexts \[sources\]:\n {2}"All x c #i\.\n {6}RecvEnc\(x, c\) @ #i\n {4}==>\n {6}\(Ex #j\. KU\(x\) @ #j & #j < #i\)\n {6}\| \(Ex #j\. SentEnc\(c\) @ #j & #j < #i\)"/);
  assert.match(nspk, /RecvEnc\(nb, aenc\(<'ty_t2_bytes_bytes', ~na, nb>, pk\(~sk\)\)\)/);
  assert.match(nspk, /SentEnc\(aenc\(<'ty_t2_bytes_bytes', na, ~nb>, pkPeer\)\)/);
  // no encryption received, no sources lemma
  assert.doesNotMatch(exportTamarin(targetOf(byName('tztcm-session'))).text, /\[sources\]/);
});

test('an authority is one agent: the TTP of key-exchange and the server of nssk are constants, nodes are any agent', () => {
  // with a TTP per session ProVerif falsified P2.1 through a node whose TEE trusted a second,
  // compromised TTP (proofs-export/authorities.ts); the explorer has one TTP
  const ke = exportTamarin(targetOf(PROTOCOLS.find((p) => p.name === 'key-exchange')!)).text;
  assert.match(ke, /!Ltk_skTTP\('agent_ttp', ~skTTP_ttp\)/);
  assert.doesNotMatch(ke, /!Ltk_skTTP\(\$ttp/);
  assert.match(ke, /!Ltk_skT\(\$self, ~skT\)/);
  const nssk = exportTamarin(targetOf(ALL_PROTOCOLS.find((p) => p.name === 'nssk')!)).text;
  assert.match(nssk, /Create\('S', 'agent_s', ~tid\)/);
});

test('the executability lemma asks for one thread per role (what let Tamarin 1.9 decide key-exchange and attestation)', () => {
  for (const p of PROTOCOLS) {
    const { text } = exportTamarin(targetOf(p));
    const lemma = text.slice(text.indexOf('lemma executable'));
    assert.match(lemma, /& \(All rl A B th1 th2 #c1 #c2\. \(Create\(rl, A, th1\) @ #c1 & Create\(rl, B, th2\) @ #c2\) ==> #c1 = #c2\)"/, p.name);
  }
});

test('a [reuse] secrecy helper for a Secret claim no property states (provisioning: the session key), none where a property states it', () => {
  const prov = exportTamarin(targetOf(PROTOCOLS.find((p) => p.name === 'provisioning')!)).text;
  assert.match(prov, /lemma skey_secret \[reuse\]:\n {2}"All role actor peer x #i\.\n {6}Secret\(role, 'tag_skey', actor, peer, x\) @ #i/);
  // before the properties, so that Tamarin uses it in their proofs
  assert.ok(prov.indexOf('lemma skey_secret') < prov.indexOf('lemma P3_1_secrecy'));
  const kx = exportTamarin(targetOf(PROTOCOLS.find((p) => p.name === 'key-exchange')!)).text;
  assert.doesNotMatch(kx, /\[reuse\]/);
});
