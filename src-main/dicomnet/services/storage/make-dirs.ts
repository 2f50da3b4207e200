// `mkdir -p` without Node's `{ recursive: true }`, which never returns for a path under /proc
// (Node 22 retries ENOENT forever there). Missing ancestors are created one by one, bounded.

import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

const MAX_DEPTH = 256;

/**
 * What to do after trying to create `p`: done with it, or create its parent first. ENOENT again once
 * the parent exists (procfs says so) is an error, not a reason to try the parent again.
 */
function next(err: unknown, p: string, parentMade: Set<string>): 'done' | 'parent' {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err === undefined || code === 'EEXIST') return 'done';
  if (code === 'ENOENT' && dirname(p) !== p && !parentMade.has(p)) {
    parentMade.add(p);
    return 'parent';
  }
  throw err;
}

export function makeDirsSync(path: string): void {
  const pending = [path];
  const parentMade = new Set<string>();
  let existed = false;
  for (let i = 0; pending.length > 0 && i < 2 * MAX_DEPTH; i++) {
    const p = pending[pending.length - 1]!;
    let error: unknown;
    try {
      mkdirSync(p);
    } catch (err) {
      error = err;
    }
    if (next(error, p, parentMade) === 'done') {
      if (p === path) existed = error !== undefined;
      pending.pop();
    } else if (pending.length < MAX_DEPTH) pending.push(dirname(p));
    else throw error;
  }
  // EEXIST says a name is taken, not that it is a folder: `dicomnet scp --storage FILE` listened,
  // and every instance then failed at its write.
  if (existed && !statSync(path).isDirectory()) {
    throw Object.assign(new Error(`'${path}' is a file, not a folder`), { code: 'ENOTDIR', path });
  }
}
