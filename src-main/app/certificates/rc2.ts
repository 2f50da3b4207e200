// RC2-CBC decryption (RFC 2268), only for reading PKCS#12 files written with OpenSSL 1.x's default
// "pbeWithSHAAnd40BitRC2-CBC" for certificates: OpenSSL 3 (and so Node) ships RC2 only in its legacy
// provider, which Node does not load. Never used to encrypt.

// PITABLE, RFC 2268 §2: a permutation of 0..255 from the digits of pi.
const PITABLE = Buffer.from(
  'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32' +
  'bd8f40eb86b77b0bf09521225c6b4e8254d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
  '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed708e8eade8052eef784aa72ac354d6a2a' +
  '961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
  '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2e' +
  'c5f3db47e5a59c770aa62068fe7fc1ad',
  'hex',
);

/** Key expansion (RFC 2268 §2) to 64 16-bit words, with the effective key length in bits. */
function expandKey(key: Buffer, effectiveBits: number): Uint16Array {
  const l = new Uint8Array(128);
  l.set(key.subarray(0, 128));
  const t = Math.min(key.length, 128);
  for (let i = t; i < 128; i++) l[i] = PITABLE[(l[i - 1]! + l[i - t]!) & 0xff]!;
  const t8 = (effectiveBits + 7) >> 3;
  const tm = 0xff >> (8 * t8 - effectiveBits);
  l[128 - t8] = PITABLE[l[128 - t8]! & tm]!;
  for (let i = 127 - t8; i >= 0; i--) l[i] = PITABLE[l[i + 1]! ^ l[i + t8]!]!;
  const k = new Uint16Array(64);
  for (let i = 0; i < 64; i++) k[i] = l[2 * i]! | (l[2 * i + 1]! << 8);
  return k;
}

const ROTATE = [1, 2, 3, 5];

function decryptBlock(k: Uint16Array, block: Buffer): Buffer {
  const r = [block.readUInt16LE(0), block.readUInt16LE(2), block.readUInt16LE(4), block.readUInt16LE(6)];
  let j = 63;
  const mix = () => {
    for (let i = 3; i >= 0; i--) {
      const s = ROTATE[i]!;
      r[i] = ((r[i]! >>> s) | (r[i]! << (16 - s))) & 0xffff;
      r[i] = (r[i]! - k[j--]! - (r[(i + 3) & 3]! & r[(i + 2) & 3]!) - (~r[(i + 3) & 3]! & r[(i + 1) & 3]!)) & 0xffff;
    }
  };
  const mash = () => {
    for (let i = 3; i >= 0; i--) r[i] = (r[i]! - k[r[(i + 3) & 3]! & 63]!) & 0xffff;
  };
  for (let round = 0; round < 5; round++) mix();
  mash();
  for (let round = 0; round < 6; round++) mix();
  mash();
  for (let round = 0; round < 5; round++) mix();
  const out = Buffer.alloc(8);
  r.forEach((w, i) => out.writeUInt16LE(w, i * 2));
  return out;
}

/** RC2 in CBC mode with PKCS#7 padding removed; throws on bad padding (wrong key). */
export function rc2CbcDecrypt(key: Buffer, effectiveBits: number, iv: Buffer, data: Buffer): Buffer {
  if (data.length === 0 || data.length % 8 !== 0) throw new Error('RC2: the data is not a whole number of blocks');
  const k = expandKey(key, effectiveBits);
  const out = Buffer.alloc(data.length);
  let prev = iv;
  for (let o = 0; o < data.length; o += 8) {
    const c = data.subarray(o, o + 8);
    const p = decryptBlock(k, c);
    for (let i = 0; i < 8; i++) out[o + i] = p[i]! ^ prev[i]!;
    prev = c;
  }
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > 8 || out.subarray(out.length - pad).some((b) => b !== pad)) throw new Error('RC2: bad padding');
  return out.subarray(0, out.length - pad);
}

/** One block, no chaining (for the RFC 2268 §5 test vectors). */
export function rc2DecryptBlock(key: Buffer, effectiveBits: number, block: Buffer): Buffer {
  return decryptBlock(expandKey(key, effectiveBits), block);
}
