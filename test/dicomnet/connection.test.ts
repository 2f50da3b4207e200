// The association driver against a scripted peer, for sequences a well-behaved peer never makes:
// release collisions on both sides (PS3.8 §9.2.3), aborts from the peer and from the provider,
// arrival-order accept, and PDUs above what we announced but under the hard cap.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sendFiles } from '../../src-main/app/send';
import { DicomAssociate } from '../../src-main/dicomnet/association';
import type { AbortInfo, DataSetSource } from '../../src-main/dicomnet/connection';
import { DicomNet } from '../../src-main/dicomnet/dicom-net';
import { AssociationError } from '../../src-main/dicomnet/errors';
import { encodeCommandSet } from '../../src-main/dicomnet/dimse/command-set';
import { makeCEchoRq } from '../../src-main/dicomnet/dimse/messages';
import { echo, echoHandlers } from '../../src-main/dicomnet/services/echo';
import { DicomScp } from '../../src-main/dicomnet/services/scp';
import { encodePdu } from '../../src-main/dicomnet/pdu/encode';
import type { AAbort, AAssociateRq } from '../../src-main/dicomnet/pdu/types';
import { VERIFICATION_TRANSFER_SYNTAXES } from '../../src-main/dicomnet/uids';
import { scriptedClient, scriptedServer, type ScriptedPeer } from '../helpers/scripted-peer';
import { makeInstance, SECONDARY_CAPTURE } from '../helpers/dicom-files';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const RELEASE_RQ = Buffer.from([5, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
const RELEASE_RP = Buffer.from([6, 0, 0, 0, 0, 4, 0, 0, 0, 0]);

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function proposal(calling = 'SCU'): DicomAssociate {
  return new DicomAssociate({ callingAeTitle: calling, calledAeTitle: 'PEER', presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] });
}

/** An AC for a received RQ, accepting context 1 with implicit VR LE. */
function acFor(rq: AAssociateRq): Buffer {
  const a = DicomAssociate.fromRq(rq);
  a.resetToAccept({ aeTitle: rq.calledAeTitle, supportedContexts: new Map([[VERIFICATION, [IMPLICIT]]]), maxPduLength: 16384, implementationClassUid: '1.2.3' }, { activeAssociations: 0 });
  return encodePdu(a.toAc());
}

async function scriptedAcceptor(script: (peer: ScriptedPeer) => Promise<void>) {
  const done: Promise<void>[] = [];
  const srv = await scriptedServer((peer) => {
    done.push((async () => {
      const rq = (await peer.next(0x01)) as AAssociateRq;
      peer.send(acFor(rq));
      await script(peer);
    })());
  });
  cleanups.push(() => srv.close());
  const net = DicomNet.startup({ timeouts: { acseMs: 3000, dimseMs: 3000, releaseMs: 3000, artimMs: 1000 } });
  cleanups.push(() => net.close(0));
  const { association } = await net.connect({ host: '127.0.0.1', port: srv.port, associate: proposal() });
  return { association, scriptDone: () => Promise.all(done) };
}

describe('a port that answers with text is not DICOM, and the failure says what answered', () => {
  it.each([
    ['HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n', /'HTTP\/1\.1 400 Bad Request'\), as a web server does/],
    ['SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n', /'SSH-2\.0-OpenSSH_9\.2p1 Debian-2'\), as an SSH server or client does/],
    ['220 mail.example ESMTP Postfix\r\n', /as a mail server does/],
  ])('%j', async (banner, said) => {
    const srv = await scriptedServer((peer) => { void peer.next(0x01).catch(() => undefined); peer.socket.end(banner); });
    cleanups.push(() => srv.close());
    const net = DicomNet.startup({ timeouts: { acseMs: 3000, artimMs: 1000 } });
    cleanups.push(() => net.close(0));
    const err = await net.connect({ host: '127.0.0.1', port: srv.port, associate: proposal() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'associate', code: 'not-dicom' });
    expect((err as AssociationError).plain).toMatch(/^127\.0\.0\.1:\d+ is not a DICOM port: it answered with text \(/);
    expect((err as AssociationError).plain).toMatch(said);
  });
});

