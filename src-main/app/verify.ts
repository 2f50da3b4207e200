// Verify a peer, step by step: resolve, TCP connect, TLS, A-ASSOCIATE, C-ECHO (xN), A-RELEASE.
// Each step is timed; a failure is reported with the step it happened in and one sentence in
// plain words with the likely fix. Used by `dicomnet echo` and, later, by the GUI's Verify button.

import { describeStatus } from '../../src-shared/dicom-status';
import type { VerifyFailure, VerifyResult, VerifyStep, VerifyStepName, VerifyTlsInfo } from '../../src-shared/models';
import { DicomAssociate } from '../dicomnet/association';
import { DicomNet } from '../dicomnet/dicom-net';
import { AssociationError } from '../dicomnet/errors';
import { echo } from '../dicomnet/services/echo';
import { TransportError, type CertificateSummary, type ConnectResult, type TlsConfig } from '../dicomnet/transport';
import { TransferSyntax } from '../dicomnet/part10/transfer-syntax';
import { SopClass, uidName } from '../dicomnet/uids';
import { nowMs } from '../dicomnet/clock';

/** Whom to talk to and as whom: what verify and send both take. */
export interface PeerConnection {
  readonly host: string;
  readonly port: number;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly tls?: TlsConfig;
  /** Limit for each step (connect, negotiate, each response), in ms. */
  readonly timeoutMs: number;
}

export interface VerifyOptions extends PeerConnection {
  /** C-ECHOs inside the one association (default 1). */
  readonly repeat?: number;
  /** Transfer syntaxes proposed for Verification (default explicit and implicit little endian). */
  readonly transferSyntaxes?: readonly string[];
  /**
   * Stops a repeat loop after the C-ECHO under way, the association then released; before the
   * association is accepted, it ends the step under way at once.
   */
  readonly signal?: AbortSignal;
}

