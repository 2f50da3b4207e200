// Our SCU against our SCP over loopback: association, C-ECHO, release, abort, rejections, the
// asynchronous operations window, concurrency. TLS variants live in loopback-tls.test.ts.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyPeer } from '../../src-main/app/verify';
import { DicomAssociate } from '../../src-main/dicomnet/association';
import type { Association } from '../../src-main/dicomnet/connection';
import { DicomNet } from '../../src-main/dicomnet/dicom-net';
import { AssociationError } from '../../src-main/dicomnet/errors';
import { echo, echoHandlers } from '../../src-main/dicomnet/services/echo';
import type { RequestHandler } from '../../src-main/dicomnet/services/handlers';
import { DicomScp, type ScpAssociationEvent, type ScpOptions } from '../../src-main/dicomnet/services/scp';
import { VERIFICATION_TRANSFER_SYNTAXES } from '../../src-main/dicomnet/uids';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';

const scps: DicomScp[] = [];
const nets: DicomNet[] = [];

async function startScp(extra: Partial<ScpOptions> = {}): Promise<{ scp: DicomScp; port: number; events: ScpAssociationEvent[] }> {
  const scp = new DicomScp({
    aeTitle: 'DICOMNET',
    listeners: [{ host: '127.0.0.1', port: 0 }],
    supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]),
    handlers: echoHandlers,
    ...extra,
  });
  const events: ScpAssociationEvent[] = [];
  scp.on('association', (e) => events.push(e));
  scps.push(scp);
  const [address] = await scp.start();
  return { scp, port: address!.port, events };
}

function client(): DicomNet {
  const net = DicomNet.startup({ timeouts: { acseMs: 5000, dimseMs: 5000, releaseMs: 5000, artimMs: 2000 } });
  nets.push(net);
  return net;
}

function proposal(extra: Partial<ConstructorParameters<typeof DicomAssociate>[0]> = {}): DicomAssociate {
  return new DicomAssociate({
    callingAeTitle: 'SCU',
    calledAeTitle: 'DICOMNET',
    presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT, EXPLICIT] }],
    ...extra,
  });
}

afterEach(async () => {
  await Promise.all(nets.splice(0).map((n) => n.close(0)));
});
afterAll(async () => {
  await Promise.all(scps.splice(0).map((s) => s.stop(0)));
});

