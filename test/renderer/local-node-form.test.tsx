// @vitest-environment jsdom
// The local node form: problems named as they are typed; what it saves is typed and split.

import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalNodeForm } from '../../src-renderer/pages/LocalNodeForm';
import { DEFAULT_SETTINGS } from '../../src-shared/settings-schema';

afterEach(cleanup);

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const save = () => screen.getByRole('button', { name: 'Save and apply' }) as HTMLButtonElement;

describe('LocalNodeForm', () => {
  it('shows the defaults, names bad fields as typed, and blocks saving them', () => {
    const onSave = vi.fn();
    render(<LocalNodeForm settings={DEFAULT_SETTINGS.localNode} defaultStorageFolder="/data/received" onSave={onSave} />);
    expect((screen.getByLabelText('AE title') as HTMLInputElement).value).toBe('DICOMNET');
    expect((screen.getByLabelText('Port') as HTMLInputElement).value).toBe('11112');
    expect(screen.getByText('Empty: /data/received')).toBeTruthy();
    expect(save().disabled).toBe(false);
    type('Port', '0');
    expect(screen.getByText('must be a whole number from 1 to 65535')).toBeTruthy();
    expect(save().disabled).toBe(true);
    type('Port', '104');
    type('Allowed calling AE titles', 'MOD1, BAD\\AE');
    expect(screen.getByText('An AE title must not contain a backslash (\\).')).toBeTruthy();
    expect(save().disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Revert' }));
    expect((screen.getByLabelText('Port') as HTMLInputElement).value).toBe('11112');
    expect(onSave).not.toHaveBeenCalled();
  });

  it('saves typed settings: numbers as numbers, the calling AE titles as a list', () => {
    const onSave = vi.fn();
    render(<LocalNodeForm settings={DEFAULT_SETTINGS.localNode} onSave={onSave} />);
    type('AE title', 'WS1');
    type('Port', '4242');
    type('Allowed calling AE titles', ' MOD1 ,MOD2,, ');
    type('Max associations', '4');
    fireEvent.click(save());
    expect(onSave).toHaveBeenCalledWith({ ...DEFAULT_SETTINGS.localNode, aeTitle: 'WS1', port: 4242, allowedCallingAeTitles: ['MOD1', 'MOD2'], maxAssociations: 4 });
  });

  it('the TLS listener: its port and the client certificate switch while it is on, checked against the plain port', () => {
    const onSave = vi.fn();
    render(<LocalNodeForm settings={DEFAULT_SETTINGS.localNode} hasIdentity={false} onSave={onSave} />);
    expect(screen.getByText('The TLS listener needs our certificate: create or import one on the Certificates page.')).toBeTruthy();
    expect(screen.queryByLabelText('TLS port')).toBeNull();
    fireEvent.click(screen.getByLabelText('TLS listener'));
    expect((screen.getByLabelText('TLS port') as HTMLInputElement).value).toBe('2762');
    type('TLS port', '11112');
    expect(screen.getByText('must differ from the plain port')).toBeTruthy();
    expect(save().disabled).toBe(true);
    type('TLS port', '70000');
    expect(screen.getByText('must be a whole number from 1 to 65535')).toBeTruthy();
    type('TLS port', '2763');
    fireEvent.click(screen.getByLabelText('Require client certificates'));
    fireEvent.click(save());
    expect(onSave).toHaveBeenCalledWith({ ...DEFAULT_SETTINGS.localNode, tlsEnabled: true, tlsPort: 2763, requireClientCertificate: true });
  });

  it('says nothing of certificates when we have an identity', () => {
    render(<LocalNodeForm settings={{ ...DEFAULT_SETTINGS.localNode, tlsEnabled: true }} hasIdentity onSave={() => undefined} />);
    expect(screen.queryByText(/needs our certificate/)).toBeNull();
    expect((screen.getByLabelText('Require client certificates') as HTMLInputElement).checked).toBe(false);
  });
});
