// Send files to a peer with C-STORE: walk the paths, read each file's Part 10 header, propose the
// contexts the files need (one association per 128 contexts), send every file, and report each
// file's outcome and a summary. Used by `dicomnet store` and, later, by the GUI's Send page.

import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { classifyStatus, describeStatus } from '../../src-shared/dicom-status';
import { DicomAssociate } from '../dicomnet/association';
import { DicomNet } from '../dicomnet/dicom-net';
import { AssociationError } from '../dicomnet/errors';
import { FilePrefetcher, planAssociations, scanFile, storeFile, type DicomFile } from '../dicomnet/services/storage/store-scu';
import type { ProposedContext } from '../dicomnet/association';
import { TransportError } from '../dicomnet/transport';
import type { PeerConnection } from './verify';
import { nowMs } from '../dicomnet/clock';
import { TurnBatch } from '../dicomnet/turn-batch';

/** C-STOREs we ask to have under way at once (the peer's answer decides; DCMTK answers 1). */
const ASYNC_WINDOW = 8;
/** How long the walk and scan hold the event loop at a time. */
const SCAN_SLICE_MS = 10;

export interface SendOptions extends PeerConnection {
  /** Files or folders (walked recursively). */
  readonly paths: readonly string[];
  /**
   * Called once per file, in order, within one event-loop turn of its outcome being known. If it
   * throws, the send goes on and sendFiles fails with that error at the end.
   */
  readonly onFile?: (r: FileOutcome) => void;
  /** Called once the paths are walked: how many DICOM files and data-set bytes will be sent. */
  readonly onPlan?: (plan: { files: number; bytes: number }) => void;
  /** Aborting it aborts the association in progress; files not sent yet are reported as cancelled. */
  readonly signal?: AbortSignal;
}

export interface FileOutcome {
  readonly path: string;
  /** 'stored': Success or Warning; 'failed': a failure status or an association problem; 'skipped': not DICOM. */
  readonly outcome: 'stored' | 'failed' | 'skipped';
  readonly status?: number;
  /** Plain words: the status, or why it failed or was skipped. */
  readonly detail: string;
  readonly bytes: number;
  readonly ms: number;
  readonly sopInstanceUid?: string;
  readonly transferSyntaxUid?: string;
  readonly transcoded?: boolean;
}

export interface SendSummary {
  readonly ok: boolean;
  readonly files: number;
  readonly stored: number;
  readonly warnings: number;
  readonly failed: number;
  readonly skipped: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly megabytesPerSecond: number;
  readonly associations: number;
}

/**
 * Every regular file under `paths`, in a stable order, as it is found (a caller can stop between
 * files); unreadable paths are reported, not thrown.
 * Each folder is walked once, however often links lead to it: a link back up the tree (`ln -s .
 * self`) used to be followed until the depth limit, and a folder of 2 files was sent 40 times over.
 */