describe('loopback: our SCU against our SCP', () => {
  let port: number;
  let events: ScpAssociationEvent[];
  beforeAll(async () => {
    ({ port, events } = await startScp());
  });

  it('associates, echoes, releases; both sides see every step', async () => {
    const net = client();
    const { association, timings } = await net.connect({ host: '127.0.0.1', port, associate: proposal() });
    expect(association.state).toBe('Sta6');
    expect(timings.associateMs).toBeGreaterThan(0);
    const pc = association.associate?.findAcceptedContext(VERIFICATION);
    expect(pc?.transferSyntax).toBe(EXPLICIT); // the SCP's preference among those proposed
    const r = await echo(association);
    expect(r.status).toBe(0);
    await association.release();
    expect(association.state).toBe('Sta1');
    await association.whenClosed();
    // Having received A-RELEASE-RP, the requestor closes (PS3.8 AR-3) without waiting for the
    // acceptor, which then sees the connection close.
    await waitUntil(() => events.some((e) => e.callingAeTitle === 'SCU' && e.kind === 'closed'));
    const mine = events.filter((e) => e.callingAeTitle === 'SCU');
    expect(mine.map((e) => e.kind)).toEqual(expect.arrayContaining(['accepted', 'released', 'closed']));
    expect(mine.find((e) => e.kind === 'accepted')?.contexts?.[0]?.result).toBe('acceptance');
  });

  it('answers first, reports after: a release is reported once its A-RELEASE-RP is out', async () => {
    // The release request is indicated before it is answered (PS3.8 AR-2, then AR-4); a listener's
    // work (the CLI's log line) must not sit between the two.
    const { scp, port: p } = await startScp();
    const seen = new Map<number, Association>();
    scp.net.on('associateRequest', (a) => seen.set(a.id, a));
    const statesAtReport: string[] = [];
    const reported = new Promise<void>((resolve) => scp.on('association', (e) => {
      if (e.kind !== 'released') return;
      statesAtReport.push(seen.get(e.associationId)?.state ?? 'unknown');
      resolve();
    }));
    const net = client();
    const { association } = await net.connect({ host: '127.0.0.1', port: p, associate: proposal() });
    await association.release();
    await reported;
    // Sta8: the release indicated, not yet answered; Sta13: A-RELEASE-RP sent; Sta1: closed since.
    expect(statesAtReport).toHaveLength(1);
    expect(['Sta13', 'Sta1']).toContain(statesAtReport[0]);
  });

  it('sends many C-ECHOs on one association with distinct message IDs', async () => {
    const net = client();
    const { association } = await net.connect({ host: '127.0.0.1', port, associate: proposal() });
    const ids = new Set<number>();
    association.on('data', (m) => ids.add(m.command.messageIdBeingRespondedTo ?? -1));
    for (let i = 0; i < 200; i++) expect((await echo(association)).status).toBe(0);
    expect(ids.size).toBe(200);
    await association.release();
  });

  it('verifyPeer reports every step with its duration', async () => {
    const r = await verifyPeer({ host: '127.0.0.1', port, callingAeTitle: 'SCU', calledAeTitle: 'DICOMNET', timeoutMs: 5000, repeat: 3 });
    expect(r.ok).toBe(true);
    expect(r.steps.map((s) => s.step)).toEqual(['resolve', 'connect', 'associate', 'echo', 'release']);
    expect(r.steps.every((s) => s.ok && s.ms >= 0)).toBe(true);
    expect(r.echoes?.succeeded).toBe(3);
  });

  it('a user abort from the SCU is seen by the SCP as a peer abort', async () => {
    const net = client();
    const { association } = await net.connect({ host: '127.0.0.1', port, associate: proposal({ callingAeTitle: 'ABORTER' }) });
    association.abort();
    await association.whenClosed();
    expect(association.state).toBe('Sta1');
    await waitUntil(() => events.some((e) => e.callingAeTitle === 'ABORTER' && e.kind === 'aborted'));
    expect(events.find((e) => e.callingAeTitle === 'ABORTER' && e.kind === 'aborted')?.detail).toMatch(/^peer/);
  });

  it('carries user identity, role selection and extended negotiation, and exposes them on both sides', async () => {
    const seen: DicomAssociate[] = [];
    const { scp, port: p2 } = await startScp();
    scp.net.on('associateRequest', (_a, assoc) => seen.push(assoc));
    const net = client();
    const identity = { type: 2, positiveResponseRequested: true, primaryField: Buffer.from('alice'), secondaryField: Buffer.from('secret') };
    const { association } = await net.connect({
      host: '127.0.0.1', port: p2, associate: proposal({
        userIdentity: identity,
        roleSelections: [{ sopClassUid: VERIFICATION, scuRole: 1, scpRole: 1 }],
        extendedNegotiations: [{ sopClassUid: VERIFICATION, serviceClassApplicationInformation: Buffer.from([1, 0]) }],
      }),
    });
    // Acceptor side: what was asked is exposed on the model.
    expect(seen[0]?.userIdentity).toMatchObject({ type: 2, positiveResponseRequested: true });
    expect(Buffer.from(seen[0]!.userIdentity!.primaryField).toString()).toBe('alice');
    expect(seen[0]?.extendedNegotiations).toHaveLength(1);
    // Requestor side: the answers.
    expect(association.associate?.userIdentityResponse).toBeDefined();
    expect(association.associate?.acceptedRoleSelections).toEqual([{ sopClassUid: VERIFICATION, scuRole: 1, scpRole: 0 }]);
    expect(association.associate?.acceptedExtendedNegotiations).toEqual([]);
    expect(association.associate?.acceptorImplementationVersionName).toBe('DICOMNET_010');
    await association.release();
  });

  it('a context with an unsupported abstract syntax is rejected alone, and echo on it is refused locally', async () => {
    const net = client();
    const { association } = await net.connect({
      host: '127.0.0.1', port, associate: proposal({
        presentationContexts: [{ abstractSyntax: '1.2.3.4', transferSyntaxes: [IMPLICIT] }, { abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2.4.50'] }],
      }),
    });
    expect(association.associate?.context(1)?.result).toBe(3);
    expect(association.associate?.context(3)?.result).toBe(4);
    await expect(echo(association)).rejects.toThrow(/did not accept the Verification/);
    await association.release();
  });
});

describe('loopback: rejections explained', () => {
  it('wrong called AE title: permanent, service-user, called AE title not recognised', async () => {
    const { port } = await startScp();
    const r = await verifyPeer({ host: '127.0.0.1', port, callingAeTitle: 'SCU', calledAeTitle: 'NOT-IT', timeoutMs: 5000 });
    expect(r.ok).toBe(false);
    expect(r.failure?.step).toBe('associate');
    expect(r.failure?.code).toBe('rejected');
    expect(r.failure?.plain).toMatch(/called AE title 'NOT-IT'/);
  });

  it('calling AE title not allowed: calling AE title not recognised, with the fix', async () => {
    const { port } = await startScp({ allowedCallingAeTitles: ['MOD1'] });
    const net = client();
    const err = await net.connect({ host: '127.0.0.1', port, associate: proposal({ callingAeTitle: 'WS1' }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssociationError);
    const e = err as AssociationError;
    expect(e.details).toMatchObject({ result: 1, source: 1, reason: 3 });
    expect(e.plain).toMatch(/does not recognise our calling AE title 'WS1': add it/);
    const ok = await net.connect({ host: '127.0.0.1', port, associate: proposal({ callingAeTitle: 'MOD1' }) });
    await ok.association.release();
  });

  it('over the association limit: transient, presentation provider, local limit exceeded', async () => {
    const { port } = await startScp({ maxAssociations: 2 });
    const net = client();
    const a = await net.connect({ host: '127.0.0.1', port, associate: proposal() });
    const b = await net.connect({ host: '127.0.0.1', port, associate: proposal() });
    const err = await net.connect({ host: '127.0.0.1', port, associate: proposal() }).catch((e: unknown) => e);
    expect((err as AssociationError).details).toMatchObject({ result: 2, source: 3, reason: 2 });
    expect((err as AssociationError).plain).toMatch(/limit/);
    await a.association.release();
    await a.association.whenClosed();
    const c = await net.connect({ host: '127.0.0.1', port, associate: proposal() });
    await Promise.all([b.association.release(), c.association.release()]);
  });

  it('an AC the SCP cannot encode becomes a rejection, not silence, and frees the slot', async () => {
    // 70 000 operations do not fit the 16-bit field of the window sub-item (PS3.7 D.3.3.3): our
    // AC fails to encode. The requestor must get an answer at once (not wait for its ACSE timeout),
    // and the failed association must not count against the limit.
    const { port, events } = await startScp({ maxAssociations: 1, asynchronousOperationsWindow: { maxOperationsInvoked: 70_000, maxOperationsPerformed: 70_000 } });
    const net = client();
    const err = await net.connect({ host: '127.0.0.1', port, associate: proposal({ asynchronousOperationsWindow: { maxOperationsInvoked: 0, maxOperationsPerformed: 0 } }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssociationError);
    // A rejection (before the fix: the ACSE timeout of the client, 'timeout', after 5 s).
    expect((err as AssociationError).code).toBe('rejected');
    expect((err as AssociationError).details).toMatchObject({ result: 1, source: 1, reason: 1 });
    await expect.poll(() => events.find((e) => e.kind === 'rejected')?.detail).toMatch(/could not be encoded.*does not fit an unsigned 16-bit field/);
    // Without a window in the RQ there is none in the AC: this one is accepted, in the one slot.
    const ok = await net.connect({ host: '127.0.0.1', port, associate: proposal() });
    await ok.association.release();
  });

  it('nothing listening: the connect step says so', async () => {
    const { scp, port } = await startScp();
    await scp.stop(0);
    const r = await verifyPeer({ host: '127.0.0.1', port, callingAeTitle: 'SCU', calledAeTitle: 'DICOMNET', timeoutMs: 3000 });
    expect(r.failure?.step).toBe('connect');
    expect(r.failure?.plain).toMatch(/Nothing is listening on 127\.0\.0\.1:\d+/);
  });
});

describe('loopback: asynchronous operations window and concurrency', () => {
  it('keeps at most the negotiated number of requests outstanding, and answers them all', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slowEcho: RequestHandler = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return { status: 0 };
    };
    const { port } = await startScp({
      handlers: new Map([[0x0030, slowEcho]]),
      asynchronousOperationsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 3 },
    });
    const net = client();
    const { association } = await net.connect({
      host: '127.0.0.1', port, associate: proposal({ asynchronousOperationsWindow: { maxOperationsInvoked: 8, maxOperationsPerformed: 1 } }),
    });
    expect(association.associate?.asynchronousOperationsWindow).toEqual({ maxOperationsInvoked: 3, maxOperationsPerformed: 1 });
    const results = await Promise.all(Array.from({ length: 12 }, () => echo(association)));
    expect(results.every((r) => r.status === 0)).toBe(true);
    expect(maxInFlight).toBe(3);
    await association.release();
  });

  it('without a window, requests go one at a time', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slowEcho: RequestHandler = async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { status: 0 };
    };
    const { port } = await startScp({ handlers: new Map([[0x0030, slowEcho]]) });
    const net = client();
    const { association } = await net.connect({ host: '127.0.0.1', port, associate: proposal() });
    await Promise.all(Array.from({ length: 5 }, () => echo(association)));
    expect(maxInFlight).toBe(1);
    await association.release();
  });

  it('a slow association does not delay another one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const handler: RequestHandler = async (_m, a: Association) => {
      if (a.associate?.callingAeTitle === 'SLOW') await gate;
      return { status: 0 };
    };
    const { port } = await startScp({ handlers: new Map([[0x0030, handler]]) });
    const net = client();
    const slow = await net.connect({ host: '127.0.0.1', port, associate: proposal({ callingAeTitle: 'SLOW' }) });
    const slowEcho = echo(slow.association);
    const fast = await net.connect({ host: '127.0.0.1', port, associate: proposal({ callingAeTitle: 'FAST' }) });
    expect((await echo(fast.association)).status).toBe(0);
    await fast.association.release();
    release();
    expect((await slowEcho).status).toBe(0);
    await slow.association.release();
  });

  it('a DIMSE timeout aborts the association and names the step', async () => {
    const never: RequestHandler = () => new Promise(() => { /* never answers */ });
    const { port } = await startScp({ handlers: new Map([[0x0030, never]]) });
    const net = client();
    const { association } = await net.connect({ host: '127.0.0.1', port, associate: proposal() });
    const err = await echo(association, 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssociationError);
    expect((err as AssociationError).step).toBe('dimse');
    expect((err as AssociationError).code).toBe('timeout');
    await association.whenClosed();
  });

  it('a short DIMSE timeout after a long one fires at its own deadline', async () => {
    // One timer serves every request's deadline; the first request armed it for 20 s, and it is
    // not cleared by the response: the second request's 300 ms must still be kept.
    let answered = 0;
    const onceOnly: RequestHandler = () => (answered++ === 0 ? { status: 0 } : new Promise(() => { /* never answers */ }));
    const { port } = await startScp({ handlers: new Map([[0x0030, onceOnly]]) });
    const net = client();
    const { association } = await net.connect({ host: '127.0.0.1', port, associate: proposal() });
    expect((await echo(association, 20_000)).status).toBe(0);
    const started = Date.now();
    const err = await echo(association, 300).catch((e: unknown) => e);
    const waited = Date.now() - started;
    expect((err as AssociationError).code).toBe('timeout');
    expect((err as AssociationError).message).toContain('within 0.3 s');
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(5000);
    await association.whenClosed();
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