describe('release collision (PS3.8 §9.2.3, reference §4.6)', () => {
  it('requestor side: Sta7 -> AR-8 -> Sta9 -> AR-9 (RP first) -> Sta11 -> AR-3', async () => {
    const { association, scriptDone } = await scriptedAcceptor(async (peer) => {
      await peer.next(0x05); // our A-RELEASE-RQ
      peer.send(RELEASE_RQ); // the acceptor releases at the same time
      await peer.next(0x06); // as requestor we answer first
      peer.send(RELEASE_RP);
    });
    const states: string[] = [];
    association.on('releaseCollision', () => states.push(association.state));
    await association.release();
    await scriptDone();
    expect(states).toEqual(['Sta9']); // indicated in Sta9, then answered at once (AR-9)
    expect(association.state).toBe('Sta1');
  });

  it('acceptor side: Sta7 -> AR-8 -> Sta10 -> AR-10 -> Sta12 -> AR-4 (RP after the requestor\'s)', async () => {
    const net = DicomNet.startup({ timeouts: { artimMs: 1000, releaseMs: 3000 } });
    cleanups.push(() => net.close(0));
    net.on('connection', () => net.accept());
    net.on('associateRequest', (a, assoc) => {
      assoc.resetToAccept({ aeTitle: 'PEER', supportedContexts: new Map([[VERIFICATION, [IMPLICIT]]]), maxPduLength: 16384, implementationClassUid: '1.2.3' }, { activeAssociations: 0 });
      a.sendAssociateAccept(assoc);
    });
    const { port } = await net.listen({ host: '127.0.0.1', port: 0 });
    const peer = await scriptedClient(port);
    cleanups.push(() => peer.close());
    peer.send(encodePdu(proposal().toRq()));
    await peer.next(0x02);
    const association = [...net.associations][0]!;
    expect(association.isRequestor).toBe(false);
    const ourRelease = association.release(); // the acceptor releases...
    await peer.next(0x05);
    peer.send(RELEASE_RQ); // ...while the requestor does too
    peer.send(RELEASE_RP); // the requestor answers first (Sta9 -> AR-9)
    await ourRelease; // AR-10: our release is confirmed
    await peer.next(0x06); // then we answer (Sta12 -> AR-4)
    peer.close();
    await association.whenClosed();
    expect(association.state).toBe('Sta1');
  });
});

describe('aborts', () => {
  it('an A-ABORT from the peer fails the outstanding request and is explained', async () => {
    const { association } = await scriptedAcceptor(async (peer) => {
      await peer.next(0x04);
      peer.send(encodePdu({ type: 0x07, source: 2, reason: 1 } satisfies AAbort));
    });
    const aborts: AbortInfo[] = [];
    association.on('abort', (i) => aborts.push(i));
    await expect(echo(association)).rejects.toThrow(/aborted the association \(unrecognized-PDU\)/);
    await association.whenClosed();
    expect(aborts).toEqual([expect.objectContaining({ origin: 'peer', source: 2, reason: 1 })]);
  });

  it('a dropped connection is an A-P-ABORT (AA-4) for the outstanding request', async () => {
    const { association } = await scriptedAcceptor(async (peer) => {
      await peer.next(0x04);
      peer.close();
    });
    const aborts: AbortInfo[] = [];
    association.on('abort', (i) => aborts.push(i));
    await expect(echo(association)).rejects.toThrow(/closed by the peer/);
    expect(aborts[0]?.origin).toBe('provider');
    expect(association.state).toBe('Sta1');
  });

  it('an unexpected PDU in Sta6 (A-RELEASE-RP without a request) gets AA-8: provider abort, reason unexpected-PDU', async () => {
    let abortSeen: AAbort | undefined;
    const { association, scriptDone } = await scriptedAcceptor(async (peer) => {
      peer.send(Buffer.from([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0])); // A-RELEASE-RP while established
      abortSeen = (await peer.next(0x07)) as AAbort;
    });
    await association.whenClosed();
    await scriptDone();
    expect(abortSeen).toEqual({ type: 0x07, source: 2, reason: 2 });
  });

  it('a request after the association ended says why it ended, not only the state', async () => {
    const { association } = await scriptedAcceptor(async (peer) => {
      peer.send(Buffer.from([0x99, 0, 0, 0, 0, 2, 0, 0])); // not a PDU type: we abort (AA-1)
    });
    await association.whenClosed();
    const err = await echo(association).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssociationError);
    expect(err).toMatchObject({ step: 'dimse', code: 'aborted' });
    expect((err as AssociationError).plain).toMatch(/^The association ended before this request was sent: Invalid PDU received: unrecogni[sz]ed PDU type 0x99/);
  });
});

