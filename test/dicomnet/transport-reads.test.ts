// TCP sockets, accepted and connected, plain and TLS, read into one reused buffer (transport.ts): checked here
// on this Node version, so that an upgrade that takes the way there away is noticed, not silently
// slower.

import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect as tlsConnect } from 'node:tls';
import { connect as transportConnect, listen, takeChunks, READ_BUFFER_SIZE, type Listening, type TlsConfig } from '../../src-main/dicomnet/transport';
import { makeTestPki, type TestPki } from '../helpers/certs';

const servers: Listening[] = [];
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((l) => new Promise((r) => l.server.close(r))));
});

interface Received {
  socket: Socket;
  bytes: Buffer[];
  /** The memory each chunk was read into. */
  memory: ArrayBufferLike[];
}

/** A plain listener whose connections hand their chunks to takeChunks, recorded (copied). */
async function server(): Promise<{ port: number; received: Received[]; taken: boolean[] }> {
  const received: Received[] = [];
  const taken: boolean[] = [];
  const l = await listen({ host: '127.0.0.1', port: 0 }, (socket) => {
    const r: Received = { socket, bytes: [], memory: [] };
    received.push(r);
    taken.push(takeChunks(socket, (chunk) => {
      r.bytes.push(Buffer.from(chunk));
      r.memory.push(chunk.buffer);
    }));
    socket.resume();
  });
  servers.push(l);
  return { port: l.address.port, received, taken };
}

function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1', () => resolve(c));
    c.on('error', reject);
    clients.push(c);
  });
}

/** Waits (bounded) until `cond` holds. */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Our client connection to a peer that sends 'early' at once and echoes what it gets: the chunks
 * (those before takeChunks names its listener too) must arrive whole; returns the memory they were in.
 */
async function clientReads(makePeer: (onSocket: (c: Socket) => void) => Server, tls?: TlsConfig): Promise<ArrayBufferLike[]> {
  const peerSockets: Socket[] = [];
  const peer = makePeer((c) => {
    peerSockets.push(c);
    c.write(Buffer.from('early'));
    c.on('data', (d) => c.write(Buffer.from(`echo:${d.toString()}`)));
  });
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
  try {
    const port = (peer.address() as { port: number }).port;
    const { socket } = await transportConnect({ host: '127.0.0.1', port, timeoutMs: 3000, tls });
    clients.push(socket);
    await new Promise((r) => setTimeout(r, 100)); // 'early' arrives before anyone listens
    const got: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    expect(takeChunks(socket, (chunk) => { got.push(Buffer.from(chunk)); memory.add(chunk.buffer); })).toBe(true);
    socket.write('x');
    await until(() => Buffer.concat(got).toString() === 'earlyecho:x');
    socket.destroy();
    return [...memory];
  } finally {
    for (const c of peerSockets) c.destroy();
    await new Promise((r) => peer.close(r));
  }
}

describe('transport: reads of accepted plain sockets', () => {
  it('go to the chunk listener, all connections reading into one reused buffer, bytes intact', async () => {
    const s = await server();
    const a = await client(s.port);
    const b = await client(s.port);
    const payload = (seed: number) => Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * seed) & 0xff));
    for (let i = 0; i < 3; i++) {
      a.write(payload(3 + i));
      b.write(payload(7 + i));
      await until(() => s.received.length === 2 && s.received.every((r) => r.bytes.reduce((n, x) => n + x.length, 0) === (i + 1) * 300_000));
    }
    expect(s.taken).toEqual([true, true]);
    for (const [k, seeds] of [[0, [3, 4, 5]], [1, [7, 8, 9]]] as const) {
      const r = s.received.find((x) => x.socket.remotePort === (k === 0 ? a : b).localPort)!;
      expect(Buffer.concat(r.bytes).equals(Buffer.concat(seeds.map(payload)))).toBe(true);
    }
    const memory = new Set(s.received.flatMap((r) => r.memory));
    expect(memory.size).toBe(1); // one buffer, used again for every read of both connections
  });

  it('a socket made elsewhere is left to its data events', async () => {
    const s = await server();
    const c = await client(s.port);
    expect(takeChunks(c, () => undefined)).toBe(false);
  });

  it('the end of the stream and the close still arrive', async () => {
    const s = await server();
    const c = await client(s.port);
    c.end(Buffer.from('bye'));
    await until(() => s.received.length === 1);
    const r = s.received[0]!;
    const ended = new Promise<void>((res) => r.socket.on('end', () => { r.socket.end(); res(); }));
    r.socket.resume();
    await ended;
    await new Promise((res) => r.socket.on('close', res));
    expect(Buffer.concat(r.bytes).toString()).toBe('bye');
  });
});

describe('transport: reads of our plain client connections', () => {
  it('go to the chunk listener, with what the peer sent before the listener was named', async () => {
    const memory = await clientReads((onSocket) => createServer(onSocket));
    expect(memory.length).toBeGreaterThan(0);
  });
});

describe('transport: reads of TLS sockets (their cleartext)', () => {
  let pki: TestPki;
  beforeAll(async () => { pki = await makeTestPki(); });

  it('accepted: go to the chunk listener in the one reused buffer, bytes intact; pause holds them back; the end arrives', async () => {
    const received: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    let server: Socket | undefined;
    let taken: boolean | undefined;
    const l = await listen({ host: '127.0.0.1', port: 0, tls: { cert: pki.server.certPem, key: pki.server.keyPem } }, (socket) => {
      server = socket;
      taken = takeChunks(socket, (chunk) => { received.push(Buffer.from(chunk)); memory.add(chunk.buffer); });
      socket.resume();
    });
    servers.push(l);
    const c = tlsConnect({ host: '127.0.0.1', port: l.address.port, ca: pki.ca.certPem, checkServerIdentity: () => undefined });
    clients.push(c);
    await new Promise((r) => c.once('secureConnect', r));
    const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 13) & 0xff));
    c.write(payload);
    const total = () => received.reduce((n, x) => n + x.length, 0);
    await until(() => total() === payload.length);
    expect(taken).toBe(true);
    expect(memory.size).toBe(1);
    // Flow control (a slow disk pauses the association's input): nothing comes while paused.
    server!.pause();
    await new Promise((r) => setTimeout(r, 50));
    c.write(payload);
    await new Promise((r) => setTimeout(r, 150));
    const whilePaused = total();
    expect(whilePaused).toBeLessThan(2 * payload.length);
    const ended = new Promise<void>((res) => server!.on('end', () => { server!.end(); res(); }));
    server!.resume();
    c.end();
    await ended;
    expect(Buffer.concat(received).equals(Buffer.concat([payload, payload]))).toBe(true);
  });

  it('connected: our TLS client reads into the reused buffer, with what came before the listener was named', async () => {
    const { createServer: createTlsServer } = await import('node:tls');
    const memory = await clientReads((onSocket) => createTlsServer({ cert: pki.server.certPem, key: pki.server.keyPem }, onSocket), { ca: [pki.ca.certPem] });
    // 'early' was kept as a copy; what came after the listener was named, in the shared buffer.
    expect(memory.map((m) => m.byteLength)).toContain(READ_BUFFER_SIZE);
  });
});
