// Connections waiting for something from their caller (an A-ASSOCIATE-RQ, a TLS handshake), the
// oldest first, at most `limit` of them: to admit one more, the one that has waited longest goes,
// if it has waited `graceMs` or more. A caller that connects and says nothing held a socket and a
// file descriptor until its timer ran out, without a limit; a burst of real callers is accepted
// in one event-loop turn, before any of them can have sent anything, and is left alone.

import { nowMs } from './clock';

export class WaitingRoom<T> {
  private readonly since = new Map<T, number>();

  constructor(readonly limit: number, private readonly graceMs = 1000) {}

  /** When full: removes and returns the oldest, if it has waited long enough to be closed for a newer one. */
  makeRoom(): { readonly oldest: T; readonly waitedMs: number } | undefined {
    if (this.since.size < this.limit) return undefined;
    const [oldest, since] = this.since.entries().next().value!;
    const waitedMs = nowMs() - since;
    if (waitedMs < this.graceMs) return undefined;
    this.since.delete(oldest);
    return { oldest, waitedMs };
  }

  add(item: T): void {
    this.since.set(item, nowMs());
  }

  /** It stopped waiting (it sent what was awaited, or went away). */
  delete(item: T): void {
    this.since.delete(item);
  }
}
