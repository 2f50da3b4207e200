// One DICOM association over one transport connection (PS3.8 §9.1: one association per TCP
// connection). This is the I/O driver of the pure state machine in ul/: bytes become PDUs (framer,
// decode), PDUs become events, step() gives the action, and the action's effects are carried out
// here: writing PDUs, timers, closing, and indications to the user as typed events.

import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { DicomAssociate } from './association';
import { pieceLength, type FramedPiece } from './dimse/framed-piece';
import { fragmentMessage, fragmentPiece, maxFragmentSize } from './dimse/fragmenter';
import { MessageAssembler, type DataSetSink } from './dimse/assembler';
import { encodeCommandSet } from './dimse/command-set';
import type { CommandSet } from './dimse/command-set';
import { AssociationError } from './errors';
import { nowMs } from './clock';
import { decodeAbort, explainAbort, explainRejection, decodeRejection } from './explain';
import { AbortReason, AbortSource, PduType, PresentationContextResult } from './pdu/constants';
import { decodePdu } from './pdu/decode';
import { encodePdu } from './pdu/encode';
import { PduFramer } from './pdu/framer';
import { PduDecodeError } from './pdu/types';
import type { AAbort, AAssociateAc, AAssociateRj, AAssociateRq, PDataTf, Pdu } from './pdu/types';
import { looksLikeTlsRecord, takeChunks, textInsteadOfPdu } from './transport';
import { ArtimTimer } from './ul/artim';
import { step } from './ul/machine';
import { stateDescription, type State } from './ul/states';
import type { UlEffect } from './ul/actions';
import type { UlEvent } from './ul/events';

/** How much of the peer's first chunk is kept to explain a failed association (a banner's first line). */
const FIRST_BYTES_KEPT = 48;
/** Bytes of our answers waiting to be written above which an acceptor stops reading (holdInputWhileBacklogged). */
export const WRITE_BACKLOG_LIMIT = 1024 * 1024;
/**
 * Over TLS, buffers of a message up to this many bytes in all are written as one (Node copies them
 * into one buffer, ~0.13 ms per MB here): a command and its data set's first piece then leave in
 * one TLS write, and the peer wakes up once. Measured with storescp +tls (1 500-2 000 files, 6-12
 * interleaved rounds, median ms): 32 KB files 671 -> 612 (storescu 526), 48 KB 880 -> 755 (719),
 * 64 KB 988 -> 867 (853); 66.7 KB 688 -> 748 and 658 -> 635 in two sets, 70 KB 662 -> 677, 80 KB
 * 687 -> 682, 96 KB 868 -> 877 (no difference beyond the spread). Larger pieces (a data set read
 * 1.25 MiB at a time) are written apart: copying them would cost more than the wake-up saved.
 */
const TLS_JOIN_LIMIT = 256 * 1024;
/** How long a cancelled association waits for the peer to close after our A-ABORT (cancel()). */
const CANCEL_CLOSE_MS = 500;

/** A data set's source failed before any of its message was written (sendStreamNow). */
class NothingSent extends Error {
  constructor(readonly reason: Error) {
    super(reason.message);
  }
}

export interface AssociationTimeouts {
  /** ARTIM (PS3.8 §9.1.5): waiting for the RQ after connect, and for the peer to close. */
  readonly artimMs: number;
  /** Waiting for the A-ASSOCIATE-AC/RJ (Sta5), and for the local user's answer to an RQ (Sta3). */
  readonly acseMs: number;
  /** Waiting for each DIMSE response; 0 = no limit. */
  readonly dimseMs: number;
  /** Waiting for the A-RELEASE-RP (Sta7); a local extension, as DCMTK has. */
  readonly releaseMs: number;
  /** An established association with no traffic for this long is aborted; 0 = never. */
  readonly idleMs: number;
}

export const DEFAULT_TIMEOUTS: AssociationTimeouts = { artimMs: 30_000, acseMs: 30_000, dimseMs: 60_000, releaseMs: 10_000, idleMs: 0 };

/** The hard cap on an incoming PDU's length, whatever we announced (many devices overshoot). */
export const DEFAULT_MAX_PDU_LENGTH_CAP = 16 * 1024 * 1024;

export interface AssociationOptions {
  readonly timeouts?: Partial<AssociationTimeouts>;
  readonly maxPduLengthCap?: number;
  /** Answer a release request as soon as no operation is being performed (default true). */
  readonly autoReleaseResponse?: boolean;
}

/** A complete DIMSE message (the third type family: command set + optional data set). */
export interface DimseMessage {
  readonly presentationContextId: number;
  readonly command: CommandSet;
  readonly dataSet?: Buffer;
  /** Where the data set went when a sink other than memory took it (e.g. a file for C-STORE). */
  readonly sink?: DataSetSink;
}

/** Chooses where the data set of an incoming message goes; undefined keeps it in memory. */
export type DataSinkFactory = (m: { presentationContextId: number; command: CommandSet }, association: Association) => DataSetSink | undefined;

/** A piece of an outgoing data set: bytes, or bytes read into room left for their P-DATA headers. */
export type DataSetPiece = Buffer | FramedPiece;

/**
 * An outgoing data set read piece by piece (a file), so that its size never decides our memory.
 * The pieces may have any size; they are cut to the peer's Maximum Length on the way out.
 */
export interface DataSetSource {
  /**
   * `fragment`: the fragment size of our P-DATA-TF PDUs on this association; a source may yield
   * pieces already framed for it (FramedPiece), which leave as one buffer each.
   */
  chunks(fragment?: number): AsyncIterable<DataSetPiece> | Iterable<DataSetPiece>;
  /** A piece has been written (handed to the kernel): its memory may be used again. */
  release?(piece: DataSetPiece): void;
  /** The last fragment has been handed to the transport; the response is not in yet. */
  sent?(): void;
}

export interface AbortInfo {
  /** 'peer': an A-ABORT PDU arrived; 'provider': our UL provider (A-P-ABORT); 'local': we aborted. */
  readonly origin: 'peer' | 'provider' | 'local';
  readonly source: number;
  readonly reason: number;
  readonly explanation: string;
}

