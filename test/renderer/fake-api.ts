// Stands in for the preload: installs `window.api`, the transport src-renderer/api.ts uses, with
// replies the test sets per channel. Requests go through JSON as over the real IPC. Nothing else is
// stubbed. Import this module BEFORE any renderer module (api.ts picks its transport when loaded).

import type { EventChannel, EventChannels, InvokeChannel, InvokeReply, InvokeRequest, InvokeResult } from '../../src-shared/ipc';

type Handler = (request: unknown) => unknown;

const handlers = new Map<string, Handler>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();

/** Every invoke the renderer made, in order, as main would have received it. */
export const calls: { channel: string; request: unknown }[] = [];

window.api = {
  async invoke(channel: string, request: unknown): Promise<InvokeResult<InvokeChannel>> {
    const wire = request === undefined ? undefined : JSON.parse(JSON.stringify(request)) as unknown;
    calls.push({ channel, request: wire });
    const handler = handlers.get(channel);
    if (!handler) return { ok: false, error: `(test) no reply set for ${channel}` };
    try {
      return { ok: true, value: JSON.parse(JSON.stringify(await handler(wire))) as InvokeReply<InvokeChannel> };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  },
  on(channel: string, listener: (payload: unknown) => void): () => void {
    const set = listeners.get(channel) ?? new Set();
    set.add(listener);
    listeners.set(channel, set);
    return () => set.delete(listener);
  },
};

/** Main's answer on a channel (throw to make the invoke fail with that message). */
export function reply<C extends InvokeChannel>(channel: C, handler: (request: InvokeRequest<C>) => InvokeReply<C> | Promise<InvokeReply<C>>): void {
  handlers.set(channel, handler as Handler);
}

/** An event from main. */
export function emit<C extends EventChannel>(channel: C, payload: EventChannels[C]): void {
  for (const l of listeners.get(channel) ?? []) l(JSON.parse(JSON.stringify(payload)));
}

export function requestsOn(channel: InvokeChannel): unknown[] {
  return calls.filter((c) => c.channel === channel).map((c) => c.request);
}

export function resetApi(): void {
  handlers.clear();
  calls.length = 0;
}
