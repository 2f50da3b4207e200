import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource, headFirstSource, type ByteSource } from '../../../src-main/dicomnet/part10/byte-source';
import { NotDicomError, encodeFileMeta, part10HeaderFromHead, readPart10Header } from '../../../src-main/dicomnet/part10/file-meta';
import type { FileMeta } from '../../../src-main/dicomnet/part10/file-meta';
import { TransferSyntax } from '../../../src-main/dicomnet/part10/transfer-syntax';
import { requireDcmtk } from '../../helpers/dcmtk';
import { seededRandom } from '../../helpers/random';
import { el, text, UNDEFINED, uid } from './build';
import { dcmtk, workdir } from './dcmtk-files';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

const full: FileMeta = {
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  mediaStorageSopClassUid: '1.2.840.10008.5.1.4.1.1.7',
  mediaStorageSopInstanceUid: '1.2.3.4.5.6',
  implementationClassUid: '1.2.3',
  implementationVersionName: 'DICOMNET_010',
  sourceApplicationEntityTitle: 'WS1',
};

describe('encodeFileMeta (PS3.10 §7.1)', () => {
  it('writes preamble, DICM and every element, byte for byte', () => {
    const expected = Buffer.concat([
      Buffer.alloc(128),
      ascii('DICM'),
      hex('0200 0000 554c 0400 8e000000'), // (0002,0000) UL 4: 142 bytes follow
      hex('0200 0100 4f42 0000 02000000 0001'), // (0002,0001) OB 00\01
      hex('0200 0200 5549 1a00'), ascii('1.2.840.10008.5.1.4.1.1.7\0'), // 25 chars + NUL
      hex('0200 0300 5549 0c00'), ascii('1.2.3.4.5.6\0'),
      hex('0200 1000 5549 1400'), ascii('1.2.840.10008.1.2.1\0'),
      hex('0200 1200 5549 0600'), ascii('1.2.3\0'),
      hex('0200 1300 5348 0c00'), ascii('DICOMNET_010'), // even: no padding
      hex('0200 1600 4145 0400'), ascii('WS1 '), // AE pads with a space
    ]);
    expect(encodeFileMeta(full).toString('hex')).toBe(expected.toString('hex'));
  });

  it('leaves out the optional elements when not given; even UIDs get no padding', () => {
    const expected = Buffer.concat([
      Buffer.alloc(128),
      ascii('DICM'),
      hex('0200 0000 554c 0400 40000000'), // 64 = 14 + 12 + 12 + 26
      hex('0200 0100 4f42 0000 02000000 0001'),
      hex('0200 0200 5549 0400'), ascii('1.23'),
      hex('0200 0300 5549 0400'), ascii('4.56'),
      hex('0200 1000 5549 1200'), ascii('1.2.840.10008.1.2\0'),
    ]);
    const meta = { transferSyntaxUid: '1.2.840.10008.1.2', mediaStorageSopClassUid: '1.23', mediaStorageSopInstanceUid: '4.56' };
    expect(encodeFileMeta(meta).toString('hex')).toBe(expected.toString('hex'));
  });

  it.each([
    [{ ...full, mediaStorageSopInstanceUid: '1.2.x' }],
    [{ ...full, transferSyntaxUid: '' }],
    [{ ...full, implementationClassUid: '1.'.repeat(40) }],
    [{ ...full, sourceApplicationEntityTitle: 'A_TITLE_LONGER_THAN_16' }],
    [{ ...full, implementationVersionName: 'BAD\\NAME' }],
  ])('refuses values it cannot encode (%#)', (meta) => {
    expect(() => encodeFileMeta(meta)).toThrow(Error);
  });
});

