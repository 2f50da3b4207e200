// Transport failures in plain words: each names the step (resolve, connect, tls), keeps a short code
// and says what happened and the likely fix. The wording is shared by the CLI and (later) the GUI.

export type TransportStep = 'resolve' | 'connect' | 'tls';

export interface StepTimings {
  resolveMs?: number;
  connectMs?: number;
  tlsMs?: number;
}

export class TransportError extends Error {
  constructor(
    readonly step: TransportStep,
    readonly code: string,
    readonly plain: string,
    readonly timings: StepTimings = {},
    cause?: unknown,
    readonly peerCertificate?: CertificateSummary,
  ) {
    super(plain, { cause });
    this.name = 'TransportError';
  }
}

/** The peer's certificate as shown with a TLS failure (subject, issuer, validity, fingerprint). */
export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly fingerprint256: string;
}

export interface FailureContext {
  readonly host: string;
  readonly port: number;
  readonly step: TransportStep;
  readonly timeoutMs?: number;
  /** The certificate the peer presented, when the handshake got that far. */
  readonly peerCertificate?: CertificateSummary;
}

/** A TLS record header: ContentType alert(21) or handshake(22), version 3.x (RFC 8446 §5.1). */
export function looksLikeTlsRecord(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= 3 && (firstBytes[0] === 0x15 || firstBytes[0] === 0x16) && firstBytes[1] === 0x03 && (firstBytes[2] ?? 9) <= 0x04;
}

/**
 * A line of text where a PDU was due (a PDU starts with its type, 0x01-0x07, and a reserved 0x00):
 * a web or SSH server's answer, a mail server's greeting, a browser's request. The line, and who
 * speaks so; undefined for anything else.
 */
export function textInsteadOfPdu(firstBytes: Uint8Array): { readonly line: string; readonly speaker: string } | undefined {
  let end = 0;
  while (end < firstBytes.length && firstBytes[end]! >= 0x20 && firstBytes[end]! < 0x7f) end++;
  if (end < 4) return undefined;
  const text = Buffer.from(firstBytes.buffer, firstBytes.byteOffset, end).toString('latin1');
  const line = end === firstBytes.length ? `${text}...` : text;
  if (text.startsWith('HTTP/')) return { line, speaker: 'a web server' };
  if (/^(GET|POST|HEAD|PUT|OPTIONS|CONNECT) /.test(text)) return { line, speaker: 'a web browser or HTTP client' };
  if (text.startsWith('SSH-')) return { line, speaker: 'an SSH server or client' };
  if (/^(220|\* OK|\+OK)\b/.test(text)) return { line, speaker: 'a mail server' };
  return { line, speaker: 'a service that is not DICOM' };
}

const tlsCertCodes: Record<string, [string, (c: FailureContext) => string]> = {
  CERT_HAS_EXPIRED: ['expired', (c) => `The certificate of ${c.host}:${c.port} has expired${c.peerCertificate ? ` (on ${c.peerCertificate.validTo})` : ''}: the peer's administrator must renew it.`],
  CERT_NOT_YET_VALID: ['not-yet-valid', (c) => `The certificate of ${c.host}:${c.port} is not yet valid${c.peerCertificate ? ` (from ${c.peerCertificate.validFrom})` : ''}: check the clocks of both machines.`],
  ERR_DICOMNET_PIN_MISMATCH: ['pin-mismatch', (c) => `The certificate of ${c.host}:${c.port} is not the pinned one (its SHA-256 fingerprint is ${c.peerCertificate?.fingerprint256 ?? 'unknown'}): if the peer's certificate was renewed, update the pin; otherwise someone else answers at this address.`],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['untrusted', (c) => `The peer's certificate at ${c.host}:${c.port} is self-signed and not trusted: add it (or its CA) to our trusted certificates.`],
  SELF_SIGNED_CERT_IN_CHAIN: ['untrusted', (c) => `The peer's certificate chain at ${c.host}:${c.port} ends in a CA that is not trusted: add that CA to our trusted certificates.`],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['untrusted', (c) => `The peer's certificate at ${c.host}:${c.port} is not trusted: its issuer is unknown to us; add the issuer's CA certificate to our trusted certificates.`],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['untrusted', (c) => `The peer's certificate at ${c.host}:${c.port} is not trusted: its issuer is unknown to us; add the issuer's CA certificate to our trusted certificates.`],
  UNABLE_TO_GET_ISSUER_CERT: ['untrusted', (c) => `The peer's certificate at ${c.host}:${c.port} is not trusted: the issuer's certificate is missing; add the CA chain to our trusted certificates.`],
  CERT_SIGNATURE_FAILURE: ['untrusted', (c) => `The peer's certificate at ${c.host}:${c.port} is not trusted: its signature does not verify.`],
  CERT_REVOKED: ['revoked', (c) => `The certificate of ${c.host}:${c.port} has been revoked.`],
  ERR_TLS_CERT_ALTNAME_INVALID: ['host-mismatch', (c) => `The peer's certificate does not name '${c.host}' (host name mismatch): connect by a name the certificate lists, or turn the host-name check off for this peer.`],
};

