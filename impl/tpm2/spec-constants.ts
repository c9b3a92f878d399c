/**
 * Numeric constants of TPM 2.0 Part 2 (Structures) that the backend uses: command codes
 * (§6.5.2 TPM_CC), algorithm ids (§6.3 TPM_ALG_ID), ECC curves (§6.4 TPM_ECC_CURVE), structure
 * tags (§6.9 TPM_ST), startup types (§6.11 TPM_SU), session types (§6.12 TPM_SE), permanent
 * handles (§7.4 TPM_RH / TPM_RS_PW), object attributes (§8.3 TPMA_OBJECT) and session
 * attributes (§8.4 TPMA_SESSION). Only what the commands in this folder need.
 * @module
 */

/** TPM 2.0 Part 2 §6.5.2 TPM_CC. */
export const TPM_CC = Object.freeze({
  PCR_Reset: 0x0000013d,
  Certify: 0x00000148,
  CreatePrimary: 0x00000131,
  Startup: 0x00000144,
  Shutdown: 0x00000145,
  Create: 0x00000153,
  Load: 0x00000157,
  Quote: 0x00000158,
  Unseal: 0x0000015e,
  PolicySigned: 0x00000160,
  FlushContext: 0x00000165,
  LoadExternal: 0x00000167,
  ReadPublic: 0x00000173,
  StartAuthSession: 0x00000176,
  VerifySignature: 0x00000177,
  GetRandom: 0x0000017b,
  PCR_Read: 0x0000017e,
  PolicyPCR: 0x0000017f,
  PolicyRestart: 0x00000180,
  PCR_Extend: 0x00000182,
  PolicyGetDigest: 0x00000189,
  // the rest of what the TZTCM engine implements (impl/tztcm/engine)
  EvictControl: 0x00000120,
  NV_UndefineSpace: 0x00000122,
  Clear: 0x00000126,
  HierarchyChangeAuth: 0x00000129,
  NV_DefineSpace: 0x0000012a,
  NV_Write: 0x00000137,
  DictionaryAttackLockReset: 0x00000139,
  DictionaryAttackParameters: 0x0000013a,
  SelfTest: 0x00000143,
  StirRandom: 0x00000146,
  NV_Read: 0x0000014e,
  ObjectChangeAuth: 0x00000150,
  ContextLoad: 0x00000161,
  ContextSave: 0x00000162,
  PolicyAuthValue: 0x0000016b,
  PolicyCommandCode: 0x0000016c,
  NV_ReadPublic: 0x00000169,
  Sign: 0x0000015d,
  GetCapability: 0x0000017a,
  GetTestResult: 0x0000017c,
  ReadClock: 0x00000181,
  PolicyPassword: 0x0000018c,
  Hash: 0x0000017d,
  TestParms: 0x0000018a,
});

/** 'TPM2_Unseal' for 0x15e; `TPM_CC_0x…` for codes this backend does not name. */
export function commandName(code: number): string {
  for (const [name, value] of Object.entries(TPM_CC)) if (value === code) return `TPM2_${name}`;
  return `TPM_CC_0x${code.toString(16).padStart(8, '0')}`;
}

/** TPM 2.0 Part 2 §6.3 TPM_ALG_ID. */
export const TPM_ALG = Object.freeze({
  SHA1: 0x0004,
  HMAC: 0x0005,
  AES: 0x0006,
  KEYEDHASH: 0x0008,
  XOR: 0x000a,
  SHA256: 0x000b,
  NULL: 0x0010,
  SM3_256: 0x0012,
  SM4: 0x0013,
  ECDSA: 0x0018,
  ECDH: 0x0019,
  SM2: 0x001b,
  ECC: 0x0023,
  CFB: 0x0043,
  RSA: 0x0001,
  RSASSA: 0x0014,
  RSAES: 0x0015,
  RSAPSS: 0x0016,
  OAEP: 0x0017,
  SYMCIPHER: 0x0025,
  SHA384: 0x000c,
  SHA512: 0x000d,
});

/** TPM 2.0 Part 2 §6.4 TPM_ECC_CURVE. */
export const TPM_ECC_NIST_P256 = 0x0003;
/** TPM 2.0 Part 2 §6.4 TPM_ECC_SM2_P256: the SM2 recommended curve (GB/T 32918.5). */
export const TPM_ECC_SM2_P256 = 0x0020;

/** TPM 2.0 Part 2 §6.9 TPM_ST. */
export const TPM_ST = Object.freeze({
  NO_SESSIONS: 0x8001,
  SESSIONS: 0x8002,
  ATTEST_CERTIFY: 0x8017,
  ATTEST_QUOTE: 0x8018,
  VERIFIED: 0x8022,
  HASHCHECK: 0x8024,
  AUTH_SIGNED: 0x8025,
  CREATION: 0x8021,
  AUTH_SECRET: 0x8023,
});

/** TPM 2.0 Part 2 §6.11 TPM_SU. */
export const TPM_SU_CLEAR = 0x0000;
export const TPM_SU_STATE = 0x0001;

/** TPM 2.0 Part 2 §6.12 TPM_SE. */
export const TPM_SE = Object.freeze({ HMAC: 0x00, POLICY: 0x01, TRIAL: 0x03 });

/** TPM 2.0 Part 2 §7.4 permanent handles (TPM_RH) and the password session handle TPM_RS_PW. */
export const TPM_RH = Object.freeze({
  OWNER: 0x40000001,
  NULL: 0x40000007,
  RS_PW: 0x40000009,
  ENDORSEMENT: 0x4000000b,
  PLATFORM: 0x4000000c,
});

/** TPM 2.0 Part 2 §6.2 TPM_GENERATED_VALUE: the magic at the start of every TPMS_ATTEST. */
export const TPM_GENERATED_VALUE = 0xff544347;

/** TPM 2.0 Part 2 §8.3 TPMA_OBJECT bits. */
export const TPMA_OBJECT = Object.freeze({
  fixedTPM: 1 << 1,
  stClear: 1 << 2,
  fixedParent: 1 << 4,
  sensitiveDataOrigin: 1 << 5,
  userWithAuth: 1 << 6,
  adminWithPolicy: 1 << 7,
  noDA: 1 << 10,
  encryptedDuplication: 1 << 11,
  restricted: 1 << 16,
  decrypt: 1 << 17,
  sign: 1 << 18,
});

/** TPM 2.0 Part 2 §8.4 TPMA_SESSION bits. */
export const TPMA_SESSION = Object.freeze({
  continueSession: 0x01,
  auditExclusive: 0x02,
  auditReset: 0x04,
  decrypt: 0x20,
  encrypt: 0x40,
  audit: 0x80,
});

/** SHA-256 digest size: every nameAlg, session hash and policy hash here is SHA-256. */
export const SHA256_SIZE = 32;
