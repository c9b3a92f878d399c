/**
 * The trusted channel carries data (issue 20): protocol 2's salted, PolicySigned session, then a
 * bounded number of data records over it, each an NV_Write with the data parameter-encrypted and
 * an NV_Read of it with the response parameter-encrypted, every command and response HMAC'd over
 * the rolling nonces (models/parties/channel-records.ts; TPM 2.0 Part 1 §19.6, §21).
 *
 * `channelProtocol(n)` is the protocol at n records per session: the explorer decides `channel`
 * (two records per session, enough for a replay or a reorder between records), the runtime's
 * stream (impl/runtime/channel-stream.ts) runs the same machines at the records a session carries.
 * @module
 */
import type { Protocol } from '../protocol.ts';
import { roleOf } from '../role.ts';
import { editMessage } from '../messages.ts';
import { both, replaceSteps } from '../edits.ts';
import { let_ } from '../steps.ts';
import { c, kdfa } from '../terms.ts';
import { K } from '../parties/vocabulary.ts';
import { nvWriteMac, recordVars } from '../parties/channel-records.ts';
import { keyExchangeLongTerm, keyExchangeProperties, keyExchangeRoles } from './key-exchange.ts';

/** Records per session the explorer decides the channel at. */
export const CHANNEL_RECORDS = 2;

/** The role whose application's data the records carry and that reads them back (the TEE): the
 * one whose machine creates record 1's data (`fresh d1`), read off the machines. */
export function recordOwner(p: Protocol): string {
  let owner = OWNERS.get(p);
  if (owner) return owner;
  const d = recordVars(1).d.name;
  const r = p.roles.find((x) => roleOf(x.machine).transitions.some((t) => t.steps.some((s) => s.op === 'fresh' && s.v.name === d)));
  if (!r) throw new Error(`${p.name}: no role creates the records' data (${d})`);
  OWNERS.set(p, (owner = r.role));
  return owner;
}
const OWNERS = new WeakMap<Protocol, string>();

/** Built once per record count (a stream runs many sessions of the same count). */
const built = new Map<number, Protocol>();

export function channelProtocol(records: number): Protocol {
  if (!Number.isInteger(records) || records < 1) throw new RangeError(`a channel session carries at least one record, got ${records}`);
  let p = built.get(records);
  if (!p) built.set(records, (p = buildChannel(records)));
  return p;
}

function buildChannel(records: number): Protocol {
  return {
    name: 'channel',
    title: 'TEE–TPM trusted channel: data records over the key-exchange session (NV_Write / NV_Read, parameter encryption)',
    source: 'issue 20; seed 000 (the channel protects data in transit); TPM 2.0 Part 1 §19.6, §21',
    roles: keyExchangeRoles({ records }),
    longTerm: keyExchangeLongTerm,
    deployment: { TTP: 'ttp', TEE: 'n1', TPM: 'n1' },
    properties: [
      // the session itself, as protocol 2 states it (P2.4, forward secrecy, is protocol 2's question)
      ...keyExchangeProperties.filter((p) => p.id === 'P2.1' || p.id === 'P2.2'),
      { id: 'P6.1', kind: 'secrecy', statement: 'The data of every record stays secret.', tag: 'data' },
      {
        id: 'P6.2',
        kind: 'injective-agreement',
        statement: "The TPM writes record i only as the TEE's i-th record of this session, once (no replay, no reorder).",
        tag: 'record',
        commit: 'TPM',
        running: 'TEE',
      },
      {
        id: 'P6.3',
        kind: 'injective-agreement',
        statement: "The TEE accepts the read-back of record i only as the TPM's answer for record i of this session, once.",
        tag: 'readback',
        commit: 'TEE',
        running: 'TPM',
      },
      {
        id: 'P6.4',
        kind: 'injective-agreement',
        statement: 'At the close the TEE and the TPM agree on the whole stream (transcript hash): no record dropped, added or reordered unnoticed.',
        tag: 'stream',
        commit: 'TEE',
        running: 'TPM',
      },
    ],
    variants: [
      {
        id: 'M6.1',
        title: 'NV_Write without the rolling nonceTPM (HMAC and CFB key): an earlier record replays as a later one',
        // the replay needs a second record of the same session, nothing more. In TPM 2.0 the same
        // nonceTPM enters the command HMAC (Part 1 §19.6.5) and the parameter key (§21.2); a record
        // that does not roll it drops it from both. (Dropped from the HMAC alone, the explorer
        // still finds the replay — the TPM writes the replayed ciphertext decrypted under the
        // wrong key, i.e. garbage, as record i — but our runtime's decryption decodes the
        // plaintext and refuses the garbage, so that attack would not replay on real bytes.)
        breaks: ['P6.2'],
        edit: both(
          editMessage(['TEE', 'TPM'], nvWriteMac, { omit: ['nonceTPM'] }),
          replaceSteps(
            ['TEE', 'TPM'],
            (st) => st.op === 'let' && /^kw\d+$/.test(st.v.name),
            (st) => (st.op === 'let' ? [let_(st.v, kdfa(K.sKey, 'CFB', recordVars(Number(st.v.name.slice(2))).nCw, c('empty')), 'CFB key without nonceTPM')] : [st]),
          ),
        ),
      },
    ],
  };
}

export const channel: Protocol = channelProtocol(CHANNEL_RECORDS);
