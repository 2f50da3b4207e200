// The remote peers (PACS, modalities, workstations): kept in the settings, changed only through
// validated input, each with a stable id the GUI refers to.

import { randomUUID } from 'node:crypto';
import { describeProblems, validatePeer, type Peer } from '../../src-shared/settings-schema';
import { SettingsError, type SettingsStore } from './settings-store';

export class Peers {
  constructor(private readonly store: SettingsStore) {}

  list(): readonly Peer[] {
    return this.store.settings.peers;
  }

  get(id: string): Peer {
    const p = this.store.settings.peers.find((x) => x.id === id);
    if (!p) throw new SettingsError(`No peer with id '${id}'.`);
    return p;
  }

  add(input: unknown): Peer {
    const v = validatePeer(input);
    if (!v.ok) throw new SettingsError(`Peer not added: ${describeProblems(v.problems)}`);
    const peer: Peer = { ...v.value, id: randomUUID().replaceAll('-', '').slice(0, 16) };
    this.store.update((s) => ({ ...s, peers: [...s.peers, peer] }));
    return peer;
  }

  update(id: string, input: unknown): Peer {
    this.get(id);
    const v = validatePeer(input);
    if (!v.ok) throw new SettingsError(`Peer not changed: ${describeProblems(v.problems)}`);
    const peer: Peer = { ...v.value, id };
    this.store.update((s) => ({ ...s, peers: s.peers.map((p) => (p.id === id ? peer : p)) }));
    return peer;
  }

  remove(id: string): void {
    this.get(id);
    this.store.update((s) => ({ ...s, peers: s.peers.filter((p) => p.id !== id) }));
  }
}
