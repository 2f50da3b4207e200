// DIMSE status codes, PS3.7 Annex C and PS3.4 (B.2.3 storage, C.4 query/retrieve), with plain-words
// labels. Shared: the CLI, the main process and the GUI show the same words.

export type StatusClass = 'Success' | 'Pending' | 'Cancel' | 'Warning' | 'Failure';

const labels: Record<number, string> = {
  0x0000: 'Success',
  0x0001: 'Warning: requested optional attributes are not supported',
  0x0105: 'No such attribute',
  0x0106: 'Invalid attribute value',
  0x0107: 'Warning: attribute list error',
  0x0110: 'Processing failure',
  0x0111: 'Duplicate SOP instance',
  0x0112: 'No such SOP instance',
  0x0113: 'No such event type',
  0x0114: 'No such argument',
  0x0115: 'Invalid argument value',
  0x0116: 'Warning: attribute value out of range',
  0x0117: 'Invalid SOP instance',
  0x0118: 'No such SOP class',
  0x0119: 'Class-instance conflict',
  0x0120: 'Missing attribute',
  0x0121: 'Missing attribute value',
  0x0122: 'Refused: SOP class not supported',
  0x0123: 'No such action',
  0x0124: 'Refused: not authorized',
  0x0210: 'Duplicate invocation',
  0x0211: 'Unrecognized operation',
  0x0212: 'Mistyped argument',
  0x0213: 'Resource limitation',
  0xa700: 'Refused: out of resources',
  0xa701: 'Refused: out of resources (unable to calculate number of matches)',
  0xa702: 'Refused: out of resources (unable to perform sub-operations)',
  0xa801: 'Refused: move destination unknown',
  0xa900: 'Error: data set does not match SOP class',
  0xb000: 'Warning: coercion of data elements / sub-operations complete with failures',
  0xb006: 'Warning: elements discarded',
  0xb007: 'Warning: data set does not match SOP class',
  0xc000: 'Error: cannot understand',
  0xfe00: 'Cancel: operation terminated',
  0xff00: 'Pending',
  0xff01: 'Pending: some optional keys are not supported',
};

/** The class of a status code; codes outside every known range count as failures. */
export function classifyStatus(code: number): StatusClass {
  if (code === 0x0000) return 'Success';
  if (code === 0xff00 || code === 0xff01) return 'Pending';
  if (code === 0xfe00) return 'Cancel';
  if (code === 0x0001 || code === 0x0107 || code === 0x0116 || (code & 0xf000) === 0xb000) return 'Warning';
  return 'Failure';
}

export function statusHex(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** "0x0122 Refused: SOP class not supported"; unknown codes by range. */
export function describeStatus(code: number): string {
  const label = labels[code]
    ?? (((code & 0xff00) === 0xa700) ? 'Refused: out of resources'
      : ((code & 0xff00) === 0xa900) ? 'Error: data set does not match SOP class'
        : ((code & 0xf000) === 0xc000) ? 'Error: cannot understand'
          : `${classifyStatus(code)} (unknown code)`);
  return `${statusHex(code)} ${label}`;
}