describe('DicomNet accept', () => {
  it('announces each connection and accepts pending ones in arrival order', async () => {
    const net = DicomNet.startup();
    cleanups.push(() => net.close(0));
    const announced: number[] = [];
    net.on('connection', (p) => announced.push(p.remotePort));
    const { port } = await net.listen({ host: '127.0.0.1', port: 0 });
    const peers: ScriptedPeer[] = [];
    for (let i = 0; i < 3; i++) {
      peers.push(await scriptedClient(port));
      cleanups.push(() => peers[i]!.close());
      // wait until announced, so arrival order is the order we connected in
      for (let t = 0; t < 100 && announced.length <= i; t++) await new Promise((r) => setTimeout(r, 5));
    }
    expect(net.pendingConnections).toBe(3);
    const accepted = [net.accept(), net.accept(), net.accept()].map((a) => a?.remotePort);
    expect(accepted).toEqual(peers.map((p) => p.socket.localPort));
    expect(accepted).toEqual(announced);
    expect(net.accept()).toBeUndefined();
  });

  it('an A-ASSOCIATE-RQ nobody answers is aborted after the ACSE timeout; one answered later in time is not', async () => {
    const net = DicomNet.startup({ timeouts: { acseMs: 300, artimMs: 1000 } });
    cleanups.push(() => net.close(0));
    net.on('connection', () => net.accept());
    let answerLater = false;
    net.on('associateRequest', (a, associate) => {
      if (!answerLater) return; // never answered
      setTimeout(() => {
        associate.resetToAccept({ aeTitle: 'PEER', supportedContexts: new Map([[VERIFICATION, [IMPLICIT]]]), maxPduLength: 16384, implementationClassUid: '1.2.3' }, { activeAssociations: 0 });
        a.sendAssociateAccept(associate);
      }, 100);
    });
    const { port } = await net.listen({ host: '127.0.0.1', port: 0 });

    const silent = await scriptedClient(port);
    cleanups.push(() => silent.close());
    silent.send(encodePdu(proposal().toRq()));
    expect(await silent.next(0x07)).toMatchObject({ type: 0x07, source: 0 }); // A-ABORT, service user: us
    expect(await silent.whenClosed(2000)).toBe(true);

    answerLater = true;
    const late = await scriptedClient(port);
    cleanups.push(() => late.close());
    late.send(encodePdu(proposal().toRq()));
    expect((await late.next(0x02)).type).toBe(0x02); // A-ASSOCIATE-AC, 100 ms later
    await new Promise((r) => setTimeout(r, 400)); // past the ACSE limit: the association still works
    late.send(RELEASE_RQ);
    expect((await late.next(0x06)).type).toBe(0x06);
  });

  it('closes a connection nobody accepts within the accept timeout', async () => {
    const net = DicomNet.startup({ acceptTimeoutMs: 200 });
    cleanups.push(() => net.close(0));
    const { port } = await net.listen({ host: '127.0.0.1', port: 0 });
    const peer = await scriptedClient(port);
    expect(await peer.whenClosed(2000)).toBe(true);
    expect(net.pendingConnections).toBe(0);
  });
});

