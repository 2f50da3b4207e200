// The transport under the Upper Layer (PS3.8 §9.1): TCP, or TLS over TCP (PS3.15 Annex B). Connect
// runs resolve, TCP connect and the TLS handshake as separate, timed steps, so a failure names the
// step it happened in. Every socket gets TCP_NODELAY: DICOM is request/response, and Nagle's
// algorithm with delayed ACKs adds 40 ms stalls per message.

import { createServer as createTcpServer, connect as tcpConnect, isIP, Socket, type Server } from 'node:net';
import type * as NodeTls from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { classifyTransportError, explainLocalCredentials, TransportError, type CertificateSummary, type StepTimings, type TransportStep } from './errors';
import { clientOptions, serverOptions, type TlsConfig } from './tls-policy';
import { nowMs } from '../clock';
import { WaitingRoom } from '../waiting-room';

export interface ListenOptions {
  /** Bind address; undefined = all interfaces. */
  readonly host?: string;
  readonly port: number;
  readonly tls?: TlsConfig;
  /** Limit for a client's TLS handshake (default 30 s). */
  readonly handshakeTimeoutMs?: number;
  /** A bind name's addresses, in order; default: the system resolver (as ConnectOptions.resolveAll). */
  readonly resolveAll?: (host: string) => Promise<readonly string[]>;
}

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsConfig;
  /** Limit for each step. */
  readonly timeoutMs: number;
  /**
   * A name's addresses, in order; default: the system resolver (getaddrinfo, as `node:dns` lookup).
   * Tests give a name two addresses this way (no name here has both an IPv6 and an IPv4 one).
   */
  readonly resolveAll?: (host: string) => Promise<readonly string[]>;
  /** Ends the step under way at once (Ctrl-C, the GUI's Cancel): a connect to a silent host waited out its timeout. */
  readonly signal?: AbortSignal;
}

export interface TlsSessionInfo {
  readonly protocol: string;
  readonly cipher: string;
  readonly peerCertificate?: CertificateSummary;
}

export interface ConnectResult {
  readonly socket: Socket;
  /** The address the name resolved to. */
  readonly address: string;
  readonly timings: Required<Pick<StepTimings, 'resolveMs' | 'connectMs'>> & Pick<StepTimings, 'tlsMs'>;
  readonly tls?: TlsSessionInfo;
}

export interface Listening {
  readonly server: Server;
  /** The listeners on a name's other addresses (see listen), on the same port. */
  readonly others: readonly Server[];
  readonly address: { readonly host: string; readonly port: number };
}

/**
 * Reads of TCP sockets, accepted and our own, plain and TLS (its cleartext), go into this one buffer, used again for every
 * read of every such socket (reads are handled one at a time, and each chunk is consumed before the
 * next read: pdu/framer.ts). Node's default gives every read fresh memory, which here cost ~0.45 ms of CPU per
 * MB received against ~0.18 ms into a reused buffer: most of a receiving SCP's time.
 *
 * 1 MiB, not 256 KiB: our SCP announces a 256 KiB Maximum Length, and a sender that uses it (ours
 * does) sent PDUs that never fitted one 256 KiB read, so the framer copied every one into its stage
 * before the data reached the disk. Interleaved, `dicomnet store` -> `dicomnet scp --storage`, 500 x
 * 1 MB, median of 8 (two sets): 725 -> 561 ms and 848 -> 644 ms (storescu -> storescp +B 454, 581);
 * over TLS 998 -> 916; 10 x 50 MB 357 -> 350 and over TLS 621 -> 563; storescu's 128 KiB PDUs, and
 * discarding, no different. One buffer for the whole process.
 */
export const READ_BUFFER_SIZE = 1024 * 1024;
let sharedReadBuffer: Buffer | undefined;
/**
 * Where a shared-buffer socket's chunks go, kept on the socket itself. Not in a WeakMap keyed by the
 * socket: its value (the association's listener) reaches the key, and V8's young-generation
 * collections keep such a value, so every connection since the last one survived it, and was
 * promoted: an SCP serving sequential associations copied ~2.3 MB and took 3-5 ms in each
 * collection, every ~450 associations (~9 us an association; ~0.2 ms with nothing retained).
 */
