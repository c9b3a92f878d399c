/**
 * Shared setup for the TPM interop tests, which run once per backend — swtpm (libtpms, the TCG
 * reference code) and the TZTCM's own engine (impl/tztcm): whether swtpm is installed (its runs
 * skip with a printed reason only when it is not), a backend per suite, and transports that let
 * a test act as the network attacker (record, tamper with) between our client and the TPM.
 * @module
 */
import { findSwtpm, openSwtpmBackend, SWTPM_INSTALL_HINT, TpmSessionClient, type LoadedObject, type TpmTransport } from '../../../impl/tpm2/index.ts';
import { openTztcmBackend } from '../../../impl/tztcm/backend.ts';

/** false when swtpm is available, else the reason every interop suite is skipped. */
export const swtpmSkip: string | false = findSwtpm() ? false : `swtpm not installed; ${SWTPM_INSTALL_HINT}`;
if (swtpmSkip) console.log(`# tpm2 interop tests skipped: ${swtpmSkip}`);

/** What a suite holds of a backend: a client on a started TPM, and how to let go of it. */
export interface InteropTpm {
  readonly client: TpmSessionClient;
  close(): Promise<void>;
}

/** A TPM the interop suites run against. */
export interface InteropBackend {
  readonly name: 'swtpm' | 'tztcm';
  /** false, or why this backend's runs are skipped */
  readonly skip: string | false;
  open(): Promise<InteropTpm>;
}

/** Every interop suite runs against each of these. */
export const INTEROP_BACKENDS: readonly InteropBackend[] = [
  { name: 'swtpm', skip: swtpmSkip, open: () => openSwtpmBackend({ responseTimeoutMs: 10_000 }) },
  { name: 'tztcm', skip: false, open: () => openTztcmBackend() },
];

export function openBackend(b: InteropBackend = INTEROP_BACKENDS[0]!): Promise<InteropTpm> {
  return b.open();
}

/** Command code at bytes 6..9 of a command frame (TPM 2.0 Part 1 §18.2). */
export function commandCodeOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, frame.length).getUint32(6, false);
}

/** A transport in the middle: sees every frame and may rewrite commands and responses. */
export class InterceptingTransport implements TpmTransport {
  readonly commands: Uint8Array[] = [];
  readonly responses: Uint8Array[] = [];
  rewriteCommand: ((cmd: Uint8Array) => Uint8Array) | null = null;
  rewriteResponse: ((cmd: Uint8Array, rsp: Uint8Array) => Uint8Array) | null = null;

  constructor(private readonly inner: TpmTransport) {}

  async send(command: Uint8Array): Promise<Uint8Array> {
    const cmd = this.rewriteCommand ? this.rewriteCommand(command) : command;
    this.commands.push(cmd);
    const rsp = await this.inner.send(cmd);
    this.responses.push(rsp);
    return this.rewriteResponse ? this.rewriteResponse(cmd, rsp) : rsp;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export function flipByte(b: Uint8Array, index: number): Uint8Array {
  const c = b.slice();
  const i = index < 0 ? c.length + index : index;
  c[i] = (c[i] as number) ^ 0x01;
  return c;
}

export function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

export const utf8 = (s: string) => new TextEncoder().encode(s);

/** A private TPM with a recording transport between the client and it (the host's view of
 * the traffic) and an ECC storage key loaded: the set-up of the interop suites. */
export interface InterceptedTpm {
  readonly backend: InteropTpm;
  readonly wire: InterceptingTransport;
  readonly tpm: TpmSessionClient;
  readonly srk: LoadedObject;
}
export async function openIntercepted(b: InteropBackend = INTEROP_BACKENDS[0]!): Promise<InterceptedTpm> {
  const backend = await b.open();
  const wire = new InterceptingTransport(backend.client.transport);
  const tpm = new TpmSessionClient(wire);
  return { backend, wire, tpm, srk: await tpm.createStorageKey() };
}
