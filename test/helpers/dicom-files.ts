// Synthetic DICOM Part 10 instances for tests and the benchmark, made at run time (no binaries in the
// repo): a secondary-capture-like data set with patient/study/series attributes, a sequence before
// the study UID (to exercise skipping), and native or encapsulated pixel data of any size, written
// to disk in slices so that a 200 MB instance never sits in memory.

import { randomUUID } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { encodeFileMeta } from '../../src-main/dicomnet/part10/file-meta';
import type { InstanceIdentity } from '../../src-main/dicomnet/services/storage/identify';
import { TransferSyntax, transferSyntaxInfo } from '../../src-main/dicomnet/part10/transfer-syntax';

export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE = '1.2.840.10008.5.1.4.1.1.4';

/** A fresh UID from a random UUID under the 2.25 root (PS3.5 B.2). */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`)}`;
}

/** What an instance is made of: its identity (as the storage SCP reads it back) and its encoding. */
export interface InstanceSpec extends InstanceIdentity {
  readonly transferSyntaxUid?: string;
  /** Bytes of pixel data (rounded up to even). */
  readonly pixelBytes?: number;
  /** Byte pattern seed: pixel data is a deterministic function of it. */
  readonly seed?: number;
  /** The sequence before the study UID: undefined length (default) or explicit length, which DCMTK keeps as it is. */
  readonly sequenceLength?: 'undefined' | 'explicit';
  /** Meta group SOP class/instance may be made to differ from the data set, for bad-input tests. */
  readonly metaSopClassUid?: string;
  readonly metaSopInstanceUid?: string;
}

export interface MadeInstance {
  readonly path: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly pixelBytes: number;
}

type El = [tag: number, vr: string, value: Buffer];

function text(s: string, pad = ' '): Buffer {
  return Buffer.from(s.length % 2 ? s + pad : s, 'latin1');
}
function uid(s: string): Buffer {
  return text(s, '\0');
}
function us(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** Element header in little endian, explicit or implicit VR (PS3.5 §7.1). */
function header(tag: number, vr: string, length: number, explicit: boolean): Buffer {
  if (!explicit) {
    const h = Buffer.alloc(8);
    h.writeUInt16LE(tag >>> 16, 0);
    h.writeUInt16LE(tag & 0xffff, 2);
    h.writeUInt32LE(length >>> 0, 4);
    return h;
  }
  const long = LONG_VRS.has(vr);
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(tag >>> 16, 0);
  h.writeUInt16LE(tag & 0xffff, 2);
  h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(length >>> 0, 8);
  else h.writeUInt16LE(length, 6);
  return h;
}

function encode(elements: El[], explicit: boolean): Buffer {
  return Buffer.concat(elements.flatMap(([tag, vr, value]) => [header(tag, vr, value.length, explicit), value]));
}

/** A sequence with one item holding `inner`, of undefined or explicit length (PS3.5 §7.5). */
function sequence(tag: number, inner: El[], explicit: boolean, undefinedLength: boolean): Buffer {
  if (!undefinedLength) {
    const body = encode(inner, explicit);
    const itemHeader = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
    itemHeader.writeUInt32LE(body.length, 4);
    const item = Buffer.concat([itemHeader, body]);
    return Buffer.concat([header(tag, 'SQ', item.length, explicit), item]);
  }
  const item = Buffer.concat([
    Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]),
    encode(inner, explicit),
    Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]),
  ]);
  return Buffer.concat([header(tag, 'SQ', 0xffffffff, explicit), item, Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0])]);
}

/** Deterministic, not trivially compressible bytes: pixel data byte i of a seed. */
export function patternByte(seed: number, i: number): number {
  return ((i * 2654435761 + seed * 40503) >>> 13) & 0xff;
}

function fillPattern(buf: Buffer, seed: number, offset: number): void {
  for (let i = 0; i < buf.length; i++) buf[i] = patternByte(seed, offset + i);
}