const kChunkSink = Symbol('dicomnet.chunkSink');
interface ChunkSink {
  listener: (chunk: Buffer) => void;
  /** Chunks read before takeChunks named the listener (copies). */
  early: Buffer[] | undefined;
}
type WithChunkSink = Socket & { [kChunkSink]?: ChunkSink };
/** A chunk of the shared buffer is being handled (see sharedOnread). */
let delivering = false;

/**
 * Sends the chunks of `socket` to `listener` if the socket reads into the shared buffer (each chunk
 * valid only during the call); false if it is an ordinary socket, whose 'data' events carry them.
 */
export function takeChunks(socket: Socket, listener: (chunk: Buffer) => void): boolean {
  const sink = (socket as WithChunkSink)[kChunkSink];
  if (!sink) return false;
  sink.listener = listener;
  const early = sink.early;
  sink.early = undefined;
  for (const chunk of early ?? []) listener(chunk);
  return true;
}

/** `onread` options for a socket that reads into the shared buffer; its chunks go to takeChunks' listener. */
function sharedOnread(socket: () => Socket | undefined, sink: ChunkSink): { buffer: Buffer; callback: (n: number, buf: Uint8Array) => boolean } {
  return {
    buffer: (sharedReadBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_SIZE)),
    callback: (n, buf) => {
      const s = socket();
      if (!s) return true;
      if (delivering) {
        // A read while a chunk is being handled would have overwritten it: libuv never does
        // that, and Node's TLS layer only for an empty write, which we never make. Should it happen
        // anyway, the connection ends here instead of going on with corrupt bytes.
        s.destroy(new Error('a read arrived while the previous one was being handled'));
        return false;
      }
      delivering = true;
      try {
        sink.listener(Buffer.from(buf.buffer, buf.byteOffset, n));
      } finally {
        delivering = false;
      }
      return true;
    },
  };
}

/**
 * The properties through which Node's own `onread` option works (net.Socket keeps the buffer, the
 * callback and the buffer generator under symbols of its own), found by value on two throwaway
 * sockets; null if this Node version does it differently.
 */
interface OnreadKeys {
  readonly buffer: symbol;
  readonly callback: symbol;
  readonly generator: symbol;
}
let onreadKeys: OnreadKeys | null | undefined;

function findOnreadKeys(): OnreadKeys | null {
  try {
    const buffer = Buffer.alloc(1);
    const callback = () => true;
    const generator = () => buffer;
    const fixed = new Socket({ onread: { buffer, callback } });
    const generated = new Socket({ onread: { buffer: generator, callback } });
    const keyOf = (s: Socket, value: unknown) => Object.getOwnPropertySymbols(s).filter((k) => (s as unknown as Record<symbol, unknown>)[k] === value);
    const [b, c, g, gFixed] = [keyOf(fixed, buffer), keyOf(fixed, callback), keyOf(generated, generator), keyOf(fixed, null)];
    fixed.destroy();
    generated.destroy();
    if (b.length !== 1 || c.length !== 1 || g.length !== 1 || !gFixed.includes(g[0]!)) return null;
    return { buffer: b[0]!, callback: c[0]!, generator: g[0]! };
  } catch {
    return null;
  }
}

/**
 * A socket Node made, reading into the shared buffer from now on: an accepted one, or a TLS socket
 * (its cleartext). Node offers `onread` only to a socket it is asked to create, and creates these
 * itself (the server's accepted sockets; TLS sockets wrapping a TCP connection, ours accepted or
 * connected in a step of its own). So the socket gets what Node's constructor gives an `onread`
 * socket: the user buffer on its handle, and the buffer and callback under net.Socket's keys. Called
 * before the first read it should take. Returns where its chunks go; undefined, and the socket keeps
 * its 'data' events (takeChunks says false), should this Node version lack what it needs.
 */
function useSharedReadBuffer(socket: Socket): ChunkSink | undefined {
  const keys = (onreadKeys ??= findOnreadKeys());
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Buffer) => void } | null })._handle;
  if (!keys || typeof handle?.useUserBuffer !== 'function') return undefined;
  const sink = registerChunks(socket);
  const { buffer, callback } = sharedOnread(() => socket, sink);
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[keys.buffer] = buffer;
  fields[keys.callback] = callback;
  fields[keys.generator] = null;
  handle.useUserBuffer(buffer);
  return sink;
}

