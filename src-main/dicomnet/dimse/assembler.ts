// Reassembly of DIMSE messages from PDVs, PS3.8 Annex E: the command stream (fragments up to the one
// flagged last), then, when the command says a data set follows, the data-set stream. Command and
// data-set fragments are kept apart; fragments of one message share one presentation context.

import type { PresentationDataValue } from '../pdu/types';
import { decodeCommandSet, hasDataSet, type CommandSet } from './command-set';
import { processMemoryBudget, type BudgetHolder, type MemoryBudget } from './memory-budget';

export class DimseProtocolError extends Error {
  override name = 'DimseProtocolError';
}

/**
 * Where the data-set fragments of one message go; the default keeps them in memory. A sink that
 * writes elsewhere (a file, nowhere) returns undefined from end() and tells its own result to the
 * handler, which finds it on the message (design rule 6: stream, don't buffer).
 */
export interface DataSetSink {
  /**
   * A fragment as it arrives: a view valid only during this call (the socket's read buffer is used
   * again for the next read, pdu/framer.ts). A sink that keeps bytes copies them.
   */
  write(fragment: Uint8Array): void;
  /** Called after the last fragment; returns the data set when it was kept in memory. */
  end(): Buffer | undefined;
  /** The association ended before the last fragment: what was written must not look complete. */
  abort?(reason: string): void;
}

export interface AssembledMessage {
  readonly presentationContextId: number;
  readonly command: CommandSet;
  readonly dataSet?: Buffer;
  /** The sink that received the data set, when it was not kept in memory. */
  readonly sink?: DataSetSink;
}

export interface AssemblerOptions {
  readonly onMessage: (m: AssembledMessage) => void;
  readonly maxCommandBytes?: number;
  /** Chooses a sink for a message's data set (e.g. a file for C-STORE); default: memory. */
  readonly dataSink?: (m: { presentationContextId: number; command: CommandSet }) => DataSetSink | undefined;
  /** Limit of a data set kept in memory (default DEFAULT_MEMORY_DATA_SET_LIMIT); above it, a protocol error. */
  readonly maxMemoryDataSetBytes?: number;
  /** What all data sets kept in memory may hold together (default: the process's, memory-budget.ts). */
  readonly memoryBudget?: MemoryBudget;
  /**
   * The data set being kept in memory was dropped for another association's (memory-budget.ts):
   * the association must be aborted with this reason.
   */
  readonly onEvicted?: (reason: string) => void;
}

/**
 * The most a data set kept in memory may hold (one with no sink of its own: not a C-STORE's). A
 * C-ECHO-RQ that claimed a data set and sent 1.5 GB of it grew our SCP by as much, in the process
 * that runs the whole desktop app; the messages that keep theirs in memory (queries, later) have
 * data sets of kilobytes.
 */
export const DEFAULT_MEMORY_DATA_SET_LIMIT = 16 * 1024 * 1024;

class MemorySink implements DataSetSink, BudgetHolder {
  private parts: Uint8Array[] = [];
  private length = 0;
  held = 0;
  private evicted = false;
  constructor(
    private readonly limit: number,
    private readonly command: CommandSet,
    private readonly budget: MemoryBudget,
    private readonly onEvicted: ((reason: string) => void) | undefined,
  ) {}
  write(fragment: Uint8Array): void {
    if (this.evicted) return; // its association is being aborted
    if (this.length + fragment.length > this.limit) {
      throw new DimseProtocolError(`a data set of more than ${this.limit / (1024 * 1024)} MiB with command ${this.commandName()}, which is not taken to a file and is kept in memory`);
    }
    if (!this.budget.take(this, fragment.length)) {
      throw new DimseProtocolError(`a data set with command ${this.commandName()} would take this node's memory for data sets kept in memory past its ${this.budget.limit / (1024 * 1024)} MiB for all associations (others hold more, or as much)`);
    }
    // A copy: the fragment's memory is the transport's read buffer, used again for the next read.
    this.parts.push(Buffer.from(fragment));
    this.length += fragment.length;
  }
  end(): Buffer {
    // Handed on to the message's handler: no longer this budget's to count.
    this.budget.release(this);
    const parts = this.parts;
    this.parts = [];
    if (parts.length === 1) {
      const p = parts[0]!;
      return Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    }
    return Buffer.concat(parts, this.length);
  }
  abort(): void {
    this.budget.release(this);
    this.parts = [];
  }
  evict(reason: string): void {
    this.evicted = true;
    this.parts = [];
    this.onEvicted?.(reason);
  }
  private commandName(): string {
    return `0x${this.command.commandField.toString(16).padStart(4, '0')}`;
  }
}

