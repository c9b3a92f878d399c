/**
 * The pairing that gives the TDDL and the TZTCM their shared K_uuid (seed 002 §2.3: "在初始化
 * TDDL 的可信关系时, 应用安全密钥交换协议生成一个和 TDDL 共享的密钥 KT-UUID, 由 TDDL 和 TZTCM
 * 分别秘密保存"; design protocol 4: K_uuid = kdf(Z_pair, 'TZTCM', uuid, idTDDL), at measured
 * boot, before the attacker is active). Each side makes an ephemeral P-256 key, they exchange
 * the public halves over the start-up channel (the s-core's boot-time message, never the GP
 * mailbox), and both derive K_uuid = KDFe(Z.x, 'TZTCM', uuid, idTDDL) (TPM 2.0 Part 1 §11.4.10.3).
 * The ephemeral private key is dropped as soon as K_uuid is derived.
 * @module
 */
import type { CryptoSuite, RandomSource } from '../../crypto/index.ts';

export interface PairingHalf {
  readonly publicKey: Uint8Array;
  /** K_uuid from the peer's public key; throws a one-line Error for an invalid point */
  finish(peerPublic: Uint8Array): Uint8Array;
}

export function beginPairing(suite: CryptoSuite, rng: RandomSource, uuid: string, idTddl: string): PairingHalf {
  let sk: Uint8Array | null = suite.scalarFromSeed(rng.bytes(48));
  const publicKey = suite.publicKey(sk);
  return {
    publicKey,
    finish(peer) {
      if (!sk) throw new Error('pairing: this half has already been used');
      if (!suite.isValidPoint(peer)) throw new Error('pairing: the peer sent an invalid P-256 public key');
      const z = suite.pointX(suite.pointMul(peer, sk));
      sk = null;
      return suite.kdfe(z, 'TZTCM', Buffer.from(uuid, 'utf8'), Buffer.from(idTddl, 'utf8'), 256);
    },
  };
}
