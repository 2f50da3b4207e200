// The floor experiments' transport: a plain TCP socket reading into one reused buffer (or node:tls
// as it comes, for the TLS floor), and whole PDUs cut from the stream with a minimal framer (no
// caps, no checks); PDUs and command sets are made and read with the stack's own codecs. Only for
// measuring what Node itself costs; the product's stack is src-main/dicomnet.

import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { decodeCommandSet } from '../../src-main/dicomnet/dimse/command-set';
import { encodePdu } from '../../src-main/dicomnet/pdu';

/** Files for a TLS floor client: trust anchor, our certificate and key (PEM). */
export interface FloorTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** `--tls CA CERT KEY` after the positional arguments, if given. */
export function floorTlsArgs(argv: readonly string[]): FloorTls | undefined {
  const at = argv.indexOf('--tls');
  if (at < 0) return undefined;
  const [ca, cert, key] = argv.slice(at + 1, at + 4);
  if (!ca || !cert || !key) throw new Error('--tls takes CA CERT KEY');
  return { ca, cert, key };
}

/**
 * Connects to host:port (over TLS when `tls` is given), writes `first`, and calls `onPdu` with each
 * PDU's type and bytes (header included).
 */
export function floorConnection(host: string, port: number, first: Buffer, onPdu: (type: number, pdu: Buffer) => void, tls?: FloorTls): Socket {
  let pending = Buffer.alloc(0);
  const onChunk = (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
    while (pending.length >= 6) {
      const total = 6 + pending.readUInt32BE(2);
      if (pending.length < total) return;
      const pdu = pending.subarray(0, total);
      pending = pending.subarray(total);
      onPdu(pdu[0] ?? 0, pdu);
    }
  };
  const s = tls ? tlsSocket(host, port, first, tls, onChunk) : plainSocket(host, port, first, onChunk);
  s.on('error', (err) => {
    console.error(`floor client: ${err.message}`);
    process.exit(1);
  });
  return s;
}

function plainSocket(host: string, port: number, first: Buffer, onChunk: (chunk: Buffer) => void): Socket {
  const buffer = Buffer.allocUnsafeSlow(256 * 1024);
  const onread = { buffer, callback: (n: number, b: Uint8Array) => { onChunk(Buffer.from(b.buffer, b.byteOffset, n)); return true; } };
  const s = new Socket({ onread } as unknown as ConstructorParameters<typeof Socket>[0]);
  s.setNoDelay(true);
  s.connect(port, host, () => s.write(first));
  return s;
}

/**
 * node:tls as it comes (TLS sockets read into fresh memory: Node has no `onread` for them). Loaded
 * only here, so that the plain floor does not pay for loading it (~10 ms), as `dicomnet` does not.
 */
function tlsSocket(host: string, port: number, first: Buffer, t: FloorTls, onChunk: (chunk: Buffer) => void): Socket {
  const s = process.getBuiltinModule('node:tls').connect({
    host, port, ca: readFileSync(t.ca), cert: readFileSync(t.cert), key: readFileSync(t.key),
    minVersion: 'TLSv1.2', checkServerIdentity: () => undefined,
  }, () => s.write(first));
  s.setNoDelay(true);
  s.on('data', onChunk);
  return s;
}

export const RELEASE_RQ = encodePdu({ type: 0x05 });

/** Ends the process on anything but the PDUs a floor client expects. */
export function unexpected(type: number): never {
  console.error(`floor client: unexpected PDU type ${type} (rejected or aborted?)`);
  process.exit(1);
}

/** Ends the process unless the response in this one-PDV P-DATA-TF said Success. */
export function requireSuccess(pdu: Buffer): void {
  const status = decodeCommandSet(pdu.subarray(12)).status;
  if (status === 0x0000) return;
  console.error(`floor client: response status ${status?.toString(16) ?? 'missing'}`);
  process.exit(1);
}