export function* walk(paths: readonly string[], onProblem: (path: string, reason: string) => void): Generator<string, void, undefined> {
  const walked = new Set<string>();
  const cannotRead = (path: string, err: unknown) => onProblem(path, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  function* visit(path: string, depth: number): Generator<string, void, undefined> {
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      cannotRead(path, err);
      return;
    }
    if (st.isFile()) yield path;
    else if (st.isDirectory()) {
      if (depth < 64) yield* list(path, depth, st);
    } else onProblem(path, `not a regular file (${st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : 'a device'})`);
  }
  function* list(dir: string, depth: number, known?: Stats): Generator<string, void, undefined> {
    let st = known;
    try {
      st ??= statSync(dir);
    } catch (err) {
      cannotRead(dir, err);
      return;
    }
    const id = `${st.dev}:${st.ino}`;
    if (walked.has(id)) {
      onProblem(dir, 'a folder already walked (reached again through a link): its files are sent once');
      return;
    }
    walked.add(id);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      onProblem(dir, `cannot list (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return;
    }
    // join(dir, name) for every entry, without normalising `dir` again each time (that was ~8 us
    // per file here, before the first byte is sent): an entry's name holds no separator.
    const base = join(dir);
    const prefix = base === '.' ? '' : base.endsWith(sep) ? base : base + sep;
    for (const e of entries) {
      const path = prefix + e.name;
      // The directory entry already says what a plain file or folder is: no stat each (a study
      // folder holds thousands of files). Links and the rest are followed with stat.
      if (e.isFile()) yield path;
      else if (e.isDirectory()) {
        if (depth + 1 < 64) yield* list(path, depth + 1);
      } else yield* visit(path, depth + 1);
    }
  }
  for (const p of paths) yield* visit(p, 0);
}

function plainError(err: unknown): string {
  if (err instanceof TransportError || err instanceof AssociationError) return err.plain;
  return (err as Error)?.message ?? String(err);
}

export async function sendFiles(o: SendOptions): Promise<SendSummary> {
  const started = nowMs();
  // The summary's counts, kept as the outcomes pass, not the outcomes themselves (the summary was
  // four passes over every outcome, all held to the end).
  const counts = { files: 0, stored: 0, warnings: 0, failed: 0, skipped: 0, bytes: 0 };
  // Outcomes reach onFile at the end of the event-loop turn: a peer without an asynchronous
  // operations window (DCMTK) waits between its response and our next request, and what is done
  // for the file just answered (the CLI's JSON line, the GUI's progress event) is better done once
  // the next request is on the wire. The CLI's JSON line alone takes ~6 us, ~2 % of a 2 000 x 64 KB
  // send to storescp, that the peer waited for when it was written inline.
  // A throwing onFile does not stop the send nor lose the other outcomes; sendFiles then fails
  // with its first error once the files are sent.
  let listenerError: Error | undefined;
  const reports = new TurnBatch<FileOutcome>((r) => o.onFile?.(r), (err) => {
    listenerError ??= err;
  });
  const report = (r: FileOutcome) => {
    counts.files++;
    if (r.outcome === 'stored') {
      counts.stored++;
      counts.bytes += r.bytes;
      if (r.status !== undefined && classifyStatus(r.status) === 'Warning') counts.warnings++;
    } else if (r.outcome === 'failed') counts.failed++;
    else counts.skipped++;
    if (o.onFile) reports.add(r);
  };
  const skip = (path: string, reason: string) => report({ path, outcome: 'skipped', detail: reason, bytes: 0, ms: 0 });

  // The walk and the scan read synchronously (fast from a local disk: 10 000 files in ~0.1 s), but
  // they hand the event loop back every few milliseconds: from a slow share or a DVD they can take
  // minutes, during which Ctrl-C or the GUI's Cancel went unheard, and in the desktop app its own
  // node's associations, served by the same process, waited too.
  const files: DicomFile[] = [];
  let sliceStart = nowMs();
  for (const path of walk(o.paths, skip)) {
    const scanned = scanFile(path);
    if (scanned.ok) files.push(scanned.file);
    else skip(path, scanned.reason);
    if (nowMs() - sliceStart >= SCAN_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = nowMs();
      if (o.signal?.aborted) break;
    }
  }

  o.onPlan?.({ files: files.length, bytes: files.reduce((n, f) => n + f.size - f.header.dataSetOffset, 0) });
  const net = DicomNet.startup({ timeouts: { acseMs: o.timeoutMs, dimseMs: o.timeoutMs, releaseMs: o.timeoutMs, artimMs: o.timeoutMs } });
  let associations = 0;
  try {
    for (const group of planAssociations(files)) {
      // A file of ours that cannot be read or converted to the end, once part of its message is
      // out, breaks the association it was being sent on (PS3.8 cannot take it back): the files
      // after it, and those under way beside it, go on a new association. Each round reports that
      // file, so there are at most as many rounds as files. (One that fails before any of it is
      // written, a file removed after the scan, fails alone: Association.request.)
      let todo = group.files;
      while (todo.length > 0) {
        const round = await sendRound(net, o, group.contexts, todo, report);
        associations += round.associated ? 1 : 0;
        todo = round.retry;
      }
    }
  } finally {
    await net.close(0);
    reports.flush();
  }
  if (listenerError) throw listenerError;

  const seconds = (nowMs() - started) / 1000;
  return {
    ok: counts.failed === 0 && counts.stored > 0,
    ...counts,
    seconds,
    megabytesPerSecond: seconds > 0 ? counts.bytes / 1e6 / seconds : 0,
    associations,
  };
}

interface Round {
  /** Whether an association was established. */
  readonly associated: boolean;
  /** Files to send again on a new association, in their order (their outcomes not reported yet). */
  readonly retry: DicomFile[];
}

/** One association: sends `files` (reporting each outcome) and says which must go on another one. */
async function sendRound(net: DicomNet, o: SendOptions, contexts: ProposedContext[], files: readonly DicomFile[], report: (r: FileOutcome) => void): Promise<Round> {
  const failAll = (list: readonly DicomFile[], detail: string) => {
    for (const f of list) report({ path: f.path, outcome: 'failed', detail, bytes: 0, ms: 0, sopInstanceUid: f.header.mediaStorageSopInstanceUid });
  };
  if (o.signal?.aborted) {
    failAll(files, 'cancelled');
    return { associated: false, retry: [] };
  }
  // Proposing an asynchronous operations window (PS3.7 D.3.3.3) lets a peer that supports it
  // (ours does) take several C-STOREs in a row without a round trip each; others answer 1.
  const associate = new DicomAssociate({
    callingAeTitle: o.callingAeTitle, calledAeTitle: o.calledAeTitle, presentationContexts: contexts,
    asynchronousOperationsWindow: { maxOperationsInvoked: ASYNC_WINDOW, maxOperationsPerformed: 1 },
  });
  let association;
  try {
    ({ association } = await net.connect({ host: o.host, port: o.port, tls: o.tls, associate, connectTimeoutMs: o.timeoutMs, signal: o.signal }));
  } catch (err) {
    failAll(files, o.signal?.aborted ? 'cancelled' : plainError(err));
    return { associated: false, retry: [] };
  }
  const onAbort = () => association.cancel();
  o.signal?.addEventListener('abort', onAbort);
  const prefetcher = new FilePrefetcher(2, association.dataFragmentSize);
  // The file whose own data broke this association, and the files its end kept from being stored.
  let brokenBy: DicomFile | undefined;
  const cutOff = new Map<DicomFile, string>();
  const ended = () => association.isClosed || association.state !== 'Sta6';
  try {
    const window = Math.max(1, Math.min(ASYNC_WINDOW, association.associate?.maxInvokedByRequestor() || ASYNC_WINDOW));
    let nextIndex = 0;
    // `window` senders take the files in order; with a window of 1 this is one file at a time.
    const sender = async () => {
      while (nextIndex < files.length) {
        const f = files[nextIndex++]!;
        if (ended()) {
          cutOff.set(f, o.signal?.aborted ? 'cancelled' : `not sent: ${association.abortInfo?.explanation ?? 'the association ended'}`);
          continue;
        }
        const t0 = nowMs();
        try {
          // Once this file is on the wire, the next one is read while the peer works.
          const r = await storeFile(association, f, o.timeoutMs, { prefetcher, afterSent: () => prefetcher.load(files[nextIndex]) });
          const cls = classifyStatus(r.status);
          const ok = cls === 'Success' || cls === 'Warning';
          report({
            path: f.path,
            outcome: ok ? 'stored' : 'failed',
            status: r.status,
            detail: `${describeStatus(r.status)}${r.errorComment ? ` (${r.errorComment})` : ''}`,
            bytes: f.size - f.header.dataSetOffset,
            ms: nowMs() - t0,
            sopInstanceUid: f.header.mediaStorageSopInstanceUid,
            transferSyntaxUid: r.transferSyntaxUid,
            transcoded: r.transcoded,
          });
        } catch (err) {
          const detail = o.signal?.aborted ? 'cancelled' : plainError(err);
          if (err instanceof AssociationError && err.code === 'source') brokenBy ??= f;
          if (f !== brokenBy && ended()) cutOff.set(f, detail);
          else report({ path: f.path, outcome: 'failed', detail, bytes: 0, ms: nowMs() - t0, sopInstanceUid: f.header.mediaStorageSopInstanceUid });
        }
      }
    };
    await Promise.all(Array.from({ length: window }, sender));
    if (!ended()) await association.release().catch(() => association.abort());
  } finally {
    prefetcher.dispose();
    o.signal?.removeEventListener('abort', onAbort);
  }
  const left = files.filter((f) => cutOff.has(f));
  if (brokenBy && !o.signal?.aborted) return { associated: true, retry: left };
  for (const f of left) failAll([f], cutOff.get(f)!);
  return { associated: true, retry: [] };
}
