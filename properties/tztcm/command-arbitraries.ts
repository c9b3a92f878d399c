/**
 * Random TPM 2.0 command frames for the differential property against swtpm: valid commands of
 * the families the TZTCM engine implements (with deterministic inputs where the answer can be
 * compared octet for octet: fixed external keys and signatures, trial policy sessions, PCR
 * reads, NV contents), commands with out-of-range values, and malformed frames (cut short,
 * wrong size field up to 0xFFFFFFFF, wrong tag, unknown command code, trailing bytes, random
 * bytes). A command refers to loaded objects and sessions by slot (the i-th the TPM returned),
 * so each TPM gets the frame with its own handles.
 * @module
 */
import fc from 'fast-check';
import { ecdsaSignDigest } from '../../impl/crypto/ecdsa-digest.ts';
import { tpm2P256 } from '../../impl/crypto/index.ts';
import { marshal, TpmWriter } from '../../impl/tpm2/marshal-writer.ts';
import { writePcrSelection } from '../../impl/tpm2/pcr-selection.ts';
import { externalVerifyKeyPublic, sealedDataTemplate, signingKeyTemplate, storageKeyTemplate, writePublic, type TpmPublic } from '../../impl/tpm2/public-area.ts';
import { TPM_ALG, TPM_CC, TPM_RH } from '../../impl/tpm2/spec-constants.ts';

/** What a generated command needs from the TPM it is sent to. */
export interface Slots {
  readonly objects: readonly number[];
  readonly sessions: readonly number[];
}

export interface GenCommand {
  /** a name for the coverage count ('PCR_Read', 'malformed:truncate', …) */
  readonly kind: string;
  /** the command code whose response parser projects the answer (0: rc only) */
  readonly code: number;
  frame(s: Slots): Uint8Array;
}

const PW_AUTH = (auth: Uint8Array = new Uint8Array(0)) => marshal((w) => w.u32(TPM_RH.RS_PW).tpm2b(new Uint8Array(0)).u8(1).tpm2b(auth));

/** tag || size || code || handles || [authSize || auth] || params (Part 1 §18.2). */
export function frame(code: number, handles: readonly number[], params: Uint8Array, auth?: Uint8Array): Uint8Array {
  const w = new TpmWriter().u16(auth ? 0x8002 : 0x8001).u32(0).u32(code);
  for (const h of handles) w.u32(h >>> 0);
  if (auth) w.u32(auth.length).bytes(auth);
  const f = w.bytes(params).finish();
  new DataView(f.buffer).setUint32(2, f.length, false);
  return f;
}

const SK = tpm2P256.scalarFromSeed(new TextEncoder().encode('differential external key, fixed'));
const PK = tpm2P256.publicKey(SK);
const DIGEST = tpm2P256.hash(new TextEncoder().encode('a digest both TPMs verify'));
/** ECDSA r||s over DIGEST itself (prehash off): what TPM2_VerifySignature checks. */
const RS = ecdsaSignDigest(SK, DIGEST);
const GOOD_SIG = marshal((w) => w.u16(TPM_ALG.ECDSA).u16(TPM_ALG.SHA256).tpm2b(RS.subarray(0, 32)).tpm2b(RS.subarray(32)));

const slot = fc.nat({ max: 3 });
const pick = (xs: readonly number[], i: number, dflt: number) => xs[i] ?? dflt;
const objectRef = fc.oneof(
  slot.map((i) => (s: Slots) => pick(s.objects, i, 0x80000000 + i)),
  fc.constantFrom(0x80000007, 0x81000001, 0x81800000, TPM_RH.OWNER, TPM_RH.NULL, 0x01000000, 16).map((h) => () => h),
);
const sessionRef = fc.oneof(
  { weight: 4, arbitrary: slot.map((i) => (s: Slots) => pick(s.sessions, i, 0x03000000 + i)) },
  { weight: 1, arbitrary: fc.constantFrom(0x02000005, 0x03000007, 0x80000000, TPM_RH.RS_PW).map((h) => () => h) },
);

