// Re-encodes a data set (no meta group) between implicit and explicit VR little endian, PS3.5 A.1
// and A.2, for a peer that accepted only the other one. Both are little endian, so values are
// copied byte for byte; only element headers change:
//   - explicit -> implicit drops the VR (PS3.5 §7.1.3); implicit -> explicit takes it from the
//     dictionary (implicit-vr.ts);
//   - group lengths (gggg,0000) are dropped both ways: they would count the old headers (PS3.5 §7.2);
//   - a sequence or item whose length changes is written with undefined length and delimitation
//     items (PS3.5 §7.5); one whose length stays the same keeps it, except that a sequence the
//     dictionary does not know (private ones) always gets undefined length in implicit VR, the only
//     way an implicit reader can still tell it is a sequence;
//   - an explicit UN of undefined length already holds implicit VR data (PS3.5 §6.2.2), so it is
//     copied through its delimiter unchanged.
// Elements are streamed one top-level element at a time; only a sequence is planned (its headers,
// never its values) before it is written, to know its new length. Values go out in slices of at
// most chunkSize bytes, so gigabyte pixel data never sits in memory.

import type { ByteSource } from './byte-source';
import { DicomParseError } from './byte-source';
import type { TransferSyntaxInfo } from './transfer-syntax';
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax';
import { ItemTag, MAX_DEPTH, UNDEFINED_LENGTH, hasLongLength, readElementHeader, skipElement, tagString, valueEnd } from './elements';
import { implicitToExplicitVr } from './implicit-vr';
export { loadVrDictionary } from './implicit-vr';

const DEFAULT_CHUNK_SIZE = 1024 * 1024;
const DELIMITER_LENGTH = 8;

/** Same syntax (copied unchanged), or implicit VR LE <-> explicit VR LE. */
export function canTranscode(fromTs: string, toTs: string): boolean {
  if (fromTs === toTs) return true;
  const pair = new Set([fromTs, toTs]);
  return pair.has(TransferSyntax.ImplicitVRLittleEndian) && pair.has(TransferSyntax.ExplicitVRLittleEndian);
}

/** An element with a value copied as is. */
interface ValueNode {
  readonly kind: 'value';
  readonly tag: number;
  /** The VR written (explicit output only). */
  readonly vr: string;
  readonly valueStart: number;
  readonly length: number;
}

/** An undefined-length non-sequence (UN, or stray encapsulated data) copied through its delimiter. */
interface RawNode {
  readonly kind: 'raw';
  readonly tag: number;
  readonly valueStart: number;
  readonly end: number;
}

interface SequenceNode {
  readonly kind: 'sequence';
  readonly tag: number;
  readonly items: ItemNode[];
  /** Length of the value as written, delimiters included. */
  readonly outLength: number;
  readonly definedLength: boolean;
}

interface ItemNode {
  readonly children: Node[];
  readonly outLength: number;
  readonly definedLength: boolean;
}

type Node = ValueNode | RawNode | SequenceNode;

class Transcoder {
  private readonly from: TransferSyntaxInfo;
  private readonly toExplicit: boolean;

  constructor(
    private readonly src: ByteSource,
    fromTs: string,
    private readonly chunkSize: number,
  ) {
    this.from = transferSyntaxInfo(fromTs);
    this.toExplicit = !this.from.explicitVr;
  }

  *dataSet(start: number): Generator<Buffer> {
    let pos = start;
    while (pos < this.src.size) {
      const { node, end } = this.planElement(pos, 0);
      if (node) yield* this.emit(node);
      pos = end;
    }
  }

  // Planning: headers only, sizes as they will be written.