/**
 * TLS: without the shared buffer every 16 KiB record of cleartext came in fresh memory: measured
 * with 500 x 1 MB received over TLS, 0.20 -> 0.11 s of user CPU and 0.11 -> 0.06 s of system time,
 * and +38 -> +8 MB of peak memory over idle (the records' memory waits for V8's next collection).
 * Called at the end of the handshake; cleartext read before it anyway (none is expected) comes first.
 */
function tlsWithSharedReadBuffer(socket: TLSSocket): void {
  const early = useSharedReadBuffer(socket)?.early;
  if (!early) return;
  for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) early.push(chunk);
}

/** Until takeChunks names its listener, a socket's chunks are kept (copied), not lost. */
function newChunkSink(): ChunkSink {
  const early: Buffer[] = [];
  return { listener: (chunk) => { early.push(Buffer.from(chunk)); }, early };
}

function registerChunks(socket: Socket, sink = newChunkSink()): ChunkSink {
  (socket as WithChunkSink)[kChunkSink] = sink;
  return sink;
}

/**
 * A caller's address as users write it: on a dual-stack listener (the default, all interfaces) an
 * IPv4 caller shows as '::ffff:10.0.0.5' (RFC 4291 §2.5.5.2); that is 10.0.0.5.
 */
export function callerAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function remoteOf(socket: Socket): { address: string; port: number } | undefined {
  if (socket.remoteAddress) return { address: callerAddress(socket.remoteAddress), port: socket.remotePort ?? 0 };
  // A caller that hung up during the handshake has taken the TLS socket's address with it; the TCP
  // socket under it (node:tls keeps it as `_parent`) remembers the one read when it arrived.
  const tcp = (socket as Socket & { _parent?: Socket | null })._parent;
  return tcp?.remoteAddress ? { address: callerAddress(tcp.remoteAddress), port: tcp.remotePort ?? 0 } : undefined;
}

/**
 * Every address of `host`, in the resolver's order: `resolveAll` when given, else the system's
 * (getaddrinfo, as node:dns lookup; loaded here, not at the top: most peers are given as addresses,
 * and `dicomnet echo` starts faster).
 */
function addressesOf(host: string, resolveAll?: (host: string) => Promise<readonly string[]>): Promise<readonly string[]> {
  return resolveAll?.(host) ?? process.getBuiltinModule('node:dns/promises').lookup(host, { all: true }).then((r) => r.map((a) => a.address));
}

type OnTlsError = (err: Error, remote: { address: string; port: number } | undefined) => void;

/**
 * Starts a plain or TLS listener; `onConnection` gets each socket (TLS: after the handshake). A bind
 * address given as a name listens on every address the name has, on one port: 'localhost' is often
 * ::1 and 127.0.0.1, and the first alone turned away callers of the other (node:net binds one).
 * Addresses of the name that this machine cannot bind (IPv6 turned off) are left out; none at all
 * is the first one's error.
 */
export async function listen(options: ListenOptions, onConnection: (socket: Socket) => void, onTlsError?: OnTlsError): Promise<Listening> {
  if (options.host === undefined || options.host === '' || isIP(options.host) !== 0) return listenOn(options, onConnection, onTlsError);
  let addresses: readonly string[];
  try {
    addresses = await addressesOf(options.host, options.resolveAll);
  } catch (err) {
    throw new Error(`${options.host} is not a name this machine can resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give one of its addresses, or leave the bind address empty for all.`, { cause: err });
  }
  const bound: Listening[] = [];
  let firstError: unknown;
  for (const host of new Set(addresses)) {
    try {
      bound.push(await listenOn({ ...options, host, port: bound[0]?.address.port ?? options.port }, onConnection, onTlsError));
    } catch (err) {
      firstError ??= err;
    }
  }
  const [first, ...rest] = bound;
  if (!first) throw firstError ?? new Error(`${options.host} has no address to listen on.`);
  return { server: first.server, others: rest.map((l) => l.server), address: { host: options.host, port: first.address.port } };
}

/** TLS handshakes under way at once on one listener (see listenOn). */
export const MAX_TLS_HANDSHAKES = 128;

