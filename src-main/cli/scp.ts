// `dicomnet scp ...`: a DICOM node that answers C-ECHO (storage comes with the storage service).

import { parseArgs } from 'node:util';
import type { ListenAddress } from '../dicomnet/dicom-net';
import { echoHandlers } from '../dicomnet/services/echo';
import { DicomScp, type ScpAssociationEvent, type ScpListener } from '../dicomnet/services/scp';
import { SopClass, uidName, UNCOMPRESSED_TRANSFER_SYNTAXES } from '../dicomnet/uids';
import { parseAeTitle, parsePort, parsePositiveInt, readFileOption } from './options';
import { UsageError } from './usage';

export interface ScpRun {
  readonly scp: DicomScp;
  readonly addresses: ListenAddress[];
}

export function parseScpArgs(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        aet: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        storage: { type: 'string' },
        'allow-calling': { type: 'string' },
        'max-associations': { type: 'string' },
        'tls-port': { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        ca: { type: 'string', multiple: true },
        'require-client-cert': { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const aeTitle = parseAeTitle(v.aet ?? 'DICOMNET', '--aet');
  const port = parsePort(v.port ?? '11112', '--port', true);
  const host = v.host;
  const allowed = v['allow-calling']?.split(',').map((t) => parseAeTitle(t, '--allow-calling'));
  const maxAssociations = v['max-associations'] === undefined ? undefined : parsePositiveInt(v['max-associations'], '--max-associations', 10_000);
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
  }
  return { aeTitle, listeners, allowed, maxAssociations, storage: v.storage };
}

export async function startScp(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<ScpRun> {
  const o = parseScpArgs(argv);
  if (o.storage !== undefined) {
    err.write(`note: --storage ${o.storage}: the Storage service is not in this build yet; this node offers Verification only.\n`);
  }
  const scp = new DicomScp({
    aeTitle: o.aeTitle,
    listeners: o.listeners,
    allowedCallingAeTitles: o.allowed,
    maxAssociations: o.maxAssociations,
    supportedContexts: new Map([[SopClass.Verification, UNCOMPRESSED_TRANSFER_SYNTAXES]]),
    handlers: echoHandlers,
    net: { timeouts: { idleMs: 300_000 } },
  });
  scp.on('association', (e) => err.write(`${formatEvent(e)}\n`));
  scp.on('error', (e) => err.write(`error: ${e.message}\n`));
  const addresses = await scp.start();
  for (const a of addresses) out.write(`listening${a.tls ? ' (tls)' : ''} on ${formatHost(a.host)}:${a.port}\n`);
  return { scp, addresses };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function formatEvent(e: ScpAssociationEvent): string {
  const who = `${formatHost(e.remoteAddress)}:${e.remotePort}`;
  const aes = e.callingAeTitle !== undefined ? ` ${e.callingAeTitle} -> ${e.calledAeTitle}` : '';
  let line = `[assoc ${e.associationId}] ${who}${aes} ${e.kind}`;
  if (e.contexts) {
    line += `: ${e.contexts.map((c) => `#${c.id} ${uidName(c.abstractSyntax)} ${c.result === 'acceptance' ? `accepted (${uidName(c.transferSyntax ?? '')})` : c.result}`).join('; ')}`;
  }
  if (e.detail) line += `: ${e.detail}`;
  if (e.kind === 'closed' || e.kind === 'released' || e.kind === 'aborted') line += ` (${e.durationMs} ms)`;
  return line;
}
