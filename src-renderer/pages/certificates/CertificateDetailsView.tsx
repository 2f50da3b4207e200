// One certificate as people check it: who, by whom, for which names, how long, which key, which
// fingerprint, what for. Used for our identity, the trusted certificates and inspected files.

import { Stack, Typography } from '@mui/material';
import type { CertificateDetails } from '../../../src-shared/certificates';
import { DetailsTable, type DetailRow } from './DetailsTable';
import { ExpiryChip } from './ExpiryChip';
import { describeKey, formatDate } from './format';

export function certificateRows(c: CertificateDetails): DetailRow[] {
  const names = [...c.dnsNames.map((n) => `DNS ${n}`), ...c.ipAddresses.map((n) => `IP ${n}`)];
  return [
    ['Subject', c.subject],
    ['Issuer', c.selfSigned ? `${c.issuer} (self-signed)` : c.issuer],
    ['Names', names.length ? names.join(', ') : '(none)'],
    ['Validity', (
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <span>{formatDate(c.validFrom)} to {formatDate(c.validTo)}</span>
        <ExpiryChip validFrom={c.validFrom} validTo={c.validTo} />
      </Stack>
    )],
    ['Key', describeKey(c)],
    ['SHA-256', <Typography key="fp" variant="body2" component="span" sx={{ fontFamily: 'monospace' }}>{c.fingerprint256}</Typography>],
    ['Key usage', c.keyUsage.length ? c.keyUsage.join(', ') : '(not restricted)'],
    ['Extended key usage', c.extendedKeyUsage.length ? c.extendedKeyUsage.join(', ') : '(not restricted)'],
    ['Certificate authority', c.isCa ? 'Yes (may sign other certificates)' : 'No'],
    ['Signature', c.signatureAlgorithm],
    ['Serial number', c.serialNumber],
  ];
}

export function CertificateDetailsView({ certificate, extraRows = [], label }: {
  certificate: CertificateDetails;
  /** Rows shown after the certificate's own (chain status, key protection...). */
  extraRows?: readonly DetailRow[];
  label?: string;
}) {
  return <DetailsTable label={label ?? `certificate ${certificate.subject}`} rows={[...certificateRows(certificate), ...extraRows]} />;
}
