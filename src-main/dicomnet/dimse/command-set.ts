// Command set codec, PS3.7 §6.3.1 and Annex E: always Implicit VR Little Endian, group 0000 only,
// ascending tag order, (0000,0000) CommandGroupLength first. UI values are padded with one NUL to
// even length, AE/LO with a space (PS3.5 §6.2).

import { bufferView } from '../pdu/buffer-view';
import { commandElementByField, commandElementByTag, type CommandElement, type CommandVr } from './command-fields';

export interface CommandSet {
  commandField: number;
  commandDataSetType: number;
  messageId?: number;
  messageIdBeingRespondedTo?: number;
  affectedSopClassUid?: string;
  requestedSopClassUid?: string;
  affectedSopInstanceUid?: string;
  requestedSopInstanceUid?: string;
  priority?: number;
  status?: number;
  moveDestination?: string;
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
  offendingElement?: number[];
  errorComment?: string;
  errorId?: number;
  eventTypeId?: number;
  actionTypeId?: number;
  attributeIdentifierList?: number[];
  numberOfRemainingSuboperations?: number;
  numberOfCompletedSuboperations?: number;
  numberOfFailedSuboperations?: number;
  numberOfWarningSuboperations?: number;
}

export class DimseDecodeError extends Error {
  override name = 'DimseDecodeError';
}

/** Bytes of a command set are capped: a real one is a few hundred bytes. */
export const MAX_COMMAND_SET_LENGTH = 64 * 1024;

/** Bytes of `value` as `vr` (UI/AE/LO padded to even length; one byte per character, latin1). */
function valueLength(vr: CommandVr, value: unknown): number {
  switch (vr) {
    case 'US':
      return 2;
    case 'UL':
      return 4;
    case 'AT':
      return 4 * (value as number[]).length;
    case 'UI':
    case 'AE':
    case 'LO':
      return ((value as string).length + 1) & ~1;
  }
}

/** Writes `value` at `at` in the `length` bytes valueLength() gave for it. */
function writeValue(out: Buffer, at: number, vr: CommandVr, value: unknown, length: number): void {
  switch (vr) {
    case 'US':
      out.writeUInt16LE(value as number, at);
      return;
    case 'UL':
      out.writeUInt32LE(value as number, at);
      return;
    case 'AT':
      (value as number[]).forEach((t, i) => {
        out.writeUInt16LE((t >>> 16) & 0xffff, at + 4 * i);
        out.writeUInt16LE(t & 0xffff, at + 4 * i + 2);
      });
      return;
    case 'UI':
    case 'AE':
    case 'LO': {
      // One byte per character, as latin1 (a UID or AE title is short: a loop costs less than a
      // call into Buffer's native writer).
      const s = value as string;
      for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
      // UI pads with NUL, text with a space (PS3.5 §6.2).
      if (s.length !== length) out[at + s.length] = vr === 'UI' ? 0x00 : 0x20;
    }
  }
}

/**
 * The command set in one buffer, sized first and then written in place: a command goes out with
 * every DIMSE message, and a buffer per element (and a concatenation) was most of its cost. Only
 * the fields the command has are visited (a C-ECHO-RQ has 4 of the 23), put in tag order as they
 * are found: looking each of the 23 up in turn was half the cost of a C-ECHO round trip's encoding.
 */
export function encodeCommandSet(cmd: CommandSet): Buffer {
  const record = cmd as unknown as Record<string, unknown>;
  const present: CommandElement[] = [];
  const values: unknown[] = [];
  let length = 0;
  for (const field in record) {
    const value = record[field];
    if (value === undefined) continue;
    const el = commandElementByField.get(field);
    if (el === undefined) continue;
    // Insertion into tag order (PS3.7 §6.3.1): a handful of elements, usually nearly in order.
    let i = present.length;
    present.push(el);
    values.push(value);
    while (i > 0 && present[i - 1]!.tag > el.tag) {
      present[i] = present[i - 1]!;
      values[i] = values[i - 1];
      i--;
    }
    present[i] = el;
    values[i] = value;
    length += 8 + valueLength(el.vr, value);
  }
  const out = Buffer.allocUnsafe(12 + length);
  out.writeUInt32LE(0x00000000, 0); // (0000,0000) CommandGroupLength, UL
  out.writeUInt32LE(4, 4);
  out.writeUInt32LE(length, 8);
  let at = 12;
  for (let i = 0; i < present.length; i++) {
    const el = present[i]!;
    const value = values[i];
    const n = valueLength(el.vr, value);
    out.writeUInt16LE(0x0000, at);
    out.writeUInt16LE(el.tag, at + 2);
    out.writeUInt32LE(n, at + 4);
    writeValue(out, at + 8, el.vr, value, n);
    at += 8 + n;
  }
  return out;
}

function readValue(vr: CommandVr, b: Buffer, start: number, length: number, what: string): unknown {
  switch (vr) {
    case 'US':
      if (length !== 2) throw new DimseDecodeError(`${what} has length ${length}, expected 2`);
      return b.readUInt16LE(start);
    case 'UL':
      if (length !== 4) throw new DimseDecodeError(`${what} has length ${length}, expected 4`);
      return b.readUInt32LE(start);
    case 'AT': {
      if (length % 4 !== 0) throw new DimseDecodeError(`${what} has length ${length}, not a multiple of 4`);
      const tags: number[] = [];
      for (let i = start; i < start + length; i += 4) tags.push(((b.readUInt16LE(i) << 16) | b.readUInt16LE(i + 2)) >>> 0);
      return tags;
    }
    case 'UI':
    case 'AE':
    case 'LO': {
      // Strip the padding (NUL for UI, space for text), stray trailing NULs/spaces and leading spaces.
      let end = start + length;
      while (end > start && (b[end - 1] === 0x00 || b[end - 1] === 0x20)) end--;
      let from = start;
      while (from < end && b[from] === 0x20) from++;
      return b.toString('latin1', from, end);
    }
  }
}

export function decodeCommandSet(bytes: Uint8Array): CommandSet {
  const b = bufferView(bytes);
  if (b.length > MAX_COMMAND_SET_LENGTH) throw new DimseDecodeError(`command set of ${b.length} bytes exceeds ${MAX_COMMAND_SET_LENGTH}`);
  const out: Record<string, unknown> = {};
  let offset = 0;
  while (offset < b.length) {
    if (b.length - offset < 8) throw new DimseDecodeError(`truncated element header at offset ${offset}`);
    const group = b.readUInt16LE(offset);
    const element = b.readUInt16LE(offset + 2);
    const length = b.readUInt32LE(offset + 4);
    offset += 8;
    if (length > b.length - offset) throw new DimseDecodeError(`element (${hex(group)},${hex(element)}) claims ${length} bytes, ${b.length - offset} remain`);
    if (group !== 0x0000) throw new DimseDecodeError(`element (${hex(group)},${hex(element)}) is not in group 0000`);
    const start = offset;
    offset += length;
    if (element === 0x0000) continue; // CommandGroupLength: checked implicitly by the framing above
    const el = commandElementByTag.get(element);
    if (!el) continue; // retired or unknown command element: skipped
    out[el.field] = readValue(el.vr, b, start, length, el.keyword);
  }
  if (out.commandField === undefined) throw new DimseDecodeError('command set without CommandField (0000,0100)');
  if (out.commandDataSetType === undefined) throw new DimseDecodeError('command set without CommandDataSetType (0000,0800)');
  return out as unknown as CommandSet;
}

export function hasDataSet(cmd: CommandSet): boolean {
  return cmd.commandDataSetType !== 0x0101;
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