export interface AssociationEvents {
  associateRequest: [associate: DicomAssociate];
  associateAccept: [associate: DicomAssociate];
  associateReject: [rj: AAssociateRj];
  releaseRequest: [];
  releaseCollision: [];
  released: [];
  abort: [info: AbortInfo];
  data: [message: DimseMessage];
  close: [];
  error: [error: Error];
}

interface EventPayload {
  readonly pdu?: Pdu;
  /** A PDU already encoded (the A-ASSOCIATE-AC: see sendAssociateAccept). */
  readonly encoded?: Buffer;
  readonly buffers?: readonly Buffer[];
  /** Called once the buffers have been handed to the kernel (or dropped with the connection). */
  readonly onWritten?: () => void;
  readonly abortReason?: number;
  readonly explanation?: string;
}

interface PendingRequest {
  readonly messageId: number;
  readonly resolve: (m: DimseMessage) => void;
  readonly reject: (e: Error) => void;
  readonly onPending?: (m: DimseMessage) => void;
  /** When the response is overdue (nowMs()), from the end of the request; unset while it is sent. */
  deadline?: number;
  timeoutMs?: number;
}

interface QueuedRequest {
  readonly start: () => void;
  readonly reject: (e: Error) => void;
}

/** PDU type code -> the event its arrival is (PS3.8 §9.2.1). */
const pduEvent: Record<number, UlEvent> = {
  [PduType.AAssociateRq]: 'Evt6',
  [PduType.AAssociateAc]: 'Evt3',
  [PduType.AAssociateRj]: 'Evt4',
  [PduType.PDataTf]: 'Evt10',
  [PduType.AReleaseRq]: 'Evt12',
  [PduType.AReleaseRp]: 'Evt13',
  [PduType.AAbort]: 'Evt16',
};

const RELEASE_RQ = encodePdu({ type: 0x05 });
const RELEASE_RP = encodePdu({ type: 0x06 });

const PENDING_STATUSES = new Set([0xff00, 0xff01]);

let nextAssociationId = 1;

export class Association extends EventEmitter<AssociationEvents> {
  /** A number for logs, unique in this process. */
  readonly id = nextAssociationId++;
  state: State = 'Sta1';
  associate: DicomAssociate | undefined;
  socket: Socket | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Set when the association ended in an abort or rejection; for diagnostics. */
  abortInfo: AbortInfo | undefined;
  rejection: AAssociateRj | undefined;
  readonly openedAt = Date.now();

  private readonly timeouts: AssociationTimeouts;
  private readonly framer: PduFramer;
  private readonly assembler: MessageAssembler;
  private readonly artim: ArtimTimer;
  private readonly autoReleaseResponse: boolean;
  private readonly indications: (() => void)[] = [];
  private flushing = false;
  private acseTimer: NodeJS.Timeout | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /**
   * One timer for every outstanding request's response deadline, armed for the earliest: a timer
   * set and cleared per request was ~7 % of the CPU of a C-ECHO round trip. It is not cleared when
   * a response arrives; when it fires it looks at what is still outstanding and re-arms or stops.
   */
  private dimseTimer: NodeJS.Timeout | undefined;
  private dimseTimerDue = Infinity;
  private lastActivity = Date.now();
  /** Input paused by holdInputWhileBacklogged until the socket drains. */
  private backlogHeld = false;
  private nextMessageId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly queue: QueuedRequest[] = [];
  /** Message IDs of the peer's requests we have not answered with a final response yet. */
  private readonly performing = new Set<number>();
  private releaseWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private associateWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private closed = false;
  private closeWaiters: (() => void)[] = [];
  private dataSinkFactory: DataSinkFactory | undefined;
  private inputPauses = 0;
  /** True while a streamed data set is being written: other messages wait (PS3.8 Annex E, no interleaving). */
  private streaming = false;
  private deferredSends: (() => void)[] = [];
  /** Streamed data sets go out one after the other, whole: each waits for the one before. */
  private streamChain: Promise<void> = Promise.resolve();
  private releaseRequested = false;
  /** The first bytes the peer sent (up to FIRST_BYTES_KEPT), once it sent any. */
  firstBytes: Uint8Array | undefined;

  constructor(
    readonly isRequestor: boolean,
    remote: { address: string; port: number },
    options: AssociationOptions = {},
  ) {
    super();
    this.remoteAddress = remote.address;
    this.remotePort = remote.port;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.autoReleaseResponse = options.autoReleaseResponse ?? true;
    // Incoming PDUs are held to the hard cap, not to the Maximum Length we announced: many devices
    // overshoot it, and a PDU above the cap is aborted before any buffer is sized from its length.
    const cap = options.maxPduLengthCap ?? DEFAULT_MAX_PDU_LENGTH_CAP;
    // A P-DATA-TF that spans reads comes in PDV pieces as it arrives (pdu/pdata-stream.ts): held
    // whole first, it was a copy per PDU and up to the cap (16 MiB) held per association.
    this.framer = new PduFramer(
      { maxPduLength: cap },
      (type, body) => this.onPdu(type, body),
      (err) => this.onInvalidPdu(err),
      (piece) => this.dispatchPdu(PduType.PDataTf, { type: PduType.PDataTf, pdvs: [piece] }),
    );
    this.assembler = new MessageAssembler({
      onMessage: (m) => this.onMessage(m),
      dataSink: (m) => this.dataSinkFactory?.(m, this),
      // Another association needed the memory this one's data set held (dimse/memory-budget.ts).
      onEvicted: (reason) => this.abort(`The data set being received was dropped and the association aborted: ${reason}.`),
    });
    this.artim = new ArtimTimer(this.timeouts.artimMs, () => {
      // Sta2: the caller connected and sent no A-ASSOCIATE-RQ in time (PS3.8 §9.1.5); say so.
      if (this.state === 'Sta2') this.closeAwaitingRequest(`No A-ASSOCIATE-RQ arrived within ${this.timeouts.artimMs / 1000} s of the connection (ARTIM): it may be a port check (a load balancer, a monitor) or not a DICOM node.`);
      else this.dispatch('Evt18');
    });
  }

