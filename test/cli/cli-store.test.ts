// `dicomnet store` and `dicomnet scp --storage/--ignore` as scripts use them: exit codes, per-file
// lines, the summary, and a full disk (a real one: the SCP runs under `ulimit -f`).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeInstance } from '../helpers/dicom-files';
import { freePort } from '../helpers/ports';
import { CLI, cliBuilt, runCli, startCliScp, type RunningScp } from './run-cli';

const work = mkdtempSync(join(tmpdir(), 'dicomnet-cli-store-'));
const running: RunningScp[] = [];
// A file where a storage folder is asked for.
const aFile = join(work, 'a-file');
writeFileSync(aFile, 'x');

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  rmSync(work, { recursive: true, force: true });
});

async function scp(args: string[], opts: { ulimitFileBlocks?: number } = {}): Promise<RunningScp> {
  const s = await startCliScp(['--port', '0', '--host', '127.0.0.1', '--aet', 'STORE', ...args], 1, 10_000, opts);
  running.push(s);
  return s;
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

describe.runIf(cliBuilt())('dicomnet store / scp --storage', () => {
  it.each([
    [['store', '127.0.0.1', '104']],
    [['store', '127.0.0.1', 'x', 'a.dcm']],
    [['store', '127.0.0.1', '104', 'a.dcm', '--aec', 'MUCH_TOO_LONG_TITLE']],
    [['scp', '--storage', '/tmp/x', '--ignore']],
    [['scp', '--duplicates', 'keep']],
    [['scp', '--storage', '/tmp/x', '--duplicates', 'sometimes']],
    [['scp', '--storage', '/proc/no-such-dir/x']],
    [['scp', '--storage', aFile]],
  ])('bad arguments %j exit 2 with a message', async (args) => {
    const r = await runCli(args);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/dicomnet: .{10,}/);
  });

  it('stores a folder: one line per file, a summary, exit 0; non-DICOM files are reported and skipped', async () => {
    const storage = join(work, 'storage');
    const s = await scp(['--storage', storage]);
    const src = join(work, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    makeInstance(join(src, 'a.dcm'), { seed: 1 });
    makeInstance(join(src, 'sub', 'b.dcm'), { seed: 2 });
    writeFileSync(join(src, 'notes.txt'), 'hello');
    const r = await runCli(['store', '127.0.0.1', String(s.ports.plain), src, '--aec', 'STORE', '--aet', 'SENDER']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^stored {2}.*\.dcm {2}[\d.]+ MB {2}0x0000 Success$/gm)).toHaveLength(2);
    expect(r.stderr).toMatch(/^skipped .*notes\.txt: not a DICOM file/m);
    expect(r.stdout).toMatch(/C-STORE -> STORE@127\.0\.0\.1:\d+: 2 stored, 0 failed, 1 skipped; [\d.]+ MB in [\d.]+ s \([\d.]+ MB\/s\) over 1 association/);
    expect(files(storage).filter((f) => f.endsWith('.dcm'))).toHaveLength(2);
    expect(s.stderr()).toMatch(/stored 2\.25\.\d+ \(SecondaryCaptureImageStorage, \d+ bytes\) -> /);
  });

  it('exit 1 when nothing listens, with the reason for each file', async () => {
    const src = join(work, 'one');
    mkdirSync(src, { recursive: true });
    makeInstance(join(src, 'a.dcm'));
    const r = await runCli(['store', '127.0.0.1', '1', src, '--timeout', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED .*a\.dcm: Nothing is listening on 127\.0\.0\.1:1/);
  });

  it('files failing for one reason: the first two are listed, then one line for the rest; --json lists every file', async () => {
    const src = join(work, 'many');
    mkdirSync(src, { recursive: true });
    for (let i = 0; i < 6; i++) makeInstance(join(src, `m${i}.dcm`));
    const s = await scp(['--ignore']);
    const r = await runCli(['store', '127.0.0.1', String(s.ports.plain), src, '--aec', 'NOT-STORE']);
    expect(r.code).toBe(1);
    const failed = r.stderr.split('\n').filter((l) => l.startsWith('FAILED'));
    expect(failed).toEqual([
      expect.stringMatching(/^FAILED +.*m0\.dcm: The peer does not answer to the called AE title 'NOT-STORE'/),
      expect.stringMatching(/^FAILED +.*m1\.dcm: The peer does not answer to the called AE title 'NOT-STORE'/),
      'FAILED  4 more file(s) for the same reason',
    ]);
    expect(r.stderr).toMatch(/0 stored, 6 failed/);
    const json = await runCli(['store', '127.0.0.1', String(s.ports.plain), src, '--aec', 'NOT-STORE', '--json']);
    expect(json.stdout.split('\n').filter((l) => l.includes('"type":"file"'))).toHaveLength(6);
  });

  it('--ignore receives and discards: Success, nothing written anywhere', async () => {
    const s = await scp(['--ignore']);
    const src = join(work, 'ignored');
    mkdirSync(src, { recursive: true });
    makeInstance(join(src, 'a.dcm'), { pixelBytes: 1_000_000 });
    const r = await runCli(['store', '127.0.0.1', String(s.ports.plain), src, '--aec', 'STORE', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ type: 'summary', ok: true, stored: 1 });
    expect(s.stderr()).toMatch(/stored 2\.25\.\d+ \(SecondaryCaptureImageStorage, \d+ bytes\)\n/);
  });

  it('a reader that goes away (| head) does not cut the send off: every file is stored, exit 0, no crash', async () => {
    const storage = join(work, 'piped');
    const s = await scp(['--storage', storage]);
    const src = join(work, 'piped-src');
    mkdirSync(src, { recursive: true });
    for (let i = 0; i < 8; i++) makeInstance(join(src, `p${i}.dcm`), { seed: 100 + i });
    // stdout's reading end is closed before the first line is written: every write gets EPIPE.
    const child = spawn(process.execPath, [CLI, 'store', '127.0.0.1', String(s.ports.plain), src, '--aec', 'STORE'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    clearTimeout(timer);
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(code, stderr).toBe(0);
    expect(files(storage).filter((f) => f.endsWith('.dcm'))).toHaveLength(8);
  });

  it('a full disk: A700 out of resources, no file left, and the association goes on for the next file', async () => {
    const storage = join(work, 'full');
    // 512 KiB file size limit: the 3 MB instance (streamed to its file) and the 700 KB one (written
    // in one go at its end) cannot be written; the small one can.
    const s = await scp(['--storage', storage], { ulimitFileBlocks: 512 });
    const src = join(work, 'fullsrc');
    mkdirSync(src, { recursive: true });
    makeInstance(join(src, '1-big.dcm'), { pixelBytes: 3_000_000, seed: 1 });
    makeInstance(join(src, '2-mid.dcm'), { pixelBytes: 700_000, seed: 3 });
    makeInstance(join(src, '3-small.dcm'), { pixelBytes: 10_000, seed: 2 });
    const r = await runCli(['store', '127.0.0.1', String(s.ports.plain), src, '--aec', 'STORE', '--json']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    // Several C-STOREs may be under way at once (asynchronous window): match lines by file.
    const byFile = (name: string) => lines.find((l) => l.type === 'file' && String(l.path).endsWith(name));
    for (const name of ['1-big.dcm', '2-mid.dcm']) {
      expect(byFile(name)).toMatchObject({ outcome: 'failed', status: 0xa700 });
      expect(byFile(name).detail).toBe('0xA700 Refused: out of resources (file size limit reached)');
    }
    expect(byFile('3-small.dcm')).toMatchObject({ outcome: 'stored', status: 0 });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', stored: 1, failed: 2, associations: 1 });
    expect(files(storage)).toHaveLength(1);
    expect(files(storage)[0]).toMatch(/\.dcm$/);
  });

  it('--settings takes the local node from the app\'s settings file, checked by its schema', async () => {
    const storage = join(work, 'from-settings');
    const port = await freePort();
    const file = join(work, 'settings.json');
    writeFileSync(file, JSON.stringify({ localNode: { aeTitle: 'FROMFILE', port, bindAddress: '127.0.0.1', storageFolder: storage } }));
    const s = await startCliScp(['--settings', file]);
    running.push(s);
    expect(s.ports.plain).toBe(port);
    const src = join(work, 'settings-src');
    mkdirSync(src, { recursive: true });
    makeInstance(join(src, 'a.dcm'));
    const r = await runCli(['store', '127.0.0.1', String(port), src, '--aec', 'FROMFILE']);
    expect(r.code, r.stderr).toBe(0);
    expect(files(storage).filter((f) => f.endsWith('.dcm'))).toHaveLength(1);
    writeFileSync(file, JSON.stringify({ localNode: { port: 0 } }));
    const bad = await runCli(['scp', '--settings', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--settings .*settings\.json: localNode\.port: must be a whole number from 1 to 65535/);
  });
});
