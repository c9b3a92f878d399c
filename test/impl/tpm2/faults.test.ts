/**
 * Bad input and faults: tampered command and response HMACs, a killed swtpm, dropped
 * connections, short reads and silent peers end with typed errors and no hang; a missing swtpm
 * binary says how to install it; nothing is left running after a failed run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  SwtpmNotFoundError,
  SwtpmProcess,
  TPM_CC,
  TcpTpmTransport,
  TpmError,
  TpmResponseAuthError,
  TpmSessionClient,
  TpmTransportError,
  liveSwtpmCount,
  type LoadedObject,
  type TpmTransportErrorKind,
} from '../../../impl/tpm2/index.ts';
import { sealedDataTemplate, signingKeyTemplate } from '../../../impl/tpm2/public-area.ts';
import { create } from '../../../impl/tpm2/commands-object.ts';
import { commandCodeOf, flipByte, INTEROP_BACKENDS, InterceptingTransport, openBackend, openIntercepted, swtpmSkip, utf8, type InteropTpm } from './swtpm-fixture.ts';

const GET_RANDOM_16 = Uint8Array.from([0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 16]);

function isTransportError(kind: TpmTransportErrorKind) {
  return (e: unknown) => {
    assert.ok(e instanceof TpmTransportError, `expected TpmTransportError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    return true;
  };
}

/** Running (a zombie is not: in a container PID 1 may never reap an orphan that was killed). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

for (const b of INTEROP_BACKENDS)
describe(`tampering between the client and ${b.name}`, { skip: b.skip }, () => {
  let backend: InteropTpm;
  let wire: InterceptingTransport;
  let tpm: TpmSessionClient;
  let srk: LoadedObject;

  before(async () => {
    ({ backend, wire, tpm, srk } = await openIntercepted(b));
  });
  after(async () => {
    await backend?.close();
  });

  async function withSealed(attrs: { noDA: boolean }, body: (obj: LoadedObject) => Promise<void>): Promise<void> {
    const auth = utf8('pw');
    const tpl = sealedDataTemplate(new Uint8Array(0), { userWithAuth: true });
    const template = attrs.noDA ? tpl : { ...tpl, objectAttributes: tpl.objectAttributes & ~(1 << 10) };
    const obj = await tpm.load(srk, await create(tpm.executor, srk, template, { data: utf8('s'), userAuth: auth }), auth);
    try {
      await body(obj);
    } finally {
      await tpm.flush(obj);
    }
  }

  // Unseal has no parameters, so the last byte of its command frame is the last HMAC byte
  const tamperUnsealHmac = (cmd: Uint8Array) => (commandCodeOf(cmd) === TPM_CC.Unseal ? flipByte(cmd, -1) : cmd);

  it('a tampered command HMAC is refused: TPM_RC_BAD_AUTH for a noDA object (Part 1 §19.8.3 / libtpms IncrementLockout)', async () => {
    await withSealed({ noDA: true }, async (obj) => {
      const s = await tpm.startSaltedSession(srk, 'hmac');
      wire.rewriteCommand = tamperUnsealHmac;
      try {
        await assert.rejects(tpm.unseal(obj, s.session), (e: unknown) => {
          assert.ok(e instanceof TpmError);
          assert.equal(e.name, 'TPM_RC_BAD_AUTH');
          assert.equal(e.decoded.session, 1);
          return true;
        });
      } finally {
        wire.rewriteCommand = null;
        await tpm.flush(s.session);
      }
    });
  });

  it('… and TPM_RC_AUTH_FAIL for a DA-protected object (one failure, below the lockout threshold)', async () => {
    await withSealed({ noDA: false }, async (obj) => {
      const s = await tpm.startSaltedSession(srk, 'hmac');
      wire.rewriteCommand = tamperUnsealHmac;
      try {
        await assert.rejects(tpm.unseal(obj, s.session), (e: unknown) => e instanceof TpmError && e.name === 'TPM_RC_AUTH_FAIL');
      } finally {
        wire.rewriteCommand = null;
        await tpm.flush(s.session);
      }
    });
  });

  for (const [where, at] of [
    ['the encrypted outData', 16], // 10 header + 4 parameterSize + 2 outData.size
    ['the response HMAC', -1],
  ] as const) {
    it(`a tampered response (${where}) is refused by our response-HMAC check`, async () => {
      await withSealed({ noDA: true }, async (obj) => {
        const s = await tpm.startSaltedSession(srk, 'hmac');
        wire.rewriteResponse = (cmd, rsp) => (commandCodeOf(cmd) === TPM_CC.Unseal ? flipByte(rsp, at) : rsp);
        try {
          await assert.rejects(tpm.unseal(obj, s.session), (e: unknown) => {
            assert.ok(e instanceof TpmResponseAuthError, String(e));
            assert.match(e.message, /TPM2_Unseal: response HMAC .* does not verify/);
            return true;
          });
          // the session's nonces are now out of step with the TPM: it is refused locally
          assert.equal(s.session.open, false);
          await assert.rejects(tpm.unseal(obj, s.session), /closed/);
        } finally {
          wire.rewriteResponse = null;
          await tpm.flush(s.session);
        }
      });
    });
  }
});

for (const b of INTEROP_BACKENDS)
describe(`TPM error mapping (${b.name})`, { skip: b.skip }, () => {
  let backend: InteropTpm;
  before(async () => {
    backend = await openBackend(b);
  });
  after(async () => {
    await backend?.close();
  });

  const rejectsWith = (command: string, name: string, where: { handle?: number; parameter?: number }) => (e: unknown) => {
    assert.ok(e instanceof TpmError, String(e));
    assert.equal(e.command, command);
    assert.equal(e.name, name);
    if (where.handle !== undefined) assert.equal(e.decoded.handle, where.handle);
    if (where.parameter !== undefined) assert.equal(e.decoded.parameter, where.parameter);
    return true;
  };

  it('ReadPublic of an absent persistent handle: TPM_RC_HANDLE on handle 1', async () => {
    await assert.rejects(backend.client.readPublic(0x81000001), rejectsWith('TPM2_ReadPublic', 'TPM_RC_HANDLE', { handle: 1 }));
    await assert.rejects(backend.client.readPublic(0x81000001), /TPM2_ReadPublic failed: TPM_RC_HANDLE \(handle 1\) \[0x18b\]/);
  });

  it('ReadPublic of an unloaded transient handle: the warning TPM_RC_REFERENCE_H0', async () => {
    await assert.rejects(backend.client.readPublic(0x80000002), (e: unknown) => {
      assert.ok(e instanceof TpmError);
      assert.equal(e.name, 'TPM_RC_REFERENCE_H0');
      assert.equal(e.decoded.format, 'warning');
      return true;
    });
  });

  it('FlushContext of a session that does not exist: TPM_RC_HANDLE on parameter 1', async () => {
    await assert.rejects(backend.client.flush(0x02000000), rejectsWith('TPM2_FlushContext', 'TPM_RC_HANDLE', { parameter: 1 }));
  });

  it('only 3 transient objects fit without a resource manager: the 4th is TPM_RC_OBJECT_MEMORY', async () => {
    const loaded: LoadedObject[] = [];
    try {
      for (let i = 0; i < 3; i++) loaded.push(await backend.client.createAttestationKey());
      await assert.rejects(backend.client.createAttestationKey(), (e: unknown) => e instanceof TpmError && e.name === 'TPM_RC_OBJECT_MEMORY');
    } finally {
      for (const o of loaded) await backend.client.flush(o);
    }
    // flushing freed the slots
    await backend.client.flush(await backend.client.createAttestationKey());
  });

  it('a signing template with a bad curve is refused with a parameter-numbered code', async () => {
    const bad = { ...signingKeyTemplate(), curveId: 0x7777 };
    await assert.rejects(create(backend.client.executor, { handle: 0x40000001, name: new Uint8Array(4) }, bad, {}), (e: unknown) => {
      assert.ok(e instanceof TpmError);
      assert.equal(e.command, 'TPM2_Create');
      return true;
    });
  });
});

describe('swtpm killed or connection lost', { skip: swtpmSkip }, () => {
  it('swtpm killed mid-command: the pending command and later ones fail fast with a transport error', async () => {
    const swtpm = await SwtpmProcess.start();
    try {
      const tpm = new TpmSessionClient(await swtpm.connect({ responseTimeoutMs: 5000 }));
      await tpm.createStorageKey();
      const t0 = Date.now();
      const pending = tpm.createAttestationKey();
      swtpm.kill('SIGKILL');
      await assert.rejects(pending, (e: unknown) => e instanceof TpmTransportError && (e.kind === 'closed' || e.kind === 'short-read'));
      assert.ok(Date.now() - t0 < 2000, 'took too long to notice');
      await assert.rejects(tpm.createStorageKey(), TpmTransportError);
      await swtpm.waitExit();
      assert.equal(swtpm.running, false);
    } finally {
      await swtpm.stop();
    }
    assert.equal(existsSync(swtpm.stateDir), false);
  });
});

/** A fake TPM server that answers every command with `reply(socket)`. */
async function fakeTpm(reply: (s: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.once('data', () => reply(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => srv.close(() => r()));
    },
  };
}

