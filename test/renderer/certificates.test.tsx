// @vitest-environment jsdom
// The Certificates page's parts as a person uses them: the create dialog checks names as they are
// typed and sends a typed request; our identity's card warns before the certificate expires; the
// trusted table stops trusting the certificate of the row; the page follows 'certs:changed'.
// Only the preload's transport (window.api) is stubbed, by ./fake-api.

import { calls, emit, reply, requestsOn, resetApi } from './fake-api';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CertificatesPage } from '../../src-renderer/pages/CertificatesPage';
import { CreateIdentityDialog } from '../../src-renderer/pages/certificates/CreateIdentityDialog';
import { IdentityCard } from '../../src-renderer/pages/certificates/IdentityCard';
import { TrustedCertificates } from '../../src-renderer/pages/certificates/TrustedCertificates';
import type { CertificatesState } from '../../src-shared/certificates';
import { certificate, fingerprint, trusted, withIdentity } from './cert-fixtures';

afterEach(() => { cleanup(); resetApi(); });

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;

describe('CreateIdentityDialog', () => {
  const proposal = { keyType: 'ec-p256' as const, subject: { commonName: 'ws1', organization: 'Clinic' }, dnsNames: ['ws1.local'], ipAddresses: ['10.0.0.5'], days: 825 };

  it('starts from the proposal, names a bad IP address under its field and keeps Create disabled until it is fixed', async () => {
    reply('certs:defaults', () => proposal);
    const created = withIdentity(certificate());
    reply('certs:create', () => created);
    const onChanged = vi.fn();
    const onClose = vi.fn();
    render(<CreateIdentityDialog onClose={onClose} onChanged={onChanged} />);
    await waitFor(() => expect((screen.getByLabelText('Common name') as HTMLInputElement).value).toBe('ws1'));
    expect((screen.getByLabelText('DNS names') as HTMLInputElement).value).toBe('ws1.local');
    expect((screen.getByLabelText('Validity (days)') as HTMLInputElement).value).toBe('825');
    expect(screen.getByRole('combobox', { name: 'Key type' }).textContent).toBe('ECDSA P-256');
    expect(button('Create').disabled).toBe(false);

    type('IP addresses', '10.0.0.5, 127.0.0.999');
    expect(screen.getByText("'127.0.0.999' is not an IP address")).toBeTruthy();
    expect(screen.getByLabelText('IP addresses').getAttribute('aria-invalid')).toBe('true');
    expect(button('Create').disabled).toBe(true);
    type('IP addresses', '10.0.0.5, 127.0.0.1');
    expect(screen.queryByText("'127.0.0.999' is not an IP address")).toBeNull();
    type('Validity (days)', '0');
    expect(screen.getByText('must be a whole number of days from 1 to 3650')).toBeTruthy();
    expect(button('Create').disabled).toBe(true);
    type('Validity (days)', '90');
    type('Common name', '  ');
    expect(screen.getByText('must be 1-64 characters')).toBeTruthy();
    type('Common name', 'ws1.clinic.example');
    expect(button('Create').disabled).toBe(false);
    expect(requestsOn('certs:create')).toEqual([]);

    await act(async () => { fireEvent.click(button('Create')); });
    expect(requestsOn('certs:create')).toEqual([{
      keyType: 'ec-p256', subject: { commonName: 'ws1.clinic.example', organization: 'Clinic' },
      dnsNames: ['ws1.local'], ipAddresses: ['10.0.0.5', '127.0.0.1'], days: 90, mode: 'self-signed',
    }]);
    expect(onChanged).toHaveBeenCalledWith(created);
    expect(onClose).toHaveBeenCalled();
  });

  it('a signing request: sent as csr, and its PEM shown with what to do next', async () => {
    reply('certs:defaults', () => proposal);
    const csrPem = '-----BEGIN CERTIFICATE REQUEST-----\nMIIC\n-----END CERTIFICATE REQUEST-----\n';
    reply('certs:create', () => ({ trusted: [], pendingCsr: { pem: csrPem, subject: 'CN=ws1, O=Clinic', createdAt: new Date().toISOString() } }));
    const onClose = vi.fn();
    render(<CreateIdentityDialog onClose={onClose} onChanged={() => undefined} />);
    await waitFor(() => expect((screen.getByLabelText('Common name') as HTMLInputElement).value).toBe('ws1'));
    fireEvent.click(screen.getByLabelText('Signing request (CSR) for our CA'));
    await act(async () => { fireEvent.click(button('Create')); });
    expect((requestsOn('certs:create')[0] as { mode: string }).mode).toBe('csr');
    expect((screen.getByLabelText('Certificate signing request (PEM)') as HTMLTextAreaElement).value).toBe(csrPem);
    expect(screen.getByText(/Import identity/)).toBeTruthy();
    expect(screen.getByRole('button', { name: /Copy CSR/ })).toBeTruthy();
    expect(onClose).not.toHaveBeenCalled();
  });

  it("shows main's refusal in its words", async () => {
    reply('certs:defaults', () => proposal);
    reply('certs:create', () => { throw new Error('Cannot write the key: the data folder is read-only'); });
    render(<CreateIdentityDialog onClose={() => undefined} onChanged={() => undefined} />);
    await waitFor(() => expect(button('Create').disabled).toBe(false));
    await act(async () => { fireEvent.click(button('Create')); });
    expect(screen.getByText('Cannot write the key: the data folder is read-only')).toBeTruthy();
  });
});

