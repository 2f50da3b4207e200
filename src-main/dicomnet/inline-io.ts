// Whether file reads and writes are made inline (synchronous calls on the event loop) or through
// Node's thread pool. On a small machine a thread-pool round trip costs more than reading or writing
// a MiB of the page cache, but a slow disk or a network share must not hold the event loop, which
// serves every association and timer, at each call: one call slower than `slowMs` sends the rest of
// its file, and every file begun in the next `holdMs`, through the thread pool.

import { nowMs } from './clock';

export class InlineIo {
  private heldUntil = 0;

  constructor(readonly slowMs = 4, readonly holdMs = 10_000) {}

  /** Whether a file begun now is read or written inline. */
  get allowed(): boolean {
    return this.heldUntil === 0 || nowMs() >= this.heldUntil;
  }

  /** A call took `ms`: true (and inline calls held off) when that was slow. */
  slow(ms: number): boolean {
    if (ms <= this.slowMs) return false;
    this.heldUntil = nowMs() + this.holdMs;
    return true;
  }
}
