// The DicomNet object (after the DicomNet model): startup, listen, connect, accept, close.
// An incoming connection is announced first ('connection') and must be accepted; pending connections
// are accepted in the order they arrived. Every association's events are re-emitted here with the
// association as their first argument, so an application can listen in one place.

import { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import type { DicomAssociate } from './association';
import { Association, type AbortInfo, type AssociationOptions, type DimseMessage } from './connection';
import { AssociationError } from './errors';
import type { AAssociateRj } from './pdu/types';
import { callerAddress, classifyTransportError, connect as transportConnect, explainIncomingTlsFailure, type IncomingTlsFailure, listen as transportListen, looksLikeTlsRecord, probeTls, textInsteadOfPdu, TransportError } from './transport';
import type { ConnectResult, TlsConfig } from './transport';
import { nowMs } from './clock';

export interface DicomNetOptions extends AssociationOptions {
  /** How long an announced connection waits for accept() before it is closed. */
  readonly acceptTimeoutMs?: number;
}

export interface ListenConfig {
  readonly host?: string;
  readonly port: number;
  readonly tls?: TlsConfig;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

export interface ConnectConfig {
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsConfig;
  readonly associate: DicomAssociate;
  /** Limit for each of resolve, connect and the TLS handshake. */
  readonly connectTimeoutMs?: number;
  /**
   * Ends the connect at once, whatever step it is in (Ctrl-C, the GUI's Cancel); while the
   * A-ASSOCIATE-AC is awaited, with an A-ABORT. Once connect() has resolved, it is the caller's.
   */
  readonly signal?: AbortSignal;
}

/** What connect() learned on the way, for diagnostics: each step's duration in ms. */
export interface ConnectTimings {
  readonly resolveMs: number;
  readonly connectMs: number;
  readonly tlsMs?: number;
  readonly associateMs: number;
}

export interface Connected {
  readonly association: Association;
  readonly timings: ConnectTimings;
  readonly transport: ConnectResult;
}

export interface PendingConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly tls: boolean;
  readonly localPort: number;
}

export interface DicomNetEvents {
  connection: [pending: PendingConnection];
  associateRequest: [association: Association, associate: DicomAssociate];
  associateAccept: [association: Association, associate: DicomAssociate];
  associateReject: [association: Association, rj: AAssociateRj];
  releaseRequest: [association: Association];
  released: [association: Association];
  abort: [association: Association, info: AbortInfo];
  data: [association: Association, message: DimseMessage];
  close: [association: Association];
  /** A caller on a TLS listener failed the handshake (untrusted or missing certificate, not TLS...). */
  tlsHandshakeFailed: [failure: IncomingTlsFailure];
  error: [error: Error, association: Association | undefined];
}

interface Queued {
  readonly info: PendingConnection;
  readonly socket: Socket;
  timer?: NodeJS.Timeout;
}

let nextConnectionId = 1;

export class DicomNet extends EventEmitter<DicomNetEvents> {
  readonly associations = new Set<Association>();
  private readonly servers: Server[] = [];
  private readonly pendingQueue: Queued[] = [];
  /** Every accepted TCP connection, TLS handshake done or not, so close() can end them all. */
  private readonly rawSockets = new Set<Socket>();
  private closing = false;

  constructor(readonly options: DicomNetOptions = {}) {
    super();
  }

  /** DicomNet model: Startup. */
  static startup(options: DicomNetOptions = {}): DicomNet {
    return new DicomNet(options);
  }

  /** Starts a listener (plain or TLS) and resolves with the bound address. */
  async listen(config: ListenConfig): Promise<ListenAddress> {
    const tls = config.tls !== undefined;
    const { server, others, address } = await transportListen(
      { host: config.host, port: config.port, tls: config.tls },
      (socket) => this.onIncoming(socket, tls, address.port),
      (err, remote) => this.emit('tlsHandshakeFailed', { ...explainIncomingTlsFailure(err), remoteAddress: remote?.address ?? '', remotePort: remote?.port ?? 0, localPort: address.port }),
    );
    for (const s of [server, ...others]) {
      s.on('connection', (socket: Socket) => {
        this.rawSockets.add(socket);
        socket.once('close', () => this.rawSockets.delete(socket));
      });
      this.servers.push(s);
    }
    return { host: address.host, port: address.port, tls };
  }

  /** Number of announced connections not yet accepted. */
  get pendingConnections(): number {
    return this.pendingQueue.length;
  }

  /**
   * Accepts the oldest pending connection (Evt5: AE-5 starts ARTIM and waits for the RQ).
   * Returns undefined when none is pending.
   */
  accept(): Association | undefined {
    const next = this.pendingQueue.shift();
    if (!next) return undefined;
    clearTimeout(next.timer);
    const association = new Association(false, { address: next.info.remoteAddress, port: next.info.remotePort }, this.options);
    this.track(association);
    association.acceptTransport(next.socket);
    if (next.socket.isPaused()) next.socket.resume();
    return association;
  }

  /**
   * Requestor side: resolve, connect, TLS handshake, A-ASSOCIATE. Resolves once the association is
   * accepted; rejects with a TransportError or AssociationError naming the step that failed.
   */
  async connect(config: ConnectConfig): Promise<Connected> {
    const timeoutMs = config.connectTimeoutMs ?? this.options.timeouts?.acseMs ?? 30_000;
    const transport = await transportConnect({ host: config.host, port: config.port, tls: config.tls, timeoutMs, signal: config.signal });
    const association = new Association(true, { address: config.host, port: config.port }, this.options);
    this.track(association);
    // With TLS 1.3 the server checks our certificate after our handshake is done: its alert arrives
    // as a socket error during the association. Keep it to explain the failure as a TLS one.
    let socketError: Error | undefined;
    transport.socket.once('error', (e) => { socketError = e; });
    const started = nowMs();
    const onAbort = () => association.cancel();
    config.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (config.signal?.aborted) onAbort();
      await association.requestAssociation(transport.socket, config.associate);
    } catch (err) {
      if (config.signal?.aborted) {
        throw new AssociationError('associate', 'cancelled', 'Cancelled while waiting for the peer to accept the association; it was aborted (A-ABORT).', { timings: { ...transport.timings, associateMs: nowMs() - started } });
      }
      const failure = config.tls && socketError
        ? classifyTransportError(socketError, { host: config.host, port: config.port, step: 'tls' }, transport.timings)
        : await diagnoseAssociateFailure(err, association.firstBytes ?? new Uint8Array(0), config, association);
      // The transport steps succeeded: keep their timings for the step-by-step report.
      if (failure instanceof AssociationError) {
        failure.details.timings = { ...transport.timings, associateMs: nowMs() - started };
      }
      throw failure;
    } finally {
      config.signal?.removeEventListener('abort', onAbort);
    }
    return {
      association,
      transport,
      timings: {
        resolveMs: transport.timings.resolveMs,
        connectMs: transport.timings.connectMs,
        tlsMs: transport.timings.tlsMs,
        associateMs: nowMs() - started,
      },
    };
  }

  /**
   * Stops listening, closes pending connections, releases nothing itself: open associations get
   * `graceMs` to finish, then are aborted. Resolves when every association is closed.
   */
  async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    // server.close() only calls back once every connection is gone: start it, await it last.
    const serversClosed = Promise.all(this.servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    try {
      await this.closeAssociations(graceMs);
    } finally {
      for (const s of this.rawSockets) s.destroy();
      this.rawSockets.clear();
    }
    await serversClosed;
  }

  private async closeAssociations(graceMs: number): Promise<void> {
    for (const q of this.pendingQueue.splice(0)) {
      clearTimeout(q.timer);
      q.socket.destroy();
    }
    const open = [...this.associations];
    if (open.length === 0) return;
    const allClosed = Promise.all(open.map((a) => a.whenClosed()));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => { timer = setTimeout(() => resolve('grace'), graceMs); });
    if ((await Promise.race([allClosed, grace])) === 'grace') {
      for (const a of this.associations) a.abort('the local node is shutting down');
      await Promise.race([allClosed, new Promise((r) => setTimeout(r, 2000).unref())]);
      for (const a of this.associations) a.socket?.destroy();
    }
    clearTimeout(timer);
  }

  private onIncoming(socket: Socket, tls: boolean, localPort: number): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    socket.on('error', () => { /* reported by the association once accepted; before that, nothing to do */ });
    // A TLS connection comes as a TLS socket over the one the server announced: tracked too, so
    // that close() can end it whatever happens. (A plain one is the announced socket itself.)
    if (!this.rawSockets.has(socket)) {
      this.rawSockets.add(socket);
      socket.once('close', () => this.rawSockets.delete(socket));
    }
    const info: PendingConnection = {
      id: nextConnectionId++,
      remoteAddress: callerAddress(socket.remoteAddress ?? '?'),
      remotePort: socket.remotePort ?? 0,
      tls,
      localPort,
    };
    const queued: Queued = { info, socket };
    this.pendingQueue.push(queued);
    this.emit('connection', info);
    if (!this.pendingQueue.includes(queued)) return; // accepted at once
    // Not accepted yet: hold its bytes until accept(); close it if nobody accepts in time, and
    // forget it if it goes away meanwhile.
    socket.pause();
    const forget = () => {
      const i = this.pendingQueue.indexOf(queued);
      if (i >= 0) this.pendingQueue.splice(i, 1);
      clearTimeout(queued.timer);
    };
    queued.timer = setTimeout(() => {
      forget();
      socket.destroy();
    }, this.options.acceptTimeoutMs ?? 10_000);
    socket.once('close', forget);
  }

  private track(a: Association): void {
    this.associations.add(a);
    a.on('associateRequest', (x) => this.emit('associateRequest', a, x));
    a.on('associateAccept', (x) => this.emit('associateAccept', a, x));
    a.on('associateReject', (x) => this.emit('associateReject', a, x));
    a.on('releaseRequest', () => this.emit('releaseRequest', a));
    a.on('released', () => this.emit('released', a));
    a.on('abort', (x) => this.emit('abort', a, x));
    a.on('data', (x) => this.emit('data', a, x));
    a.on('error', (e) => this.emitError(e, a));
    a.on('close', () => {
      this.associations.delete(a);
      this.emit('close', a);
    });
  }

  private emitError(err: Error, a: Association | undefined): void {
    if (this.listenerCount('error') > 0) this.emit('error', err, a);
  }
}

