// Where certificates come from: files main reads, or PEM text pasted here.

import { Divider, Stack, TextField } from '@mui/material';
import type { CertificateSource } from '../../../src-shared/ipc';
import { lineList } from './format';
import { PathsField } from './PathsField';

export interface SourceText {
  paths: string;
  pem: string;
}

/** The request's source, 'both' when files and PEM text are both given, undefined when neither is. */
export function sourceOf(t: SourceText): CertificateSource | 'both' | undefined {
  const paths = lineList(t.paths);
  const pem = t.pem.trim();
  if (paths.length && pem) return 'both';
  if (pem) return { pem };
  if (paths.length) return { paths };
  return undefined;
}

export function CertificateSourceFields({ value, onChange }: { value: SourceText; onChange: (v: SourceText) => void }) {
  const both = sourceOf(value) === 'both';
  return (
    <Stack spacing={1}>
      <PathsField value={value.paths} onChange={(paths) => onChange({ ...value, paths })}
        helperText={both ? 'Give either files or PEM text, not both' : 'PEM, DER or PKCS#12 files'} />
      <Divider>or</Divider>
      <TextField multiline minRows={4} maxRows={12} size="small" label="PEM text" value={value.pem} onChange={(e) => onChange({ ...value, pem: e.target.value })}
        error={both} helperText={both ? 'Give either files or PEM text, not both' : 'Paste one or more -----BEGIN CERTIFICATE----- blocks'}
        slotProps={{ htmlInput: { style: { fontFamily: 'monospace', fontSize: 12 }, spellCheck: false } }} />
    </Stack>
  );
}
