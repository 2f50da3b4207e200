// One budget for the data sets that all associations keep in memory together (dimse/memory-budget.ts):
// a writer that needs room evicts the biggest holder, if that one holds more than the writer would;
// else the writer is refused. Bytes come back when a data set is handed on or dropped.

import { describe, expect, it } from 'vitest';
import { MessageAssembler, type AssembledMessage } from '../../../src-main/dicomnet/dimse/assembler';
import { encodeCommandSet } from '../../../src-main/dicomnet/dimse/command-set';
import { MemoryBudget, type BudgetHolder } from '../../../src-main/dicomnet/dimse/memory-budget';

const holder = (): BudgetHolder & { evictions: string[] } => {
  const h = { held: 0, evictions: [] as string[], evict: (reason: string) => { h.evictions.push(reason); } };
  return h;
};

describe('MemoryBudget', () => {
  it('evicts the biggest holder for a smaller writer, and refuses a writer that holds the most', () => {
    const budget = new MemoryBudget(100);
    const [a, b, c] = [holder(), holder(), holder()];
    expect(budget.take(a, 60)).toBe(true);
    expect(budget.take(b, 30)).toBe(true);
    expect(budget.inUse).toBe(90);
    // c needs 20: a (60) holds more than c would (20): a goes, with the reason.
    expect(budget.take(c, 20)).toBe(true);
    expect(a.evictions).toHaveLength(1);
    expect(a.evictions[0]).toMatch(/held the most of it/);
    expect(a.held).toBe(0);
    expect(b.evictions).toEqual([]);
    expect(budget.inUse).toBe(50);
    // b grows past c: it is the biggest then, and a writer holding the most is refused, not served.
    expect(budget.take(b, 45)).toBe(true);
    expect(budget.take(b, 10)).toBe(false);
    expect(c.evictions).toEqual([]);
    expect(budget.inUse).toBe(95);
    budget.release(b);
    budget.release(b); // twice: no effect
    expect(budget.inUse).toBe(20);
    budget.release(c);
    expect(budget.inUse).toBe(0);
  });
});

describe('data sets kept in memory by the assembler', () => {
  const command = encodeCommandSet({ commandField: 0x0030, messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1', commandDataSetType: 0x0000 });
  const assembler = (budget: MemoryBudget, got: AssembledMessage[], evicted: string[]) => {
    const a = new MessageAssembler({ onMessage: (m) => got.push(m), memoryBudget: budget, onEvicted: (r) => evicted.push(r) });
    a.push({ presentationContextId: 1, isCommand: true, isLast: true, data: command });
    return a;
  };

  it('count against the budget until handed on; a hoarder is evicted for a small one; an abort gives back', () => {
    const budget = new MemoryBudget(1000);
    const got: AssembledMessage[] = [];
    const hoarderEvicted: string[] = [];
    const smallEvicted: string[] = [];
    const hoarder = assembler(budget, [], hoarderEvicted);
    for (let i = 0; i < 9; i++) hoarder.push({ presentationContextId: 1, isCommand: false, isLast: false, data: Buffer.alloc(100, i) });
    expect(budget.inUse).toBe(900);
    const small = assembler(budget, got, smallEvicted);
    small.push({ presentationContextId: 1, isCommand: false, isLast: false, data: Buffer.alloc(150, 7) });
    expect(hoarderEvicted).toHaveLength(1);
    expect(budget.inUse).toBe(150);
    // The evicted one's further fragments are dropped (its association is being aborted), not counted.
    hoarder.push({ presentationContextId: 1, isCommand: false, isLast: false, data: Buffer.alloc(100) });
    expect(budget.inUse).toBe(150);
    small.push({ presentationContextId: 1, isCommand: false, isLast: true, data: Buffer.alloc(50, 8) });
    expect(got[0]?.dataSet?.length).toBe(200);
    expect(budget.inUse).toBe(0);
    expect(smallEvicted).toEqual([]);
    // An aborted transfer gives its bytes back.
    const third = assembler(budget, [], []);
    third.push({ presentationContextId: 1, isCommand: false, isLast: false, data: Buffer.alloc(300) });
    expect(budget.inUse).toBe(300);
    third.abort('closed');
    expect(budget.inUse).toBe(0);
  });

  it('refuses the writer with a protocol error when it is itself the biggest', () => {
    const budget = new MemoryBudget(100);
    const a = assembler(budget, [], []);
    expect(() => a.push({ presentationContextId: 1, isCommand: false, isLast: false, data: Buffer.alloc(101) })).toThrow(/would take this node's memory for data sets/);
    expect(budget.inUse).toBe(0);
  });
});
