// A monotonic clock in milliseconds for step timings and round trips. Not `performance.now()`: its
// first use loads Node's perf_hooks (a few ms), which `dicomnet echo` would pay at every start.

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
