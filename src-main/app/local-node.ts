// The workstation's own DICOM node: the SCP the app runs with the configured AE title, port, bind
// address, storage folder, allowed calling AE titles and limits. Started and stopped on request,
// restarted when its settings change while it runs; its state and every association and received
// instance are reported as events for the activity log, the received list and the GUI.

import { EventEmitter } from 'node:events';
import type { NodeState } from '../../src-shared/models';
import type { LocalNodeSettings } from '../../src-shared/settings-schema';
import type { ListenAddress } from '../dicomnet/dicom-net';
import { nodeServices } from '../dicomnet/services/node-services';
import { DicomScp, type ScpAssociationEvent, type ScpListener } from '../dicomnet/services/scp';
import type { TlsConfig } from '../dicomnet/transport';
import { makeDirsSync } from '../dicomnet/services/storage/make-dirs';
import { StorageService, type ReceivedInstance, type StoreFailure } from '../dicomnet/services/storage/store-scp';

export interface LocalNodeEvents {
  state: [state: NodeState];
  association: [event: ScpAssociationEvent];
  instance: [instance: ReceivedInstance];
  failure: [failure: StoreFailure];
}

export class LocalNode extends EventEmitter<LocalNodeEvents> {
  private scp: DicomScp | undefined;
  private addresses: ListenAddress[] = [];
  private settings: LocalNodeSettings;
  private error: string | undefined;
  /** Start/stop/restart run one after the other, never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `tlsFor` gives the TLS listener's configuration (our identity, trusted callers) or throws a
   * TlsSetupError saying why there can be none yet.
   */
  constructor(settings: LocalNodeSettings, private readonly defaultStorageFolder: string, private readonly tlsFor?: (s: LocalNodeSettings) => TlsConfig) {
    super();
    this.settings = settings;
  }

  get state(): NodeState {
    return {
      running: this.scp !== undefined,
      aeTitle: this.settings.aeTitle,
      listening: this.addresses.map((a) => ({ host: a.host, port: a.port, tls: a.tls })),
      openAssociations: this.scp?.openAssociations ?? 0,
      storageFolder: this.storageFolder,
      error: this.error,
    };
  }

  get storageFolder(): string {
    return this.settings.storageFolder || this.defaultStorageFolder;
  }

  start(): Promise<NodeState> {
    return this.serially(() => this.startNow());
  }

  stop(graceMs = 2000): Promise<NodeState> {
    return this.serially(() => this.stopNow(graceMs));
  }

  /** New settings: kept, and applied at once (restart) if the node runs. */
  configure(settings: LocalNodeSettings): Promise<NodeState> {
    return this.serially(async () => {
      const wasRunning = this.scp !== undefined;
      this.settings = settings;
      if (wasRunning) {
        await this.stopNow(2000);
        return this.startNow();
      }
      this.emit('state', this.state);
      return this.state;
    });
  }

  /** Restarts a running node so that it takes up new certificates; a stopped node stays stopped. */
  reload(): Promise<NodeState> {
    return this.configure(this.settings);
  }

  private serially<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async startNow(): Promise<NodeState> {
    if (this.scp) return this.state;
    const s = this.settings;
    this.error = undefined;
    try {
      makeDirsSync(this.storageFolder);
    } catch (err) {
      return this.failed(`The storage folder ${this.storageFolder} cannot be created (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): choose another folder.`);
    }
    const storage = new StorageService({ folder: this.storageFolder, duplicates: s.duplicates });
    storage.on('instance', (i) => this.emit('instance', i));
    storage.on('failure', (f) => this.emit('failure', f));
    const timeoutMs = s.timeoutSeconds * 1000;
    const listeners: ScpListener[] = [{ host: s.bindAddress, port: s.port }];
    let tlsProblem: string | undefined;
    if (s.tlsEnabled) {
      try {
        if (!this.tlsFor) throw new Error('this build has no certificate service');
        listeners.push({ host: s.bindAddress, port: s.tlsPort, tls: this.tlsFor(s) });
      } catch (err) {
        // The plain listener still starts; the state says why TLS does not.
        tlsProblem = `The TLS listener on port ${s.tlsPort} is not running: ${(err as Error).message}`;
      }
    }
    const scp = new DicomScp({
      aeTitle: s.aeTitle,
      listeners,
      allowedCallingAeTitles: s.allowedCallingAeTitles,
      maxAssociations: s.maxAssociations,
      ...nodeServices(storage),
      net: { timeouts: { acseMs: timeoutMs, dimseMs: timeoutMs, artimMs: timeoutMs, idleMs: 300_000 } },
    });
    scp.on('association', (e) => {
      this.emit('association', e);
      if (e.kind === 'accepted' || e.kind === 'closed') this.emit('state', this.state);
    });
    scp.on('error', () => undefined); // per-association errors arrive as 'association' events
    try {
      this.addresses = await scp.start();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const where = `${s.bindAddress}:${s.port}`;
      const plain = e.code === 'EADDRINUSE' ? `Port ${s.port} is already in use on ${s.bindAddress}: another DICOM node (or another copy of this app) listens there; stop it or choose another port.`
        : e.code === 'EACCES' ? `Not allowed to listen on ${where}: ports below 1024 need administrator rights; choose a port above 1024 (11112 is the DICOM default).`
        : e.code === 'EADDRNOTAVAIL' ? `${s.bindAddress} is not an address of this machine: choose one of its addresses, or 0.0.0.0 for all.`
        : `Cannot listen on ${where}: ${e.message}`;
      return this.failed(plain);
    }
    this.scp = scp;
    this.error = tlsProblem;
    this.emit('state', this.state);
    return this.state;
  }

  private failed(plain: string): NodeState {
    this.error = plain;
    this.addresses = [];
    this.emit('state', this.state);
    return this.state;
  }

  private async stopNow(graceMs: number): Promise<NodeState> {
    const scp = this.scp;
    this.scp = undefined;
    this.addresses = [];
    if (scp) await scp.stop(graceMs);
    this.emit('state', this.state);
    return this.state;
  }
}
