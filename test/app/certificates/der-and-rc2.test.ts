// The DER reader and writers (X.690) byte for byte, and RC2 against the RFC 2268 §5 test vectors.

import { describe, expect, it } from 'vitest';
import { DerError, oid, oidOf, pem, pemBlocks, readDer, seq, time, timeOf, unsignedInt, utf8 } from '../../../src-main/app/certificates/der';
import { ipBytes, ipText } from '../../../src-main/app/certificates/names';
import { rc2DecryptBlock } from '../../../src-main/app/certificates/rc2';

const hex = (b: Buffer) => b.toString('hex');

describe('DER writers', () => {
  it('encodes object identifiers with base-128 arcs (X.690 §8.19)', () => {
    expect(hex(oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
    expect(oidOf(readDer(oid('1.2.840.10045.3.1.7')))).toBe('1.2.840.10045.3.1.7');
  });

  it('keeps INTEGERs positive and minimal', () => {
    expect(hex(unsignedInt(0))).toBe('020100');
    expect(hex(unsignedInt(127))).toBe('02017f');
    expect(hex(unsignedInt(128))).toBe('0202' + '0080');
    expect(hex(unsignedInt(Buffer.from('000080', 'hex')))).toBe('02020080');
    expect(hex(unsignedInt(Buffer.from('00007f', 'hex')))).toBe('02017f');
  });

  it('writes long lengths in the long form', () => {
    const long = utf8('x'.repeat(300));
    expect(hex(long.subarray(0, 4))).toBe('0c82012c');
    expect(readDer(seq(long)).children[0]!.value.length).toBe(300);
  });

  it('uses UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(time(new Date('2030-01-02T03:04:05Z')).toString('latin1', 2)).toBe('300102030405Z');
    expect(time(new Date('2051-01-02T03:04:05Z')).toString('latin1', 2)).toBe('20510102030405Z');
    expect(timeOf(readDer(time(new Date('2049-12-31T23:59:59Z'))), 't').toISOString()).toBe('2049-12-31T23:59:59.000Z');
  });

  it('armours PEM in 64-character lines and reads it back', () => {
    const der = Buffer.alloc(100, 7);
    const text = pem('CERTIFICATE', der);
    expect(text.split('\n')[1]).toHaveLength(64);
    expect(pemBlocks(`junk\n${text}more`)[0]!.der).toEqual(der);
  });
});

describe('DER reader', () => {
  it('refuses lengths beyond the data, trailing bytes and absurd nesting', () => {
    expect(() => readDer(Buffer.from('3005020101', 'hex'))).toThrow(DerError);
    expect(() => readDer(Buffer.from('020101ff', 'hex'))).toThrow(/after the value/);
    expect(() => readDer(Buffer.from('3084ffffffff', 'hex'))).toThrow(DerError);
    expect(() => readDer(Buffer.from('30'.repeat(50) + '00', 'hex'))).toThrow(DerError);
    expect(() => readDer(Buffer.alloc(0))).toThrow(DerError);
  });

  it('reads BER indefinite lengths and constructed OCTET STRINGs as PKCS#12 writers use them', () => {
    // SEQUENCE(indef) { OCTET STRING(constructed, indef) { 'ab' 'cd' } }
    const ber = Buffer.from('3080' + '2480' + '0401ab' + '0401cd' + '0000' + '0000', 'hex');
    const n = readDer(ber);
    expect(hex(n.children[0]!.value)).toBe('abcd');
  });

  it('survives random bytes with a DerError or a value, never anything else', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(Array.from({ length: 1 + (i % 40) }, rnd));
      try {
        readDer(b);
      } catch (err) {
        expect(err).toBeInstanceOf(DerError);
      }
    }
  });
});

describe('IP addresses in subject alternative names', () => {
  it('writes 4 and 16 bytes and reads back the RFC 5952 text', () => {
    expect(hex(ipBytes('192.168.1.20'))).toBe('c0a80114');
    expect(hex(ipBytes('::1'))).toBe('00000000000000000000000000000001');
    expect(hex(ipBytes('fe80::1:2'))).toBe('fe800000000000000000000000010002');
    expect(ipText(ipBytes('2001:db8::8:800:200c:417a'))).toBe('2001:db8::8:800:200c:417a');
    expect(ipText(ipBytes('::1'))).toBe('::1');
  });
});

describe('RC2 (RFC 2268 §5 test vectors)', () => {
  const vectors: [string, number, string, string][] = [
    ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
    ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
    ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
    ['88', 64, '0000000000000000', '61a8a244adacccf0'],
    ['88bca90e90875a', 64, '0000000000000000', '6ccf4308974c267f'],
    ['88bca90e90875a7f0f79c384627bafb2', 64, '0000000000000000', '1a807d272bbe5db1'],
    ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ];
  it.each(vectors)('key %s (%i bits) decrypts %s', (key, bitsEffective, plain, cipher) => {
    expect(hex(rc2DecryptBlock(Buffer.from(key, 'hex'), bitsEffective, Buffer.from(cipher, 'hex')))).toBe(plain);
  });
});
