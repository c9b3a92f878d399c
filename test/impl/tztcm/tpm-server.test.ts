/**
 * `tcv tztcm serve`'s server (impl/tztcm/net/tpm-server.ts) under bad input: the Microsoft
 * simulator framing and swtpm's raw framing, a length field up to 0xFFFFFFFF, garbage codes, a
 * client that disconnects mid-frame, many clients at once — each bad connection answered with
 * TPM_RC_COMMAND_SIZE or closed while the others are served and nothing reaches the TPM that
 * was not a whole command. The TPM behind it is a recording stub: the framing is the point.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { startTpmServer } from '../../../impl/tztcm/net/tpm-server.ts';
import { ListenError } from '../../../impl/tztcm/net/tpm-server.ts';
import { frame } from './fixtures/counting-engine.ts';

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** A connected client that collects what it receives and knows when the server closed it. */
async function client(port: number) {
  const s: Socket = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  let got = Buffer.alloc(0);
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  s.on('data', (d) => (got = Buffer.concat([got, d])));
  s.on('error', () => undefined);
  return {
    s,
    closed,
    send: (...b: Buffer[]) => s.write(Buffer.concat(b)),
    /** wait until at least n bytes arrived */
    async read(n: number) {
      for (let i = 0; i < 400 && got.length < n; i++) await new Promise((r) => setTimeout(r, 5));
      return got;
    },
  };
}

const sendCommand = (cmd: Uint8Array) => Buffer.concat([u32(8), Buffer.of(0), u32(cmd.length), Buffer.from(cmd)]);

async function rig(raw = false) {
  const seen: Uint8Array[] = [];
  const server = await startTpmServer({ port: 0, raw, transmit: async (c) => (seen.push(c), Uint8Array.of(0x80, 0x01, 0, 0, 0, 12, 0, 0, 0, 0, c.length >> 8, c.length & 0xff)) });
  return { server, seen };
}

test('mssim framing: TPM_SEND_COMMAND answered size || response || 0; TPM_SESSION_END closes', async () => {
  const { server, seen } = await rig();
  try {
    const c = await client(server.port);
    c.send(sendCommand(frame('abc')));
    const got = await c.read(20);
    assert.deepEqual([...got.subarray(0, 20)], [0, 0, 0, 12, 0x80, 1, 0, 0, 0, 12, 0, 0, 0, 0, 0, 13, 0, 0, 0, 0]);
    assert.equal(seen.length, 1);
    c.send(u32(20));
    await c.closed;
    // the platform port acknowledges power-on and NV-on as the mssim TCTI expects
    const p = await client(server.platformPort!);
    p.send(u32(1), u32(11));
    assert.deepEqual([...(await p.read(8))], [0, 0, 0, 0, 0, 0, 0, 0]);
    p.send(u32(0xdeadbeef));
    await p.closed;
  } finally {
    await server.close();
  }
});

test('a size field out of range (0 … 0xFFFFFFFF) is answered TPM_RC_COMMAND_SIZE and that connection closed; others are served', async () => {
  for (const raw of [false, true]) {
    const { server, seen } = await rig(raw);
    try {
      const good = await client(server.port);
      for (const size of [0, 9, 4097, 0xffffffff]) {
        const bad = await client(server.port);
        if (raw) bad.send(Buffer.of(0x80, 0x01), u32(size), u32(0x17b));
        else bad.send(u32(8), Buffer.of(0), u32(size));
        const got = await bad.read(raw ? 10 : 18);
        const rsp = raw ? got : got.subarray(4, 14);
        assert.equal(rsp.readUInt32BE(6), 0x142, `size ${size} (${raw ? 'raw' : 'mssim'}) → TPM_RC_COMMAND_SIZE`);
        await bad.closed;
      }
      good.send(raw ? Buffer.from(frame('ok')) : sendCommand(frame('ok')));
      assert.ok((await good.read(raw ? 12 : 20)).length >= 12, 'the other client is still served');
      assert.equal(seen.length, 1, 'only the whole command reached the TPM');
      good.s.destroy();
    } finally {
      await server.close();
    }
  }
});

test('garbage, and a client gone mid-frame, end only their own connection', async () => {
  const { server, seen } = await rig();
  try {
    const g = await client(server.port);
    g.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await g.closed;
    const cut = await client(server.port);
    cut.send(u32(8), Buffer.of(0), u32(100), Buffer.alloc(40));
    await new Promise((r) => setTimeout(r, 20));
    cut.s.destroy();
    const many = await Promise.all(Array.from({ length: 8 }, () => client(server.port)));
    many.forEach((c, i) => c.send(sendCommand(frame(`client${i}`))));
    for (const c of many) assert.ok((await c.read(20)).length >= 20);
    assert.equal(seen.length, 8, 'eight whole commands; the cut one never reached the TPM');
    for (const c of many) c.s.destroy();
  } finally {
    await server.close();
  }
  assert.equal(server.connections, 0, 'close leaves no connection open');
});

test('a TPM that cannot answer gives TPM_RC_FAILURE, not a dropped connection', async () => {
  const server = await startTpmServer({ port: 0, transmit: async () => Promise.reject(new Error('s-core gone')) });
  try {
    const c = await client(server.port);
    c.send(sendCommand(frame('x')));
    const got = await c.read(18);
    assert.equal(got.readUInt32BE(10), 0x101);
    c.s.destroy();
  } finally {
    await server.close();
  }
});

test('a port in use is a ListenError naming it', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    await assert.rejects(startTpmServer({ port, raw: true, transmit: async (c) => c }), (e: unknown) => e instanceof ListenError && /port \d+ on 127\.0\.0\.1 is already in use/.test(e.message));
  } finally {
    blocker.close();
  }
});
