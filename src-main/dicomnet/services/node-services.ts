// What a node answers: C-ECHO always, C-STORE when it has a Storage service. One place for the
// contexts, handlers and data sinks that the CLI's `scp` and the app's local node both run.

import { CommandField } from '../dimse/command-fields';
import { SopClass, VERIFICATION_TRANSFER_SYNTAXES } from '../uids';
import { echoHandlers } from './echo';
import type { ScpOptions } from './scp';
import { storageContexts, type StorageService } from './storage/store-scp';

export type NodeServices = Pick<ScpOptions, 'supportedContexts' | 'handlers' | 'dataSinks' | 'preferProposedTransferSyntax' | 'asynchronousOperationsWindow'>;

export function nodeServices(storage?: StorageService): NodeServices {
  const supportedContexts = new Map<string, readonly string[]>([[SopClass.Verification, VERIFICATION_TRANSFER_SYNTAXES]]);
  const handlers = new Map(echoHandlers);
  if (storage) {
    for (const [uid, syntaxes] of storageContexts()) supportedContexts.set(uid, syntaxes);
    handlers.set(CommandField.CStoreRq, storage.handler);
  }
  return {
    supportedContexts,
    handlers,
    dataSinks: storage?.sinks,
    // What arrives is kept as it arrived: the sender, who knows its data, picks the syntax.
    preferProposedTransferSyntax: true,
    // A requestor that proposes an asynchronous window may have up to 16 operations under way.
    asynchronousOperationsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 16 },
  };
}
