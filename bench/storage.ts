// The storage part of `npm run bench` (issue #3): C-STORE throughput and memory, ours against DCMTK
// in the same run, on the same generated files: 64 KB x 2000, 1 MB x 500, 50 MB x 10; receiving to
// disk and discarding; plain and TLS; the four pairings of sender and receiver. DCMTK runs with
// TCP_NODELAY=1 and -pdu 131072, storescp to disk with +B (its best). For each size and conditions
// both receivers are started fresh (their peak resident memory, VmHWM, is that block's; the idle
// figure is read right after each listens) and warmed up; then the four pairings take turns, RUNS
// rounds, and each row's median run counts. The sender runs under /usr/bin/time for its peak. Every
// run is checked: the sender's exit code, our SCU's JSON summary, our SCP's per-instance log lines,
// and the files that arrived.
// Our tools' output (the SCP's log line per instance, the SCU's JSON line per file) goes to files,
// read after each run: through pipes, this process would wake up and work per instance while it is
// measuring, on a 2-core machine, which DCMTK (printing nothing) would not pay for.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, removeTestPki, type TestPki } from '../test/helpers/certs';
import { makeInstance, newUid } from '../test/helpers/dicom-files';
import { freePort, listensOn, waitForPort } from '../test/helpers/ports';
import { CLI, ENV } from './processes';

const PDU = '131072';
/** Bound of one sender run; the slowest row seen takes ~10 s. */
const ROW_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 5000;
const TIME = '/usr/bin/time';
/** Measured runs per row (the median counts), after the receivers' warm-up. */
const RUNS = 5;

export interface Size {
  readonly label: string;
  readonly count: number;
  readonly pixelBytes: number;
}

/** Pixel bytes chosen so that each file, meta group and attributes included, is ~64 KB, ~1 MB, ~50 MB. */
export const SIZES: readonly Size[] = [
  { label: '64 KB x 2000', count: 2000, pixelBytes: 64 * 1024 - 600 },
  { label: '1 MB x 500', count: 500, pixelBytes: 1024 * 1024 - 600 },
  { label: '50 MB x 10', count: 10, pixelBytes: 50 * 1024 * 1024 },
];

type Side = 'ours' | 'dcmtk';
interface Conditions {
  readonly disk: boolean;
  readonly tls: boolean;
}

export interface StoreRow {
  readonly size: string;
  readonly sender: Side;
  readonly receiver: Side;
  /**
   * DCMTK -> DCMTK measured a second time in the same rounds: the control. Its ratio to the first
   * is what a program exactly as fast as DCMTK scores in these conditions on this VM.
   */
  readonly control?: boolean;
  readonly disk: boolean;
  readonly tls: boolean;
  readonly ok: boolean;
  readonly error?: string;
  /** The median of the runs. */
  readonly seconds?: number;
  /** Every measured run, in the order they ran. */
  readonly runSeconds?: readonly number[];
  readonly megabytes?: number;
  readonly mbPerSecond?: number;
  readonly filesPerSecond?: number;
  readonly senderPeakMb?: number;
  readonly senderIdleMb?: number;
  readonly receiverPeakMb?: number;
  readonly receiverIdleMb?: number;
}

// ---- child processes: every one is tracked and killed on the way out, also on error or signal ----

const live = new Set<ChildProcess>();
/** Children that lead a process group of their own (a sender: /usr/bin/time + the tool). */
const groups = new WeakSet<ChildProcess>();

function track(child: ChildProcess, group: boolean): ChildProcess {
  live.add(child);
  if (group) groups.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (groups.has(child) && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/** The temp folder of a run under way: removed on the way out too (Ctrl-C, SIGTERM). */
let workDir: string | undefined;

function cleanUp(): void {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
  removeTestPki();
}

process.on('exit', () => {
  for (const c of live) kill(c, 'SIGKILL');
  cleanUp();
});

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => { kill(child, 'SIGKILL'); resolve(); }, 3000);
    child.once('exit', () => { clearTimeout(t); resolve(); });
    kill(child, 'SIGTERM');
  });
}

function statusMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- receivers ----

