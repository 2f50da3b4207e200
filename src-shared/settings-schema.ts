// The workstation's settings: one shape and one validation, used by the app (electron-store), the
// CLI and the GUI's forms alike. Plain TypeScript: no Node, no DOM. Every problem names its field
// ("peers[2].port: must be a whole number from 1 to 65535") so a person can fix it.

import { aeTitleProblem } from './ae-title';

export type DuplicatePolicy = 'overwrite' | 'keep' | 'reject';
export type TlsMode = 'off' | 'tls' | 'mutual';

export interface LocalNodeSettings {
  readonly aeTitle: string;
  readonly port: number;
  /** Where the SCP listens: an address of this machine; '0.0.0.0' / '::' for every interface. */
  readonly bindAddress: string;
  /** Absolute path of the storage folder; '' means the default in the user's data folder. */
  readonly storageFolder: string;
  /** Calling AE titles allowed to associate; empty: any. */
  readonly allowedCallingAeTitles: readonly string[];
  readonly maxAssociations: number;
  readonly duplicates: DuplicatePolicy;
  /** Seconds: waiting for each association step and each DIMSE response. */
  readonly timeoutSeconds: number;
  /** Start the SCP when the app starts. */
  readonly autoStart: boolean;
  /** A second listener speaking DICOM over TLS (PS3.15 B.12), with our certificate. */
  readonly tlsEnabled: boolean;
  /** 2762 is the port registered for DICOM over TLS. */
  readonly tlsPort: number;
  /** Ask callers on the TLS port for their certificate, and refuse those without a trusted one (mutual TLS). */
  readonly requireClientCertificate: boolean;
}

export interface Peer {
  /** Stable identifier (made by the app), unique among peers. */
  readonly id: string;
  readonly name: string;
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  /** SHA-256 fingerprints of the trusted certificates this peer's chain may end in; empty: any of ours. */
  readonly trustAnchors: readonly string[];
  /** Check that the peer's certificate names the host we connect to (DNS or IP SAN). */
  readonly checkHostName: boolean;
  /** The peer's own certificate must have this SHA-256 fingerprint; '' for no pin. */
  readonly pinnedFingerprint: string;
}

export interface Settings {
  readonly version: 1;
  readonly localNode: LocalNodeSettings;
  readonly peers: readonly Peer[];
}

/** Works out of the box: AE title DICOMNET, port 11112, storage in the user's data folder. */
export const DEFAULT_SETTINGS: Settings = {
  version: 1,
  localNode: {
    aeTitle: 'DICOMNET',
    port: 11112,
    bindAddress: '0.0.0.0',
    storageFolder: '',
    allowedCallingAeTitles: [],
    maxAssociations: 16,
    duplicates: 'overwrite',
    timeoutSeconds: 30,
    autoStart: true,
    tlsEnabled: false,
    tlsPort: 2762,
    requireClientCertificate: false,
  },
  peers: [],
};

export interface FieldProblem {
  /** Path of the field, e.g. 'localNode.port' or 'peers[1].aeTitle'. */
  readonly field: string;
  readonly message: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly FieldProblem[] };

// ---- field checks (also used by the GUI as you type) -----------------------------------------------

export function portProblem(value: unknown): string | undefined {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535 ? undefined : 'must be a whole number from 1 to 65535';
}

const HOST_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^(?=.*:)[0-9A-Fa-f:.]{2,45}$/;

/**
 * A host as stored: trimmed, and an IPv6 address without the brackets that URLs and our own logs
 * put around it ('[::1]:11112'), so that a user may paste it back as shown.
 */
export function hostValue(value: string): string {
  const v = value.trim();
  const bracketed = /^\[(.*)\]$/.exec(v);
  return bracketed && IPV6.test(bracketed[1]!) ? bracketed[1]! : v;
}

/** A host name (RFC 1123), an IPv4 address or an IPv6 address (bare or in brackets). */
export function hostProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'must be a host name or an IP address';
  const v = hostValue(value);
  if (IPV4.test(v) || (IPV6.test(v) && v.split('::').length <= 2) || (HOST_NAME.test(v) && !/^[\d.]+$/.test(v))) return undefined;
  return `'${value.trim()}' is not a host name or an IP address`;
}

