// `dicomnet store HOST PORT PATH...`: send DICOM files with C-STORE, one line per file and a summary.

import { sendFiles, type FileOutcome, type SendSummary } from '../app/send';
import { onInterrupt } from './interrupt';
import { printable } from './printable';
import { PEER_OPTIONS, parseCommandLine, peerConnection } from './options';
import { UsageError } from './usage';

export async function runStore(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const parsed = parseCommandLine(argv, PEER_OPTIONS);
  const { values: v, positionals } = parsed;
  if (positionals.length < 3) throw new UsageError(`store takes HOST, PORT and at least one PATH (${positionals.length} given).`);
  const [host, portText, ...paths] = positionals as [string, string, ...string[]];
  const peer = peerConnection(v, host, portText);

  const lines = new FileLines(out, err);
  const interrupt = onInterrupt(err, 'stopping the send (the association is aborted, the files not yet stored are reported)');
  let summary: SendSummary;
  try {
    summary = await sendFiles({
      ...peer, paths, signal: interrupt.signal,
      onFile: (r) => (v.json ? out.write(`${JSON.stringify({ type: 'file', ...r })}\n`) : lines.add(r)),
    });
  } finally {
    interrupt.dispose();
  }
  if (v.json) out.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
  else {
    lines.end();
    printSummary(summary, `${peer.calledAeTitle}@${host}:${peer.port}`, summary.ok ? out : err);
  }
  return summary.ok ? 0 : 1;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1)} MB`;
}

/**
 * The text lines, one per file, except that a run of failures for one reason (the association was
 * refused, the peer went away) shows its first files and then one line for the rest: a study of
 * 800 images to a peer that does not know us printed 800 times the same sentence. --json keeps
 * one object per file.
 */
class FileLines {
  private static readonly SHOWN = 2;
  private lastFailure: string | undefined;
  private run = 0;

  constructor(private readonly out: NodeJS.WritableStream, private readonly err: NodeJS.WritableStream) {}

  add(r: FileOutcome): void {
    if (r.outcome === 'failed' && r.detail === this.lastFailure) {
      if (++this.run <= FileLines.SHOWN) printFile(r, this.out, this.err);
      return;
    }
    this.end();
    this.lastFailure = r.outcome === 'failed' ? r.detail : undefined;
    this.run = this.lastFailure === undefined ? 0 : 1;
    printFile(r, this.out, this.err);
  }

  /** Closes a run of failures: how many more files it held. */
  end(): void {
    const more = this.run - FileLines.SHOWN;
    if (more > 0) this.err.write(`FAILED  ${more} more file(s) for the same reason\n`);
    this.lastFailure = undefined;
    this.run = 0;
  }
}

function printFile(r: FileOutcome, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  const how = r.transcoded ? ' (converted)' : '';
  // The detail may hold the peer's error comment: printable.ts.
  if (r.outcome === 'stored') out.write(`${printable(`stored  ${r.path}  ${mb(r.bytes)}${how}  ${r.detail}`)}\n`);
  else if (r.outcome === 'skipped') err.write(`${printable(`skipped ${r.path}: ${r.detail}`)}\n`);
  else err.write(`${printable(`FAILED  ${r.path}: ${r.detail}`)}\n`);
}

function printSummary(s: SendSummary, peer: string, to: NodeJS.WritableStream): void {
  to.write(`C-STORE -> ${peer}: ${s.stored} stored${s.warnings ? ` (${s.warnings} with warnings)` : ''}, ${s.failed} failed, ${s.skipped} skipped; ` +
    `${mb(s.bytes)} in ${s.seconds.toFixed(2)} s (${s.megabytesPerSecond.toFixed(1)} MB/s) over ${s.associations} association(s)\n`);
  if (s.stored === 0 && s.failed === 0) to.write('No DICOM files were found in the given paths.\n');
}
