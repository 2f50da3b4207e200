import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDataSet, encodeDataSet } from '../../../src-main/dicomnet/dimse/dataset';
import type { ByteSource } from '../../../src-main/dicomnet/part10/byte-source';
import { DicomParseError, bufferSource, fileSource } from '../../../src-main/dicomnet/part10/byte-source';
import { readElementHeader, skipElement } from '../../../src-main/dicomnet/part10/elements';
import { encodeFileMeta, readPart10Header } from '../../../src-main/dicomnet/part10/file-meta';
import { TransferSyntax, transferSyntaxInfo } from '../../../src-main/dicomnet/part10/transfer-syntax';
import { canTranscode, loadVrDictionary, transcode } from '../../../src-main/dicomnet/part10/transcode';
import { requireDcmtk } from '../../helpers/dcmtk';
import type { Syntax } from './build';
import { UNDEFINED, el, item, seq, uid, us } from './build';
import { dcmtk, dumpDataSet, makeFile, workdir, writeDump } from './dcmtk-files';

// Implicit -> explicit needs the data dictionary, which loads on demand.
beforeAll(() => loadVrDictionary());

const IMPLICIT = TransferSyntax.ImplicitVRLittleEndian;
const EXPLICIT = TransferSyntax.ExplicitVRLittleEndian;
const SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7';

function all(src: ByteSource, from: string, to: string, chunkSize?: number): Buffer {
  return Buffer.concat([...transcode(src, 0, from, to, chunkSize)]);
}

/**
 * Leaf values of a data set in document order as "path tag vr length sha1": sequences are opened
 * (explicit SQ, or undefined length), group lengths left out. `vrs` false drops the VR. Stops at
 * `end` or at an item delimiter, whose end it returns.
 */
function flatten(src: ByteSource, start: number, end: number, syntax: string, vrs = true, path = ''): { lines: string[]; end: number } {
  const ts = transferSyntaxInfo(syntax);
  const lines: string[] = [];
  let pos = start;
  while (pos < end) {
    const h = readElementHeader(src, pos, ts);
    if (h.tag === 0xfffee00d) return { lines, end: pos + 8 };
    const next = skipElement(src, pos, ts);
    const tag = h.tag.toString(16).padStart(8, '0');
    if ((h.tag & 0xffff) !== 0) {
      if (h.vr === 'SQ' || h.length === UNDEFINED) {
        let p = pos + h.headerLength;
        const stop = h.length === UNDEFINED ? next - 8 : next;
        for (let i = 0; p < stop; i++) {
          const ih = readElementHeader(src, p, ts);
          const inner = flatten(src, p + 8, ih.length === UNDEFINED ? stop : p + 8 + ih.length, syntax, vrs, `${path}${tag}[${i}].`);
          lines.push(...inner.lines);
          p = ih.length === UNDEFINED ? inner.end : p + 8 + ih.length;
        }
      } else {
        const sha = createHash('sha1').update(src.read(pos + h.headerLength, h.length)).digest('hex');
        lines.push(`${path}${tag} ${vrs ? (h.vr ?? '') : ''} ${h.length} ${sha}`);
      }
    }
    pos = next;
  }
  return { lines, end: pos };
}

const leaves = (data: Buffer, syntax: string, vrs = true): string[] => flatten(bufferSource(data), 0, data.length, syntax, vrs).lines;

const largest = (chunks: Buffer[]): number => chunks.reduce((n, c) => Math.max(n, c.length), 0);

type Natural = Record<string, unknown>;

// dcmjs logs each lower-case dictionary VR ('xs', 'ox', 'lt') it meets in implicit VR data to stderr.
(dcmjs as unknown as { log: { getLogger(name: string): { setLevel(level: string): void } } }).log.getLogger('validation.dcmjs').setLevel('silent');

/** dcmjs's naturalized data set of a data set in `syntax`, without group lengths; binary values as hashes. */
function dcmjsRead(dataSet: Buffer, syntax: string): Natural {
  const file = Buffer.concat([encodeFileMeta({ transferSyntaxUid: syntax, mediaStorageSopClassUid: SOP_CLASS, mediaStorageSopInstanceUid: '1.2.3' }), dataSet]);
  const dict = dcmjs.data.DicomMessage.readFile(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
  const strip = (v: unknown): unknown => {
    if (v instanceof ArrayBuffer) return `${v.byteLength} bytes, sha1 ${createHash('sha1').update(new Uint8Array(v)).digest('hex')}`;
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([k]) => !/^[0-9A-F]{4}0000$/i.test(k)).map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  return strip(dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict)) as Natural;
}

