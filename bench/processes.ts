// Peer processes of the benchmark: DCMTK storescp and our `dicomnet scp`, on free loopback ports,
// each waited for (bounded) and killed at the end.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort, listensOn, waitForPort } from '../test/helpers/ports';

export const CLI = resolve('dist/cli/dicomnet.cjs');
/**
 * The environment of every process the bench starts. TCP_NODELAY=1: DCMTK 3.6.7 leaves Nagle's
 * algorithm on without it (every message would wait for a delayed ACK). NODE_EXTRA_CA_CERTS left
 * out: a machine that sets it (this one points it at the system's bundle of public CAs) makes every
 * Node process parse that file at its first TLS context, ~7-11 ms per TLS process here, whatever
 * trust anchors it is given; the bench always gives ours `--ca`, and DCMTK does not read it.
 */
export const ENV: NodeJS.ProcessEnv = (() => {
  const { NODE_EXTRA_CA_CERTS: _extraCas, ...rest } = process.env;
  return { ...rest, TCP_NODELAY: '1' };
})();

/** What the bench leaves out of the environment it was given, in words (for its output). */
export const ENV_NOTE = process.env.NODE_EXTRA_CA_CERTS
  ? 'NODE_EXTRA_CA_CERTS is unset for the processes the bench starts (Node would parse that CA file at every TLS start; the bench gives --ca).'
  : undefined;

/** Runs a process to its end (bounded) and returns its wall time in ms, start to exit; throws unless it exits 0. */
export function timeProcess(cmd: string, args: string[], timeoutMs = 60_000): number {
  const started = performance.now();
  const r = spawnSync(cmd, args, { env: ENV, stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr?.toString().slice(0, 300)}`);
  return ms;
}

export interface Peer {
  readonly port: number;
  readonly child: ChildProcess;
}

export function requireTools(tools: string[]): void {
  const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length) throw new Error(`DCMTK tools missing (${missing.join(', ')}): apt-get install -y dcmtk`);
}

/**
 * storescp on a free port, once it listens there itself: a port from freePort() is free only until
 * someone binds it, and a leftover process on it would answer in its place (test/helpers/ports.ts).
 * Up to 5 ports are tried.
 */
export async function startStorescp(args: string[]): Promise<Peer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn('storescp', [...args, String(port)], { env: ENV, stdio: 'ignore' });
    await waitForPort(port, 5000);
    if (listensOn(child.pid ?? -1, port) !== false) return { port, child };
    child.kill('SIGKILL');
    if (attempt === 5) throw new Error(`storescp could not listen on a port of its own (5 tried; another process held each)`);
  }
}

export function startDicomnetScp(args: string[]): Promise<Peer> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, 'scp', '--host', '127.0.0.1', '--port', '0', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); rej(new Error('dicomnet scp did not start in 5 s')); }, 5000);
    child.stdout?.on('data', (c) => {
      out += c;
      const m = /listening on .*:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res({ port: Number(m[1]), child });
      }
    });
  });
}

export async function killAll(peers: Peer[]): Promise<void> {
  await Promise.all(peers.map((p) => new Promise<void>((r) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return r();
    const t = setTimeout(() => { p.child.kill('SIGKILL'); r(); }, 3000);
    p.child.once('close', () => { clearTimeout(t); r(); });
    p.child.kill('SIGTERM');
  })));
}