describe('IdentityCard', () => {
  const noop = () => undefined;
  const card = (state: CertificatesState, onRemove = vi.fn(async () => undefined)) =>
    render(<IdentityCard state={state} onCreate={noop} onImport={noop} onExport={noop} onDetails={noop} onRemove={onRemove} />);

  it('shows our certificate, and a warning chip when it expires within 30 days', () => {
    const c = certificate({ toDays: 12, fingerprint256: fingerprint('3C') });
    card({ ...withIdentity(c), identity: { ...withIdentity(c).identity!, keyProtection: 'file-permissions' } });
    const chip = screen.getAllByText('Expires in 12 days')[0].closest('.MuiChip-root')!;
    expect(chip.className).toMatch(/MuiChip-colorWarning/);
    expect(screen.getByText(fingerprint('3C'))).toBeTruthy();
    expect(screen.getByText('CN=ws1.clinic.example, O=Clinic, C=DE')).toBeTruthy();
    expect(screen.getByText('DNS ws1.clinic.example, IP 10.0.0.5')).toBeTruthy();
    expect(screen.getByText('EC P-256')).toBeTruthy();
    expect(screen.getByText('serverAuth, clientAuth')).toBeTruthy();
    expect(screen.getByText('Self-signed: peers must trust this certificate itself')).toBeTruthy();
    expect(screen.getByText('Private key protected by file permissions only')).toBeTruthy();
    for (const name of ['Export', 'Details', 'Replace', 'Remove']) expect(button(name)).toBeTruthy();
  });

  it('a valid certificate has no warning; an expired one is flagged as an error', () => {
    card(withIdentity(certificate({ toDays: 200 })));
    expect(screen.queryByText(/Expires in/)).toBeNull();
    expect(screen.getByText('Private key encrypted by the OS keychain')).toBeTruthy();
    cleanup();
    card(withIdentity(certificate({ fromDays: -400, toDays: -3 })));
    expect(screen.getAllByText('Expired')[0].closest('.MuiChip-root')!.className).toMatch(/MuiChip-colorError/);
  });

  it('without an identity offers to create or import one; Remove asks first', async () => {
    const onCreate = vi.fn();
    const onImport = vi.fn();
    render(<IdentityCard state={{ trusted: [] }} onCreate={onCreate} onImport={onImport} onExport={noop} onDetails={noop} onRemove={async () => undefined} />);
    fireEvent.click(button('Create identity'));
    fireEvent.click(button('Import identity'));
    expect(onCreate).toHaveBeenCalledOnce();
    expect(onImport).toHaveBeenCalledOnce();
    cleanup();
    const onRemove = vi.fn(async () => undefined);
    card(withIdentity(certificate()), onRemove);
    fireEvent.click(button('Remove'));
    expect(onRemove).not.toHaveBeenCalled();
    await act(async () => { fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove' })); });
    expect(onRemove).toHaveBeenCalledOnce();
  });
});

describe('TrustedCertificates', () => {
  it('lists each certificate and Remove stops trusting the one of its row (certs:untrust with its fingerprint)', async () => {
    const siteCa = trusted('Site CA', { subject: 'CN=Site CA', issuer: 'CN=Site CA', isCa: true, fingerprint256: fingerprint('11') });
    const oldPeer = trusted('Old PACS', { subject: 'CN=old-pacs', issuer: 'CN=Site CA', selfSigned: false, fromDays: -800, toDays: -5, fingerprint256: fingerprint('22') });
    const after: CertificatesState = { trusted: [siteCa] };
    reply('certs:untrust', () => after);
    const onChanged = vi.fn();
    render(<TrustedCertificates trusted={[siteCa, oldPeer]} onChanged={onChanged} onTrust={() => undefined} onInspect={() => undefined} />);
    const table = screen.getByRole('table', { name: 'trusted certificates' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining('Site CA'), expect.stringContaining('Old PACS')]);
    expect(within(rows[0]).getByText('Yes')).toBeTruthy();
    expect(within(rows[0]).getByText('11:11:11:11…11:11')).toBeTruthy();
    expect(within(rows[1]).getByText('Expired').closest('.MuiChip-root')!.className).toMatch(/MuiChip-colorError/);

    fireEvent.click(within(rows[1]).getByRole('button', { name: 'Remove' }));
    expect(requestsOn('certs:untrust')).toEqual([]);
    await act(async () => { fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove' })); });
    expect(requestsOn('certs:untrust')).toEqual([{ fingerprint256: fingerprint('22') }]);
    expect(onChanged).toHaveBeenCalledWith(after);
  });
});

describe('CertificatesPage', () => {
  it('warns of expiring certificates at the top and follows certs:changed', async () => {
    reply('certs:state', () => ({ trusted: [] }));
    render(<CertificatesPage />);
    expect(await screen.findByRole('button', { name: 'Create identity' })).toBeTruthy();
    expect(screen.queryByTestId('expiry-warnings')).toBeNull();
    expect(calls.map((c) => c.channel)).toEqual(['certs:state']);
    act(() => emit('certs:changed', withIdentity(certificate({ toDays: 5 }), { trusted: [trusted('Site CA', { fromDays: -900, toDays: -1 })] })));
    const alert = await screen.findByTestId('expiry-warnings');
    expect(alert.textContent).toMatch(/Our certificate expires in 5 days/);
    expect(alert.textContent).toMatch(/Trusted certificate Site CA expired/);
    expect(screen.queryByRole('button', { name: 'Create identity' })).toBeNull();
    expect(button('Export')).toBeTruthy();
  });
});
