// Helpers shared by the subcommands for reading and checking option values.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { aeTitleProblem } from '../../src-shared/ae-title';
import { describeProblems, validateSettings, type Settings } from '../../src-shared/settings-schema';
import type { TlsConfig } from '../dicomnet/transport';
import { UsageError } from './usage';

export function parsePort(value: string | undefined, name: string, allowZero = false): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n > 65535 || (n === 0 && !allowZero)) {
    throw new UsageError(`${name} must be a port number (${allowZero ? '0' : '1'}-65535), not '${value ?? ''}'.`);
  }
  return n;
}

/**
 * HOST as given: a name or an address (the resolver judges the rest: names with '_' and IPv6 zones
 * like 'fe80::1%eth0' are real), but not empty and without spaces or control characters. An empty
 * one used to get as far as the resolver and fail there, exit 1, as if the network were at fault.
 */
export function parseHost(value: string | undefined, name = 'HOST'): string {
  const control = (c: string) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;
  if (value === undefined || value.trim() === '' || /\s/.test(value) || [...value].some(control)) {
    throw new UsageError(`${name} must be a host name or an IP address, not ${JSON.stringify(value ?? '')}.`);
  }
  // '[::1]', as URLs write IPv6 addresses and as our own logs print them ('[::1]:11112').
  const bracketed = /^\[(.*)\]$/.exec(value);
  return bracketed && isIP(bracketed[1]!) === 6 ? bracketed[1]! : value;
}

export function parsePositiveInt(value: string | undefined, name: string, max = 1_000_000): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n < 1 || n > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max}, not '${value ?? ''}'.`);
  }
  return n;
}

export function parseSeconds(value: string | undefined, name: string): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new UsageError(`${name} must be a number of seconds greater than 0 and at most 86400 (a day), not '${value ?? ''}'.`);
  }
  return n;
}

export function parseAeTitle(value: string, name: string): string {
  const problem = aeTitleProblem(value);
  if (problem) throw new UsageError(`${name}: ${problem}`);
  return value.trim();
}

/** Reads a PEM/DER file named on the command line, with a message naming the option. */
export function readFileOption(path: string, name: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`${name}: cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
}

/** The client side TLS options shared by echo and store: --tls [--ca FILE]... [--cert FILE --key FILE]. */
export function parseClientTls(v: { tls?: boolean; ca?: string[]; cert?: string; key?: string }): TlsConfig | undefined {
  if ((v.cert === undefined) !== (v.key === undefined)) throw new UsageError('--cert and --key go together.');
  const wantsTls = v.tls === true || v.ca !== undefined || v.cert !== undefined;
  if (wantsTls && v.tls !== true) throw new UsageError('--ca, --cert and --key need --tls.');
  return wantsTls ? {
    ca: v.ca?.map((f) => readFileOption(f, '--ca')),
    cert: v.cert === undefined ? undefined : readFileOption(v.cert, '--cert'),
    key: v.key === undefined ? undefined : readFileOption(v.key, '--key'),
  } : undefined;
}

export const CLIENT_TLS_OPTIONS = {
  tls: { type: 'boolean' },
  ca: { type: 'string', multiple: true },
  cert: { type: 'string' },
  key: { type: 'string' },
} as const;

/** The options of the commands that talk to a peer (echo, store). */
export const PEER_OPTIONS = {
  aet: { type: 'string' },
  aec: { type: 'string' },
  timeout: { type: 'string' },
  ...CLIENT_TLS_OPTIONS,
  json: { type: 'boolean' },
} as const;

type PeerValues = { aet?: string; aec?: string; timeout?: string; tls?: boolean; ca?: string[]; cert?: string; key?: string };

/** HOST PORT and the peer options, checked: what verify and send take. */
export function peerConnection(v: PeerValues, host: string, portText: string | undefined) {
  return {
    host: parseHost(host),
    port: parsePort(portText, 'PORT'),
    callingAeTitle: parseAeTitle(v.aet ?? 'DICOMNET', '--aet'),
    calledAeTitle: parseAeTitle(v.aec ?? 'ANY-SCP', '--aec'),
    timeoutMs: (v.timeout === undefined ? 30 : parseSeconds(v.timeout, '--timeout')) * 1000,
    tls: parseClientTls(v),
  };
}

/** parseArgs, strict, with its complaints as usage errors (exit code 2). */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, allowPositionals, strict: true, options });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * A settings file (the app's settings.json) read and checked by the same schema the app and the GUI
 * use. Read only: the CLI never moves or rewrites it.
 */
export function readSettingsOption(path: string): Settings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--settings: cannot use '${path}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  const v = validateSettings(raw);
  if (!v.ok) throw new UsageError(`--settings ${path}: ${describeProblems(v.problems)}`);
  return v.value;
}
