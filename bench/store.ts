// The storage part of `npm run bench` (issue #3): C-STORE throughput and memory, ours against DCMTK
// in the same run, on the same generated files: 64 KB x 2000, 1 MB x 500, 50 MB x 10; receiving to
// disk and discarding; plain and TLS; the four pairings of sender and receiver. DCMTK runs with
// TCP_NODELAY=1 and -pdu 131072 (its best). Each receiver is started fresh for its row, so that its
// peak resident memory (VmHWM) is that row's; its idle figure is read right after it listens.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from '../test/helpers/certs';
import { makeInstance, newUid } from '../test/helpers/dicom-files';
import { CLI, freePort, waitForPort } from './processes';
import { printTable, ratio, type Row } from './measure';

const ENV = { ...process.env, TCP_NODELAY: '1' };
const PDU = '131072';
const ROW_TIMEOUT_MS = 120_000;

interface Size {
  readonly label: string;
  readonly count: number;
  readonly pixelBytes: number;
}

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

interface Receiver {
  readonly child: ChildProcess;
  readonly port: number;
  readonly idleRssMb: number;
  readonly out?: string;
}

export interface StoreRow {
  readonly size: string;
  readonly sender: Side;
  readonly receiver: Side;
  readonly disk: boolean;
  readonly tls: boolean;
  readonly ok: boolean;
  readonly error?: string;
  readonly mbPerSecond?: number;
  readonly filesPerSecond?: number;
  readonly senderPeakMb?: number;
  readonly receiverPeakMb?: number;
  readonly receiverIdleMb?: number;
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

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 3000);
    child.once('close', () => { clearTimeout(t); resolve(); });
    child.kill('SIGTERM');
  });
}

async function startReceiver(side: Side, c: Conditions, pki: TestPki, out: string | undefined): Promise<Receiver> {
  if (side === 'dcmtk') {
    const port = await freePort();
    const args = ['-pdu', PDU, '-aet', 'ANY-SCP', ...(out ? ['-od', out] : ['--ignore'])];
    if (c.tls) args.push('+tls', pki.server.keyFile, pki.server.certFile, '+cf', pki.ca.certFile);
    const child = spawn('storescp', [...args, String(port)], { env: ENV, stdio: 'ignore' });
    await waitForPort(port, 5000);
    return { child, port, idleRssMb: statusMb(child.pid, 'VmRSS'), out };
  }
  const args = ['scp', '--aet', 'ANY-SCP', '--host', '127.0.0.1', '--port', '0', ...(out ? ['--storage', out] : ['--ignore'])];
  if (c.tls) args.push('--tls-port', '0', '--cert', pki.server.certFile, '--key', pki.server.keyFile, '--ca', pki.ca.certFile);
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('dicomnet scp did not start in 5 s')), 5000);
    child.stdout?.on('data', (chunk) => {
      text += chunk;
      const m = (c.tls ? /^listening \(tls\) on .*:(\d+)$/m : /^listening on .*:(\d+)$/m).exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  // Let it settle after start-up before reading its idle figure.
  await new Promise((r) => setTimeout(r, 300));
  return { child, port, idleRssMb: statusMb(child.pid, 'VmRSS'), out };
}

/** Runs the sender to completion under /usr/bin/time for its peak RSS; resolves with its outcome. */
function runSender(side: Side, c: Conditions, pki: TestPki, port: number, dir: string): Promise<{ ok: boolean; seconds: number; peakMb: number; detail: string }> {
  const args = side === 'dcmtk'
    ? ['storescu', '-pdu', PDU, '-aec', 'ANY-SCP', '+sd',
      ...(c.tls ? ['+tls', pki.client.keyFile, pki.client.certFile, '+cf', pki.ca.certFile] : []), '127.0.0.1', String(port), dir]
    : [process.execPath, CLI, 'store', '127.0.0.1', String(port), dir, '--aec', 'ANY-SCP', '--json',
      ...(c.tls ? ['--tls', '--ca', pki.ca.certFile, '--cert', pki.client.certFile, '--key', pki.client.keyFile] : [])];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), ROW_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const peak = /MAXRSS_KB=(\d+)/.exec(stderr);
      let ok = code === 0;
      let detail = ok ? '' : `exit ${code}: ${stderr.split('\n').filter((l) => l && !l.startsWith('MAXRSS')).slice(-2).join(' | ')}`;
      if (side === 'ours' && ok) {
        const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ok?: boolean; stored?: number };
        if (!summary.ok) {
          ok = false;
          detail = `summary: ${JSON.stringify(summary)}`;
        }
      }
      resolve({ ok, seconds, peakMb: peak ? Number(peak[1]) / 1024 : Number.NaN, detail });
    });
  });
}

