/**
 * Protocol 3 — TPM-to-TEE secret provisioning: TPM2_Unseal inside the protocol 2 session,
 * response HMAC and response parameter encryption (seed 000, third protocol; design §Protocol 3).
 * @module
 */
import { type Protocol } from '../protocol.ts';
import { both, dropCheck, replaceSteps } from '../edits.ts';
import { let_ } from '../steps.ts';
import { K } from '../parties/vocabulary.ts';
import { keyExchangeLongTerm, keyExchangeRoles } from './key-exchange.ts';

export const provisioning: Protocol = {
  name: 'provisioning',
  title: 'TPM-to-TEE secret provisioning (Unseal with encrypted response)',
  source: 'design §Protocol 3; seed 000 (third protocol)',
  roles: keyExchangeRoles({ unseal: true }),
  longTerm: [...keyExchangeLongTerm, { name: 'S', owner: 'TPM', sort: 'nonce' }, { name: 'pcr', owner: 'TPM', sort: 'digest', public: true }],
  deployment: { TTP: 'ttp', TEE: 'n1', TPM: 'n1' },
  properties: [
    { id: 'P3.1', kind: 'secrecy', statement: 'The sealed secret S stays secret.', tag: 'S' },
    {
      id: 'P3.2',
      kind: 'injective-agreement',
      statement: 'If the TEE accepts S, the TPM released it in this session (injective agreement on <S, nC, nT>).',
      tag: 'secret',
      commit: 'TEE',
      running: 'TPM',
    },
  ],
  variants: [
    {
      id: 'M3.1',
      title: 'Unseal response without encryption: S leaks',
      breaks: ['P3.1'],
      edit: both(
        replaceSteps(['TPM'], (s) => s.op === 'let' && s.v.name === 'ct', () => [let_(K.ct, K.S, 'no encryption')]),
        replaceSteps(['TEE'], (s) => s.op === 'let' && s.v.name === 'S', () => [let_(K.S, K.ct, 'no decryption')]),
      ),
    },
    {
      id: 'M3.2',
      title: 'Unseal response without HMAC: the attacker substitutes its own S',
      breaks: ['P3.2'],
      edit: dropCheck(['TEE'], 'Unseal response HMAC'),
    },
  ],
};
