/**
 * LZW as Go's `compress/lzw` writes and reads it with `LSB` order and literal width 8 — the
 * compression memberlist wraps in its `compress` message (reference memberlist-wire.md §5.1).
 * Byte-exact with Go's writer: a clear code first, codes from 9 up to 12 bits growing when the next
 * code reaches the width's limit, a clear (and a fresh table) when code 4095 is reached, the
 * pending code and an end code at the close, then the last partial byte.
 */
import { drop, ok, type Result } from '../util/drop.js';

const LIT_WIDTH = 8;
const CLEAR = 1 << LIT_WIDTH; // 256
const EOF_CODE = CLEAR + 1; // 257
const MAX_WIDTH = 12;
const MAX_CODE = (1 << MAX_WIDTH) - 1; // 4095

export function lzwCompress(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let nBits = 0;
  let width = LIT_WIDTH + 1;
  let hi = EOF_CODE;
  let overflow = 1 << width;
  let table = new Map<number, number>();
  const write = (code: number) => {
    bits |= code << nBits;
    nBits += width;
    while (nBits >= 8) {
      out.push(bits & 0xff);
      bits >>>= 8;
      nBits -= 8;
    }
  };
  /** Go's `incHi`: false when the table was full and has been reset. */
  const incHi = (): boolean => {
    hi++;
    if (hi === overflow) {
      width++;
      overflow <<= 1;
    }
    if (hi === MAX_CODE) {
      write(CLEAR);
      width = LIT_WIDTH + 1;
      hi = CLEAR + 1;
      overflow = CLEAR << 1;
      table = new Map();
      return false;
    }
    return true;
  };
  write(CLEAR);
  if (input.length > 0) {
    let code = input[0]!;
    for (let i = 1; i < input.length; i++) {
      const literal = input[i]!;
      const key = (code << 8) | literal;
      const hit = table.get(key);
      if (hit !== undefined) {
        code = hit;
        continue;
      }
      write(code);
      code = literal;
      if (!incHi()) continue;
      table.set(key, hi);
    }
    write(code);
    incHi();
  }
  write(EOF_CODE);
  if (nBits > 0) out.push(bits & 0xff);
  return Uint8Array.from(out);
}

/**
 * Decodes Go's LZW (LSB, 8-bit literals) up to its end code. Refuses (never throws) an invalid
 * code, a stream that ends before its end code (`truncated`) and output beyond `maxOutput`.
 */
export function lzwDecompress(input: Uint8Array, maxOutput: number): Result<Uint8Array> {
  const prefix = new Uint16Array(1 << MAX_WIDTH);
  const suffix = new Uint8Array(1 << MAX_WIDTH);
  let out = new Uint8Array(Math.min(maxOutput, Math.max(64, input.length * 4)));
  let o = 0;
  const stack = new Uint8Array(1 << MAX_WIDTH);
  let width = LIT_WIDTH + 1;
  let hi = EOF_CODE;
  let overflow = 1 << width;
  let last = -1;
  let bits = 0;
  let nBits = 0;
  let pos = 0;
  const emit = (bytes: Uint8Array, from: number, to: number): boolean => {
    const n = to - from;
    if (o + n > maxOutput) return false;
    if (o + n > out.length) {
      const grown = new Uint8Array(Math.min(maxOutput, Math.max(out.length * 2, o + n)));
      grown.set(out.subarray(0, o));
      out = grown;
    }
    out.set(bytes.subarray(from, to), o);
    o += n;
    return true;
  };
  for (;;) {
    while (nBits < width) {
      if (pos >= input.length) return drop('truncated', pos);
      bits |= input[pos++]! << nBits;
      nBits += 8;
    }
    const code = bits & ((1 << width) - 1);
    bits >>>= width;
    nBits -= width;
    if (code === CLEAR) {
      width = LIT_WIDTH + 1;
      hi = EOF_CODE;
      overflow = 1 << width;
      last = -1;
      continue;
    }
    if (code === EOF_CODE) return ok(out.slice(0, o));
    let first: number;
    if (code < CLEAR) {
      stack[0] = code;
      if (!emit(stack, 0, 1)) return drop('too-large', pos, maxOutput);
      first = code;
    } else if (code <= hi) {
      let i = stack.length;
      let c = code;
      if (code === hi) {
        if (last < 0) return drop('malformed', pos, code);
        // KwKwK: the last expansion followed by its own first byte.
        c = last;
        while (c >= CLEAR) c = prefix[c]!;
        stack[--i] = c;
        c = last;
      }
      while (c >= CLEAR) {
        stack[--i] = suffix[c]!;
        c = prefix[c]!;
      }
      stack[--i] = c;
      first = c;
      if (!emit(stack, i, stack.length)) return drop('too-large', pos, maxOutput);
    } else {
      return drop('malformed', pos, code);
    }
    if (last >= 0) {
      suffix[hi] = first;
      prefix[hi] = last;
    }
    last = code;
    hi++;
    if (hi >= overflow) {
      if (width === MAX_WIDTH) {
        last = -1;
        hi--;
      } else {
        width++;
        overflow = 1 << width;
      }
    }
  }
}