  // ---- user primitives (requestor) ------------------------------------------------------------

  /**
   * A-ASSOCIATE request over an already connected transport: Evt1 (AE-1) then Evt2 (AE-2).
   * The transport is opened by the caller (DicomNet.connect) so that resolve/connect/TLS can be
   * timed and diagnosed as steps of their own. Resolves when the AC arrives.
   */
  requestAssociation(socket: Socket, associate: DicomAssociate): Promise<void> {
    this.associate = associate;
    this.dispatchLocal('Evt1', 'request an association');
    this.attach(socket);
    const done = new Promise<void>((resolve, reject) => { this.associateWaiter = { resolve, reject }; });
    this.dispatch('Evt2');
    this.acseTimer = setTimeout(() => {
      this.abortLocally('associate', `No A-ASSOCIATE-AC or -RJ arrived within ${this.timeouts.acseMs / 1000} s: the peer accepted the connection but does not answer as a DICOM node.`);
    }, this.timeouts.acseMs);
    return done;
  }

  // ---- acceptor -------------------------------------------------------------------------------

  /** Transport connection indication (Evt5, AE-5: start ARTIM, await the RQ). */
  acceptTransport(socket: Socket): void {
    this.dispatch('Evt5');
    this.attach(socket);
  }

  /** A-ASSOCIATE response (accept), Evt7. `associate` has been reset to an accept. */
  sendAssociateAccept(associate: DicomAssociate = this.requireAssociate()): void {
    // Encoded before anything changes: an AC that cannot be encoded (a value in it is not valid)
    // throws here, still in Sta3 with the ACSE timer running, and the caller can reject instead
    // (Evt8). Encoded inside the transition, it threw in Sta6 with nothing sent and no timer left:
    // the peer waited for an answer that never came.
    const encoded = encodePdu(associate.toAc());
    this.associate = associate;
    this.clearAcseTimer();
    this.dispatchLocal('Evt7', 'accept the association', { encoded });
    this.armIdleTimer();
  }

  /** A-ASSOCIATE response (reject), Evt8. */
  sendAssociateReject(result: number, source: number, reason: number): void {
    this.clearAcseTimer();
    this.rejection = { type: 0x03, result, source, reason };
    this.dispatchLocal('Evt8', 'reject the association', { pdu: this.rejection });
  }

  // ---- data transfer ----------------------------------------------------------------------------

  /** P-DATA request (Evt9): the message fragmented to the peer's Maximum Length. */
  send(message: DimseMessage): boolean {
    this.requireAcceptedContext(message.presentationContextId);
    const command = encodeCommandSet(message.command);
    const buffers = fragmentMessage(message.presentationContextId, command, message.dataSet, this.peerMaxPduLength());
    const cmd = message.command;
    if ((cmd.commandField & 0x8000) !== 0 && cmd.messageIdBeingRespondedTo !== undefined && !PENDING_STATUSES.has(cmd.status ?? 0)) {
      this.performing.delete(cmd.messageIdBeingRespondedTo);
    }
    if (this.streaming) {
      // A streamed data set is going out: this message follows it, whole (no interleaving).
      this.deferredSends.push(() => this.writeMessage(buffers));
      return false;
    }
    this.writeMessage(buffers);
    return !(this.socket?.writableNeedDrain ?? false);
  }

  private writeMessage(buffers: readonly Buffer[]): void {
    this.dispatchLocal('Evt9', 'send data', { buffers });
    if (this.state === 'Sta8' && this.performing.size === 0) this.maybeAnswerRelease();
  }

  private requireAcceptedContext(presentationContextId: number): void {
    const pc = this.requireAssociate().context(presentationContextId);
    if (!pc || pc.result !== PresentationContextResult.Acceptance) {
      throw new Error(`Presentation context ${presentationContextId} was not accepted on this association.`);
    }
  }

  /**
   * A request whose data set comes from `source` piece by piece: the command, then each piece cut to
   * the peer's Maximum Length, waiting for the socket to drain between pieces so that memory holds
   * about one piece whatever the data set's size.
   */
  private sendStream(presentationContextId: number, command: CommandSet, source: DataSetSource, stallMs: number): Promise<void> {
    // Within the asynchronous operations window several requests may be under way; their P-DATA
    // must not interleave (PS3.8 Annex E: one message's fragments, then the next message).
    const turn = this.streamChain.then(() => this.sendStreamNow(presentationContextId, command, source, stallMs));
    this.streamChain = turn.catch(() => undefined);
    return turn;
  }

  private async sendStreamNow(presentationContextId: number, command: CommandSet, source: DataSetSource, stallMs: number): Promise<void> {
    this.requireAcceptedContext(presentationContextId);
    const max = this.peerMaxPduLength();
    // The command goes out with the first piece of the data set: one write, one segment for the
    // typical small instance, instead of a command segment the peer wakes up for on its own.
    let commandBuffers: Buffer[] | undefined = fragmentMessage(presentationContextId, encodeCommandSet(command), undefined, max);
    this.streaming = true;
    // The command leaves with the first piece: until then nothing of this message is out, and a
    // source that fails (a file removed after the scan) fails this request alone.
    let anySent = false;
    try {
      let previous: DataSetPiece | undefined;
      for await (const piece of source.chunks(maxFragmentSize(max))) {
        if (pieceLength(piece) === 0) continue;
        if (previous) {
          anySent = true;
          await this.writePiece(presentationContextId, previous, false, max, commandBuffers, source, stallMs);
          commandBuffers = undefined;
        }
        previous = piece;
      }
      anySent = true;
      await this.writePiece(presentationContextId, previous ?? Buffer.alloc(0), true, max, commandBuffers, source, stallMs);
      source.sent?.();
    } catch (err) {
      throw anySent || err instanceof AssociationError ? err : new NothingSent(err as Error);
    } finally {
      this.streaming = false;
      const deferred = this.deferredSends;
      this.deferredSends = [];
      for (const write of deferred) {
        try {
          write();
        } catch (err) {
          this.emitError(err as Error);
        }
      }
    }
  }

