import { closeSync, openSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource, fileSource, headFirstSource, type ByteSource } from '../../../src-main/dicomnet/part10/byte-source';
import { workdir } from './dcmtk-files';

const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
const dir = workdir();
afterAll(() => dir.remove());

describe.each([
  ['bufferSource', () => ({ src: bufferSource(bytes), close: () => undefined })],
  [
    'fileSource',
    () => {
      const path = dir.file(`bytes-${Math.random()}`);
      writeFileSync(path, bytes);
      const fd = openSync(path, 'r');
      return { src: fileSource(fd, bytes.length), close: () => closeSync(fd) };
    },
  ],
  ['headFirstSource', () => ({ src: headFirstSource(bytes.subarray(0, 300), bufferSource(bytes)), close: () => undefined })],
])('%s', (_name, open) => {
  it('reads at any position, and fewer bytes only at the end', () => {
    const { src, close } = open();
    try {
      expect(src.size).toBe(1000);
      expect(src.read(10, 5)).toEqual(bytes.subarray(10, 15));
      expect(src.read(0, 1000)).toEqual(bytes);
      expect(src.read(990, 100)).toEqual(bytes.subarray(990));
      expect(src.read(1000, 10).length).toBe(0);
      expect(src.read(5000, 10).length).toBe(0);
      expect(src.read(3, 0).length).toBe(0);
    } finally {
      close();
    }
  });
});

it('fileSource returns what is there when the file is shorter than claimed', () => {
  const path = dir.file('short');
  writeFileSync(path, bytes.subarray(0, 100));
  const fd = openSync(path, 'r');
  try {
    expect(fileSource(fd, 1000).read(50, 200)).toEqual(bytes.subarray(50, 100));
  } finally {
    closeSync(fd);
  }
});

it('headFirstSource answers from the head what lies within it, and from the rest what does not', () => {
  const asked: [number, number][] = [];
  const rest: ByteSource = { size: 1000, read: (position, length) => { asked.push([position, length]); return bytes.subarray(position, position + length); } };
  const head = Buffer.from(bytes.subarray(0, 300));
  const src = headFirstSource(head, rest);
  const within = src.read(290, 10);
  expect(within).toEqual(bytes.subarray(290, 300));
  head[295] = 0xee; // a view of the head, not a copy
  expect(within[5]).toBe(0xee);
  expect(asked).toEqual([]);
  expect(src.read(295, 10)).toEqual(bytes.subarray(295, 305));
  expect(asked).toEqual([[295, 10]]);
  expect(src.size).toBe(1000);
});
