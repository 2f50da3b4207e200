// The workstation's app services put together, on plain Node: settings, the local node, peers,
// verify, the activity log, received instances and sending. `handlers` answers every invoke channel
// of the IPC contract, validating each payload here in main (design rule 7); `onEvent` is told of
// every event channel. The Electron main process and the browser bridge are thin transports over
// exactly this object, so the GUI behaves the same in both.

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { EventChannel, EventChannels, InvokeChannel, InvokeReply } from '../../src-shared/ipc';
import type { ActivityFilter, VerifyResult } from '../../src-shared/models';
import { describeProblems, validateLocalNode } from '../../src-shared/settings-schema';
import type { ScpAssociationEvent } from '../dicomnet/services/scp';
import { SharedContexts } from './activity-contexts';
import { ActivityLog } from './activity-log';
import { certificateHandlers } from './certificate-handlers';
import { CertificateStore, type KeyProtector } from './certificates/cert-store';
import { BadRequest, objectOf, stringField } from './requests';
import { listenerTlsConfig, peerTlsConfig, TlsSetupError } from './tls-settings';
import { LocalNode } from './local-node';
import { Peers } from './peers';
import { ProgressThrottle } from './progress-throttle';
import { ReceivedList } from './received-list';
import { sendFiles } from './send';
import { SettingsError, SettingsStore, type SettingsBackend } from './settings-store';
import { verifyAllPeers, verifyConfiguredPeer } from './verify-peers';
import { nowMs } from '../dicomnet/clock';

export interface WorkstationOptions {
  /** The app's data folder: settings.json lives here, and the default storage folder. */
  readonly dataFolder: string;
  readonly onEvent?: <C extends EventChannel>(channel: C, payload: EventChannels[C]) => void;
  /** Where settings are kept: default `<dataFolder>/settings.json`; electron-store in the app. */
  readonly settingsBackend?: SettingsBackend;
  /** The desktop app's file dialog; absent in browser mode, where paths are typed. */
  readonly choosePaths?: (folders: boolean) => Promise<readonly string[]>;
  /** The desktop's file manager; absent in browser mode. */
  readonly openFolder?: (path: string) => Promise<void>;
  /** How private keys are sealed at rest: Electron's safeStorage in the app; file permissions alone elsewhere. */
  readonly keyProtector?: KeyProtector;
}

export type InvokeHandlers = { readonly [C in InvokeChannel]: (request: unknown) => Promise<InvokeReply<C>> };

export class Workstation {
  readonly settings: SettingsStore;
  readonly node: LocalNode;
  readonly peers: Peers;
  readonly activity = new ActivityLog();
  readonly received = new ReceivedList();
  readonly certificates: CertificateStore;
  private readonly sends = new Map<string, AbortController>();

  constructor(private readonly options: WorkstationOptions) {
    this.settings = new SettingsStore(options.settingsBackend ?? join(options.dataFolder, 'settings.json'));
    this.peers = new Peers(this.settings);
    this.certificates = new CertificateStore(options.dataFolder, options.keyProtector);
    this.node = new LocalNode(this.settings.settings.localNode, join(options.dataFolder, 'received'), (local) => listenerTlsConfig(local, this.certificates));
    this.node.on('state', (s) => this.emit('node:state', s));
    const contexts = new SharedContexts();
    this.node.on('association', (e) => this.emit('association', this.activity.add(toActivity(e, contexts))));
    this.node.on('instance', (i) => {
      this.received.add(i);
      this.emit('instance:received', {
        callingAeTitle: i.callingAeTitle, sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid,
        studyInstanceUid: i.studyInstanceUid, seriesInstanceUid: i.seriesInstanceUid, patientName: i.patientName,
        bytes: i.bytes, path: i.path, at: i.at,
      });
    });
    this.settings.on('changed', (s) => this.emit('settings:changed', s));
  }

  /** Starts the local node if the settings say so. */
  async start(): Promise<void> {
    if (this.settings.settings.localNode.autoStart) await this.node.start();
  }

  async close(): Promise<void> {
    for (const c of this.sends.values()) c.abort();
    await this.node.stop(1000);
  }

  private emit<C extends EventChannel>(channel: C, payload: EventChannels[C]): void {
    this.options.onEvent?.(channel, payload);
  }

