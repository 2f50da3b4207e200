// A pull parser for data elements, PS3.5 §7. It reads headers and skips values; it never trusts a
// length: every value must end inside the source, so truncated or garbage input fails with
// DicomParseError instead of a RangeError, a huge allocation or an endless loop (each step advances
// by at least one 8-byte header, and nesting is capped).

import type { ByteSource } from './byte-source';
import { DicomParseError } from './byte-source';
import type { TransferSyntaxInfo } from './transfer-syntax';
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax';

export { inflatedPrefix } from './deflate';

/** The value length meaning "up to the delimitation item", PS3.5 §7.1.1. */
export const UNDEFINED_LENGTH = 0xffffffff;

/** Item and delimitation tags of group FFFE, PS3.5 §7.5. */
export const ItemTag = {
  Item: 0xfffee000,
  ItemDelimitation: 0xfffee00d,
  SequenceDelimitation: 0xfffee0dd,
} as const;

/** Deeper nesting than this is taken for garbage rather than walked. */
export const MAX_DEPTH = 64;

export interface ElementHeader {
  /** (group << 16 | element) >>> 0 */
  readonly tag: number;
  /** Explicit VR syntaxes only, and never for items and delimiters. */
  readonly vr?: string;
  readonly length: number;
  readonly headerLength: number;
  /** Offset of the header in the source. */
  readonly offset: number;
}

/** All VRs of PS3.5 Table 6.2-1. */
const VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** VRs whose explicit header has 2 reserved bytes and a 32-bit length, PS3.5 §7.1.2 Table 7.1-1. */
const LONG_LENGTH_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** What a VR's two bytes (first << 8 | second) name: 0 no VR, 1 a 16-bit length (8-byte header), 2 a 32-bit one (12). */
export const VR_HEADER_KIND: Uint8Array = (() => {
  const kinds = new Uint8Array(0x10000);
  for (const vr of VRS) kinds[(vr.charCodeAt(0) << 8) | vr.charCodeAt(1)] = LONG_LENGTH_VRS.has(vr) ? 2 : 1;
  return kinds;
})();

/** True when an explicit VR header for `vr` carries a 32-bit length (12-byte header). */
export function hasLongLength(vr: string): boolean {
  return LONG_LENGTH_VRS.has(vr);
}

