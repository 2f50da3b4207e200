// Reassembles PDUs from a TCP byte stream, PS3.8 §9.1 / §9.3.1: read the 6-byte header (type u8,
// reserved u8, length u32 BE), then exactly `length` more bytes. TCP may split a PDU anywhere (even
// inside the header) or deliver several PDUs in one chunk.
//
// Memory: a chunk is read only during push(), never after, so the transport may read the socket into
// one reused buffer (transport.ts: fresh memory for every read costs Node more than the read
// itself). A PDU lying inside the chunk is handed out as a view of it. A P-DATA-TF that spans chunks
// is, when the owner takes pieces (onPDataPiece), handed out PDV piece by PDV piece as views of the
// chunks (pdata-stream.ts): no copy, and nothing of it held between chunks but a PDV item header.
// The bytes of any other PDU that spans chunks (or of a P-DATA-TF, for an owner that takes PDUs
// whole) are copied into the framer's own staging buffer, reused from PDU to PDU, and handed out
// from there. Either way what the callbacks get is valid only until they return: whoever keeps
// bytes beyond that copies them (the DIMSE assembler and the data-set sinks do).
//
// Safety: the peer's length is checked against a hard cap before anything else, and nothing is ever
// allocated from it: the staging buffer grows with the bytes that actually arrived (at most twice
// them), never to the length a header claims.
//
// Checks made here, at the header, because they need no body: the PDU type must be 0x01..0x07
// (else A-ABORT reason 1, unrecognized-PDU), the length must not exceed maxPduLength (reason 6), nor
// 1 MiB for an A-ASSOCIATE-RQ/AC (reason 6), and
// A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and A-ABORT must have length 4 (reason 6) - waiting for a
// megabyte-long A-RELEASE-RQ would be pointless. decode.ts checks the latter again for callers that
// decode without a framer. Everything else about the body is decode.ts's job (pdata-stream.ts's for a
// streamed P-DATA-TF, with the same checks). After an error the
// framer stops and ignores all further input: the association is being aborted.

import { FIXED_PDU_LENGTH, PDU_HEADER_LENGTH, PduType } from './constants';
import { PDataStream } from './pdata-stream';
import { PduDecodeError, type PresentationDataValue } from './types';

export interface FramerOptions {
  /** Hard cap on the PDU length field (bytes after the 6-byte header), e.g. 16 MiB. */
  maxPduLength: number;
}

const UNRECOGNIZED_PDU = 1; // PS3.8 Table 9-26
const INVALID_VALUE = 6;

const knownPduTypes: ReadonlySet<number> = new Set(Object.values(PduType));
const fixedLengthPduTypes: ReadonlySet<number> = new Set([PduType.AAssociateRj, PduType.AReleaseRq, PduType.AReleaseRp, PduType.AAbort]);

/**
 * An A-ASSOCIATE-RQ or -AC of 128 presentation contexts with a dozen transfer syntaxes each, and
 * a user identity carrying a SAML assertion, is some tens of KiB: above this it is not a real one.
 * It is held before there is any association (and before the limit on associations counts it):
 * at the P-DATA cap (16 MiB) a thousand such connections could make the node hold 16 GB.
 */
export const MAX_ASSOCIATE_PDU_LENGTH = 1024 * 1024;

/** The staging buffer's first size, and the size above which it is not kept once its PDU is out. */
const STAGE_MIN = 4096;
const STAGE_KEEP = 4 * 1024 * 1024;

export class PduFramer {
  private maxPduLength: number;
  /** The start of a PDU that spans chunks, its header first; `fill` bytes of it are valid. */
  private stage: Buffer | undefined;
  private fill = 0;
  /** Total length (header included) of the staged PDU once its header is complete; -1 before. */
  private stagedTotal = -1;
  /** A copy of the bytes that followed a PDU whose onPdu threw: they come before the next chunk. */
  private backlog: Buffer | undefined;
  private stopped = false;
  /** The P-DATA-TF being streamed, when one spans chunks and onPDataPiece is given. */
  private readonly stream = new PDataStream();