describe('readPart10Header', () => {
  const dataSet = el('explicit', 0x00100020, 'LO', text('ID42'));

  it('reads back what encodeFileMeta wrote, and where the data set starts', () => {
    const meta = encodeFileMeta(full);
    const h = readPart10Header(bufferSource(Buffer.concat([meta, dataSet])));
    expect(h).toEqual({ ...full, dataSetOffset: meta.length });
  });

  it('walks a meta group that has no (0002,0000)', () => {
    const groupLength = 12;
    const withLength = encodeFileMeta(full);
    const without = Buffer.concat([withLength.subarray(0, 132), withLength.subarray(132 + groupLength), dataSet]);
    const h = readPart10Header(bufferSource(without));
    expect(h.transferSyntaxUid).toBe(full.transferSyntaxUid);
    expect(h.dataSetOffset).toBe(withLength.length - groupLength);
  });

  it('ends the group at the data set even when that is implicit VR or big endian', () => {
    const bigMeta = encodeFileMeta({ ...full, transferSyntaxUid: TransferSyntax.ExplicitVRBigEndian });
    const big = el('big', 0x00080016, 'UI', uid('1.2.3'));
    expect(readPart10Header(bufferSource(Buffer.concat([bigMeta, big]))).dataSetOffset).toBe(bigMeta.length);
    const implicitMeta = encodeFileMeta({ ...full, transferSyntaxUid: TransferSyntax.ImplicitVRLittleEndian });
    const implicit = el('implicit', 0x00080016, 'UI', uid('1.2.3'));
    expect(readPart10Header(bufferSource(Buffer.concat([implicitMeta, implicit]))).dataSetOffset).toBe(implicitMeta.length);
  });

  it('accepts a file holding only the meta group', () => {
    const meta = encodeFileMeta(full);
    expect(readPart10Header(bufferSource(meta)).dataSetOffset).toBe(meta.length);
  });

  it.each([
    ['too short', Buffer.alloc(100), /too short/],
    ['no DICM', Buffer.alloc(300), /no 'DICM' at offset 128/],
    ['bare data set', Buffer.concat([dataSet, Buffer.alloc(200)]), /no 'DICM'/],
    [
      'meta element cut off',
      Buffer.concat([Buffer.alloc(128), ascii('DICM'), hex('0200 1000 5549 1400'), ascii('1.2.840')]),
      /meta group broken/,
    ],
    ['garbage VR in the meta group', Buffer.concat([Buffer.alloc(128), ascii('DICM'), hex('0200 1000 0000 1400'), Buffer.alloc(20)]), /meta group broken.*unknown VR/],
    [
      'no transfer syntax',
      Buffer.concat([Buffer.alloc(128), ascii('DICM'), el('explicit', 0x00020002, 'UI', uid('1.2.3')), dataSet]),
      /no Transfer Syntax UID/,
    ],
  ])('throws NotDicomError saying why: %s', (_name, bytes, why) => {
    expect(() => readPart10Header(bufferSource(bytes))).toThrow(NotDicomError);
    expect(() => readPart10Header(bufferSource(bytes))).toThrow(why);
  });
});

describe('part10HeaderFromHead (the quick path of the SCU scan)', () => {
  const dataSet = el('explicit', 0x00100020, 'LO', text('ID42'));
  /** The general reader alone: a source that offers no bytes in memory. */
  const general = (b: Buffer): ByteSource => {
    const all = bufferSource(b);
    return { size: all.size, read: (p, n) => all.read(p, n) };
  };
  const outcome = (f: () => unknown): unknown => {
    try {
      return f();
    } catch (err) {
      return `${(err as Error).name}: ${(err as Error).message}`;
    }
  };

  it('reads the usual file, padding stripped, and gives way where the group leaves the head', () => {
    const meta = encodeFileMeta(full);
    const file = Buffer.concat([meta, dataSet]);
    expect(part10HeaderFromHead(file, file.length)).toEqual({ ...full, dataSetOffset: meta.length });
    // Only the first 200 bytes in memory: the group goes on past them.
    expect(part10HeaderFromHead(file.subarray(0, 200), file.length)).toBeUndefined();
    expect(readPart10Header(headFirstSource(file.subarray(0, 200), general(file)))).toEqual({ ...full, dataSetOffset: meta.length });
  });

  it.each([
    ['an undefined length', Buffer.concat([Buffer.alloc(128), ascii('DICM'), el('explicit', 0x00020001, 'OB', Buffer.alloc(0), UNDEFINED), el('explicit', 0xfffee0dd, 'OB')])],
    ['an unknown VR', Buffer.concat([Buffer.alloc(128), ascii('DICM'), hex('0200 1000 0000 1400'), Buffer.alloc(20)])],
    ['no DICM', Buffer.alloc(300)],
    ['no transfer syntax', Buffer.concat([Buffer.alloc(128), ascii('DICM'), el('explicit', 0x00020002, 'UI', uid('1.2.3')), dataSet])],
  ])('leaves %s to the general reader', (_name, bytes) => {
    expect(part10HeaderFromHead(bytes, bytes.length)).toBeUndefined();
  });

  it('gives what the general reader gives (or the same error) for 3 000 damaged and varied groups', () => {
    const random = seededRandom(20261202);
    const pick = (n: number) => Math.floor(random() * n);
    const bases = [
      Buffer.concat([encodeFileMeta(full), dataSet]),
      Buffer.concat([encodeFileMeta({ ...full, implementationVersionName: 'ODD ', sourceApplicationEntityTitle: ' A ' }), dataSet]),
      // A long element in the group, beyond a 4 KiB head; a second (0002,0016) above the 64 KiB value
      // cap, which the general reader passes over (the first one counts).
      Buffer.concat([encodeFileMeta(full), el('explicit', 0x00020102, 'OB', Buffer.alloc(5000, 0x41)), dataSet]),
      Buffer.concat([encodeFileMeta(full), el('explicit', 0x00020016, 'UT', Buffer.alloc(70_000, 0x41)), dataSet]),
    ];
    let quick = 0;
    let handedOn = 0;
    for (let i = 0; i < 3000; i++) {
      const base = bases[i % bases.length]!;
      let b = Buffer.from(base);
      const damage = pick(4);
      if (damage === 0) for (let k = 1 + pick(3); k > 0; k--) b[132 + pick(Math.min(200, b.length - 132))] = pick(256);
      else if (damage === 1) b = b.subarray(0, 100 + pick(b.length - 100));
      else if (damage === 2) b[132 + pick(40)] = 0x20; // a padding byte where a length or tag was
      const want = outcome(() => readPart10Header(general(b)));
      for (const headLength of [b.length, 4096, 300]) {
        const head = b.subarray(0, Math.min(headLength, b.length));
        const fast = part10HeaderFromHead(head, b.length);
        if (fast) {
          quick++;
          expect(fast, `case ${i}, head ${headLength}`).toEqual(want);
        } else handedOn++;
        expect(outcome(() => readPart10Header(headFirstSource(head, general(b)))), `case ${i}, head ${headLength}`).toEqual(want);
      }
    }
    // Both paths were taken often.
    expect(quick).toBeGreaterThan(1000);
    expect(handedOn).toBeGreaterThan(1000);
  });
});

