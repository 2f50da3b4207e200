// DCMTK, the reference peer of the interop tests. Every DCMTK process runs with TCP_NODELAY=1
// (Debian's DCMTK 3.6.7 leaves Nagle's algorithm on otherwise: each message then waits 40-90 ms),
// has a deadline, and is killed when the test file ends.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort, listensOn, waitForPort } from './ports';

const TOOLS = ['echoscu', 'storescu', 'storescp', 'dcmdump', 'dcmconv'] as const;
const children = new Set<ChildProcess>();

function missingTools(): string[] {
  return TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).status !== 0);
}

let checked: string[] | undefined;

/**
 * True when DCMTK is installed. Without it: in CI (CI set) this throws, because a missing reference
 * peer must fail the run; locally it warns loudly and the interop suite is skipped.
 */
export function requireDcmtk(suite: string): boolean {
  checked ??= missingTools();
  if (checked.length === 0) return true;
  const why = `DCMTK tools missing (${checked.join(', ')}): install them with 'apt-get update && apt-get install -y dcmtk'.`;
  if (process.env.CI) throw new Error(`${suite}: ${why} In CI a missing reference peer fails the run.`);
  console.warn(`\n!!!!!!!!!!\n!!! SKIPPING ${suite}: ${why}\n!!!!!!!!!!\n`);
  return false;
}

export function dcmtkEnv(): NodeJS.ProcessEnv {
  return { ...process.env, TCP_NODELAY: '1' };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a DCMTK tool to completion, killed after `timeoutMs`. */
export function runDcmtk(tool: string, args: string[], timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(tool, args, { env: dcmtkEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c) => { stdout += c; });
    child.stderr?.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { stderr += String(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningStorescp {
  readonly port: number;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `storescp ARGS PORT` on a free loopback port and waits until it accepts connections, and
 * (on Linux) until the listener is this storescp's: should another test have taken the port first,
 * storescp cannot bind it, and it is started again on another port (at most 5 tries).
 */
export async function startStorescp(args: string[], opts: { tls?: boolean } = {}): Promise<RunningStorescp> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const started = await startStorescpOn(port, args, opts);
    if ('port' in started) return started;
    lastError = started.error;
  }
  throw lastError ?? new Error('storescp did not start');
}

async function startStorescpOn(port: number, args: string[], opts: { tls?: boolean }): Promise<RunningStorescp | { error: Error }> {
  const child = spawn('storescp', [...args, String(port)], { env: dcmtkEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (c) => { output += c; });
  child.stderr?.on('data', (c) => { output += c; });
  const exited = new Promise<void>((r) => child.on('close', () => { children.delete(child); r(); }));
  const fail = async (why: string, cause?: unknown): Promise<{ error: Error }> => {
    child.kill('SIGKILL');
    await exited;
    return { error: new Error(`storescp did not start on port ${port} (tls: ${opts.tls === true}): ${why}; output: ${output}`, { cause }) };
  };
  try {
    // A TLS storescp logs a failed handshake for our probe connection; harmless.
    await waitForPort(port, 5000);
  } catch (err) {
    return fail((err as Error).message, err);
  }
  // Bounded: 100 checks, 20 ms apart.
  for (let i = 0; i < 100; i++) {
    const own = listensOn(child.pid ?? -1, port);
    if (own === undefined || own) break;
    if (child.exitCode !== null || child.signalCode !== null || i === 99) return fail('the port is held by another process');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Kills every DCMTK process this test file started (call from afterAll). */
export function killAllDcmtk(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}
