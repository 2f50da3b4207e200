// The small parts of the storage service: UID checks before a UID becomes a path, temporary names,
// folder creation, and how files are grouped into associations of at most 128 contexts.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirsSync } from '../../src-main/dicomnet/services/storage/make-dirs';
import { alternativePath, instancePath, isTemporaryName, isValidUid, temporaryPath } from '../../src-main/dicomnet/services/storage/paths';
import { planAssociations, scanFile, type DicomFile } from '../../src-main/dicomnet/services/storage/store-scu';
import { walk } from '../../src-main/app/send';
import { el } from './part10/build';
import { StorageService } from '../../src-main/dicomnet/services/storage/store-scp';
import { TransferSyntax } from '../../src-main/dicomnet/part10/transfer-syntax';

const work = mkdtempSync(join(tmpdir(), 'dicomnet-units-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('UIDs as path parts (PS3.5 §9.1)', () => {
  it.each(['1.2.840.10008.1.2', '0', '2.25.123456789012345678901234567890', '1.0.2'])('valid: %s', (uid) => {
    expect(isValidUid(uid)).toBe(true);
  });

  it.each(['', '..', '../x', '1..2', '1.2.', '.1', '01.2', '1.02', '1/2', '1\\2', 'a.b', '1.2 ', '1'.repeat(65), undefined])('invalid: %j', (uid) => {
    expect(isValidUid(uid as string | undefined)).toBe(false);
  });

  it('instancePath builds study/series/instance.dcm under the folder and refuses anything else', () => {
    expect(instancePath('/data', '1.2', '1.3', '1.4')).toBe(resolve('/data/1.2/1.3/1.4.dcm'));
    expect(() => instancePath('/data', '..', '1.3', '1.4')).toThrow(/not a valid UID/);
    expect(() => instancePath('/data', '1.2', '1.3', '../../etc/passwd')).toThrow(/not a valid UID/);
  });

  it('duplicates kept beside the first get _2, _3...; temporary names never end in .dcm', () => {
    expect(alternativePath('/d/1.2.dcm', 2)).toBe('/d/1.2_2.dcm');
    const t = temporaryPath('/d');
    expect(t.startsWith('/d/.incoming-')).toBe(true);
    expect(t.endsWith('.part')).toBe(true);
    expect(isTemporaryName(t.slice(3))).toBe(true);
    expect(temporaryPath('/d')).not.toBe(t);
  });
});

describe('makeDirs (mkdir -p that also returns under /proc)', () => {
  it('creates missing ancestors, and is a no-op when the folder exists', () => {
    const deep = join(work, 'a', 'b', 'c');
    makeDirsSync(deep);
    expect(existsSync(deep)).toBe(true);
    makeDirsSync(deep);
    expect(existsSync(deep)).toBe(true);
  });

  it('fails (does not spin) where a folder cannot be made', () => {
    expect(() => makeDirsSync('/proc/no-such-dir/x')).toThrow();
  });

  it('fails when the name is taken by a file (EEXIST is not a folder), and under a file', () => {
    const file = join(work, 'taken');
    writeFileSync(file, 'x');
    expect(() => makeDirsSync(file)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => makeDirsSync(join(file, 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });
});

describe('scanFile and walk (what the SCU reads before it associates)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dicomnet-scan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ui = (tag: number, v: string) => el('explicit', tag, 'UI', v.length % 2 ? `${v}\0` : v);
  function part10(instance: string, privateBytes: number): Buffer {
    const rest = Buffer.concat([
      el('explicit', 0x00020001, 'OB', Buffer.from([0, 1])),
      ui(0x00020002, '1.2.840.10008.5.1.4.1.1.7'),
      ui(0x00020003, instance),
      ui(0x00020010, TransferSyntax.ExplicitVRLittleEndian),
      ui(0x00020012, '1.2.3'),
      ...(privateBytes > 0 ? [ui(0x00020100, '1.2.3.4'), el('explicit', 0x00020102, 'OB', Buffer.alloc(privateBytes, 0x5a))] : []),
    ]);
    const groupLength = Buffer.alloc(4);
    groupLength.writeUInt32LE(rest.length);
    return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), el('explicit', 0x00020000, 'UL', groupLength), rest, ui(0x00080018, instance)]);
  }

  it('a meta group longer than the first 4 KiB read is read on from the file', () => {
    const bytes = part10('1.2.3.4.5', 6000);
    const path = join(dir, 'long-meta.dcm');
    writeFileSync(path, bytes);
    const r = scanFile(path);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.file.header.mediaStorageSopInstanceUid).toBe('1.2.3.4.5');
    expect(r.file.header.transferSyntaxUid).toBe(TransferSyntax.ExplicitVRLittleEndian);
    expect(r.file.header.dataSetOffset).toBe(bytes.length - ui(0x00080018, '1.2.3.4.5').length);
    expect(r.file.header.dataSetOffset).toBeGreaterThan(4096);
    expect(r.file.size).toBe(bytes.length);
  });

  it('files scanned one after the other keep their own values (the head buffer is shared)', () => {
    const a = join(dir, 'a.dcm');
    const b = join(dir, 'b.dcm');
    writeFileSync(a, part10('1.2.3.4.5.6.7.8.9.10.11', 0));
    writeFileSync(b, part10('9.8', 0));
    const ra = scanFile(a);
    const rb = scanFile(b);
    expect(ra.ok && ra.file.header.mediaStorageSopInstanceUid).toBe('1.2.3.4.5.6.7.8.9.10.11');
    expect(rb.ok && rb.file.header.mediaStorageSopInstanceUid).toBe('9.8');
    expect(ra.ok && ra.file.header.dataSetOffset).toBeGreaterThan(rb.ok ? rb.file.header.dataSetOffset : 0);
    const notDicom = join(dir, 'notes.txt');
    writeFileSync(notDicom, 'x'.repeat(200));
    const rn = scanFile(notDicom);
    expect(rn.ok).toBe(false);
  });

  it('walk lists files as join() names them, whatever the folder was given as', () => {
    const tree = join(dir, 'tree');
    makeDirsSync(join(tree, 'sub'));
    writeFileSync(join(tree, 'b.dcm'), '');
    writeFileSync(join(tree, 'a.dcm'), '');
    writeFileSync(join(tree, 'sub', 'c.dcm'), '');
    const expected = [join(tree, 'a.dcm'), join(tree, 'b.dcm'), join(tree, 'sub', 'c.dcm')];
    for (const given of [tree, `${tree}/`, `${tree}/./`, `${tree}/sub/..`]) {
      expect([...walk([given], () => undefined)]).toEqual(expected);
    }
  });
});

