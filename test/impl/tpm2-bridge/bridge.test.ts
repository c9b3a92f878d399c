/**
 * The machines of models/ against a real TPM 2.0 through the TSS bridge, once per backend (swtpm
 * and the TZTCM engine): protocols 1–3 complete with every party in `done`; in protocol 1 the
 * TTP machine accepts the TPM's Certify and
 * Quote and refuses them for another nonce or a changed PCR state; forged TTP tokens are refused
 * by the TPM's TPM2_VerifySignature; a tampered TPM response HMAC and a PCR_Extend before Unseal
 * end the run with a typed failure (TPM 2.0 Part 1 §19.6.6; Part 3 §12.7 with the policy of
 * §23.3/§23.7); no swtpm is left running; a missing binary is exit 2 with a hint.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protocolByName } from '../../../models/protocols/index.ts';
import { runCommand } from '../../../cli/commands/run.ts';
import { runWithSwtpm } from '../../../impl/tpm2-bridge/run.ts';
import { TPM_CC, liveSwtpmCount } from '../../../impl/tpm2/index.ts';
import { decode, encode } from '../../../impl/wire/codec.ts';
import type { Value } from '../../../impl/wire/value.ts';
import { commandCodeOf, flipByte, INTEROP_BACKENDS } from '../tpm2/swtpm-fixture.ts';

/** The message with one bit of the signature at `item` flipped (a forged token). */
function withFlippedSig(bytes: Uint8Array, item: number): Uint8Array {
  const v = decode(bytes) as Value & { k: 'tuple' };
  const sig = v.items[item] as { k: 'sig'; b: Uint8Array };
  const items = v.items.slice();
  items[item] = { k: 'sig', b: flipByte(sig.b, 40) };
  return encode({ k: 'tuple', items });
}

