// The start of a deflated data set (PS3.5 A.5: the data set after the meta group is one raw
// deflate stream, RFC 1951, without zlib header) as a ByteSource, for reading header attributes
// without inflating a whole file. Node's synchronous inflate has no incremental form, so the
// compressed prefix that yields enough output is found by doubling, then bisecting: output grows
// with input, and `maxOutputLength` bounds memory even for data that compresses 1000:1.

import { constants, inflateRawSync } from 'node:zlib';
import type { ByteSource } from './byte-source';
import { DicomParseError, bufferSource } from './byte-source';

/** One compressed byte inflates to at most ~2 KB (8 one-bit codes of 258-byte matches); this is ample. */
const SLACK = 64 * 1024;
const FIRST_TRY = 16 * 1024;

/** Inflated bytes of `compressed` (a prefix of the stream), or undefined when they exceed `cap`. */
function inflate(compressed: Buffer, cap: number): Buffer | undefined {
  try {
    // Z_SYNC_FLUSH as the final flush: a stream cut short yields what it has instead of failing.
    return inflateRawSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: cap });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw new DicomParseError(`deflated data set is corrupt: ${(err as Error).message}`);
  }
}

/** A ByteSource over the first up to `maxBytes` inflated bytes of the deflate stream at `start`. */
export function inflatedPrefix(src: ByteSource, start: number, maxBytes: number): ByteSource {
  const available = Math.max(0, src.size - start);
  const cap = maxBytes + SLACK;
  let enough = Infinity; // a compressed length known to give more than `cap`
  let tooLittle = 0; // a compressed length known to give less than `maxBytes`
  let take = Math.min(available, FIRST_TRY);
  for (;;) {
    const out = inflate(src.read(start, take), cap);
    if (out && (out.length >= maxBytes || take >= available)) return bufferSource(out.subarray(0, maxBytes));
    if (out) tooLittle = take;
    else enough = take;
    const next = enough === Infinity ? Math.min(available, take * 2) : Math.floor((tooLittle + enough) / 2);
    if (next <= tooLittle || next >= enough) throw new DicomParseError('deflated data set: cannot find a prefix of the requested size');
    take = next;
  }
}