  readonly handlers: InvokeHandlers = {
    'settings:get': async () => ({ settings: this.settings.settings, problem: this.settings.problem }),
    'node:state': async () => this.node.state,
    'node:start': () => this.node.start(),
    'node:stop': () => this.node.stop(),
    'node:configure': async (request) => {
      const v = validateLocalNode(request);
      if (!v.ok) throw new BadRequest(`Local node settings not saved: ${describeProblems(v.problems)}`);
      this.settings.update((s) => ({ ...s, localNode: v.value }));
      return this.node.configure(v.value);
    },
    'peers:list': async () => this.peers.list(),
    'peers:add': async (request) => this.peers.add(request),
    'peers:update': async (request) => {
      const o = objectOf(request, 'peers:update');
      return this.peers.update(stringField(o, 'id', 'peers:update', 64), o.peer);
    },
    'peers:remove': async (request) => {
      this.peers.remove(stringField(objectOf(request, 'peers:remove'), 'id', 'peers:remove', 64));
      return null;
    },
    'verify:peer': async (request) => {
      const peer = this.peers.get(stringField(objectOf(request, 'verify:peer'), 'id', 'verify:peer', 64));
      const r = await verifyConfiguredPeer(peer, this.settings.settings, this.certificates);
      this.verified(peer.id, r);
      return r;
    },
    'verify:all': () => verifyAllPeers(this.settings.settings, this.certificates, (peerId, result) => this.verified(peerId, result)),
    'activity:list': async (request) => this.activity.list(request === undefined || request === null ? {} : activityFilter(objectOf(request, 'activity:list'))),
    'received:studies': async () => this.received.studies(),
    'send:start': async (request) => {
      const o = objectOf(request, 'send:start');
      const peer = this.peers.get(stringField(o, 'peerId', 'send:start', 64));
      if (!Array.isArray(o.paths) || o.paths.length === 0 || o.paths.some((p) => typeof p !== 'string' || p.length === 0 || p.length > 4096)) {
        throw new BadRequest("send:start: 'paths' must be a non-empty list of file or folder paths");
      }
      return { sendId: this.startSend(peer.id, o.paths as string[]) };
    },
    'paths:choose': async (request) => {
      const folders = objectOf(request, 'paths:choose').folders;
      if (typeof folders !== 'boolean') throw new BadRequest("paths:choose: 'folders' must be true or false");
      if (!this.options.choosePaths) throw new BadRequest('Choosing files needs the desktop app: type the paths instead.');
      return this.options.choosePaths(folders);
    },
    'folder:open': async (request) => {
      const uid = stringField(objectOf(request, 'folder:open'), 'studyInstanceUid', 'folder:open', 64);
      // Only a folder the node itself received into: the renderer names a study, never a path.
      const folder = this.received.studies().find((s) => s.studyInstanceUid === uid)?.folder;
      if (!folder) throw new BadRequest(`No received study ${uid} with a folder.`);
      if (!this.options.openFolder) throw new BadRequest(`Opening folders needs the desktop app; the study is in ${folder}`);
      await this.options.openFolder(folder);
      return null;
    },
    'send:cancel': async (request) => {
      this.sends.get(stringField(objectOf(request, 'send:cancel'), 'sendId', 'send:cancel', 64))?.abort();
      return null;
    },
    ...certificateHandlers({
      store: () => this.certificates,
      localNode: () => this.settings.settings.localNode,
      changed: (state) => {
        this.emit('certs:changed', state);
        // A running TLS listener takes up the new identity and trust at once.
        if (this.settings.settings.localNode.tlsEnabled && this.node.state.running) void this.node.reload();
      },
    }),
  };

  /** A verify's outcome: to the GUI, and to the activity log as an outgoing association. */
  private verified(peerId: string, r: VerifyResult): void {
    this.emit('verify:progress', { peerId, result: r });
    const associated = r.steps.some((s) => s.step === 'associate' && s.ok);
    this.emit('association', this.activity.add({
      direction: 'out',
      kind: r.ok ? 'released' : associated ? 'aborted' : 'rejected',
      at: Date.now(),
      remoteAddress: r.host,
      remotePort: r.port,
      callingAeTitle: r.callingAeTitle,
      calledAeTitle: r.calledAeTitle,
      detail: r.ok ? `verify: ${r.echoes?.succeeded ?? 0} C-ECHO Success` : `verify failed at ${r.failure?.step ?? '?'}: ${r.failure?.plain ?? ''}`,
      durationMs: Math.round(r.totalMs),
    }));
  }