  /**
   * Writes one piece and, when the socket's buffer is full, waits for it to drain: for at most
   * `stallMs` (0: no limit). A peer that stops reading in the middle of a data set (hung, or its
   * disk full and no flow of its own) kept the send waiting for ever: the response timeout only
   * starts once the request is sent.
   */
  private async writePiece(presentationContextId: number, piece: DataSetPiece, isLast: boolean, max: number, before: Buffer[] | undefined, source: DataSetSource, stallMs: number): Promise<void> {
    if (this.closed || (this.state !== 'Sta6' && this.state !== 'Sta8')) {
      throw new AssociationError('dimse', 'closed', this.abortInfo?.explanation ?? 'The association ended while the data set was being sent.');
    }
    const buffers = fragmentPiece(presentationContextId, piece, isLast, max);
    const onWritten = source.release && (() => source.release?.(piece));
    this.dispatchLocal('Evt9', 'send data', { buffers: before ? [...before, ...buffers] : buffers, onWritten });
    const s = this.socket;
    if (!s || !s.writableNeedDrain) return;
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        s.off('drain', done);
        s.off('close', done);
      };
      const done = () => {
        stop();
        resolve();
      };
      const timer = stallMs > 0 ? setTimeout(() => {
        stop();
        reject(new AssociationError('dimse', 'stalled', `The peer took none of the data set for ${stallMs / 1000} s while we sent it: it stopped reading (hung or overloaded, or its disk is full). The association was aborted.`));
      }, stallMs) : undefined;
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /**
   * Sends a request and resolves with its final response. Respects the negotiated asynchronous
   * operations window (PS3.7 D.3.3.3): beyond it, requests wait in order for a free slot.
   * Pending responses (FF00/FF01) go to `onPending`.
   */
  request(
    presentationContextId: number,
    command: Omit<CommandSet, 'messageId'>,
    dataSet?: Buffer | DataSetSource,
    opts: { onPending?: (m: DimseMessage) => void; timeoutMs?: number } = {},
  ): Promise<DimseMessage> {
    return new Promise<DimseMessage>((resolve, reject) => {
      const start = () => {
        if (this.state !== 'Sta6') {
          // An association that has just ended says why (the reason the user needs), else where it is.
          const info = this.abortInfo;
          reject(info
            ? new AssociationError('dimse', 'aborted', `The association ended before this request was sent: ${info.explanation}`)
            : new AssociationError('dimse', 'not-established', `The association is not open for requests: ${stateDescription[this.state]} (PS3.8 ${this.state}).`));
          return;
        }
        const messageId = this.allocateMessageId();
        const entry: PendingRequest = { messageId, resolve, reject, onPending: opts.onPending };
        const timeoutMs = opts.timeoutMs ?? this.timeouts.dimseMs;
        // The response timeout runs from the end of the request: a large data set takes its time.
        const armTimer = () => {
          if (timeoutMs > 0 && this.pending.has(messageId)) this.armDimseDeadline(entry, timeoutMs);
        };
        this.pending.set(messageId, entry);
        const full = { ...command, messageId } as CommandSet;
        if (dataSet !== undefined && !Buffer.isBuffer(dataSet)) {
          this.sendStream(presentationContextId, full, dataSet, timeoutMs).then(armTimer, (err: Error) => {
            if (!this.pending.delete(messageId)) return; // already failed with the association
            if (err instanceof NothingSent) {
              reject(new AssociationError('dimse', 'source-unsent', `Reading the data set to send failed: ${err.reason.message}. Nothing of it was sent; the association goes on.`));
              this.startQueued();
              return;
            }
            // Part of the message is out: the association cannot carry on (PS3.8 has no "cancel a PDV stream").
            const error = err instanceof AssociationError ? err
              : new AssociationError('dimse', 'source', `Reading the data set to send failed: ${err.message}. The association was aborted.`);
            reject(error);
            this.abortLocally('dimse', error.message);
          });
          return;
        }
        try {
          this.send({ presentationContextId, command: full, dataSet });
          armTimer();
        } catch (err) {
          this.pending.delete(messageId);
          reject(err as Error);
          this.startQueued();
        }
      };
      const window = this.requestWindow();
      if (window === 0 || this.pending.size < window) start();
      else this.queue.push({ start, reject });
    });
  }

  /** Where data sets of incoming messages go from now on (set it before the peer can send any). */
  setDataSinkFactory(factory: DataSinkFactory | undefined): void {
    this.dataSinkFactory = factory;
  }

  /**
   * Stops reading from the peer (a sink is behind, e.g. the disk is slower than the network) until
   * as many resumeInput() calls; TCP flow control then slows the peer down instead of us buffering.
   */
  pauseInput(): void {
    if (this.inputPauses++ === 0) this.socket?.pause();
  }

  resumeInput(): void {
    if (this.inputPauses === 0) return;
    if (--this.inputPauses === 0 && this.socket && !this.socket.destroyed) this.socket.resume();
  }

  get outstandingRequests(): number {
    return this.pending.size;
  }

  // ---- release and abort ------------------------------------------------------------------------