  private planElement(pos: number, depth: number): { node?: Node; end: number } {
    const h = readElementHeader(this.src, pos, this.from);
    if (h.tag >>> 16 === 0xfffe) throw new DicomParseError(`unexpected ${tagString(h.tag)} among data elements at offset ${pos}`);
    const valueStart = pos + h.headerLength;
    if ((h.tag & 0xffff) === 0) return { end: skipElement(this.src, pos, this.from) }; // group length: dropped
    const vr = this.from.explicitVr ? (h.vr ?? 'UN') : implicitToExplicitVr(h.tag, h.length);
    if (vr === 'SQ') return this.planSequence(h.tag, valueStart, h.length, depth);
    if (h.length === UNDEFINED_LENGTH) {
      const end = skipElement(this.src, pos, this.from);
      return { node: { kind: 'raw', tag: h.tag, valueStart, end }, end };
    }
    const end = valueEnd(this.src, valueStart, h.length, h.tag);
    return { node: { kind: 'value', tag: h.tag, vr, valueStart, length: h.length }, end };
  }

  private planSequence(tag: number, valueStart: number, length: number, depth: number): { node: SequenceNode; end: number } {
    if (depth >= MAX_DEPTH) throw new DicomParseError(`sequences nested deeper than ${MAX_DEPTH} at offset ${valueStart}`);
    const limit = length === UNDEFINED_LENGTH ? undefined : valueEnd(this.src, valueStart, length, tag);
    const items: ItemNode[] = [];
    let pos = valueStart;
    for (;;) {
      if (limit !== undefined && pos >= limit) break;
      const h = readElementHeader(this.src, pos, this.from);
      if (h.tag === ItemTag.SequenceDelimitation && limit === undefined) {
        pos += DELIMITER_LENGTH;
        break;
      }
      if (h.tag !== ItemTag.Item) throw new DicomParseError(`expected an item in ${tagString(tag)} at offset ${pos}, found ${tagString(h.tag)}`);
      const item = h.length === UNDEFINED_LENGTH ? this.planOpenItem(pos + 8, depth + 1) : this.planClosedItem(pos + 8, h.length, depth + 1);
      items.push(item.node);
      pos = item.end;
    }
    if (limit !== undefined && pos !== limit) throw new DicomParseError(`items of ${tagString(tag)} run past its length at offset ${valueStart}`);
    const content = items.reduce((n, i) => n + 8 + i.outLength, 0);
    // In implicit VR a reader knows a sequence only from its dictionary or from an undefined length
    // (PS3.5 §6.2.2, §7.5.1): a private or unknown one keeps being a sequence only with the latter.
    const recognisable = this.toExplicit || implicitToExplicitVr(tag, 0) === 'SQ';
    const definedLength = recognisable && content === length;
    const outLength = definedLength ? content : content + DELIMITER_LENGTH;
    return { node: { kind: 'sequence', tag, items, outLength, definedLength }, end: pos };
  }

  private planClosedItem(start: number, length: number, depth: number): { node: ItemNode; end: number } {
    const end = valueEnd(this.src, start, length, ItemTag.Item);
    const children: Node[] = [];
    let pos = start;
    while (pos < end) {
      const e = this.planElement(pos, depth);
      if (e.end > end) throw new DicomParseError(`element at offset ${pos} runs past the end of its item`);
      if (e.node) children.push(e.node);
      pos = e.end;
    }
    return { node: this.item(children, length), end };
  }

  private planOpenItem(start: number, depth: number): { node: ItemNode; end: number } {
    const children: Node[] = [];
    let pos = start;
    for (;;) {
      const h = readElementHeader(this.src, pos, this.from);
      if (h.tag === ItemTag.ItemDelimitation) return { node: this.item(children, UNDEFINED_LENGTH), end: pos + DELIMITER_LENGTH };
      const e = this.planElement(pos, depth);
      if (e.node) children.push(e.node);
      pos = e.end;
    }
  }

  private item(children: Node[], sourceLength: number): ItemNode {
    const content = children.reduce((n, c) => n + this.size(c), 0);
    const definedLength = content === sourceLength;
    return { children, definedLength, outLength: definedLength ? content : content + DELIMITER_LENGTH };
  }

  private headerLength(vr: string): number {
    return this.toExplicit && hasLongLength(vr) ? 12 : 8;
  }

  private size(node: Node): number {
    switch (node.kind) {
      case 'value':
        return this.headerLength(node.vr) + node.length;
      case 'raw':
        return 8 + node.end - node.valueStart; // only in implicit output: tag + undefined length
      case 'sequence':
        return this.headerLength('SQ') + node.outLength;
    }
  }

