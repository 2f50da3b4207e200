// The newest `capacity` items, oldest first, for the app's long-running lists (the activity log,
// the received instances). Dropping the oldest with splice(0, 1) at every add moved the whole
// array each time: at 100 000 items ~150 us an add here, which at 2 000 received instances a
// second (small images from a modality) was a third of a core, forever, once a busy node's list was
// full. The oldest are dropped in batches instead: an add costs O(1) on average.

export class BoundedList<T> {
  private items: T[] = [];
  /** Items before this index are dropped already (removed from `items` in batches). */
  private start = 0;

  /** `onDrop` hears of each item as it falls out (oldest first). */
  constructor(readonly capacity: number, private readonly onDrop?: (item: T) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length - this.start > this.capacity) {
      const dropped = this.items[this.start++]!;
      this.onDrop?.(dropped);
    }
    if (this.start >= Math.max(1024, this.capacity)) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  get length(): number {
    return this.items.length - this.start;
  }

  /** The items, oldest first (a copy). */
  toArray(): T[] {
    return this.items.slice(this.start);
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.start; i < this.items.length; i++) yield this.items[i]!;
  }
}
