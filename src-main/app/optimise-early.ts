// V8 compiles a function with TurboFan, its optimising tier, after ~3 000 calls (Node 22's V8:
// --invocation-count-for-turbofan=3000). A command that loops over messages runs its first
// thousands of them in the interpreter and baseline tiers: `dicomnet echo --repeat 2000` never
// reached the optimised code (its round trips took ~110-125 us for the first ~3 000 echoes and
// ~90 us after), and the compiles fell inside the run. Measured, interleaved, 10 rounds of 2 000
// echoes against storescp (median wall time): default 288 ms, 1 000 calls 205, 500 calls 186, 200
// calls 215, echoscu 200. So `echo --repeat`, `scp` and the desktop app's main process (services:
// their first thousands of associations) ask for it at 500.
// Not a single echo: loading node:v8 costs ~1.5 ms of a ~30 ms process, and it gains nothing.
//
// `store` the other way: later (optimiseLate). Its compiles run on a V8 thread, and on a two-core
// machine that thread takes its CPU from the receiver (or from our own main thread). At V8's
// default a `store` of 2 000 x 64 KB made 99-101 TurboFan compiles, ~187 ms of that thread's CPU in
// a ~450 ms run (--trace-opt); at 15 000 calls, 15 compiles and ~21 ms. A long send still gets its
// optimised code: 10 000 x 64 KB made 167 compiles at the default and 108 at 15 000. Measured
// interleaved against storescp --ignore (median wall time, ms; storescu beside them):
//   2 000 x 64 KB      default 506, 10 000 calls 444, storescu 423 (6 rounds)
//   same, TLS          default 650-733, 15 000 calls 553-594, storescu 556-607 (6 rounds, twice)
//   500 x 1 MB         default 377, 10 000 calls 348, 30 000 calls 350, storescu 364 (6 rounds)
//   same, TLS          default 607-617, 15 000 calls 592, storescu 525-545
//   10 000 x 64 KB TLS default 2 470, 15 000 calls 2 433, 30 000 calls 2 709, storescu 2 721 (3 rounds)
// (Sooner, at 500 calls, `store` had measured slower: ~3 times as many compiles.) Turning the
// optimising tier off (--max-opt=1), or Maglev alone, did as well on short sends and cost 10-15 % on
// the 10 000-file one.

export const TURBOFAN_INVOCATIONS = 500;

/**
 * Whether this V8 knows --invocation-count-for-turbofan: Node 22's V8 12 does; Node 20's V8 11.3
 * does not, and prints "Error: unrecognized flag" to stderr when asked (it does not throw).
 */
export function knowsTurbofanInvocationCount(v8Version: string): boolean {
  return Number(v8Version.split('.')[0]) >= 12;
}

/** Calls before TurboFan for `dicomnet store` (see above). */
export const STORE_TURBOFAN_INVOCATIONS = 15_000;

function setTurbofanInvocations(count: number): void {
  if (!knowsTurbofanInvocationCount(process.versions.v8)) return;
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString(`--invocation-count-for-turbofan=${count}`);
  } catch {
    // A V8 without this flag that throws: its own default applies.
  }
}

/** TurboFan sooner: for processes that serve the same paths for long (echo --repeat, scp, the app). */
export function optimiseEarly(): void {
  setTurbofanInvocations(TURBOFAN_INVOCATIONS);
}

/** TurboFan later: for a batch (store) whose compiles would take CPU from its peer on a small machine. */
export function optimiseLate(): void {
  setTurbofanInvocations(STORE_TURBOFAN_INVOCATIONS);
}
