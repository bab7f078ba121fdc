import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { view } from '../../src/wire/bytes.js';
import { FUZZ_RUNS } from '../support/codec.js';

describe('view (subarray without the species lookup)', () => {
  it('equals subarray for any in-range or past-the-end begin/end, as a view of the same buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(7), fc.nat(80), fc.nat(80), (raw, lead, begin, end) => {
        const bytes = new Uint8Array(lead + raw.length);
        bytes.set(raw, lead);
        const b = bytes.subarray(lead);
        const got = view(b, begin, end);
        const want = b.subarray(begin, end);
        expect(got.byteOffset, `begin ${begin} end ${end} of ${b.length}`).toBe(want.byteOffset);
        expect(got.length).toBe(want.length);
        expect(got.buffer).toBe(b.buffer);
        expect(view(b, begin).length).toBe(b.subarray(begin).length);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('is a plain Uint8Array even over a Buffer (no Buffer species path)', () => {
    const buf = Buffer.from([1, 2, 3, 4]);
    const v = view(buf, 1, 3);
    expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype);
    expect([...v]).toEqual([2, 3]);
    v[0] = 9;
    expect(buf[1], 'a view, not a copy').toBe(9);
  });
});