const BANKS = [TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384, TPM_ALG.SHA512];
const selection = fc.array(
  fc.record({ hashAlg: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...BANKS) }, { weight: 1, arbitrary: fc.constantFrom(TPM_ALG.NULL, 0x0005, 0x0012) }), pcrs: fc.uniqueArray(fc.nat({ max: 23 }), { maxLength: 6 }) }),
  { maxLength: 3 },
);
/** a TPML_PCR_SELECTION, sometimes with a sizeofSelect other than 3 */
const selectionBytes = fc.tuple(selection, fc.option(fc.nat({ max: 5 }), { freq: 8 })).map(([sel, size]) =>
  size === null
    ? marshal((w) => writePcrSelection(w, sel))
    : marshal((w) => {
        w.u32(sel.length);
        for (const b of sel) w.u16(b.hashAlg).u8(size).bytes(new Uint8Array(size).fill(0x11));
      }),
);

const templates: readonly TpmPublic[] = [
  storageKeyTemplate(),
  signingKeyTemplate(),
  sealedDataTemplate(new Uint8Array(0), { userWithAuth: true }),
  { ...signingKeyTemplate(), curveId: 0x0004 },
  { ...signingKeyTemplate(), scheme: null },
  { ...signingKeyTemplate(), nameAlg: TPM_ALG.NULL },
  { ...storageKeyTemplate(), symmetric: null },
  { ...signingKeyTemplate(), objectAttributes: signingKeyTemplate().objectAttributes | 0x1 },
  { ...sealedDataTemplate(new Uint8Array(5)) },
];
const template = fc.constantFrom(...templates.keys());
const HIERARCHY = fc.constantFrom(TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.NULL, TPM_RH.PLATFORM, 0x40000002, 0x4000000a);

function creation(t: TpmPublic, data: Uint8Array, userAuth: Uint8Array): Uint8Array {
  return marshal((w) => {
    w.sized((s) => s.tpm2b(userAuth).tpm2b(data));
    w.sized((p) => writePublic(p, t));
    w.tpm2b(new Uint8Array(0));
    writePcrSelection(w, []);
  });
}

const NV_INDICES = [0x01500016, 0x01500017];
const NV_ATTRS = [0x00060006 /* owner+auth read/write */, 0x00040004 /* auth only */, 0x00020002 | 0x00001000 /* owner, WRITEALL */, 0x00000002 /* no read bit */, 0x00060006 | 0x10 /* counter type */];

