// Whether file reads and writes are made inline (synchronous calls on the event loop) or through
// Node's thread pool. On a small machine a thread-pool round trip costs more than reading or writing
// a MiB of the page cache, but a slow disk or a network share must not hold the event loop, which
// serves every association and timer, at each call.
//
// So calls slower than `slowMs` are counted: once they have held the loop for `budgetMs` within one
// `windowMs` (or one call alone did), the rest of the file, and every file begun in the next
// `holdMs`, go through the thread pool. Not at the first slow call: on this VM a read or write of a
// MiB of the page cache sometimes takes 4-9 ms (the vCPU preempted, a page the VM dropped), a few
// times a minute, and each such call used to send both sides of `dicomnet store` -> `dicomnet scp`
// onto the thread pool for 10 s: four busy threads on two cores, 10 x 50 MB to disk in 0.6-0.9 s
// instead of 0.3. A slow medium (1 MiB at 50 MB/s is 20 ms a call) reaches the budget within a few
// calls; one call stalled for longer than the budget at once.

import { nowMs } from './clock';

export class InlineIo {
  private heldUntil = 0;
  private windowStart = Number.NEGATIVE_INFINITY;
  private spentMs = 0;

  constructor(
    readonly slowMs = 4,
    readonly holdMs = 10_000,
    readonly budgetMs = 50,
    readonly windowMs = 1000,
  ) {}

  /** Whether a file begun now is read or written inline. */
  get allowed(): boolean {
    return this.heldUntil === 0 || nowMs() >= this.heldUntil;
  }

  /** A call took `ms`: true (and inline calls held off) when slow calls have used up the budget. */
  slow(ms: number): boolean {
    if (ms <= this.slowMs) return false;
    const now = nowMs();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.spentMs = 0;
    }
    this.spentMs += ms;
    if (this.spentMs < this.budgetMs) return false;
    this.heldUntil = now + this.holdMs;
    this.spentMs = 0;
    return true;
  }
}
