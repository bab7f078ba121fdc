import { createHash } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { lzwCompress, lzwDecompress } from '../../src/wire/lzw.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const text = (s: string) => new TextEncoder().encode(s);

/** The generator the Go program that produced the vectors below used (32-bit LCG). */
function lcg(n: number, alphabet: number): Uint8Array {
  let x = 12345;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = ((x >>> 16) % alphabet) + 0x61;
  }
  return out;
}

describe('LZW as Go compress/lzw (LSB, 8-bit literals) writes it', () => {
  // Vectors from Go 1.19's compress/lzw NewWriter(w, LSB, 8) on this machine.
  it.each([
    ['', '000302'],
    ['a', '00c30404'],
    ['TOBEORNOTTOBEORTOBEORNOT', '00a93c1152e48914274fa80824687061c183090302'],
  ])('compresses %j byte for byte', (input, want) => {
    expect(hex(lzwCompress(text(input)))).toBe(want);
    const back = lzwDecompress(Buffer.from(want, 'hex'), 1024);
    expect(back.ok && new TextDecoder().decode(back.value)).toBe(input);
  });

  // Long inputs cross every code width and the 4095-code table reset.
  it.each([
    [9000, 4, 2794, 'a4116f2140e843ed946c9d9714c2221654dab615e732e9ed99de130c084a0795'],
    [50000, 26, 37194, '3f4c4fc948c9a23fe0e63321f43418b03fde8490d5fedabde8016cb139668890'],
    [3000, 2, 571, '0f1f6be860a112db4193639b647c61b43f10ae75901a3a898734623832cbbef4'],
  ])('a %i-byte input over %i letters matches Go’s output (length and SHA-256)', (n, alphabet, length, sha) => {
    const input = lcg(n, alphabet);
    const z = lzwCompress(input);
    expect(z.length).toBe(length);
    expect(createHash('sha256').update(z).digest('hex')).toBe(sha);
    const back = lzwDecompress(z, n);
    expect(back.ok && hex(back.value) === hex(input)).toBe(true);
  });

  it('refuses a stream without its end code, an invalid code, and output over the bound', () => {
    const z = lzwCompress(text('hello hello hello'));
    expect(lzwDecompress(z.subarray(0, z.length - 2), 100)).toMatchObject({ ok: false, reason: 'truncated' });
    expect(lzwDecompress(Uint8Array.of(0x00, 0xff, 0xff), 100)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(lzwDecompress(z, 5)).toMatchObject({ ok: false, reason: 'too-large' });
  });

  test.prop([fc.uint8Array({ maxLength: 3000 })])('round-trips any bytes', (input) => {
    const back = lzwDecompress(lzwCompress(input), input.length);
    expect(back.ok && hex(back.value)).toBe(hex(input));
  });

  test.prop([fc.uint8Array({ maxLength: 200 })])('never throws on arbitrary input', (input) => {
    expect(() => lzwDecompress(input, 1 << 16)).not.toThrow();
  });
});
