// @vitest-environment jsdom
// A peer's TLS in the Peers page: its mode and expiry warnings in the row (from the certificate seen
// at the last verify, and from its trust anchors), and the TLS session in the verify details.

import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerTlsChips } from '../../src-renderer/pages/PeerTlsChips';
import { VerifyTlsDetails } from '../../src-renderer/pages/VerifyTlsDetails';
import type { VerifyResult } from '../../src-shared/models';
import type { Peer } from '../../src-shared/settings-schema';
import { fingerprint, trusted } from './cert-fixtures';

afterEach(cleanup);

const peer: Peer = { id: 'p1', name: 'PACS', aeTitle: 'PACS', host: 'pacs', port: 2762, tls: 'tls', trustAnchors: [], checkHostName: true, pinnedFingerprint: '' };
const failedAtTls: VerifyResult = {
  ok: false, host: 'pacs', port: 2762, callingAeTitle: 'WS', calledAeTitle: 'PACS', steps: [], totalMs: 3,
  failure: { step: 'tls', code: 'expired', plain: 'The certificate of pacs:2762 has expired' },
  tls: { peerSubject: 'CN=old-pacs', peerIssuer: 'CN=Site CA', peerFingerprint256: fingerprint('44'), validFrom: '2020-01-01T00:00:00.000Z', validTo: '2021-01-01T00:00:00.000Z' },
};

describe('PeerTlsChips', () => {
  it('plain peers say Off; TLS peers show their mode', () => {
    render(<PeerTlsChips peer={{ ...peer, tls: 'off' }} trusted={[]} />);
    expect(screen.getByText('Off')).toBeTruthy();
    cleanup();
    render(<PeerTlsChips peer={{ ...peer, tls: 'mutual' }} trusted={[]} />);
    expect(screen.getByText('Mutual TLS')).toBeTruthy();
    expect(screen.queryByText(/Certificate|Trust anchor/)).toBeNull();
  });

  it('warns when the certificate seen at the last verify expired, or a trust anchor expires soon', () => {
    const anchor = trusted('Site CA', { fingerprint256: fingerprint('11'), toDays: 10 });
    render(<PeerTlsChips peer={{ ...peer, trustAnchors: [anchor.fingerprint256] }} result={failedAtTls} trusted={[anchor, trusted('Other', { fingerprint256: fingerprint('99'), toDays: -1 })]} />);
    expect(screen.getByText('Certificate expired').closest('.MuiChip-root')!.className).toMatch(/MuiChip-colorError/);
    expect(screen.getByText('Trust anchor expires in 10 days').closest('.MuiChip-root')!.className).toMatch(/MuiChip-colorWarning/);
    expect(screen.getAllByText(/Trust anchor/)).toHaveLength(1);
  });
});

describe('VerifyTlsDetails', () => {
  it("shows the peer's certificate even when the TLS step failed because of it", () => {
    render(<VerifyTlsDetails tls={failedAtTls.tls!} />);
    const text = screen.getByTestId('verify-tls').textContent;
    expect(text).toContain('CN=old-pacs');
    expect(text).toContain('CN=Site CA');
    expect(text).toContain(fingerprint('44'));
    expect(text).toContain('2020-01-01 00:00 UTC to 2021-01-01 00:00 UTC');
    expect(text).toContain('Expired');
    expect(text).toContain('(not negotiated)');
  });
});
