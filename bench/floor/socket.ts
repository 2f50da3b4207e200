// The floor experiments' transport: a plain TCP socket reading into one reused buffer, and whole PDUs
// cut from the stream with a minimal framer (no caps, no checks). Only for measuring what Node itself
// costs; the product's stack is src-main/dicomnet.

import { Socket } from 'node:net';

/** Connects to host:port, writes `first`, and calls `onPdu` with each PDU's type and bytes (header included). */
export function floorConnection(host: string, port: number, first: Buffer, onPdu: (type: number, pdu: Buffer) => void): Socket {
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
  const buffer = Buffer.allocUnsafeSlow(256 * 1024);
  const onread = { buffer, callback: (n: number, b: Uint8Array) => { onChunk(Buffer.from(b.buffer, b.byteOffset, n)); return true; } };
  const s = new Socket({ onread } as unknown as ConstructorParameters<typeof Socket>[0]);
  s.setNoDelay(true);
  s.connect(port, host, () => s.write(first));
  s.on('error', (err) => {
    console.error(`floor client: ${err.message}`);
    process.exit(1);
  });
  return s;
}

export const RELEASE_RQ = Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);

/** The 12-byte header of a P-DATA-TF holding one PDV of `length` bytes (PS3.8 §9.3.5). */
export function pdvHeader(pcId: number, control: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(12);
  h[0] = 0x04;
  h[1] = 0;
  h.writeUInt32BE(length + 6, 2);
  h.writeUInt32BE(length + 2, 6);
  h[10] = pcId;
  h[11] = control;
  return h;
}

/** Ends the process on anything but the PDUs a floor client expects. */
export function unexpected(type: number): never {
  console.error(`floor client: unexpected PDU type ${type} (rejected or aborted?)`);
  process.exit(1);
}

/** (0000,0900) Status of the command in a one-PDV P-DATA-TF, implicit VR little endian (PS3.7 §6.3.1). */
export function statusOf(pdu: Buffer): number | undefined {
  for (let o = 12; o + 8 <= pdu.length;) {
    const length = pdu.readUInt32LE(o + 4);
    if (pdu.readUInt16LE(o + 2) === 0x0900 && length === 2) return pdu.readUInt16LE(o + 8);
    o += 8 + length;
  }
  return undefined;
}

/** Ends the process unless a response said Success. */
export function requireSuccess(pdu: Buffer): void {
  const status = statusOf(pdu);
  if (status === 0x0000) return;
  console.error(`floor client: response status ${status?.toString(16) ?? 'missing'}`);
  process.exit(1);
}
