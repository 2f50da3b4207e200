// Items handed on at the end of the current event-loop turn, together and in order (setImmediate).
// For notifications that must not delay a peer: what a listener does with them (a log line, a
// progress event, a JSON line) then happens after the answer or the next request is on the wire,
// and a busy node writes one log chunk per turn instead of one system call per line.

export class TurnBatch<T> {
  private items: T[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly deliver: (items: readonly T[]) => void) {}

  add(item: T): void {
    this.items.push(item);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Delivers what waits now (also before a stop or an exit, when no later turn may come). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.deliver(items);
  }
}