  private startSend(peerId: string, paths: readonly string[]): string {
    const peer = this.peers.get(peerId);
    const s = this.settings.settings;
    let tls;
    try {
      tls = peerTlsConfig(peer, this.certificates);
    } catch (err) {
      throw err instanceof TlsSetupError ? new BadRequest(err.message) : err;
    }
    const sendId = randomUUID();
    const controller = new AbortController();
    this.sends.set(sendId, controller);
    const started = nowMs();
    let filesDone = 0;
    let bytesDone = 0;
    let plan: { files: number; bytes: number } | undefined;
    const rate = () => bytesDone / 1e6 / Math.max(0.001, (nowMs() - started) / 1000);
    const totals = () => plan && {
      filesTotal: plan.files, bytesTotal: plan.bytes,
      secondsLeft: bytesDone > 0 ? Math.max(0, (plan.bytes - bytesDone) / 1e6 / rate()) : undefined,
    };
    const progress = new ProgressThrottle((problems) => {
      this.emit('send:progress', { sendId, filesDone, bytesDone, megabytesPerSecond: rate(), ...totals(), problems });
    });
    void sendFiles({
      host: peer.host, port: peer.port, callingAeTitle: s.localNode.aeTitle, calledAeTitle: peer.aeTitle,
      tls, timeoutMs: s.localNode.timeoutSeconds * 1000, paths, signal: controller.signal,
      onPlan: (p) => {
        plan = p;
        progress.changed();
      },
      onFile: (r) => {
        if (r.outcome !== 'skipped') filesDone++;
        bytesDone += r.bytes;
        progress.changed(r.outcome === 'stored' ? undefined : { path: r.path, outcome: r.outcome, detail: r.detail });
      },
    }).then(
      (summary) => {
        progress.finish((problems) => this.emit('send:progress', {
          sendId, filesDone, bytesDone, megabytesPerSecond: summary.megabytesPerSecond, ...totals(), secondsLeft: 0, problems,
          finished: { ok: summary.ok, stored: summary.stored, failed: summary.failed, skipped: summary.skipped, seconds: summary.seconds },
        }));
        this.emit('association', this.activity.add({
          direction: 'out', kind: summary.ok ? 'released' : 'aborted', at: Date.now(), remoteAddress: peer.host, remotePort: peer.port,
          callingAeTitle: s.localNode.aeTitle, calledAeTitle: peer.aeTitle, durationMs: Math.round(summary.seconds * 1000),
          detail: `send: ${summary.stored} stored, ${summary.failed} failed, ${summary.skipped} skipped over ${summary.associations} association(s)`,
        }));
      },
      (err: Error) => progress.finish((problems) => this.emit('send:progress', {
        sendId, filesDone, bytesDone, megabytesPerSecond: rate(),
        problems: [...(problems ?? []), { path: '', outcome: 'failed', detail: err.message }],
        finished: { ok: false, stored: 0, failed: filesDone, skipped: 0, seconds: (nowMs() - started) / 1000 },
      })),
    ).finally(() => this.sends.delete(sendId));
    return sendId;
  }

  /** Runs an invoke channel by name, as a transport does: any error comes back in plain words. */
  async invoke(channel: string, request: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
    const handler = (this.handlers as Record<string, ((r: unknown) => Promise<unknown>) | undefined>)[channel];
    if (!handler || !Object.hasOwn(this.handlers, channel)) return { ok: false, error: `Unknown channel '${channel}'.` };
    try {
      return { ok: true, value: await handler(request) };
    } catch (err) {
      if (err instanceof BadRequest || err instanceof SettingsError) return { ok: false, error: err.message };
      return { ok: false, error: `${channel} failed: ${(err as Error).message}` };
    }
  }
}

function activityFilter(o: Record<string, unknown>): ActivityFilter {
  const f: { -readonly [K in keyof ActivityFilter]: ActivityFilter[K] } = {};
  if (o.direction !== undefined) {
    if (o.direction !== 'in' && o.direction !== 'out') throw new BadRequest("activity:list: 'direction' must be 'in' or 'out'");
    f.direction = o.direction;
  }
  if (o.outcome !== undefined) {
    if (!['accepted', 'rejected', 'released', 'aborted', 'closed'].includes(o.outcome as string)) throw new BadRequest("activity:list: 'outcome' is not an association outcome");
    f.outcome = o.outcome as ActivityFilter['outcome'];
  }
  if (o.text !== undefined) {
    if (typeof o.text !== 'string' || o.text.length > 200) throw new BadRequest("activity:list: 'text' must be a string of at most 200 characters");
    f.text = o.text;
  }
  if (o.limit !== undefined) {
    if (!Number.isInteger(o.limit) || (o.limit as number) < 1) throw new BadRequest("activity:list: 'limit' must be a positive whole number");
    f.limit = o.limit as number;
  }
  return f;
}

function toActivity(e: ScpAssociationEvent, contexts: SharedContexts) {
  return {
    direction: 'in' as const,
    kind: e.kind,
    at: e.at,
    remoteAddress: e.remoteAddress,
    remotePort: e.remotePort,
    callingAeTitle: e.callingAeTitle,
    calledAeTitle: e.calledAeTitle,
    contexts: contexts.of(e.contexts),
    detail: e.detail,
    durationMs: e.durationMs,
  };
}
