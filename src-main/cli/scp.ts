// `dicomnet scp ...`: a DICOM node that answers C-ECHO and, with --storage or --ignore, C-STORE.

import { accessSync, constants as fsConstants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CertificateStore } from '../app/certificates/cert-store';
import { listenerTlsConfig } from '../app/tls-settings';
import { describeStatus } from '../../src-shared/dicom-status';
import type { ListenAddress } from '../dicomnet/dicom-net';
import { nodeServices } from '../dicomnet/services/node-services';
import { DicomScp, type ScpAssociationEvent, type ScpListener } from '../dicomnet/services/scp';
import { makeDirsSync } from '../dicomnet/services/storage/make-dirs';
import { DUPLICATE_POLICIES, StorageService, type DuplicatePolicy } from '../dicomnet/services/storage/store-scp';
import { uidName } from '../dicomnet/uids';
import { explainConnectionError } from '../dicomnet/explain';
import { printable } from './printable';
import { parseAeTitle, parseCommandLine, parseHost, parsePort, parsePositiveInt, readFileOption, readSettingsOption } from './options';
import { UsageError } from './usage';

/** Creates the storage folder if needed; a sentence saying what is wrong, or undefined. */
function prepareStorageFolder(dir: string): string | undefined {
  try {
    makeDirsSync(dir);
    accessSync(dir, fsConstants.W_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return `cannot use '${dir}' as the storage folder: it, or a folder on its path, is a file: choose a folder.`;
    return `cannot use '${dir}' as the storage folder (${code ?? (err as Error).message}): choose a folder this user can write.`;
  }
}

export interface ScpRun {
  readonly scp: DicomScp;
  readonly addresses: ListenAddress[];
}

export function parseScpArgs(argv: string[]) {
  const parsed = parseCommandLine(argv, {
    aet: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    storage: { type: 'string' },
    ignore: { type: 'boolean' },
    duplicates: { type: 'string' },
    'allow-calling': { type: 'string' },
    'max-associations': { type: 'string' },
    'tls-port': { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    ca: { type: 'string', multiple: true },
    'require-client-cert': { type: 'boolean' },
    settings: { type: 'string' },
  }, false);
  const v = parsed.values;
  // The app's settings file gives the local node's values; options given on the command line win.
  const node = v.settings === undefined ? undefined : readSettingsOption(v.settings).localNode;
  const aeTitle = parseAeTitle(v.aet ?? node?.aeTitle ?? 'DICOMNET', '--aet');
  const port = parsePort(v.port ?? String(node?.port ?? 11112), '--port', true);
  const host = v.host === undefined ? node?.bindAddress : v.host === '' ? '' : parseHost(v.host, '--host');
  const allowed = v['allow-calling'] !== undefined ? v['allow-calling'].split(',').map((t) => parseAeTitle(t, '--allow-calling')) : node?.allowedCallingAeTitles;
  const maxAssociations = v['max-associations'] !== undefined ? parsePositiveInt(v['max-associations'], '--max-associations', 10_000) : node?.maxAssociations;
  if (v.storage === undefined && !v.ignore && node?.storageFolder) v.storage = node.storageFolder;
  v.duplicates ??= v.storage !== undefined ? node?.duplicates : undefined;
  const listeners: ScpListener[] = [{ host, port }];
  if (v['tls-port'] !== undefined) {
    if (v.cert === undefined || v.key === undefined) throw new UsageError('--tls-port needs --cert FILE and --key FILE.');
    listeners.push({
      host,
      port: parsePort(v['tls-port'], '--tls-port', true),
      tls: {
        cert: readFileOption(v.cert, '--cert'),
        key: readFileOption(v.key, '--key'),
        ca: v.ca?.map((f) => readFileOption(f, '--ca')),
        requireClientCert: v['require-client-cert'] === true,
      },
    });
  } else if (v.cert !== undefined || v.key !== undefined || v.ca !== undefined || v['require-client-cert']) {
    throw new UsageError('--cert, --key, --ca and --require-client-cert go with --tls-port.');
  } else if (node?.tlsEnabled && v.settings !== undefined) {
    // The app's TLS listener: our identity and trusted certificates from the settings file's folder.
    try {
      listeners.push({ host, port: node.tlsPort, tls: listenerTlsConfig(node, new CertificateStore(dirname(resolve(v.settings)))) });
    } catch (err) {
      throw new UsageError(`--settings ${v.settings}: ${(err as Error).message}`);
    }
  }
  if (v.storage !== undefined && v.ignore) throw new UsageError('--storage and --ignore exclude each other: store, or discard.');
  const duplicates = v.duplicates;
  if (duplicates !== undefined) {
    if (v.storage === undefined) throw new UsageError('--duplicates goes with --storage.');
    if (!DUPLICATE_POLICIES.includes(duplicates as DuplicatePolicy)) throw new UsageError(`--duplicates must be one of ${DUPLICATE_POLICIES.join(', ')}, not '${duplicates}'.`);
  }
  return { aeTitle, listeners, allowed, maxAssociations, storage: v.storage, ignore: v.ignore === true, duplicates: duplicates as DuplicatePolicy | undefined };
}

export async function startScp(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<ScpRun> {
  const o = parseScpArgs(argv);
  let storage: StorageService | undefined;
  if (o.storage !== undefined) {
    const problem = prepareStorageFolder(o.storage);
    if (problem) throw new UsageError(`--storage: ${problem}`);
    storage = new StorageService({ folder: resolve(o.storage), duplicates: o.duplicates });
    if (storage.staleRemoved.length > 0) err.write(`note: removed ${storage.staleRemoved.length} unfinished transfer(s) left by an earlier run in ${o.storage}\n`);
  } else if (o.ignore) {
    storage = new StorageService({});
  }
  const scp = new DicomScp({
    aeTitle: o.aeTitle,
    listeners: o.listeners,
    allowedCallingAeTitles: o.allowed,
    maxAssociations: o.maxAssociations,
    ...nodeServices(storage),
    net: { timeouts: { idleMs: 300_000 } },
  });
  // One line per event, whatever the peer's text holds (printable.ts).
  const log = (line: string) => err.write(`${printable(line)}\n`);
  storage?.on('instance', (i) => log(`[assoc ${i.associationId}] stored ${i.sopInstanceUid} (${uidName(i.sopClassUid)}, ${i.bytes} bytes)${i.path ? ` -> ${i.path}` : ''}`));
  storage?.on('failure', (f) => log(`[assoc ${f.associationId}] store of ${f.sopInstanceUid ?? '?'} answered ${describeStatus(f.status)}: ${f.reason}`));
  scp.on('association', (e) => log(formatEvent(e)));
  // An error on an association's connection names the association, as its other lines do.
  scp.on('error', (e, a) => log(a ? `${associationLabel({ associationId: a.id, remoteAddress: a.remoteAddress, remotePort: a.remotePort, callingAeTitle: a.associate?.callingAeTitle, calledAeTitle: a.associate?.calledAeTitle })} error: ${explainConnectionError(e)}` : `error: ${e.message}`));
  storage?.on('error', (e) => log(`error: ${e.message}`));
  const addresses = await scp.start();
  for (const a of addresses) out.write(`listening${a.tls ? ' (tls)' : ''} on ${formatHost(a.host)}:${a.port}\n`);
  return { scp, addresses };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** "[assoc 12] 10.0.0.5:40112 STORESCU -> DICOMNET" ("[::1]:40112" for IPv6): how each of an association's lines starts. */
function associationLabel(e: Pick<ScpAssociationEvent, 'associationId' | 'remoteAddress' | 'remotePort' | 'callingAeTitle' | 'calledAeTitle'>): string {
  const aes = e.callingAeTitle !== undefined ? ` ${e.callingAeTitle} -> ${e.calledAeTitle}` : '';
  return `[assoc ${e.associationId}] ${formatHost(e.remoteAddress)}:${e.remotePort}${aes}`;
}

export function formatEvent(e: ScpAssociationEvent): string {
  let line = `${associationLabel(e)} ${e.kind}`;
  const accepted = e.contexts?.filter((c) => c.result === 'acceptance').length;
  // Accepted with every context refused (PS3.8 allows it): the caller can do nothing on it, and
  // "accepted" alone read as if the query or retrieve it came for were served.
  if (e.kind === 'accepted' && accepted === 0) line += ', but with no presentation context (this node offers none of what was asked)';
  if (e.contexts && e.contexts.length > 8) {
    // storescu proposes ~120 contexts by default: count them instead of listing them.
    line += `: ${accepted} of ${e.contexts.length} presentation contexts accepted`;
  } else if (e.contexts) {
    line += `: ${e.contexts.map((c) => `#${c.id} ${uidName(c.abstractSyntax)} ${c.result === 'acceptance' ? `accepted (${uidName(c.transferSyntax ?? '')})` : c.result}`).join('; ')}`;
  }
  if (e.detail) line += `: ${e.detail}`;
  if (e.kind === 'closed' || e.kind === 'released' || e.kind === 'aborted') line += ` (${e.durationMs} ms)`;
  return line;
}
