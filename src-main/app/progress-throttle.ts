// A send's progress for the GUI, at most every PROGRESS_MS: it was one event per file, thousands a
// second for small files to a fast peer, each one an IPC message from the main process (which also
// runs the local node) and a render of the Send page. What is not stored is never dropped: those
// files are gathered and go out with the next event.

import type { SendFileProblem } from '../../src-shared/models';
import { nowMs } from '../dicomnet/clock';

export const PROGRESS_MS = 100;

export class ProgressThrottle {
  private problems: SendFileProblem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = -Infinity;

  /** `emit` gets the problems gathered since its previous call (undefined when there are none). */
  constructor(private readonly emit: (problems: readonly SendFileProblem[] | undefined) => void) {}

  /** Something changed: an event goes out now, or when PROGRESS_MS have passed since the last one. */
  changed(problem?: SendFileProblem): void {
    if (problem) this.problems.push(problem);
    if (this.timer) return;
    const wait = PROGRESS_MS - (nowMs() - this.last);
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** The last event (the send is over): whatever is gathered goes with it, and no timer is left. */
  finish(emitLast: (problems: readonly SendFileProblem[] | undefined) => void): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    emitLast(this.take());
  }

  private flush(): void {
    this.timer = undefined;
    this.last = nowMs();
    this.emit(this.take());
  }

  private take(): readonly SendFileProblem[] | undefined {
    if (this.problems.length === 0) return undefined;
    const out = this.problems;
    this.problems = [];
    return out;
  }
}