function countFiles(dir: string): number {
  let n = 0;
  // storescp names its files <modality>.<uid>, ours <uid>.dcm; temporary files start with a dot.
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile() && !e.name.startsWith('.')) n++;
  return n;
}

async function measureRow(size: Size, files: string, bytes: number, sender: Side, receiver: Side, c: Conditions, pki: TestPki, work: string): Promise<StoreRow> {
  const base = { size: size.label, sender, receiver, disk: c.disk, tls: c.tls };
  const out = c.disk ? join(work, 'received') : undefined;
  if (out) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
  }
  let r: Receiver | undefined;
  try {
    r = await startReceiver(receiver, c, pki, out);
    const s = await runSender(sender, c, pki, r.port, files);
    const receiverPeakMb = statusMb(r.child.pid, 'VmHWM');
    if (!s.ok) return { ...base, ok: false, error: s.detail };
    if (out) {
      const got = countFiles(out);
      if (got !== size.count) return { ...base, ok: false, error: `${got} of ${size.count} files arrived` };
    }
    return {
      ...base, ok: true,
      mbPerSecond: bytes / 1e6 / s.seconds,
      filesPerSecond: size.count / s.seconds,
      senderPeakMb: s.peakMb,
      receiverPeakMb,
      receiverIdleMb: r.idleRssMb,
    };
  } catch (err) {
    return { ...base, ok: false, error: (err as Error).message };
  } finally {
    if (r) await stop(r.child);
    if (out) rmSync(out, { recursive: true, force: true });
  }
}

const PAIRS: readonly [Side, Side][] = [['ours', 'dcmtk'], ['dcmtk', 'ours'], ['ours', 'ours'], ['dcmtk', 'dcmtk']];
const CONDITIONS: readonly Conditions[] = [{ disk: false, tls: false }, { disk: true, tls: false }, { disk: false, tls: true }, { disk: true, tls: true }];

function fmt(x: number | undefined, digits = 0): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

