import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protocolByName } from '../../models/protocols/index.ts';
import { CLASSIC_PROTOCOLS } from '../../models/classic/index.ts';
import { targetOf } from '../../models/target.ts';
import { exportProverif } from '../../proofs-export/proverif/model.ts';
import { modelProblems } from '../../proofs-export/proverif/check.ts';
import { type PvDecl, type PvStep, papp, pvar } from '../../proofs-export/proverif/ast.ts';
import { totalDecryptionDecls } from '../../proofs-export/proverif/cfb-decryption.ts';

// AES-CFB under a KDFa 'CFB' key always decrypts (impl/runtime/primitives.ts sdec; the explorer
// keeps the stuck term). provisioning M3.2 drops the response HMAC: the TEE must take whatever
// the attacker sent as S, or ProVerif cannot find the attack the explorer finds on P3.2.

const lineOf = (text: string, re: RegExp) => text.split('\n').find((l) => re.test(l)) ?? '';

test('provisioning M3.2: the TEE decrypts the Unseal response with the total CFB decryption, a constructor with the rule as an equation', () => {
  const { text } = exportProverif(targetOf(protocolByName('provisioning'), 'M3.2'));
  assert.match(lineOf(text, /^\s*let .*\bS\b.* = .*\bct\b/), /let S: bitstring = sdec_cfb_bytes\(ct, kdfa\(sKey, c_CFB,/);
  assert.match(text, /\nfun sdec_cfb_bytes\(bitstring, bitstring\): bitstring\.\n/, 'a public constructor: the stuck value is the term itself');
  assert.match(text, /\nequation forall m: bitstring, k: bitstring; sdec_cfb_bytes\(senc\(\(c_ty_bytes, m\), k\), k\) = m\.\n/);
});

test('channel: a CFB key behind a let variable (kw1) is seen; an AEAD decryption (nssk, andrew-rpc) still fails on a foreign ciphertext', () => {
  const ch = exportProverif(targetOf(protocolByName('channel'))).text;
  assert.match(ch, /let w1: bitstring = sdec_cfb_bytes\(ctw1, kw1\) in/);
  assert.doesNotMatch(ch, /= sdec\([^)]*\bc_CFB\b/);
  for (const p of CLASSIC_PROTOCOLS) assert.doesNotMatch(exportProverif(targetOf(p)).text, /_cfb/, p.name);
});

test('the checker rejects a failing decryption under a CFB key (the export before this fix) and a right side with a variable of its own', () => {
  const decls = (body: PvStep[], extra: PvDecl[] = []): PvDecl[] => [
    { k: 'free', name: 'c', type: 'channel' },
    { k: 'const', name: 'c_CFB' },
    { k: 'const', name: 'c_ty_bytes' },
    { k: 'fun', name: 'senc', arity: 2, result: 'bitstring', private: false },
    { k: 'fun', name: 'kdfa', arity: 4, result: 'bitstring', private: false },
    { k: 'reduc', vars: ['m', 'k'], lhs: papp('sdec', papp('senc', pvar('m'), pvar('k')), pvar('k')), rhs: pvar('m') },
    ...totalDecryptionDecls('sdec', 'c_ty_bytes'),
    ...extra,
    { k: 'let', name: 'Role_A', params: ['s'], body: [{ k: 'in', pattern: { k: 'bind', name: 'ct' } }, { k: 'let', pattern: { k: 'bind', name: 'kE' }, t: papp('kdfa', pvar('s'), pvar('c_CFB'), pvar('s'), pvar('s')) }, ...body] },
  ];
  const strict: PvStep = { k: 'let', pattern: { k: 'tuple', items: [{ k: 'eq', t: pvar('c_ty_bytes') }, { k: 'bind', name: 'S' }] }, t: papp('sdec', pvar('ct'), pvar('kE')) };
  const total: PvStep = { k: 'let', pattern: { k: 'bind', name: 'S' }, t: papp('sdec_cfb_bytes', pvar('ct'), pvar('kE')) };
  const compare: PvStep = { k: 'let', pattern: { k: 'tuple', items: [{ k: 'eq', t: pvar('c_ty_bytes') }, { k: 'eq', t: pvar('s') }] }, t: papp('sdec', pvar('ct'), pvar('kE')) };
  assert.deepEqual(modelProblems(decls([total])), []);
  assert.deepEqual(modelProblems(decls([compare])), [], 'a comparison may fail after any decryption');
  assert.match(modelProblems(decls([strict])).join('\n'), /'sdec' under a CFB key may fail here, but AES-CFB always decrypts/);
  const badRhs: PvDecl = { k: 'reduc', vars: ['x', 'y'], lhs: papp('first', pvar('x')), rhs: pvar('y') };
  assert.match(modelProblems(decls([total], [badRhs])).join('\n'), /'y' on the right side is not bound by the left side/);
  const badEq: PvDecl = { k: 'equation', vars: ['x', 'y'], lhs: papp('senc', pvar('x'), pvar('x')), rhs: pvar('y') };
  assert.match(modelProblems(decls([total], [badEq])).join('\n'), /equation: 'y' on the right side is not bound by the left side/);
  const onDestructor: PvDecl = { k: 'equation', vars: ['m', 'k'], lhs: papp('sdec', papp('senc', pvar('m'), pvar('k')), pvar('k')), rhs: pvar('m') };
  assert.match(modelProblems(decls([total], [onDestructor])).join('\n'), /equation: 'sdec' is a destructor; it cannot appear in an equation or a rewrite rule/);
});

