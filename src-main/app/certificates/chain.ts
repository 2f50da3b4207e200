// Does a certificate chain to one of our trusted certificates? Walks issuer links (name match and
// signature, RFC 5280 §6 in its simple form: no policies, no name constraints) through the
// certificates given with it, and says why not in plain words.

import type { X509Certificate } from 'node:crypto';
import type { CertificateDetails, ChainCheck } from '../../../src-shared/certificates';
import { describeCertificate } from './inspect';

const MAX_PATH = 8;

export function checkChain(leaf: X509Certificate, others: readonly X509Certificate[], anchors: readonly X509Certificate[], now = Date.now()): ChainCheck {
  const path: X509Certificate[] = [leaf];
  // Each certificate is read once, however often the walk looks at it.
  const described = new Map<X509Certificate, CertificateDetails>();
  const details = (c: X509Certificate) => described.get(c) ?? described.set(c, describeCertificate(c, now)).get(c)!;
  const summary = () => path.map((c) => ({ subject: details(c).subject, fingerprint256: c.fingerprint256 }));
  const expiredIn = () => {
    for (const c of path) {
      const d = details(c);
      if (d.expiry === 'expired') return `${d.subject} expired on ${d.validTo.slice(0, 10)}`;
      if (d.expiry === 'not-yet-valid') return `${d.subject} is not valid before ${d.validFrom.slice(0, 10)}`;
    }
    return undefined;
  };
  let current = leaf;
  for (let depth = 0; depth < MAX_PATH; depth++) {
    const direct = anchors.find((a) => a.fingerprint256 === current.fingerprint256);
    const anchor = direct ?? anchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
    if (anchor) {
      if (!direct) path.push(anchor);
      const problem = expiredIn();
      return { trusted: problem === undefined, path: summary(), anchor: anchor.fingerprint256, problem };
    }
    const issuer = others.find((o) => o !== current && !path.includes(o) && current.checkIssued(o) && current.verify(o.publicKey));
    if (!issuer) {
      const d = details(current);
      const problem = d.selfSigned
        ? `${d.subject} is self-signed and not among the trusted certificates`
        : `${d.subject} is issued by ${d.issuer}, which is not among the trusted certificates`;
      return { trusted: false, path: summary(), problem };
    }
    path.push(issuer);
    current = issuer;
  }
  return { trusted: false, path: summary(), problem: 'the chain is longer than 8 certificates' };
}
