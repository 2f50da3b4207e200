// A DICOM service provider: listens (plain and/or TLS), accepts every connection in arrival order,
// decides each association by the acceptor policy, dispatches requests to intervention handlers and
// reports one structured event per association step. Associations are served concurrently: a slow
// handler on one never delays another.

import { EventEmitter } from 'node:events';
import type { AcceptorPolicy, AsynchronousOperationsWindow } from '../acse/policy';
import type { DicomAssociate } from '../association';
import { DEFAULT_MAX_PDU_LENGTH } from '../association';
import type { Association, DataSinkFactory, DimseMessage } from '../connection';
import { DicomNet, type DicomNetOptions, type ListenAddress } from '../dicom-net';
import { makeResponse } from '../dimse/messages';
import { decodeRejection } from '../explain';
import { presentationContextResultText, RejectReason, RejectResult, RejectSource } from '../pdu/constants';
import type { TlsConfig } from '../transport';
import { TurnBatch } from '../turn-batch';
import { WaitingRoom } from '../waiting-room';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../uids';
import type { RequestHandler } from './handlers';

export interface ScpListener {
  readonly host?: string;
  readonly port: number;
  readonly tls?: TlsConfig;
}

export interface ScpOptions {
  readonly aeTitle: string;
  readonly listeners: readonly ScpListener[];
  readonly allowedCallingAeTitles?: readonly string[];
  readonly maxAssociations?: number;
  readonly maxPduLength?: number;
  readonly supportedContexts: ReadonlyMap<string, readonly string[]>;
  readonly handlers: ReadonlyMap<number, RequestHandler>;
  readonly asynchronousOperationsWindow?: AsynchronousOperationsWindow;
  /** Where incoming data sets go (e.g. the Storage service's files); default: memory. */
  readonly dataSinks?: DataSinkFactory;
  /** Choose among a context's proposed transfer syntaxes by the requestor's order, not ours. */
  readonly preferProposedTransferSyntax?: boolean;
  /**
   * Connections waiting for their A-ASSOCIATE-RQ at once (default 128). Beyond it, the one that
   * has waited longest, if for a second or more, is closed: a port scanner or a monitor that opens connections and says
   * nothing held a socket (and a file descriptor, which the storage needs too) each until ARTIM.
   * The oldest goes, not the newest: a real caller sends its RQ within milliseconds.
   */
  readonly maxAwaitingRequest?: number;
  readonly net?: DicomNetOptions;
}

export interface NegotiatedContext {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntax?: string;
  readonly result: string;
}

/** One step in the life of an association, as the SCP saw it. */
export interface ScpAssociationEvent {
  readonly kind: 'accepted' | 'rejected' | 'released' | 'aborted' | 'closed';
  readonly associationId: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly callingAeTitle?: string;
  readonly calledAeTitle?: string;
  readonly contexts?: readonly NegotiatedContext[];
  /** Why, for rejections and aborts; requests handled, for releases. */
  readonly detail?: string;
  readonly durationMs: number;
  readonly at: number;
}

export interface ScpEvents {
  association: [event: ScpAssociationEvent];
  request: [association: Association, request: DimseMessage];
  /** With the association whose connection or listener failed, when there is one. */
  error: [error: Error, association?: Association];
}

export class DicomScp extends EventEmitter<ScpEvents> {
  readonly net: DicomNet;
  private readonly policy: AcceptorPolicy;
  private readonly accepted = new Set<Association>();
  /** Connections accepted and waiting for their A-ASSOCIATE-RQ (Sta2). */
  private readonly awaitingRequest: WaitingRoom<Association>;
  private readonly requestCounts = new WeakMap<Association, number>();
  /** Associations whose abort was reported (their closing line need not say why again). */
  private readonly abortReported = new WeakSet<Association>();
  /** Operations being performed, and requests waiting for a slot of the window, per association. */
  private readonly performing = new WeakMap<Association, { running: number; waiting: DimseMessage[] }>();
  private addresses: ListenAddress[] = [];
  /**
   * Association events reach listeners at the end of the event-loop turn. Some steps are reported
   * before the peer is answered (a release request is indicated before its A-RELEASE-RP goes out,
   * PS3.8 §7.2); a listener's work (a log line) must delay neither that answer nor the next
   * connection's accept. The storage service's notifications do the same.
   */
  private readonly announcements = new TurnBatch<ScpAssociationEvent>(
    (e) => this.emit('association', e),
    (err) => this.emitError(err),
  );