export function aeTitleFieldProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be text';
  return aeTitleProblem(value);
}

function integerProblem(value: unknown, min: number, max: number): string | undefined {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? undefined : `must be a whole number from ${min} to ${max}`;
}

/** A SHA-256 fingerprint in any common spelling, as colon-separated upper-case hex; undefined if it is not one. */
export function fingerprintOf(text: string): string | undefined {
  const hex = text.trim().replace(/^sha-?256\s*(fingerprint)?\s*=?\s*/i, '').replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

// ---- whole-object validation ---------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Checker {
  readonly problems: FieldProblem[] = [];

  check(field: string, problem: string | undefined): void {
    if (problem) this.problems.push({ field, message: problem });
  }
}

export function validateLocalNode(raw: unknown, field = 'localNode'): Validated<LocalNodeSettings> {
  const c = new Checker();
  if (!isObject(raw)) return { ok: false, problems: [{ field, message: 'must be an object' }] };
  const d = DEFAULT_SETTINGS.localNode;
  const v = { ...d, ...raw } as Record<string, unknown>;
  c.check(`${field}.aeTitle`, aeTitleFieldProblem(v.aeTitle));
  c.check(`${field}.port`, portProblem(v.port));
  c.check(`${field}.bindAddress`, v.bindAddress === '0.0.0.0' || v.bindAddress === '::' ? undefined : hostProblem(v.bindAddress));
  c.check(`${field}.storageFolder`, typeof v.storageFolder === 'string' ? undefined : 'must be a folder path');
  if (!Array.isArray(v.allowedCallingAeTitles)) c.check(`${field}.allowedCallingAeTitles`, 'must be a list of AE titles');
  else v.allowedCallingAeTitles.forEach((t, i) => c.check(`${field}.allowedCallingAeTitles[${i}]`, aeTitleFieldProblem(t)));
  c.check(`${field}.maxAssociations`, integerProblem(v.maxAssociations, 1, 1000));
  c.check(`${field}.duplicates`, ['overwrite', 'keep', 'reject'].includes(v.duplicates as string) ? undefined : "must be 'overwrite', 'keep' or 'reject'");
  c.check(`${field}.timeoutSeconds`, integerProblem(v.timeoutSeconds, 1, 3600));
  c.check(`${field}.autoStart`, typeof v.autoStart === 'boolean' ? undefined : 'must be true or false');
  c.check(`${field}.tlsEnabled`, typeof v.tlsEnabled === 'boolean' ? undefined : 'must be true or false');
  c.check(`${field}.tlsPort`, portProblem(v.tlsPort) ?? (v.tlsEnabled === true && v.tlsPort === v.port ? 'must differ from the plain port' : undefined));
  c.check(`${field}.requireClientCertificate`, typeof v.requireClientCertificate === 'boolean' ? undefined : 'must be true or false');
  if (c.problems.length) return { ok: false, problems: c.problems };
  return {
    ok: true,
    value: {
      aeTitle: (v.aeTitle as string).trim(),
      port: v.port as number,
      bindAddress: hostValue(v.bindAddress as string),
      storageFolder: v.storageFolder as string,
      allowedCallingAeTitles: (v.allowedCallingAeTitles as string[]).map((t) => t.trim()),
      maxAssociations: v.maxAssociations as number,
      duplicates: v.duplicates as DuplicatePolicy,
      timeoutSeconds: v.timeoutSeconds as number,
      autoStart: v.autoStart as boolean,
      tlsEnabled: v.tlsEnabled as boolean,
      tlsPort: v.tlsPort as number,
      requireClientCertificate: v.requireClientCertificate as boolean,
    },
  };
}