const valid: fc.Arbitrary<GenCommand>[] = [
  fc.nat({ max: 80 }).map((n) => ({ kind: 'GetRandom', code: TPM_CC.GetRandom, frame: () => frame(TPM_CC.GetRandom, [], marshal((w) => w.u16(n))) })),
  selectionBytes.map((sel) => ({ kind: 'PCR_Read', code: TPM_CC.PCR_Read, frame: () => frame(TPM_CC.PCR_Read, [], sel) })),
  fc.tuple(fc.constantFrom(16, 23, 16, 23, 17, 24, TPM_RH.NULL), fc.array(fc.tuple(fc.constantFrom(...BANKS, TPM_ALG.NULL), fc.nat(255)), { maxLength: 3 })).map(([pcr, ds]) => ({
    kind: 'PCR_Extend',
    code: TPM_CC.PCR_Extend,
    frame: () => frame(TPM_CC.PCR_Extend, [pcr], marshal((w) => {
      w.u32(ds.length);
      for (const [alg, b] of ds) w.u16(alg).bytes(new Uint8Array(({ 4: 20, 11: 32, 12: 48, 13: 64 } as Record<number, number>)[alg] ?? 0).fill(b));
    }), PW_AUTH()),
  })),
  fc.constantFrom(16, 23, 0, 17, 30).map((pcr) => ({ kind: 'PCR_Reset', code: TPM_CC.PCR_Reset, frame: () => frame(TPM_CC.PCR_Reset, [pcr], new Uint8Array(0), PW_AUTH()) })),
  fc.tuple(HIERARCHY, template, fc.boolean()).map(([h, t, wrongPw]) => ({
    kind: 'CreatePrimary',
    code: TPM_CC.CreatePrimary,
    frame: () => frame(TPM_CC.CreatePrimary, [h], creation(templates[t]!, templates[t]!.type === 'keyedhash' ? new Uint8Array(8).fill(7) : new Uint8Array(0), new Uint8Array(0)), PW_AUTH(wrongPw ? new Uint8Array([1]) : undefined)),
  })),
  fc.tuple(objectRef, template).map(([parent, t]) => ({
    kind: 'Create',
    code: TPM_CC.Create,
    frame: (s: Slots) => frame(TPM_CC.Create, [parent(s)], creation(templates[t]!, templates[t]!.type === 'keyedhash' ? new Uint8Array(4).fill(9) : new Uint8Array(0), new Uint8Array(0)), PW_AUTH()),
  })),
  fc.tuple(fc.constantFrom(TPM_RH.NULL, TPM_RH.OWNER, 0x40000003), fc.boolean()).map(([h, onCurve]) => ({
    kind: 'LoadExternal',
    code: TPM_CC.LoadExternal,
    frame: () => {
      const pub = externalVerifyKeyPublic(PK);
      const p = onCurve ? pub : { ...pub, y: new Uint8Array(32).fill(1) };
      return frame(TPM_CC.LoadExternal, [], marshal((w) => w.u16(0).sized((x) => writePublic(x, p)).u32(h)));
    },
  })),
  objectRef.map((o) => ({ kind: 'ReadPublic', code: TPM_CC.ReadPublic, frame: (s: Slots) => frame(TPM_CC.ReadPublic, [o(s)], new Uint8Array(0)) })),
  fc.oneof(objectRef, sessionRef).map((h) => ({ kind: 'FlushContext', code: TPM_CC.FlushContext, frame: (s: Slots) => frame(TPM_CC.FlushContext, [], marshal((w) => w.u32(h(s)))) })),
  fc.tuple(fc.constantFrom(0, 1, 3, 3, 3, 2), fc.constantFrom(16, 32, 32, 8, 40), fc.constantFrom('null', 'aes128', 'aes256', 'xor'), fc.constantFrom(TPM_ALG.SHA256, TPM_ALG.SHA256, TPM_ALG.SHA1, TPM_ALG.NULL)).map(([type, n, sym, hash]) => ({
    kind: 'StartAuthSession',
    code: TPM_CC.StartAuthSession,
    frame: () =>
      frame(TPM_CC.StartAuthSession, [TPM_RH.NULL, TPM_RH.NULL], marshal((w) => {
        w.tpm2b(new Uint8Array(n).fill(0x5a)).tpm2b(new Uint8Array(0)).u8(type);
        if (sym === 'null') w.u16(TPM_ALG.NULL);
        else if (sym === 'xor') w.u16(TPM_ALG.XOR).u16(TPM_ALG.SHA256);
        else w.u16(TPM_ALG.AES).u16(sym === 'aes128' ? 128 : 256).u16(TPM_ALG.CFB);
        w.u16(hash);
      })),
  })),
  fc.tuple(sessionRef, fc.constantFrom('PolicyAuthValue', 'PolicyPassword', 'PolicyRestart', 'PolicyGetDigest')).map(([sref, k]) => ({
    kind: k,
    code: (TPM_CC as Record<string, number>)[k]!,
    frame: (s: Slots) => frame((TPM_CC as Record<string, number>)[k]!, [sref(s)], new Uint8Array(0)),
  })),
  fc.tuple(sessionRef, fc.constantFrom(TPM_CC.Unseal, TPM_CC.NV_Read, 0x12345)).map(([sref, cc]) => ({
    kind: 'PolicyCommandCode',
    code: TPM_CC.PolicyCommandCode,
    frame: (s: Slots) => frame(TPM_CC.PolicyCommandCode, [sref(s)], marshal((w) => w.u32(cc))),
  })),
  fc.tuple(sessionRef, selectionBytes, fc.boolean()).map(([sref, sel, withDigest]) => ({
    kind: 'PolicyPCR',
    code: TPM_CC.PolicyPCR,
    frame: (s: Slots) => frame(TPM_CC.PolicyPCR, [sref(s)], marshal((w) => w.tpm2b(withDigest ? DIGEST : new Uint8Array(0)).bytes(sel))),
  })),
  fc.tuple(objectRef, fc.constantFrom('good', 'flipped', 'wrongAlg')).map(([o, which]) => ({
    kind: 'VerifySignature',
    code: TPM_CC.VerifySignature,
    frame: (s: Slots) => {
      const sig = which === 'good' ? GOOD_SIG : which === 'flipped' ? GOOD_SIG.map((b, i) => (i === 10 ? b ^ 1 : b)) : marshal((w) => w.u16(TPM_ALG.RSASSA).u16(TPM_ALG.SHA256).tpm2b(new Uint8Array(256)));
      return frame(TPM_CC.VerifySignature, [o(s)], marshal((w) => w.tpm2b(DIGEST).bytes(sig)));
    },
  })),
  fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...BANKS, TPM_ALG.NULL)).map(([data, alg]) => ({
    kind: 'Hash',
    code: TPM_CC.Hash,
    frame: () => frame(TPM_CC.Hash, [], marshal((w) => w.tpm2b(data).u16(alg).u32(TPM_RH.NULL))),
  })),
  fc.tuple(fc.constantFrom(...NV_INDICES, 0x02000000), fc.constantFrom(8, 32, 3000), fc.constantFrom(...NV_ATTRS)).map(([idx, size, attrs]) => ({
    kind: 'NV_DefineSpace',
    code: TPM_CC.NV_DefineSpace,
    frame: () => frame(TPM_CC.NV_DefineSpace, [TPM_RH.OWNER], marshal((w) => w.tpm2b(new Uint8Array(0)).sized((x) => x.u32(idx).u16(TPM_ALG.SHA256).u32(attrs).tpm2b(new Uint8Array(0)).u16(size))), PW_AUTH()),
  })),
  fc.tuple(fc.constantFrom(...NV_INDICES), fc.boolean(), fc.uint8Array({ maxLength: 12 }), fc.nat({ max: 30 })).map(([idx, asOwner, data, off]) => ({
    kind: 'NV_Write',
    code: TPM_CC.NV_Write,
    frame: () => frame(TPM_CC.NV_Write, [asOwner ? TPM_RH.OWNER : idx, idx], marshal((w) => w.tpm2b(data).u16(off)), PW_AUTH()),
  })),
  fc.tuple(fc.constantFrom(...NV_INDICES), fc.boolean(), fc.nat({ max: 12 }), fc.nat({ max: 30 })).map(([idx, asOwner, n, off]) => ({
    kind: 'NV_Read',
    code: TPM_CC.NV_Read,
    frame: () => frame(TPM_CC.NV_Read, [asOwner ? TPM_RH.OWNER : idx, idx], marshal((w) => w.u16(n).u16(off)), PW_AUTH()),
  })),
  fc.constantFrom(...NV_INDICES, 0x01000001).map((idx) => ({ kind: 'NV_ReadPublic', code: TPM_CC.NV_ReadPublic, frame: () => frame(TPM_CC.NV_ReadPublic, [idx], new Uint8Array(0)) })),
  fc.constantFrom(...NV_INDICES).map((idx) => ({ kind: 'NV_UndefineSpace', code: TPM_CC.NV_UndefineSpace, frame: () => frame(TPM_CC.NV_UndefineSpace, [TPM_RH.OWNER, idx], new Uint8Array(0), PW_AUTH()) })),
  fc.tuple(fc.constantFrom(0, 1, 2, 5, 6, 8, 10, 0x100), fc.constantFrom(0, 0x100, 0x80000000, 0x01000000, 16), fc.constantFrom(0, 1, 8, 200)).map(([cap, prop, count]) => ({
    kind: 'GetCapability',
    code: TPM_CC.GetCapability,
    frame: () => frame(TPM_CC.GetCapability, [], marshal((w) => w.u32(cap).u32(prop).u32(count))),
  })),
  fc.constantFrom(0, 1, 2).map((full) => ({ kind: 'SelfTest', code: TPM_CC.SelfTest, frame: () => frame(TPM_CC.SelfTest, [], Uint8Array.of(full)) })),
  fc.uint8Array({ maxLength: 40 }).map((d) => ({ kind: 'StirRandom', code: TPM_CC.StirRandom, frame: () => frame(TPM_CC.StirRandom, [], marshal((w) => w.tpm2b(d))) })),
  fc.boolean().map((wrong) => ({
    kind: 'Unseal',
    code: TPM_CC.Unseal,
    frame: (s: Slots) => frame(TPM_CC.Unseal, [s.objects[s.objects.length - 1] ?? 0x80000000], new Uint8Array(0), PW_AUTH(wrong ? new Uint8Array([2]) : undefined)),
  })),
];

