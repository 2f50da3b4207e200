// The DICOM file format header, PS3.10 §7.1: a 128-byte preamble, "DICM", then the File Meta
// Information group (0002,xxxx), always explicit VR little endian whatever the data set's transfer
// syntax. Reading walks the 0002 elements rather than trusting (0002,0000): some writers omit the
// group length or get it wrong, and the elements themselves say where the group ends.

import type { ByteSource } from './byte-source';
import { DicomParseError } from './byte-source';
import { readElementHeader, readExact, skipElement, tagString, UNDEFINED_LENGTH, valueEnd, valueString, VR_HEADER_KIND } from './elements';
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax';

export interface FileMeta {
  readonly transferSyntaxUid: string;
  readonly mediaStorageSopClassUid: string;
  readonly mediaStorageSopInstanceUid: string;
  readonly implementationClassUid?: string;
  readonly implementationVersionName?: string;
  readonly sourceApplicationEntityTitle?: string;
}

export interface Part10Header extends FileMeta {
  /** Where the data set starts: just after the meta group. */
  readonly dataSetOffset: number;
}

/** The bytes are not a DICOM Part 10 file; the message says why. */
export class NotDicomError extends Error {
  override name = 'NotDicomError';
}

const PREAMBLE_LENGTH = 128;
const MAGIC = 'DICM';
const META_START = PREAMBLE_LENGTH + MAGIC.length;
const META_GROUP = 0x0002;
const EXPLICIT_LE = transferSyntaxInfo(TransferSyntax.ExplicitVRLittleEndian);

/** Meta elements we read, PS3.10 Table 7.1-1. */
const Meta = {
  GroupLength: 0x00020000,
  Version: 0x00020001,
  SopClass: 0x00020002,
  SopInstance: 0x00020003,
  TransferSyntax: 0x00020010,
  ImplementationClass: 0x00020012,
  ImplementationVersion: 0x00020013,
  SourceAeTitle: 0x00020016,
} as const;

/** No meta element is anywhere near this long; a larger length means a broken group. */
const MAX_META_VALUE = 64 * 1024;

/** Reads preamble, magic and meta group. Throws NotDicomError when the bytes are not a Part 10 file. */
export function readPart10Header(src: ByteSource): Part10Header {
  const quick = src.bytes && part10HeaderFromHead(src.bytes, src.size);
  if (quick) return quick;
  if (src.size < META_START) throw new NotDicomError(`too short for a DICOM file: ${src.size} bytes, the preamble and 'DICM' alone take ${META_START}`);
  if (src.read(PREAMBLE_LENGTH, MAGIC.length).toString('latin1') !== MAGIC) {
    throw new NotDicomError(`no 'DICM' at offset ${PREAMBLE_LENGTH}: not a DICOM Part 10 file (perhaps a bare data set)`);
  }
  const values = new Map<number, string>();
  let pos = META_START;
  try {
    // The group ends at the first element of another group (or at the end of a file holding no data set).
    while (pos + 4 <= src.size && src.read(pos, 2).readUInt16LE(0) === META_GROUP) {
      const h = readElementHeader(src, pos, EXPLICIT_LE);
      // A defined length ends where it says (checked against the source); only an undefined one is walked.
      const end = h.length === UNDEFINED_LENGTH ? skipElement(src, pos, EXPLICIT_LE) : valueEnd(src, pos + h.headerLength, h.length, h.tag);
      if (h.length <= MAX_META_VALUE && h.tag !== Meta.GroupLength && h.tag !== Meta.Version) {
        values.set(h.tag, valueString(readExact(src, pos + h.headerLength, h.length, () => `value of ${tagString(h.tag)}`)));
      }
      pos = end;
    }
  } catch (err) {
    if (err instanceof DicomParseError) throw new NotDicomError(`file meta group broken: ${err.message}`);
    throw err;
  }
  const transferSyntaxUid = values.get(Meta.TransferSyntax);
  if (!transferSyntaxUid) throw new NotDicomError('file meta group has no Transfer Syntax UID (0002,0010): the data set cannot be decoded');
  const optional = (tag: number): string | undefined => values.get(tag)?.trim() || undefined;
  return {
    transferSyntaxUid,
    // Type 1, but a file lacking them still has a readable data set: '' rather than a rejection.
    mediaStorageSopClassUid: values.get(Meta.SopClass) ?? '',
    mediaStorageSopInstanceUid: values.get(Meta.SopInstance) ?? '',
    implementationClassUid: optional(Meta.ImplementationClass),
    implementationVersionName: optional(Meta.ImplementationVersion),
    sourceApplicationEntityTitle: optional(Meta.SourceAeTitle),
    dataSetOffset: pos,
  };
}

/**
 * The header of a well-formed file whose meta group lies within `head` (its first bytes; the file
 * has `size`), read straight from those bytes; undefined for anything else (a group longer than the
 * head, an undefined length, an unknown VR, no 'DICM', no transfer syntax), which the general reader
 * then reads or rejects with its reason. The SCU scans every file before it associates: for 2 000
 * files the general reader's views, header objects and map per element cost ~15 us a file (cold
 * process), as much as the file's four system calls. Same result as the general reader.
 */
