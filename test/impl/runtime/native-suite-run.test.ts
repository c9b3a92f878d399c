/**
 * Seeded runs replay across implementations: with the same seed, every protocol's honest run
 * puts the same bytes in every message and derives the same secrets on the native suite
 * (OpenSSL) as on the noble suite — the seed feeds only the runtime's HMAC_DRBG
 * (crypto/random.ts), and no native primitive draws randomness of its own. Paired with a
 * native suite whose HMAC differs in one bit, whose transcript differs.
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOLS, protocolByName } from '../../../models/protocols/index.ts';
import { type CryptoSuite, nativeP256, tpm2P256 } from '../../../impl/crypto/index.ts';
import { honestRun } from '../../../impl/runtime/report.ts';
import { targetOf } from '../../../models/target.ts';

const transcript = (protocol: (typeof PROTOCOLS)[number], suite: CryptoSuite, seed: number) => {
  const r = honestRun(targetOf(protocol), { seed, suite });
  assert.ok(r.ok, `${protocol.name} on ${suite.name}`);
  return { messages: r.messages.map((m) => `${m.label} ${m.hex}`), secrets: r.secrets.map((s) => s.values.map((v) => v.hex).join(',')) };
};

for (const p of PROTOCOLS) {
  test(`${p.name}: seed 11 gives the same transcript and secrets on native-p256 as on tpm2-p256`, () => {
    assert.deepEqual(transcript(p, nativeP256, 11), transcript(p, tpm2P256, 11));
  });
}

test('a native suite with one HMAC bit flipped gives another key-exchange transcript', () => {
  const flipped: CryptoSuite = {
    ...nativeP256,
    hmac: (k, d) => {
      const m = nativeP256.hmac(k, d);
      m[0] = (m[0] as number) ^ 1;
      return m;
    },
  };
  const kx = protocolByName('key-exchange');
  const r = honestRun(targetOf(kx), { seed: 11, suite: flipped });
  assert.notDeepEqual(r.messages.map((m) => m.hex), transcript(kx, tpm2P256, 11).messages.map((m) => m.split(' ')[1]));
});