describe('Maximum Length: tolerated above what we announced, aborted above the hard cap', () => {
  /** A C-ECHO-RQ made large by an unknown command element that decoders must skip. */
  function bigEchoPData(size: number): Buffer {
    const echoCmd = encodeCommandSet(makeCEchoRq(1));
    const filler = Buffer.alloc(8 + size);
    filler.writeUInt16LE(0x0000, 0);
    filler.writeUInt16LE(0x0ffe, 2); // (0000,0FFE): not a command element we know
    filler.writeUInt32LE(size, 4);
    const cmd = Buffer.concat([echoCmd, filler]);
    cmd.writeUInt32LE(cmd.length - 12, 8); // fix the group length
    return encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 1, isCommand: true, isLast: true, data: cmd }] });
  }

  async function scpWithCap(cap: number) {
    const scp = new DicomScp({
      aeTitle: 'PEER', listeners: [{ host: '127.0.0.1', port: 0 }], maxPduLength: 16384,
      supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]), handlers: echoHandlers,
      net: { maxPduLengthCap: cap, timeouts: { artimMs: 500 } },
    });
    cleanups.push(() => scp.stop(0));
    const port = (await scp.start())[0]!.port;
    const peer = await scriptedClient(port);
    cleanups.push(() => peer.close());
    peer.send(encodePdu(proposal().toRq()));
    const ac = await peer.next(0x02);
    expect(ac.type === 0x02 && ac.userInformation.maximumLength).toBe(16384);
    return peer;
  }

  it('a 40 kB P-DATA-TF to an SCP that announced 16 kB is tolerated under a 64 kB cap', async () => {
    const peer = await scpWithCap(64 * 1024);
    peer.send(bigEchoPData(40_000));
    const rsp = await peer.next(0x04);
    expect(rsp.type === 0x04 && rsp.pdvs[0]?.isCommand).toBe(true);
  });

  it('above the cap it is aborted (invalid-PDU-parameter-value)', async () => {
    const peer = await scpWithCap(32 * 1024);
    peer.send(bigEchoPData(40_000));
    expect(await peer.next(0x07)).toEqual({ type: 0x07, source: 2, reason: 6 });
  });

  it('an AC announcing a Maximum Length too small for any PDV: the SCU aborts and says why, the send reports every file', async () => {
    // Found by a hostile-SCP fuzzer: sendFiles threw ('leaves no room for a PDV') once associated.
    const aborts: AAbort[] = [];
    const srv = await scriptedServer((peer) => {
      void (async () => {
        const rq = (await peer.next(0x01)) as AAssociateRq;
        const a = DicomAssociate.fromRq(rq);
        a.resetToAccept({ aeTitle: rq.calledAeTitle, supportedContexts: new Map([[SECONDARY_CAPTURE, [EXPLICIT]]]), maxPduLength: 3, implementationClassUid: '1.2.3' }, { activeAssociations: 0 });
        peer.send(encodePdu(a.toAc()));
        aborts.push((await peer.next(0x07)) as AAbort);
      })().catch(() => undefined);
    });
    cleanups.push(() => srv.close());
    const dir = mkdtempSync(join(tmpdir(), 'dicomnet-maxlen-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    makeInstance(join(dir, 'a.dcm'));
    const details: string[] = [];
    const summary = await sendFiles({ host: '127.0.0.1', port: srv.port, callingAeTitle: 'SCU', calledAeTitle: 'PEER', timeoutMs: 3000, paths: [dir], onFile: (r) => details.push(r.detail) });
    expect(summary).toMatchObject({ ok: false, files: 1, failed: 1, stored: 0 });
    expect(details).toEqual([expect.stringMatching(/maximum length 3 leaves no room for a PDV/)]);
    await expect.poll(() => aborts).toEqual([{ type: 0x07, source: 2, reason: 6 }]);
  });
});

describe('the SCP performs no more operations at once than the window it granted (PS3.7 D.3.3.3)', () => {
  it('a peer that sends 4 requests with a window of 1 gets them performed one at a time, all answered, in order', async () => {
    let running = 0;
    let maxRunning = 0;
    const order: number[] = [];
    const scp = new DicomScp({
      aeTitle: 'PEER', listeners: [{ host: '127.0.0.1', port: 0 }],
      supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]),
      handlers: new Map([[0x0030, async (m) => {
        maxRunning = Math.max(maxRunning, ++running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        order.push(m.command.messageId ?? -1);
        return { status: 0 };
      }]]),
    });
    cleanups.push(() => scp.stop(0));
    const port = (await scp.start())[0]!.port;
    const peer = await scriptedClient(port);
    cleanups.push(() => peer.close());
    peer.send(encodePdu(proposal().toRq())); // no asynchronous operations window: 1 at a time
    await peer.next(0x02);
    for (let id = 1; id <= 4; id++) {
      peer.send(encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 1, isCommand: true, isLast: true, data: encodeCommandSet(makeCEchoRq(id)) }] }));
    }
    for (let i = 0; i < 4; i++) await peer.next(0x04);
    expect(maxRunning).toBe(1);
    expect(order).toEqual([1, 2, 3, 4]);
  });
});