export function part10HeaderFromHead(head: Buffer, size: number): Part10Header | undefined {
  if (size < META_START || head.length < META_START) return undefined;
  if (head[128] !== 0x44 || head[129] !== 0x49 || head[130] !== 0x43 || head[131] !== 0x4d) return undefined; // 'DICM'
  let transferSyntaxUid = '';
  let sopClass: string | undefined;
  let sopInstance: string | undefined;
  let implementationClass: string | undefined;
  let implementationVersion: string | undefined;
  let sourceAe: string | undefined;
  let pos = META_START;
  while (pos + 4 <= size) {
    if (pos + 8 > head.length) return undefined;
    if (head.readUInt16LE(pos) !== META_GROUP) break;
    const element = head.readUInt16LE(pos + 2);
    const kind = VR_HEADER_KIND[(head[pos + 4]! << 8) | head[pos + 5]!];
    let start: number;
    let length: number;
    if (kind === 1) {
      start = pos + 8;
      length = head.readUInt16LE(pos + 6);
    } else if (kind === 2 && pos + 12 <= head.length) {
      start = pos + 12;
      length = head.readUInt32LE(pos + 8);
    } else return undefined;
    const end = start + length;
    if (end > head.length) return undefined; // also an undefined length
    if (length <= MAX_META_VALUE) {
      if (element === 0x0002) sopClass = textAt(head, start, end);
      else if (element === 0x0003) sopInstance = textAt(head, start, end);
      else if (element === 0x0010) transferSyntaxUid = textAt(head, start, end);
      else if (element === 0x0012) implementationClass = textAt(head, start, end);
      else if (element === 0x0013) implementationVersion = textAt(head, start, end);
      else if (element === 0x0016) sourceAe = textAt(head, start, end);
    }
    pos = end;
  }
  if (!transferSyntaxUid) return undefined;
  return {
    transferSyntaxUid,
    mediaStorageSopClassUid: sopClass ?? '',
    mediaStorageSopInstanceUid: sopInstance ?? '',
    implementationClassUid: implementationClass?.trim() || undefined,
    implementationVersionName: implementationVersion?.trim() || undefined,
    sourceApplicationEntityTitle: sourceAe?.trim() || undefined,
    dataSetOffset: pos,
  };
}

/** As valueString: latin1, without the trailing NUL or space padding (PS3.5 §6.2). */
function textAt(b: Buffer, start: number, end: number): string {
  while (end > start && (b[end - 1] === 0x00 || b[end - 1] === 0x20)) end--;
  return b.toString('latin1', start, end);
}

/** One explicit VR little endian element, PS3.5 §7.1.2. Only UI/SH/AE/UL (short header) and OB here. */
function element(tag: number, vr: string, value: Buffer): Buffer {
  const long = vr === 'OB';
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(tag >>> 16, 0);
  h.writeUInt16LE(tag & 0xffff, 2);
  h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(value.length, 8);
  else h.writeUInt16LE(value.length, 6);
  return Buffer.concat([h, value]);
}

/** UIDs pad to even length with NUL, PS3.5 §9.1; only digits and dots, at most 64 characters. */
function uidValue(what: string, uid: string): Buffer {
  if (!/^[0-9.]{1,64}$/.test(uid)) throw new Error(`${what} '${uid}' is not a UID (PS3.5 §9.1: 1-64 digits and dots)`);
  return Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
}

/** SH and AE pad to even length with a space, PS3.5 §6.2; both hold at most 16 characters. */
function shortTextValue(what: string, text: string): Buffer {
  if (text.length === 0 || text.length > 16 || !/^[\x20-\x7e]*$/.test(text) || text.includes('\\')) {
    throw new Error(`${what} '${text}' must be 1-16 printable ASCII characters without backslash`);
  }
  return Buffer.from(text.length % 2 ? `${text} ` : text, 'latin1');
}

/**
 * Preamble (zeros), "DICM" and the meta group, PS3.10 §7.1. (0002,0012), (0002,0013) and (0002,0016)
 * are written only when given. Throws Error for a value that cannot be encoded.
 */
export function encodeFileMeta(meta: FileMeta): Buffer {
  const elements: Buffer[] = [
    element(Meta.Version, 'OB', Buffer.from([0x00, 0x01])), // version 1 of the meta group, PS3.10 §7.1
    element(Meta.SopClass, 'UI', uidValue('Media Storage SOP Class UID', meta.mediaStorageSopClassUid)),
    element(Meta.SopInstance, 'UI', uidValue('Media Storage SOP Instance UID', meta.mediaStorageSopInstanceUid)),
    element(Meta.TransferSyntax, 'UI', uidValue('Transfer Syntax UID', meta.transferSyntaxUid)),
  ];
  if (meta.implementationClassUid !== undefined) {
    elements.push(element(Meta.ImplementationClass, 'UI', uidValue('Implementation Class UID', meta.implementationClassUid)));
  }
  if (meta.implementationVersionName !== undefined) {
    elements.push(element(Meta.ImplementationVersion, 'SH', shortTextValue('Implementation Version Name', meta.implementationVersionName)));
  }
  if (meta.sourceApplicationEntityTitle !== undefined) {
    elements.push(element(Meta.SourceAeTitle, 'AE', shortTextValue('Source Application Entity Title', meta.sourceApplicationEntityTitle)));
  }
  const group = Buffer.concat(elements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(group.length);
  return Buffer.concat([Buffer.alloc(PREAMBLE_LENGTH), Buffer.from(MAGIC, 'latin1'), element(Meta.GroupLength, 'UL', groupLength), group]);
}
