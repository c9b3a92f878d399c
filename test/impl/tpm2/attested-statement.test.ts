/**
 * The attestation-signature value form without a TPM: a TPMS_ATTEST built here and signed with
 * our ECDSA stands in for a TPM's. The evaluator's verify, given the TPM attestation verifier
 * (EvalDeps.verifier, impl/tpm2-bridge/attestation-verifier.ts), accepts it for exactly the statement it
 * makes (type, extraData = nonce, certified Name = Name(Q) / SHA-256(TPMS_QUOTE_INFO) = pcr) and
 * nothing else; under a key marked `restricted` (an enrolled AK) only such signatures verify;
 * the wire form round-trips and an empty TPMS_ATTEST is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { c, tup, v, verify } from '../../../models/terms.ts';
import { seededRandom, tpm2P256 } from '../../../impl/crypto/index.ts';
import { evaluate, TRUE_V, type EvalDeps } from '../../../impl/runtime/evaluate.ts';
import { certifiedKeyName, quoteStateDigest } from '../../../impl/tpm2/attested-statement.ts';
import { attestedSig, restrictedKey } from '../../../impl/tpm2/value-forms.ts';
import { tpmAttestationVerifier } from '../../../impl/tpm2-bridge/attestation-verifier.ts';
import { TPM_ALG, TPM_GENERATED_VALUE, TPM_ST, marshal, pcrCompositeDigest, type PcrSelection } from '../../../impl/tpm2/index.ts';
import { decode, DecodeError, encode } from '../../../impl/wire/codec.ts';
import { type Value, bytesV, valueEquals } from '../../../impl/wire/value.ts';

const rng = seededRandom(61);
const deps: EvalDeps = { suite: tpm2P256, rng, verifier: tpmAttestationVerifier };
const sk = tpm2P256.scalarFromSeed(rng.bytes(48));
const akPoint = tpm2P256.publicKey(sk);
const Q = tpm2P256.publicKey(tpm2P256.scalarFromSeed(rng.bytes(48)));
const nB = rng.bytes(32);
const SEL: PcrSelection = [{ hashAlg: TPM_ALG.SHA256, pcrs: [0, 7, 16] }];
const pcrDigest = pcrCompositeDigest([new Uint8Array(32), new Uint8Array(32), tpm2P256.hash(Uint8Array.of(1))]);

function attest(type: 'certify' | 'quote', extraData: Uint8Array, o: { magic?: number; name?: Uint8Array; sel?: PcrSelection; digest?: Uint8Array } = {}): Uint8Array {
  return marshal((w) => {
    w.u32(o.magic ?? TPM_GENERATED_VALUE).u16(type === 'certify' ? TPM_ST.ATTEST_CERTIFY : TPM_ST.ATTEST_QUOTE);
    w.tpm2b(new Uint8Array(34)).tpm2b(extraData);
    w.u32(0).u32(1234).u32(1).u32(0).u8(1); // clockInfo: clock (u64), resetCount, restartCount, safe
    w.u32(0).u32(42); // firmwareVersion
    if (type === 'certify') w.tpm2b(o.name ?? certifiedKeyName(Q)).tpm2b(new Uint8Array(34));
    else {
      const sel = o.sel ?? SEL;
      w.u32(sel.length);
      for (const b of sel) {
        const bm = new Uint8Array(3);
        for (const p of b.pcrs) bm[p >> 3] = (bm[p >> 3] as number) | (1 << (p & 7));
        w.u16(b.hashAlg).u8(3).bytes(bm);
      }
      w.tpm2b(o.digest ?? pcrDigest);
    }
  });
}
const asig = (bytes: Uint8Array, key = sk): Value => attestedSig(tpm2P256.sign(key, bytes), bytes);

const s = v('s', 'sig');
const pk = v('pk', 'point');
const subj = v('x', 'msg');
const n = v('n', 'nonce');
function verifies(sig: Value, tag: string, subject: Value, nonce: Uint8Array, key: Value = restrictedKey(akPoint)): boolean {
  const r = evaluate(verify(s, tup(c(tag), subj, n), pk), { s: sig, pk: key, x: subject, n: bytesV(nonce) }, deps);
  return valueEquals(r, TRUE_V);
}
const Qv: Value = { k: 'point', b: Q };
const ref = bytesV(quoteStateDigest(SEL, pcrDigest));

describe('attestation signatures (TPMS_ATTEST + ECDSA) in the evaluator', () => {
  it('a certify verifies <certify, Q, nB>, and not another key, nonce, type or signer', () => {
    const cert = asig(attest('certify', nB));
    assert.ok(verifies(cert, 'certify', Qv, nB));
    assert.ok(!verifies(cert, 'certify', { k: 'point', b: akPoint }, nB), 'the Name of another key');
    assert.ok(!verifies(cert, 'certify', Qv, rng.bytes(32)), 'another nonce');
    assert.ok(!verifies(cert, 'quote', ref, nB), 'a certify is not a quote');
    assert.ok(!verifies(cert, 'tok_tpm', Qv, nB), 'an attestation states certify/quote only');
    assert.ok(!verifies(asig(attest('certify', nB), tpm2P256.scalarFromSeed(rng.bytes(48))), 'certify', Qv, nB), 'signed by another key');
    assert.ok(!verifies(asig(attest('certify', nB, { magic: 0x01020304 })), 'certify', Qv, nB), 'magic');
    const tampered = attest('certify', nB);
    assert.ok(!verifies(attestedSig((cert as { b: Uint8Array }).b, Uint8Array.from(tampered, (x, i) => (i === tampered.length - 1 ? x ^ 1 : x))), 'certify', Qv, nB), 'altered TPMS_ATTEST');
  });

  it('a quote verifies <quote, SHA-256(TPMS_QUOTE_INFO), nB>: values and selection are bound', () => {
    assert.ok(verifies(asig(attest('quote', nB)), 'quote', ref, nB));
    assert.ok(!verifies(asig(attest('quote', nB, { digest: tpm2P256.hash(Uint8Array.of(2)) })), 'quote', ref, nB), 'other PCR values');
    // the same composite digest over another selection (all-zero PCRs look alike) is not the reference
    assert.ok(!verifies(asig(attest('quote', nB, { sel: [{ hashAlg: TPM_ALG.SHA256, pcrs: [1, 8, 16] }] })), 'quote', ref, nB), 'another selection');
    assert.ok(!verifies(asig(attest('quote', nB)), 'quote', ref, rng.bytes(32)), 'another nonce');
  });

  it('under a restricted key only TPM attestations verify; a plain signature still does under a plain key', () => {
    const plain: Value = { k: 'sig', b: tpm2P256.sign(sk, encode({ k: 'tuple', items: [{ k: 'const', s: 'certify' }, Qv, bytesV(nB)] })) };
    assert.ok(!verifies(plain, 'certify', Qv, nB), 'restricted AK: our encoding signed by the AK key is refused');
    assert.ok(verifies(plain, 'certify', Qv, nB, { k: 'point', b: akPoint }), 'the model semantics of sign/verify are unchanged');
  });

  it('without the attestation verifier the evaluator refuses both TPM forms (it knows no TPM)', () => {
    const bare: EvalDeps = { suite: tpm2P256, rng };
    const plain: Value = { k: 'sig', b: tpm2P256.sign(sk, encode({ k: 'tuple', items: [{ k: 'const', s: 'certify' }, Qv, bytesV(nB)] })) };
    const run = (sig: Value, key: Value) => valueEquals(evaluate(verify(s, tup(c('certify'), subj, n), pk), { s: sig, pk: key, x: Qv, n: bytesV(nB) }, bare), TRUE_V);
    assert.ok(!run(asig(attest('certify', nB)), restrictedKey(akPoint)));
    assert.ok(!run(plain, restrictedKey(akPoint)));
    assert.ok(run(plain, { k: 'point', b: akPoint }));
  });

  it('the wire form carries the TPMS_ATTEST; decoding is strict', () => {
    const cert = asig(attest('certify', nB));
    const b = encode({ k: 'tuple', items: [cert, Qv] });
    const d = decode(b);
    assert.ok(!(d instanceof DecodeError));
    assert.ok(valueEquals(d as Value, { k: 'tuple', items: [cert, Qv] }));
    assert.deepEqual(encode(d as Value), b);
    assert.ok(!valueEquals(cert, { k: 'sig', b: (cert as { b: Uint8Array }).b }), 'with and without TPMS_ATTEST differ');
    const empty = Uint8Array.of(0x07, ...new Uint8Array(64), 0, 0, 0, 0);
    assert.equal((decode(empty) as DecodeError).code, 'bad-length');
    assert.equal((decode(Uint8Array.of(0x07, ...new Uint8Array(64), 0, 0, 0, 9, 1)) as DecodeError).code, 'truncated');
    assert.throws(() => encode(attestedSig(new Uint8Array(64), new Uint8Array(0))));
    // the bytes: 0x07 r||s len:u32be TPMS_ATTEST (as before the form moved to impl/tpm2)
    const rs = Uint8Array.from({ length: 64 }, (_, i) => i);
    assert.deepEqual([...encode(attestedSig(rs, Uint8Array.of(9, 8, 7)))], [0x07, ...rs, 0, 0, 0, 3, 9, 8, 7]);
    // a restricted key is a local mark: encoded, compared and shown as the plain point
    assert.deepEqual(encode(restrictedKey(akPoint)), encode({ k: 'point', b: akPoint }));
    assert.ok(valueEquals(restrictedKey(akPoint), { k: 'point', b: akPoint }));
  });
});