  constructor(private readonly options: ScpOptions) {
    super();
    this.policy = {
      aeTitle: options.aeTitle,
      allowedCallingAeTitles: options.allowedCallingAeTitles,
      maxAssociations: options.maxAssociations,
      supportedContexts: options.supportedContexts,
      maxPduLength: options.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH,
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: IMPLEMENTATION_VERSION_NAME,
      asynchronousOperationsWindow: options.asynchronousOperationsWindow,
      transferSyntaxChoice: options.preferProposedTransferSyntax ? 'proposed' : 'ours',
    };
    this.net = DicomNet.startup(options.net);
    this.awaitingRequest = new WaitingRoom(options.maxAwaitingRequest ?? 128);
    this.net.on('connection', () => {
      const room = this.awaitingRequest.makeRoom();
      room?.oldest.closeAwaitingRequest(`Closed before any A-ASSOCIATE-RQ: ${this.awaitingRequest.limit} connections were waiting for theirs (the limit) and this one had waited longest (${(room.waitedMs / 1000).toFixed(1)} s); a port scanner, or a monitor that opens connections and says nothing?`);
      const a = this.net.accept();
      if (a) this.awaitingRequest.add(a);
    });
    this.net.on('associateRequest', (a, associate) => {
      this.awaitingRequest.delete(a);
      this.onAssociateRequest(a, associate);
    });
    this.net.on('data', (a, m) => this.onData(a, m));
    // The acceptor's side of a normal release is the peer's A-RELEASE-RQ (AR-2), answered at once.
    this.net.on('releaseRequest', (a) => this.report('released', a, `${this.requestCounts.get(a) ?? 0} request(s) served`));
    this.net.on('abort', (a, info) => {
      this.abortReported.add(a);
      // How far it got: an abort after the last C-STORE (storescu --abort, a modality that never
      // releases) is not the refusal an abort before any request usually is.
      const served = this.accepted.has(a) ? ` (after ${this.requestCounts.get(a) ?? 0} request(s) served)` : '';
      this.report('aborted', a, `${info.origin}: ${info.explanation}${served}`);
    });
    this.net.on('close', (a) => {
      this.accepted.delete(a);
      this.awaitingRequest.delete(a);
      // Requests that waited for a slot of the window will never be performed: drop their data.
      for (const m of this.performing.get(a)?.waiting.splice(0) ?? []) m.sink?.abort?.('the association closed before the request was performed');
      // A connection ended before any association (bad first bytes, ARTIM) has no abort line: its
      // closing line says why.
      this.report('closed', a, this.abortReported.has(a) ? undefined : a.abortInfo?.explanation);
    });
    this.net.on('error', (err, a) => this.emitError(err, a));
    // A caller that fails our TLS handshake never gets to associate: report it as a rejection.
    this.net.on('tlsHandshakeFailed', (f) => this.announcements.add({
      kind: 'rejected', associationId: 0, remoteAddress: f.remoteAddress, remotePort: f.remotePort,
      detail: `TLS handshake on port ${f.localPort} failed: ${f.plain}`, durationMs: 0, at: Date.now(),
    }));
  }

  async start(): Promise<ListenAddress[]> {
    const started: ListenAddress[] = [];
    try {
      for (const l of this.options.listeners) started.push(await this.net.listen(l));
    } catch (err) {
      await this.net.close(0);
      throw err;
    }
    this.addresses = started;
    return started;
  }

  get listening(): readonly ListenAddress[] {
    return this.addresses;
  }

  get openAssociations(): number {
    return this.net.associations.size;
  }

  /** Stops listening; open associations get `graceMs` to finish, then are aborted. */
  async stop(graceMs = 2000): Promise<void> {
    this.addresses = [];
    await this.net.close(graceMs);
    this.announcements.flush();
  }

