// How the SCU reads the files it sends. The read-ahead (FilePrefetcher): the next file's first piece
// is read while the peer works on the previous one; what it read must be exactly the data set's
// start, and whatever is not sent must be closed again (a long send must not leak file
// descriptors). The reader (fileDataSet): a data set larger than one read piece is read inline
// while reads are quick, and on the thread pool once a read was slow; either way byte for byte.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InlineIo } from '../../src-main/dicomnet/inline-io';
import { FilePrefetcher, fileDataSet, scanFile, type DicomFile } from '../../src-main/dicomnet/services/storage/store-scu';
import { makeInstance } from '../helpers/dicom-files';

const dir = mkdtempSync(join(tmpdir(), 'dicomnet-prefetch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openFds = () => readdirSync('/proc/self/fd').length;

function file(name: string, pixelBytes: number): DicomFile {
  const path = join(dir, name);
  makeInstance(path, { pixelBytes, seed: pixelBytes % 97 });
  const r = scanFile(path);
  if (!r.ok) throw new Error(r.reason);
  return r.file;
}

async function dataSetBytes(f: DicomFile, prefetcher?: FilePrefetcher): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of fileDataSet(f, { prefetcher }).chunks()) parts.push(Buffer.from(piece));
  return Buffer.concat(parts);
}

describe('FilePrefetcher', () => {
  it('a file read ahead is sent exactly as one read at its turn, and its descriptor is closed after', async () => {
    const small = file('small.dcm', 60_000);
    const large = file('large.dcm', 3 * 1024 * 1024); // more than one read piece
    const before = openFds();
    const p = new FilePrefetcher();
    p.load(small);
    p.load(large);
    expect(openFds()).toBe(before + 2);
    for (const f of [small, large]) {
      const sent = await dataSetBytes(f, p);
      expect(sent.equals(readFileSync(f.path).subarray(f.header.dataSetOffset))).toBe(true);
    }
    expect(openFds()).toBe(before);
    p.dispose();
    expect(openFds()).toBe(before);
  });

  it('holds at most its limit of files open, and dispose closes what was never sent', () => {
    const files = [1, 2, 3, 4].map((i) => file(`f${i}.dcm`, 10_000 + i));
    const before = openFds();
    const p = new FilePrefetcher(2);
    for (const f of files) p.load(f);
    expect(openFds()).toBe(before + 2);
    // The oldest were dropped: only the last two are still held.
    expect(p.take(files[0]!)).toBeUndefined();
    p.dispose();
    expect(openFds()).toBe(before);
  });

  it('a file that cannot be read ahead is left for the real read to report', async () => {
    const f = file('gone.dcm', 5000);
    rmSync(f.path);
    const before = openFds();
    const p = new FilePrefetcher();
    p.load(f);
    expect(openFds()).toBe(before);
    await expect(dataSetBytes(f, p)).rejects.toThrow(/ENOENT/);
  });
});

/** The pieces, and how many event-loop turns passed while they were read (a thread-pool read takes one). */
async function readAll(f: DicomFile, inlineReads?: InlineIo): Promise<{ bytes: Buffer; pieces: number; turns: number }> {
  let turns = 0;
  let counting = true;
  const tick = () => {
    if (!counting) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const parts: Buffer[] = [];
  for await (const piece of fileDataSet(f, { inlineReads }).chunks()) parts.push(Buffer.from(piece));
  counting = false;
  return { bytes: Buffer.concat(parts), pieces: parts.length, turns };
}

describe('fileDataSet', () => {
  const large = file('pieces.dcm', 3 * 1024 * 1024 + 301); // three full pieces and a short tail

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
    const r = await readAll(large, new InlineIo(-1, 0));
    expect(r.bytes.equals(readFileSync(large.path).subarray(large.header.dataSetOffset))).toBe(true);
    expect(r.pieces).toBe(4);
    expect(r.turns).toBeGreaterThanOrEqual(3);
    expect(openFds()).toBe(before);
  });

  it('a slow read holds inline reading off for the files begun after it', async () => {
    // Only a read of more than a minute counts as slow here; one such read was seen a moment ago.
    const policy = new InlineIo(60_000, 60_000);
    expect(policy.slow(61_000)).toBe(true);
    expect(policy.allowed).toBe(false);
    // This file's reads are all quick, yet its later pieces go to the thread pool.
    const r = await readAll(large, policy);
    expect(r.bytes.equals(readFileSync(large.path).subarray(large.header.dataSetOffset))).toBe(true);
    expect(r.turns).toBeGreaterThanOrEqual(3);
  });

  it('a consumer that stops early leaves no descriptor open, inline or not', async () => {
    const before = openFds();
    for (const inlineReads of [undefined, new InlineIo(-1, 0)]) {
      for await (const piece of fileDataSet(large, { inlineReads }).chunks()) {
        expect(piece.length).toBeGreaterThan(0);
        break;
      }
    }
    // A thread-pool read in flight is closed once it ends: give it a few turns, bounded.
    for (let i = 0; i < 100 && openFds() !== before; i++) await new Promise((r) => setTimeout(r, 5));
    expect(openFds()).toBe(before);
  });
});