/** Writes one instance to `path`; pixel data goes out in 4 MiB slices. */
export function makeInstance(path: string, spec: InstanceSpec = {}): MadeInstance {
  const ts = spec.transferSyntaxUid ?? TransferSyntax.ExplicitVRLittleEndian;
  const info = transferSyntaxInfo(ts);
  if (!info.littleEndian) throw new Error('dicom-files: big endian is made with dcmconv in the tests that need it');
  const explicit = info.explicitVr;
  const sopClassUid = spec.sopClassUid ?? SECONDARY_CAPTURE;
  const sopInstanceUid = spec.sopInstanceUid ?? newUid();
  const studyInstanceUid = spec.studyInstanceUid ?? newUid();
  const seriesInstanceUid = spec.seriesInstanceUid ?? newUid();
  const pixelBytes = ((spec.pixelBytes ?? 4096) + 1) & ~1;
  const seed = spec.seed ?? 1;
  const rows = 16;
  const head = Buffer.concat([
    encode([
      [0x00080016, 'UI', uid(sopClassUid)],
      [0x00080018, 'UI', uid(sopInstanceUid)],
      [0x00080020, 'DA', text(spec.studyDate ?? '20261125')],
      [0x00080060, 'CS', text(spec.modality ?? 'OT')],
    ], explicit),
    // A sequence before the study UID: identification must skip it, not stop at it.
    sequence(0x00081032, [[0x00080100, 'SH', text('P1')], [0x00080102, 'SH', text('LOCAL')]], explicit, spec.sequenceLength !== 'explicit'),
    encode([
      [0x00100010, 'PN', text(spec.patientName ?? 'TEST^PATIENT')],
      [0x00100020, 'LO', text(spec.patientId ?? 'ID0001')],
      [0x0020000d, 'UI', uid(studyInstanceUid)],
      [0x0020000e, 'UI', uid(seriesInstanceUid)],
      [0x00280002, 'US', us(1)],
      [0x00280004, 'CS', text('MONOCHROME2')],
      [0x00280010, 'US', us(rows)],
      [0x00280011, 'US', us(Math.min(0xffff, Math.max(1, Math.floor(pixelBytes / rows / 2))))],
      [0x00280100, 'US', us(16)],
      [0x00280101, 'US', us(16)],
      [0x00280102, 'US', us(15)],
      [0x00280103, 'US', us(0)],
    ], explicit),
  ]);
  const meta = encodeFileMeta({
    transferSyntaxUid: ts,
    mediaStorageSopClassUid: spec.metaSopClassUid ?? sopClassUid,
    mediaStorageSopInstanceUid: spec.metaSopInstanceUid ?? sopInstanceUid,
    implementationClassUid: '1.2.3.4',
    implementationVersionName: 'TESTDATA',
  });
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, meta);
    if (info.deflated) {
      const pixels = Buffer.alloc(pixelBytes);
      fillPattern(pixels, seed, 0);
      writeSync(fd, deflateRawSync(Buffer.concat([head, header(0x7fe00010, 'OW', pixelBytes, true), pixels])));
    } else if (info.encapsulated) {
      // Encapsulated pixel data (PS3.5 A.4): empty offset table, one fragment; the bytes are opaque to us.
      writeSync(fd, head);
      writeSync(fd, Buffer.concat([header(0x7fe00010, 'OB', 0xffffffff, true), Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0])]));
      const item = Buffer.alloc(8);
      item.writeUInt32LE(0xe000fffe, 0);
      item.writeUInt32LE(pixelBytes, 4);
      writeSync(fd, item);
      writePattern(fd, pixelBytes, seed);
      writeSync(fd, Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]));
    } else {
      writeSync(fd, head);
      writeSync(fd, header(0x7fe00010, 'OW', pixelBytes, explicit));
      writePattern(fd, pixelBytes, seed);
    }
  } finally {
    closeSync(fd);
  }
  return { path, sopClassUid, sopInstanceUid, studyInstanceUid, seriesInstanceUid, transferSyntaxUid: ts, pixelBytes };
}

function writePattern(fd: number, bytes: number, seed: number): void {
  const slice = Buffer.alloc(Math.min(bytes, 4 * 1024 * 1024));
  for (let done = 0; done < bytes; done += slice.length) {
    const n = Math.min(slice.length, bytes - done);
    fillPattern(slice.subarray(0, n), seed, done);
    writeSync(fd, slice.subarray(0, n));
  }
}
