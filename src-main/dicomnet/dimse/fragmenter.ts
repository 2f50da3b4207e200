// P-DATA fragmentation, PS3.8 §9.3.5 and Annex E: a message becomes a command stream then a data-set
// stream of PDVs, one PDV per P-DATA-TF, each PDU within the peer's Maximum Length. Fragments are
// views into the caller's buffers (no copies); only the 12 header bytes per PDU are new.

import { bufferView } from '../pdu/buffer-view';
import { encodePDataHeader } from '../pdu/encode';
import { FramedPiece } from './framed-piece';

/** PDU header (6) + PDV item length (4) + PC-ID (1) + message control header (1). */
const PDATA_OVERHEAD = 6;

/** Fragment size when the peer set no limit (Maximum Length 0): large PDUs, bounded buffers. */
export const UNLIMITED_FRAGMENT_SIZE = 1024 * 1024;

/**
 * The largest even fragment that keeps a one-PDV P-DATA-TF within `peerMaxPduLength`, and no larger
 * than without a limit: a peer that takes bigger PDUs takes these too. (A u32 Maximum Length of 2^31
 * or more also went negative in the bitwise rounding below, and the send threw.)
 */
export function maxFragmentSize(peerMaxPduLength: number): number {
  if (peerMaxPduLength === 0 || peerMaxPduLength - PDATA_OVERHEAD >= UNLIMITED_FRAGMENT_SIZE) return UNLIMITED_FRAGMENT_SIZE;
  const size = (peerMaxPduLength - PDATA_OVERHEAD) & ~1;
  if (size < 2) throw new Error(`The peer's Maximum Length ${peerMaxPduLength} leaves no room for a PDV.`);
  return size;
}

/** `bytes` as PDVs of at most `fragment` bytes; `endsStream` flags the final one as the last fragment. */
function pushStream(out: Buffer[], pcId: number, isCommand: boolean, bytes: Uint8Array, fragment: number, endsStream = true): void {
  const view = bufferView(bytes);
  if (view.length === 0) {
    if (endsStream) out.push(encodePDataHeader(pcId, isCommand, true, 0));
    return;
  }
  for (let offset = 0; offset < view.length; offset += fragment) {
    const end = Math.min(offset + fragment, view.length);
    out.push(encodePDataHeader(pcId, isCommand, endsStream && end === view.length, end - offset));
    out.push(view.subarray(offset, end));
  }
}

/**
 * One piece of a data set sent as a stream (read from a file piece by piece): the buffers to write
 * for it; the last fragment flag is set only when `isLastPiece`.
 */
export function fragmentDataPiece(presentationContextId: number, piece: Uint8Array, isLastPiece: boolean, peerMaxPduLength: number): Buffer[] {
  const out: Buffer[] = [];
  pushStream(out, presentationContextId, false, piece, maxFragmentSize(peerMaxPduLength), isLastPiece);
  return out;
}

/**
 * A data-set piece as the buffers to write: a piece framed for this fragment size sealed in place
 * (one buffer), bytes cut into fragments.
 */
export function fragmentPiece(presentationContextId: number, piece: Uint8Array | FramedPiece, isLastPiece: boolean, peerMaxPduLength: number): Buffer[] {
  if (!(piece instanceof FramedPiece)) return fragmentDataPiece(presentationContextId, piece, isLastPiece, peerMaxPduLength);
  if (piece.fragment === maxFragmentSize(peerMaxPduLength)) return [piece.seal(presentationContextId, isLastPiece)];
  // Framed for another fragment size (read ahead for another association): its payload, cut anew.
  const slots = piece.payload();
  return slots.flatMap((slot, i) => fragmentDataPiece(presentationContextId, slot, isLastPiece && i === slots.length - 1, peerMaxPduLength));
}

/** The buffers to write, in order, for one DIMSE message. */
export function fragmentMessage(presentationContextId: number, command: Uint8Array, dataSet: Uint8Array | undefined, peerMaxPduLength: number): Buffer[] {
  const fragment = maxFragmentSize(peerMaxPduLength);
  const out: Buffer[] = [];
  // A small command set and its header go out as one buffer: one write, one TCP segment.
  if (command.length <= fragment && command.length <= 1024) {
    const header = encodePDataHeader(presentationContextId, true, true, command.length);
    out.push(Buffer.concat([header, command], header.length + command.length));
  } else {
    pushStream(out, presentationContextId, true, command, fragment);
  }
  if (dataSet !== undefined) pushStream(out, presentationContextId, false, dataSet, fragment);
  return out;
}
