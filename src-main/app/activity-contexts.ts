// The presentation contexts of incoming associations as the activity log keeps them: each named
// (uids.ts), and one copy for all the associations that negotiated the same ones. storescu proposes
// ~128 contexts on every association, and 5 000 log entries each with their own decoded copy held
// ~100 MB in the main process (measured: 108 MB with the names); a modality's or PACS's associations repeat the same few sets.

import type { ActivityContext } from '../../src-shared/models';
import type { ScpAssociationEvent } from '../dicomnet/services/scp';
import { uidName } from '../dicomnet/uids';

/** Distinct sets kept; beyond it the cache starts again (entries keep the arrays they got). */
const KEPT = 64;

export class SharedContexts {
  private readonly known = new Map<string, readonly ActivityContext[]>();

  of(contexts: ScpAssociationEvent['contexts']): readonly ActivityContext[] | undefined {
    if (!contexts) return undefined;
    const key = contexts.map((c) => `${c.id} ${c.abstractSyntax} ${c.transferSyntax ?? ''} ${c.result}`).join('\n');
    const known = this.known.get(key);
    if (known) return known;
    if (this.known.size >= KEPT) this.known.clear();
    const named = Object.freeze(contexts.map((c) => Object.freeze({
      ...c,
      abstractSyntaxName: knownName(c.abstractSyntax),
      transferSyntaxName: c.transferSyntax ? knownName(c.transferSyntax) : undefined,
    })));
    this.known.set(key, named);
    return named;
  }
}

/** The name of a UID we know, for the Activity page; undefined for one we do not. */
function knownName(uid: string): string | undefined {
  const name = uidName(uid);
  return name === uid ? undefined : name;
}