async function diagnoseAssociateFailure(err: unknown, firstBytes: Uint8Array, config: ConnectConfig, association: Association): Promise<Error> {
  if (err instanceof TransportError) return err;
  if (!config.tls && looksLikeTlsRecord(firstBytes)) {
    return new AssociationError('associate', 'expects-tls',
      `The peer expects TLS on ${config.host}:${config.port}: it answered our association request with a TLS alert; turn TLS on for this peer (or use its plain DICOM port).`);
  }
  const text = textInsteadOfPdu(firstBytes);
  if (text) {
    return new AssociationError('associate', 'not-dicom',
      `${config.host}:${config.port} is not a DICOM port: it answered with text ('${text.line}'), as ${text.speaker} does. Check the port number with the peer's administrator.`);
  }
  if (err instanceof AssociationError && err.code === 'aborted' && association.abortInfo?.origin === 'provider' && firstBytes.length === 0) {
    // A TLS listener drops our plain RQ without a word: ask the port whether it speaks TLS.
    if (!config.tls && await probeTls(config.host, config.port)) {
      return new AssociationError('associate', 'expects-tls',
        `The peer expects TLS on ${config.host}:${config.port}: it closed our plain association request and answers a TLS handshake; turn TLS on for this peer (or use its plain DICOM port).`);
    }
    if (config.tls) {
      return new AssociationError('associate', 'peer-rejected-our-cert',
        `The peer at ${config.host}:${config.port} closed the connection right after the TLS handshake, without answering the association request: it probably does not accept our certificate (none sent, or not trusted by it); give the peer's administrator our certificate, or use mutual TLS with it.`);
    }
    return new AssociationError('associate', 'closed',
      `The peer at ${config.host}:${config.port} closed the connection without answering the association request: it may expect TLS on this port, or refuse our address.`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

export { AssociationError };