  private onAssociateRequest(a: Association, associate: DicomAssociate): void {
    const outcome = associate.resetToAccept(this.policy, { activeAssociations: this.accepted.size });
    // Answer first, report after: listeners (a log on a pipe) must not delay the peer.
    if (outcome.accepted) {
      this.accepted.add(a);
      if (this.options.dataSinks) a.setDataSinkFactory(this.options.dataSinks);
      try {
        a.sendAssociateAccept(associate);
      } catch (err) {
        // Our AC could not be encoded (a bug, or a value from the request that slipped through):
        // the peer gets a plain rejection instead of silence, and the slot is not held.
        this.accepted.delete(a);
        a.sendAssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.NoReasonGiven);
        this.report('rejected', a, `${decodeRejection(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.NoReasonGiven)}: our A-ASSOCIATE-AC could not be encoded (${(err as Error).message})`);
        return;
      }
      this.report('accepted', a);
    } else {
      const { result, source, reason } = outcome.rj;
      a.sendAssociateReject(result, source, reason);
      this.report('rejected', a, `${decodeRejection(result, source, reason)}: ${outcome.explanation}`);
    }
  }

  private onData(a: Association, m: DimseMessage): void {
    const field = m.command.commandField;
    if ((field & 0x8000) !== 0 || field === 0x0fff) return; // responses are the SCU side's business
    this.requestCounts.set(a, (this.requestCounts.get(a) ?? 0) + 1);
    if (this.listenerCount('request') > 0) this.emit('request', a, m);
    // PS3.7 D.3.3.3: we perform at most the negotiated number of operations at once; a peer that
    // sends more than its window waits in order instead of being refused.
    const window = a.associate?.maxInvokedByRequestor() ?? 1;
    const state = this.performing.get(a) ?? { running: 0, waiting: [] };
    this.performing.set(a, state);
    if (window !== 0 && state.running >= window) {
      state.waiting.push(m);
      return;
    }
    state.running++;
    this.perform(a, m);
  }

  /** One operation is done: start the next waiting one, if any. */
  private performed(a: Association): void {
    const state = this.performing.get(a);
    if (!state) return;
    state.running--;
    const next = state.waiting.shift();
    if (next && !a.isClosed) {
      state.running++;
      // Not recursively: a long queue of quick operations must not grow the stack.
      queueMicrotask(() => this.perform(a, next));
    }
  }

  private perform(a: Association, m: DimseMessage): void {
    const field = m.command.commandField;
    const handler = this.options.handlers.get(field);
    const pc = a.associate?.context(m.presentationContextId);
    if (!handler) {
      m.sink?.abort?.('refused');
      this.respond(a, m, { status: 0x0211, fields: { errorComment: 'Unrecognized operation' } });
      return;
    }
    if (m.command.affectedSopClassUid !== undefined && pc && m.command.affectedSopClassUid !== pc.abstractSyntax) {
      // PS3.7 §9.1: the SOP class of a request must be that of its presentation context.
      m.sink?.abort?.('refused');
      this.respond(a, m, { status: 0x0122, fields: { errorComment: 'SOP class does not match the presentation context' } });
      return;
    }
    let result;
    try {
      result = handler(m, a);
    } catch (err) {
      m.sink?.abort?.('the handler failed');
      this.respond(a, m, { status: 0x0110, fields: { errorComment: String((err as Error).message).slice(0, 64) } });
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (r) => this.respond(a, m, r),
        (err: Error) => this.respond(a, m, { status: 0x0110, fields: { errorComment: String(err.message).slice(0, 64) } }),
      );
    } else {
      this.respond(a, m, result);
    }
  }

  private respond(a: Association, rq: DimseMessage, r: { status: number; fields?: object; dataSet?: Buffer }): void {
    try {
      this.answer(a, rq, r);
    } finally {
      this.performed(a);
    }
  }

  private answer(a: Association, rq: DimseMessage, r: { status: number; fields?: object; dataSet?: Buffer }): void {
    if (a.isClosed || (a.state !== 'Sta6' && a.state !== 'Sta8')) return; // gone (aborted) meanwhile
    try {
      const command = makeResponse(rq.command, r.status, r.fields, r.dataSet !== undefined);
      a.send({ presentationContextId: rq.presentationContextId, command, dataSet: r.dataSet });
    } catch (err) {
      this.emitError(err as Error, a);
    }
  }

  /** An error event for whoever listens; without a listener it is dropped (never thrown at a peer's turn). */
  private emitError(err: Error, a?: Association): void {
    if (this.listenerCount('error') > 0) this.emit('error', err, a);
  }

  private report(kind: ScpAssociationEvent['kind'], a: Association, detail?: string): void {
    const associate = a.associate;
    const event: ScpAssociationEvent = {
      kind,
      associationId: a.id,
      remoteAddress: a.remoteAddress,
      remotePort: a.remotePort,
      callingAeTitle: associate?.callingAeTitle,
      calledAeTitle: associate?.calledAeTitle,
      contexts: kind === 'accepted' && associate ? associate.presentationContexts.map((pc) => ({
        id: pc.id,
        abstractSyntax: pc.abstractSyntax,
        transferSyntax: pc.transferSyntax,
        result: presentationContextResultText[pc.result ?? -1] ?? '?',
      })) : undefined,
      detail,
      durationMs: Date.now() - a.openedAt,
      at: Date.now(),
    };
    this.announcements.add(event);
  }
}