describe('a data set sent piece by piece', () => {
  /** `pieces` pieces of `size` bytes, counting those pulled and released, and the most out at once. */
  function countingSource(pieces: number, size: number) {
    const count = { pulled: 0, released: 0, mostOut: 0 };
    const source: DataSetSource = {
      *chunks() {
        for (let i = 0; i < pieces; i++) {
          count.pulled++;
          count.mostOut = Math.max(count.mostOut, count.pulled - count.released);
          yield Buffer.alloc(size, i);
        }
      },
      release: () => { count.released++; },
    };
    return { source, count };
  }
  const storeRq = { commandField: 0x0001, affectedSopClassUid: '1.2.3', affectedSopInstanceUid: '1.2.3.4', priority: 0, commandDataSetType: 0x0000 };

  it('waits for the socket to drain between pieces: a peer that stops reading holds the sender, memory bounded', async () => {
    let letGo!: () => void;
    const held = new Promise<void>((r) => { letGo = r; });
    const { association } = await scriptedAcceptor(async (peer) => {
      peer.socket.pause(); // reads nothing more: the kernel's buffers fill, then ours
      await held;
    });
    const PIECES = 64;
    const { source, count } = countingSource(PIECES, 1024 * 1024);
    association.request(1, storeRq, source).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 600));
    letGo();
    association.abort();
    expect(count.pulled).toBeGreaterThan(1);
    expect(count.pulled).toBeLessThan(PIECES);
    // Pieces not yet handed to the kernel: the one being written and the one pulled ahead.
    expect(count.mostOut).toBeLessThanOrEqual(2);
  });

  it('a piece the kernel takes at once is released before the next is read, though Node reports the write a tick later', async () => {
    // A sender reading inline runs from piece to piece in microtasks; were the release left to the
    // write's callback (a tick later), every piece would need fresh memory (10 x 50 MB: +148 MB).
    const { association } = await scriptedAcceptor(async () => undefined);
    const PIECES = 64;
    const { source, count } = countingSource(PIECES, 256); // 16 KB in all: the kernel's buffers take it at once
    association.request(1, storeRq, source).catch(() => undefined);
    for (let i = 0; i < 100 && count.released < PIECES; i++) await new Promise((r) => setTimeout(r, 5));
    association.abort();
    expect(count.pulled).toBe(PIECES);
    expect(count.released).toBe(PIECES); // each once
    expect(count.mostOut).toBeLessThanOrEqual(2);
  });
});

describe('pending responses (PS3.7 §9.1.2.1: FF00 / FF01 until the final one)', () => {
  const rsp = (status: number) => {
    const cmd = encodeCommandSet({ commandField: 0x8030, messageIdBeingRespondedTo: 1, affectedSopClassUid: VERIFICATION, commandDataSetType: 0x0101, status });
    return encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 1, isCommand: true, isLast: true, data: cmd }] });
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('each one starts the response timeout anew: a long query with steady pending answers is not cut off', async () => {
    const { association, scriptDone } = await scriptedAcceptor(async (peer) => {
      await peer.next(0x04);
      // Five pending answers 250 ms apart (1.25 s in all) against a 600 ms timeout, then the final one.
      for (let i = 0; i < 5; i++) {
        await sleep(250);
        peer.send(rsp(0xff00));
      }
      await sleep(250);
      peer.send(rsp(0x0000));
    });
    let pendings = 0;
    const final = await association.request(1, makeCEchoRq(0), undefined, { timeoutMs: 600, onPending: () => { pendings++; } });
    expect(final.command.status).toBe(0);
    expect(pendings).toBe(5);
    await scriptDone();
  });

  it('and the timeout still holds after the last of them', async () => {
    const { association } = await scriptedAcceptor(async (peer) => {
      await peer.next(0x04);
      await sleep(200);
      peer.send(rsp(0xff00));
      // then nothing
    });
    const started = Date.now();
    const err = await association.request(1, makeCEchoRq(0), undefined, { timeoutMs: 600 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'dimse', code: 'timeout' });
    // Timed from the pending answer (at ~200 ms), not from the request: ~800 ms, bounded at 3 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