/** Classifies a socket or TLS error; `err` may be a Node system error or an OpenSSL one. */
export function classifyTransportError(err: unknown, c: FailureContext, timings: StepTimings = {}): TransportError {
  const e = err as NodeJS.ErrnoException & { reason?: string; library?: string };
  const code = e?.code ?? '';
  const message = String(e?.message ?? err);
  const at = `${c.host}:${c.port}`;
  const make = (step: TransportStep, short: string, plain: string) => new TransportError(step, short, plain, timings, err, c.peerCertificate);

  if (code === 'CANCELLED') {
    const during = { resolve: `resolving '${c.host}'`, connect: `connecting to ${at}`, tls: `the TLS handshake with ${at}` }[c.step];
    return make(c.step, 'cancelled', `Cancelled during ${during}; no association was requested.`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return make('resolve', 'not-found', `The name '${c.host}' could not be resolved: check the host name, or use the peer's IP address (DNS${code === 'EAI_AGAIN' ? ' did not answer' : ' has no such name'}).`);
  }
  if (code === 'ECONNREFUSED') {
    return make('connect', 'refused', `Nothing is listening on ${at}: check the port number and that the peer's DICOM service is running.`);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') {
    return make('connect', 'unreachable', `${c.host} cannot be reached from this machine (${code}): check the address, the network cable or VPN, and routes.`);
  }
  if (code === 'ETIMEDOUT' || code === 'TIMEOUT') {
    if (c.step === 'tls') {
      return make('tls', 'timeout', `The TLS handshake with ${at} got no answer within ${(c.timeoutMs ?? 0) / 1000} s: the peer may not speak TLS on this port (it may be waiting for a plain DICOM association).`);
    }
    return make(c.step, 'timeout', `No answer from ${at} within ${(c.timeoutMs ?? 0) / 1000} s: a firewall may be dropping the connection, or the host is down.`);
  }
  if (c.step === 'tls' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code in tlsCertCodes) {
    const local = explainLocalCredentials(err);
    if (local) return make('tls', local.code, local.plain);
    const known = tlsCertCodes[code];
    if (known) return make('tls', known[0], known[1](c));
    const m = message.toLowerCase();
    if (m.includes('wrong version number') || m.includes('packet length too long') || m.includes('unknown protocol') || m.includes('record layer failure')) {
      return make('tls', 'not-tls', `The peer at ${at} does not speak TLS on this port: it is probably a plain DICOM port; turn TLS off for this peer or use its TLS port.`);
    }
    if (m.includes('certificate required') || m.includes('alert number 116') || (m.includes('handshake failure') && m.includes('certificate'))) {
      return make('tls', 'client-cert-required', `The peer at ${at} requires a client certificate: configure our certificate and key for this peer (mutual TLS).`);
    }
    if (m.includes('unknown ca') || m.includes('alert number 48') || m.includes('bad certificate') || m.includes('alert number 42')) {
      return make('tls', 'peer-rejected-our-cert', `The peer at ${at} does not trust our certificate: give the peer's administrator our certificate (or our CA) to add to its trust store.`);
    }
    if (m.includes('certificate expired') || m.includes('alert number 45')) {
      return make('tls', 'our-cert-expired', `The peer at ${at} says our certificate has expired: renew our certificate.`);
    }
    if (m.includes('protocol version') || m.includes('unsupported protocol') || m.includes('alert number 70')) {
      return make('tls', 'no-common-version', `No common TLS version with ${at}: we need TLS 1.2 or 1.3; the peer may only offer older versions.`);
    }
    if (m.includes('no shared cipher') || m.includes('handshake failure') || m.includes('alert number 40') || m.includes('no cipher')) {
      return make('tls', 'no-common-cipher', `No common TLS cipher suite with ${at}: the peer offers none of the BCP 195 suites we accept (or requires a client certificate we did not send).`);
    }
    if (code === 'ECONNRESET' || code === 'EPIPE' || m.includes('socket disconnected') || m.includes('socket hang up')) {
      return make('tls', 'closed', `The peer at ${at} closed the connection during the TLS handshake: it may not speak TLS on this port, or it refused our certificate.`);
    }
    return make('tls', code ? code.toLowerCase() : 'tls-error', `The TLS handshake with ${at} failed: ${message}.`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return make(c.step, 'reset', `The connection to ${at} was reset by the peer: it may refuse our address, or expect TLS.`);
  }
  return make(c.step, code ? code.toLowerCase() : 'error', `The ${c.step} step to ${at} failed: ${message}.`);
}

/**
 * Our own certificate and key, refused by OpenSSL as the TLS context is made (before a byte of a
 * handshake): what is wrong with them, in plain words; undefined for any other error.
 */
export function explainLocalCredentials(err: unknown): { code: string; plain: string } | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const message = (err as Error | undefined)?.message ?? String(err);
  if (code === 'ERR_OSSL_BAD_DECRYPT' || code === 'ERR_OSSL_BAD_PASSWORD_READ') {
    return { code: 'key-encrypted', plain: 'Our TLS private key is encrypted (it needs a passphrase), and a DICOM node must use it unattended: give the key without a passphrase (openssl pkey -in KEY -out PLAIN.key), or import it with its passphrase (dicomnet cert import FILE --passphrase P).' };
  }
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') {
    return { code: 'key-mismatch', plain: 'Our TLS certificate and private key do not belong together: give the key that was made with this certificate.' };
  }
  if (code === 'ERR_OSSL_PEM_NO_START_LINE' || code === 'ERR_OSSL_UNSUPPORTED' || code.startsWith('ERR_OSSL_ASN1') || code.startsWith('ERR_OSSL_PEM')) {
    return { code: 'bad-local-credentials', plain: `Our TLS certificate or private key could not be read (${message}): the certificate file must hold a PEM certificate, the key file its PEM private key.` };
  }
  return undefined;
}

