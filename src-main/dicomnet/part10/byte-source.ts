// Random access to the bytes of a DICOM file or data set, so a parser can look at a header and skip
// a value (a gigabyte of pixel data) without loading it. Files are read with positioned reads.

import { readSync } from 'node:fs';

export interface ByteSource {
  readonly size: number;
  /**
   * The source's first bytes when they are in memory (the same bytes `read` would give): a parser
   * may read small fields straight from here instead of asking `read` for a view of each.
   */
  readonly bytes?: Buffer;
  /** Up to `length` bytes from `position`; fewer only when the source ends first. */
  read(position: number, length: number): Buffer;
}

/** Truncated or malformed DICOM data (a length past the end, an unknown VR, a missing delimiter...). */
export class DicomParseError extends Error {
  override name = 'DicomParseError';
}

function clamp(size: number, position: number, length: number): number {
  if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0) {
    throw new DicomParseError(`bad read of ${length} bytes at ${position}`);
  }
  return Math.max(0, Math.min(length, size - position));
}

/** A source over memory. `read` returns views of `b`, not copies. */
export function bufferSource(b: Buffer): ByteSource {
  return {
    size: b.length,
    bytes: b,
    read: (position, length) => b.subarray(position, position + clamp(b.length, position, length)),
  };
}

/**
 * A source whose first bytes are in memory already (`head`, from the start of the same bytes as
 * `rest`); reads that end within the head are views of it, the others go to `rest`. For a parser that
 * keeps only what it decodes from them (strings, numbers), not the buffers.
 */
export function headFirstSource(head: Buffer, rest: ByteSource): ByteSource {
  return {
    size: rest.size,
    bytes: head,
    read(position, length) {
      const n = clamp(rest.size, position, length);
      return position + n <= head.length ? head.subarray(position, position + n) : rest.read(position, length);
    },
  };
}

/** Bytes read from a file at once: parsing a header asks for a few bytes at a time. */
const FILE_BLOCK = 8 * 1024;

/**
 * A source over an open file descriptor of `size` bytes. The caller owns (and closes) `fd`. Small
 * reads are served from one cached block (a meta group is a dozen reads of a few bytes each: one
 * system call instead of a dozen); large ones go to the file directly.
 */
export function fileSource(fd: number, size: number): ByteSource {
  let block: Buffer | undefined;
  let blockStart = 0;
  const readAt = (position: number, n: number): Buffer => {
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, out, got, n - got, position + got);
      if (r === 0) break; // the file got shorter than `size`: return what there is
      got += r;
    }
    return got === n ? out : out.subarray(0, got);
  };
  return {
    size,
    read(position, length) {
      const n = clamp(size, position, length);
      if (n === 0) return Buffer.alloc(0);
      if (n > FILE_BLOCK / 2) return readAt(position, n);
      if (!block || position < blockStart || position + n > blockStart + block.length) {
        block = readAt(position, Math.min(FILE_BLOCK, size - position));
        blockStart = position;
      }
      // A copy: callers may keep what they read, and the block is replaced later.
      return Buffer.from(block.subarray(position - blockStart, position - blockStart + n));
    },
  };
}