  constructor(
    options: FramerOptions,
    /** A complete PDU's body: valid only until onPdu returns (see above). */
    private readonly onPdu: (type: number, body: Buffer) => void,
    private readonly onError: (err: PduDecodeError) => void,
    /**
     * Given, a P-DATA-TF that spans chunks is not staged: its PDVs come here in pieces as they
     * arrive (pdata-stream.ts), each valid only until the call returns. Without it, such a PDU is
     * staged and handed to onPdu whole.
     */
    private readonly onPDataPiece?: (piece: PresentationDataValue) => void,
  ) {
    this.maxPduLength = checkedCap(options.maxPduLength);
  }

  /** Bytes received and not yet handed out (in a PDU, or as a piece of a streamed P-DATA-TF). */
  get bufferedBytes(): number {
    return this.fill + this.stream.heldBytes + (this.backlog?.length ?? 0);
  }

  /** Changes the cap for PDU headers read from now on (a PDU already being received keeps its check). */
  setMaxPduLength(n: number): void {
    this.maxPduLength = checkedCap(n);
  }

  /**
   * Feeds received bytes; calls onPdu for each complete PDU (and onPDataPiece for each piece of a
   * streamed P-DATA-TF), synchronously and in order. The chunk is not referenced after push returns:
   * its memory may be reused at once. Not re-entrant: the callbacks must not call push. If a callback
   * throws, the bytes after what it was given are kept (copied) and handed out on the next push, and
   * the exception goes on to push's caller.
   */
  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    if (this.backlog !== undefined) {
      const backlog = this.backlog;
      this.backlog = undefined;
      try {
        this.push(backlog);
      } catch (err) {
        this.backlog = Buffer.concat([this.backlog ?? Buffer.alloc(0), chunk]);
        throw err;
      }
      if (this.stopped) return;
    }
    let o = 0;
    let threw = true;
    try {
      while (o < chunk.length && !this.stopped) {
        if (this.stream.active) {
          const used = this.streamNext(chunk, o);
          if (used < 0) break;
          o += used;
          const piece = this.stream.takePiece();
          if (piece !== undefined) this.onPDataPiece!(piece);
          continue;
        }
        if (this.fill > 0) {
          o += this.fillStage(chunk, o);
          if (this.stopped || this.stream.active) continue;
          if (this.stagedTotal < 0 || this.fill < this.stagedTotal) break; // all of the chunk went into the stage
          const stage = this.stage!;
          const total = this.stagedTotal;
          this.fill = 0;
          this.stagedTotal = -1;
          if (stage.length > STAGE_KEEP) this.stage = undefined; // a huge PDU: do not hold its size for good
          this.onPdu(stage[0] ?? 0, stage.subarray(PDU_HEADER_LENGTH, total));
          continue;
        }
        // Nothing staged: hand out whole PDUs straight from the chunk, as views.
        if (chunk.length - o < PDU_HEADER_LENGTH) {
          o += this.fillStage(chunk, o);
          break;
        }
        const type = chunk[o] ?? 0;
        const length = chunk.readUInt32BE(o + 2);
        if (!this.headerOk(type, length)) break;
        const end = o + PDU_HEADER_LENGTH + length;
        if (end <= chunk.length) {
          o = end;
          this.onPdu(type, chunk.subarray(end - length, end));
        } else if (type === PduType.PDataTf && this.onPDataPiece) {
          // The PDU goes on in the next chunks: its PDVs are handed out as they come.
          this.stream.start(length);
          o += PDU_HEADER_LENGTH;
        } else {
          o += this.fillStage(chunk, o);
          break;
        }
      }
      threw = false;
    } finally {
      // After a throw: keep the rest as it is.
      if (threw && !this.stopped && o < chunk.length) this.backlog = Buffer.from(chunk.subarray(o));
    }
  }

  /** The streamed P-DATA-TF's next piece read from chunk[from..]: the bytes used, or -1 if it is malformed. */
  private streamNext(chunk: Buffer, from: number): number {
    try {
      return this.stream.next(chunk, from);
    } catch (err) {
      if (!(err instanceof PduDecodeError)) throw err;
      this.fail(err);
      return -1;
    }
  }

  /** Copies chunk[from..] into the stage as far as the staged PDU goes; returns the bytes used. */
  private fillStage(chunk: Buffer, from: number): number {
    let o = from;
    if (this.stagedTotal < 0) {
      o += this.append(chunk, o, PDU_HEADER_LENGTH - this.fill);
      if (this.fill < PDU_HEADER_LENGTH) return o - from;
      const stage = this.stage!;
      const type = stage[0] ?? 0;
      const length = stage.readUInt32BE(2);
      if (!this.headerOk(type, length)) return chunk.length - from;
      if (type === PduType.PDataTf && length > 0 && this.onPDataPiece) {
        // Its header was split across chunks: the body streams from here (see push).
        this.fill = 0;
        this.stream.start(length);
        return o - from;
      }
      this.stagedTotal = PDU_HEADER_LENGTH + length;
    }
    o += this.append(chunk, o, this.stagedTotal - this.fill);
    return o - from;
  }

  /** Copies up to `max` bytes of chunk[from..] into the stage, growing it with what arrived. */
  private append(chunk: Buffer, from: number, max: number): number {
    const n = Math.min(max, chunk.length - from);
    if (n <= 0) return 0;
    const needed = this.fill + n;
    const stage = this.stage;
    if (stage === undefined || stage.length < needed) {
      // At most twice what has arrived (or STAGE_MIN), and never more than the PDU's own total.
      const limit = this.stagedTotal > 0 ? this.stagedTotal : STAGE_MIN;
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(limit, Math.max(STAGE_MIN, 2 * (stage?.length ?? 0)))));
      if (stage !== undefined && this.fill > 0) stage.copy(grown, 0, 0, this.fill);
      this.stage = grown;
    }
    chunk.copy(this.stage!, this.fill, from, from + n);
    this.fill += n;
    return n;
  }

  private headerOk(type: number, length: number): boolean {
    if (!knownPduTypes.has(type)) {
      this.fail(new PduDecodeError(`unrecognized PDU type 0x${type.toString(16).padStart(2, '0')}`, UNRECOGNIZED_PDU));
      return false;
    }
    if (length > this.maxPduLength) {
      this.fail(new PduDecodeError(`PDU type 0x0${type} claims ${length} bytes, above the limit of ${this.maxPduLength}`, INVALID_VALUE));
      return false;
    }
    if ((type === PduType.AAssociateRq || type === PduType.AAssociateAc) && length > MAX_ASSOCIATE_PDU_LENGTH) {
      this.fail(new PduDecodeError(`A-ASSOCIATE PDU (type 0x0${type}) claims ${length} bytes, above the limit of ${MAX_ASSOCIATE_PDU_LENGTH} for one`, INVALID_VALUE));
      return false;
    }
    if (fixedLengthPduTypes.has(type) && length !== FIXED_PDU_LENGTH) {
      this.fail(new PduDecodeError(`PDU type 0x0${type} has length ${length}; it must be ${FIXED_PDU_LENGTH}`, INVALID_VALUE));
      return false;
    }
    return true;
  }

  private fail(err: PduDecodeError): void {
    this.stopped = true;
    this.stream.stop();
    this.stage = undefined;
    this.backlog = undefined;
    this.fill = 0;
    this.stagedTotal = -1;
    this.onError(err);
  }
}

function checkedCap(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`maxPduLength ${n} must be an integer 0..4294967295`);
  return n;
}
