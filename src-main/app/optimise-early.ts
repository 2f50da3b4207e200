// V8 compiles a function with TurboFan, its optimising tier, after ~3 000 calls (Node 22's V8:
// --invocation-count-for-turbofan=3000). A command that loops over messages runs its first
// thousands of them in the interpreter and baseline tiers: `dicomnet echo --repeat 2000` never
// reached the optimised code (its round trips took ~110-125 us for the first ~3 000 echoes and
// ~90 us after), and the compiles fell inside the run. Measured, interleaved, 10 rounds of 2 000
// echoes against storescp (median wall time): default 288 ms, 1 000 calls 205, 500 calls 186, 200
// calls 215, echoscu 200. So `echo --repeat`, `scp` and the desktop app's main process (services:
// their first thousands of associations) ask for it at 500.
// Not `store`: sooner, V8 compiles ~3 times as many functions (124 against 40 for 500 x 1 MB), on
// a thread that takes CPU from the receiver on a small machine. Measured interleaved against
// storescp --ignore (median wall time): 500 x 1 MB 409 ms at 500 calls, 348 at V8's default (8
// rounds); 2 000 x 64 KB 423 / 398 (10 rounds); 10 x 50 MB 441 / 418 (8 rounds).
// Not a single echo: loading node:v8 costs ~1.5 ms of a ~30 ms process, and it gains nothing.

export const TURBOFAN_INVOCATIONS = 500;

/**
 * Whether this V8 knows --invocation-count-for-turbofan: Node 22's V8 12 does; Node 20's V8 11.3
 * does not, and prints "Error: unrecognized flag" to stderr when asked (it does not throw).
 */
export function knowsTurbofanInvocationCount(v8Version: string): boolean {
  return Number(v8Version.split('.')[0]) >= 12;
}

export function optimiseEarly(): void {
  if (!knowsTurbofanInvocationCount(process.versions.v8)) return;
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString(`--invocation-count-for-turbofan=${TURBOFAN_INVOCATIONS}`);
  } catch {
    // A V8 without this flag that throws: its own default applies.
  }
}