  /** A-RELEASE request (Evt11); resolves on the release confirmation. */
  release(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.releaseWaiters.push({ resolve, reject }));
    this.releaseRequested = true;
    this.dispatchLocal('Evt11', 'release the association');
    this.releaseTimer = setTimeout(() => {
      this.abortLocally('release', `No A-RELEASE-RP arrived within ${this.timeouts.releaseMs / 1000} s; the association was aborted instead.`);
    }, this.timeouts.releaseMs);
    return done;
  }

  /** A-RELEASE response (Evt14), for users that turned autoReleaseResponse off. */
  sendReleaseResponse(): void {
    this.dispatchLocal('Evt14', 'answer the release request');
  }

  /** A-ABORT request (Evt15). Safe in any state. */
  abort(explanation = 'aborted by the local user'): void {
    if (this.state === 'Sta1' || this.state === 'Sta13') {
      this.destroySocket();
      return;
    }
    this.abortInfo ??= { origin: 'local', source: AbortSource.ServiceUser, reason: 0, explanation };
    this.dispatch('Evt15', { explanation });
  }

  /**
   * The user's cancel: A-ABORT (Evt15), and the transport closed by us soon after rather than at
   * ARTIM's end (Sta13 waits for the peer to close it, PS3.8 §9.2): a silent peer kept a Ctrl-C
   * waiting for the whole timeout. DCMTK's ASC_abortAssociation closes at once; the short grace
   * lets an A-ABORT queued behind a data set still reach the peer.
   */
  cancel(explanation = 'cancelled by the user'): void {
    this.abort(explanation);
    if (this.closed) return;
    const timer = setTimeout(() => this.destroySocket(), CANCEL_CLOSE_MS);
    void this.whenClosed().then(() => clearTimeout(timer));
  }

  /**
   * Closes a connection still waiting for its A-ASSOCIATE-RQ (Sta2), as ARTIM's end would (Evt18,
   * AA-2): the acceptor's way to make room when too many callers connect and say nothing.
   */
  closeAwaitingRequest(explanation: string): void {
    if (this.state !== 'Sta2') return;
    this.abortInfo ??= { origin: 'provider', source: AbortSource.ServiceProvider, reason: AbortReason.NotSpecified, explanation };
    this.dispatch('Evt18');
  }

  /** Resolves once the transport is closed. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The fragment size of our P-DATA-TF PDUs here (the peer's Maximum Length less the headers). */
  get dataFragmentSize(): number {
    return maxFragmentSize(this.peerMaxPduLength());
  }

  // ---- the state machine driver --------------------------------------------------------------

  private dispatchLocal(event: UlEvent, what: string, payload: EventPayload = {}): void {
    if (!this.dispatch(event, payload)) {
      throw new Error(`Cannot ${what} in state ${this.state} (PS3.8 §9.2: ${event} is not valid there).`);
    }
  }

  /** Runs one transition; returns false when the event is not valid in the current state. */
  private dispatch(event: UlEvent, payload: EventPayload = {}): boolean {
    const t = step(this.state, event, { isRequestor: this.isRequestor, associateRqAcceptable: true });
    if (!t) return false;
    this.state = t.next;
    for (const effect of t.effects) this.perform(effect, payload);
    this.flushIndications();
    return true;
  }

  /** Indications run after every effect of the transition, so a handler may call back into us. */
  private indicate(fn: () => void): void {
    this.indications.push(fn);
  }

  private flushIndications(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let fn = this.indications.shift(); fn; fn = this.indications.shift()) {
        try {
          fn();
        } catch (err) {
          // A listener's bug must not break the protocol machine.
          this.emitError(err as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private perform(effect: UlEffect, payload: EventPayload): void {
    switch (effect) {
      case 'openTransport':
        return; // done by the caller before Evt2 (see requestAssociation)
      case 'sendAssociateRq':
        return this.write(encodePdu(this.requireAssociate().toRq()));
      case 'sendAssociateAc':
      case 'sendAssociateRj':
        return this.write(payload.encoded ?? encodePdu(payload.pdu as Pdu));
      case 'sendPData':
        return this.writeAll(payload.buffers ?? [], payload.onWritten);
      case 'sendReleaseRq':
        return this.write(RELEASE_RQ);
      case 'sendReleaseRp':
        return this.write(RELEASE_RP);
      case 'sendAbortUser':
        // AA-1 is also the answer to a bad PDU in Sta2 (Evt19, or a PDU other than the RQ). There we
        // send the provider as source with the reason, so the peer learns what was wrong with it.
        if (payload.abortReason !== undefined) {
          return this.write(encodePdu({ type: 0x07, source: AbortSource.ServiceProvider, reason: payload.abortReason }));
        }
        return this.write(encodePdu({ type: 0x07, source: AbortSource.ServiceUser, reason: 0 }));
      case 'sendAbortProvider':
        return this.write(encodePdu({ type: 0x07, source: AbortSource.ServiceProvider, reason: payload.abortReason ?? AbortReason.UnexpectedPdu }));
      case 'indicateAssociateRq':
        return this.onAssociateRq(payload.pdu as AAssociateRq);
      case 'indicateAssociateAc':
        return this.onAssociateAc(payload.pdu as AAssociateAc);
      case 'indicateAssociateRj':
        return this.onAssociateRj(payload.pdu as AAssociateRj);
      case 'indicatePData':
        return this.onPData(payload.pdu as PDataTf);
      case 'indicateReleaseRq':
        this.clearIdleTimer();
        this.indicate(() => { this.emit('releaseRequest'); this.maybeAnswerRelease(); });
        return;
      case 'indicateReleaseRp':
        return this.onReleaseConfirmed();
      case 'indicateReleaseCollision':
        this.indicate(() => {
          this.emit('releaseCollision');
          // PS3.8 §9.2.3 collision: the requestor answers first (Sta9), the acceptor waits (Sta10).
          if (this.state === 'Sta9') this.dispatch('Evt14');
        });
        return;
      case 'indicateAbort':
        return this.onPeerAbort(payload.pdu as AAbort);
      case 'indicateProviderAbort':
        return this.onProviderAbort(payload);
      case 'startArtim':
        return this.artim.start();
      case 'stopArtim':
        return this.artim.stop();
      case 'closeTransport':
        return this.closeTransport();
      case 'ignore':
        return;
    }
  }

  // ---- incoming -----------------------------------------------------------------------------

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    const onChunk = (chunk: Buffer) => {
      this.lastActivity = Date.now();
      // Kept to explain a failure: a TLS record here means the peer expects TLS, a line of text that
      // the port is not a DICOM one (dicom-net.ts).
      this.firstBytes ??= Uint8Array.prototype.slice.call(chunk, 0, FIRST_BYTES_KEPT);
      this.framer.push(chunk);
    };
    // Our sockets (accepted and connected, plain and TLS) read into a buffer used again for the next read (transport.ts).
    if (!takeChunks(socket, onChunk)) socket.on('data', onChunk);
    socket.on('error', (err) => this.emitError(err));
    socket.on('close', () => this.onTransportClosed());
    socket.on('end', () => {
      // The peer closed: we will not get more PDUs (PS3.8 Evt17 follows). Close our side too; with
      // nothing left to send, at once (one close instead of a shutdown and a close later).
      if (!socket.destroyed) this.closeSocket(socket);
    });
  }

  /** A PDU from the framer: `body` (and the PDVs decoded from it) are valid only during this call. */
  private onPdu(type: number, body: Buffer): void {
    let pdu: Pdu;
    try {
      // P-DATA goes on as views (the assembler and the sinks copy what they keep); the other PDUs
      // are small, and their decoded form keeps views of some fields (0x56, 0x58/0x59): a copy.
      pdu = decodePdu(type, type === PduType.PDataTf ? body : Buffer.from(body));
    } catch (err) {
      this.onInvalidPdu(err instanceof PduDecodeError ? err : new PduDecodeError(String(err), AbortReason.InvalidPduParameterValue));
      return;
    }
    this.dispatchPdu(type, pdu);
  }

  /**
   * A received PDU's event (Evt3-Evt17). A streamed P-DATA-TF is one per piece: in Sta6 and Sta7
   * each indicates its data (DT-2, AR-6), anywhere else the first aborts and the rest are ignored.
   */
  private dispatchPdu(type: number, pdu: Pdu): void {
    const event = pduEvent[type];
    if (event === undefined) {
      this.onInvalidPdu(new PduDecodeError(`unrecognised PDU type 0x${type.toString(16)}`, AbortReason.UnrecognizedPdu));
      return;
    }
    if (!this.dispatch(event, { pdu, abortReason: AbortReason.UnexpectedPdu })) {
      // A PDU in a state whose cell is empty (e.g. before the transport is ours): unexpected PDU.
      this.dispatch('Evt19', { abortReason: AbortReason.UnexpectedPdu, explanation: `unexpected ${event} in ${this.state}` });
    }
  }

  private onInvalidPdu(err: PduDecodeError): void {
    // A caller whose first bytes are a line of text is not a DICOM node at all: say what it is.
    const first = this.state === 'Sta2' ? this.firstBytes : undefined;
    const text = first && textInsteadOfPdu(first);
    const explanation = first && looksLikeTlsRecord(first)
      ? 'The caller started a TLS handshake on this plain port: it should use our TLS port, or turn TLS off for us.'
      : text
        ? `The caller sent text, not DICOM ('${text.line}'), as ${text.speaker} does: it is not a DICOM node, or it was pointed at the wrong port.`
        : `Invalid PDU received: ${err.message}`;
    this.abortInfo ??= { origin: 'provider', source: AbortSource.ServiceProvider, reason: err.abortReason, explanation };
    this.dispatch('Evt19', { abortReason: err.abortReason, explanation: err.message });
  }

  private onAssociateRq(rq: AAssociateRq): void {
    this.associate = DicomAssociate.fromRq(rq);
    const associate = this.associate;
    this.indicate(() => this.emit('associateRequest', associate));
    // The limit for our answer is armed after the indication, and only if it did not answer: a
    // listener that answers at once (the usual case) needs no timer set and cleared on the path
    // of every association (issue #2).
    this.indicate(() => {
      if (this.state !== 'Sta3') return;
      this.acseTimer = setTimeout(() => {
        this.abortLocally('associate', 'The local application did not answer the association request in time.');
      }, this.timeouts.acseMs);
    });
  }

  private onAssociateAc(ac: AAssociateAc): void {
    this.clearAcseTimer();
    const associate = this.requireAssociate();
    associate.applyAc(ac);
    this.armIdleTimer();
    this.indicate(() => {
      this.associateWaiter?.resolve();
      this.associateWaiter = undefined;
      this.emit('associateAccept', associate);
    });
  }

  private onAssociateRj(rj: AAssociateRj): void {
    this.clearAcseTimer();
    this.rejection = rj;
    const a = this.requireAssociate();
    this.indicate(() => {
      this.associateWaiter?.reject(new AssociationError('associate', 'rejected', explainRejection(rj.result, rj.source, rj.reason, a), {
        result: rj.result, source: rj.source, reason: rj.reason, decoded: decodeRejection(rj.result, rj.source, rj.reason),
      }));
      this.associateWaiter = undefined;
      this.emit('associateReject', rj);
    });
  }

  private onPData(pdu: PDataTf): void {
    const assoc = this.requireAssociate();
    for (const pdv of pdu.pdvs) {
      const pc = assoc.context(pdv.presentationContextId);
      if (!pc || pc.result !== PresentationContextResult.Acceptance) {
        this.indicate(() => this.onInvalidPdu(new PduDecodeError(`PDV on presentation context ${pdv.presentationContextId}, which was not accepted`, AbortReason.InvalidPduParameterValue)));
        return;
      }
      try {
        this.assembler.push(pdv);
      } catch (err) {
        const message = (err as Error).message;
        this.indicate(() => this.onInvalidPdu(new PduDecodeError(`DIMSE message framing: ${message}`, AbortReason.InvalidPduParameterValue)));
        return;
      }
    }
  }

  private onMessage(m: { presentationContextId: number; command: CommandSet; dataSet?: Buffer; sink?: DataSetSink }): void {
    const message: DimseMessage = m;
    const cmd = message.command;
    if ((cmd.commandField & 0x8000) !== 0) {
      const entry = cmd.messageIdBeingRespondedTo === undefined ? undefined : this.pending.get(cmd.messageIdBeingRespondedTo);
      if (entry) {
        if (PENDING_STATUSES.has(cmd.status ?? 0)) {
          // The response timeout is for the next response (PS3.7 §9.1.2.1: a C-FIND answers each
          // match with a pending one): a long query that keeps answering is not cut off, and one
          // that goes quiet after a pending answer still times out.
          if (entry.timeoutMs !== undefined && entry.deadline !== undefined) entry.deadline = nowMs() + entry.timeoutMs;
          this.indicate(() => entry.onPending?.(message));
        } else {
          this.pending.delete(entry.messageId);
          this.indicate(() => { entry.resolve(message); this.startQueued(); });
        }
      }
    } else if (cmd.commandField !== 0x0fff && cmd.messageId !== undefined) {
      this.performing.add(cmd.messageId); // C-CANCEL (0x0FFF) is never answered (PS3.7 §9.3.2.3)
    }
    this.indicate(() => this.emit('data', message));
  }

  private onReleaseConfirmed(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.indicate(() => {
      const waiters = this.releaseWaiters;
      this.releaseWaiters = [];
      for (const w of waiters) w.resolve();
      this.emit('released');
      // Acceptor side of a collision (AR-10 -> Sta12): now it is our turn to answer.
      if (this.state === 'Sta12') this.dispatch('Evt14');
    });
  }

  private maybeAnswerRelease(): void {
    if (!this.autoReleaseResponse) return;
    if (this.state === 'Sta8' && this.performing.size === 0) this.dispatch('Evt14');
  }

  private onPeerAbort(pdu: AAbort): void {
    const info: AbortInfo = {
      origin: 'peer',
      source: pdu.source,
      reason: pdu.reason,
      explanation: `${explainAbort(pdu.source, pdu.reason)} [${decodeAbort(pdu.source, pdu.reason)}]`,
    };
    this.abortInfo = info;
    this.indicate(() => this.emit('abort', info));
    this.failWaiters(new AssociationError(this.isEstablishedOrLater() ? 'dimse' : 'associate', 'aborted', info.explanation, { source: pdu.source, reason: pdu.reason }));
  }

  private onProviderAbort(payload: EventPayload): void {
    const info: AbortInfo = this.abortInfo ?? {
      origin: 'provider',
      source: AbortSource.ServiceProvider,
      reason: payload.abortReason ?? AbortReason.NotSpecified,
      explanation: payload.explanation ?? 'The connection was closed by the peer without a release or an abort.',
    };
    this.abortInfo = info;
    this.indicate(() => this.emit('abort', info));
    this.failWaiters(new AssociationError(this.isEstablishedOrLater() ? 'dimse' : 'associate', 'aborted', info.explanation));
  }

  private onTransportClosed(): void {
    if (this.state !== 'Sta1') {
      const wasReleasing = this.releaseRequested;
      this.dispatch('Evt17', { explanation: wasReleasing ? 'The peer closed the connection during release.' : undefined });
    }
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.artim.stop();
    this.clearAcseTimer();
    this.clearIdleTimer();
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    if (this.dimseTimer) clearTimeout(this.dimseTimer);
    this.dimseTimer = undefined;
    // Building an Error captures a stack: only when someone is still waiting (not on every close).
    if (this.associateWaiter || this.pending.size > 0 || this.queue.length > 0 || this.releaseWaiters.length > 0) {
      this.failWaiters(new AssociationError('dimse', 'closed', this.abortInfo?.explanation ?? 'The connection is closed.'));
    }
    this.assembler.abort(this.abortInfo?.explanation ?? 'The connection closed before the data set was complete.');
    this.deferredSends = [];
    for (const w of this.closeWaiters) w();
    this.closeWaiters = [];
    this.emit('close');
  }

  private failWaiters(error: AssociationError): void {
    if (this.associateWaiter) {
      this.associateWaiter.reject(error);
      this.associateWaiter = undefined;
    }
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
    for (const q of this.queue.splice(0)) q.reject(error);
    const waiters = this.releaseWaiters;
    this.releaseWaiters = [];
    for (const w of waiters) w.reject(error);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private abortLocally(step: 'associate' | 'dimse' | 'release', explanation: string): void {
    this.abortInfo ??= { origin: 'local', source: AbortSource.ServiceUser, reason: 0, explanation };
    this.failWaiters(new AssociationError(step, 'timeout', explanation));
    this.abort(explanation);
  }

  private isEstablishedOrLater(): boolean {
    return this.associate?.acceptorMaxPduLength !== undefined;
  }

  private requireAssociate(): DicomAssociate {
    if (!this.associate) throw new Error(`No association has been requested yet (state ${this.state}).`);
    return this.associate;
  }

  /** The peer's Maximum Length: what our P-DATA-TF PDUs may not exceed (0 = no limit). */
  private peerMaxPduLength(): number {
    const a = this.requireAssociate();
    return (this.isRequestor ? a.acceptorMaxPduLength : a.requestorMaxPduLength) ?? 0;
  }

  private requestWindow(): number {
    const a = this.associate;
    if (!a) return 1;
    return this.isRequestor ? a.maxInvokedByRequestor() : a.maxInvokedByAcceptor();
  }

  private allocateMessageId(): number {
    // Message IDs are 16-bit and unique among outstanding requests (PS3.7 §9.1.1.1).
    for (let tries = 0; tries < 0x10000; tries++) {
      const id = this.nextMessageId;
      this.nextMessageId = id >= 0xffff ? 1 : id + 1;
      if (!this.pending.has(id)) return id;
    }
    throw new Error('No free message ID: 65535 requests are outstanding.');
  }

  private startQueued(): void {
    const window = this.requestWindow();
    while (this.queue.length > 0 && (window === 0 || this.pending.size < window)) {
      this.queue.shift()?.start();
    }
  }

  private write(buf: Buffer): void {
    const s = this.socket;
    if (s && !s.destroyed && s.writable) {
      s.write(buf);
      this.holdInputWhileBacklogged(s);
    }
  }

  /**
   * The acceptor stops reading requests while more than WRITE_BACKLOG_LIMIT of its answers wait
   * to be written, until they drain: a peer that sends requests without reading the responses (2
   * million C-ECHO-RQs in 8 s) made our SCP buffer them, 800 MB, for as long as it went on. TCP
   * flow control slows that peer down instead, and its idle timeout ends it. Not the requestor:
   * its own data sets fill its buffer as a matter of course, while it must go on reading answers.
   */
  private holdInputWhileBacklogged(s: Socket): void {
    if (this.isRequestor || this.backlogHeld || s.writableLength <= WRITE_BACKLOG_LIMIT) return;
    this.backlogHeld = true;
    this.pauseInput();
    s.once('drain', () => {
      this.backlogHeld = false;
      this.resumeInput();
    });
  }

  private writeAll(buffers: readonly Buffer[], onWritten?: () => void): void {
    const s = this.socket;
    if (!s || s.destroyed || !s.writable) {
      onWritten?.();
      return;
    }
    this.lastActivity = Date.now();
    const written = onWritten && once(onWritten);
    this.writeBuffers(s, buffers, written);
    // Nothing left in the stream: the kernel took every byte during the call, so the buffers are
    // free now. Node says so only on the next tick, and a sender that reads its next piece before
    // that (inline reads run as microtasks) found its pool empty every time: 10 x 50 MB took 137
    // fresh 1.25 MiB buffers and +148 MB of memory.
    if (written && s.writableLength === 0) written();
    this.holdInputWhileBacklogged(s);
  }

  private writeBuffers(s: Socket, buffers: readonly Buffer[], onWritten: (() => void) | undefined): void {
    // Writes complete in order: the last one's callback says all of them have left our hands.
    if (buffers.length === 1) {
      s.write(buffers[0] as Buffer, onWritten);
      return;
    }
    if ('encrypted' in s && totalLength(buffers) > TLS_JOIN_LIMIT) {
      // Node's TLS layer copies a write of several buffers into one fresh buffer (TLSWrap::DoWrite);
      // written one by one, each is encrypted where it lies (those queued behind a pending write
      // are still joined: framed pieces make the data set one buffer, see dimse/framed-piece.ts).
      buffers.forEach((b, i) => (i === buffers.length - 1 ? s.write(b, onWritten) : s.write(b)));
      return;
    }
    // Plain TCP, or a small message over TLS: one write. Over TLS, written apart, a C-STORE-RQ's
    // command went out as a TLS record of its own and the peer woke up for it alone, then again for
    // the data set; the copy of a join this size costs less than that wake-up (see TLS_JOIN_LIMIT).
    s.cork();
    buffers.forEach((b, i) => (i === buffers.length - 1 ? s.write(b, onWritten) : s.write(b)));
    s.uncork();
  }

  private closeTransport(): void {
    const s = this.socket;
    if (!s || s.destroyed) {
      this.finish();
      return;
    }
    this.closeSocket(s);
  }

  /**
   * Closes the transport connection (PS3.8 §9.1.6). A plain socket with all our bytes handed to the
   * kernel is closed at once: the kernel sends them and then FIN, as after a shutdown. Otherwise end()
   * lets queued bytes (and TLS its close_notify alert) go first, and the socket is destroyed a second
   * later if the peer never closes its side.
   */
  private closeSocket(s: Socket): void {
    if (s.writableLength === 0 && !(s as Socket & { encrypted?: boolean }).encrypted) {
      s.destroy();
      return;
    }
    s.end();
    setTimeout(() => s.destroy(), 1000).unref();
  }

  private destroySocket(): void {
    if (this.socket && !this.socket.destroyed) this.socket.destroy();
    else this.finish();
  }

  private clearAcseTimer(): void {
    if (this.acseTimer) clearTimeout(this.acseTimer);
    this.acseTimer = undefined;
  }

  private armIdleTimer(): void {
    const idleMs = this.timeouts.idleMs;
    if (idleMs <= 0) return;
    const check = () => {
      const idle = Date.now() - this.lastActivity;
      if (this.state !== 'Sta6') return;
      if (idle >= idleMs && this.pending.size === 0) {
        this.abortLocally('dimse', `The association was idle for ${Math.round(idle / 1000)} s and was aborted.`);
      } else {
        this.idleTimer = setTimeout(check, Math.max(100, idleMs - idle));
      }
    };
    this.idleTimer = setTimeout(check, idleMs);
  }

  private armDimseDeadline(entry: PendingRequest, timeoutMs: number): void {
    const deadline = nowMs() + timeoutMs;
    entry.deadline = deadline;
    entry.timeoutMs = timeoutMs;
    // Equal timeouts give deadlines in order, so the armed timer is usually early enough already.
    if (this.dimseTimer && deadline >= this.dimseTimerDue) return;
    this.startDimseTimer(deadline, timeoutMs);
  }

  private startDimseTimer(due: number, delayMs: number): void {
    if (this.dimseTimer) clearTimeout(this.dimseTimer);
    this.dimseTimerDue = due;
    this.dimseTimer = setTimeout(() => this.checkDimseDeadlines(), Math.max(1, Math.ceil(delayMs)));
  }

  private checkDimseDeadlines(): void {
    this.dimseTimer = undefined;
    this.dimseTimerDue = Infinity;
    const now = nowMs();
    let next = Infinity;
    for (const entry of this.pending.values()) {
      if (entry.deadline === undefined) continue;
      if (entry.deadline <= now) {
        this.pending.delete(entry.messageId);
        const seconds = (entry.timeoutMs ?? 0) / 1000;
        entry.reject(new AssociationError('dimse', 'timeout', `No DIMSE response within ${seconds} s: the peer is too slow or stuck; the association was aborted.`));
        this.abortLocally('dimse', 'DIMSE response timeout');
        return;
      }
      if (entry.deadline < next) next = entry.deadline;
    }
    if (next !== Infinity) this.startDimseTimer(next, next - now);
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private emitError(err: Error): void {
    // EventEmitter throws on an unhandled 'error': an error must never escape the socket handler.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

/** `fn` for its first call only (a buffer's release may come from two places, and must come once). */
function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}

function totalLength(buffers: readonly Buffer[]): number {
  let n = 0;
  for (const b of buffers) n += b.length;
  return n;
}
