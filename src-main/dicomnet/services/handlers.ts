// Intervention handlers (design rule 5): exactly one handler per request type, which returns the
// response's status (and optional extra fields). Distinct from the notification events, which any
// number of listeners may observe and which return nothing.

import type { Association, DimseMessage } from '../connection';
import type { CommandSet } from '../dimse/command-set';

export interface HandlerResult {
  readonly status: number;
  readonly fields?: Partial<CommandSet>;
  readonly dataSet?: Buffer;
}

export type RequestHandler = (request: DimseMessage, association: Association) => HandlerResult | Promise<HandlerResult>;
