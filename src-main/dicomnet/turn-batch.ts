// Items handed on at the end of the current event-loop turn, in order (setImmediate). For
// notifications that must not delay a peer: what a listener does with them (a log line, a progress
// event, a JSON line) then happens after the answer or the next request is on the wire.

export class TurnBatch<T> {
  private items: T[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  /**
   * `deliver` gets each item; what it throws goes to `onError` and the other items still come: a
   * listener's bug must not lose the notifications after it, nor end the process from the turn's end.
   */
  constructor(
    private readonly deliver: (item: T) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  add(item: T): void {
    this.items.push(item);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Delivers what waits now (also before a stop or an exit, when no later turn may come). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const items = this.items;
    this.items = [];
    for (const item of items) {
      try {
        this.deliver(item);
      } catch (err) {
        this.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