async function listenOn(options: ListenOptions, onConnection: (socket: Socket) => void, onTlsError?: OnTlsError): Promise<Listening> {
  const tlsModule = options.tls ? await import('node:tls') : undefined;
  let server: Server;
  if (options.tls && tlsModule) {
    const requireClientCert = options.tls.requireClientCert === true;
    // Client certificates are checked here, not by node:tls (rejectUnauthorized), which drops a
    // refused caller without a word: this way the log says why (none sent, not trusted, expired).
    let s: ReturnType<typeof tlsModule.createServer>;
    try {
      s = tlsModule.createServer({ ...serverOptions(options.tls), rejectUnauthorized: false, handshakeTimeout: options.handshakeTimeoutMs ?? 30_000 });
    } catch (err) {
      const local = explainLocalCredentials(err);
      throw local ? Object.assign(new Error(`The TLS listener cannot start: ${local.plain}`, { cause: err }), { code: local.code }) : err;
    }
    s.on('secureConnection', (socket: TLSSocket) => {
      handshakeDone(socket);
      if (requireClientCert && !socket.authorized) {
        const cert = socket.getPeerCertificate();
        const none = !cert || Object.keys(cert).length === 0;
        const code = none ? 'ERR_NO_CLIENT_CERTIFICATE' : String(socket.authorizationError);
        onTlsError?.(Object.assign(new Error(none ? 'peer did not return a certificate' : code), { code }), remoteOf(socket));
        socket.destroy();
        return;
      }
      socket.setNoDelay(true);
      tlsWithSharedReadBuffer(socket);
      onConnection(socket);
    });
    // Handshakes under way: beyond MAX_TLS_HANDSHAKES the oldest is dropped (waiting-room.ts), so
    // that callers that connect to the TLS port and stall cannot hold sockets without a limit.
    const handshaking = new WaitingRoom<Socket>(MAX_TLS_HANDSHAKES);
    const handshakeDone = (socket: Socket) => {
      const tcp = (socket as Socket & { _parent?: Socket | null })._parent;
      if (tcp) handshaking.delete(tcp);
    };
    s.on('connection', (tcp: Socket) => {
      // Read (and so kept by node:net) while the caller is there: see remoteOf.
      void tcp.remoteAddress;
      const room = handshaking.makeRoom();
      if (room) {
        onTlsError?.(Object.assign(new Error(`${MAX_TLS_HANDSHAKES} TLS handshakes were under way (the limit) and this one had waited longest (${(room.waitedMs / 1000).toFixed(1)} s): closed before it finished (a port scanner, or callers that connect and stall?)`), { code: 'ERR_DICOMNET_TOO_MANY_HANDSHAKES' }), remoteOf(room.oldest));
        room.oldest.destroy();
      }
      handshaking.add(tcp);
      tcp.once('close', () => handshaking.delete(tcp));
    });
    // A failed handshake must never take the listener down: report it and go on.
    s.on('tlsClientError', (err, socket) => {
      handshakeDone(socket);
      onTlsError?.(err, remoteOf(socket));
      socket.destroy();
    });
    server = s;
  } else {
    // Paused on connect: nothing is read before the socket reads into the shared buffer. (It used to
    // move the connection's handle onto a second Socket made here with `onread`, the documented way:
    // measured, 5-10 us more of every accepted connection before its A-ASSOCIATE-RQ was read, issue
    // #2.) TCP_NODELAY here, not with the server's `noDelay` option: that made Node's own creation
    // of the socket ~4 us slower (measured likewise).
    server = createTcpServer({ pauseOnConnect: true }, (socket) => {
      socket.setNoDelay(true);
      useSharedReadBuffer(socket);
      onConnection(socket);
    });
  }
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = `${options.host ?? '*'}:${options.port}`;
      if (err.code === 'EADDRINUSE') reject(new Error(`Port ${options.port} is already in use on ${options.host ?? 'this machine'}: stop the other DICOM service or choose another port.`));
      else if (err.code === 'EACCES') reject(new Error(`Not allowed to listen on ${where}: ports below 1024 need administrator rights; use e.g. 11112.`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new Error(`${options.host} is not an address of this machine: choose one of its addresses, or leave the bind address empty for all.`));
      else reject(err);
    };
    server.once('error', onError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', onError);
      server.on('error', () => { /* after listening: per-connection errors are the sockets' business */ });
      const a = server.address();
      const address = typeof a === 'object' && a ? { host: a.address, port: a.port } : { host: options.host ?? '', port: options.port };
      resolve({ server, others: [], address });
    });
  });
}

