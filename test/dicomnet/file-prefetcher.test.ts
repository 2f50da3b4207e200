// How the SCU reads the files it sends. The read-ahead (FilePrefetcher): the next file's first piece
// is read while the peer works on the previous one; what it read must be exactly the data set's
// start, and whatever is not sent must be closed again (a long send must not leak file
// descriptors). The reader (fileDataSet): a data set larger than one read piece is read inline
// while reads are quick, and on the thread pool once a read was slow; either way byte for byte.
// Asked for pieces framed for an association's PDUs, it reads them into room left for the P-DATA
// headers: sealed, they are byte for byte the PDUs the fragmenter makes of the whole data set.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InlineIo } from '../../src-main/dicomnet/inline-io';
import type { DataSetPiece } from '../../src-main/dicomnet/connection';
import { FramedPiece } from '../../src-main/dicomnet/dimse/framed-piece';
import { fragmentDataPiece, fragmentPiece, maxFragmentSize } from '../../src-main/dicomnet/dimse/fragmenter';
import { FilePrefetcher, PIECE_BUFFER_SIZE, fileDataSet, scanFile, type DicomFile } from '../../src-main/dicomnet/services/storage/store-scu';
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

/** A piece's data-set bytes (a copy). */
function bytesOf(piece: DataSetPiece): Buffer {
  return Buffer.concat(piece instanceof FramedPiece ? piece.payload() : [piece]);
}

async function dataSetBytes(f: DicomFile, prefetcher?: FilePrefetcher): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of fileDataSet(f, { prefetcher }).chunks()) parts.push(bytesOf(piece));
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
  for await (const piece of fileDataSet(f, { inlineReads }).chunks()) parts.push(bytesOf(piece));
  counting = false;
  return { bytes: Buffer.concat(parts), pieces: parts.length, turns };
}

describe('fileDataSet', () => {
  const large = file('pieces.dcm', 3 * PIECE_BUFFER_SIZE + 301); // three full pieces and a short tail

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
    // Every read counts as slow and the budget is nil: the first piece is read inline, the other three on the thread pool.
    const r = await readAll(large, new InlineIo(-1, 0, 0));
    expect(r.bytes.equals(readFileSync(large.path).subarray(large.header.dataSetOffset))).toBe(true);
    expect(r.pieces).toBe(4);
    // The event loop ran while the thread pool read (inline reads give 0 turns, the test above).
    // Not one turn per read: a read that completes at once is taken in the same poll phase as the
    // one before (2 turns for 3 reads in a CI run under load).
    expect(r.turns).toBeGreaterThanOrEqual(1);
    // The descriptor is closed once the last thread-pool read has ended: a few turns, bounded (it
    // failed once in a full run under load without this wait).
    for (let i = 0; i < 100 && openFds() !== before; i++) await new Promise((res) => setTimeout(res, 5));
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
    expect(r.turns).toBeGreaterThanOrEqual(1);
  });

  it('a consumer that stops early leaves no descriptor open, inline or not', async () => {
    const before = openFds();
    for (const inlineReads of [undefined, new InlineIo(-1, 0, 0)]) {
      for await (const piece of fileDataSet(large, { inlineReads }).chunks()) {
        expect(bytesOf(piece).length).toBeGreaterThan(0);
        break;
      }
    }
    // A thread-pool read in flight is closed once it ends: give it a few turns, bounded.
    for (let i = 0; i < 100 && openFds() !== before; i++) await new Promise((r) => setTimeout(r, 5));
    expect(openFds()).toBe(before);
  });
});

describe('fileDataSet framed for the PDUs', () => {
  const large = file('framed.dcm', 3 * 1024 * 1024 + 301);
  const small = file('framed-small.dcm', 60_000);
  const dataSet = (f: DicomFile) => readFileSync(f.path).subarray(f.header.dataSetOffset);
  /** Every piece sealed as the connection does (the last one flagged): the bytes on the wire. */
  async function wire(f: DicomFile, max: number, hooks: Parameters<typeof fileDataSet>[1] = {}): Promise<{ bytes: Buffer; buffers: number[] }> {
    const pieces: DataSetPiece[] = [];
    for await (const piece of fileDataSet(f, hooks).chunks(maxFragmentSize(max))) pieces.push(piece);
    const written = pieces.map((p, i) => fragmentPiece(7, p, i === pieces.length - 1, max));
    return { bytes: Buffer.concat(written.flat()), buffers: written.map((w) => w.length) };
  }

  it.each([[131_072], [16_384], [4_096], [0]])('peer Maximum Length %i: one buffer per piece, the same PDUs as cutting the whole data set', async (max) => {
    for (const f of [large, small]) {
      const r = await wire(f, max);
      expect(r.bytes.equals(Buffer.concat(fragmentDataPiece(7, dataSet(f), true, max)))).toBe(true);
      expect(r.buffers.every((n) => n === 1)).toBe(true);
    }
  });

  it.each([['large', large], ['one piece at 4 KiB PDUs, more than one read at 128 KiB', file('framed-mid.dcm', 1_240_000)]])('read ahead for another PDU size (%s), a piece is cut anew: the same data set, in PDUs within the limit', async (_name, f) => {
    const p = new FilePrefetcher(2, maxFragmentSize(131_072));
    p.load(f);
    const r = await wire(f, 4_096, { prefetcher: p });
    expect(r.buffers[0]).toBeGreaterThan(1); // the read-ahead piece, recut
    // Walk the P-DATA-TF PDUs (one PDV each): within 4 096 bytes, only the final one flagged last.
    const data: Buffer[] = [];
    const lastFlags: boolean[] = [];
    for (let at = 0; at < r.bytes.length;) {
      expect(r.bytes[at]).toBe(0x04);
      const pduLength = r.bytes.readUInt32BE(at + 2);
      expect(pduLength).toBeLessThanOrEqual(4_096);
      const pdvLength = r.bytes.readUInt32BE(at + 6);
      expect(pdvLength).toBe(pduLength - 4);
      expect(r.bytes[at + 10]).toBe(7);
      lastFlags.push((r.bytes[at + 11]! & 0x02) !== 0);
      data.push(r.bytes.subarray(at + 12, at + 6 + pduLength));
      at += 6 + pduLength;
    }
    expect(Buffer.concat(data).equals(dataSet(f))).toBe(true);
    expect(lastFlags.lastIndexOf(true)).toBe(lastFlags.length - 1);
    expect(lastFlags.indexOf(true)).toBe(lastFlags.length - 1);
    p.dispose();
  });

  it('a "1 MB" image (its data set a little over 1 MiB) is one read and one write with 128 KiB PDUs', async () => {
    const mb = file('framed-1mb.dcm', 1024 * 1024);
    expect(dataSet(mb).length).toBeGreaterThan(1024 * 1024);
    const r = await wire(mb, 131_072);
    expect(r.buffers).toEqual([1]);
    expect(r.bytes.equals(Buffer.concat(fragmentDataPiece(7, dataSet(mb), true, 131_072)))).toBe(true);
  });
});
