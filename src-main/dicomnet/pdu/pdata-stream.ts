// The body of a P-DATA-TF PDU read as it arrives, PS3.8 §9.3.5: PDV items {length u32 >= 2,
// presentation context ID, message control header, fragment}, each fragment handed out in pieces
// as the chunks bring it. The framer uses this for a P-DATA-TF that spans chunks: staging it whole
// first made every such PDU a copy (3-4 % of our SCP's time receiving 1 MB instances), and let a
// peer make us hold up to the PDU cap (16 MiB) per association: 40 associations each sending all
// but the last byte of a 16 MiB PDU grew our SCP to 785 MB. Read this way, what is held between
// chunks is at most the 6 bytes of a PDV item's header.
//
// A piece is a PDV whose `data` is part of the item's fragment; `isLast` is set only on the piece
// that ends an item flagged last, so consecutive pieces mean to the DIMSE assembler exactly what the
// whole fragment means. The checks are decode.ts's (decodePData), made as the bytes come, with the
// same messages.

import { MessageControlHeader } from './constants';
import { PduDecodeError, type PresentationDataValue } from './types';

const INVALID_VALUE = 6; // PS3.8 Table 9-26: invalid PDU parameter value
const ITEM_HEADER = 6;
const EMPTY = new Uint8Array(0);

export class PDataStream {
  private bodyLength = 0;
  /** Body bytes not yet read. */
  private left = 0;
  /** Body bytes left when the current item began (for the overrun check and the messages). */
  private itemStartLeft = 0;
  private readonly header = Buffer.alloc(ITEM_HEADER);
  private headerFill = 0;
  /** Fragment bytes of the current item not yet read; -1 while its header is being read. */
  private itemLeft = -1;
  private presentationContextId = 0;
  private control = 0;
  private piece: PresentationDataValue | undefined;

  /** Begins a P-DATA-TF body of `bodyLength` (> 0) bytes. */
  start(bodyLength: number): void {
    this.bodyLength = bodyLength;
    this.left = bodyLength;
    this.itemStartLeft = bodyLength;
    this.headerFill = 0;
    this.itemLeft = -1;
    this.piece = undefined;
  }

  /** Ends the body being read, if any (the framer stopped). */
  stop(): void {
    this.left = 0;
    this.headerFill = 0;
    this.itemLeft = -1;
    this.piece = undefined;
  }

  /** True while a body is being read. */
  get active(): boolean {
    return this.left > 0;
  }

  /** Bytes held between chunks: part of a PDV item's header. */
  get heldBytes(): number {
    return this.headerFill;
  }

  /**
   * Reads from chunk[from..] (at most to the body's end) and returns the bytes used; a piece read
   * is then taken with takePiece(). Throws PduDecodeError on a malformed body.
   */
  next(chunk: Uint8Array, from: number): number {
    const avail = Math.min(chunk.length - from, this.left);
    if (avail <= 0) return 0;
    if (this.itemLeft < 0) return this.readHeader(chunk, from, avail);
    const n = Math.min(this.itemLeft, avail);
    this.itemLeft -= n;
    this.left -= n;
    const ends = this.itemLeft === 0;
    this.piece = this.pdv(chunk.subarray(from, from + n), ends);
    if (ends) this.nextItem();
    return n;
  }

  /** The piece the last next() read, if any (once). */
  takePiece(): PresentationDataValue | undefined {
    const p = this.piece;
    this.piece = undefined;
    return p;
  }

  private readHeader(chunk: Uint8Array, from: number, avail: number): number {
    const at = this.bodyLength - this.itemStartLeft;
    if (this.headerFill === 0 && this.itemStartLeft < 4) {
      throw new PduDecodeError(`P-DATA-TF: ${this.itemStartLeft} bytes left at offset ${at}, too few for a PDV item length`, INVALID_VALUE);
    }
    const n = Math.min(ITEM_HEADER - this.headerFill, avail);
    this.header.set(chunk.subarray(from, from + n), this.headerFill);
    const wasBelowLength = this.headerFill < 4;
    this.headerFill += n;
    this.left -= n;
    if (wasBelowLength && this.headerFill >= 4) {
      const itemLength = this.header.readUInt32BE(0);
      if (itemLength < 2) throw new PduDecodeError(`P-DATA-TF: PDV item length ${itemLength} at offset ${at} is below the minimum of 2`, INVALID_VALUE);
      if (itemLength > this.itemStartLeft - 4) {
        throw new PduDecodeError(`P-DATA-TF: PDV item length ${itemLength} at offset ${at} overruns the PDU (${this.itemStartLeft - 4} bytes left)`, INVALID_VALUE);
      }
    }
    if (this.headerFill < ITEM_HEADER) return n;
    this.presentationContextId = this.header[4]!;
    this.control = this.header[5]!;
    this.itemLeft = this.header.readUInt32BE(0) - 2;
    this.headerFill = 0;
    if (this.itemLeft === 0) {
      // An empty fragment (a zero-length last fragment is legal): handed out as decode.ts does.
      this.piece = this.pdv(EMPTY, true);
      this.nextItem();
    }
    return n;
  }

  private pdv(data: Uint8Array, endsItem: boolean): PresentationDataValue {
    return {
      presentationContextId: this.presentationContextId,
      isCommand: (this.control & MessageControlHeader.Command) !== 0,
      isLast: endsItem && (this.control & MessageControlHeader.Last) !== 0,
      data,
    };
  }

  private nextItem(): void {
    this.itemLeft = -1;
    this.itemStartLeft = this.left;
  }
}
