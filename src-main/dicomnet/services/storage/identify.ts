// The attributes that identify a received instance and place it in the storage folder, read from
// the start of its data set (PS3.3: SOP Common, General Study, General Series, Patient modules).
// Only top-level elements up to (0020,000E) are read: pixel data and the rest are never parsed.

import { closeSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../../part10/byte-source';
import { findTopLevel, inflatedPrefix, valueString } from '../../part10/elements';
import { decodeText } from '../../part10/character-sets';
import { transferSyntaxInfo } from '../../part10/transfer-syntax';

export const Tag = {
  SpecificCharacterSet: 0x00080005,
  SopClassUid: 0x00080016,
  SopInstanceUid: 0x00080018,
  StudyDate: 0x00080020,
  Modality: 0x00080060,
  PatientName: 0x00100010,
  PatientId: 0x00100020,
  StudyInstanceUid: 0x0020000d,
  SeriesInstanceUid: 0x0020000e,
} as const;

export interface InstanceIdentity {
  readonly sopClassUid?: string;
  readonly sopInstanceUid?: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly patientName?: string;
  readonly patientId?: string;
  readonly studyDate?: string;
  readonly modality?: string;
}

/** How much of a deflated data set is inflated to find the identifying attributes. */
const DEFLATED_PREFIX = 4 * 1024 * 1024;

/** Reads the identity from `src` (the data set, no meta group). Throws DicomParseError when it does not parse. */
export function identify(src: ByteSource, transferSyntaxUid: string): InstanceIdentity {
  const info = transferSyntaxInfo(transferSyntaxUid);
  const data = info.deflated ? inflatedPrefix(src, 0, DEFLATED_PREFIX) : src;
  const values = findTopLevel(data, 0, info, Object.values(Tag));
  const text = (tag: number): string | undefined => {
    const v = values.get(tag);
    if (v === undefined) return undefined;
    // Big endian changes nothing for these text VRs (PS3.5 §7.3: byte order applies to binary VRs).
    const s = valueString(v);
    return s === '' ? undefined : s;
  };
  // The patient's name and ID are in the data set's character set; UIDs, dates and codes are ASCII.
  const charset = text(Tag.SpecificCharacterSet);
  const words = (tag: number): string | undefined => {
    const v = values.get(tag);
    if (v === undefined) return undefined;
    const s = decodeText(v, charset);
    return s === '' ? undefined : s;
  };
  return {
    sopClassUid: text(Tag.SopClassUid),
    sopInstanceUid: text(Tag.SopInstanceUid),
    studyInstanceUid: text(Tag.StudyInstanceUid),
    seriesInstanceUid: text(Tag.SeriesInstanceUid),
    patientName: words(Tag.PatientName),
    patientId: words(Tag.PatientId),
    studyDate: text(Tag.StudyDate),
    modality: text(Tag.Modality),
  };
}

/** A byte source that may hold an open file: close it when done. */
export interface ClosableSource extends ByteSource {
  close(): void;
}

/**
 * The data set as a byte source: its head from memory, anything beyond from the temporary file
 * (where it starts at `file.offset`, after the meta group), opened only if a read needs it. Elements
 * past the head are rare: a long sequence before the study UID.
 */
export function headThenFile(head: Buffer, size: number, file?: { readonly path: string; readonly offset: number }): ClosableSource {
  let fd: number | undefined;
  return {
    size,
    read(position: number, length: number): Buffer {
      const end = Math.min(position + length, size);
      if (end <= head.length) return head.subarray(position, end);
      if (!file || end <= position) return Buffer.alloc(0);
      fd ??= openSync(file.path, 'r');
      const out = Buffer.allocUnsafe(end - position);
      const n = readSync(fd, out, 0, out.length, file.offset + position);
      return out.subarray(0, n);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
