import { describe, expect, it } from 'vitest';
import { classifyStatus, describeStatus } from '../../src-shared/dicom-status';
import { aeTitleProblem, sameAeTitle } from '../../src-shared/ae-title';

describe('DIMSE status classes (PS3.7 Annex C)', () => {
  it.each([
    [0x0000, 'Success'], [0xff00, 'Pending'], [0xff01, 'Pending'], [0xfe00, 'Cancel'],
    [0x0001, 'Warning'], [0x0107, 'Warning'], [0x0116, 'Warning'], [0xb000, 'Warning'], [0xb007, 'Warning'],
    [0xa700, 'Failure'], [0xa9ff, 'Failure'], [0xc123, 'Failure'], [0x0122, 'Failure'], [0x0211, 'Failure'], [0x1234, 'Failure'],
  ])('0x%s is %s', (code, cls) => {
    expect(classifyStatus(code)).toBe(cls);
  });

  it('describes known and unknown codes', () => {
    expect(describeStatus(0x0122)).toBe('0x0122 Refused: SOP class not supported');
    expect(describeStatus(0xa7ff)).toBe('0xA7FF Refused: out of resources');
    expect(describeStatus(0xc042)).toBe('0xC042 Error: cannot understand');
    expect(describeStatus(0x4242)).toBe('0x4242 Failure (unknown code)');
  });
});

describe('AE titles (PS3.5 VR AE)', () => {
  it.each([['', false], ['   ', false], ['A'.repeat(16), true], ['A'.repeat(17), false], ['BACK\\SLASH', false], ['TAB\tX', false], ['ÄE', false], ['ANY-SCP', true]])('%j valid: %s', (t, ok) => {
    expect(aeTitleProblem(t) === undefined).toBe(ok);
  });
  it('compares without padding', () => {
    expect(sameAeTitle(' PACS ', 'PACS')).toBe(true);
    expect(sameAeTitle('PACS', 'pacs')).toBe(false);
  });
});