/** A caller's failed TLS handshake on our listener, in plain words (the acceptor's side of the table above). */
export interface IncomingTlsFailure {
  readonly code: string;
  readonly plain: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
}

export function explainIncomingTlsFailure(err: Error): Pick<IncomingTlsFailure, 'code' | 'plain'> {
  const m = `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.toLowerCase();
  // A TLS alert the caller sent us (OpenSSL: "tlsv1 alert unknown ca", "SSL alert number 48") is
  // the caller's complaint about us; our own checks of its certificate come as verification codes
  // (UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...) from the listener. The two once read alike here.
  if (m.includes('alert unknown ca') || m.includes('alert bad certificate') || m.includes('alert certificate unknown') || /alert number (48|42|46)\b/.test(m)) {
    return { code: 'caller-rejected-our-cert', plain: "The caller does not trust our certificate (its TLS alert said so): give the caller's administrator our certificate, or the CA that issued it, to trust." };
  }
  if (m.includes('alert certificate expired') || /alert number 45\b/.test(m)) return { code: 'our-cert-expired', plain: 'The caller says our certificate has expired: renew our certificate.' };
  if (m.includes('peer did not return a certificate') || m.includes('certificate required')) {
    return { code: 'client-cert-missing', plain: 'The caller sent no certificate, and this node requires one (mutual TLS): the caller must configure its certificate, or turn "require client certificate" off.' };
  }
  if (m.includes('certificate has expired') || m.includes('cert_has_expired')) return { code: 'client-cert-expired', plain: "The caller's certificate has expired: its administrator must renew it." };
  if (m.includes('not_yet_valid')) return { code: 'client-cert-not-yet-valid', plain: "The caller's certificate is not yet valid: check the clocks of both machines." };
  if (m.includes('unknown ca') || m.includes('certificate verify failed') || m.includes('unable to get') || m.includes('unable_to') || m.includes('self-signed') || m.includes('self signed') || m.includes('self_signed') || m.includes('cert_signature_failure')) {
    return { code: 'client-cert-untrusted', plain: "The caller's certificate is not trusted: add it (or its CA) to the trusted certificates on the Certificates page." };
  }
  if (m.includes('http request') || m.includes('wrong version number') || m.includes('unknown protocol') || m.includes('packet length too long')) {
    return { code: 'not-tls', plain: 'The caller does not speak TLS: it sent plain DICOM to our TLS port; it should use our plain port or turn TLS on.' };
  }
  if ((err as NodeJS.ErrnoException).code === 'ERR_DICOMNET_TOO_MANY_HANDSHAKES') return { code: 'too-many-handshakes', plain: `Closed during its TLS handshake: ${err.message}.` };
  if (m.includes('unsupported protocol') || m.includes('protocol version')) return { code: 'no-common-version', plain: 'No common TLS version with the caller: we accept TLS 1.2 and 1.3 only.' };
  if (m.includes('no shared cipher') || m.includes('no suitable')) return { code: 'no-common-cipher', plain: 'No common TLS cipher suite with the caller: we accept the BCP 195 suites only.' };
  if (m.includes('timed out') || m.includes('timeout')) return { code: 'timeout', plain: 'The caller did not finish the TLS handshake in time.' };
  if (m.includes('econnreset') || m.includes('socket hang up') || m.includes('disconnected')) return { code: 'closed', plain: 'The caller closed the connection during the TLS handshake: it may not trust our certificate.' };
  return { code: 'tls-error', plain: `The TLS handshake with the caller failed: ${err.message}.` };
}
