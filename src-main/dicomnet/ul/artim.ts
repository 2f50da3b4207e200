// The ARTIM timer (Association Request/Reject/Release Timer), PS3.8 §9.1.5: bounds the wait for the
// A-ASSOCIATE-RQ after a connection is accepted and for the peer to close after RJ, RP or ABORT.
// The scheduler is injected so tests run without real time.

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class ArtimTimer {
  private handle: unknown;

  constructor(
    readonly durationMs: number,
    private readonly onExpired: () => void,
    private readonly scheduler: Scheduler = realScheduler,
  ) {}

  get running(): boolean {
    return this.handle !== undefined;
  }

  /** Starts the timer, or restarts it when it is already running (AA-1: "start or restart"). */
  start(): void {
    this.stop();
    this.handle = this.scheduler.setTimeout(() => {
      this.handle = undefined;
      this.onExpired();
    }, this.durationMs);
  }

  stop(): void {
    if (this.handle === undefined) return;
    this.scheduler.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
