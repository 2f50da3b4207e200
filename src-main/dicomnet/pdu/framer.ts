// Reassembles PDUs from a TCP byte stream, PS3.8 §9.1 / §9.3.1: read the 6-byte header (type u8,
// reserved u8, length u32 BE), then exactly `length` more bytes. TCP may split a PDU anywhere (even
// inside the header) or deliver several PDUs in one chunk.
//
// Safety: the peer's length is checked against a hard cap before anything else, and nothing is ever
// allocated from it: received chunks are kept in a list and joined only once the whole PDU has
// actually arrived (one copy). A PDU lying inside a single chunk is handed out as a subarray view of
// that chunk (no copy), which is the common case for small PDUs and for P-DATA that fits a read.
// Small chunks are packed into blocks of PACK_SIZE bytes so that a peer trickling one byte per TCP
// segment cannot make us hold millions of tiny Buffer objects.
//
// Checks made here, at the header, because they need no body: the PDU type must be 0x01..0x07
// (else A-ABORT reason 1, unrecognized-PDU), the length must not exceed maxPduLength (reason 6), and
// A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and A-ABORT must have length 4 (reason 6) - waiting for a
// megabyte-long A-RELEASE-RQ would be pointless. decode.ts checks the latter again for callers that
// decode without a framer. Everything else about the body is decode.ts's job. After an error the
// framer stops and ignores all further input: the association is being aborted.

import { FIXED_PDU_LENGTH, PDU_HEADER_LENGTH, PduType } from './constants';
import { PduDecodeError } from './types';

export interface FramerOptions {
  /** Hard cap on the PDU length field (bytes after the 6-byte header), e.g. 16 MiB. */
  maxPduLength: number;
}

const UNRECOGNIZED_PDU = 1; // PS3.8 Table 9-26
const INVALID_VALUE = 6;

const knownPduTypes: ReadonlySet<number> = new Set(Object.values(PduType));
const fixedLengthPduTypes: ReadonlySet<number> = new Set([PduType.AAssociateRj, PduType.AReleaseRq, PduType.AReleaseRp, PduType.AAbort]);

/**
 * Queued chunks smaller than PACK_THRESHOLD are copied into blocks of PACK_SIZE instead of being
 * queued as they are. Memory then stays below about (1 + PACK_SIZE / PACK_THRESHOLD) times the
 * bytes received, whatever the chunking, with roughly one queue entry per PACK_THRESHOLD bytes.
 */
const PACK_THRESHOLD = 2048;
const PACK_SIZE = 4096;

export class PduFramer {
  private maxPduLength: number;
  /** Received bytes not yet handed out: chunks[0] from offset `head`, then the other chunks whole. */
  private readonly chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  /** The block small chunks are copied into; when set, it is the last entry of `chunks`. */
  private pack: Buffer | undefined;
  private packFill = 0;
  /** Type and length of the PDU whose header has been read and whose body is awaited; -1 if none. */
  private pendingType = -1;
  private pendingLength = -1;
  private stopped = false;

  constructor(
    options: FramerOptions,
    /**
     * A complete PDU. A P-DATA-TF that arrived in several chunks comes as the list of their views
     * (never joined: bulk data is not copied); every other PDU as one buffer.
     */
    private readonly onPdu: (type: number, body: Buffer | Buffer[]) => void,
    private readonly onError: (err: PduDecodeError) => void,
  ) {
    this.maxPduLength = checkedCap(options.maxPduLength);
  }

  /** Bytes received and not yet handed out in a PDU (excluding an already parsed header). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Changes the cap for PDU headers read from now on (a PDU already being received keeps its check). */
  setMaxPduLength(n: number): void {
    this.maxPduLength = checkedCap(n);
  }

