// Command set codec, PS3.7 §6.3.1 and Annex E: always Implicit VR Little Endian, group 0000 only,
// ascending tag order, (0000,0000) CommandGroupLength first. UI values are padded with one NUL to
// even length, AE/LO with a space (PS3.5 §6.2).

import { commandElementByTag, commandElements, type CommandVr } from './command-fields';

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

function valueBytes(vr: CommandVr, value: unknown): Buffer {
  switch (vr) {
    case 'US': {
      const b = Buffer.alloc(2);
      b.writeUInt16LE(value as number);
      return b;
    }
    case 'UL': {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(value as number);
      return b;
    }
    case 'AT': {
      const tags = value as number[];
      const b = Buffer.alloc(4 * tags.length);
      tags.forEach((t, i) => {
        b.writeUInt16LE((t >>> 16) & 0xffff, 4 * i);
        b.writeUInt16LE(t & 0xffff, 4 * i + 2);
      });
      return b;
    }
    case 'UI': {
      const s = value as string;
      return Buffer.from(s.length % 2 ? `${s}\0` : s, 'latin1');
    }
    case 'AE':
    case 'LO': {
      const s = value as string;
      return Buffer.from(s.length % 2 ? `${s} ` : s, 'latin1');
    }
  }
}

export function encodeCommandSet(cmd: CommandSet): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  const record = cmd as unknown as Record<string, unknown>;
  for (const el of commandElements) {
    const value = record[el.field];
    if (value === undefined) continue;
    const v = valueBytes(el.vr, value);
    const header = Buffer.alloc(8);
    header.writeUInt16LE(0x0000, 0);
    header.writeUInt16LE(el.tag, 2);
    header.writeUInt32LE(v.length, 4);
    parts.push(header, v);
    length += 8 + v.length;
  }
  const groupLength = Buffer.alloc(12);
  groupLength.writeUInt32LE(0x00000000, 0); // (0000,0000)
  groupLength.writeUInt32LE(4, 4);
  groupLength.writeUInt32LE(length, 8);
  return Buffer.concat([groupLength, ...parts], 12 + length);
}

function readValue(vr: CommandVr, b: Buffer, what: string): unknown {
  switch (vr) {
    case 'US':
      if (b.length !== 2) throw new DimseDecodeError(`${what} has length ${b.length}, expected 2`);
      return b.readUInt16LE(0);
    case 'UL':
      if (b.length !== 4) throw new DimseDecodeError(`${what} has length ${b.length}, expected 4`);
      return b.readUInt32LE(0);
    case 'AT': {
      if (b.length % 4 !== 0) throw new DimseDecodeError(`${what} has length ${b.length}, not a multiple of 4`);
      const tags: number[] = [];
      for (let i = 0; i < b.length; i += 4) tags.push(((b.readUInt16LE(i) << 16) | b.readUInt16LE(i + 2)) >>> 0);
      return tags;
    }
    case 'UI':
    case 'AE':
    case 'LO':
      // Strip the padding (NUL for UI, space for text) and stray trailing NULs/spaces.
      return b.toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
  }
}

export function decodeCommandSet(bytes: Uint8Array): CommandSet {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
    const value = b.subarray(offset, offset + length);
    offset += length;
    if (element === 0x0000) continue; // CommandGroupLength: checked implicitly by the framing above
    const el = commandElementByTag.get(element);
    if (!el) continue; // retired or unknown command element: skipped
    out[el.field] = readValue(el.vr, value, el.keyword);
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
