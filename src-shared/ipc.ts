// THE contract between the GUI and the main process (design rule 7): every invoke channel with its
// request and reply, and every event main pushes to the renderer. Main's handlers, the preload, the
// browser bridge and the renderer's api are all typed from these maps; a channel that is not here
// does not exist (a test checks each side against the runtime lists below).

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
}

export interface EventChannels {
  'node:state': NodeState;
  'association': ActivityEntry;
  'verify:progress': { peerId: string; result: VerifyResult };
  'instance:received': InstanceReceived;
  'settings:changed': Settings;
  'send:progress': SendProgress;
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
] as const satisfies readonly InvokeChannel[];

export const EVENT_CHANNELS = [
  'node:state', 'association', 'verify:progress', 'instance:received', 'settings:changed', 'send:progress',
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
