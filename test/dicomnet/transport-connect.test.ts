// The connect steps of the transport: a name with several addresses is tried address by address
// (a refusal on one goes on to the next), and when all fail the error is the connect step's. And a
// caller's address as users write it.

import { createConnection, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DicomNet } from '../../src-main/dicomnet/dicom-net';
import { callerAddress, connect, listen, TransportError, type Listening } from '../../src-main/dicomnet/transport';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A TCP listener on IPv4 loopback only (as DCMTK's storescp listens by default). */
async function ipv4Only(): Promise<number> {
  const s = createServer((socket) => socket.end());
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as { port: number }).port;
}

describe('transport connect: every address of a name', () => {
  it('a name that is ::1 then 127.0.0.1 (as localhost often is), a service on IPv4 only: refused on ::1, connected on 127.0.0.1', async () => {
    const port = await ipv4Only();
    const r = await connect({ host: 'twohomed.invalid', port, timeoutMs: 3000, resolveAll: async () => ['::1', '127.0.0.1'] });
    try {
      expect(r.address).toBe('127.0.0.1');
      expect(r.socket.remoteAddress).toBe('127.0.0.1');
    } finally {
      r.socket.destroy();
    }
  });

  it('every address refused: the connect step fails, naming the host as given', async () => {
    const port = await ipv4Only();
    servers.splice(0).forEach((s) => s.close()); // nothing listens on that port now
    const err = await connect({ host: 'twohomed.invalid', port, timeoutMs: 3000, resolveAll: async () => ['::1', '127.0.0.1'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ step: 'connect', code: 'refused' });
    expect((err as TransportError).plain).toMatch(/^Nothing is listening on twohomed\.invalid:\d+/);
  });

  it('a name without addresses fails at the resolve step', async () => {
    const err = await connect({ host: 'nowhere.invalid', port: 104, timeoutMs: 3000, resolveAll: async () => [] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'resolve' });
  });
});

describe('callerAddress', () => {
  it('shows an IPv4 caller of a dual-stack listener as its IPv4 address, and leaves the rest alone', () => {
    expect(callerAddress('::ffff:10.0.0.5')).toBe('10.0.0.5');
    expect(callerAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(callerAddress('::1')).toBe('::1');
    expect(callerAddress('fe80::1')).toBe('fe80::1');
    expect(callerAddress('::ffff:zz')).toBe('::ffff:zz');
    expect(callerAddress('192.168.1.20')).toBe('192.168.1.20');
  });

  it('a listener on all interfaces announces an IPv4 caller as 127.0.0.1, not ::ffff:127.0.0.1', async () => {
    const net = DicomNet.startup();
    try {
      const seen: string[] = [];
      net.on('connection', (c) => { seen.push(c.remoteAddress); net.accept()?.abort(); });
      const { port } = await net.listen({ port: 0 });
      const s = createConnection({ host: '127.0.0.1', port });
      s.on('error', () => undefined);
      await expect.poll(() => seen).toEqual(['127.0.0.1']);
      s.destroy();
    } finally {
      await net.close(0);
    }
  });
});

describe('transport listen on a name: every address it has, one port', () => {
  const listening: Listening[] = [];
  afterEach(async () => {
    for (const l of listening.splice(0)) await Promise.all([l.server, ...l.others].map((s) => new Promise((r) => s.close(r))));
  });

  /** Connects to host:port and resolves with whether the listener took the connection. */
  const reaches = (host: string, port: number) => new Promise<boolean>((resolve) => {
    const s = createConnection({ host, port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });

  it("a name that is ::1 and 127.0.0.1 (as 'localhost' often is): callers of both are taken, on one port", async () => {
    const taken: string[] = [];
    const l = await listen({ host: 'dualhome.invalid', port: 0, resolveAll: async () => ['::1', '127.0.0.1'] }, (s) => { taken.push(callerAddress(s.remoteAddress ?? '')); s.destroy(); });
    listening.push(l);
    expect(l.address.host).toBe('dualhome.invalid');
    expect(l.others).toHaveLength(1);
    expect(await reaches('::1', l.address.port)).toBe(true);
    expect(await reaches('127.0.0.1', l.address.port)).toBe(true);
    await expect.poll(() => taken.sort()).toEqual(['127.0.0.1', '::1']);
  });

  it('an address of the name this machine does not have is left out; none at all is an error', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine, so binding it fails here.
    const l = await listen({ host: 'partly.invalid', port: 0, resolveAll: async () => ['192.0.2.1', '127.0.0.1'] }, (s) => s.destroy());
    listening.push(l);
    expect(l.others).toHaveLength(0);
    expect(await reaches('127.0.0.1', l.address.port)).toBe(true);
    await expect(listen({ host: 'nowhere.invalid', port: 0, resolveAll: async () => ['192.0.2.1'] }, (s) => s.destroy())).rejects.toThrow(/is not an address of this machine/);
    await expect(listen({ host: 'nameless.invalid', port: 0, resolveAll: async () => { throw Object.assign(new Error('x'), { code: 'ENOTFOUND' }); } }, (s) => s.destroy())).rejects.toThrow(/nameless\.invalid is not a name this machine can resolve \(ENOTFOUND\)/);
  });
});