/** Where our tools' output files go (the run's work folder, removed at the end). */
let logDir = tmpdir();
let logs = 0;

interface Receiver {
  readonly child: ChildProcess;
  readonly port: number;
  readonly idleRssMb: number;
  /** Instances our SCP has logged as stored (its stderr); undefined for storescp. */
  readonly stored: () => number | undefined;
  readonly log: () => string;
}

async function startReceiver(side: Side, c: Conditions, pki: TestPki, out: string | undefined): Promise<Receiver> {
  if (side === 'dcmtk') {
    const port = await freePort();
    // To disk with +B (bit preserving): storescp then writes each data set as it arrives, as our SCP
    // does, instead of decoding it into memory and encoding it again; it is also storescp's fastest
    // way to disk here (50 MB instances ~3 times faster, 1 MB ~1.5 times).
    const args = ['-pdu', PDU, '-aet', 'ANY-SCP', ...(out ? ['-od', out, '+B'] : ['--ignore'])];
    // storescp's default peer authentication is --require-peer-cert: our SCP is run the same way.
    if (c.tls) args.push('+tls', pki.server.keyFile, pki.server.certFile, '+cf', pki.ca.certFile);
    const child = track(spawn('storescp', [...args, String(port)], { env: ENV, stdio: ['ignore', 'ignore', 'pipe'] }), false);
    let err = '';
    child.stderr?.on('data', (d) => { err = (err + d).slice(-2000); });
    try {
      await waitForPort(port, START_TIMEOUT_MS);
    } catch (e) {
      await stop(child);
      throw new Error(`storescp did not listen: ${(e as Error).message} ${err.trim()}`, { cause: e });
    }
    // A leftover process on the port would have answered in its place (test/helpers/ports.ts).
    if (listensOn(child.pid ?? -1, port) === false) {
      await stop(child);
      throw new Error(`storescp did not listen: another process holds 127.0.0.1:${port} ${err.trim()}`);
    }
    return { child, port, idleRssMb: statusMb(child.pid, 'VmRSS'), stored: () => undefined, log: () => err };
  }
  const args = ['scp', '--aet', 'ANY-SCP', '--host', '127.0.0.1', '--port', '0', ...(out ? ['--storage', out] : ['--ignore'])];
  if (c.tls) args.push('--tls-port', '0', '--cert', pki.server.certFile, '--key', pki.server.keyFile, '--ca', pki.ca.certFile, '--require-client-cert');
  // Its log (one stderr line per instance, "[assoc N] stored UID (...)") goes to a file, counted on demand.
  const logFile = join(logDir, `scp-${++logs}.log`);
  const logFd = openSync(logFile, 'w');
  const child = track(spawn(process.execPath, [CLI, ...args], { env: ENV, stdio: ['ignore', 'pipe', logFd] }), false);
  closeSync(logFd);
  const readLog = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const stored = () => readLog().split('\n').filter((l) => /^\[assoc \d+\] stored /.test(l)).length;
  const tail = () => readLog().split('\n').filter((l) => !/^\[assoc \d+\] stored /.test(l)).join('\n').slice(-2000);
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`dicomnet scp did not start in ${START_TIMEOUT_MS} ms: ${tail().trim()}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`dicomnet scp exited (${code}): ${tail().trim()}`)); });
    child.stdout?.on('data', (chunk) => {
      text += chunk;
      const m = (c.tls ? /^listening \(tls\) on .*:(\d+)$/m : /^listening on .*:(\d+)$/m).exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  }).catch(async (e: unknown) => {
    await stop(child);
    throw e;
  });
  // Let it settle after start-up before reading its idle figure.
  await sleep(300);
  return { child, port, idleRssMb: statusMb(child.pid, 'VmRSS'), stored, log: tail };
}

// ---- senders ----

interface SenderRun {
  readonly ok: boolean;
  readonly seconds: number;
  readonly peakMb: number;
  readonly detail: string;
  readonly stdout: string;
}

/**
 * Runs `args` to completion under /usr/bin/time (peak RSS), bounded; wall time is start to exit.
 * With `stdoutFile`, the command's standard output goes to that file and is read after it exits.
 */
function timed(args: string[], timeoutMs: number, stdoutFile?: string): Promise<SenderRun> {
  return new Promise((resolve) => {
    const outFd = stdoutFile === undefined ? undefined : openSync(stdoutFile, 'w');
    const started = performance.now();
    const child = track(spawn(TIME, ['-f', 'MAXRSS_KB=%M', ...args], { env: ENV, stdio: ['ignore', outFd ?? 'pipe', 'pipe'], detached: true }), true);
    if (outFd !== undefined) closeSync(outFd);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (d) => { stdout += d; });
    child.stderr?.on('data', (d) => { stderr = (stderr + d).slice(-20_000); });
    const timer = setTimeout(() => { timedOut = true; kill(child, 'SIGKILL'); }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, seconds: Number.NaN, peakMb: Number.NaN, detail: e.message, stdout });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      if (stdoutFile !== undefined) stdout = readFileSync(stdoutFile, 'utf8');
      const peak = /MAXRSS_KB=(\d+)/.exec(stderr);
      const said = stderr.split('\n').filter((l) => l.trim() && !l.startsWith('MAXRSS') && !l.startsWith('Command exited')).slice(-2).join(' | ');
      const ok = code === 0 && !timedOut;
      const detail = timedOut ? `no exit after ${timeoutMs / 1000} s` : ok ? '' : `exit ${code ?? signal}${said ? `: ${said}` : ''}`;
      resolve({ ok, seconds, peakMb: peak ? Number(peak[1]) / 1024 : Number.NaN, detail, stdout });
    });
  });
}

function tlsArgs(side: Side, pki: TestPki): string[] {
  return side === 'dcmtk'
    ? ['+tls', pki.client.keyFile, pki.client.certFile, '+cf', pki.ca.certFile]
    : ['--tls', '--ca', pki.ca.certFile, '--cert', pki.client.certFile, '--key', pki.client.keyFile];
}

async function runSender(side: Side, c: Conditions, pki: TestPki, port: number, dir: string, count: number): Promise<SenderRun> {
  const tls = c.tls ? tlsArgs(side, pki) : [];
  // A directory, not 2000 paths on the command line: storescu scans it (+sd), ours walks it.
  const args = side === 'dcmtk'
    ? ['storescu', '-pdu', PDU, '-aec', 'ANY-SCP', '+sd', ...tls, '127.0.0.1', String(port), dir]
    : [process.execPath, CLI, 'store', '127.0.0.1', String(port), dir, '--aec', 'ANY-SCP', '--json', ...tls];
  const run = await timed(args, ROW_TIMEOUT_MS, side === 'ours' ? join(logDir, `store-${++logs}.json`) : undefined);
  if (side === 'dcmtk' || !run.ok) return run;
  // Our SCU: the last line is the summary; every file must have been stored.
  let summary: { type?: string; ok?: boolean; stored?: number; failed?: number } = {};
  try {
    summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as typeof summary;
  } catch {
    // not JSON: reported below
  }
  if (summary.type !== 'summary' || !summary.ok || summary.stored !== count) {
    const firstFailure = run.stdout.split('\n').find((l) => l.includes('"outcome":"failed"') || l.includes('"outcome":"FAILED"'));
    return { ...run, ok: false, detail: `summary ${JSON.stringify(summary)}${firstFailure ? `; first failure ${firstFailure.slice(0, 300)}` : ''}` };
  }
  return run;
}

/**
 * The sender's idle figure: the peak resident memory of the same tool doing one C-ECHO to the same
 * kind of receiver (loaded, connected, negotiated, nothing sent): `dicomnet echo` / `echoscu`.
 */
async function senderIdleMb(side: Side, tls: boolean, pki: TestPki): Promise<number> {
  const receiver = await startReceiver('dcmtk', { disk: false, tls }, pki, undefined);
  try {
    const extra = tls ? tlsArgs(side, pki) : [];
    const args = side === 'dcmtk'
      ? ['echoscu', '-aec', 'ANY-SCP', ...extra, '127.0.0.1', String(receiver.port)]
      : [process.execPath, CLI, 'echo', '127.0.0.1', String(receiver.port), '--aec', 'ANY-SCP', ...extra];
    const peaks: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await timed(args, 10_000);
      if (!r.ok) throw new Error(`${side} echo for the idle figure failed: ${r.detail}`);
      peaks.push(r.peakMb);
    }
    return Math.min(...peaks);
  } finally {
    await stop(receiver.child);
  }
}

// ---- one row ----

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  // storescp names its files <modality>.<uid>, ours <uid>.dcm; temporary files start with a dot.
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile() && !e.name.startsWith('.')) n++;
  return n;
}

/** Polls `f` until it returns `want` or `ms` pass (a receiver logs/renames right after its response). */
async function settle(f: () => number | undefined, want: number, ms: number): Promise<number | undefined> {
  const deadline = Date.now() + ms;
  let got = f();
  while (got !== undefined && got !== want && Date.now() < deadline) {
    await sleep(50);
    got = f();
  }
  return got;
}

interface Job {
  readonly size: Size;
  readonly files: string;
  readonly bytes: number;
  readonly pki: TestPki;
  readonly work: string;
  readonly idle: ReadonlyMap<string, number>;
  /** Files sent to each receiver, unmeasured, before the measured run (none: a cold receiver). */
  readonly warmUp: readonly string[];
  /** How many times the warm-up files are sent. */
  readonly warmPasses: number;
}

/**
 * The warm-up: at least WARM_UP_INSTANCES instances, repeating the files, unless that would pass
 * WARM_UP_MAX_BYTES (64 KB: the 2 000 files once; 1 MB: the 500 three times; 50 MB: the 10 three
 * times). Measured on 2026-12-03 (CPU of a fresh `dicomnet scp --ignore` per 500 x 1 MB from
 * storescu, 10 runs): 450, 440, 290, then 210-260 ms, storescp 190-310 throughout; in its first ~1 500
 * instances V8 compiles our receive path (a third of the process's samples in the first run were
 * TurboFan jobs), at any TurboFan threshold from 100 to 1 000 calls. With the warm-up before (at most
 * 256 MB), the first two measured rounds of our SCP with 1 MB instances fell inside that.
 */
const WARM_UP_INSTANCES = 1500;
const WARM_UP_MAX_BYTES = 1.6e9;
/** Of the files, at most this many bytes are used for one pass. */
const WARM_UP_PASS_BYTES = 600e6;

/**
 * A receiver is a service that runs for days: before the measured run it takes `job.warmUp`
 * `job.warmPasses` times from storescu (the same for both receivers, in the row's conditions),
 * unmeasured. A JIT-compiled receiver (ours) reaches its steady speed only after some thousand
 * instances; storescp has nothing to warm. `--cold` skips this.
 */
async function warmUp(job: Job, r: Receiver, c: Conditions, out: string | undefined): Promise<string | undefined> {
  if (job.warmUp.length === 0) return undefined;
  const tls = c.tls ? tlsArgs('dcmtk', job.pki) : [];
  for (let pass = 1; pass <= job.warmPasses; pass++) {
    const run = await timed(['storescu', '-pdu', PDU, '-aec', 'ANY-SCP', ...tls, '127.0.0.1', String(r.port), ...job.warmUp], ROW_TIMEOUT_MS);
    if (!run.ok) return `warm-up with storescu failed: ${run.detail}`;
    // Our SCP logs each instance just after its response: wait for the warm-up's lines to be in.
    if (r.stored() !== undefined) await settle(r.stored, job.warmUp.length * pass, 3000);
    if (out) {
      // The next pass, and the measured run, must find an empty folder (its files are counted).
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
    }
  }
  return undefined;
}

/**
 * Reads every file of `dir` once, untimed, so that the sender finds them in the page cache. This VM
 * drops file pages within seconds although most of its memory is free (a 500 MB set read whole kept
 * 38-42 MB of each 50 MB file 15 s later, 5-14 MB after a minute), so without this each run read a
 * varying part of its files from the virtual disk, whichever sender it was.
 */
const readBuffer = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
function readThrough(dir: string): void {
  for (const name of readdirSync(dir)) {
    const fd = openSync(join(dir, name), 'r');
    try {
      for (let i = 0; i < 100_000 && readSync(fd, readBuffer, 0, readBuffer.length, null) > 0; i++);
    } finally {
      closeSync(fd);
    }
  }
}

/** One sender run into `r`, checked: undefined if every instance arrived, else what went wrong. */
async function measuredRun(job: Job, sender: Side, receiver: Side, r: Receiver, c: Conditions, out: string | undefined): Promise<SenderRun | string> {
  const { size } = job;
  const before = r.stored() ?? 0;
  readThrough(job.files);
  const s = await runSender(sender, c, job.pki, r.port, job.files, size.count);
  if (r.child.exitCode !== null || r.child.signalCode !== null) {
    return `receiver exited (${r.child.exitCode ?? r.child.signalCode}) ${r.log().trim().slice(-300)}`;
  }
  if (!s.ok) return `sender ${s.detail}${receiver === 'ours' ? `; our SCP said: ${r.log().trim().split('\n').slice(-2).join(' | ')}` : ''}`;
  const logged = await settle(() => { const n = r.stored(); return n === undefined ? n : n - before; }, size.count, 3000);
  if (logged !== undefined && logged !== size.count) return `our SCP logged ${logged} of ${size.count} instances stored`;
  if (out) {
    const got = await settle(() => countFiles(out), size.count, 3000);
    if (got !== size.count) return `${got} of ${size.count} files arrived in the storage folder`;
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
  }
  return s;
}

/**
 * One size in one set of conditions: both receivers are started fresh and warmed up, then RUNS
 * rounds follow in which the four pairings take turns (rotated, so that none always goes first).
 * Alternating like this, every pairing meets the same moods of this shared VM, whose speed drifts
 * by tens of per cent within minutes: measured one after the other, the reference row (DCMTK ->
 * DCMTK) of a size moved by up to 1.6 x between two runs of the bench. A receiver's peak is over
 * the whole block, from both senders.
 */
async function measureBlock(job: Job, c: Conditions): Promise<StoreRow[]> {
  const { size } = job;
  const outs: Record<Side, string | undefined> = {
    ours: c.disk ? join(job.work, 'received-ours') : undefined,
    dcmtk: c.disk ? join(job.work, 'received-dcmtk') : undefined,
  };
  const receivers: Partial<Record<Side, Receiver>> = {};
  const errors = new Map<string, string>();
  const runs = new Map<string, SenderRun[]>(ROTATION.map(({ key }) => [key, []]));
  const failReceiver = (side: Side, error: string) => {
    for (const { key, receiver } of ROTATION) if (receiver === side && !errors.has(key)) errors.set(key, error);
  };
  try {
    for (const side of ['ours', 'dcmtk'] as const) {
      const out = outs[side];
      if (out) {
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
      }
      try {
        const r = await startReceiver(side, c, job.pki, out);
        receivers[side] = r;
        const warmFailed = await warmUp(job, r, c, out);
        if (warmFailed) failReceiver(side, warmFailed);
      } catch (err) {
        failReceiver(side, (err as Error).message);
      }
    }
    for (let round = 0; round < RUNS; round++) {
      for (let k = 0; k < ROTATION.length; k++) {
        const { key, sender, receiver } = ROTATION[(k + round) % ROTATION.length]!;
        const r = receivers[receiver];
        if (errors.has(key) || !r) continue;
        const got = await measuredRun(job, sender, receiver, r, c, outs[receiver]);
        if (typeof got === 'string') {
          if (got.startsWith('receiver exited')) failReceiver(receiver, got);
          else errors.set(key, got);
        } else {
          runs.get(key)!.push(got);
        }
      }
    }
    const peaks: Partial<Record<Side, number>> = {};
    for (const side of ['ours', 'dcmtk'] as const) peaks[side] = statusMb(receivers[side]?.child.pid, 'VmHWM');
    return ROTATION.map(({ key, sender, receiver, control }) => {
      const base = { size: size.label, sender, receiver, ...(control ? { control } : {}), disk: c.disk, tls: c.tls };
      const error = errors.get(key);
      const done = runs.get(key)!;
      if (error !== undefined || done.length !== RUNS) return { ...base, ok: false, error: error ?? `${done.length} of ${RUNS} runs` };
      const runSeconds = done.map((x) => x.seconds);
      const seconds = [...runSeconds].sort((x, y) => x - y)[Math.floor(RUNS / 2)]!;
      return {
        ...base, ok: true,
        seconds,
        runSeconds,
        megabytes: job.bytes / 1e6,
        mbPerSecond: job.bytes / 1e6 / seconds,
        filesPerSecond: size.count / seconds,
        senderPeakMb: Math.max(...done.map((x) => x.peakMb)),
        senderIdleMb: job.idle.get(`${sender}/${c.tls}`) ?? Number.NaN,
        receiverPeakMb: peaks[receiver],
        receiverIdleMb: receivers[receiver]?.idleRssMb,
      };
    });
  } finally {
    for (const r of Object.values(receivers)) await stop(r.child);
    for (const out of Object.values(outs)) if (out) rmSync(out, { recursive: true, force: true });
  }
}

// ---- the report ----

const PAIRS: readonly [Side, Side][] = [['ours', 'dcmtk'], ['dcmtk', 'ours'], ['ours', 'ours'], ['dcmtk', 'dcmtk']];
/** What takes turns in each round: the four pairings, and DCMTK -> DCMTK once more as the control. */
const ROTATION: readonly { key: string; sender: Side; receiver: Side; control?: boolean }[] = [
  ...PAIRS.map(([sender, receiver]) => ({ key: `${sender}>${receiver}`, sender, receiver })),
  { key: 'control', sender: 'dcmtk', receiver: 'dcmtk', control: true },
];
const CONDITIONS: readonly Conditions[] = [{ disk: false, tls: false }, { disk: true, tls: false }, { disk: false, tls: true }, { disk: true, tls: true }];
const NAME: Record<Side, string> = { ours: 'ours', dcmtk: 'DCMTK' };

function num(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return x >= 100 ? Math.round(x).toString() : x.toFixed(x >= 10 ? 1 : 2);
}

function conditionLabel(c: Conditions): string {
  return `${c.disk ? 'disk' : 'discard'} ${c.tls ? 'TLS' : 'plain'}`;
}

function reference(rows: readonly StoreRow[], r: StoreRow): StoreRow | undefined {
  return rows.find((x) => x.size === r.size && x.disk === r.disk && x.tls === r.tls && x.sender === 'dcmtk' && x.receiver === 'dcmtk' && !x.control);
}

function ratioOf(rows: readonly StoreRow[], r: StoreRow): number {
  const ref = reference(rows, r);
  return r.ok && ref?.ok ? r.mbPerSecond! / ref.mbPerSecond! : Number.NaN;
}

function printSize(rows: readonly StoreRow[]): void {
  const header = ['conditions', 'pairing', 'MB/s', 'files/s', 'tx peak MB', 'tx +idle', 'rx peak MB', 'rx +idle', 'ratio'];
  const cells: string[][] = [header];
  for (const r of rows) {
    const cond = conditionLabel(r);
    const pair = `${NAME[r.sender]} -> ${NAME[r.receiver]}${r.control ? ' again' : ''}`;
    if (!r.ok) {
      cells.push([cond, pair, `FAILED: ${r.error ?? 'unknown'}`]);
      continue;
    }
    cells.push([
      cond, pair, num(r.mbPerSecond), num(r.filesPerSecond),
      num(r.senderPeakMb), num(r.senderPeakMb! - r.senderIdleMb!),
      num(r.receiverPeakMb), num(r.receiverPeakMb! - r.receiverIdleMb!),
      num(ratioOf(rows, r)),
    ]);
  }
  const full = cells.filter((c) => c.length === header.length);
  const widths = header.map((_, i) => Math.max(...full.map((c) => c[i]!.length)));
  for (const [n, c] of cells.entries()) {
    console.log(c.map((v, i) => (i < 2 || c.length !== header.length ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export interface StorageBenchmarkOptions {
  /** Receivers measured right after their start, without the warm-up pass. */
  readonly cold?: boolean;
}

/**
 * `size.count` instances of `size` in `dir` (made), explicit VR little endian: one study, a series per
 * 200 instances, as a modality sends them (our SCP files them by study and series; storescp puts
 * everything in one folder).
 */
export function makeBenchFiles(dir: string, size: Size): void {
  mkdirSync(dir, { recursive: true });
  const study = newUid();
  const series = Array.from({ length: Math.ceil(size.count / 200) }, () => newUid());
  for (let i = 0; i < size.count; i++) {
    makeInstance(join(dir, `f${String(i).padStart(5, '0')}.dcm`), {
      pixelBytes: size.pixelBytes, seed: i, sequenceLength: 'explicit', studyInstanceUid: study, seriesInstanceUid: series[Math.floor(i / 200)],
    });
  }
}

export async function storageBenchmark(options: StorageBenchmarkOptions = {}): Promise<StoreRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'dicomnet-bench-store-'));
  logDir = work;
  workDir = work;
  const rows: StoreRow[] = [];
  try {
    if (!existsSync(TIME)) throw new Error(`${TIME} is missing (apt-get install -y time): it reads the senders' peak memory`);
    const pki = await makeTestPki();
    console.log(`\nC-STORE throughput and memory (loopback; per size and conditions both receivers started fresh${options.cold ? ' and measured cold' : ''}).`);
    if (!options.cold) {
      console.log('Each receiver first takes the files from storescu, unmeasured (a warm-up: a receiver is a service that runs for days,');
      console.log('and ours is JIT-compiled: at least 1 500 instances, the files repeated, up to 1.6 GB; --cold skips it). Senders are');
      console.log('always fresh processes.');
    }
    console.log('DCMTK 3.6.7: storescu/storescp with TCP_NODELAY=1 and -pdu 131072; storescp --ignore | -od DIR +B (bit preserving).');
    console.log('Ours: `dicomnet store --json` -> `dicomnet scp --ignore | --storage DIR`. TLS: +tls / --tls with client');
    console.log('certificates, required by both receivers. MB/s and files/s over the sender process, start to exit');
    console.log('(MB = 10^6 bytes of the files). Memory: peak resident (VmHWM; sender via /usr/bin/time). rx +idle = receiver');
    console.log('peak minus its VmRSS right after it listened; tx +idle = sender peak minus the peak of the same tool doing one');
    console.log('C-ECHO (dicomnet echo / echoscu). ratio = MB/s / DCMTK -> DCMTK in the same conditions.');
    console.log(`Each row: ${RUNS} runs of a fresh sender, the median counts (sender peak: the highest; receiver peak: over both`);
    console.log(`senders). The four pairings take turns, ${RUNS} rounds, so that all of them meet the same drifts of this VM; DCMTK ->`);
    console.log('DCMTK takes a second turn in each round, as a control ("DCMTK -> DCMTK again": its ratio is the spread). Our tools\'');
    console.log('output (SCP log line per instance, SCU JSON line per file) goes to files, read after each run. Before each run the');
    console.log("files are read once, untimed: this VM's page cache drops file pages within seconds, and a sender would read part");
    console.log('of them from the virtual disk.');
    const idle = new Map<string, number>();
    for (const side of ['ours', 'dcmtk'] as const) {
      for (const tls of [false, true]) idle.set(`${side}/${tls}`, await senderIdleMb(side, tls, pki));
    }
    console.log(`sender idle peaks: ours ${num(idle.get('ours/false'))} MB (TLS ${num(idle.get('ours/true'))}), DCMTK ${num(idle.get('dcmtk/false'))} MB (TLS ${num(idle.get('dcmtk/true'))})`);
    for (const size of SIZES) {
      const files = join(work, `files-${size.count}`);
      makeBenchFiles(files, size);
      const bytes = readdirSync(files).reduce((n, f) => n + statSync(join(files, f)).size, 0);
      console.log(`\n${size.label}: ${(bytes / 1e6).toFixed(0)} MB, ${(bytes / size.count / 1e6).toFixed(3)} MB per file`);
      const names = readdirSync(files).sort();
      const fileBytes = bytes / size.count;
      const warmCount = options.cold ? 0 : Math.max(1, Math.min(names.length, Math.floor(WARM_UP_PASS_BYTES / fileBytes)));
      const warmPasses = Math.max(1, Math.min(Math.ceil(WARM_UP_INSTANCES / Math.max(1, warmCount)), Math.floor(WARM_UP_MAX_BYTES / (warmCount * fileBytes))));
      const job: Job = { size, files, bytes, pki, work, idle, warmUp: names.slice(0, warmCount).map((n) => join(files, n)), warmPasses };
      const sizeRows: StoreRow[] = [];
      for (const c of CONDITIONS) sizeRows.push(...await measureBlock(job, c));
      printSize(sizeRows);
      rows.push(...sizeRows);
      rmSync(files, { recursive: true, force: true });
    }
    summarizeTargets(rows);
  } finally {
    for (const c of [...live]) await stop(c);
    cleanUp();
  }
  return rows;
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

