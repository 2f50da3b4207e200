// Truncated, corrupted and hostile input: every part10 reader must fail with DicomParseError (or
// NotDicomError for the file header), never with a RangeError or another crash, and never hang.

import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ByteSource } from '../../../src-main/dicomnet/part10/byte-source';
import { DicomParseError, bufferSource } from '../../../src-main/dicomnet/part10/byte-source';
import { findTopLevel, inflatedPrefix, skipElement } from '../../../src-main/dicomnet/part10/elements';
import { NotDicomError, encodeFileMeta, readPart10Header } from '../../../src-main/dicomnet/part10/file-meta';
import { TransferSyntax, transferSyntaxInfo } from '../../../src-main/dicomnet/part10/transfer-syntax';
import { transcode } from '../../../src-main/dicomnet/part10/transcode';
import { loadVrDictionary } from '../../../src-main/dicomnet/part10/implicit-vr';
import type { Syntax } from './build';
import { UNDEFINED, el, item, seq, text, uid, us } from './build';
import { seededRandom } from '../../helpers/random';

// Implicit -> explicit needs the data dictionary, which loads on demand.
beforeAll(() => loadVrDictionary());

const IMPLICIT = TransferSyntax.ImplicitVRLittleEndian;
const EXPLICIT = TransferSyntax.ExplicitVRLittleEndian;

function dataSet(s: Syntax): Buffer {
  const leaf = el(s, 0x00080100, 'SH', text('CODE1'));
  return Buffer.concat([
    el(s, 0x00080000, 'UL', Buffer.alloc(4)),
    el(s, 0x00080016, 'UI', uid('1.2.840.10008.5.1.4.1.1.7')),
    seq(s, 0x00081140, [item(s, leaf, true), item(s, seq(s, 0x00400008, [item(s, leaf)], true))], true),
    el(s, 0x00090010, 'LO', 'ACME'),
    seq(s, 0x00091002, [item(s, el(s, 0x00091003, 'OB', Buffer.from([1, 2])))]),
    el(s, 0x00100020, 'LO', 'ID42'),
    el(s, 0x0020000d, 'UI', uid('1.2.3.4')),
    seq(s, 0x00400275, [item(s, Buffer.concat([el(s, 0x00400007, 'LO', 'step'), seq(s, 0x00400008, [item(s, leaf, true)])]))]),
    el(s, 0x7fe00010, 'OW', us(...Array.from({ length: 64 }, (_, i) => i))),
  ]);
}

const files = [
  Buffer.concat([encodeFileMeta({ transferSyntaxUid: EXPLICIT, mediaStorageSopClassUid: '1.2', mediaStorageSopInstanceUid: '1.3' }), dataSet('explicit')]),
  Buffer.concat([encodeFileMeta({ transferSyntaxUid: IMPLICIT, mediaStorageSopClassUid: '1.2', mediaStorageSopInstanceUid: '1.3' }), dataSet('implicit')]),
];

type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs f; an error of an allowed class is fine, anything else fails the test. */
function only(allowed: ErrorClass[], f: () => void): 'ok' | 'rejected' {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (allowed.some((c) => err instanceof c)) return 'rejected';
    throw err;
  }
}

/** Every reader over the bytes, as a receiver of an unknown file would run them. */
function readEverything(bytes: Buffer): string[] {
  const outcomes: string[] = [];
  const src = bufferSource(bytes);
  let header: ReturnType<typeof readPart10Header> | undefined;
  outcomes.push(only([NotDicomError], () => (header = readPart10Header(src))));
  const start = header?.dataSetOffset ?? 0;
  const syntaxes = header ? [header.transferSyntaxUid] : [EXPLICIT, IMPLICIT, TransferSyntax.ExplicitVRBigEndian];
  for (const ts of syntaxes) outcomes.push(...readDataSet(src, start, ts));
  return outcomes;
}

