// A new key and either a self-signed certificate (our identity at once) or a signing request for our
// CA. Proposed from the local node's settings and this machine's names; checked as typed by the same
// rules main applies (identityRequestProblems).

import { Button, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, LinearProgress, MenuItem, Radio, RadioGroup, Stack, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import { identityRequestProblems, KEY_TYPE_LABELS, KEY_TYPES, type CertificatesState, type IdentityRequest, type KeyType } from '../../../src-shared/certificates';
import { invoke } from '../../api';
import { ActionDialog } from './ActionDialog';
import { commaList } from './format';
import { PendingCsr } from './PendingCsr';
import { useAction } from './useAction';

type Mode = 'self-signed' | 'csr';
interface Form {
  keyType: KeyType;
  commonName: string;
  organization: string;
  organizationalUnit: string;
  country: string;
  dnsNames: string;
  ipAddresses: string;
  days: string;
  mode: Mode;
}

const BLANK: IdentityRequest = { keyType: 'ec-p256', subject: { commonName: '' }, dnsNames: [], ipAddresses: [], days: 365 };

function toForm(r: IdentityRequest): Form {
  return {
    keyType: r.keyType, commonName: r.subject.commonName, organization: r.subject.organization ?? '', organizationalUnit: r.subject.organizationalUnit ?? '',
    country: r.subject.country ?? '', dnsNames: r.dnsNames.join(', '), ipAddresses: r.ipAddresses.join(', '), days: String(r.days), mode: 'self-signed',
  };
}

const optional = (s: string) => (s.trim() === '' ? undefined : s.trim());

function toRequest(f: Form, base: IdentityRequest): IdentityRequest {
  return {
    keyType: f.keyType,
    // Locality and state are not asked for here: kept as proposed.
    subject: { ...base.subject, commonName: f.commonName.trim(), organization: optional(f.organization), organizationalUnit: optional(f.organizationalUnit), country: optional(f.country) },
    dnsNames: commaList(f.dnsNames),
    ipAddresses: commaList(f.ipAddresses),
    days: f.days.trim() === '' ? Number.NaN : Number(f.days),
  };
}

export function CreateIdentityDialog({ onClose, onChanged }: { onClose: () => void; onChanged: (s: CertificatesState) => void }) {
  const [base, setBase] = useState<IdentityRequest>();
  const [form, setForm] = useState<Form>();
  const { busy, error, setError, run } = useAction();
  const [csr, setCsr] = useState<CertificatesState['pendingCsr']>();

  useEffect(() => {
    let live = true;
    invoke('certs:defaults').then(
      (d) => { if (live) { setBase(d); setForm(toForm(d)); } },
      (e: Error) => { if (live) { setBase(BLANK); setForm(toForm(BLANK)); setError(`No proposal from the workstation (${e.message}): fill in the fields.`); } },
    );
    return () => { live = false; };
  }, []);

  if (csr) {
    return (
      <Dialog open onClose={onClose} maxWidth="md" fullWidth>
        <DialogTitle>Signing request made</DialogTitle>
        <DialogContent><Stack sx={{ pt: 1 }}><PendingCsr csr={csr} /></Stack></DialogContent>
        <DialogActions><Button variant="contained" onClick={onClose}>Close</Button></DialogActions>
      </Dialog>
    );
  }

  const request = form && base ? toRequest(form, base) : undefined;
  const problems = request ? identityRequestProblems(request) : [];
  const problem = (field: string) => {
    const found = problems.filter((p) => p.field === field || p.field.startsWith(`${field}[`)).map((p) => p.message);
    return found.length ? found.join('; ') : undefined;
  };
  const set = (patch: Partial<Form>) => setForm((f) => (f ? { ...f, ...patch } : f));
  const field = (name: 'commonName' | 'organization' | 'organizationalUnit' | 'country' | 'dnsNames' | 'ipAddresses' | 'days', label: string, problemField: string, help?: string) => (
    <TextField size="small" label={label} value={form?.[name] ?? ''} onChange={(e) => set({ [name]: e.target.value })}
      error={problem(problemField) !== undefined} helperText={problem(problemField) ?? help ?? ' '} />
  );
  const create = () => {
    if (!request || !form || problems.length) return;
    run(() => invoke('certs:create', { ...request, mode: form.mode }), (s) => {
      onChanged(s);
      if (form.mode === 'csr' && s.pendingCsr) setCsr(s.pendingCsr);
      else onClose();
    });
  };

  return (
    <ActionDialog title="Create our identity" action="Create" canAct={form !== undefined && problems.length === 0} busy={busy} error={error} onAct={create} onClose={onClose}>
      {!form ? <LinearProgress sx={{ my: 2 }} /> : (
        <>
          <RadioGroup row value={form.mode} onChange={(e) => set({ mode: e.target.value as Mode })} aria-label="What to make">
            <FormControlLabel value="self-signed" control={<Radio size="small" />} label="Self-signed certificate" />
            <FormControlLabel value="csr" control={<Radio size="small" />} label="Signing request (CSR) for our CA" />
          </RadioGroup>
          <TextField select size="small" label="Key type" value={form.keyType} onChange={(e) => set({ keyType: e.target.value as KeyType })}
            error={problem('keyType') !== undefined} helperText={problem('keyType') ?? 'ECDSA P-256 is fast and widely supported; RSA for older peers'}>
            {KEY_TYPES.map((k) => <MenuItem key={k} value={k}>{KEY_TYPE_LABELS[k]}</MenuItem>)}
          </TextField>
          {field('commonName', 'Common name', 'subject.commonName', 'Usually this workstation\'s host name')}
          {field('organization', 'Organization', 'subject.organization')}
          {field('organizationalUnit', 'Organizational unit', 'subject.organizationalUnit')}
          {field('country', 'Country', 'subject.country', 'Two letters, e.g. DE')}
          {field('dnsNames', 'DNS names', 'dnsNames', 'Comma separated: the names peers use to reach us')}
          {field('ipAddresses', 'IP addresses', 'ipAddresses', 'Comma separated: the addresses peers use to reach us')}
          {field('days', 'Validity (days)', 'days', form.mode === 'csr' ? 'For a self-signed certificate: a signing request carries none (the CA decides)' : undefined)}
        </>
      )}
    </ActionDialog>
  );
}
