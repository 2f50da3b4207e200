// The renderer's only way to main: typed by the IPC contract. In Electron the preload exposes
// `window.api`; in a plain browser the same calls go over the bridge's WebSocket.

import type { EventChannel, EventChannels, InvokeChannel, InvokeReply, InvokeRequest, InvokeResult } from '../src-shared/ipc';

interface Transport {
  invoke(channel: string, request: unknown): Promise<InvokeResult<InvokeChannel>>;
  on(channel: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    api?: Transport;
  }
}

function bridgeTransport(): Transport {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const pending = new Map<number, (r: InvokeResult<InvokeChannel>) => void>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;
  const connect = (): Promise<WebSocket> => {
    opened ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
      ws.onopen = () => { socket = ws; resolve(ws); };
      ws.onerror = () => reject(new Error('Cannot reach the workstation service (bridge).'));
      ws.onclose = () => {
        opened = undefined;
        socket = undefined;
        for (const done of pending.values()) done({ ok: false, error: 'The connection to the workstation service closed.' });
        pending.clear();
      };
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { id?: number; event?: string; payload?: unknown } & InvokeResult<InvokeChannel>;
        if (msg.event) for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        else if (typeof msg.id === 'number') {
          pending.get(msg.id)?.(msg);
          pending.delete(msg.id);
        }
      };
    });
    return opened;
  };
  void connect().catch(() => undefined);
  return {
    async invoke(channel, request) {
      const ws = socket ?? await connect();
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, channel, request }));
      });
    },
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
}

/** True in the Electron app (the preload's api), false in a browser on the bridge. */
export const isDesktop = window.api !== undefined;

const transport: Transport = window.api ?? bridgeTransport();

/** Calls main; rejects with main's plain-words message when it failed. */
export async function invoke<C extends InvokeChannel>(channel: C, ...request: InvokeRequest<C> extends void ? [] : [InvokeRequest<C>]): Promise<InvokeReply<C>> {
  const r = await transport.invoke(channel, request[0]);
  if (!r.ok) throw new Error(r.error);
  return r.value as InvokeReply<C>;
}

export function on<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): () => void {
  return transport.on(channel, listener as (p: unknown) => void);
}

/**
 * Events of `channel` handed over in batches, at most one batch every `everyMs` (the first at
 * once after a quiet spell): a busy node sends hundreds of association and instance events a
 * second, and a render of a page per event fell behind them and froze the window.
 */
export function onBatched<C extends EventChannel>(channel: C, everyMs: number, handle: (batch: readonly EventChannels[C][]) => void): () => void {
  let batch: EventChannels[C][] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = -Infinity;
  const flush = () => {
    timer = undefined;
    last = Date.now();
    const out = batch;
    batch = [];
    handle(out);
  };
  const off = on(channel, (payload) => {
    batch.push(payload);
    timer ??= setTimeout(flush, Math.max(0, last + everyMs - Date.now()));
  });
  return () => {
    off();
    if (timer) clearTimeout(timer);
  };
}
