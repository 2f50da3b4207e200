// Reading PKCS#12 files (.p12/.pfx, RFC 7292): the MAC is checked first (a wrong passphrase is said
// as such), then every SafeContents is opened (plain, or encrypted with PBES2/AES as OpenSSL 3 writes,
// or with the PKCS#12 PBEs 3DES and RC2-40 that OpenSSL 1.x and Windows wrote), and the certificates
// and the private key are taken out of their bags.

import { createDecipheriv, createHash, createHmac, createPrivateKey, pbkdf2Sync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { type Asn1, child, DerError, expect, oidOf, readDer, smallIntOf, Tag } from './der';
import { HASHES, Oid, PBES2_CIPHERS } from './oids';
import { rc2CbcDecrypt } from './rc2';

export class Pkcs12Error extends Error {
  override name = 'Pkcs12Error';
  constructor(readonly code: 'wrong-passphrase' | 'unsupported' | 'malformed', message: string) {
    super(message);
  }
}

export interface Pkcs12Contents {
  readonly certificates: readonly Buffer[];
  readonly keys: readonly KeyObject[];
}

/** PKCS#12 v1.1 Appendix B.2 key derivation: ID 1 key, 2 IV, 3 MAC key; password as BMPString + 00 00. */
export function pkcs12Kdf(hash: string, password: string, salt: Buffer, iterations: number, id: 1 | 2 | 3, length: number): Buffer {
  const u = createHash(hash).digest().length;
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const pw = password === '' ? Buffer.alloc(2) : Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  const D = Buffer.alloc(v, id);
  const fill = (src: Buffer) => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  let I = Buffer.concat([fill(salt), fill(pw)]);
  const out = Buffer.alloc(length);
  for (let done = 0; done < length;) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let i = 1; i < iterations; i++) A = createHash(hash).update(A).digest();
    A.copy(out, done, 0, Math.min(u, length - done));
    done += u;
    if (done >= length) break;
    const B = fill(A).subarray(0, v);
    const next = Buffer.alloc(I.length);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        carry += I[j + k]! + B[k]!;
        next[j + k] = carry & 0xff;
        carry >>= 8;
      }
    }
    I = next;
  }
  return out;
}

const MAX_ITERATIONS = 10_000_000;

function iterationsOf(node: Asn1 | undefined, what: string): number {
  const n = node ? smallIntOf(node, what) : 1;
  if (n < 1 || n > MAX_ITERATIONS) throw new Pkcs12Error('malformed', `${what} of ${n} is out of range`);
  return n;
}

/** Decrypts with a PKCS#5/PKCS#12 password-based scheme; `algorithm` is the AlgorithmIdentifier. */
export function passwordDecrypt(algorithm: Asn1, data: Buffer, password: string): Buffer {
  const id = oidOf(algorithm.children[0], 'encryption algorithm');
  const params = algorithm.children[1];
  try {
    if (id === Oid.pbes2) {
      const kdf = child(params!, 0, Tag.Sequence, 'PBES2 key derivation');
      const scheme = child(params!, 1, Tag.Sequence, 'PBES2 encryption scheme');
      if (oidOf(kdf.children[0], 'key derivation') !== Oid.pbkdf2) throw new Pkcs12Error('unsupported', 'only PBKDF2 is supported as the PBES2 key derivation');
      const kp = child(kdf, 1, Tag.Sequence, 'PBKDF2 parameters');
      const salt = child(kp, 0, Tag.OctetString, 'PBKDF2 salt').value;
      const iterations = iterationsOf(kp.children[1], 'PBKDF2 iteration count');
      const prfNode = kp.children.find((c, i) => i >= 2 && c.tag === Tag.Sequence);
      const prf = prfNode ? HASHES[oidOf(prfNode.children[0], 'PBKDF2 PRF')] : 'sha1';
      const cipherId = oidOf(scheme.children[0], 'PBES2 cipher');
      const cipher = PBES2_CIPHERS[cipherId];
      if (!cipher || !prf) throw new Pkcs12Error('unsupported', `the PBES2 cipher ${cipherId} or its PRF is not supported`);
      const iv = expect(scheme.children[1], Tag.OctetString, 'PBES2 IV').value;
      const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
      const d = createDecipheriv(cipher.cipher, key, iv);
      return Buffer.concat([d.update(data), d.final()]);
    }
    const salt = child(params!, 0, Tag.OctetString, 'PBE salt').value;
    const iterations = iterationsOf(params!.children[1], 'PBE iteration count');
    const kdf = (which: 1 | 2, n: number) => pkcs12Kdf('sha1', password, salt, iterations, which, n);
    if (id === Oid.pbeWithSHAAnd3KeyTripleDESCBC || id === Oid.pbeWithSHAAnd2KeyTripleDESCBC) {
      const k = kdf(1, 24);
      if (id === Oid.pbeWithSHAAnd2KeyTripleDESCBC) k.copy(k, 16, 0, 8);
      const d = createDecipheriv('des-ede3-cbc', k, kdf(2, 8));
      return Buffer.concat([d.update(data), d.final()]);
    }
    if (id === Oid.pbeWithSHAAnd40BitRC2CBC) return rc2CbcDecrypt(kdf(1, 5), 40, kdf(2, 8), data);
    if (id === Oid.pbeWithSHAAnd128BitRC2CBC) return rc2CbcDecrypt(kdf(1, 16), 128, kdf(2, 8), data);
  } catch (err) {
    if (err instanceof Pkcs12Error || err instanceof DerError) throw err;
    // A bad padding after decryption is what a wrong passphrase looks like without a MAC.
    throw new Pkcs12Error('wrong-passphrase', 'the passphrase is wrong (the data does not decrypt)');
  }
  throw new Pkcs12Error('unsupported', `the encryption ${id} is not supported (re-export the file with AES, e.g. 'openssl pkcs12 -export' from OpenSSL 3)`);
}