/** Runs `start` with a deadline; the socket (if any, the last one `track`ed) is destroyed on failure. */
function step<T>(name: TransportStep, ctx: { host: string; port: number; timeoutMs: number; signal?: AbortSignal }, timings: StepTimings, run: (done: (v: T) => void, fail: (e: unknown) => void, track: (s: Socket) => void) => Socket | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const holder: { socket?: Socket } = {};
    let finished = false;
    const timer = setTimeout(() => fail(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), ctx.timeoutMs);
    const onAbort = () => fail(Object.assign(new Error('cancelled'), { code: 'CANCELLED' }));
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    function settle() {
      finished = true;
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onAbort);
    }
    function done(v: T) {
      if (finished) return;
      settle();
      resolve(v);
    }
    function fail(e: unknown) {
      if (finished) return;
      settle();
      holder.socket?.destroy();
      reject(e instanceof TransportError ? e : classifyTransportError(e, { host: ctx.host, port: ctx.port, step: name, timeoutMs: ctx.timeoutMs }, timings));
    }
    if (ctx.signal?.aborted) return onAbort();
    try {
      holder.socket = run(done, fail, (socket) => { holder.socket = socket; });
    } catch (err) {
      // A step that throws as it starts (node:tls refusing our own key) fails like any other: its
      // timer cleared (it kept the process alive for the whole timeout) and its socket closed.
      fail(err);
    }
  });
}

/** Connect errors after which the name's next address is tried (a timeout ends the step). */
const NEXT_ADDRESS_ON: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

