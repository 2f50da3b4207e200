// @vitest-environment jsdom
// The peer editor as a person uses it: problems shown as you type, Save only for a valid peer, and
// what it saves trimmed and typed. Component test (jsdom + Testing Library), no services needed.

import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EMPTY_PEER_FORM, PeerEditor } from '../../src-renderer/pages/PeerEditor';

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
    expect(onSave).toHaveBeenCalledWith({ id: undefined, name: 'Main PACS', aeTitle: 'PACS', host: '10.0.0.5', port: 11112, tls: 'off' });
  });

  it("shows main's refusal when saving fails", async () => {
    render(<PeerEditor initial={{ ...EMPTY_PEER_FORM, name: 'X', aeTitle: 'X', host: 'h' }} onClose={() => undefined} onSave={async () => { throw new Error('Peer not added: a reason from main'); }} />);
    await act(async () => { fireEvent.click(save()); });
    expect(screen.getByText('Peer not added: a reason from main')).toBeTruthy();
  });
});
