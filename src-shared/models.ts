// Serialisable results shared by the CLI, the main process and (later) the GUI. Plain data only.

export type VerifyStepName = 'resolve' | 'connect' | 'tls' | 'associate' | 'echo' | 'release';

export interface VerifyStep {
  readonly step: VerifyStepName;
  readonly ok: boolean;
  /** Duration of the step in ms. */
  readonly ms: number;
  /** What the step found: the address resolved, the TLS version, the contexts accepted, the status. */
  readonly detail?: string;
}

export interface VerifyFailure {
  readonly step: VerifyStepName;
  /** A short machine-readable code, e.g. 'refused', 'rejected', 'timeout', 'expired'. */
  readonly code: string;
  /** One sentence in plain words: what failed and the likely fix. */
  readonly plain: string;
}

export interface VerifyTlsInfo {
  readonly protocol?: string;
  readonly cipher?: string;
  readonly peerSubject?: string;
  readonly peerIssuer?: string;
  readonly peerFingerprint256?: string;
  readonly validFrom?: string;
  readonly validTo?: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly host: string;
  readonly port: number;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly steps: readonly VerifyStep[];
  readonly failure?: VerifyFailure;
  readonly echoes?: {
    readonly sent: number;
    readonly succeeded: number;
    readonly lastStatus?: number;
    readonly rttMs?: { readonly min: number; readonly avg: number; readonly max: number };
  };
  readonly tls?: VerifyTlsInfo;
  readonly totalMs: number;
}
