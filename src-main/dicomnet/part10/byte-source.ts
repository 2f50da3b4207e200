// Random access to the bytes of a DICOM file or data set, so a parser can look at a header and skip
// a value (a gigabyte of pixel data) without loading it. Files are read with positioned reads.

import { readSync } from 'node:fs';

export interface ByteSource {
  readonly size: number;
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
    read: (position, length) => b.subarray(position, position + clamp(b.length, position, length)),
  };
}

/** A source over an open file descriptor of `size` bytes. The caller owns (and closes) `fd`. */
export function fileSource(fd: number, size: number): ByteSource {
  return {
    size,
    read(position, length) {
      const n = clamp(size, position, length);
      const out = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, out, got, n - got, position + got);
        if (r === 0) break; // the file got shorter than `size`: return what there is
        got += r;
      }
      return got === n ? out : out.subarray(0, got);
    },
  };
}