describe.skipIf(!requireDcmtk('part10 file meta vs dcmdump'))('DCMTK reads our files', () => {
  const dir = workdir();
  afterAll(() => dir.remove());

  it('dcmdump reads encodeFileMeta + an explicit VR data set, meta and data set alike', () => {
    const body = Buffer.concat([
      el('explicit', 0x00080016, 'UI', uid(full.mediaStorageSopClassUid)),
      el('explicit', 0x00080018, 'UI', uid(full.mediaStorageSopInstanceUid)),
      el('explicit', 0x00100010, 'PN', text('DOE^JANE')),
      el('explicit', 0x00100020, 'LO', text('ID42')),
    ]);
    const file = dir.file('ours.dcm');
    writeFileSync(file, Buffer.concat([encodeFileMeta(full), body]));
    const out = dcmtk('dcmdump', ['-q', '-ml', file]);
    expect(out).toContain('# Dicom-File-Format');
    expect(out).toMatch(/\(0002,0000\) UL 142 /);
    expect(out).toMatch(/\(0002,0001\) OB 00\\01 /);
    expect(out).toMatch(/\(0002,0002\) UI =SecondaryCaptureImageStorage /);
    expect(out).toMatch(/\(0002,0003\) UI \[1\.2\.3\.4\.5\.6\] /);
    expect(out).toMatch(/\(0002,0010\) UI =LittleEndianExplicit /);
    expect(out).toMatch(/\(0002,0012\) UI \[1\.2\.3\] /);
    expect(out).toMatch(/\(0002,0013\) SH \[DICOMNET_010\] /);
    expect(out).toMatch(/\(0002,0016\) AE \[WS1\] /);
    expect(out).toMatch(/\(0010,0010\) PN \[DOE\^JANE\] /);
    expect(out).toMatch(/\(0010,0020\) LO \[ID42\] /);
  });

  it('dcmdump reads an implicit VR data set behind a meta group naming implicit VR', () => {
    const meta = { ...full, transferSyntaxUid: TransferSyntax.ImplicitVRLittleEndian };
    const file = dir.file('implicit.dcm');
    writeFileSync(file, Buffer.concat([encodeFileMeta(meta), el('implicit', 0x00100020, 'LO', text('ID42'))]));
    const out = dcmtk('dcmdump', ['-q', file]);
    expect(out).toMatch(/\(0002,0010\) UI =LittleEndianImplicit /);
    expect(out).toContain('# Used TransferSyntax: Little Endian Implicit');
    expect(out).toMatch(/\(0010,0020\) LO \[ID42\] /);
  });

  it('reads the header of a DCMTK-written file', () => {
    const file = dir.file('dcmtk.dcm');
    const dump = dir.file('d.dump');
    writeFileSync(dump, '(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]\n(0008,0018) UI [1.2.3.99]\n(0010,0020) LO [X]\n');
    dcmtk('dump2dcm', ['+ti', dump, file]);
    const bytes = dcmtk('dcmdump', ['-q', '+P', '0002,0012', file]);
    const h = readPart10Header(bufferSource(readFileSync(file)));
    expect(h.transferSyntaxUid).toBe(TransferSyntax.ImplicitVRLittleEndian);
    expect(h.mediaStorageSopClassUid).toBe('1.2.840.10008.5.1.4.1.1.7');
    expect(h.mediaStorageSopInstanceUid).toBe('1.2.3.99');
    expect(bytes).toContain(h.implementationClassUid);
    expect(h.implementationVersionName).toMatch(/^OFFIS_DCMTK/);
  });
});