describe('transport faults (fake TPM peers)', () => {
  const cases: { name: string; kind: TpmTransportErrorKind; reply: (s: net.Socket) => void }[] = [
    { name: 'peer hangs up without answering', kind: 'closed', reply: (s) => s.end() },
    {
      name: 'response cut short (header says 32, 20 arrive)',
      kind: 'short-read',
      reply: (s) => s.end(Uint8Array.from([0x80, 0x01, 0, 0, 0, 32, 0, 0, 0, 0, ...new Array(10).fill(0)])),
    },
    { name: 'peer never answers', kind: 'timeout', reply: () => undefined },
    { name: 'impossible response size', kind: 'malformed', reply: (s) => s.write(Uint8Array.from([0x80, 0x01, 0, 0, 0, 4, 0, 0, 0, 0])) },
  ];
  for (const c of cases) {
    it(`${c.name} → '${c.kind}'`, async () => {
      const fake = await fakeTpm(c.reply);
      try {
        const t = await TcpTpmTransport.connect({ port: fake.port, responseTimeoutMs: 300 });
        const t0 = Date.now();
        await assert.rejects(t.send(GET_RANDOM_16), isTransportError(c.kind));
        assert.ok(Date.now() - t0 < 2000);
        // the connection is poisoned: later commands fail at once instead of desynchronising
        await assert.rejects(t.send(GET_RANDOM_16), TpmTransportError);
        await t.close();
      } finally {
        await fake.close();
      }
    });
  }

  it('nothing listening → connect error', async () => {
    const fake = await fakeTpm(() => undefined);
    const port = fake.port;
    await fake.close();
    await assert.rejects(TcpTpmTransport.connect({ port }), isTransportError('connect'));
  });
});

