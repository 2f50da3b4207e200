// One alert naming every certificate of ours that expires within 30 days or no longer (or not yet) holds.

import { Alert, AlertTitle } from '@mui/material';
import { expiryOf, type CertificatesState } from '../../../src-shared/certificates';
import { formatDate } from './format';

export function expiryWarnings(state: CertificatesState, now = Date.now()): { severity: 'warning' | 'error'; text: string }[] {
  const out: { severity: 'warning' | 'error'; text: string }[] = [];
  const c = state.identity?.certificate;
  if (c) {
    const { state: e, daysLeft } = expiryOf(c.validFrom, c.validTo, now);
    if (e === 'expiring') out.push({ severity: 'warning', text: `Our certificate expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'} (${formatDate(c.validTo)}): create a new identity or import the renewed certificate, then give it to the peers that trust it.` });
    if (e === 'expired') out.push({ severity: 'error', text: `Our certificate expired on ${formatDate(c.validTo)}: peers refuse it. Create a new identity or import the renewed certificate.` });
    if (e === 'not-yet-valid') out.push({ severity: 'error', text: `Our certificate is not valid before ${formatDate(c.validFrom)}: check this computer's clock.` });
  }
  for (const t of state.trusted) {
    const { state: e, daysLeft } = expiryOf(t.validFrom, t.validTo, now);
    if (e === 'expiring') out.push({ severity: 'warning', text: `Trusted certificate ${t.label} expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'} (${formatDate(t.validTo)}): trust its successor before then.` });
    if (e === 'expired') out.push({ severity: 'error', text: `Trusted certificate ${t.label} expired on ${formatDate(t.validTo)}: peers whose chain ends in it fail verification.` });
    if (e === 'not-yet-valid') out.push({ severity: 'error', text: `Trusted certificate ${t.label} is not valid before ${formatDate(t.validFrom)}.` });
  }
  return out;
}

export function ExpiryWarnings({ state }: { state: CertificatesState }) {
  const warnings = expiryWarnings(state);
  if (warnings.length === 0) return null;
  const severity = warnings.some((w) => w.severity === 'error') ? 'error' : 'warning';
  return (
    <Alert severity={severity} data-testid="expiry-warnings">
      <AlertTitle>{severity === 'error' ? 'Certificates no longer valid' : 'Certificates expiring soon'}</AlertTitle>
      {warnings.map((w) => <div key={w.text}>{w.text}</div>)}
    </Alert>
  );
}