  // Writing.

  private header(tag: number, vr: string, length: number): Buffer {
    const explicit = this.toExplicit && (tag >>> 16) !== 0xfffe;
    const long = explicit && hasLongLength(vr);
    const b = Buffer.alloc(long ? 12 : 8);
    b.writeUInt16LE(tag >>> 16, 0);
    b.writeUInt16LE(tag & 0xffff, 2);
    if (!explicit) b.writeUInt32LE(length, 4);
    else {
      b.write(vr, 4, 'latin1');
      if (long) b.writeUInt32LE(length, 8);
      else b.writeUInt16LE(length, 6);
    }
    return b;
  }

  private *emit(node: Node): Generator<Buffer> {
    switch (node.kind) {
      case 'value':
        yield this.header(node.tag, node.vr, node.length);
        yield* copy(this.src, node.valueStart, node.valueStart + node.length, this.chunkSize);
        return;
      case 'raw':
        yield this.header(node.tag, 'UN', UNDEFINED_LENGTH);
        yield* copy(this.src, node.valueStart, node.end, this.chunkSize);
        return;
      case 'sequence':
        yield this.header(node.tag, 'SQ', node.definedLength ? node.outLength : UNDEFINED_LENGTH);
        for (const item of node.items) {
          yield this.header(ItemTag.Item, '', item.definedLength ? item.outLength : UNDEFINED_LENGTH);
          for (const child of item.children) yield* this.emit(child);
          if (!item.definedLength) yield this.header(ItemTag.ItemDelimitation, '', 0);
        }
        if (!node.definedLength) yield this.header(ItemTag.SequenceDelimitation, '', 0);
    }
  }
}

/** The bytes [start, end) of src in slices of at most chunkSize. */
function* copy(src: ByteSource, start: number, end: number, chunkSize: number): Generator<Buffer> {
  for (let pos = start; pos < end; pos += chunkSize) {
    const n = Math.min(chunkSize, end - pos);
    const b = src.read(pos, n);
    if (b.length !== n) throw new DicomParseError(`data ended at offset ${pos + b.length}, expected ${end}`);
    yield b;
  }
}

/** Gathers small pieces (headers) into chunks of up to chunkSize; never yields a larger one. */
function* coalesce(pieces: Iterable<Buffer>, chunkSize: number): Generator<Buffer> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  for (const piece of pieces) {
    if (pendingLength > 0 && pendingLength + piece.length > chunkSize) {
      yield Buffer.concat(pending, pendingLength);
      pending = [];
      pendingLength = 0;
    }
    if (piece.length >= chunkSize) {
      for (let at = 0; at < piece.length; at += chunkSize) yield piece.subarray(at, at + chunkSize);
    } else {
      pending.push(piece);
      pendingLength += piece.length;
    }
  }
  if (pendingLength > 0) yield Buffer.concat(pending, pendingLength);
}

/**
 * Yields the data set at `start` (to the end of src) re-encoded from `fromTs` to `toTs`, in chunks
 * of at most chunkSize bytes (small headers gathered, values sliced). Chunks may be views of the
 * source's memory. Throws Error when !canTranscode(fromTs, toTs), and DicomParseError, when the
 * malformed element is reached, for malformed data: the chunks yielded before it are then a partial
 * data set.
 */
export function* transcode(src: ByteSource, start: number, fromTs: string, toTs: string, chunkSize = DEFAULT_CHUNK_SIZE): Generator<Buffer> {
  if (!canTranscode(fromTs, toTs)) throw new Error(`cannot transcode from ${fromTs} to ${toTs}: only implicit <-> explicit VR little endian`);
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new Error(`chunkSize must be a positive integer, not ${chunkSize}`);
  if (fromTs === toTs) {
    yield* copy(src, start, src.size, chunkSize);
    return;
  }
  yield* coalesce(new Transcoder(src, fromTs, chunkSize).dataSet(start), chunkSize);
}