describe('canTranscode', () => {
  it.each([
    [IMPLICIT, EXPLICIT, true],
    [EXPLICIT, IMPLICIT, true],
    [IMPLICIT, IMPLICIT, true],
    [TransferSyntax.JPEGBaseline8Bit, TransferSyntax.JPEGBaseline8Bit, true],
    [EXPLICIT, TransferSyntax.ExplicitVRBigEndian, false],
    [TransferSyntax.DeflatedExplicitVRLittleEndian, EXPLICIT, false],
    [TransferSyntax.JPEGBaseline8Bit, EXPLICIT, false],
  ])('%s -> %s: %s', (from, to, expected) => {
    expect(canTranscode(from, to)).toBe(expected);
  });

  it('transcode refuses a pair it cannot do', () => {
    expect(() => all(bufferSource(Buffer.alloc(0)), EXPLICIT, TransferSyntax.ExplicitVRBigEndian)).toThrow(/cannot transcode/);
  });
});

describe('transcode, explicit -> implicit VR little endian', () => {
  it('drops VRs and group lengths; keeps the defined length of a sequence that does not change', () => {
    const short = (s: Syntax): Buffer => Buffer.concat([el(s, 0x00081150, 'UI', uid(SOP_CLASS)), el(s, 0x00081155, 'UI', uid('1.2.3'))]);
    const source = Buffer.concat([
      el('explicit', 0x00080000, 'UL', Buffer.from([1, 2, 3, 4])),
      el('explicit', 0x00080016, 'UI', uid(SOP_CLASS)),
      seq('explicit', 0x00081140, [item('explicit', short('explicit')), item('explicit', short('explicit'), true)]),
      el('explicit', 0x7fe00010, 'OW', us(1, 2, 3)),
    ]);
    const expected = Buffer.concat([
      el('implicit', 0x00080016, 'UI', uid(SOP_CLASS)),
      seq('implicit', 0x00081140, [item('implicit', short('implicit')), item('implicit', short('implicit'), true)]),
      el('implicit', 0x7fe00010, 'OW', us(1, 2, 3)),
    ]);
    expect(all(bufferSource(source), EXPLICIT, IMPLICIT).toString('hex')).toBe(expected.toString('hex'));
  });

  it('writes sequences and items whose length changes with undefined length and delimiters (PS3.5 §7.5)', () => {
    const inner = (s: Syntax): Buffer => el(s, 0x00091003, 'OB', Buffer.from([1, 2, 3, 4]));
    const nested = (s: Syntax, undefinedLength: boolean): Buffer =>
      seq(s, 0x00400275, [item(s, Buffer.concat([el(s, 0x00400007, 'LO', 'step'), seq(s, 0x00400008, [item(s, inner(s), undefinedLength)], undefinedLength)]), undefinedLength)], undefinedLength);
    const source = Buffer.concat([el('explicit', 0x00400000, 'UL', Buffer.alloc(4)), nested('explicit', false)]);
    expect(all(bufferSource(source), EXPLICIT, IMPLICIT).toString('hex')).toBe(nested('implicit', true).toString('hex'));
  });

  it('gives a private sequence undefined length, so an implicit reader still sees a sequence', () => {
    const content = (s: Syntax): Buffer => el(s, 0x00091001, 'LO', 'ABCD');
    const source = Buffer.concat([el('explicit', 0x00090010, 'LO', 'ACME'), seq('explicit', 0x00091002, [item('explicit', content('explicit'))])]);
    const expected = Buffer.concat([el('implicit', 0x00090010, 'LO', 'ACME'), seq('implicit', 0x00091002, [item('implicit', content('implicit'))], true)]);
    expect(all(bufferSource(source), EXPLICIT, IMPLICIT).toString('hex')).toBe(expected.toString('hex'));
  });

  it('copies an explicit UN of undefined length unchanged: its items are implicit already (PS3.5 §6.2.2)', () => {
    const content = Buffer.concat([el('implicit', 0x00091001, 'LO', 'LOLO')]);
    const source = seq('explicit', 0x00091000, [item('implicit', content, true)], true, 'UN');
    expect(all(bufferSource(source), EXPLICIT, IMPLICIT).toString('hex')).toBe(seq('implicit', 0x00091000, [item('implicit', content, true)], true).toString('hex'));
  });
});

