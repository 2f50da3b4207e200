// The SCU's file reader (fileDataSet): a data set larger than one read piece is read inline while
// reads are quick, and on the thread pool once a read was slow. Either way the pieces must be the
// file's data set byte for byte, and the descriptor closed after.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileDataSet, scanFile, type DicomFile } from '../../src-main/dicomnet/services/storage/store-scu';
import { makeInstance } from '../helpers/dicom-files';

const dir = mkdtempSync(join(tmpdir(), 'dicomnet-file-data-set-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openFds = () => readdirSync('/proc/self/fd').length;

function file(name: string, pixelBytes: number): DicomFile {
  const path = join(dir, name);
  makeInstance(path, { pixelBytes, seed: pixelBytes % 89 });
  const r = scanFile(path);
  if (!r.ok) throw new Error(r.reason);
  return r.file;
}

/** The pieces, and how many event-loop turns passed while they were read (a thread-pool read takes one). */
async function readAll(f: DicomFile, slowReadMs?: number): Promise<{ bytes: Buffer; pieces: number; turns: number }> {
  let turns = 0;
  let counting = true;
  const tick = () => {
    if (!counting) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const parts: Buffer[] = [];
  for await (const piece of fileDataSet(f, { slowReadMs }).chunks()) parts.push(Buffer.from(piece));
  counting = false;
  return { bytes: Buffer.concat(parts), pieces: parts.length, turns };
}

describe('fileDataSet', () => {
  const large = file('large.dcm', 3 * 1024 * 1024 + 301); // three full pieces and a short tail

  it('reads quick pieces inline: the whole data set, in order, without giving up the event loop', async () => {
    const before = openFds();
    const r = await readAll(large);
    expect(r.bytes.equals(readFileSync(large.path).subarray(large.header.dataSetOffset))).toBe(true);
    expect(r.pieces).toBe(4);
    expect(r.turns).toBe(0);
    expect(openFds()).toBe(before);
  });

  it('after a slow read, reads the rest on the thread pool: the same bytes, the event loop free meanwhile', async () => {
    const before = openFds();
    // Every read counts as slow: the first piece is read inline, the other three on the thread pool.
    const r = await readAll(large, -1);
    expect(r.bytes.equals(readFileSync(large.path).subarray(large.header.dataSetOffset))).toBe(true);
    expect(r.pieces).toBe(4);
    expect(r.turns).toBeGreaterThanOrEqual(3);
    expect(openFds()).toBe(before);
  });

  it('a consumer that stops early leaves no descriptor open, inline or not', async () => {
    const before = openFds();
    for (const slowReadMs of [undefined, -1]) {
      for await (const piece of fileDataSet(large, { slowReadMs }).chunks()) {
        expect(piece.length).toBeGreaterThan(0);
        break;
      }
    }
    // A thread-pool read in flight is closed once it ends: give it a few turns, bounded.
    for (let i = 0; i < 100 && openFds() !== before; i++) await new Promise((r) => setTimeout(r, 5));
    expect(openFds()).toBe(before);
  });
});