/** A peer as entered (the id is checked when present, made by the app otherwise). */
export function validatePeer(raw: unknown, field = 'peer'): Validated<Omit<Peer, 'id'> & { id?: string }> {
  const c = new Checker();
  if (!isObject(raw)) return { ok: false, problems: [{ field, message: 'must be an object' }] };
  c.check(`${field}.id`, raw.id === undefined || (typeof raw.id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(raw.id)) ? undefined : 'must be 1-64 letters, digits, _ or -');
  c.check(`${field}.name`, typeof raw.name === 'string' && raw.name.trim().length >= 1 && raw.name.length <= 64 ? undefined : 'must be 1-64 characters');
  c.check(`${field}.aeTitle`, aeTitleFieldProblem(raw.aeTitle));
  c.check(`${field}.host`, hostProblem(raw.host));
  c.check(`${field}.port`, portProblem(raw.port));
  const tls = raw.tls ?? 'off';
  c.check(`${field}.tls`, ['off', 'tls', 'mutual'].includes(tls as string) ? undefined : "must be 'off', 'tls' or 'mutual'");
  const anchors = raw.trustAnchors ?? [];
  if (!Array.isArray(anchors) || anchors.length > 64) c.check(`${field}.trustAnchors`, 'must be a list of certificate fingerprints');
  else anchors.forEach((a, i) => c.check(`${field}.trustAnchors[${i}]`, typeof a === 'string' && fingerprintOf(a) ? undefined : 'must be a SHA-256 fingerprint (64 hex digits)'));
  const checkHostName = raw.checkHostName ?? true;
  c.check(`${field}.checkHostName`, typeof checkHostName === 'boolean' ? undefined : 'must be true or false');
  const pin = raw.pinnedFingerprint ?? '';
  c.check(`${field}.pinnedFingerprint`, pin === '' || (typeof pin === 'string' && fingerprintOf(pin)) ? undefined : 'must be empty or a SHA-256 fingerprint (64 hex digits, colons optional)');
  if (c.problems.length) return { ok: false, problems: c.problems };
  return {
    ok: true,
    value: {
      id: raw.id as string | undefined,
      name: (raw.name as string).trim(),
      aeTitle: (raw.aeTitle as string).trim(),
      host: hostValue(raw.host as string),
      port: raw.port as number,
      tls: tls as TlsMode,
      trustAnchors: (anchors as string[]).map((a) => fingerprintOf(a)!),
      checkHostName: checkHostName as boolean,
      pinnedFingerprint: pin === '' ? '' : fingerprintOf(pin as string)!,
    },
  };
}

/** The whole settings object, as read from a file: missing parts take their defaults. */
export function validateSettings(raw: unknown): Validated<Settings> {
  if (!isObject(raw)) return { ok: false, problems: [{ field: '(settings)', message: 'must be a JSON object' }] };
  if (raw.version !== undefined && raw.version !== 1) return { ok: false, problems: [{ field: 'version', message: `version ${String(raw.version)} is not known to this build (1)` }] };
  const problems: FieldProblem[] = [];
  const local = validateLocalNode(raw.localNode ?? DEFAULT_SETTINGS.localNode);
  if (!local.ok) problems.push(...local.problems);
  const peers: Peer[] = [];
  if (raw.peers !== undefined && !Array.isArray(raw.peers)) problems.push({ field: 'peers', message: 'must be a list' });
  const ids = new Set<string>();
  ((raw.peers as unknown[] | undefined) ?? []).forEach((p, i) => {
    const r = validatePeer(p, `peers[${i}]`);
    if (!r.ok) {
      problems.push(...r.problems);
      return;
    }
    if (r.value.id === undefined) problems.push({ field: `peers[${i}].id`, message: 'is missing' });
    else if (ids.has(r.value.id)) problems.push({ field: `peers[${i}].id`, message: `'${r.value.id}' is used by another peer` });
    else {
      ids.add(r.value.id);
      peers.push(r.value as Peer);
    }
  });
  if (problems.length || !local.ok) return { ok: false, problems };
  return { ok: true, value: { version: 1, localNode: local.value, peers } };
}

/** "peers[1].port: must be a whole number from 1 to 65535; ..." */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('; ');
}