describe('transcode, implicit -> explicit VR little endian', () => {
  const cases: [string, number, Buffer, string][] = [
    ['dictionary VR', 0x00100020, Buffer.from('ID42'), 'LO'],
    ['private creator', 0x00090010, Buffer.from('ACME'), 'LO'],
    ['private creator, last block', 0x001100ff, Buffer.from('ACME'), 'LO'],
    ['private element', 0x00091001, Buffer.from('ABCD'), 'UN'],
    ['odd-group element below the creators', 0x00090005, Buffer.from('ABCD'), 'UN'],
    ['unknown standard element', 0x00089999, Buffer.from('ABCD'), 'UN'],
    ["'US or SS'", 0x00280106, us(0), 'US'],
    ["'US or SS or OW' LUT data", 0x00283006, us(1, 2, 3, 4), 'OW'],
    ['pixel data', 0x7fe00010, us(1, 2), 'OW'],
    ['overlay data in a repeating group (60xx,3000)', 0x60023000, us(1, 2), 'OW'],
    ['curve data (50xx,xxxx)', 0x50040005, us(3), 'US'],
    ['trailing padding', 0xfffcfffc, Buffer.alloc(4), 'OB'],
    ['a value too long for LO', 0x00081030, Buffer.alloc(0x10000, 0x41), 'UN'],
    ['a value just short enough for LO', 0x00081030, Buffer.alloc(0xfffe, 0x41), 'LO'],
  ];
  it.each(cases)('%s', (_name, tag, value, vr) => {
    const out = all(bufferSource(el('implicit', tag, '', value)), IMPLICIT, EXPLICIT);
    expect(out.toString('hex')).toBe(el('explicit', tag, vr, value).toString('hex'));
  });

  it('makes any undefined-length element a sequence, private ones too, and drops group lengths inside', () => {
    const content = (s: Syntax): Buffer => Buffer.concat([el(s, 0x00090010, 'LO', 'ACME'), el(s, 0x00091003, 'UN', Buffer.from([1, 2]))]);
    const source = seq('implicit', 0x00091002, [item('implicit', Buffer.concat([el('implicit', 0x00090000, 'UL', Buffer.alloc(4)), content('implicit')]))], true);
    // The item shrinks by 12 (group length) and grows by 4 (UN header): undefined length.
    expect(all(bufferSource(source), IMPLICIT, EXPLICIT).toString('hex')).toBe(seq('explicit', 0x00091002, [item('explicit', content('explicit'), true)], true).toString('hex'));
  });

  it('keeps a defined-length sequence whose items do not change', () => {
    const content = (s: Syntax): Buffer => el(s, 0x00081155, 'UI', uid('1.2.3'));
    const source = seq('implicit', 0x00081140, [item('implicit', content('implicit'))]);
    expect(all(bufferSource(source), IMPLICIT, EXPLICIT).toString('hex')).toBe(seq('explicit', 0x00081140, [item('explicit', content('explicit'))]).toString('hex'));
  });

  it('round trips a data set made by dcmjs, with nested sequences, to the same attributes', () => {
    const ds = {
      SOPClassUID: SOP_CLASS,
      PatientName: 'DOE^JANE',
      PatientID: 'ID42',
      ReferencedImageSequence: [
        { ReferencedSOPClassUID: SOP_CLASS, ReferencedSOPInstanceUID: '1.2.3.1' },
        { ReferencedSOPClassUID: SOP_CLASS, ReferencedSOPInstanceUID: '1.2.3.2' },
      ],
      RequestAttributesSequence: [{ ScheduledProcedureStepDescription: 'step', ScheduledProtocolCodeSequence: [{ CodeValue: 'C1', CodingSchemeDesignator: '99X', CodeMeaning: 'M' }] }],
      Rows: 2,
      Columns: 2,
      BitsAllocated: 16,
    };
    const implicit = encodeDataSet(ds, IMPLICIT);
    const explicit = all(bufferSource(implicit), IMPLICIT, EXPLICIT);
    expect(decodeDataSet(explicit, EXPLICIT)).toEqual(decodeDataSet(implicit, IMPLICIT));
    expect(decodeDataSet(explicit, EXPLICIT)).toEqual(decodeDataSet(encodeDataSet(ds, EXPLICIT), EXPLICIT));
    expect(all(bufferSource(explicit), EXPLICIT, IMPLICIT)).toEqual(all(bufferSource(encodeDataSet(ds, EXPLICIT)), EXPLICIT, IMPLICIT));
  });
});

