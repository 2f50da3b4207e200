// The pure step function of the Upper Layer protocol machine: (state, event) -> action and next
// state, read from the transition table. No I/O and no timers: the driver (connection.ts) carries
// out the effects, so every cell is testable on its own.

import { resolveAction, type ActionContext, type ActionId, type UlEffect } from './actions';
import type { UlEvent } from './events';
import type { State } from './states';
import { transitionTable } from './table';

export interface Transition {
  readonly action: ActionId;
  readonly next: State;
  readonly effects: readonly UlEffect[];
}

/**
 * The transition for `event` in `state`, or undefined when the table's cell is empty. For a local
 * primitive that is an API misuse; for a PDU the driver treats it as an unexpected PDU (Evt19).
 */
export function step(state: State, event: UlEvent, ctx: ActionContext): Transition | undefined {
  const action = transitionTable[event][state];
  if (action === undefined) return undefined;
  const { next, effects } = resolveAction(action, ctx);
  return { action, next, effects };
}
