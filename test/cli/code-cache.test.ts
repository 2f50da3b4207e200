// The bin's V8 code cache (src-main/cli/code-cache.ts): written after a run that succeeded, used by
// the next, refused where others could write, replaced when V8 rejects it, never in the way.
// (What it saves is measured by `npm run bench`, not asserted here.)

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheFileName, codeCacheDir, isPrivateDir } from '../../src-main/cli/code-cache';
import { freePort } from '../helpers/ports';
import { CLI, cliBuilt, runCli, startCliScp, type RunningScp } from './run-cli';

const ECHO_BUNDLE = join(CLI, '..', 'dicomnet-echo.cjs');
const MAIN_BUNDLE = join(CLI, '..', 'dicomnet-main.cjs');

describe('where the code cache lives', () => {
  it('DICOMNET_CODE_CACHE first (off turns it off), then the platform\'s cache folder', () => {
    expect(codeCacheDir({ DICOMNET_CODE_CACHE: '/x/cache', HOME: '/home/u' }, 'linux')).toBe('/x/cache');
    expect(codeCacheDir({ DICOMNET_CODE_CACHE: 'off', HOME: '/home/u' }, 'linux')).toBeUndefined();
    expect(codeCacheDir({ HOME: '/home/u' }, 'linux')).toBe(join('/home/u', '.cache', 'dicomnet', 'code-cache'));
    expect(codeCacheDir({ HOME: '/home/u', XDG_CACHE_HOME: '/xdg' }, 'linux')).toBe(join('/xdg', 'dicomnet', 'code-cache'));
    expect(codeCacheDir({ HOME: '/Users/u' }, 'darwin')).toBe(join('/Users/u', 'Library', 'Caches', 'dicomnet', 'code-cache'));
    expect(codeCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32')).toBe(join('C:\\Users\\u\\AppData\\Local', 'dicomnet', 'code-cache'));
    expect(codeCacheDir({}, 'linux')).toBeUndefined();
    expect(codeCacheDir({}, 'win32')).toBeUndefined();
  });

  describe('only a folder this user alone can write', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'dicomnet-cc-'));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));
    const uid = process.getuid?.() ?? 0;

    it('a private folder of ours: yes', () => {
      mkdirSync(join(root, 'a'), { mode: 0o700 });
      expect(isPrivateDir(join(root, 'a'), uid)).toBe(true);
    });
    it.each([0o777, 0o775, 0o757])('a folder others may write (mode %o): no', (mode) => {
      mkdirSync(join(root, 'a'));
      chmodSync(join(root, 'a'), mode);
      expect(isPrivateDir(join(root, 'a'), uid)).toBe(false);
    });
    it('another user\'s folder, a link to a private folder, a file, nothing: no', () => {
      mkdirSync(join(root, 'a'), { mode: 0o700 });
      expect(isPrivateDir(join(root, 'a'), uid + 1)).toBe(false);
      symlinkSync(join(root, 'a'), join(root, 'link'));
      expect(isPrivateDir(join(root, 'link'), uid)).toBe(false);
      writeFileSync(join(root, 'file'), '');
      expect(isPrivateDir(join(root, 'file'), uid)).toBe(false);
      expect(isPrivateDir(join(root, 'none'), uid)).toBe(false);
    });
  });
});

describe.runIf(cliBuilt())('the bin keeps a code cache', () => {
  let scp: RunningScp;
  let root: string;
  let dir: string;
  beforeAll(async () => {
    scp = await startCliScp(['--port', '0', '--host', '127.0.0.1', '--aet', 'TESTSCP']);
  });
  afterAll(async () => {
    await scp?.stop();
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dicomnet-cc-'));
    dir = join(root, 'cache');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const echo = (cacheDir: string, port = scp.ports.plain) => runCli(['echo', '127.0.0.1', String(port), '--aec', 'TESTSCP'], 15_000, [], { DICOMNET_CODE_CACHE: cacheDir });

  it('after a successful echo: one private file for this build and V8, which the next echo uses and leaves alone', async () => {
    const first = await echo(dir);
    expect(first.code, first.stderr).toBe(0);
    const file = join(dir, cacheFileName(ECHO_BUNDLE));
    expect(readdirSync(dir)).toEqual([cacheFileName(ECHO_BUNDLE)]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).size).toBeGreaterThan(10_000);
    const before = statSync(file);
    const second = await echo(dir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Success, round trip/);
    // Used, not rejected: a rejected cache would have been written anew (another inode).
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('a run that fails writes none (its cache would lack the association code)', async () => {
    const closed = await freePort();
    const r = await echo(dir, closed);
    expect(r.code).toBe(1);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('a cache V8 rejects (garbage, of another build) is replaced; the command works all the same', async () => {
    mkdirSync(dir, { mode: 0o700 });
    const file = join(dir, cacheFileName(MAIN_BUNDLE));
    const garbage = Buffer.alloc(5000, 0xab);
    writeFileSync(file, garbage, { mode: 0o600 });
    writeFileSync(join(dir, 'dicomnet-main.cjs-1-2-3-v8-0.cache'), 'an older build', { mode: 0o600 });
    writeFileSync(join(dir, 'dicomnet-echo.cjs-1-2-3-v8-0.cache'), 'another command', { mode: 0o600 });
    const r = await runCli(['--version'], 15_000, [], { DICOMNET_CODE_CACHE: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dicomnet /);
    expect(readFileSync(file).equals(garbage)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['dicomnet-echo.cjs-1-2-3-v8-0.cache', cacheFileName(MAIN_BUNDLE)].sort());
  });

  it('a cache folder others may write is neither read nor written; the command works', async () => {
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const planted = join(dir, cacheFileName(ECHO_BUNDLE));
    writeFileSync(planted, Buffer.alloc(5000, 0xcd));
    const r = await echo(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(planted).equals(Buffer.alloc(5000, 0xcd))).toBe(true);
    expect(readdirSync(dir)).toEqual([cacheFileName(ECHO_BUNDLE)]);
  });

  it('off: no cache anywhere; a folder that cannot be made: the command works', async () => {
    const off = await runCli(['--version'], 15_000, [], { DICOMNET_CODE_CACHE: 'off', HOME: root, XDG_CACHE_HOME: '' });
    expect(off.code, off.stderr).toBe(0);
    expect(readdirSync(root)).toEqual([]);
    writeFileSync(join(root, 'file'), '');
    const blocked = await echo(join(root, 'file', 'cache'));
    expect(blocked.code, blocked.stderr).toBe(0);
  });
});
