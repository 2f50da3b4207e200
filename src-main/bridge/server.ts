// The browser bridge: the GUI in a plain browser (tests, and people without the Electron binary),
// talking to the real app services. One HTTP server on loopback serves the built renderer and, at
// /api, a WebSocket carrying the IPC contract: {id, channel, request} -> {id, ok, value | error}, and
// {event, payload} pushed to every page. Only the contract's channels pass (Workstation.invoke checks);
// a connection needs the random token the page was opened with and an Origin of this server.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_CHANNELS, type EventChannel, type EventChannels } from '../../src-shared/ipc';
import type { Workstation } from '../app/workstation';
import { CONTENT_SECURITY_POLICY } from '../../src-shared/csp';

export interface BridgeOptions {
  readonly workstation: Workstation;
  /** The built renderer: index.html and app.js. */
  readonly staticDir: string;
  readonly host?: string;
  readonly port?: number;
}

export interface Bridge {
  /** Open this in a browser: the page and its token. */
  readonly url: string;
  readonly port: number;
  /** Pushes an event to every connected page (wire it to the Workstation's onEvent). */
  broadcast<C extends EventChannel>(channel: C, payload: EventChannels[C]): void;
  close(): Promise<void>;
}


const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml' };
const MAX_MESSAGE_BYTES = 1024 * 1024;

export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const host = o.host ?? '127.0.0.1';
  const token = randomBytes(16).toString('hex');
  const server: Server = createServer((req, res) => void serveStatic(o.staticDir, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    const originOk = req.headers.origin === `http://${req.headers.host}`;
    if (url.pathname !== '/api' || url.searchParams.get('token') !== token || !originOk) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => ws.terminate());
      ws.on('message', (data) => void onMessage(ws, data.toString()));
    });
  });

  const onMessage = async (ws: WebSocket, text: string) => {
    let msg: { id?: unknown; channel?: unknown; request?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      ws.send(JSON.stringify({ id: null, ok: false, error: 'The message is not JSON.' }));
      return;
    }
    if (typeof msg.id !== 'number' || typeof msg.channel !== 'string') {
      ws.send(JSON.stringify({ id: msg.id ?? null, ok: false, error: 'A message needs a numeric id and a channel.' }));
      return;
    }
    const result = await o.workstation.invoke(msg.channel, msg.request);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id, ...result }));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}/#token=${token}`,
    port,
    broadcast(channel, payload) {
      if (!(EVENT_CHANNELS as readonly string[]).includes(channel)) return;
      const text = JSON.stringify({ event: channel, payload });
      for (const c of clients) if (c.readyState === c.OPEN) c.send(text);
    },
    close: () => new Promise<void>((resolve) => {
      for (const c of clients) c.terminate();
      wss.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function serveStatic(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const file = normalize(join(dir, path === '/' ? 'index.html' : path));
  if (!file.startsWith(normalize(dir)) || req.method !== 'GET') {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
}
