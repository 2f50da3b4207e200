// Where a received instance goes: <StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm under
// the storage folder. UIDs come from the wire, so they are checked against the UID syntax of PS3.5
// §9.1 (digits and dots, components without leading zeros, at most 64 characters) before they become
// path parts: '../../x', 'a/b' or '' can never name a file outside the folder.

import { randomBytes } from 'node:crypto';
import { readdirSync, unlinkSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isValidUid(uid: string | undefined): uid is string {
  return uid !== undefined && uid.length <= 64 && UID.test(uid);
}

export function instancePath(folder: string, study: string, series: string, instance: string): string {
  for (const uid of [study, series, instance]) {
    if (!isValidUid(uid)) throw new Error(`'${uid}' is not a valid UID and cannot name a file`);
  }
  const path = resolve(folder, study, series, `${instance}.dcm`);
  // Belt and braces: the UID syntax already rules this out.
  const rel = relative(resolve(folder), path);
  if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`'${path}' is outside the storage folder`);
  return path;
}

/** The n-th alternative name for a duplicate kept beside the first: <uid>_2.dcm, <uid>_3.dcm, ... */
export function alternativePath(path: string, n: number): string {
  return path.replace(/\.dcm$/, `_${n}.dcm`);
}

let counter = 0;
/** Random once per process (randomBytes per file costs a system call each): with the pid and a counter, unique. */
let processTag: string | undefined;

/** A temporary name in the storage folder that does not look like a stored instance. */
export function temporaryPath(folder: string): string {
  processTag ??= `${process.pid}-${randomBytes(4).toString('hex')}`;
  return join(folder, `.incoming-${processTag}-${++counter}.part`);
}

export function isTemporaryName(name: string): boolean {
  return /^\.incoming-.*\.part$/.test(name);
}

/**
 * Removes temporary files left in `folder` by SCP processes that are gone (a crash or a kill during
 * a transfer): their transfers can never complete. Files of running processes are left alone.
 * Returns the names removed.
 */
export function removeStaleTemporaryFiles(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = /^\.incoming-(\d+)-.*\.part$/.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      unlinkSync(join(folder, name));
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove: leave it
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}