export async function storageBenchmark(): Promise<StoreRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'dicomnet-bench-store-'));
  const rows: StoreRow[] = [];
  try {
    const pki = await makeTestPki();
    console.log('\nC-STORE throughput (loopback). DCMTK: storescu/storescp with TCP_NODELAY=1 and -pdu 131072.');
    console.log('Ours: `dicomnet store` -> `dicomnet scp --ignore | --storage DIR`. MB/s and files/s over the sender\'s');
    console.log('whole process (start to exit); memory is peak resident (VmHWM); "rx +idle" is the receiver\'s peak above its idle.');
    for (const size of SIZES) {
      const files = join(work, `files-${size.count}`);
      mkdirSync(files, { recursive: true });
      // One study, a series per 200 instances, as a modality sends them (our SCP files them by study
      // and series; storescp puts everything in one folder).
      const study = newUid();
      const series = Array.from({ length: Math.ceil(size.count / 200) }, () => newUid());
      for (let i = 0; i < size.count; i++) {
        makeInstance(join(files, `f${String(i).padStart(5, '0')}.dcm`), {
          pixelBytes: size.pixelBytes, seed: i, sequenceLength: 'explicit', studyInstanceUid: study, seriesInstanceUid: series[Math.floor(i / 200)],
        });
      }
      const bytes = readdirSync(files).reduce((n, f) => n + statSync(join(files, f)).size, 0);
      console.log(`\n${size.label} (${(bytes / 1e6).toFixed(0)} MB)`);
      const table: Row[] = [];
      const labels: string[] = [];
      for (const c of CONDITIONS) {
        const reference = await measureRow(size, files, bytes, 'dcmtk', 'dcmtk', c, pki, work);
        for (const [sender, receiver] of PAIRS) {
          const row = sender === 'dcmtk' && receiver === 'dcmtk' ? reference : await measureRow(size, files, bytes, sender, receiver, c, pki, work);
          rows.push(row);
          const label = `${c.disk ? 'disk   ' : 'discard'} ${c.tls ? 'tls  ' : 'plain'} ${sender.padEnd(5)} -> ${receiver.padEnd(5)}`;
          if (!row.ok) {
            console.log(`${label}  FAILED: ${row.error}`);
            continue;
          }
          labels.push(`${label}  ${fmt(row.filesPerSecond).padStart(6)} files/s  tx ${fmt(row.senderPeakMb).padStart(4)} MB  rx ${fmt(row.receiverPeakMb).padStart(4)} MB (+idle ${fmt((row.receiverPeakMb ?? 0) - (row.receiverIdleMb ?? 0)).padStart(3)})`);
          table.push([labels[labels.length - 1]!, row.mbPerSecond ?? Number.NaN, reference.mbPerSecond ?? Number.NaN, ratio(row.mbPerSecond ?? 0, reference.mbPerSecond ?? 0), '>= 1.0']);
        }
      }
      printTable(['pairing', 'MB/s', 'DCMTK->DCMTK', 'ratio', 'target'], table);
      rmSync(files, { recursive: true, force: true });
    }
    summarizeTargets(rows);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

function summarizeTargets(rows: readonly StoreRow[]): void {
  const big = rows.filter((r) => r.size === '50 MB x 10');
  const find = (s: Side, r: Side, disk: boolean, tls: boolean) => big.find((x) => x.sender === s && x.receiver === r && x.disk === disk && x.tls === tls);
  const oursOurs = find('ours', 'ours', false, false);
  const ourScpRows = big.filter((r) => r.receiver === 'ours' && r.ok);
  const scpAboveIdle = Math.max(...ourScpRows.map((r) => (r.receiverPeakMb ?? 0) - (r.receiverIdleMb ?? 0)));
  const scuPeak = Math.max(...rows.filter((r) => r.sender === 'ours' && r.ok).map((r) => r.senderPeakMb ?? 0));
  const failed = rows.filter((r) => !r.ok).length;
  console.log('\nTargets:');
  console.log(`  50 MB discarding plain, ours -> ours: ${fmt(oursOurs?.mbPerSecond)} MB/s (target >= 1000)`);
  console.log(`  our SCP receiving 50 MB instances: peak ${fmt(scpAboveIdle)} MB above idle (target <= 64)`);
  console.log(`  our SCU, any size: peak ${fmt(scuPeak)} MB resident in all (its idle is ~60 MB; target <= idle + 64)`);
  const compared = rows.filter((r) => r.ok && !(r.sender === 'dcmtk' && r.receiver === 'dcmtk'));
  const atLeast = compared.filter((r) => {
    const ref = rows.find((x) => x.size === r.size && x.disk === r.disk && x.tls === r.tls && x.sender === 'dcmtk' && x.receiver === 'dcmtk');
    return (r.mbPerSecond ?? 0) >= (ref?.mbPerSecond ?? Infinity);
  });
  console.log(`  rows at or above DCMTK->DCMTK: ${atLeast.length} of ${compared.length}; failed rows: ${failed}`);
}
