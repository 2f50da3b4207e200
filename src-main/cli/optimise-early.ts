// V8 compiles a function with TurboFan, its optimising tier, after ~3 000 calls (Node 22's V8:
// --invocation-count-for-turbofan=3000). A command that loops over messages runs its first
// thousands of them in the interpreter and baseline tiers: `dicomnet echo --repeat 2000` never
// reached the optimised code (its round trips took ~110-125 us for the first ~3 000 echoes and
// ~90 us after), and the compiles fell inside the run. Measured, interleaved, 10 rounds of 2 000
// echoes against storescp (median wall time): default 288 ms, 1 000 calls 205, 500 calls 186, 200
// calls 215, echoscu 200; `dicomnet store` of 2 000 x 64 KB ~446 -> ~398 ms (200 calls), for about
// the same user CPU. So the looping commands (echo with --repeat, store, scp) ask for it at 500.
// Not for a single echo: loading node:v8 costs ~1.5 ms of a ~30 ms process, and it gains nothing.

export const TURBOFAN_INVOCATIONS = 500;

export function optimiseEarly(): void {
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString(`--invocation-count-for-turbofan=${TURBOFAN_INVOCATIONS}`);
  } catch {
    // Another V8 without this flag: its own default applies.
  }
}
