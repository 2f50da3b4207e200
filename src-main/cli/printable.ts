// Text from the network goes into our output lines: AE titles and UIDs from a peer's request, a
// peer's error comment, the names in its certificate. A newline in it would forge a log line (the
// SCP logs one line per association event), an escape sequence would drive the reader's terminal.
// So every control character (C0, DEL, C1) of a line is shown as \xNN instead.

// eslint-disable-next-line no-control-regex -- finding control characters is this file's job
const HAS_CONTROL = /[\x00-\x1f\x7f-\x9f]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/** `line` with its control characters escaped; call it on a line without its final newline. */
export function printable(line: string): string {
  return HAS_CONTROL.test(line) ? line.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`) : line;
}
