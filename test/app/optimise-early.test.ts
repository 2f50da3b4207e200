import { describe, expect, it } from 'vitest';
import { knowsTurbofanInvocationCount } from '../../src-main/app/optimise-early';

describe('optimiseEarly', () => {
  it('asks only a V8 that knows --invocation-count-for-turbofan (Node 20 would print an error)', () => {
    expect(knowsTurbofanInvocationCount('11.3.244.8-node.38')).toBe(false); // Node 20
    expect(knowsTurbofanInvocationCount('12.4.254.21-node.57')).toBe(true); // Node 22
    expect(knowsTurbofanInvocationCount('13.6.233.10-electron.0')).toBe(true);
    expect(knowsTurbofanInvocationCount('')).toBe(false);
  });
});
