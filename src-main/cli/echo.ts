// `dicomnet echo HOST PORT ...`: verify a peer with C-ECHO and explain any failure in plain words.

import type { VerifyResult } from '../../src-shared/models';
import { verifyPeer } from '../app/verify';
import { optimiseEarly } from '../app/optimise-early';
import { onInterrupt } from './interrupt';
import { printable } from './printable';
import { PEER_OPTIONS, parseCommandLine, parsePositiveInt, peerConnection } from './options';
import { UsageError } from './usage';

export async function runEcho(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const parsed = parseCommandLine(argv, { ...PEER_OPTIONS, repeat: { type: 'string' } });
  const { values: v, positionals } = parsed;
  if (positionals.length !== 2) throw new UsageError(`echo takes HOST and PORT (${positionals.length} given).`);
  const peer = peerConnection(v, positionals[0] as string, positionals[1]);
  const repeat = v.repeat === undefined ? 1 : parsePositiveInt(v.repeat, '--repeat');
  if (repeat > 1) optimiseEarly();

  // Even a single echo: to a silent host it waits for --timeout, and Ctrl-C then says in which
  // step it was stopped instead of ending the process without a word.
  const interrupt = onInterrupt(err, repeat > 1 ? 'stopping after the C-ECHO under way (the association is released)' : 'stopping the echo');
  let result: VerifyResult;
  try {
    result = await verifyPeer({ ...peer, repeat, signal: interrupt.signal });
  } finally {
    interrupt.dispose();
  }
  if (v.json) out.write(`${JSON.stringify(result)}\n`);
  else printText(result, out, err);
  return result.ok ? 0 : 1;
}

function ms(x: number): string {
  return x < 10 ? `${x.toFixed(2)} ms` : `${Math.round(x)} ms`;
}

function printText(r: VerifyResult, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  const peer = `${r.calledAeTitle}@${r.host}:${r.port}`;
  if (r.ok) {
    const e = r.echoes;
    const rtt = e?.rttMs;
    if (e && rtt && e.succeeded > 1) {
      out.write(`C-ECHO ${r.callingAeTitle} -> ${peer}: ${e.succeeded} x Success, round trip min ${ms(rtt.min)} / avg ${ms(rtt.avg)} / max ${ms(rtt.max)}\n`);
    } else {
      out.write(`C-ECHO ${r.callingAeTitle} -> ${peer}: Success, round trip ${ms(rtt?.avg ?? 0)}\n`);
    }
    // The peer's certificate names and its answers are the peer's text: printable.ts.
    if (r.tls) out.write(`${printable(`TLS: ${r.tls.protocol ?? '?'} ${r.tls.cipher ?? ''}, peer certificate ${r.tls.peerSubject ?? '?'} (issuer ${r.tls.peerIssuer ?? '?'})`)}\n`);
    return;
  }
  const f = r.failure;
  err.write(`C-ECHO ${r.callingAeTitle} -> ${peer} failed at step '${f?.step ?? '?'}' (${f?.code ?? '?'}):\n  ${printable(f?.plain ?? 'unknown error')}\n`);
  for (const s of r.steps) err.write(`${printable(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.step.padEnd(9)} ${ms(s.ms).padStart(9)}${s.detail ? `  ${s.detail}` : ''}`)}\n`);
  const t = r.tls;
  if (t?.peerSubject) {
    err.write(`${printable(`  peer certificate: ${t.peerSubject} (issuer ${t.peerIssuer ?? '?'}), valid ${t.validFrom ?? '?'} to ${t.validTo ?? '?'}, SHA-256 ${t.peerFingerprint256 ?? '?'}`)}\n`);
  }
}
