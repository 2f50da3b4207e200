// What an acceptor is willing to accept: the input of negotiation (PS3.8 §7.1, PS3.7 Annex D.3).

export interface AsynchronousOperationsWindow {
  /** 0 means unlimited (PS3.7 D.3.3.3). */
  readonly maxOperationsInvoked: number;
  readonly maxOperationsPerformed: number;
}

export interface AcceptorPolicy {
  /** Our AE title: the called AE title of a request must match it (else RJ 1/1/7). */
  readonly aeTitle: string;
  /** When non-empty, only these calling AE titles are accepted (else RJ 1/1/3). */
  readonly allowedCallingAeTitles?: readonly string[];
  /** Associations already open at or above this number get a transient rejection (2/3/2). */
  readonly maxAssociations?: number;
  /** Abstract syntax -> the transfer syntaxes we accept for it, in our order of preference. */
  readonly supportedContexts: ReadonlyMap<string, readonly string[]>;
  /** The Maximum Length we announce (PS3.8 D.1): the largest P-DATA-TF the peer may send us. */
  readonly maxPduLength: number;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string;
  /** Our window; absent means we only work synchronously (window 1/1). */
  readonly asynchronousOperationsWindow?: AsynchronousOperationsWindow;
  /**
   * Which proposed transfer syntax a context gets: the first of ours the requestor proposed ('ours',
   * default), or the first the requestor proposed that we accept ('proposed': a storage SCP that
   * keeps what arrives as it arrived lets the sender, who knows its data, choose).
   */
  readonly transferSyntaxChoice?: 'ours' | 'proposed';
  /** SOP classes for which we accept the role reversal of SCP/SCU role selection (PS3.7 D.3.3.4). */
  readonly acceptScpRoleFor?: ReadonlySet<string>;
}

/** Facts of the moment that decide negotiation besides the request itself. */
export interface NegotiationContext {
  /** Associations open before this one (not counting it). */
  readonly activeAssociations: number;
}
