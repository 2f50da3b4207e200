// The SCP's log is one line per event whatever a peer sends: control characters from the wire are
// escaped (a newline in an AE title must not forge a line, an escape sequence must not reach the
// terminal), and an error on an association's connection names the association.

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printable } from '../../src-main/cli/printable';
import { verifyPeer } from '../../src-main/app/verify';
import { DicomAssociate } from '../../src-main/dicomnet/association';
import { encodePdu } from '../../src-main/dicomnet/pdu/encode';
import { cliBuilt, startCliScp, type RunningScp } from './run-cli';

describe('printable', () => {
  it('escapes C0, DEL and C1 control characters as \\xNN and leaves other text alone', () => {
    expect(printable('CT_ROOM-1 Müller^Jörg 1.2.840')).toBe('CT_ROOM-1 Müller^Jörg 1.2.840');
    expect(printable('a\nb\r\tc\x1b[2Jd\x7fe\x9bf\x00')).toBe('a\\x0ab\\x0d\\x09c\\x1b[2Jd\\x7fe\\x9bf\\x00');
    // Twice in a row: no state left behind between calls.
    expect(printable('x\ny')).toBe('x\\x0ay');
    expect(printable('x\ny')).toBe('x\\x0ay');
  });
});

describe.runIf(cliBuilt())('dicomnet scp: its log under a hostile peer', () => {
  let scp: RunningScp;
  beforeAll(async () => {
    scp = await startCliScp(['--port', '0', '--host', '127.0.0.1']);
  });
  afterAll(async () => {
    await scp?.stop();
  });

  it('a calling AE title with a newline and an escape sequence stays on its line; a reset names the association', async () => {
    // The encoder refuses such a title (rightly): encode a placeholder and put the bytes in place.
    // The calling AE title is bytes 26..41 of the A-ASSOCIATE-RQ (PS3.8 Table 9-11).
    const rq = encodePdu(new DicomAssociate({
      callingAeTitle: 'PLACEHOLDER', calledAeTitle: 'DICOMNET',
      presentationContexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
    }).toRq());
    const hostile = 'EV\n[assoc 0]\x1b[2J';
    expect(hostile.length).toBe(16);
    rq.write(hostile, 26, 'latin1');
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: scp.ports.plain }, () => s.write(rq));
      const timer = setTimeout(() => { s.destroy(); reject(new Error('no A-ASSOCIATE-AC within 5 s')); }, 5000);
      s.once('data', (c) => {
        clearTimeout(timer);
        expect(c[0]).toBe(0x02);
        // An RST instead of a release: the SCP's read fails with ECONNRESET.
        s.resetAndDestroy();
        resolve();
      });
      s.on('error', () => undefined);
    });
    await expect.poll(() => scp.stderr(), { timeout: 5000 }).toMatch(/closed \(\d+ ms\)/);
    const log = scp.stderr();
    expect(log).not.toContain('\x1b');
    expect(log.split('\n').filter((l) => l.startsWith('[assoc 0]'))).toEqual([]);
    expect(log).toMatch(/^\[assoc \d+\] \S+ EV\\x0a\[assoc 0\]\\x1b\[2J -> DICOMNET accepted: /m);
    expect(log).toMatch(/^\[assoc \d+\] \S+ EV\\x0a\[assoc 0\]\\x1b\[2J -> DICOMNET error: (read|write) (ECONNRESET|EPIPE): the peer /m);
  });
});

describe.runIf(cliBuilt())('dicomnet scp: out of file descriptors', () => {
  it('callers beyond the limit are turned away, the node stays up and serves again once they leave', async () => {
    // libuv turns such callers away itself (accepted and closed with a reserved descriptor) and
    // tells no one, so there is nothing to log; what matters is that the node survives it.
    const scp = await startCliScp(['--port', '0', '--host', '127.0.0.1'], 1, 10_000, { ulimitOpenFiles: 64 });
    const flood: Socket[] = [];
    try {
      const closedByUs = await Promise.all(Array.from({ length: 120 }, () => new Promise<boolean>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: scp.ports.plain });
        s.on('error', () => undefined);
        s.on('close', () => resolve(true));
        flood.push(s);
        setTimeout(() => resolve(false), 1500);
      })));
      // Some were turned away (closed at once), the others are held open by the node (ARTIM).
      expect(closedByUs.filter(Boolean).length).toBeGreaterThan(0);
      expect(closedByUs.filter((c) => !c).length).toBeGreaterThan(0);
      for (const s of flood.splice(0)) s.destroy();
      await expect.poll(async () => (await verifyPeer({ host: '127.0.0.1', port: scp.ports.plain, callingAeTitle: 'AFTER', calledAeTitle: 'DICOMNET', timeoutMs: 3000 })).ok, { timeout: 10_000 }).toBe(true);
    } finally {
      for (const s of flood) s.destroy();
      expect(await scp.stop()).toBe(0);
    }
  });
});
