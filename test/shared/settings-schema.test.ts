// The shared settings schema: defaults that work, and every problem named by its field.

import { describe, expect, it } from 'vitest';
import { identityRequestProblems } from '../../src-shared/certificates';
import { DEFAULT_SETTINGS, describeProblems, hostProblem, portProblem, validateLocalNode, validatePeer, validateSettings } from '../../src-shared/settings-schema';

describe('settings schema', () => {
  it('the defaults validate: AE title DICOMNET, port 11112, storage in the data folder', () => {
    const v = validateSettings(DEFAULT_SETTINGS);
    expect(v.ok).toBe(true);
    expect(DEFAULT_SETTINGS.localNode).toMatchObject({ aeTitle: 'DICOMNET', port: 11112, storageFolder: '' });
  });

  it('an empty object takes every default', () => {
    expect(validateSettings({})).toEqual({ ok: true, value: DEFAULT_SETTINGS });
  });

  it('names each bad field', () => {
    const v = validateSettings({
      localNode: { aeTitle: 'MUCH_TOO_LONG_AE_TITLE', port: 70000, bindAddress: 'no such host!', allowedCallingAeTitles: ['OK', 'BAD\\AE'], duplicates: 'maybe' },
      peers: [{ id: 'a', name: 'PACS', aeTitle: 'PACS', host: 'pacs.local', port: 104 }, { id: 'a', name: '', aeTitle: '', host: '', port: 0 }],
    });
    expect(v.ok).toBe(false);
    const fields = v.ok ? [] : v.problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining([
      'localNode.aeTitle', 'localNode.port', 'localNode.bindAddress', 'localNode.allowedCallingAeTitles[1]', 'localNode.duplicates',
      'peers[1].name', 'peers[1].aeTitle', 'peers[1].host', 'peers[1].port',
    ]));
    expect(fields).not.toContain('peers[0].port');
    if (!v.ok) expect(describeProblems(v.problems)).toMatch(/localNode\.port: must be a whole number from 1 to 65535/);
  });

  it('refuses a duplicate peer id and an unknown version', () => {
    const peer = { id: 'x', name: 'A', aeTitle: 'A', host: '10.0.0.5', port: 104, tls: 'off' };
    const dup = validateSettings({ peers: [peer, { ...peer, name: 'B' }] });
    expect(dup.ok ? [] : dup.problems).toEqual([{ field: 'peers[1].id', message: "'x' is used by another peer" }]);
    expect(validateSettings({ version: 2 }).ok).toBe(false);
  });

  it.each([['pacs.example.org'], ['10.0.0.5'], ['::1'], ['fe80::1'], ['[::1]'], [' [fe80::1] '], ['localhost'], ['PACS-01']])('host %s is valid', (h) => {
    expect(hostProblem(h)).toBeUndefined();
  });

  it.each([[''], ['a b'], ['300.1.1.1'], ['-bad.example'], ['x'.repeat(300)], [42], ['[10.0.0.5]'], ['[pacs]'], ['[::1']])('host %j is not', (h) => {
    expect(hostProblem(h)).toBeDefined();
  });

  it('an IPv6 address pasted in brackets, as our logs print callers, is stored bare', () => {
    const peer = validatePeer({ name: 'P', aeTitle: 'P', host: ' [::1] ', port: 104 });
    expect(peer.ok && peer.value.host).toBe('::1');
    const node = validateLocalNode({ bindAddress: '[::1]' });
    expect(node.ok && node.value.bindAddress).toBe('::1');
    expect(validatePeer({ name: 'P', aeTitle: 'P', host: '[pacs]', port: 104 })).toEqual({ ok: false, problems: [{ field: 'peer.host', message: "'[pacs]' is not a host name or an IP address" }] });
    // A certificate's IP address is written into it as given: there the brackets are refused.
    const cert = (ip: string) => identityRequestProblems({ ipAddresses: [ip], dnsNames: [] }).filter((p) => p.field.startsWith('ipAddresses'));
    expect(cert('[::1]')).toEqual([{ field: 'ipAddresses[0]', message: "'[::1]' is not an IP address" }]);
    expect(cert('::1')).toEqual([]);
  });

  it('ports are 1-65535 whole numbers; peers trim their text and default to TLS off', () => {
    expect([0, 1, 65535, 65536, 1.5, '104'].map((p) => portProblem(p) === undefined)).toEqual([false, true, true, false, false, false]);
    expect(validatePeer({ name: ' PACS ', aeTitle: ' PACS ', host: ' pacs ', port: 104 })).toEqual({ ok: true, value: { id: undefined, name: 'PACS', aeTitle: 'PACS', host: 'pacs', port: 104, tls: 'off', trustAnchors: [], checkHostName: true, pinnedFingerprint: '' } });
  });

  it('peer TLS: fingerprints in any common spelling become colon-separated upper-case hex; bad ones are named', () => {
    const fp = 'ab'.repeat(32);
    const v = validatePeer({ name: 'P', aeTitle: 'P', host: 'p', port: 104, tls: 'mutual', trustAnchors: [fp], pinnedFingerprint: `SHA256 Fingerprint=${fp.match(/../g)!.join(':')}`, checkHostName: false });
    expect(v.ok && v.value).toMatchObject({ tls: 'mutual', checkHostName: false, trustAnchors: ['AB:'.repeat(31) + 'AB'], pinnedFingerprint: 'AB:'.repeat(31) + 'AB' });
    const bad = validatePeer({ name: 'P', aeTitle: 'P', host: 'p', port: 104, trustAnchors: ['xyz'], pinnedFingerprint: '12:34', checkHostName: 'yes' });
    expect(!bad.ok && bad.problems.map((p) => p.field)).toEqual(['peer.trustAnchors[0]', 'peer.checkHostName', 'peer.pinnedFingerprint']);
  });

  it('the TLS listener: port 2762 by default, a port of its own, client certificates optional', () => {
    const d = validateLocalNode({});
    expect(d.ok && d.value).toMatchObject({ tlsEnabled: false, tlsPort: 2762, requireClientCertificate: false });
    const same = validateLocalNode({ port: 2762, tlsEnabled: true });
    expect(!same.ok && same.problems).toEqual([{ field: 'localNode.tlsPort', message: 'must differ from the plain port' }]);
  });
});
