export { States, stateDescription, type State } from './states';
export { UlEvents, eventDescription, type UlEvent } from './events';
export { actions, ActionIds, resolveAction, ae6RejectEffects, type ActionId, type ActionSpec, type UlEffect, type ActionContext } from './actions';
export { transitionTable } from './table';
export { step, type Transition } from './machine';
export { ArtimTimer, type Scheduler } from './artim';
