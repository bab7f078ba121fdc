/**
 * Shared checks for codec tests (CONVENTIONS.md §9, §11): golden bytes, emission into a buffer
 * pre-filled with 0xa5, every truncated prefix, emission at an offset, and fuzzing.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { toHex } from '../../src/wire/bytes.js';
import type { DropReason, Result } from '../../src/util/drop.js';

export { fromHex as hex, toHex } from '../../src/wire/bytes.js';

/** Filler that emit must overwrite wherever it claims to write, and leave alone elsewhere. */
export const FILL = 0xa5;

export function filled(length: number, fill = FILL): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

/** Asserts `r` is ok and returns its value, with the drop in the message otherwise. */
export function expectOk<T>(r: Result<T>, what = 'parse'): T {
  if (!r.ok) throw new Error(`${what}: got drop ${r.reason} at ${r.offset} (value ${r.value}), want ok`);
  return r.value;
}

/** Asserts `r` is a drop with `reason` (and `offset` when given). */
export function expectDrop<T>(r: Result<T>, reason: DropReason, offset?: number): void {
  if (r.ok) throw new Error(`got ok, want drop ${reason}`);
  expect(r.reason, `got reason ${r.reason}, want ${reason}`).toBe(reason);
  if (offset !== undefined) expect(r.offset, `got offset ${r.offset}, want ${offset}`).toBe(offset);
}

/**
 * Emits into a 0xa5-filled buffer at offset 0 and at an odd offset; checks the bytes written
 * equal `golden`, the count returned equals `golden.length`, and nothing around them changed.
 */
export function expectEmits(emit: (out: Uint8Array, offset: number) => number, golden: Uint8Array): void {
  for (const offset of [0, 7]) {
    const out = filled(offset + golden.length + 9);
    const n = emit(out, offset);
    expect(n, `emit at ${offset}: got length ${n}, want ${golden.length}`).toBe(golden.length);
    expect(toHex(out.subarray(offset, offset + n)), `emit at ${offset}`).toBe(toHex(golden));
    expect(out.subarray(0, offset).every((b) => b === FILL), `emit at ${offset} wrote before its offset`).toBe(true);
    expect(out.subarray(offset + n).every((b) => b === FILL), `emit at ${offset} wrote past its end`).toBe(true);
  }
}

/** Every prefix of `bytes` shorter than `minLength` parses to `truncated`, never throws. */
export function expectPrefixesTruncated<T>(bytes: Uint8Array, minLength: number, parse: (b: Uint8Array) => Result<T>): void {
  for (let n = 0; n < minLength; n++) {
    const r = parse(bytes.slice(0, n));
    if (r.ok) throw new Error(`prefix of ${n} bytes: got ok, want truncated`);
    expect(r.reason, `prefix of ${n} bytes: got ${r.reason}, want truncated`).toBe('truncated');
  }
}

/** Number of arbitrary inputs each parser must survive (issue: "100 000 arbitrary inputs"). */
export const FUZZ_RUNS = 100_000;

/** The parser returns a Result on any input — it never throws. */
export function expectNeverThrows<T>(parse: (b: Uint8Array) => Result<T>, maxLength = 1600): void {
  fc.assert(
    // size 'large': fast-check's default size keeps arrays to a few bytes, far from real packets.
    fc.property(fc.uint8Array({ maxLength, size: 'large' }), (b) => {
      const r = parse(b);
      return r.ok === true || typeof r.reason === 'string';
    }),
    { numRuns: FUZZ_RUNS },
  );
}