describe('swtpm process lifecycle', () => {
  it('a missing binary gives an error saying how to install swtpm', async () => {
    await assert.rejects(SwtpmProcess.start({ binary: 'swtpm-not-installed-here' }), (e: unknown) => {
      assert.ok(e instanceof SwtpmNotFoundError);
      assert.match(e.message, /scripts\/install-swtpm\.sh/);
      assert.match(e.message, /apt-get install/);
      return true;
    });
  });

  it('stop() ends the process and removes its state directory', { skip: swtpmSkip }, async () => {
    const swtpm = await SwtpmProcess.start();
    const pid = swtpm.pid as number;
    assert.ok(pidAlive(pid));
    assert.ok(existsSync(swtpm.stateDir));
    await swtpm.stop();
    await swtpm.stop(); // idempotent
    assert.equal(pidAlive(pid), false);
    assert.equal(existsSync(swtpm.stateDir), false);
  });

  for (const how of ['process.exit(3)', "throw new Error('run failed')"]) {
    it(`a run that ends with ${how} leaves no swtpm and no state behind`, { skip: swtpmSkip }, () => {
      const script = [
        "import { SwtpmProcess } from './impl/tpm2/swtpm-process.ts';",
        'const p = await SwtpmProcess.start();',
        "console.log(JSON.stringify({ pid: p.pid, dir: p.stateDir }));",
        how + ';',
      ].join('\n');
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
      assert.notEqual(r.status, 0);
      const info = JSON.parse(r.stdout.trim().split('\n')[0] as string) as { pid: number; dir: string };
      assert.equal(pidAlive(info.pid), false, `swtpm ${info.pid} still running`);
      assert.equal(existsSync(info.dir), false);
    });
  }

  after(() => {
    assert.equal(liveSwtpmCount(), 0, 'a swtpm started by these tests was not stopped');
  });
});