describe('planAssociations', () => {
  const file = (i: number, sopClass: string, ts: string): DicomFile => ({
    path: `/f${i}`, size: 1000,
    header: { transferSyntaxUid: ts, mediaStorageSopClassUid: sopClass, mediaStorageSopInstanceUid: `1.2.${i}`, dataSetOffset: 200 },
  });

  it('one context per SOP class and syntax, plus explicit/implicit LE for classes with native LE files', () => {
    const groups = planAssociations([
      file(1, '1.2.3', TransferSyntax.ExplicitVRLittleEndian),
      file(2, '1.2.3', TransferSyntax.JPEGBaseline8Bit),
      file(3, '1.2.3', TransferSyntax.ExplicitVRLittleEndian),
      file(4, '1.2.4', TransferSyntax.JPEG2000),
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.contexts).toEqual([
      { abstractSyntax: '1.2.3', transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian] },
      { abstractSyntax: '1.2.3', transferSyntaxes: [TransferSyntax.JPEGBaseline8Bit] },
      { abstractSyntax: '1.2.3', transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian] },
      { abstractSyntax: '1.2.4', transferSyntaxes: [TransferSyntax.JPEG2000] },
    ]);
    expect(groups[0]!.files.map((f) => f.path)).toEqual(['/f1', '/f2', '/f3', '/f4']);
  });

  it('more than 128 contexts: a second association, each SOP class whole in one of them', () => {
    const files = Array.from({ length: 100 }, (_, i) => file(i, `1.2.${i}`, TransferSyntax.ImplicitVRLittleEndian));
    const groups = planAssociations(files);
    expect(groups.length).toBe(2);
    for (const g of groups) {
      expect(g.contexts.length).toBeLessThanOrEqual(128);
      for (const f of g.files) expect(g.contexts.filter((c) => c.abstractSyntax === f.header.mediaStorageSopClassUid)).toHaveLength(2);
    }
    expect(groups.flatMap((g) => g.files)).toHaveLength(100);
  });
});

describe('temporary files of gone processes', () => {
  it('are removed when a storage service starts on the folder; those of running processes and stored files stay', () => {
    const dir = join(work, 'stale');
    makeDirsSync(dir);
    const gone = spawnSync('true').pid; // a process that has exited
    const names = [`.incoming-${gone}-abcd-1.part`, `.incoming-${process.pid}-abcd-2.part`, '1.2.3.dcm', '.incoming-notapid.part'];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    const service = new StorageService({ folder: dir });
    expect(service.staleRemoved).toEqual([`.incoming-${gone}-abcd-1.part`]);
    expect(readdirSync(dir).sort()).toEqual(names.slice(1).sort());
  });
});