describe('transcode, chunks', () => {
  const big = Buffer.concat([el('explicit', 0x00100020, 'LO', 'ID42'), el('explicit', 0x7fe00010, 'OW', Buffer.alloc(200_003, 7))]);

  const bigImplicit = Buffer.concat([el('implicit', 0x00100020, 'LO', 'ID42'), el('implicit', 0x7fe00010, 'OW', Buffer.alloc(200_003, 7))]);

  it.each([5, 4096, 65536, 10_000_000])('never yields a chunk larger than %d bytes, and the chunks add up', (chunkSize) => {
    for (const [from, to, expected] of [[EXPLICIT, IMPLICIT, bigImplicit], [EXPLICIT, EXPLICIT, big], [IMPLICIT, EXPLICIT, big]] as const) {
      const chunks = [...transcode(bufferSource(from === IMPLICIT ? bigImplicit : big), 0, from, to, chunkSize)];
      expect(largest(chunks)).toBeLessThanOrEqual(chunkSize);
      expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    }
  });

  it('rejects a chunk size that is not a positive integer', () => {
    expect(() => all(bufferSource(big), EXPLICIT, IMPLICIT, 0)).toThrow(/chunkSize/);
  });

  it('throws DicomParseError for a truncated value', () => {
    expect(() => all(bufferSource(big.subarray(0, 5000)), EXPLICIT, IMPLICIT)).toThrow(DicomParseError);
  });
});

