// Runs the built `dicomnet` bundle as a child process, as other tools script it.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/dicomnet.cjs', import.meta.url));

export function cliBuilt(): boolean {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first (npm test does).`);
  return true;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `dicomnet ARGS` to completion, killed after `timeoutMs`; `nodeArgs` go to node before the
 * bin; `env` is added to this process's environment.
 */
export function runCli(args: string[], timeoutMs = 15_000, nodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export interface RunningScp {
  readonly child: ChildProcess;
  readonly ports: { plain: number; tls?: number };
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `dicomnet scp ARGS` and waits (bounded) for its 'listening' lines. */
export function startCliScp(args: string[], listeners = 1, timeoutMs = 10_000, opts: { ulimitFileBlocks?: number; ulimitOpenFiles?: number } = {}): Promise<RunningScp> {
  return new Promise((resolveStart, reject) => {
    // A file size limit (ulimit -f, in 1 KiB blocks) makes writes fail with EFBIG: a full disk, for real.
    // ulimit -n (open files) makes accepts fail with EMFILE: a process out of descriptors, for real.
    const limits = [opts.ulimitFileBlocks === undefined ? '' : `ulimit -f ${opts.ulimitFileBlocks}`, opts.ulimitOpenFiles === undefined ? '' : `ulimit -n ${opts.ulimitOpenFiles}`].filter(Boolean);
    const child = limits.length === 0
      ? spawn(process.execPath, [CLI, 'scp', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('sh', ['-c', `${limits.join(' && ')} && exec "$0" "$@"`, process.execPath, CLI, 'scp', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`scp did not print ${listeners} 'listening' line(s) within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (c) => { stderr += c; });
    child.stdout.on('data', (c) => {
      stdout += c;
      const plain = /^listening on .*:(\d+)$/m.exec(stdout);
      const tls = /^listening \(tls\) on .*:(\d+)$/m.exec(stdout);
      const count = (plain ? 1 : 0) + (tls ? 1 : 0);
      if (count >= listeners && plain) {
        clearTimeout(timer);
        resolveStart({
          child,
          ports: { plain: Number(plain[1]), tls: tls ? Number(tls[1]) : undefined },
          stderr: () => stderr,
          stop: () => {
            const t = setTimeout(() => child.kill('SIGKILL'), 8000);
            child.kill('SIGTERM');
            return exited.finally(() => clearTimeout(t));
          },
        });
      }
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
