// A Buffer over the same bytes as a Uint8Array (no copy): Buffer's readers and its latin1 text
// reads without a Buffer made per field.

export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
