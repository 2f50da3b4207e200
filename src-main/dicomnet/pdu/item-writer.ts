// Writes a PDU with nested items into one reused scratch buffer, then copies it out at its size.
// An item's length (PS3.8 §9.3.2.1: u16, after type and byte 1) is only known once its body is
// written, so `begin` leaves it open and `end` fills it in. One pass and one allocation per PDU,
// instead of a Buffer per field and a concatenation per item: the A-ASSOCIATE-AC is on the path
// of every association, and small Buffers are what it cost (issue #2, associations per second).

import { PDU_HEADER_LENGTH } from './constants';

const MAX_U16 = 0xffff;
const INITIAL_SIZE = 4096;

export class ItemWriter {
  private buf = Buffer.allocUnsafe(INITIAL_SIZE);
  private at = 0;

  u8(value: number): void {
    this.room(1);
    this.buf[this.at++] = value;
  }

  u16(value: number): void {
    this.room(2);
    this.buf.writeUInt16BE(value, this.at);
    this.at += 2;
  }

  u32(value: number): void {
    this.room(4);
    this.buf.writeUInt32BE(value, this.at);
    this.at += 4;
  }

  /** `count` bytes of `value` (zeros for reserved fields, spaces for padding). */
  fill(value: number, count: number): void {
    this.room(count);
    this.buf.fill(value, this.at, this.at + count);
    this.at += count;
  }

  /** A single-byte string, one byte per character (callers have checked the characters). */
  latin1(text: string): void {
    this.room(text.length);
    this.at += this.buf.write(text, this.at, 'latin1');
  }

  bytes(data: Uint8Array): void {
    this.room(data.length);
    this.buf.set(data, this.at);
    this.at += data.length;
  }

  /** Writes the header of an item (type, byte 1, length to come); returns where it starts, for `end`. */
  begin(type: number, byte1 = 0): number {
    const start = this.at;
    this.room(4);
    this.buf[start] = type;
    this.buf[start + 1] = byte1;
    this.at += 4;
    return start;
  }

  /** Closes the item `begin` opened at `start`. `what` names it in the error (with `id`, if given). */
  end(start: number, what: string, id?: number): void {
    const length = this.at - start - 4;
    if (length > MAX_U16) throw new Error(`${what}${id === undefined ? '' : ` ${id}`} would be ${length} bytes long; an item holds at most ${MAX_U16}`);
    this.buf.writeUInt16BE(length, start + 2);
  }

  /** Opens a field preceded by its u16 length (sub-items 0x54, 0x56..0x59); returns its start, for `endField`. */
  beginField(): number {
    const start = this.at;
    this.room(2);
    this.at += 2;
    return start;
  }

  endField(start: number, what: string): void {
    const length = this.at - start - 2;
    if (length > MAX_U16) throw new Error(`${what} is ${length} bytes long; its u16 length field holds at most ${MAX_U16}`);
    this.buf.writeUInt16BE(length, start);
  }

  /** Opens the PDU: type, reserved byte, u32 length to come (PS3.8 §9.3.1). Whatever a failed
   * earlier encoding left behind is dropped. */
  beginPdu(type: number): void {
    this.at = 0;
    this.u8(type);
    this.u8(0);
    this.u32(0);
  }

  /** The finished PDU, its length field filled in: a Buffer of its own (the scratch buffer is reused). */
  takePdu(): Buffer {
    this.buf.writeUInt32BE(this.at - PDU_HEADER_LENGTH, 2);
    const out = Buffer.allocUnsafe(this.at);
    this.buf.copy(out, 0, 0, this.at);
    return out;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.at + n, 2 * this.buf.length));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}
