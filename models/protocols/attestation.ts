/**
 * Protocol 1 — subsystem mutual attestation (seed 000, first protocol; design §Protocol 1).
 * @module
 */
import { pk } from '../terms.ts';
import { type Protocol, lt } from '../protocol.ts';
import { both } from '../edits.ts';
import { editMessage } from '../messages.ts';
import { quoteStatement, teeReport, teeToken, tpmToken } from '../parties/messages.ts';
import { ttpAttestation } from '../parties/ttp.ts';
import { teeAttestation } from '../parties/tee.ts';
import { tpmAttestation, tpmAttestationOnRealTpm } from '../parties/tpm.ts';

const pkTTP = pk(lt('skTTP', 'ttp'));

export const attestation: Protocol = {
  name: 'attestation',
  title: 'Subsystem mutual attestation through TTP tokens',
  source: 'design §Protocol 1; seed 000 (first protocol)',
  roles: [
    {
      role: 'TTP',
      machine: ttpAttestation(),
      agents: { self: 'TTP', node: 'TEE' },
      initiator: true,
      knows: {
        skTTP: lt('skTTP', 'self'),
        pkHW: pk(lt('skHW', 'node')),
        mTEE: lt('mTEE', 'node', 'digest'),
        pkAK: pk(lt('skAK', 'node')),
        pcr: lt('pcr', 'node', 'digest'),
        idTEE: lt('idTEE', 'node', 'const'),
        idTPM: lt('idTPM', 'node', 'const'),
      },
    },
    {
      role: 'TEE',
      machine: teeAttestation(),
      agents: { self: 'TEE', ttp: 'TTP' },
      initiator: false,
      knows: { skHW: lt('skHW', 'self'), mTEE: lt('mTEE', 'self', 'digest'), idTEE: lt('idTEE', 'self', 'const'), pkTTP },
    },
    {
      role: 'TPM',
      machine: tpmAttestation(),
      agents: { self: 'TPM', ttp: 'TTP' },
      initiator: false,
      realTpm: tpmAttestationOnRealTpm(),
      knows: { q: lt('q', 'self'), skAK: lt('skAK', 'self'), pcr: lt('pcr', 'self', 'digest'), idTPM: lt('idTPM', 'self', 'const'), pkTTP },
    },
  ],
  longTerm: [
    { name: 'skTTP', owner: 'TTP', sort: 'skey', reveal: 'RevealTTP' },
    { name: 'skHW', owner: 'TEE', sort: 'skey', reveal: 'RevealHW' },
    { name: 'mTEE', owner: 'TEE', sort: 'digest', public: true },
    { name: 'idTEE', owner: 'TEE', sort: 'const', public: true },
    { name: 'skAK', owner: 'TPM', sort: 'skey', reveal: 'RevealAK' },
    { name: 'q', owner: 'TPM', sort: 'skey', reveal: 'RevealQ' },
    { name: 'pcr', owner: 'TPM', sort: 'digest', public: true },
    { name: 'idTPM', owner: 'TPM', sort: 'const', public: true },
  ],
  deployment: { TTP: 'ttp', TEE: 'n1', TPM: 'n1' },
  properties: [
    {
      id: 'P1.1',
      kind: 'injective-agreement',
      statement: 'If the TTP accepts a TPM certify or quote, the genuine TPM produced it for this fresh nB (TPM→TTP on nB, Q, pcr).',
      tag: 'tpm-evidence',
      commit: 'TTP',
      running: 'TPM',
    },
    {
      id: 'P1.2',
      kind: 'non-injective-agreement',
      statement: 'The TTP issues a TEE token only for a key pk(skT) the genuine TEE of that node holds.',
      tag: 'tee-key',
      commit: 'TTP',
      running: 'TEE',
    },
    {
      id: 'P1.3',
      kind: 'non-injective-agreement',
      statement: "If the TEE accepts tokTPM for Q, the TTP issued it for Q on the TEE's own node.",
      tag: 'tok-tpm',
      commit: 'TEE',
      running: 'TTP',
    },
    {
      id: 'P1.4',
      kind: 'non-injective-agreement',
      statement: "If the TPM accepts tokTEE for pk(skT), the TTP issued it for pk(skT) on the TPM's own node.",
      tag: 'tok-tee',
      commit: 'TPM',
      running: 'TTP',
    },
  ],
  variants: [
    {
      id: 'M1.1',
      title: 'quote without nB: a stale quote is replayed',
      // the stale quote of one TTP session is replayed into a second one
      sessions: 2,
      breaks: ['P1.1'],
      edit: editMessage(['TPM', 'TTP'], quoteStatement, { omit: ['nonce'] }),
    },
    {
      id: 'M1.2',
      title: 'report does not bind pk(~skT): the attacker’s key gets a TEE token',
      breaks: ['P1.2'],
      edit: editMessage(['TEE', 'TTP'], teeReport, { omit: ['key'] }),
    },
    {
      id: 'M1.3',
      title: 'tokens without node: the TEE of node A accepts the TPM of node B',
      breaks: ['P1.3', 'P1.4'],
      edit: both(editMessage(['TTP', 'TEE', 'TPM'], tpmToken, { omit: ['node'] }), editMessage(['TTP', 'TEE', 'TPM'], teeToken, { omit: ['node'] })),
    },
  ],
};
