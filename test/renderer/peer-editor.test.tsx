// @vitest-environment jsdom
// The peer editor as a person uses it: problems shown as you type, Save only for a valid peer, and
// what it saves trimmed and typed. Component test (jsdom + Testing Library), no services needed.

import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EMPTY_PEER_FORM, PeerEditor } from '../../src-renderer/pages/PeerEditor';
import { fingerprint, trusted } from './cert-fixtures';

afterEach(cleanup);

function type(label: string, value: string): void {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

const save = () => screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;

describe('PeerEditor', () => {
  it('names each problem as it is typed and keeps Save disabled until the peer is valid', () => {
    const onSave = vi.fn(async () => undefined);
    render(<PeerEditor initial={EMPTY_PEER_FORM} onClose={() => undefined} onSave={onSave} />);
    expect(save().disabled).toBe(true);
    type('Name', 'PACS');
    type('AE title', 'PACS\\MAIN');
    expect(screen.getByText('An AE title must not contain a backslash (\\).')).toBeTruthy();
    type('AE title', 'THIS_AE_TITLE_IS_TOO_LONG');
    expect(screen.getByText(/16/)).toBeTruthy();
    type('AE title', 'PACS');
    type('Host', 'not a host!');
    expect(screen.getByText(/is not a host name or an IP address/)).toBeTruthy();
    type('Host', ' pacs.example.org ');
    type('Port', '70000');
    expect(screen.getByText('must be a whole number from 1 to 65535')).toBeTruthy();
    expect(save().disabled).toBe(true);
    type('Port', '104');
    expect(save().disabled).toBe(false);
    expect(onSave).not.toHaveBeenCalled();
  });

  it('saves the peer trimmed, with a numeric port and TLS off by default', async () => {
    const onSave = vi.fn(async () => undefined);
    render(<PeerEditor initial={EMPTY_PEER_FORM} onClose={() => undefined} onSave={onSave} />);
    type('Name', ' Main PACS ');
    type('AE title', ' PACS ');
    type('Host', '10.0.0.5');
    type('Port', '11112');
    await act(async () => { fireEvent.click(save()); });
    expect(onSave).toHaveBeenCalledWith({
      id: undefined, name: 'Main PACS', aeTitle: 'PACS', host: '10.0.0.5', port: 11112, tls: 'off',
      trustAnchors: [], checkHostName: true, pinnedFingerprint: '',
    });
    expect(screen.queryByLabelText('Pinned SHA-256 fingerprint')).toBeNull();
  });

  it("shows main's refusal when saving fails", async () => {
    render(<PeerEditor initial={{ ...EMPTY_PEER_FORM, name: 'X', aeTitle: 'X', host: 'h' }} onClose={() => undefined} onSave={async () => { throw new Error('Peer not added: a reason from main'); }} />);
    await act(async () => { fireEvent.click(save()); });
    expect(screen.getByText('Peer not added: a reason from main')).toBeTruthy();
  });

  it('with TLS: the host name check on by default, and the pin checked as typed and saved normalised', async () => {
    const onSave = vi.fn(async () => undefined);
    render(<PeerEditor initial={{ ...EMPTY_PEER_FORM, name: 'PACS', aeTitle: 'PACS', host: 'pacs.example', port: '2762' }} onClose={() => undefined} onSave={onSave} />);
    expect(screen.queryByLabelText('Check the host name')).toBeNull();
    fireEvent.mouseDown(screen.getByRole('combobox', { name: 'TLS' }));
    fireEvent.click(screen.getByRole('option', { name: 'TLS' }));
    await waitFor(() => expect(screen.queryByRole('listbox')).toBeNull());
    const hostCheck = screen.getByLabelText('Check the host name') as HTMLInputElement;
    expect(hostCheck.checked).toBe(true);
    type('Pinned SHA-256 fingerprint', 'AB:CD:12');
    expect(screen.getByText('must be empty or a SHA-256 fingerprint (64 hex digits, colons optional)')).toBeTruthy();
    expect(save().disabled).toBe(true);
    type('Pinned SHA-256 fingerprint', 'sha256 ' + 'ab'.repeat(32));
    expect(screen.queryByText(/must be empty or a SHA-256 fingerprint/)).toBeNull();
    expect(save().disabled).toBe(false);
    fireEvent.click(hostCheck);
    await act(async () => { fireEvent.click(save()); });
    expect(onSave).toHaveBeenCalledWith(expect.objectContaining({ tls: 'tls', checkHostName: false, pinnedFingerprint: fingerprint('AB'), trustAnchors: [] }));
  });

  it('offers the trusted certificates as trust anchors: none chosen means any; the chosen ones are saved by fingerprint', async () => {
    const onSave = vi.fn(async () => undefined);
    const list = [trusted('Site CA', { fingerprint256: fingerprint('11'), isCa: true }), trusted('Radiology CA', { fingerprint256: fingerprint('22'), isCa: true })];
    render(<PeerEditor initial={{ ...EMPTY_PEER_FORM, name: 'PACS', aeTitle: 'PACS', host: 'pacs.example', tls: 'mutual' }} trusted={list} hasIdentity={false} onClose={() => undefined} onSave={onSave} />);
    const anchors = screen.getByRole('combobox', { name: 'Trust anchors' });
    expect(anchors.textContent).toBe('Any trusted certificate');
    expect(screen.getByText(/Mutual TLS presents our certificate, and there is none yet/)).toBeTruthy();
    fireEvent.mouseDown(anchors);
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['Site CA (11:11:11:11…11:11)', 'Radiology CA (22:22:22:22…22:22)']);
    fireEvent.click(screen.getByRole('option', { name: /Radiology CA/ }));
    fireEvent.keyDown(screen.getByRole('listbox'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('listbox')).toBeNull());
    expect(screen.getByRole('combobox', { name: 'Trust anchors' }).textContent).toBe('Radiology CA (22:22:22:22…22:22)');
    await act(async () => { fireEvent.click(save()); });
    expect(onSave).toHaveBeenCalledWith(expect.objectContaining({ tls: 'mutual', trustAnchors: [fingerprint('22')], checkHostName: true, pinnedFingerprint: '' }));
  });

  it('keeps an anchor that is no longer trusted visible, so it can be removed', () => {
    render(<PeerEditor initial={{ ...EMPTY_PEER_FORM, name: 'PACS', aeTitle: 'PACS', host: 'h', tls: 'tls', trustAnchors: [fingerprint('33')] }} trusted={[]} onClose={() => undefined} onSave={async () => undefined} />);
    expect(screen.getByRole('combobox', { name: 'Trust anchors' }).textContent).toBe('No longer trusted (33:33:33:33…33:33)');
    expect(screen.getByText(/No trusted certificates yet/)).toBeTruthy();
  });
});