for (const b of INTEROP_BACKENDS)
describe(`TSS bridge: the machines of models/ against ${b.name}`, { timeout: 180_000 }, () => {
  const skip = b.skip;
  it('key-exchange: salted session, ConfirmSession, PolicySigned, a later GetRandom; the TEE ends in done', { skip }, async () => {
    const r = await runWithSwtpm(protocolByName('key-exchange'), { backend: b.name, seed: 7 });
    assert.equal(r.tpm.failure, null);
    assert.equal(r.parties.find((p) => p.role === 'TEE')!.state, 'done');
    assert.ok(r.tpm.sessionEstablished);
    assert.ok(r.tpm.responseHmacsVerified);
    assert.deepEqual(
      r.tpm.commands.map((c) => c.command),
      ['TPM2_StartAuthSession', 'TPM2_GetRandom', 'TPM2_VerifySignature', 'TPM2_VerifySignature', 'TPM2_PolicySigned', 'TPM2_GetRandom'],
    );
    // the GetRandom after PolicySigned ran in the same session, its nonces rolled (session-commands.ts)
    assert.equal(r.tpm.commands.at(-1)!.responseHmacVerified, true);
    // the TPM machine's signature checks (the TTP token, the policy signature) were the TPM's
    for (const label of ['tokTEE', 'policy signature']) assert.ok(r.tpm.facts.some((f) => f.by === 'tpm' && f.ok && f.what.includes(`check '${label}'`) && f.what.includes('TPM2_VerifySignature')), label);
    assert.ok(r.ok);
    assert.equal(liveSwtpmCount(), 0);
  });

  it("provisioning: Unseal with an encrypted response; the TEE's stored S is the sealed secret", { skip }, async () => {
    const r = await runWithSwtpm(protocolByName('provisioning'), { backend: b.name });
    assert.equal(r.tpm.failure, null);
    assert.equal(r.parties.find((p) => p.role === 'TEE')!.state, 'done');
    assert.ok(r.tpm.secret?.equal, 'TEE stored S equals the sealed secret');
    assert.equal(r.tpm.commands.find((c) => c.command === 'TPM2_Unseal')?.responseHmacVerified, true);
    assert.ok(r.checks.every((c) => c.ok));
    assert.ok(r.ok);
  });

  it(`attestation: the TTP machine accepts ${b.name}'s real Certify and Quote; every party ends in done`, { skip }, async () => {
    const r = await runWithSwtpm(protocolByName('attestation'), { backend: b.name, seed: 11 });
    assert.equal(r.tpm.failure, null);
    for (const p of r.parties) assert.equal(p.state, 'done', `${p.role} is in ${p.state}`);
    assert.deepEqual(
      r.tpm.commands.map((c) => c.command).filter((c) => c !== 'TPM2_VerifySignature'),
      ['TPM2_Certify', 'TPM2_Quote'],
    );
    const commits = r.claims.filter((c) => c.role === 'TTP' && c.event === 'Commit' && c.tag === 'tpm-evidence');
    assert.deepEqual(commits.map((c) => (c.data as [{ const: string }])[0].const), ['certify', 'quote']);
    const a = r.tpm.attestation!;
    // the nonce the TTP committed on is what the TPM signed as extraData; the Name is Q's
    const nB = (commits[0]!.data as [unknown, { bytes: string }])[1].bytes;
    assert.equal(a.certify?.extraData, nB);
    assert.equal(a.quote?.extraData, nB);
    assert.equal(a.certify?.certifiedName, a.q.name);
    assert.equal(a.quote?.quoteState, a.pcrReference);
    for (const id of ['P1.1', 'P1.2', 'P1.3', 'P1.4', 'TTP-certify', 'TTP-quote']) assert.ok(r.checks.find((c) => c.id === id)?.ok, id);
    assert.equal(r.tpm.responseHmacsVerified, null);
    assert.ok(r.ok);
    assert.equal(liveSwtpmCount(), 0);
  });

  it("attestation: the TPM signs another nonce (Certify, then Quote): the TTP machine's check refuses it", { skip }, async () => {
    for (const [code, check] of [
      [TPM_CC.Certify, 'certify'],
      [TPM_CC.Quote, 'quote'],
    ] as const) {
      let nB: Uint8Array | null = null;
      let at = -1;
      const r = await runWithSwtpm(protocolByName('attestation'), { backend: b.name,
        rewriteToTpm: (label, bytes) => {
          if (label === 'ChallengeTPM') nB = ((decode(bytes) as Value & { k: 'tuple' }).items[1] as { b: Uint8Array }).b;
          return bytes;
        },
        // qualifyingData is the first parameter; flip one of its bytes on the way to the TPM
        rewriteCommand: (cmd) => {
          if (commandCodeOf(cmd) !== code || !nB) return cmd;
          at = Buffer.from(cmd).indexOf(Buffer.from(nB));
          return at < 0 ? cmd : flipByte(cmd, at + 5);
        },
      });
      assert.ok(at > 0, 'the nonce was found in the command');
      assert.notEqual(r.tpm.attestation?.[check]?.extraData, Buffer.from(nB!).toString('hex'), 'the TPM signed another extraData');
      assert.equal(r.ok, false);
      assert.equal(r.tpm.failure, null, 'the TPM and the TSS did their part; the verifier refuses');
      const ttp = r.parties.find((p) => p.role === 'TTP')!;
      assert.equal(ttp.state, 'failed');
      assert.match((ttp.failure as { label: string }).label, new RegExp(`check ${check}$`));
      assert.equal(r.checks.find((c) => c.id === `TTP-${check}`)?.ok, false);
      assert.ok(!r.claims.some((c) => c.role === 'TTP' && c.event === 'Commit' && c.tag === 'tpm-evidence' && (c.data as [{ const: string }])[0].const === check));
      assert.notEqual(r.parties.find((p) => p.role === 'TPM')!.state, 'done');
    }
    assert.equal(liveSwtpmCount(), 0);
  });

  it("attestation: a quoted PCR extended after enrolment — the TTP machine refuses the quote (reference state)", { skip }, async () => {
    const r = await runWithSwtpm(protocolByName('attestation'), { backend: b.name,
      beforeMessage: async (label, client) => {
        if (label === 'QuoteRequest') await client.pcrExtend(16, new Uint8Array(32).fill(0x5a));
      },
    });
    assert.equal(r.ok, false);
    assert.equal(r.tpm.failure, null);
    const ttp = r.parties.find((p) => p.role === 'TTP')!;
    assert.match((ttp.failure as { label: string }).label, /check quote$/);
    // the TTP accepted the certify, and the quote carries the right nonce but another PCR state
    assert.equal(r.checks.find((c) => c.id === 'TTP-certify')?.ok, true);
    const a = r.tpm.attestation!;
    assert.equal(a.quote?.extraData, a.certify?.extraData);
    assert.notEqual(a.quote?.quoteState, a.pcrReference);
    assert.equal(liveSwtpmCount(), 0);
  });

  it('attestation: forged TTP tokens are refused by the TPM (TPM2_VerifySignature → TPM_RC_SIGNATURE)', { skip }, async () => {
    const forged = (bytes: Uint8Array) => {
      const v = decode(bytes) as Value;
      return v.k === 'sig' ? encode({ k: 'sig', b: flipByte(v.b, 40) }) : withFlippedSig(bytes, 0);
    };
    for (const [label, check] of [
      ['TokenTPM', 'tokTPM'],
      ['PeerTokenTEE', 'tokTEE'],
    ] as const) {
      const r = await runWithSwtpm(protocolByName('attestation'), { backend: b.name, rewriteToTpm: (l, bytes) => (l === label ? forged(bytes) : bytes) });
      assert.equal(r.ok, false);
      assert.deepEqual([r.tpm.failure?.kind, r.tpm.failure?.command, r.tpm.failure?.rc], ['tpm-rc', 'TPM2_VerifySignature', 'TPM_RC_SIGNATURE']);
      assert.match(r.tpm.failure!.message, new RegExp(`check ${check} failed`));
      assert.ok(!r.claims.some((c) => c.role === 'TPM' && c.event === 'Commit'));
    }
    assert.equal(liveSwtpmCount(), 0);
  });

  it(`tcv run attestation --tpm ${b.name} --json: exit 0, the attestation and who checked what`, { skip }, async () => {
    const out: string[] = [];
    const code = await runCommand.run(['attestation', '--tpm', b.name, '--json'], { out: (l) => out.push(l), err: () => {}, isTTY: false });
    assert.equal(code, 0);
    const j = JSON.parse(out.join('\n'));
    assert.equal(j.tpm.responseHmacsVerified, null);
    assert.equal(j.tpm.attestation.certify.certifiedName, j.tpm.attestation.q.name);
    assert.ok(j.checks.some((c: { id: string; kind: string }) => c.id === 'TTP-quote' && c.kind === 'checked by the TTP machine'));
    assert.ok(j.tpm.facts.filter((f: { by: string }) => f.by === 'tpm').length >= 4);
    // the TPM's Certify travels as a signature with its TPMS_ATTEST
    assert.ok(j.claims.length > 0 && j.messages.find((m: { label: string }) => m.label === 'Certify').size > 200);
  });

  it('key-exchange: a forged tokTEE is refused by the TPM (TPM2_VerifySignature → TPM_RC_SIGNATURE), before PolicySigned', { skip }, async () => {
    const r = await runWithSwtpm(protocolByName('key-exchange'), { backend: b.name, rewriteToTpm: (label, bytes) => (label === 'PolicySigned' ? withFlippedSig(bytes, 0) : bytes) });
    assert.equal(r.ok, false);
    assert.deepEqual([r.tpm.failure?.kind, r.tpm.failure?.command, r.tpm.failure?.rc], ['tpm-rc', 'TPM2_VerifySignature', 'TPM_RC_SIGNATURE']);
    assert.match(r.tpm.failure!.message, /check tokTEE failed/);
    assert.ok(!r.tpm.commands.some((c) => c.command === 'TPM2_PolicySigned'));
    assert.notEqual(r.parties.find((p) => p.role === 'TEE')!.state, 'done');
    assert.equal(liveSwtpmCount(), 0);
  });

  it('a tampered real response HMAC (GetRandom) ends the run with a response-auth failure', { skip }, async () => {
    const r = await runWithSwtpm(protocolByName('key-exchange'), { backend: b.name,
      rewriteResponse: (cmd, rsp) => (commandCodeOf(cmd) === TPM_CC.GetRandom ? flipByte(rsp, -1) : rsp),
    });
    assert.equal(r.ok, false);
    assert.equal(r.tpm.failure?.kind, 'response-auth');
    assert.equal(r.tpm.failure?.command, 'TPM2_GetRandom');
    assert.match(r.tpm.failure!.message, /response HMAC/);
    assert.notEqual(r.parties.find((p) => p.role === 'TEE')!.state, 'done');
    assert.equal(liveSwtpmCount(), 0);
  });

  // the extend comes before the policy session's PolicyPCR (sent for the TEE's PolicySigned
  // message): an extend of PCR 16 between PolicyPCR and Unseal goes unnoticed by swtpm, because
  // PCR 16 does not bump pcrUpdateCounter (so no TPM_RC_PCR_CHANGED, Part 3 §23.7) — see the
  // last test
  it('PCR_Extend before the policy and Unseal: TPM_RC_POLICY_FAIL, the TEE gets no secret', { skip }, async () => {
    const r = await runWithSwtpm(protocolByName('provisioning'), { backend: b.name,
      beforeMessage: async (label, client) => {
        if (label === 'PolicySigned') await client.pcrExtend(16, new Uint8Array(32).fill(0xab));
      },
    });
    assert.equal(r.ok, false);
    assert.deepEqual([r.tpm.failure?.kind, r.tpm.failure?.command, r.tpm.failure?.rc], ['tpm-rc', 'TPM2_Unseal', 'TPM_RC_POLICY_FAIL']);
    assert.equal(r.parties.find((p) => p.role === 'TEE')!.state, 'waitUnsealResponse');
    assert.equal(r.tpm.secret?.equal, false);
    assert.equal(liveSwtpmCount(), 0);
  });

  it(`observed: PCR 16 extended after PolicyPCR but before Unseal is not detected by ${b.name} (TPM_PT_PCR_NO_INCREMENT)`, { skip }, async () => {
    const r = await runWithSwtpm(protocolByName('provisioning'), { backend: b.name,
      beforeMessage: async (label, client) => {
        if (label === 'Unseal') await client.pcrExtend(16, new Uint8Array(32).fill(0xab));
      },
    });
    // a fact about libtpms (PCR 16 has no pcrUpdateCounter increment), recorded so a change shows
    assert.equal(r.tpm.failure, null);
    assert.ok(r.tpm.secret?.equal);
  });

  it(`tcv run --tpm ${b.name} exits 0 with --json showing the session and the delivered secret`, { skip }, async () => {
    const out: string[] = [];
    const code = await runCommand.run(['provisioning', '--tpm', b.name, '--json'], { out: (l) => out.push(l), err: () => {}, isTTY: false });
    assert.equal(code, 0);
    const j = JSON.parse(out.join('\n'));
    assert.equal(j.tpm.sessionEstablished, true);
    assert.equal(j.tpm.responseHmacsVerified, true);
    assert.equal(j.tpm.secret.equal, true);
  });

  it('a missing swtpm binary: exit 2 and an install hint (runs without swtpm too)', { skip: b.name !== 'swtpm' && 'swtpm only' }, async () => {
    const path = process.env.PATH;
    const err: string[] = [];
    process.env.PATH = '/nonexistent';
    try {
      const code = await runCommand.run(['key-exchange', '--tpm', 'swtpm'], { out: () => {}, err: (l) => err.push(l), isTTY: false });
      assert.equal(code, 2);
    } finally {
      process.env.PATH = path;
    }
    assert.match(err.join('\n'), /swtpm not found.*apt-get install -y swtpm/);
    assert.equal(liveSwtpmCount(), 0);
  });
});
