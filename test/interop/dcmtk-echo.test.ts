// Interop with DCMTK (the reference peer): echoscu against our SCP, our `dicomnet echo` against
// DCMTK storescp; plain and TLS. DCMTK always runs with TCP_NODELAY=1 (see test/helpers/dcmtk.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoHandlers } from '../../src-main/dicomnet/services/echo';
import { DicomScp, type ScpAssociationEvent } from '../../src-main/dicomnet/services/scp';
import { VERIFICATION_TRANSFER_SYNTAXES } from '../../src-main/dicomnet/uids';
import { formatEvent } from '../../src-main/cli/scp';
import { cliBuilt, runCli } from '../cli/run-cli';
import { makeTestPki, type TestPki } from '../helpers/certs';
import { killAllDcmtk, requireDcmtk, runDcmtk, startStorescp } from '../helpers/dcmtk';

const VERIFICATION = '1.2.840.10008.1.1';
const haveDcmtk = requireDcmtk('DCMTK C-ECHO interop');

describe.runIf(haveDcmtk && cliBuilt())('interop with DCMTK: C-ECHO', () => {
  let pki: TestPki;
  let scp: DicomScp;
  let plainPort: number;
  let tlsPort: number;
  const events: ScpAssociationEvent[] = [];

  beforeAll(async () => {
    pki = await makeTestPki();
    scp = new DicomScp({
      aeTitle: 'DICOMNET',
      listeners: [
        { host: '127.0.0.1', port: 0 },
        { host: '127.0.0.1', port: 0, tls: { cert: pki.server.certPem, key: pki.server.keyPem, ca: [pki.ca.certPem] } },
      ],
      supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]),
      handlers: echoHandlers,
    });
    scp.on('association', (e) => events.push(e));
    const [plain, tls] = await scp.start();
    plainPort = plain!.port;
    tlsPort = tls!.port;
  });

  afterAll(async () => {
    await scp?.stop(0);
    killAllDcmtk();
  });

  describe('echoscu -> our SCP', () => {
    it('plain: echoscu succeeds and we log its association', async () => {
      const r = await runDcmtk('echoscu', ['-v', '-aet', 'ECHOSCU', '-aec', 'DICOMNET', '127.0.0.1', String(plainPort)], 10_000);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/Received Echo Response \(Success\)/);
      expect(events.some((e) => e.callingAeTitle === 'ECHOSCU' && e.kind === 'accepted')).toBe(true);
    });

    it('plain, many transfer syntaxes proposed (-pts 3) and repeated echoes', async () => {
      const r = await runDcmtk('echoscu', ['-v', '-pts', '3', '--repeat', '20', '-aet', 'ECHOSCU3', '-aec', 'DICOMNET', '127.0.0.1', String(plainPort)], 10_000);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const accepted = events.find((e) => e.callingAeTitle === 'ECHOSCU3' && e.kind === 'accepted');
      expect(accepted?.contexts?.[0]?.result).toBe('acceptance');
      expect(VERIFICATION_TRANSFER_SYNTAXES).toContain(accepted?.contexts?.[0]?.transferSyntax);
      expect((r.stdout + r.stderr).match(/Received Echo Response \(Success\)/g)?.length).toBe(20);
    });

    it('wrong called AE title: echoscu reports the rejection reason we sent', async () => {
      const r = await runDcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'NOT-DICOMNET', '127.0.0.1', String(plainPort)], 10_000);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/Called AE Title Not Recognized/i);
    });

    it('findscu and movescu: each context refused as not supported, and the log line says so by name', async () => {
      const find = await runDcmtk('findscu', ['-P', '-aet', 'FINDSCU', '-aec', 'DICOMNET', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName', '127.0.0.1', String(plainPort)], 10_000);
      expect(find.code).not.toBe(0);
      expect(find.stdout + find.stderr).toMatch(/No Acceptable Presentation Contexts/);
      const move = await runDcmtk('movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'DICOMNET', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID=1.2.3', '127.0.0.1', String(plainPort)], 10_000);
      expect(move.code).not.toBe(0);
      const line = (aet: string) => formatEvent(events.find((e) => e.callingAeTitle === aet && e.kind === 'accepted')!);
      expect(line('FINDSCU')).toMatch(/FINDSCU -> DICOMNET accepted, but with no presentation context \(this node offers none of what was asked\): #1 PatientRootQueryRetrieveInformationModelFind abstract-syntax-not-supported/);
      expect(line('MOVESCU')).toMatch(/accepted, but with no presentation context .*: #1 StudyRootQueryRetrieveInformationModelFind abstract-syntax-not-supported.*; #3 StudyRootQueryRetrieveInformationModelMove abstract-syntax-not-supported/);
      // A context that is accepted is not called "no presentation context".
      expect(line('ECHOSCU')).toMatch(/ECHOSCU -> DICOMNET accepted: #1 Verification accepted \(/);
    });

    it('+tls: echoscu verifies our certificate against the CA and succeeds', async () => {
      const r = await runDcmtk('echoscu', [
        '-v', '+tls', pki.client.keyFile, pki.client.certFile, '+cf', pki.ca.certFile,
        '-aet', 'TLSECHO', '-aec', 'DICOMNET', '127.0.0.1', String(tlsPort),
      ], 15_000);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/Received Echo Response \(Success\)/);
      expect(events.some((e) => e.callingAeTitle === 'TLSECHO' && e.kind === 'accepted')).toBe(true);
    });
  });

  describe('dicomnet echo -> DCMTK storescp', () => {
    it('plain: exit 0 with the round-trip time', async () => {
      const storescp = await startStorescp(['-aet', 'STORESCP']);
      try {
        const r = await runCli(['echo', '127.0.0.1', String(storescp.port), '--aec', 'STORESCP', '--repeat', '10']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/10 x Success/);
      } finally {
        await storescp.stop();
      }
    });

    it('+tls: exit 0, reports the TLS version and the peer certificate', async () => {
      const storescp = await startStorescp(['-aet', 'STORESCP', '+tls', pki.server.keyFile, pki.server.certFile, '+cf', pki.ca.certFile], { tls: true });
      try {
        const r = await runCli(['echo', '127.0.0.1', String(storescp.port), '--aec', 'STORESCP', '--tls', '--ca', pki.ca.certFile,
          '--cert', pki.client.certFile, '--key', pki.client.keyFile, '--json']);
        expect(r.code, r.stderr + r.stdout).toBe(0);
        const o = JSON.parse(r.stdout);
        expect(o.steps.map((s: { step: string }) => s.step)).toEqual(['resolve', 'connect', 'tls', 'associate', 'echo', 'release']);
        expect(o.tls.protocol).toMatch(/^TLSv1\.[23]$/);
        expect(o.tls.peerFingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      } finally {
        await storescp.stop();
      }
    });

    it('plain echo to a TLS port: "expects TLS"', async () => {
      const storescp = await startStorescp(['-aet', 'STORESCP', '+tls', pki.server.keyFile, pki.server.certFile, '+cf', pki.ca.certFile], { tls: true });
      try {
        const r = await runCli(['echo', '127.0.0.1', String(storescp.port), '--aec', 'STORESCP', '--timeout', '5']);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/expects TLS/);
      } finally {
        await storescp.stop();
      }
    });

    it('storescp --refuse: the rejection is decoded and explained', async () => {
      const storescp = await startStorescp(['-aet', 'STORESCP', '--refuse']);
      try {
        const r = await runCli(['echo', '127.0.0.1', String(storescp.port), '--aec', 'STORESCP', '--json']);
        expect(r.code).toBe(1);
        const o = JSON.parse(r.stdout);
        expect(o.failure.step).toBe('associate');
        expect(o.failure.code).toBe('rejected');
        expect(o.failure.plain).toMatch(/rejected the association/);
      } finally {
        await storescp.stop();
      }
    });
  });
});
