// The small parts of the storage service: UID checks before a UID becomes a path, temporary names,
// folder creation, and how files are grouped into associations of at most 128 contexts.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirsSync } from '../../src-main/dicomnet/services/storage/make-dirs';
import { alternativePath, instancePath, isTemporaryName, isValidUid, temporaryPath } from '../../src-main/dicomnet/services/storage/paths';
import { planAssociations, type DicomFile } from '../../src-main/dicomnet/services/storage/store-scu';
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