  /**
   * Feeds received bytes; calls onPdu for each complete PDU, synchronously and in order. The framer
   * keeps references to (views of) the chunks it was given: the caller must not reuse their memory.
   * Not re-entrant: onPdu must not call push.
   */
  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    if (this.buffered === 0 && this.pendingLength < 0) {
      // Nothing pending: take whole PDUs straight out of the chunk, as views. The rest is queued
      // as a view too (not packed): it is at most one queue entry per chunk that carried a PDU.
      this.drainChunk(chunk);
      return;
    }
    this.enqueue(chunk);
    this.drainQueue();
  }

  /**
   * Hands out every complete PDU at the start of `chunk` and queues what is left. If onPdu throws,
   * the bytes after that PDU are queued before the exception goes on to push's caller.
   */
  private drainChunk(chunk: Buffer): void {
    let o = 0;
    try {
      while (chunk.length - o >= PDU_HEADER_LENGTH) {
        const type = chunk[o] ?? 0;
        const length = chunk.readUInt32BE(o + 2);
        if (!this.headerOk(type, length)) return;
        const end = o + PDU_HEADER_LENGTH + length;
        if (end > chunk.length) break;
        o = end;
        this.onPdu(type, chunk.subarray(end - length, end));
      }
    } finally {
      if (!this.stopped && o < chunk.length) {
        const rest = o === 0 ? chunk : chunk.subarray(o);
        this.chunks.push(rest);
        this.buffered = rest.length;
        this.pack = undefined;
      }
    }
  }

  private drainQueue(): void {
    while (!this.stopped) {
      if (this.pendingLength < 0) {
        if (this.buffered < PDU_HEADER_LENGTH) return;
        const header = this.take(PDU_HEADER_LENGTH);
        const type = header[0] ?? 0;
        const length = header.readUInt32BE(2);
        if (!this.headerOk(type, length)) return;
        this.pendingType = type;
        this.pendingLength = length;
      }
      if (this.buffered < this.pendingLength) return;
      const type = this.pendingType;
      const body = type === PduType.PDataTf ? this.takeParts(this.pendingLength) : this.take(this.pendingLength);
      this.pendingType = -1;
      this.pendingLength = -1;
      this.onPdu(type, body);
    }
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
    if (fixedLengthPduTypes.has(type) && length !== FIXED_PDU_LENGTH) {
      this.fail(new PduDecodeError(`PDU type 0x0${type} has length ${length}; it must be ${FIXED_PDU_LENGTH}`, INVALID_VALUE));
      return false;
    }
    return true;
  }

  private fail(err: PduDecodeError): void {
    this.stopped = true;
    this.chunks.length = 0;
    this.head = 0;
    this.buffered = 0;
    this.pack = undefined;
    this.onError(err);
  }

  private enqueue(chunk: Buffer): void {
    this.buffered += chunk.length;
    if (chunk.length >= PACK_THRESHOLD) {
      this.chunks.push(chunk);
      this.pack = undefined;
      return;
    }
    let from = 0;
    while (from < chunk.length) {
      if (this.pack === undefined || this.packFill === this.pack.length) {
        this.pack = Buffer.allocUnsafe(PACK_SIZE);
        this.packFill = 0;
        this.chunks.push(this.pack.subarray(0, 0));
      }
      const n = Math.min(chunk.length - from, this.pack.length - this.packFill);
      chunk.copy(this.pack, this.packFill, from, from + n);
      this.packFill += n;
      from += n;
      this.chunks[this.chunks.length - 1] = this.pack.subarray(0, this.packFill);
    }
  }

  /** Removes n <= buffered bytes from the front: a view if they lie in one chunk, else one copy. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first === undefined) return Buffer.alloc(0); // n is 0
    if (first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      if (chunk === undefined) throw new Error('PduFramer: internal error, buffered bytes missing');
      const count = Math.min(n - filled, chunk.length - this.head);
      chunk.copy(out, filled, this.head, this.head + count);
      filled += count;
      this.advance(count);
    }
    return out;
  }

  /** Removes n <= buffered bytes from the front as views: one buffer if they lie in one chunk. */
  private takeParts(n: number): Buffer | Buffer[] {
    const first = this.chunks[0];
    if (first === undefined || first.length - this.head >= n) return this.take(n);
    const out: Buffer[] = [];
    let taken = 0;
    while (taken < n) {
      const chunk = this.chunks[0];
      if (chunk === undefined) throw new Error('PduFramer: internal error, buffered bytes missing');
      const count = Math.min(n - taken, chunk.length - this.head);
      out.push(chunk.subarray(this.head, this.head + count));
      taken += count;
      this.advance(count);
    }
    return out;
  }

  /** Drops n bytes from the front; n never goes past the end of chunks[0]. */
  private advance(n: number): void {
    this.head += n;
    this.buffered -= n;
    const first = this.chunks[0];
    if (first !== undefined && this.head === first.length) {
      this.chunks.shift();
      this.head = 0;
      if (this.chunks.length === 0) this.pack = undefined;
    }
  }
}

function checkedCap(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`maxPduLength ${n} must be an integer 0..4294967295`);
  return n;
}
