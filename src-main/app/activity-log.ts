// The activity log: a bounded ring of association events (incoming, from the local node, and
// outgoing, from verify and send), newest last, with the negotiated contexts and the reason of a
// rejection or abort. Bounded so that a node running for months does not grow without end.

import type { ActivityEntry, ActivityFilter } from '../../src-shared/models';
import { BoundedList } from './bounded-list';

export class ActivityLog {
  private readonly entries: BoundedList<ActivityEntry>;
  private nextId = 1;

  constructor(private readonly capacity = 5000) {
    this.entries = new BoundedList(capacity);
  }

  add(entry: Omit<ActivityEntry, 'id'>): ActivityEntry {
    const e: ActivityEntry = { ...entry, id: this.nextId++ };
    this.entries.push(e);
    return e;
  }

  /** Entries matching `filter`, oldest first, at most `filter.limit` of the newest. */
  list(filter: ActivityFilter = {}): ActivityEntry[] {
    const text = filter.text?.trim().toLowerCase();
    const out = this.entries.toArray().filter((e) =>
      (filter.direction === undefined || e.direction === filter.direction)
      && (filter.outcome === undefined || e.kind === filter.outcome)
      && (!text || [e.remoteAddress, e.callingAeTitle, e.calledAeTitle, e.detail].some((f) => f?.toLowerCase().includes(text))));
    const limit = Math.max(1, Math.min(filter.limit ?? 1000, this.capacity));
    return out.slice(-limit);
  }

  get size(): number {
    return this.entries.length;
  }
}