function readDataSet(src: ByteSource, start: number, ts: string): string[] {
  const info = transferSyntaxInfo(ts);
  return [
    only([DicomParseError], () => {
      for (let pos = start; pos < src.size; ) pos = skipElement(src, pos, info);
    }),
    only([DicomParseError], () => findTopLevel(src, start, info, [0x0020000d, 0x7fe00010])),
    only([DicomParseError], () => {
      if (ts !== IMPLICIT && ts !== EXPLICIT) return;
      for (const chunk of transcode(src, start, ts, ts === IMPLICIT ? EXPLICIT : IMPLICIT, 64)) expect(chunk.length).toBeLessThanOrEqual(64);
    }),
  ];
}


describe('bad input never crashes a reader', () => {
  it('the intact files read without error', () => {
    for (const f of files) expect(readEverything(f)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('files cut off at every byte', () => {
    for (const f of files) {
      const outcomes = new Set<string>();
      for (let n = 0; n < f.length; n++) outcomes.add(readEverything(f.subarray(0, n)).join());
      expect(outcomes.size).toBeGreaterThan(1);
    }
  });

  it('files with random bytes overwritten', () => {
    const rnd = seededRandom(42);
    for (let round = 0; round < 1000; round++) {
      const f = Buffer.from(files[round % 2] ?? Buffer.alloc(0));
      const flips = 1 + Math.floor(rnd() * 4);
      for (let i = 0; i < flips; i++) {
        // Mostly hit the data set, sometimes with a byte that makes lengths huge or undefined.
        const at = 132 + Math.floor(rnd() * (f.length - 132));
        f[at] = rnd() < 0.3 ? 0xff : Math.floor(rnd() * 256);
      }
      readEverything(f);
    }
  });

  it('random garbage, with and without a DICM header', () => {
    const rnd = seededRandom(7);
    for (let round = 0; round < 300; round++) {
      const garbage = Buffer.from(Array.from({ length: Math.floor(rnd() * 600) }, () => Math.floor(rnd() * 256)));
      readEverything(garbage);
      readEverything(Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), garbage]));
      readEverything(Buffer.concat([files[0]?.subarray(0, 200) ?? Buffer.alloc(0), garbage]));
    }
  });

  it('lengths near 2^32 are refused, not allocated', () => {
    for (const s of ['explicit', 'implicit'] as const) {
      const ts = s === 'explicit' ? EXPLICIT : IMPLICIT;
      for (const length of [0xfffffffe, 0xfffffff0, 0x80000000]) {
        const bytes = Buffer.concat([el(s, 0x00100020, 'LO', 'ID42'), el(s, 0x7fe00010, 'OW', Buffer.alloc(16), length)]);
        expect(readDataSet(bufferSource(bytes), 0, ts)).toEqual(['rejected', 'rejected', 'rejected']);
      }
    }
  });

  it('sequences nested 10 000 deep are refused at depth 64, not by a stack overflow', () => {
    for (const s of ['explicit', 'implicit'] as const) {
      const ts = s === 'explicit' ? EXPLICIT : IMPLICIT;
      const open = Buffer.concat([el(s, 0x00400275, 'SQ', Buffer.alloc(0), UNDEFINED), item(s, Buffer.alloc(0)).subarray(0, 4), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
      const bytes = Buffer.concat(Array.from({ length: 10_000 }, () => open));
      expect(readDataSet(bufferSource(bytes), 0, ts)).toEqual(['rejected', 'rejected', 'rejected']);
    }
  });

  it('deflate streams that are garbage or cut off', () => {
    const rnd = seededRandom(3);
    const stream = deflateRawSync(dataSet('explicit'));
    for (let n = 0; n < stream.length; n++) {
      only([DicomParseError], () => readDataSet(inflatedPrefix(bufferSource(stream.subarray(0, n)), 0, 10_000), 0, EXPLICIT));
    }
    for (let round = 0; round < 300; round++) {
      const garbage = Buffer.from(Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)));
      only([DicomParseError], () => readDataSet(inflatedPrefix(bufferSource(garbage), 0, 10_000), 0, EXPLICIT));
    }
  });
});
