// InlineIo, the rule that sends file reads and writes to the thread pool: slow calls are counted
// against a budget per window, so one hiccup of the machine (a call of 4-7 ms now and then) keeps
// the calls inline, while a slow medium, or one long stall, sends them to the thread pool.

import { describe, expect, it } from 'vitest';
import { InlineIo } from '../../src-main/dicomnet/inline-io';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('InlineIo', () => {
  it('a quick call is not slow', () => {
    const io = new InlineIo(4, 10_000, 50, 1000);
    expect(io.slow(3.9)).toBe(false);
    expect(io.allowed).toBe(true);
  });

  it('one slow call within the budget keeps the calls inline', () => {
    const io = new InlineIo(4, 10_000, 50, 60_000);
    expect(io.slow(6.2)).toBe(false);
    expect(io.slow(5.1)).toBe(false);
    expect(io.allowed).toBe(true);
  });

  it('slow calls that add up to the budget within the window hold inline calls off', () => {
    const io = new InlineIo(4, 10_000, 50, 60_000);
    expect(io.slow(20)).toBe(false);
    expect(io.slow(20)).toBe(false);
    expect(io.allowed).toBe(true);
    expect(io.slow(20)).toBe(true);
    expect(io.allowed).toBe(false);
  });

  it('one call longer than the budget holds them off at once', () => {
    const io = new InlineIo(4, 10_000, 50, 60_000);
    expect(io.slow(80)).toBe(true);
    expect(io.allowed).toBe(false);
  });

  it('slow calls in different windows do not add up', async () => {
    const io = new InlineIo(4, 10_000, 50, 20);
    expect(io.slow(30)).toBe(false);
    await sleep(40);
    expect(io.slow(30)).toBe(false);
    expect(io.allowed).toBe(true);
  });

  it('the hold ends after holdMs, and the count starts afresh', async () => {
    const io = new InlineIo(4, 30, 50, 60_000);
    expect(io.slow(60)).toBe(true);
    expect(io.allowed).toBe(false);
    for (let i = 0; i < 50 && !io.allowed; i++) await sleep(10);
    expect(io.allowed).toBe(true);
    expect(io.slow(10)).toBe(false);
  });
});
