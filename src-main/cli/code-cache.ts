// V8's code cache for the command bundles, kept after a run that succeeded.
//
// Node's compile cache (module.enableCompileCache) stores what V8 compiled when a module was loaded:
// its top level only. V8 compiles each function lazily at its first call, so every `dicomnet echo`
// still parsed and compiled the association, PDU and DIMSE code it runs (~120 KB bundle). A code
// cache made after the run (vm.Script#createCachedData) holds those functions too. Measured here,
// `perf stat -r 30` of one `dicomnet echo` against storescp: 51-57 ms -> 44 ms elapsed (Node alone,
// `node -e 0`, 29 ms). The saving is figured by `npm run bench`, not asserted in tests.
//
// Cached bytecode runs as our code, so the cache lives where only this user can write: a directory
// owned by this user that no one else may write to (checked, not assumed; a link is refused), and
// each file is named after the bundle's size, modification time and inode and V8's version, because
// V8 itself checks only the source's length before it uses a cache. A cache is written only by a run
// that exits 0 (so a first run that failed early does not leave a cache without the association
// code), atomically (a temporary file renamed), and never when one was used. Anything that goes
// wrong with the cache only means no cache: the command runs as before.

import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Where the code cache lives: `DICOMNET_CODE_CACHE` (a directory, or `off`), else the user's cache
 * folder (XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows).
 */
export function codeCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  const setting = env.DICOMNET_CODE_CACHE;
  if (setting === 'off') return undefined;
  if (setting) return setting;
  if (platform === 'win32') return env.LOCALAPPDATA ? join(env.LOCALAPPDATA, 'dicomnet', 'code-cache') : undefined;
  if (!env.HOME) return undefined;
  if (platform === 'darwin') return join(env.HOME, 'Library', 'Caches', 'dicomnet', 'code-cache');
  return join(env.XDG_CACHE_HOME || join(env.HOME, '.cache'), 'dicomnet', 'code-cache');
}

/**
 * Whether `dir` is this user's alone: a directory (not a link to one), owned by `uid`, writable by
 * neither group nor others. `uid` undefined (Windows, no POSIX owners): a directory is enough.
 */
export function isPrivateDir(dir: string, uid: number | undefined): boolean {
  try {
    const s = lstatSync(dir);
    if (!s.isDirectory()) return false;
    return uid === undefined || (s.uid === uid && (s.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

/** The cache file of `bundle` in `dir`: a new build or another V8 gets another name. */
export function cacheFileName(bundle: string): string {
  const s = statSync(bundle);
  return `${basename(bundle)}-${s.size}-${Math.trunc(s.mtimeMs)}-${s.ino}-v8-${process.versions.v8}.cache`;
}

interface Cache {
  readonly file: string;
  readonly data: Buffer | undefined;
}

function openCache(bundle: string, dir: string | undefined): Cache | undefined {
  if (dir === undefined) return undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivateDir(dir, process.getuid?.())) return undefined;
    const file = join(dir, cacheFileName(bundle));
    let data: Buffer | undefined;
    try {
      data = readFileSync(file);
    } catch {
      data = undefined;
    }
    return { file, data };
  } catch {
    return undefined;
  }
}

/** Writes `data` as `file` (a temporary file renamed), and removes the caches of older builds of the same bundle. */
function saveCache(file: string, bundle: string, data: Buffer): void {
  try {
    const dir = dirname(file);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
    const prefix = `${basename(bundle)}-`;
    for (const name of readdirSync(dir)) {
      if (name.startsWith(prefix) && name !== basename(file) && name.endsWith('.cache')) unlinkSync(join(dir, name));
    }
  } catch {
    // A cache that cannot be written (a read-only home, a full disk) costs the next run its speed only.
  }
}

type ModuleInternals = typeof Module & { wrap(source: string): string; _nodeModulePaths(dir: string): string[] };

/**
 * Loads the CommonJS bundle `bundle` as require() would (its own module, in require.cache), with
 * V8's code cache from `dir` when there is a usable one, and makes one at a successful exit when
 * there was none or V8 refused it.
 */
export function loadBundle(bundle: string, parent: NodeJS.Module, dir: string | undefined, cache: NodeJS.Dict<NodeJS.Module>): void {
  const source = readFileSync(bundle, 'utf8');
  const cached = openCache(bundle, dir);
  const M = Module as ModuleInternals;
  const script = new Script(M.wrap(source), { filename: bundle, cachedData: cached?.data });
  if (cached && (cached.data === undefined || script.cachedDataRejected === true)) {
    process.once('exit', (code) => {
      if (code === 0) saveCache(cached.file, bundle, script.createCachedData());
    });
  }
  const mod = new Module(bundle, parent) as NodeJS.Module & { paths: string[] };
  mod.filename = bundle;
  mod.paths = M._nodeModulePaths(dirname(bundle));
  cache[bundle] = mod;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, dirname(bundle));
  mod.loaded = true;
}
