// One limit on the data sets that all associations of the process keep in memory together (those
// with no sink of their own: everything but C-STORE's). Each may hold up to 16 MiB
// (DEFAULT_MEMORY_DATA_SET_LIMIT); 40 associations each sending all but the last byte of a 16 MiB
// data set with a C-ECHO-RQ held 718 MB in our SCP, for as long as their idle timeout let them.
//
// When a write would go over the budget, the holder of the most that holds more than the writer
// would is dropped (its association aborted, with the reason): a real query identifier is a few
// kilobytes, so it is the peer hoarding megabytes that goes, not the next small request. If no
// holder holds more, the writer itself is refused.

/** What the budget knows of each data set kept in memory. */
export interface BudgetHolder {
  /** Bytes it holds now. */
  held: number;
  /** It must let go (the budget has already taken its bytes back): its association is aborted. */
  evict(reason: string): void;
}

export const DEFAULT_MEMORY_DATA_SETS_BUDGET = 64 * 1024 * 1024;

const MiB = 1024 * 1024;

export class MemoryBudget {
  private used = 0;
  private readonly holders = new Set<BudgetHolder>();

  constructor(readonly limit = DEFAULT_MEMORY_DATA_SETS_BUDGET) {}

  /** Bytes held by all holders. */
  get inUse(): number {
    return this.used;
  }

  /**
   * Takes `n` more bytes for `holder`, evicting bigger holders if need be; returns false (nothing
   * taken) when the holder itself is the one to refuse.
   */
  take(holder: BudgetHolder, n: number): boolean {
    while (this.used + n > this.limit) {
      let victim: BudgetHolder | undefined;
      for (const h of this.holders) {
        if (h !== holder && h.held > holder.held + n && (victim === undefined || h.held > victim.held)) victim = h;
      }
      if (victim === undefined) return false;
      const held = victim.held;
      this.release(victim);
      victim.evict(`this node's memory for data sets kept in memory (${this.limit / MiB} MiB for all associations) was needed by another association, and this one held the most of it (${(held / MiB).toFixed(1)} MiB)`);
    }
    this.holders.add(holder);
    holder.held += n;
    this.used += n;
    return true;
  }

  /** The holder is done (its data set handed on, or dropped): its bytes come back. */
  release(holder: BudgetHolder): void {
    if (!this.holders.delete(holder)) return;
    this.used -= holder.held;
    holder.held = 0;
  }
}

/** The budget of this process, shared by the associations that are not given one of their own. */
export const processMemoryBudget = new MemoryBudget();