export async function connect(o: ConnectOptions): Promise<ConnectResult> {
  const timings: StepTimings = {};
  const ctx = { host: o.host, port: o.port, timeoutMs: o.timeoutMs, signal: o.signal };

  // Our own certificate and key first: one OpenSSL refuses (encrypted, not PEM, not a pair) can
  // never make a handshake, and trying one anyway left the peer logging a caller that "closed the
  // connection during the TLS handshake", as if it were the peer's certificate at fault.
  let tls: typeof NodeTls | undefined;
  let tlsOptions: ReturnType<typeof clientOptions> | undefined;
  if (o.tls) {
    tls = await import('node:tls');
    tlsOptions = clientOptions(o.tls, o.host, tls.checkServerIdentity);
    try {
      tlsOptions = { ...tlsOptions, secureContext: tls.createSecureContext(tlsOptions) };
    } catch (err) {
      throw classifyTransportError(err, { host: o.host, port: o.port, step: 'tls', timeoutMs: o.timeoutMs }, timings);
    }
  }

  let t = nowMs();
  let addresses = [o.host];
  if (isIP(o.host) === 0) {
    addresses = await step<string[]>('resolve', ctx, timings, (done, fail) => {
      addressesOf(o.host, o.resolveAll).then((list) => (list.length > 0 ? done([...list]) : fail(Object.assign(new Error(`no address for ${o.host}`), { code: 'ENOTFOUND' }))), fail);
      return undefined;
    });
  }
  timings.resolveMs = nowMs() - t;

  t = nowMs();
  let address = addresses[0]!;
  const tcp = await step<Socket>('connect', ctx, timings, (done, fail, track) => {
    // Every address the name has, in the resolver's order, until one takes the connection: a name
    // like 'localhost' often has ::1 first while the DICOM service listens on IPv4 only (DCMTK's
    // storescp does by default), and connecting to the first alone failed 'nothing is listening'.
    let i = 0;
    const attempt = (): Socket => {
      address = addresses[i]!;
      // Plain: reads into the shared buffer too (TLS: its cleartext, set up after the handshake).
      const sink = newChunkSink();
      const s: Socket = tcpConnect({ host: address, port: o.port, noDelay: true, ...(o.tls ? {} : { onread: sharedOnread(() => s, sink) }) });
      if (!o.tls) registerChunks(s, sink);
      const onError = (e: NodeJS.ErrnoException) => {
        if (i + 1 < addresses.length && NEXT_ADDRESS_ON.has(e.code ?? '')) {
          s.destroy();
          i++;
          track(attempt());
        } else fail(e);
      };
      s.once('connect', () => {
        s.off('error', onError);
        done(s);
      });
      s.once('error', onError);
      return s;
    };
    return attempt();
  });
  tcp.setNoDelay(true);
  timings.connectMs = nowMs() - t;
  if (!o.tls) return { socket: tcp, address, timings: { resolveMs: timings.resolveMs, connectMs: timings.connectMs } };

  t = nowMs();
  const tlsConfig = o.tls;
  const tlsModule = tls!;
  const secure = await step<TLSSocket>('tls', ctx, timings, (done, fail) => {
    // The chain, host name and pin are checked here at secureConnect rather than by node:tls
    // (rejectUnauthorized), so that a refused certificate can still be shown to the user. Nothing
    // is sent on the socket before these checks pass.
    const s = tlsModule.connect({ ...tlsOptions, rejectUnauthorized: false, socket: tcp });
    s.once('secureConnect', () => {
      s.off('error', fail);
      const peer = sessionInfo(s).peerCertificate;
      const refuse = (code: string) => fail(classifyTransportError(Object.assign(new Error(code), { code }), { ...ctx, step: 'tls', peerCertificate: peer }, timings));
      if (!s.authorized) return refuse(String(s.authorizationError ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'));
      if (tlsConfig.pinnedFingerprint256 && peer?.fingerprint256 !== tlsConfig.pinnedFingerprint256) return refuse('ERR_DICOMNET_PIN_MISMATCH');
      tlsWithSharedReadBuffer(s);
      done(s);
    });
    s.once('error', fail);
    tcp.once('close', () => fail(Object.assign(new Error('socket disconnected'), { code: 'ECONNRESET' })));
    return s;
  }).catch(async (err: unknown) => {
    // The TCP connection under a failed handshake is ours to close (a handshake that never
    // started, our key refused, left it open, and the peer waiting on it).
    tcp.destroy();
    // Closed at our ClientHello without a TLS alert: a plain DICOM port does that (DCMTK), but so
    // may a TLS peer refusing us. A second, unverified handshake tells them apart.
    if (err instanceof TransportError && err.code === 'closed' && !(await probeTls(o.host, o.port, Math.min(o.timeoutMs, 3000)))) {
      throw new TransportError('tls', 'not-tls', `The peer at ${o.host}:${o.port} does not speak TLS on this port: it closed the connection at our TLS handshake and answers no other; it is probably a plain DICOM port: turn TLS off for this peer or use its TLS port.`, timings, err);
    }
    throw err;
  });
  timings.tlsMs = nowMs() - t;
  return {
    socket: secure,
    address,
    timings: { resolveMs: timings.resolveMs, connectMs: timings.connectMs, tlsMs: timings.tlsMs },
    tls: sessionInfo(secure),
  };
}

/** OpenSSL's 'Jan  1 00:00:00 2021 GMT' as ISO 8601 (what the GUI and the CLI show everywhere). */
function isoDate(text: string): string {
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : new Date(t).toISOString();
}

export function sessionInfo(s: TLSSocket): TlsSessionInfo {
  const cert = s.getPeerCertificate();
  const name = (x: Record<string, unknown> | undefined) => (x ? Object.entries(x).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '');
  return {
    protocol: s.getProtocol() ?? '?',
    cipher: s.getCipher()?.name ?? '?',
    peerCertificate: cert && Object.keys(cert).length > 0 ? {
      subject: name(cert.subject as unknown as Record<string, unknown>),
      issuer: name(cert.issuer as unknown as Record<string, unknown>),
      validFrom: isoDate(cert.valid_from),
      validTo: isoDate(cert.valid_to),
      fingerprint256: cert.fingerprint256,
    } : undefined,
  };
}

/**
 * Does HOST:PORT speak TLS? Used to explain a plain association that the peer closed without a
 * word: a TLS listener drops plain bytes silently. Sends a ClientHello without verifying anything;
 * a ServerHello or a TLS alert means yes.
 */
export async function probeTls(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  const tls = await import('node:tls');
  return new Promise((resolve) => {
    let settled = false;
    const finish = (v: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const s = tls.connect({ host, port, rejectUnauthorized: false, minVersion: 'TLSv1.2', checkServerIdentity: () => undefined });
    const timer = setTimeout(() => finish(false), timeoutMs);
    s.once('secureConnect', () => finish(true));
    s.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      // An alert from the server (e.g. certificate required) is a TLS answer too.
      finish(code.startsWith('ERR_SSL') && !/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL|RECORD_LAYER/.test(code));
    });
  });
}