const validCommand: fc.Arbitrary<GenCommand> = fc.oneof(...valid);

/** A valid command, then broken in one way (Part 1 §18: header, sizes, code; Part 3 §5). */
const malformed: fc.Arbitrary<GenCommand> = fc.tuple(validCommand, fc.constantFrom('truncate', 'size', 'tag', 'code', 'trailing', 'random', 'bitflip'), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 24 })).map(([c, how, n, bytes]) => ({
  kind: `malformed:${how}`,
  code: 0,
  frame: (s: Slots) => {
    const f = c.frame(s).slice();
    const dv = new DataView(f.buffer);
    switch (how) {
      case 'truncate': {
        const cut = f.slice(0, n % f.length);
        if (cut.length >= 6) new DataView(cut.buffer).setUint32(2, cut.length, false);
        return cut;
      }
      case 'size':
        dv.setUint32(2, [0, 9, f.length - 1, f.length + 1, 0xffffffff, n >>> 0][n % 6]! >>> 0, false);
        return f;
      case 'tag':
        dv.setUint16(0, [0x00c1, 0x8000, 0x8003, n & 0xffff][n % 4]!, false);
        return f;
      case 'code':
        dv.setUint32(6, [0x0000011f, 0x00000200, 0x20000000 | (n & 0xff), 0x0000019a][n % 4]!, false);
        return f;
      case 'trailing': {
        const t = new Uint8Array(f.length + bytes.length);
        t.set(f);
        t.set(bytes, f.length);
        new DataView(t.buffer).setUint32(2, t.length, false);
        return t;
      }
      case 'bitflip': {
        if (f.length > 10) f[10 + (n % (f.length - 10))]! ^= 1 << (n % 8);
        return f;
      }
      default:
        return bytes;
    }
  },
}));

/** fast-check prints a counterexample with this (the frame depends on the TPM's slots). */
function named(c: GenCommand): GenCommand {
  const hexOf = (s: Slots) => Buffer.from(c.frame(s)).toString('hex');
  return { ...c, [fc.toStringMethod]: () => `${c.kind}(${hexOf({ objects: [0x80000000, 0x80000001, 0x80000002], sessions: [0x03000000, 0x02000001, 0x03000002] })})` } as GenCommand;
}

export const commandArb: fc.Arbitrary<GenCommand> = fc.oneof({ weight: 4, arbitrary: validCommand }, { weight: 1, arbitrary: malformed }).map(named);