export async function verifyPeer(o: VerifyOptions): Promise<VerifyResult> {
  const started = nowMs();
  const steps: VerifyStep[] = [];
  const repeat = Math.max(1, o.repeat ?? 1);
  const base = { host: o.host, port: o.port, callingAeTitle: o.callingAeTitle, calledAeTitle: o.calledAeTitle };
  const net = DicomNet.startup({ timeouts: { acseMs: o.timeoutMs, dimseMs: o.timeoutMs, releaseMs: o.timeoutMs, artimMs: o.timeoutMs } });
  const associate = new DicomAssociate({
    callingAeTitle: o.callingAeTitle,
    calledAeTitle: o.calledAeTitle,
    presentationContexts: [{
      abstractSyntax: SopClass.Verification,
      transferSyntaxes: o.transferSyntaxes ?? [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian],
    }],
  });
  const fail = (failure: VerifyFailure, extra: Partial<VerifyResult> = {}): VerifyResult => ({
    ...base, ok: false, steps, failure, totalMs: nowMs() - started, ...extra,
  });

  let connected;
  try {
    connected = await net.connect({ host: o.host, port: o.port, tls: o.tls, associate, connectTimeoutMs: o.timeoutMs, signal: o.signal });
  } catch (err) {
    const f = toFailure(err, 'associate');
    const timings: Record<string, number | undefined> | undefined = err instanceof TransportError ? { ...err.timings }
      : err instanceof AssociationError ? (err.details.timings as Record<string, number> | undefined) : undefined;
    addTransportSteps(steps, f.step, timings, o.tls !== undefined, f.plain);
    if (f.step === 'associate') steps.push({ step: 'associate', ok: false, ms: timings?.associateMs ?? 0, detail: f.plain });
    await net.close(0);
    // A refused certificate is shown too: what it says often explains the failure (dates, issuer).
    const cert = err instanceof TransportError ? err.peerCertificate : undefined;
    return fail(f, cert ? { tls: certificateInfo(cert) } : {});
  }

  const { association, timings, transport } = connected;
  steps.push({ step: 'resolve', ok: true, ms: timings.resolveMs, detail: transport.address });
  steps.push({ step: 'connect', ok: true, ms: timings.connectMs });
  const tls = tlsInfo(transport);
  if (o.tls) steps.push({ step: 'tls', ok: true, ms: timings.tlsMs ?? 0, detail: `${tls?.protocol ?? '?'} ${tls?.cipher ?? ''}`.trim() });
  const pc = associate.findAcceptedContext(SopClass.Verification);
  steps.push({
    step: 'associate',
    ok: pc !== undefined,
    ms: timings.associateMs,
    detail: pc ? `Verification accepted with ${uidName(pc.transferSyntax ?? '')}` : 'Verification not accepted',
  });

  const rtts: number[] = [];
  let lastStatus: number | undefined;
  let failure: VerifyFailure | undefined;
  const echoStarted = nowMs();
  try {
    for (let i = 0; i < repeat; i++) {
      if (o.signal?.aborted) {
        failure = { step: 'echo', code: 'cancelled', plain: `Interrupted after ${i} of ${repeat} C-ECHOs, all answered with Success; the association is then released (see its step).` };
        break;
      }
      const r = await echo(association, o.timeoutMs);
      lastStatus = r.status;
      if (r.status !== 0x0000) {
        failure = { step: 'echo', code: 'status', plain: `The peer answered the C-ECHO with status ${describeStatus(r.status)} instead of Success.` };
        break;
      }
      rtts.push(r.rttMs);
    }
  } catch (err) {
    failure = toFailure(err, 'echo');
  }
  const echoes = {
    sent: rtts.length + (failure && failure.code !== 'cancelled' ? 1 : 0),
    succeeded: rtts.length,
    lastStatus,
    rttMs: rtts.length ? { min: Math.min(...rtts), avg: rtts.reduce((s, x) => s + x, 0) / rtts.length, max: Math.max(...rtts) } : undefined,
  };
  steps.push({
    step: 'echo',
    ok: !failure,
    ms: nowMs() - echoStarted,
    detail: failure ? failure.plain : `${rtts.length} x ${describeStatus(0)}`,
  });

  if (!association.isClosed && association.state === 'Sta6') {
    const releaseStarted = nowMs();
    try {
      await association.release();
      steps.push({ step: 'release', ok: true, ms: nowMs() - releaseStarted });
    } catch (err) {
      const f = toFailure(err, 'release');
      steps.push({ step: 'release', ok: false, ms: nowMs() - releaseStarted, detail: f.plain });
      failure ??= f;
    }
  }
  await net.close(0);
  if (failure) return fail(failure, { echoes, tls });
  return { ...base, ok: true, steps, echoes, tls, totalMs: nowMs() - started };
}

function addTransportSteps(steps: VerifyStep[], failedAt: VerifyStepName, timings: Record<string, number | undefined> | undefined, tls: boolean, why: string): void {
  const order: VerifyStepName[] = tls ? ['resolve', 'connect', 'tls'] : ['resolve', 'connect'];
  for (const name of order) {
    const ms = timings?.[`${name}Ms`];
    if (name === failedAt) {
      steps.push({ step: name, ok: false, ms: ms ?? 0, detail: why });
      return;
    }
    // Not reached: our TLS key is checked before the name is resolved (transport.ts).
    if (ms === undefined && failedAt === 'tls') continue;
    steps.push({ step: name, ok: true, ms: ms ?? 0 });
  }
}

function toFailure(err: unknown, fallback: VerifyStepName): VerifyFailure {
  if (err instanceof TransportError) return { step: err.step, code: err.code, plain: err.plain };
  if (err instanceof AssociationError) {
    const step: VerifyStepName = err.step === 'dimse' ? 'echo' : err.step;
    return { step, code: err.code, plain: err.plain };
  }
  return { step: fallback, code: 'error', plain: `Unexpected error during ${fallback}: ${(err as Error)?.message ?? String(err)}` };
}

function tlsInfo(t: ConnectResult): VerifyTlsInfo | undefined {
  if (!t.tls) return undefined;
  return { protocol: t.tls.protocol, cipher: t.tls.cipher, ...certificateInfo(t.tls.peerCertificate) };
}

/** The peer's certificate as a verify result shows it: after a handshake, or refused by it. */
function certificateInfo(c: CertificateSummary | undefined): VerifyTlsInfo {
  return { peerSubject: c?.subject, peerIssuer: c?.issuer, peerFingerprint256: c?.fingerprint256, validFrom: c?.validFrom, validTo: c?.validTo };
}