function contentOf(info: Asn1, what: string): { type: string; content: Asn1 | undefined } {
  const type = oidOf(info.children[0], `${what} content type`);
  const wrapper = info.children[1];
  return { type, content: wrapper?.tag === 0xa0 ? wrapper.children[0] : undefined };
}

function checkMac(pfx: Asn1, authSafe: Buffer, password: string): void {
  const macData = pfx.children[2];
  if (!macData) return; // no MAC: integrity by public key or none; nothing to check
  const digestInfo = child(macData, 0, Tag.Sequence, 'MAC digest info');
  const algorithm = oidOf(digestInfo.children[0]?.children[0], 'MAC algorithm');
  if (algorithm === Oid.pbmac1) throw new Pkcs12Error('unsupported', 'the file uses PBMAC1 (RFC 9579), which this version cannot check yet');
  const hash = HASHES[algorithm];
  if (!hash) throw new Pkcs12Error('unsupported', `the MAC digest ${algorithm} is not supported`);
  const expected = child(digestInfo, 1, Tag.OctetString, 'MAC').value;
  const salt = child(macData, 1, Tag.OctetString, 'MAC salt').value;
  const iterations = iterationsOf(macData.children[2], 'MAC iteration count');
  const key = pkcs12Kdf(hash, password, salt, iterations, 3, createHash(hash).digest().length);
  const actual = createHmac(hash, key).update(authSafe).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new Pkcs12Error('wrong-passphrase', 'the passphrase is wrong (the file\'s integrity check fails with it)');
  }
}

function readBags(safeContents: Asn1, password: string, out: { certificates: Buffer[]; keys: KeyObject[] }, depth = 0): void {
  if (depth > 4) throw new Pkcs12Error('malformed', 'bags are nested too deeply');
  for (const bag of safeContents.children) {
    const type = oidOf(bag.children[0], 'bag type');
    const value = bag.children[1]?.tag === 0xa0 ? bag.children[1].children[0] : undefined;
    if (!value) throw new Pkcs12Error('malformed', 'a bag has no value');
    if (type === Oid.certBag) {
      if (oidOf(value.children[0], 'certificate type') !== Oid.x509Certificate) continue; // SDSI certificates: not for TLS
      const cert = value.children[1]?.children[0];
      out.certificates.push(expect(cert, Tag.OctetString, 'certificate').value);
    } else if (type === Oid.keyBag) {
      out.keys.push(createPrivateKey({ key: value.raw, format: 'der', type: 'pkcs8' }));
    } else if (type === Oid.pkcs8ShroudedKeyBag) {
      const algorithm = child(value, 0, Tag.Sequence, 'key encryption algorithm');
      const encrypted = child(value, 1, Tag.OctetString, 'encrypted key').value;
      out.keys.push(createPrivateKey({ key: passwordDecrypt(algorithm, encrypted, password), format: 'der', type: 'pkcs8' }));
    } else if (type === Oid.safeContentsBag) {
      readBags(value, password, out, depth + 1);
    }
    // CRL and secret bags carry nothing a TLS identity needs.
  }
}

export function readPkcs12(der: Buffer, password: string): Pkcs12Contents {
  let pfx: Asn1;
  try {
    pfx = readDer(der);
    if (smallIntOf(pfx.children[0], 'PFX version') !== 3) throw new DerError('not version 3');
  } catch (err) {
    throw new Pkcs12Error('malformed', `not a PKCS#12 file (${(err as Error).message})`);
  }
  const auth = contentOf(expect(pfx.children[1], Tag.Sequence, 'authSafe'), 'authSafe');
  if (auth.type !== Oid.data || !auth.content) throw new Pkcs12Error('unsupported', 'the file is protected by a public key, not a passphrase');
  const authSafeBytes = expect(auth.content, Tag.OctetString, 'authSafe data').value;
  checkMac(pfx, authSafeBytes, password);
  const out = { certificates: [] as Buffer[], keys: [] as KeyObject[] };
  for (const info of readDer(authSafeBytes).children) {
    const c = contentOf(info, 'SafeContents');
    if (!c.content) continue;
    if (c.type === Oid.data) {
      readBags(readDer(expect(c.content, Tag.OctetString, 'SafeContents').value), password, out);
    } else if (c.type === Oid.encryptedData) {
      const eci = child(c.content, 1, Tag.Sequence, 'encrypted content info');
      const algorithm = child(eci, 1, Tag.Sequence, 'content encryption algorithm');
      const encrypted = eci.children[2];
      if (!encrypted || (encrypted.tag & 0x1f) !== 0 || (encrypted.tag & 0xc0) !== 0x80) throw new Pkcs12Error('malformed', 'encrypted content is missing');
      // [0] IMPLICIT OCTET STRING, primitive or (BER) constructed.
      const bytes = encrypted.constructed ? Buffer.concat(encrypted.children.map((p) => p.value)) : encrypted.value;
      readBags(readDer(passwordDecrypt(algorithm, bytes, password)), password, out);
    } else {
      throw new Pkcs12Error('unsupported', 'the file has public-key encrypted contents, which need the recipient\'s key');
    }
  }
  return out;
}