/** "(gggg,eeee)" for messages. */
export function tagString(tag: number): string {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

const IMPLICIT_LE = transferSyntaxInfo(TransferSyntax.ImplicitVRLittleEndian);

/**
 * Exactly `length` bytes at `pos`, or DicomParseError naming what was cut off. `what` may be a
 * function: the description is then built only for the error (this runs for every received instance).
 */
export function readExact(src: ByteSource, pos: number, length: number, what: string | (() => string)): Buffer {
  const name = () => (typeof what === 'string' ? what : what());
  if (pos + length > src.size) {
    throw new DicomParseError(`${name()} at offset ${pos} needs ${length} bytes, only ${Math.max(0, src.size - pos)} remain`);
  }
  const b = src.read(pos, length);
  if (b.length !== length) throw new DicomParseError(`${name()} at offset ${pos}: source ended early`);
  return b;
}

/** Reads the header of the element at `pos`, PS3.5 §7.1 (explicit: 7.1.2, implicit: 7.1.3). */
export function readElementHeader(src: ByteSource, pos: number, ts: TransferSyntaxInfo): ElementHeader {
  // Headers are read for every element a parser passes (per received instance, per file sent):
  // straight from the source's memory where it has the bytes, without a view per header.
  const mem = src.bytes;
  if (mem !== undefined && pos >= 0 && pos + 12 <= mem.length && pos + 12 <= src.size) return headerAt(mem, pos, pos, ts);
  const b = src.read(pos, 12);
  if (b.length < 8) throw new DicomParseError(`data element header at offset ${pos} is cut off (${b.length} of 8 bytes)`);
  return headerAt(b, 0, pos, ts);
}

/** The header whose bytes start at `at` in `b` (at least 8 of them there), for the element at `pos`. */
function headerAt(b: Buffer, at: number, pos: number, ts: TransferSyntaxInfo): ElementHeader {
  const le = ts.littleEndian;
  const group = le ? b.readUInt16LE(at) : b.readUInt16BE(at);
  const element = le ? b.readUInt16LE(at + 2) : b.readUInt16BE(at + 2);
  const tag = ((group << 16) | element) >>> 0;
  const u32 = (o: number): number => (le ? b.readUInt32LE(at + o) : b.readUInt32BE(at + o));
  // Items and delimiters never have a VR, in any transfer syntax (PS3.5 §7.5).
  if (group === 0xfffe || !ts.explicitVr) return { tag, length: u32(4), headerLength: 8, offset: pos };
  const vr = b.toString('latin1', at + 4, at + 6);
  if (!VRS.has(vr)) throw new DicomParseError(`unknown VR '${escape(vr)}' for ${tagString(tag)} at offset ${pos}`);
  if (!LONG_LENGTH_VRS.has(vr)) return { tag, vr, length: le ? b.readUInt16LE(at + 6) : b.readUInt16BE(at + 6), headerLength: 8, offset: pos };
  if (b.length - at < 12) throw new DicomParseError(`data element header at offset ${pos} is cut off (${b.length - at} of 12 bytes)`);
  return { tag, vr, length: u32(8), headerLength: 12, offset: pos };
}

function escape(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** End of a value of `length` bytes at `start`, checked against the end of the source. */
export function valueEnd(src: ByteSource, start: number, length: number, tag: number): number {
  const end = start + length;
  if (end > src.size) {
    throw new DicomParseError(`value of ${tagString(tag)} (${length} bytes at offset ${start}) runs past the end of the data (${src.size} bytes)`);
  }
  return end;
}

/**
 * The transfer syntax of the items inside an undefined-length element: an explicit VR UN holds
 * a sequence encoded in implicit VR little endian (PS3.5 §6.2.2, CP-246); anything else keeps `ts`.
 */
export function itemSyntax(h: ElementHeader, ts: TransferSyntaxInfo): TransferSyntaxInfo {
  return ts.explicitVr && h.vr === 'UN' ? IMPLICIT_LE : ts;
}

/**
 * Position just after the element at `pos` (value skipped; undefined-length sequences, items and
 * encapsulated pixel data walked to their delimiters, nested to any depth, with a depth cap of 64).
 */
export function skipElement(src: ByteSource, pos: number, ts: TransferSyntaxInfo): number {
  return skipAt(src, pos, ts, 0);
}

function skipAt(src: ByteSource, pos: number, ts: TransferSyntaxInfo, depth: number): number {
  const h = readElementHeader(src, pos, ts);
  const start = pos + h.headerLength;
  if (h.length !== UNDEFINED_LENGTH) return valueEnd(src, start, h.length, h.tag);
  if (depth >= MAX_DEPTH) throw new DicomParseError(`sequences nested deeper than ${MAX_DEPTH} at offset ${pos}`);
  return skipItems(src, start, itemSyntax(h, ts), depth + 1);
}

/** Walks items (data set items or pixel data fragments) up to and past the sequence delimiter. */
function skipItems(src: ByteSource, pos: number, ts: TransferSyntaxInfo, depth: number): number {
  for (;;) {
    const h = readElementHeader(src, pos, ts);
    if (h.tag === ItemTag.SequenceDelimitation) return pos + 8;
    if (h.tag !== ItemTag.Item) throw new DicomParseError(`expected an item in a sequence at offset ${pos}, found ${tagString(h.tag)}`);
    pos = h.length === UNDEFINED_LENGTH ? skipItemContents(src, pos + 8, ts, depth) : valueEnd(src, pos + 8, h.length, h.tag);
  }
}

/** Walks the elements of an undefined-length item up to and past its item delimiter. */
function skipItemContents(src: ByteSource, pos: number, ts: TransferSyntaxInfo, depth: number): number {
  for (;;) {
    const h = readElementHeader(src, pos, ts);
    if (h.tag === ItemTag.ItemDelimitation) return pos + 8;
    if (h.tag >>> 16 === 0xfffe) throw new DicomParseError(`unexpected ${tagString(h.tag)} inside an item at offset ${pos}`);
    pos = skipAt(src, pos, ts, depth);
  }
}

/**
 * Walks top-level elements from `start` and returns the raw values of the wanted tags. Tags of a
 * data set ascend (PS3.5 §7.1), so the walk stops after the largest wanted tag; tags not present
 * are simply absent from the map. The value of an undefined-length element excludes its sequence
 * delimiter. Values may be views of the source's memory.
 */
export function findTopLevel(src: ByteSource, start: number, ts: TransferSyntaxInfo, tags: readonly number[]): Map<number, Buffer> {
  const found = new Map<number, Buffer>();
  if (tags.length === 0) return found;
  const wanted = new Set(tags);
  const last = Math.max(...tags);
  let pos = start;
  while (pos < src.size) {
    const h = readElementHeader(src, pos, ts);
    if (h.tag > last) break;
    const end = skipElement(src, pos, ts);
    if (wanted.has(h.tag)) {
      const valueStart = pos + h.headerLength;
      const length = (h.length === UNDEFINED_LENGTH ? end - 8 : end) - valueStart;
      found.set(h.tag, readExact(src, valueStart, length, () => `value of ${tagString(h.tag)}`));
    }
    pos = end;
  }
  return found;
}

/** A text value (UI, AE, CS, DA, LO...) as latin1, without the trailing NUL or space padding (PS3.5 §6.2). */
export function valueString(value: Buffer): string {
  return value.toString('latin1').replace(/[\0 ]+$/, '');
}