export class MessageAssembler {
  private pcId: number | undefined;
  private commandParts: Uint8Array[] = [];
  private commandLength = 0;
  private command: CommandSet | undefined;
  private sink: DataSetSink | undefined;
  private readonly maxCommandBytes: number;

  constructor(private readonly options: AssemblerOptions) {
    this.maxCommandBytes = options.maxCommandBytes ?? 64 * 1024;
  }

  /** True while a message is partly received. */
  get inProgress(): boolean {
    return this.pcId !== undefined;
  }

  push(pdv: PresentationDataValue): void {
    if (this.pcId === undefined) this.pcId = pdv.presentationContextId;
    else if (pdv.presentationContextId !== this.pcId) {
      throw new DimseProtocolError(`fragment on presentation context ${pdv.presentationContextId} inside a message on context ${this.pcId}`);
    }
    if (pdv.isCommand) this.pushCommand(pdv);
    else this.pushData(pdv);
  }

  private pushCommand(pdv: PresentationDataValue): void {
    if (this.command) throw new DimseProtocolError('command fragment while the data set of the message was expected');
    this.commandLength += pdv.data.length;
    if (this.commandLength > this.maxCommandBytes) throw new DimseProtocolError(`command set longer than ${this.maxCommandBytes} bytes`);
    if (!pdv.isLast) {
      // A copy (a command set is small): the fragment's memory is used again for the next read.
      this.commandParts.push(Buffer.from(pdv.data));
      return;
    }
    // The usual command set comes in one fragment: decoded from the view, as nothing keeps its bytes.
    const bytes = this.commandParts.length === 0 ? pdv.data : Buffer.concat([...this.commandParts, pdv.data], this.commandLength);
    this.commandParts = [];
    this.commandLength = 0;
    let command: CommandSet;
    try {
      command = decodeCommandSet(bytes);
    } catch (err) {
      throw new DimseProtocolError(`command set does not decode: ${(err as Error).message}`);
    }
    const pcId = this.pcId!;
    if (!hasDataSet(command)) {
      this.reset();
      this.options.onMessage({ presentationContextId: pcId, command });
      return;
    }
    this.command = command;
    this.sink = this.options.dataSink?.({ presentationContextId: pcId, command }) ?? new MemorySink(
      this.options.maxMemoryDataSetBytes ?? DEFAULT_MEMORY_DATA_SET_LIMIT,
      command,
      this.options.memoryBudget ?? processMemoryBudget,
      this.options.onEvicted,
    );
  }

  private pushData(pdv: PresentationDataValue): void {
    if (!this.command || !this.sink) throw new DimseProtocolError('data set fragment before a complete command set');
    this.sink.write(pdv.data);
    if (!pdv.isLast) return;
    const sink = this.sink;
    const dataSet = sink.end();
    const message: AssembledMessage = {
      presentationContextId: this.pcId!, command: this.command, dataSet,
      sink: sink instanceof MemorySink ? undefined : sink,
    };
    this.reset();
    this.options.onMessage(message);
  }

  /** The association is ending: a data set being received is incomplete and its sink is told so. */
  abort(reason: string): void {
    const sink = this.sink;
    this.reset();
    this.commandParts = [];
    this.commandLength = 0;
    sink?.abort?.(reason);
  }

  private reset(): void {
    this.pcId = undefined;
    this.command = undefined;
    this.sink = undefined;
  }
}
