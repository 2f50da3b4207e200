// THE contract between the GUI and the main process (design rule 7): every invoke channel with its
// request and reply, and every event main pushes to the renderer. Main's handlers, the preload, the
// browser bridge and the renderer's api are all typed from these maps; a channel that is not here
// does not exist (a test checks each side against the runtime lists below).

import type { CertificateDetails, CertificatesState, ChainCheck, IdentityRequest } from './certificates';
import type { ActivityEntry, ActivityFilter, InstanceReceived, NodeState, ReceivedStudy, SendProgress, VerifyResult } from './models';
import type { LocalNodeSettings, Peer, Settings } from './settings-schema';

/** A peer as the user enters it (the app makes its id). */
export type PeerInput = Omit<Peer, 'id'>;

export interface InvokeChannels {
  'settings:get': { request: void; reply: { settings: Settings; problem?: string } };
  'node:state': { request: void; reply: NodeState };
  'node:start': { request: void; reply: NodeState };
  'node:stop': { request: void; reply: NodeState };
  /** New local node settings: saved, and applied at once if the node runs. */
  'node:configure': { request: LocalNodeSettings; reply: NodeState };
  'peers:list': { request: void; reply: readonly Peer[] };
  'peers:add': { request: PeerInput; reply: Peer };
  'peers:update': { request: { id: string; peer: PeerInput }; reply: Peer };
  'peers:remove': { request: { id: string }; reply: null };
  'verify:peer': { request: { id: string }; reply: VerifyResult };
  /** Every peer at once; each result also arrives as a 'verify:progress' event as it finishes. */
  'verify:all': { request: void; reply: Record<string, VerifyResult> };
  'activity:list': { request: ActivityFilter; reply: readonly ActivityEntry[] };
  'received:studies': { request: void; reply: readonly ReceivedStudy[] };
  /** Starts sending files or folders to a peer; progress arrives as 'send:progress' events. */
  'send:start': { request: { peerId: string; paths: readonly string[] }; reply: { sendId: string } };
  'send:cancel': { request: { sendId: string }; reply: null };
  /** The desktop app's file dialog (files, or folders); in browser mode the paths are typed instead. */
  'paths:choose': { request: { folders: boolean }; reply: readonly string[] };
  /** Opens a received study's folder in the desktop's file manager (desktop app only). */
  'folder:open': { request: { studyInstanceUid: string }; reply: null };
  /** Our identity (never its key), a pending signing request, the trusted certificates. */
  'certs:state': { request: void; reply: CertificatesState };
  /** A proposal for a new identity, filled from the local node's settings and this machine's names. */
  'certs:defaults': { request: void; reply: IdentityRequest };
  /** A new key with a self-signed certificate (our identity at once) or a signing request (pending until the CA answers). */
  'certs:create': { request: IdentityRequest & { mode: 'self-signed' | 'csr' }; reply: CertificatesState };
  /** Our identity from files main reads: certificate + key, PKCS#12, or the CA's answer to our request. */
  'certs:import-identity': { request: { paths: readonly string[]; passphrase?: string }; reply: CertificatesState };
  'certs:remove-identity': { request: void; reply: CertificatesState };
  /** Our certificate to hand to a peer's administrator: PEM, fingerprint, a text summary. */
  'certs:export': { request: void; reply: CertificateExport };
  /** Trusts the certificates in files, or in pasted PEM text. */
  'certs:trust': { request: CertificateSource & { label?: string }; reply: CertificatesState };
  'certs:untrust': { request: { fingerprint256: string }; reply: CertificatesState };
  /** What files (or pasted PEM) hold, and whether they chain to our trusted certificates. */
  'certs:inspect': { request: CertificateSource & { passphrase?: string }; reply: CertificateInspection };
}

/** Certificates from files main reads, or PEM text pasted in the GUI. */
export type CertificateSource = { readonly paths: readonly string[]; readonly pem?: undefined } | { readonly pem: string; readonly paths?: undefined };

export interface CertificateExport {
  readonly pem: string;
  readonly fingerprint256: string;
  readonly subject: string;
  readonly text: string;
}

export interface CertificateInspection {
  readonly certificates: readonly CertificateDetails[];
  readonly hasKey: boolean;
  readonly chainCheck: ChainCheck;
}

export interface EventChannels {
  'node:state': NodeState;
  'association': ActivityEntry;
  'verify:progress': { peerId: string; result: VerifyResult };
  'instance:received': InstanceReceived;
  'settings:changed': Settings;
  'send:progress': SendProgress;
  'certs:changed': CertificatesState;
}

export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof EventChannels;
export type InvokeRequest<C extends InvokeChannel> = InvokeChannels[C]['request'];
export type InvokeReply<C extends InvokeChannel> = InvokeChannels[C]['reply'];

/** The runtime list of invoke channels: exactly the keys of InvokeChannels (checked at compile time). */
export const INVOKE_CHANNELS = [
  'settings:get', 'node:state', 'node:start', 'node:stop', 'node:configure',
  'peers:list', 'peers:add', 'peers:update', 'peers:remove',
  'verify:peer', 'verify:all', 'activity:list', 'received:studies', 'send:start', 'send:cancel', 'paths:choose', 'folder:open',
  'certs:state', 'certs:defaults', 'certs:create', 'certs:import-identity', 'certs:remove-identity', 'certs:export', 'certs:trust', 'certs:untrust', 'certs:inspect',
] as const satisfies readonly InvokeChannel[];

export const EVENT_CHANNELS = [
  'node:state', 'association', 'verify:progress', 'instance:received', 'settings:changed', 'send:progress', 'certs:changed',
] as const satisfies readonly EventChannel[];

// Compile-time proof that the lists hold every channel: a missing one makes these types `never`-checks fail.
type Missing<All, Listed> = Exclude<All, Listed>;
const _allInvoke: Missing<InvokeChannel, (typeof INVOKE_CHANNELS)[number]> extends never ? true : never = true;
const _allEvents: Missing<EventChannel, (typeof EVENT_CHANNELS)[number]> extends never ? true : never = true;
void _allInvoke;
void _allEvents;

/** What an invoke reply carries over any transport: the value, or an error in plain words. */
export type InvokeResult<C extends InvokeChannel> =
  | { readonly ok: true; readonly value: InvokeReply<C> }
  | { readonly ok: false; readonly error: string };
