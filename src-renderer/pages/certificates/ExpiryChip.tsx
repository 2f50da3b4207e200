// The validity of a certificate at a glance: valid, expiring (under 30 days), expired, not yet valid.

import { Chip } from '@mui/material';
import { expiryOf, type ExpiryState } from '../../../src-shared/certificates';

export function expiryLabel(state: ExpiryState, daysLeft: number): string {
  switch (state) {
    case 'valid': return 'Valid';
    case 'expiring': return daysLeft <= 0 ? 'Expires today' : `Expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
    case 'expired': return 'Expired';
    case 'not-yet-valid': return 'Not yet valid';
  }
}

export function expiryColor(state: ExpiryState): 'success' | 'warning' | 'error' {
  return state === 'valid' ? 'success' : state === 'expiring' ? 'warning' : 'error';
}

/** Worked out now from the dates (the page may stay open for days), not from when main sent them. */
export function ExpiryChip({ validFrom, validTo }: { validFrom: string; validTo: string }) {
  const { state, daysLeft } = expiryOf(validFrom, validTo);
  return <Chip size="small" variant={state === 'valid' ? 'outlined' : 'filled'} color={expiryColor(state)} data-expiry={state} label={expiryLabel(state, daysLeft)} />;
}
