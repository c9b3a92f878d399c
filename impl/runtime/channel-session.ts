/**
 * One session of the channel (models/protocols/channel.ts) with the TEE application's data as the
 * TEE machine's records: `channelProtocol(n)` for the n records the session carries, each record's
 * data handed to the TEE machine's `fresh` step for it (RunOptions.inputs), and what the TEE
 * machine read back and checked (its `b` variables) taken from its environment afterwards. The
 * machines do everything else: key exchange, parameter encryption, HMACs, rolling nonces.
 *
 * `localChannelSession` runs it against our TPM machine; impl/tpm2-bridge/channel-on-tpm.ts runs
 * the same against a real TPM 2.0.
 * @module
 */
import { channelProtocol, recordOwner } from '../../models/protocols/channel.ts';
import { recordVars } from '../../models/parties/channel-records.ts';
import type { CryptoSuite } from '../crypto/index.ts';
import { bytesV, type Value } from '../wire/value.ts';
import { ProtocolRun } from './session.ts';

/** What one session of the channel did. */
export interface ChannelSessionResult {
  /** every party finished, every check held */
  readonly ok: boolean;
  /** the records the TEE read back (and checked against what it wrote), in order */
  readonly readBack: readonly Uint8Array[];
  /** why not ok: the party, the transition and the check that failed, one line */
  readonly failure: string | null;
  /** messages on the network */
  readonly messages: number;
  /** TPM commands sent (a real TPM), 0 for our TPM machine */
  readonly tpmCommands: number;
}

/** `channelProtocol(n)`, built once per record count: building a session's machines (n records,
 * ~6n transitions) cost about as much as running them, and the concrete machines of
 * local-role.ts are kept per machine object, so a stream reuses one protocol per session size. */
const BUILT = new Map<number, ReturnType<typeof channelProtocol>>();
export function channelProtocolFor(records: number): ReturnType<typeof channelProtocol> {
  let p = BUILT.get(records);
  if (!p) BUILT.set(records, (p = channelProtocol(records)));
  return p;
}

/** Runs one session carrying `records` (each at most the channel's record size). */
export type ChannelSessionRunner = (records: readonly Uint8Array[]) => Promise<ChannelSessionResult>;

/** The TEE machine's input for record i's data: the application's bytes. */
export function recordInputs(records: readonly Uint8Array[]): (variable: string) => Value | undefined {
  const byName = new Map(records.map((r, i) => [recordVars(i + 1).d.name, bytesV(r)]));
  return (variable) => byName.get(variable);
}

/** What the TEE instance of `run` read back, and its failure or the run's. */
export function channelOutcome(run: ProtocolRun, records: number): Pick<ChannelSessionResult, 'ok' | 'readBack' | 'failure'> {
  const states = run.partyStates();
  const failed = states.find((s) => s.failure);
  const owner = recordOwner(run.protocol);
  const tee = states.find((s) => s.role === owner);
  const env = tee ? run.environmentOf(tee.instance) : {};
  const readBack: Uint8Array[] = [];
  for (let i = 1; i <= records; i++) {
    const b = env[recordVars(i).b.name];
    if (!b || b.k !== 'bytes') break;
    readBack.push(b.b);
  }
  const unfinished = states.find((s) => !s.done);
  const failure = failed?.failure
    ? `${failed.instance} ${failed.failure.code} in ${failed.failure.label}: ${failed.failure.message}`
    : unfinished
      ? `${unfinished.instance} stopped in state ${unfinished.state}`
      : null;
  return { ok: failure === null && readBack.length === records, readBack, failure };
}

export interface LocalChannelOptions {
  readonly suite?: CryptoSuite;
  readonly seed?: number;
  /** TEST ONLY: rewrite a message on the network before it is delivered (an attacker on the wire) */
  readonly tamper?: (label: string, bytes: Uint8Array) => Uint8Array;
}

/** One channel session against our TPM machine (both roles local actors of their machines). */
export function localChannelSession(opts: LocalChannelOptions = {}): ChannelSessionRunner {
  let sessions = 0;
  return async (records) => {
    const protocol = channelProtocolFor(records.length);
    const seed = opts.seed === undefined ? {} : { seed: opts.seed + sessions };
    sessions++;
    const run = new ProtocolRun(protocol, { ...seed, ...(opts.suite ? { suite: opts.suite } : {}), inputs: { [recordOwner(protocol)]: recordInputs(records) } });
    run.start();
    let messages = 0;
    for (;;) {
      const next = run.deliverable()[0] ?? run.network.pending()[0];
      if (!next) break;
      const changed = opts.tamper?.(next.label, next.bytes) ?? next.bytes;
      run.deliver(changed === next.bytes ? next.id : run.network.replace(next.id, changed).id);
      messages++;
    }
    run.stop();
    return { ...channelOutcome(run, records.length), messages, tpmCommands: 0 };
  };
}
