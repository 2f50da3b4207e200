// A scripted DICOM peer for odd sequences: a raw socket whose received bytes are framed into PDUs
// (with our own framer/decoder) and which sends whatever bytes the test tells it to.

import { connect, createServer, type Server, type Socket } from 'node:net';
import { decodePdu } from '../../src-main/dicomnet/pdu/decode';
import { PduFramer } from '../../src-main/dicomnet/pdu/framer';
import type { Pdu } from '../../src-main/dicomnet/pdu/types';

export class ScriptedPeer {
  /** Every PDU received, in order. */
  readonly received: Pdu[] = [];
  /** Received PDUs not yet taken by next(), by type. */
  private readonly unread = new Map<number, Pdu[]>();
  private readonly waiters = new Map<number, ((p: Pdu) => void)[]>();
  closed = false;
  private readonly closedPromise: Promise<void>;

  constructor(readonly socket: Socket) {
    const framer = new PduFramer({ maxPduLength: 16 * 1024 * 1024 }, (type, body) => {
      const pdu = decodePdu(type, Buffer.from(body)); // a copy: the framer's body is valid only during this call
      this.received.push(pdu);
      const waiter = this.waiters.get(type)?.shift();
      if (waiter) waiter(pdu);
      else this.unread.set(type, [...(this.unread.get(type) ?? []), pdu]);
    }, () => undefined);
    socket.setNoDelay(true);
    socket.on('data', (c) => framer.push(c));
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((r) => socket.on('close', () => { this.closed = true; r(); }));
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with the next unread PDU of `type` (bounded by `timeoutMs`). */
  next(type: number, timeoutMs = 3000): Promise<Pdu> {
    const queued = this.unread.get(type)?.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no PDU of type ${type} within ${timeoutMs} ms; got ${this.received.map((p) => p.type).join(',')}`)), timeoutMs);
      this.waiters.set(type, [...(this.waiters.get(type) ?? []), (p) => { clearTimeout(timer); resolve(p); }]);
    });
  }

  whenClosed(timeoutMs = 3000): Promise<boolean> {
    return Promise.race([this.closedPromise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs))]);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Listens on loopback; each connection becomes a ScriptedPeer handed to `onPeer`. */
export async function scriptedServer(onPeer: (peer: ScriptedPeer) => void): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    onPeer(new ScriptedPeer(s));
  });
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    server,
    port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

/** Connects a ScriptedPeer to 127.0.0.1:port. */
export function scriptedClient(port: number): Promise<ScriptedPeer> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(new ScriptedPeer(s)));
    s.once('error', reject);
  });
}
