// Our identity, a pending signing request and the trusted certificates, kept current by 'certs:changed'.

import { useEffect, useState } from 'react';
import type { CertificatesState } from '../../../src-shared/certificates';
import { invoke, on } from '../../api';

export function useCertificates(): { state?: CertificatesState; error?: string; setState: (s: CertificatesState) => void } {
  const [state, setState] = useState<CertificatesState>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    invoke('certs:state').then((s) => { if (live) setState(s); }, (e: Error) => { if (live) setError(e.message); });
    const off = on('certs:changed', (s) => { setState(s); setError(undefined); });
    return () => { live = false; off(); };
  }, []);
  return { state, error, setState };
}
