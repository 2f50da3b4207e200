// A peer that sends requests without reading the answers: 2 million C-ECHO-RQs made our SCP buffer
// the responses (800 MB) for as long as it went on. The acceptor now stops reading while more than
// WRITE_BACKLOG_LIMIT of answers wait, so TCP flow control holds that peer back; and once it reads
// again, every request is answered (no deadlock).

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomAssociate } from '../../src-main/dicomnet/association';
import { encodeCommandSet } from '../../src-main/dicomnet/dimse/command-set';
import { encodePDataHeader, encodePdu } from '../../src-main/dicomnet/pdu';
import { echoHandlers } from '../../src-main/dicomnet/services/echo';
import { DicomScp } from '../../src-main/dicomnet/services/scp';
import { VERIFICATION_TRANSFER_SYNTAXES } from '../../src-main/dicomnet/uids';

const VERIFICATION = '1.2.840.10008.1.1';
let scp: DicomScp;
let port: number;
let served = 0;

beforeAll(async () => {
  scp = new DicomScp({ aeTitle: 'DICOMNET', listeners: [{ host: '127.0.0.1', port: 0 }], supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]), handlers: echoHandlers });
  scp.on('request', () => served++);
  port = (await scp.start())[0]!.port;
});
afterAll(() => scp.stop(0));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an SCP whose peer does not read the responses', () => {
  it('stops taking requests while its answers back up, and answers them all once the peer reads', async () => {
    const n = 300_000;
    const rq = encodePdu(new DicomAssociate({ callingAeTitle: 'FLOOD', calledAeTitle: 'DICOMNET', presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2'] }] }).toRq());
    const echoes = Buffer.concat(Array.from({ length: 1000 }, (_, i) => {
      const cmd = encodeCommandSet({ commandField: 0x0030, messageId: i + 1, affectedSopClassUid: VERIFICATION, commandDataSetType: 0x0101 });
      return Buffer.concat([encodePDataHeader(1, true, true, cmd.length), cmd]);
    }));
    const s: Socket = connect({ host: '127.0.0.1', port });
    let received = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => s.write(rq));
        s.once('data', (c) => (c[0] === 0x02 ? resolve() : reject(new Error(`no A-ASSOCIATE-AC: ${c[0]}`))));
        s.once('error', reject);
      });
      s.pause();
      s.on('data', (c) => { received += c.length; });
      for (let i = 0; i < n / 1000; i++) s.write(echoes);
      // Until the SCP stops taking requests (bounded: 10 s).
      let before = -1;
      for (let i = 0; i < 50 && served !== before; i++) {
        before = served;
        await sleep(200);
      }
      expect(served).toBeGreaterThan(1000);
      expect(served).toBeLessThan(n * 0.7);
      s.resume();
      for (let i = 0; i < 300 && served < n; i++) await sleep(100);
      expect(served).toBe(n);
      // Every response read: each is one P-DATA-TF of a C-ECHO-RSP, the same size.
      for (let i = 0; i < 100 && received < n * 80; i++) await sleep(50);
      expect(received % n).toBe(0);
      expect(received / n).toBeGreaterThan(60);
    } finally {
      s.destroy();
    }
  }, 60_000);
});
