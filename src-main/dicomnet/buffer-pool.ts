// Buffers of one size, used again once their bytes are written. Fresh memory costs a page fault per
// 4 KiB on first touch, and V8 bookkeeping per ArrayBuffer: on a small VM a 1 MiB read into fresh
// memory took ~8x longer than into a buffer already used, and copying into reused blocks costs less
// than allocating new ones.

export class BufferPool {
  private readonly free: Buffer[] = [];

  /** `keep`: how many free buffers are held at most; the rest are left to the GC. */
  constructor(readonly size: number, private readonly keep: number) {}

  /** A buffer of `size` bytes with its own memory (contents undefined). */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /**
   * Gives back a buffer from take(), or a view of one: its memory is used again by a later take(),
   * so the caller must hold no view of it any more. Buffers of other origins are ignored.
   */
  give(piece: Uint8Array): void {
    if (piece.buffer.byteLength !== this.size || this.free.length >= this.keep) return;
    if (this.free.some((b) => b.buffer === piece.buffer)) return;
    this.free.push(Buffer.from(piece.buffer, 0, this.size));
  }
}
