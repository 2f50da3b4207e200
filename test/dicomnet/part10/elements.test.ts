import { readFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { ByteSource } from '../../../src-main/dicomnet/part10/byte-source';
import { DicomParseError, bufferSource } from '../../../src-main/dicomnet/part10/byte-source';
import {
  UNDEFINED_LENGTH,
  findTopLevel,
  inflatedPrefix,
  readElementHeader,
  skipElement,
  valueString,
} from '../../../src-main/dicomnet/part10/elements';
import { readPart10Header } from '../../../src-main/dicomnet/part10/file-meta';
import type { TransferSyntaxInfo } from '../../../src-main/dicomnet/part10/transfer-syntax';
import { TransferSyntax, transferSyntaxInfo } from '../../../src-main/dicomnet/part10/transfer-syntax';
import { requireDcmtk } from '../../helpers/dcmtk';
import type { Syntax } from './build';
import { UNDEFINED, el, item, seq, text, uid, us } from './build';
import { STUDY_UID, dcmtk, makeFile, workdir, writeDump } from './dcmtk-files';

const EXPLICIT = transferSyntaxInfo(TransferSyntax.ExplicitVRLittleEndian);
const IMPLICIT = transferSyntaxInfo(TransferSyntax.ImplicitVRLittleEndian);
const BIG = transferSyntaxInfo(TransferSyntax.ExplicitVRBigEndian);
const infos: Record<Syntax, TransferSyntaxInfo> = { explicit: EXPLICIT, implicit: IMPLICIT, big: BIG };

const STUDY = 0x0020000d;
const PATIENT_ID = 0x00100020;
const ROWS = 0x00280010;

/** Every top-level element's tag and end, by skipping from `start` to the end of the source. */
function walk(src: ByteSource, start: number, ts: TransferSyntaxInfo): number[] {
  const tags: number[] = [];
  for (let pos = start; pos < src.size; pos = skipElement(src, pos, ts)) tags.push(readElementHeader(src, pos, ts).tag);
  return tags;
}

describe('readElementHeader (PS3.5 §7.1)', () => {
  it('explicit VR: 8-byte header for short VRs, 12 for long ones', () => {
    const src = bufferSource(Buffer.concat([el('explicit', PATIENT_ID, 'LO', 'ID42'), el('explicit', 0x7fe00010, 'OW', us(1, 2))]));
    expect(readElementHeader(src, 0, EXPLICIT)).toEqual({ tag: PATIENT_ID, vr: 'LO', length: 4, headerLength: 8, offset: 0 });
    expect(readElementHeader(src, 12, EXPLICIT)).toEqual({ tag: 0x7fe00010, vr: 'OW', length: 4, headerLength: 12, offset: 12 });
  });

  it('implicit VR: tag and a 32-bit length, no VR', () => {
    const src = bufferSource(el('implicit', PATIENT_ID, 'LO', 'ID42'));
    expect(readElementHeader(src, 0, IMPLICIT)).toEqual({ tag: PATIENT_ID, length: 4, headerLength: 8, offset: 0 });
  });

  it('big endian: group, element and length big endian, the VR as text', () => {
    const src = bufferSource(Buffer.concat([el('big', ROWS, 'US', Buffer.from([0x04, 0x00])), el('big', 0x7fe00010, 'OB', Buffer.alloc(300))]));
    expect(readElementHeader(src, 0, BIG)).toEqual({ tag: ROWS, vr: 'US', length: 2, headerLength: 8, offset: 0 });
    expect(readElementHeader(src, 10, BIG)).toEqual({ tag: 0x7fe00010, vr: 'OB', length: 300, headerLength: 12, offset: 10 });
  });

  it.each(['explicit', 'implicit', 'big'] as const)('items and delimiters have no VR (%s)', (syntax) => {
    const src = bufferSource(item(syntax, Buffer.alloc(0), true));
    expect(readElementHeader(src, 0, infos[syntax])).toEqual({ tag: 0xfffee000, length: UNDEFINED_LENGTH, headerLength: 8, offset: 0 });
    expect(readElementHeader(src, 8, infos[syntax])).toEqual({ tag: 0xfffee00d, length: 0, headerLength: 8, offset: 8 });
  });

  it('rejects an unknown VR and a cut-off header with DicomParseError', () => {
    expect(() => readElementHeader(bufferSource(Buffer.from('1000200058590200', 'hex')), 0, EXPLICIT)).toThrow(/unknown VR 'XY'/);
    expect(() => readElementHeader(bufferSource(Buffer.alloc(7)), 0, IMPLICIT)).toThrow(DicomParseError);
    expect(() => readElementHeader(bufferSource(el('explicit', 0x7fe00010, 'OB').subarray(0, 10)), 0, EXPLICIT)).toThrow(DicomParseError);
  });
});

describe('readElementHeader from memory and through read()', () => {
  /** The same bytes with no `bytes`: every header goes through read(). */
  const readOnly = (b: Buffer): ByteSource => ({ size: b.length, read: (p, n) => bufferSource(b).read(p, n) });

  it.each(['explicit', 'implicit', 'big'] as const)('gives the same headers and errors (%s), the last ones too', (syntax) => {
    const ts = infos[syntax];
    const bytes = Buffer.concat([
      el(syntax, 0x00080016, 'UI', uid('1.2.3')),
      seq(syntax, 0x00081032, [item(syntax, el(syntax, 0x00080100, 'SH', text('P1')), true)], true),
      el(syntax, PATIENT_ID, 'LO', text('ID42')),
      el(syntax, 0x7fe00010, 'OB', Buffer.alloc(6)),
      el(syntax, ROWS, 'US', us(4)), // its 8-byte header (and value) in the last 10 bytes
    ]);
    const mem = bufferSource(bytes);
    expect(mem.bytes).toBe(bytes);
    expect(walk(mem, 0, ts)).toEqual(walk(readOnly(bytes), 0, ts));
    for (let pos = 0; pos < bytes.length; pos += 2) {
      let viaMemory: unknown;
      let viaRead: unknown;
      try { viaMemory = readElementHeader(mem, pos, ts); } catch (err) { viaMemory = (err as Error).message; }
      try { viaRead = readElementHeader(readOnly(bytes), pos, ts); } catch (err) { viaRead = (err as Error).message; }
      expect(viaMemory, `offset ${pos}`).toEqual(viaRead);
    }
  });
});

describe('skipElement', () => {
  it.each(['explicit', 'implicit', 'big'] as const)('walks undefined-length sequences and items nested three deep (%s)', (syntax) => {
    const leaf = el(syntax, 0x00080100, 'SH', text('CODE1'));
    const inner = seq(syntax, 0x00400008, [item(syntax, leaf, true), item(syntax, leaf)], true);
    const middle = seq(syntax, 0x00400275, [item(syntax, Buffer.concat([el(syntax, 0x00400007, 'LO', 'step'), inner]), true)], false);
    const outer = seq(syntax, 0x00081140, [item(syntax, middle, true), item(syntax, Buffer.alloc(0), true)], true);
    const after = el(syntax, STUDY, 'UI', uid('1.2.3'));
    const src = bufferSource(Buffer.concat([outer, after]));
    expect(skipElement(src, 0, infos[syntax])).toBe(outer.length);
    expect(walk(src, 0, infos[syntax])).toEqual([0x00081140, STUDY]);
  });

  it('walks encapsulated pixel data: offset table and fragments up to the sequence delimiter (PS3.5 A.4)', () => {
    const frags = [item('explicit', Buffer.alloc(0)), item('explicit', Buffer.alloc(1000, 1)), item('explicit', Buffer.alloc(10, 2))];
    const pixel = seq('explicit', 0x7fe00010, frags, true, 'OB');
    const src = bufferSource(Buffer.concat([pixel, el('explicit', 0xfffcfffc, 'OB', Buffer.alloc(4))]));
    expect(skipElement(src, 0, transferSyntaxInfo(TransferSyntax.JPEGBaseline8Bit))).toBe(pixel.length);
  });

  it('reads the items of an explicit UN of undefined length as implicit VR (PS3.5 §6.2.2)', () => {
    // Implicit content whose bytes would be misread as explicit: (0009,1001) length 0x4f4c4f4c.
    const content = Buffer.concat([el('implicit', 0x00091001, 'LO', 'LOLO'), seq('implicit', 0x00091002, [item('implicit', Buffer.alloc(0), true)], true)]);
    const un = seq('explicit', 0x00091000, [item('explicit', content, true)], true, 'UN');
    const src = bufferSource(Buffer.concat([un, el('explicit', PATIENT_ID, 'LO', 'ID42')]));
    expect(walk(src, 0, EXPLICIT)).toEqual([0x00091000, PATIENT_ID]);
  });

  it('stops at 64 levels of nesting', () => {
    const nest = (depth: number): Buffer => {
      let b = el('implicit', PATIENT_ID, 'LO', 'ID42');
      for (let i = 0; i < depth; i++) b = seq('implicit', 0x00400275, [item('implicit', b, true)], true);
      return b;
    };
    expect(skipElement(bufferSource(nest(64)), 0, IMPLICIT)).toBe(nest(64).length);
    expect(() => skipElement(bufferSource(nest(65)), 0, IMPLICIT)).toThrow(/nested deeper than 64/);
  });

  it('refuses a value running past the end, and a sequence without its delimiter', () => {
    const long = el('explicit', 0x7fe00010, 'OW', Buffer.alloc(10), 1000);
    expect(() => skipElement(bufferSource(long), 0, EXPLICIT)).toThrow(/runs past the end/);
    const open = el('implicit', 0x00081140, 'SQ', item('implicit', Buffer.alloc(0)), UNDEFINED);
    expect(() => skipElement(bufferSource(open), 0, IMPLICIT)).toThrow(DicomParseError);
    const notItem = el('implicit', 0x00081140, 'SQ', el('implicit', PATIENT_ID, 'LO', 'ID42'), UNDEFINED);
    expect(() => skipElement(bufferSource(notItem), 0, IMPLICIT)).toThrow(/expected an item/);
  });
});

describe('findTopLevel', () => {
  it.each(['explicit', 'implicit', 'big'] as const)('skips an undefined-length sequence before (0020,000D) (%s)', (syntax) => {
    const nested = seq(syntax, 0x00081140, [item(syntax, seq(syntax, 0x00081150, [item(syntax, el(syntax, STUDY, 'UI', uid('9.9')), true)], true), true)], true);
    const data = Buffer.concat([
      el(syntax, 0x00080016, 'UI', uid('1.2.840.10008.5.1.4.1.1.7')),
      nested,
      el(syntax, PATIENT_ID, 'LO', 'ID42'),
      el(syntax, STUDY, 'UI', uid('1.2.3.4')),
      el(syntax, 0x0020000e, 'UI', uid('1.2.3.5')),
      Buffer.from('garbage after the wanted tags is never read'),
    ]);
    const found = findTopLevel(bufferSource(data), 0, infos[syntax], [STUDY, PATIENT_ID, 0x00100010]);
    expect(found.size).toBe(2);
    expect(valueString(found.get(STUDY) ?? Buffer.alloc(0))).toBe('1.2.3.4');
    expect(valueString(found.get(PATIENT_ID) ?? Buffer.alloc(0))).toBe('ID42');
  });

  it('returns the value of an undefined-length element without its delimiter', () => {
    const it1 = item('implicit', el('implicit', PATIENT_ID, 'LO', 'ID42'), true);
    const found = findTopLevel(bufferSource(seq('implicit', 0x00081140, [it1], true)), 0, IMPLICIT, [0x00081140]);
    expect(found.get(0x00081140)).toEqual(it1);
  });

  it('finds nothing in an empty data set or for no tags', () => {
    expect(findTopLevel(bufferSource(Buffer.alloc(0)), 0, EXPLICIT, [STUDY]).size).toBe(0);
    expect(findTopLevel(bufferSource(Buffer.from('garbage')), 0, EXPLICIT, []).size).toBe(0);
  });
});

describe('valueString', () => {
  it('trims trailing NUL and space padding only', () => {
    expect(valueString(Buffer.from('1.2.3\0'))).toBe('1.2.3');
    expect(valueString(Buffer.from(' AE_TITLE  '))).toBe(' AE_TITLE');
    expect(valueString(Buffer.from('Müller ', 'latin1'))).toBe('Müller');
    expect(valueString(Buffer.alloc(0))).toBe('');
  });
});

describe.skipIf(!requireDcmtk('part10 elements vs DCMTK files'))('files written by DCMTK', () => {
  const dir = workdir();
  afterAll(() => dir.remove());
  const dump = writeDump(dir, 64 * 1024);

  it.each([
    ['implicit VR little endian', ['+ti'], TransferSyntax.ImplicitVRLittleEndian],
    ['explicit VR little endian, undefined lengths', ['+te', '-e'], TransferSyntax.ExplicitVRLittleEndian],
    ['explicit VR big endian', ['+tb'], TransferSyntax.ExplicitVRBigEndian],
  ])('%s: header attributes, and a walk to the end', (_name, options, ts) => {
    const src = bufferSource(makeFile(dir, dump, `${ts}.dcm`, options));
    const header = readPart10Header(src);
    expect(header.transferSyntaxUid).toBe(ts);
    const info = transferSyntaxInfo(ts);
    const found = findTopLevel(src, header.dataSetOffset, info, [STUDY, PATIENT_ID, ROWS]);
    expect(valueString(found.get(STUDY) ?? Buffer.alloc(0))).toBe(STUDY_UID);
    expect(valueString(found.get(PATIENT_ID) ?? Buffer.alloc(0))).toBe('ID42');
    const rows = found.get(ROWS) ?? Buffer.alloc(2);
    expect(info.littleEndian ? rows.readUInt16LE(0) : rows.readUInt16BE(0)).toBe(1024);
    const tags = walk(src, header.dataSetOffset, info);
    expect(tags.at(-1)).toBe(0x7fe00010);
    expect(tags).toHaveLength(31); // the top-level elements of the dump
  });

  it('deflated explicit VR little endian (dcmconv +td): attributes from an inflated prefix', () => {
    makeFile(dir, dump, 'plain.dcm', ['+te']);
    dcmtk('dcmconv', ['+td', dir.file('plain.dcm'), dir.file('deflated.dcm')]);
    const file = readFileSync(dir.file('deflated.dcm'));
    const src = bufferSource(file);
    const header = readPart10Header(src);
    expect(transferSyntaxInfo(header.transferSyntaxUid).deflated).toBe(true);

    const prefix = inflatedPrefix(src, header.dataSetOffset, 4096);
    expect(prefix.size).toBe(4096);
    const found = findTopLevel(prefix, 0, EXPLICIT, [STUDY, PATIENT_ID]);
    expect(valueString(found.get(STUDY) ?? Buffer.alloc(0))).toBe(STUDY_UID);

    // The whole stream, and prefixes that end inside highly compressible pixel data.
    const all = inflateRawSync(file.subarray(header.dataSetOffset));
    const whole = inflatedPrefix(src, header.dataSetOffset, 10 * 1024 * 1024);
    expect(whole.size).toBe(all.length);
    expect(walk(whole, 0, EXPLICIT).at(-1)).toBe(0x7fe00010);
    for (const n of [1, 20_000, all.length - 1]) expect(inflatedPrefix(src, header.dataSetOffset, n).read(0, n)).toEqual(all.subarray(0, n));
    // A truncated stream still gives what it holds.
    const cut = bufferSource(file.subarray(0, header.dataSetOffset + 200));
    expect(inflatedPrefix(cut, header.dataSetOffset, 100_000).size).toBeGreaterThan(200);
  });
});

describe('inflatedPrefix', () => {
  it('bounds memory on data that compresses 1000:1, and still gives the exact prefix', () => {
    const plain = Buffer.concat([Buffer.from('header'), Buffer.alloc(8 * 1024 * 1024), Buffer.from('tail')]);
    const src = bufferSource(Buffer.concat([Buffer.from('skip'), deflateRawSync(plain)]));
    for (const n of [0, 1000, 300_000, plain.length, plain.length + 10]) {
      const prefix = inflatedPrefix(src, 4, n);
      expect(prefix.size).toBe(Math.min(n, plain.length));
      expect(prefix.read(0, 6).toString()).toBe('header'.slice(0, n));
    }
    expect(inflatedPrefix(src, 4, plain.length).read(plain.length - 4, 4).toString()).toBe('tail');
  });


  it('throws DicomParseError for bytes that are not deflate', () => {
    expect(() => inflatedPrefix(bufferSource(Buffer.from('this is not a deflate stream at all')), 0, 100)).toThrow(DicomParseError);
  });

  it('gives an empty source for an empty stream', () => {
    expect(inflatedPrefix(bufferSource(Buffer.alloc(10)), 10, 100).size).toBe(0);
  });
});

it('UNDEFINED_LENGTH is 0xFFFFFFFF', () => {
  expect(UNDEFINED_LENGTH).toBe(UNDEFINED);
});
