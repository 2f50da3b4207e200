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

/** A presentation context of an association and its result, the UIDs named where we know them. */
export interface ActivityContext {
  readonly id: number;
  readonly abstractSyntax: string;
  /** e.g. 'PatientRootQueryRetrieveInformationModelFind'; absent for a UID we do not know. */
  readonly abstractSyntaxName?: string;
  readonly transferSyntax?: string;
  readonly transferSyntaxName?: string;
  readonly result: string;
}

/** One step in the life of an association, as the activity log keeps it. */
export interface ActivityEntry {
  readonly id: number;
  /** 'in': a peer associated with our node; 'out': we associated with a peer (verify, send). */
  readonly direction: 'in' | 'out';
  readonly kind: 'accepted' | 'rejected' | 'released' | 'aborted' | 'closed';
  readonly at: number;
  readonly remoteAddress: string;
  readonly remotePort?: number;
  readonly callingAeTitle?: string;
  readonly calledAeTitle?: string;
  readonly contexts?: readonly ActivityContext[];
  /** Why, for rejections and aborts; what was done, for releases. */
  readonly detail?: string;
  readonly durationMs?: number;
}

export interface ActivityFilter {
  readonly direction?: 'in' | 'out';
  readonly outcome?: ActivityEntry['kind'];
  /** Matches address, AE titles or detail, case-insensitively. */
  readonly text?: string;
  readonly limit?: number;
}

/** Received instances of one study. */
export interface ReceivedStudy {
  readonly studyInstanceUid: string;
  readonly patientName?: string;
  readonly patientId?: string;
  readonly studyDate?: string;
  readonly modalities: readonly string[];
  readonly series: number;
  readonly instances: number;
  readonly bytes: number;
  /** The study's folder under the storage folder. */
  readonly folder?: string;
  readonly callingAeTitles: readonly string[];
  readonly lastReceivedAt: number;
}

/** The local node (our SCP) as the GUI shows it. */
export interface NodeState {
  readonly running: boolean;
  readonly aeTitle: string;
  readonly listening: readonly { readonly host: string; readonly port: number; readonly tls: boolean }[];
  readonly openAssociations: number;
  readonly storageFolder: string;
  /** Why the node is not running although it was asked to (port in use, folder not writable...). */
  readonly error?: string;
}

/** One received instance, as the GUI is told of it. */
export interface InstanceReceived {
  readonly callingAeTitle: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly patientName?: string;
  readonly bytes: number;
  readonly path?: string;
  readonly at: number;
}

/** Progress of a send: files done so far, bytes, rate, the file that just finished. */
/** A file of a send that was not stored, and why. */
export interface SendFileProblem {
  readonly path: string;
  readonly outcome: 'failed' | 'skipped';
  readonly detail: string;
}

export interface SendProgress {
  readonly sendId: string;
  readonly filesDone: number;
  /** DICOM files to send and their bytes, once the paths are walked. */
  readonly filesTotal?: number;
  readonly bytesTotal?: number;
  readonly bytesDone: number;
  /** Seconds left at the current rate, once known. */
  readonly secondsLeft?: number;
  readonly megabytesPerSecond: number;
  /**
   * The files that were not stored (failed or skipped) since the previous event, in order. Stored
   * files are only counted: progress comes at most ten times a second, not once per file.
   */
  readonly problems?: readonly SendFileProblem[];
  readonly finished?: { readonly ok: boolean; readonly stored: number; readonly failed: number; readonly skipped: number; readonly seconds: number };
}
