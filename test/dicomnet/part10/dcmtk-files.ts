// DICOM files for the part10 tests, made by DCMTK's dump2dcm from a dump (so they are independent
// of our code), and DCMTK's file tools run synchronously with a deadline.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a DCMTK file tool; throws with its output when it fails. */
export function dcmtk(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 15_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}${r.error ?? ''}`);
  return r.stdout;
}

export interface Workdir {
  readonly path: string;
  file(name: string): string;
  remove(): void;
}

export function workdir(): Workdir {
  const path = mkdtempSync(join(tmpdir(), 'part10-'));
  return { path, file: (name) => join(path, name), remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Deterministic 16-bit pixel data, `bytes` long. */
export function pixelBytes(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i + 1 < bytes; i += 2) b.writeUInt16LE((i * 37 + (i >> 11)) & 0xffff, i);
  return b;
}

export const STUDY_UID = '1.2.3.4.100';

/**
 * A dump of a secondary capture image with everything a transcoder can trip over: nested sequences
 * three deep, a private creator, private elements and a private sequence, ambiguous VRs ('US or SS'
 * descriptors, 'US or OW' LUT data), overlay data in a repeating group and OW pixel data of `pixel`
 * bytes (rows 1024, as many columns as it takes).
 */
export function writeDump(dir: Workdir, pixel: number): string {
  writeFileSync(dir.file('pixel.raw'), pixelBytes(pixel));
  writeFileSync(dir.file('overlay.raw'), Buffer.from(Array.from({ length: 32 }, (_, i) => (i % 2 ? 0xaa : 0x55))));
  const lut = Array.from({ length: 256 }, (_, i) => i * 16).join('\\');
  const dump = `
(0008,0005) CS [ISO_IR 100]
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]
(0008,0018) UI [1.2.3.4.5.6]
(0008,0060) CS [OT]
(0008,1140) SQ (Sequence)
  (fffe,e000) na (Item)
    (0008,1150) UI [1.2.840.10008.5.1.4.1.1.7]
    (0008,1155) UI [1.2.3.4.5.7]
  (fffe,e00d) na (ItemDelimitationItem)
  (fffe,e000) na (Item)
    (0008,1150) UI [1.2.840.10008.5.1.4.1.1.7]
    (0008,1155) UI [1.2.3.4.5.8]
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(0009,0010) LO [ACME 1.0]
(0009,1001) LO [private text]
(0009,1002) SQ (Sequence)
  (fffe,e000) na (Item)
    (0009,0010) LO [ACME 1.0]
    (0009,1003) OB 01\\02\\03\\04
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(0010,0010) PN [DOE^JANE]
(0010,0020) LO [ID42]
(0020,000d) UI [${STUDY_UID}]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 1024
(0028,0011) US ${Math.max(1, Math.floor(pixel / 2048))}
(0028,0100) US 16
(0028,0101) US 16
(0028,0102) US 15
(0028,0103) US 0
(0028,0106) US 0
(0028,0107) US 65535
(0028,3010) SQ (Sequence)
  (fffe,e000) na (Item)
    (0028,3002) US 256\\0\\16
    (0028,3006) US ${lut}
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(0040,0275) SQ (Sequence)
  (fffe,e000) na (Item)
    (0040,0007) LO [step]
    (0040,0008) SQ (Sequence)
      (fffe,e000) na (Item)
        (0008,0100) SH [CODE1]
        (0008,0102) SH [99ACME]
        (0008,0104) LO [Meaning]
      (fffe,e00d) na (ItemDelimitationItem)
    (fffe,e0dd) na (SequenceDelimitationItem)
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(6000,0010) US 16
(6000,0011) US 16
(6000,0040) CS [G]
(6000,0050) SS 1\\1
(6000,0100) US 1
(6000,0102) US 0
(6000,3000) OW =${dir.file('overlay.raw')}
(7fe0,0010) OW =${dir.file('pixel.raw')}
`;
  const path = dir.file('image.dump');
  writeFileSync(path, dump);
  return path;
}

/** dump2dcm with extra options (transfer syntax, length encoding...), returning the file's bytes. */
export function makeFile(dir: Workdir, dump: string, name: string, options: string[]): Buffer {
  const out = dir.file(name);
  dcmtk('dump2dcm', [...options, dump, out]);
  return readFileSync(out);
}

/**
 * The data set part of a dcmdump listing, comparable across encodings: meta group and comments
 * dropped, delimitation items dropped (dcmdump shows them for every item and sequence anyway), and
 * lengths of sequences and items taken out, since those legitimately change between encodings.
 */
export function dumpDataSet(file: string): string[] {
  const out = dcmtk('dcmdump', ['-q', file]);
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith('# Dicom-Data-Set'));
  return lines
    .slice(start + 1)
    .filter((l) => l.trim() !== '' && !l.startsWith('#') && !/\(fffe,e0[0d]d\)/.test(l))
    .map((l) =>
      l
        .replace(/(Sequence|Item) with (explicit|undefined) length/, '$1')
        .replace(/^(\s*\(\S+\) (SQ|na) .*?)#\s*(u\/l|\d+),/, '$1#')
        .replace(/\s+/g, ' ')
        .trim(),
    );
}