function summarizeTargets(rows: readonly StoreRow[]): void {
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : Number.NaN);
  const compared = rows.filter((r) => !(r.sender === 'dcmtk' && r.receiver === 'dcmtk'));
  const controls = rows.filter((r) => r.control && Number.isFinite(ratioOf(rows, r)));
  const controlRatios = controls.map((r) => ratioOf(rows, r));
  const atLeast = compared.filter((r) => ratioOf(rows, r) >= 1);
  const worst = compared.filter((r) => Number.isFinite(ratioOf(rows, r))).sort((a, b) => ratioOf(rows, a) - ratioOf(rows, b))[0];
  const big = rows.filter((r) => r.size === SIZES[2]!.label);
  const bigPlain = big.filter((r) => !r.disk && !r.tls && r.ok && r.sender === 'ours' && r.receiver === 'ours')[0];
  const bigOthers = big.filter((r) => !r.disk && !r.tls && (r.sender === 'ours') !== (r.receiver === 'ours'));
  const scpAboveIdle = max(big.filter((r) => r.receiver === 'ours' && r.ok).map((r) => r.receiverPeakMb! - r.receiverIdleMb!));
  const scuAboveIdle = max(rows.filter((r) => r.sender === 'ours' && r.ok).map((r) => r.senderPeakMb! - r.senderIdleMb!));
  const failed = rows.filter((r) => !r.ok);
  console.log('\nTargets (issue #3):');
  console.log(`  every row at >= 1.0 x DCMTK -> DCMTK: ${atLeast.length} of ${compared.length} rows (${verdict(atLeast.length === compared.length)})${worst ? `; lowest ${num(ratioOf(rows, worst))} (${worst.size}, ${conditionLabel(worst)}, ${NAME[worst.sender]} -> ${NAME[worst.receiver]})` : ''}`);
  if (controls.length > 0) {
    console.log(`  the control, DCMTK -> DCMTK run twice in the same rounds (what a program exactly as fast as DCMTK scores): ratios ${num(Math.min(...controlRatios))}-${num(Math.max(...controlRatios))}, ${controlRatios.filter((x) => x >= 1).length} of ${controls.length} at >= 1.0`);
  }
  console.log(`  50 MB discarding plain >= 1000 MB/s, ours -> ours: ${num(bigPlain?.mbPerSecond)} MB/s (${verdict((bigPlain?.mbPerSecond ?? 0) >= 1000)}); ${bigOthers.map((r) => `${NAME[r.sender]} -> ${NAME[r.receiver]} ${r.ok ? num(r.mbPerSecond) : 'FAILED'}`).join(', ')}`);
  console.log(`  our SCP receiving 50 MB instances: peak <= idle + 64 MB: at most +${num(scpAboveIdle)} MB (${verdict(scpAboveIdle <= 64)})`);
  console.log(`  our SCU, every row: peak <= idle + 64 MB: at most +${num(scuAboveIdle)} MB (${verdict(scuAboveIdle <= 64)})`);
  console.log(`  failed rows: ${failed.length}${failed.length ? ` (${failed.map((r) => `${r.size} ${conditionLabel(r)} ${NAME[r.sender]} -> ${NAME[r.receiver]}`).join('; ')})` : ''}`);
}
