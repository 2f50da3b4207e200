// The state transition table of the Upper Layer protocol, PS3.8 §9.2.3 Table 9-10, as one data
// object laid out like the standard: one row per event, one cell per state. An empty cell means the
// event cannot occur in that state (our reference §4.4).
//
// Evt6 in Sta5 is AA-8, as in pynetdicom (which tests every cell against Table 9-10) and dcm4che;
// DCMTK has AE-4 there.

import type { ActionId } from './actions';
import type { UlEvent } from './events';
import type { State } from './states';

type Row = Partial<Record<State, ActionId>>;

/** The provider's answer to a PDU it did not expect once an association exists (Sta3, Sta5..Sta12). */
const unexpectedPdu: Row = { Sta3: 'AA-8', Sta5: 'AA-8', Sta6: 'AA-8', Sta7: 'AA-8', Sta8: 'AA-8', Sta9: 'AA-8', Sta10: 'AA-8', Sta11: 'AA-8', Sta12: 'AA-8' };

export const transitionTable: Record<UlEvent, Row> = {
  Evt1: { Sta1: 'AE-1' },
  Evt2: { Sta4: 'AE-2' },
  Evt3: { ...unexpectedPdu, Sta2: 'AA-1', Sta5: 'AE-3', Sta13: 'AA-6' },
  Evt4: { ...unexpectedPdu, Sta2: 'AA-1', Sta5: 'AE-4', Sta13: 'AA-6' },
  Evt5: { Sta1: 'AE-5' },
  Evt6: { ...unexpectedPdu, Sta2: 'AE-6', Sta13: 'AA-7' },
  Evt7: { Sta3: 'AE-7' },
  Evt8: { Sta3: 'AE-8' },
  Evt9: { Sta6: 'DT-1', Sta8: 'AR-7' },
  Evt10: { ...unexpectedPdu, Sta2: 'AA-1', Sta6: 'DT-2', Sta7: 'AR-6', Sta13: 'AA-6' },
  Evt11: { Sta6: 'AR-1' },
  Evt12: { ...unexpectedPdu, Sta2: 'AA-1', Sta6: 'AR-2', Sta7: 'AR-8', Sta13: 'AA-6' },
  Evt13: { ...unexpectedPdu, Sta2: 'AA-1', Sta7: 'AR-3', Sta10: 'AR-10', Sta11: 'AR-3', Sta13: 'AA-6' },
  Evt14: { Sta8: 'AR-4', Sta9: 'AR-9', Sta12: 'AR-4' },
  Evt15: { Sta3: 'AA-1', Sta4: 'AA-2', Sta5: 'AA-1', Sta6: 'AA-1', Sta7: 'AA-1', Sta8: 'AA-1', Sta9: 'AA-1', Sta10: 'AA-1', Sta11: 'AA-1', Sta12: 'AA-1' },
  Evt16: { Sta2: 'AA-2', Sta3: 'AA-3', Sta5: 'AA-3', Sta6: 'AA-3', Sta7: 'AA-3', Sta8: 'AA-3', Sta9: 'AA-3', Sta10: 'AA-3', Sta11: 'AA-3', Sta12: 'AA-3', Sta13: 'AA-2' },
  Evt17: { Sta2: 'AA-5', Sta3: 'AA-4', Sta4: 'AA-4', Sta5: 'AA-4', Sta6: 'AA-4', Sta7: 'AA-4', Sta8: 'AA-4', Sta9: 'AA-4', Sta10: 'AA-4', Sta11: 'AA-4', Sta12: 'AA-4', Sta13: 'AR-5' },
  Evt18: { Sta2: 'AA-2', Sta13: 'AA-2' },
  Evt19: { ...unexpectedPdu, Sta2: 'AA-1', Sta13: 'AA-7' },
};