describe.skipIf(!requireDcmtk('part10 transcode vs DCMTK'))('transcode against DCMTK (4 MB of OW pixel data)', () => {
  const dir = workdir();
  const CHUNK = 64 * 1024;
  const files: Record<string, { syntax: string; path: string; dataSet: Buffer }> = {};
  let maxChunk = 0;
  let chunkCount = 0;

  const done = new Map<string, { dataSet: Buffer; path: string }>();

  /** Our transcoding of a whole file, read through a file descriptor, wrapped as a Part 10 file. */
  function ours(name: string, to: string): { dataSet: Buffer; path: string } {
    const key = `${name} ${to}`;
    const cached = done.get(key);
    if (cached) return cached;
    const f = files[name];
    if (!f) throw new Error(name);
    const fd = openSync(f.path, 'r');
    try {
      const src = fileSource(fd, statSync(f.path).size);
      const header = readPart10Header(src);
      const chunks = [...transcode(src, header.dataSetOffset, header.transferSyntaxUid, to, CHUNK)];
      maxChunk = Math.max(maxChunk, largest(chunks));
      chunkCount += chunks.length;
      const dataSet = Buffer.concat(chunks);
      const path = dir.file(`ours-${name}.dcm`);
      writeFileSync(path, Buffer.concat([encodeFileMeta({ ...header, transferSyntaxUid: to }), dataSet]));
      done.set(key, { dataSet, path });
      return { dataSet, path };
    } finally {
      closeSync(fd);
    }
  }

  beforeAll(() => {
    const dump = writeDump(dir, 4 * 1024 * 1024);
    for (const [name, options, syntax] of [
      ['explicit-grouplengths', ['+te', '+g'], EXPLICIT],
      ['explicit-undefined', ['+te', '-e'], EXPLICIT],
      ['implicit', ['+ti'], IMPLICIT],
      ['implicit-undefined', ['+ti', '-e'], IMPLICIT],
    ] as const) {
      const bytes = makeFile(dir, dump, `${name}.dcm`, [...options]);
      files[name] = { syntax, path: dir.file(`${name}.dcm`), dataSet: bytes.subarray(readPart10Header(bufferSource(bytes)).dataSetOffset) };
    }
  });
  afterAll(() => dir.remove());

  describe.each(['explicit-grouplengths', 'explicit-undefined'])('explicit -> implicit (%s)', (name) => {
    it('dcmjs reads it as it reads the same data set written implicit by DCMTK', () => {
      // Against DCMTK's file with undefined lengths: a private sequence of defined length is UN to
      // dcmjs in implicit VR, and ours are written with undefined length for that reason.
      const { dataSet } = ours(name, IMPLICIT);
      expect(dcmjsRead(dataSet, IMPLICIT)).toEqual(dcmjsRead(files['implicit-undefined']?.dataSet ?? Buffer.alloc(0), IMPLICIT));
    });

    it('dcmdump shows the same elements as dcmconv +ti', () => {
      const { path } = ours(name, IMPLICIT);
      // -e: DCMTK too then writes the private sequence with undefined length, as we always do.
      dcmtk('dcmconv', ['+ti', '-g', '-e', files[name]?.path ?? '', dir.file(`dcmconv-${name}.dcm`)]);
      const reference = dumpDataSet(dir.file(`dcmconv-${name}.dcm`));
      expect(reference.length).toBeGreaterThan(40);
      expect(dumpDataSet(path)).toEqual(reference);
    });

    it('explicit -> implicit -> explicit keeps every value byte for byte', () => {
      const { dataSet } = ours(name, IMPLICIT);
      const back = all(bufferSource(dataSet), IMPLICIT, EXPLICIT);
      const source = files[name]?.dataSet ?? Buffer.alloc(0);
      const before = leaves(source, EXPLICIT, false);
      expect(before).toHaveLength(39); // every leaf element of the dump: 27 top level, 12 in sequences
      expect(leaves(back, EXPLICIT, false)).toEqual(before);
      // VRs too, but for those implicit VR cannot carry: private elements come back UN, LUT data OW.
      const expected = leaves(source, EXPLICIT).map((l) => {
        const [path = '', vr] = l.split(' ');
        const tag = path.split('.').at(-1) ?? '';
        return tag.startsWith('0009') && tag !== '00090010' ? 'UN' : tag === '00283006' ? 'OW' : vr;
      });
      expect(leaves(back, EXPLICIT).map((l) => l.split(' ')[1])).toEqual(expected);
    });
  });

  describe.each(['implicit', 'implicit-undefined'])('implicit -> explicit (%s)', (name) => {
    it('dcmjs reads it to the same data set as the implicit source', () => {
      const { dataSet } = ours(name, EXPLICIT);
      const source = dcmjsRead(files[name]?.dataSet ?? Buffer.alloc(0), IMPLICIT);
      const result = dcmjsRead(dataSet, EXPLICIT);
      // dcmjs records the VRs it saw; implicit VR has none for LUT data (dcmjs says UN), ours says OW.
      const vrMap = (d: Natural): unknown => ((d['VOILUTSequence'] as Natural[])[0] as Natural)['_vrMap'];
      expect(vrMap(source)).toEqual({ LUTDescriptor: 'US', LUTData: 'UN' });
      expect(vrMap(result)).toEqual({ LUTDescriptor: 'US', LUTData: 'OW' });
      (vrMap(result) as Natural)['LUTData'] = 'UN';
      expect(result).toEqual(source);
    });

    it('dcmdump shows the same elements as dcmconv +te', () => {
      const { path } = ours(name, EXPLICIT);
      dcmtk('dcmconv', ['+te', '-g', files[name]?.path ?? '', dir.file(`dcmconv-${name}.dcm`)]);
      expect(dumpDataSet(path)).toEqual(dumpDataSet(dir.file(`dcmconv-${name}.dcm`)));
    });
  });

  it('implicit (all undefined lengths) -> explicit -> implicit gives back the very same bytes', () => {
    const source = files['implicit-undefined']?.dataSet ?? Buffer.alloc(0);
    const { dataSet } = ours('implicit-undefined', EXPLICIT);
    expect(all(bufferSource(dataSet), EXPLICIT, IMPLICIT).equals(source)).toBe(true);
  });

  it('yielded no chunk larger than the chunk size asked for', () => {
    for (const name of Object.keys(files)) ours(name, name.startsWith('implicit') ? EXPLICIT : IMPLICIT);
    expect(maxChunk).toBeLessThanOrEqual(CHUNK);
    expect(chunkCount).toBeGreaterThanOrEqual(64);
  });

  it('the fixture really holds what the tests rely on', () => {
    const dump = readFileSync(dir.file('image.dump'), 'utf8');
    expect(dump).toContain('(0009,1002) SQ');
    expect(files['implicit']?.dataSet.length).toBeGreaterThan(4 * 1024 * 1024);
  });
});
