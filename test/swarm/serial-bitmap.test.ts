/**
 * The bitmap under the manager's address and VNI allocators: libnetwork `bitmap/sequence.go`'s
 * rules, checked case by case and against a slow array-based port of `getAvailableFromCurrent`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIT_ALLOCATED, BIT_OUT_OF_SEQUENCE, CHUNK_BITS, MAX_BITMAP_BITS, SerialBitmap } from '../../src/swarm/serial-bitmap.js';
import { InvalidArgumentError } from '../../src/util/errors.js';

/** libnetwork's algorithm over a plain array: the obviously-correct reference. */
class SlowBitmap {
  readonly used: boolean[];
  curr = 0;
  constructor(readonly bits: number) {
    this.used = new Array<boolean>(bits).fill(false);
  }
  set(n: number): string | undefined {
    if (n < 0 || n >= this.bits) return BIT_OUT_OF_SEQUENCE;
    if (this.used[n]) return BIT_ALLOCATED;
    this.used[n] = true;
    return undefined;
  }
  unset(n: number): void {
    if (n >= 0 && n < this.bits) this.used[n] = false;
  }
  setAnyInRange(start: number, end: number, serial: boolean): number | undefined {
    const firstFree = (from: number): number | undefined => {
      for (let i = from; i < this.bits; i++) if (!this.used[i]) return i;
      return undefined;
    };
    const curr = serial ? this.curr : 0;
    let found: number | undefined;
    if (curr !== 0 && curr > start) {
      found = firstFree(curr);
      if (found !== undefined && found > end) found = undefined;
    }
    if (found === undefined) {
      found = firstFree(start);
      if (found === undefined || found > end) return undefined;
    }
    this.curr = found + 1;
    this.used[found] = true;
    return found;
  }
}

describe('SerialBitmap', () => {
  it('hands out bits in increasing order and does not reuse a freed one until the scan wraps', () => {
    const b = new SerialBitmap(8);
    const got = [b.setAny(true), b.setAny(true), b.setAny(true)];
    expect(got, `got ${got}, want 0,1,2`).toEqual([0, 1, 2]);
    b.unset(1);
    expect(b.setAny(true), 'after freeing 1').toBe(3);
    for (const want of [4, 5, 6, 7, 1]) expect(b.setAny(true), `want ${want}`).toBe(want);
    expect(b.setAny(true), 'full').toBeUndefined();
  });

  it('without serial, takes the lowest free bit (and still moves the pointer, as libnetwork does)', () => {
    const b = new SerialBitmap(8);
    for (let i = 0; i < 4; i++) b.setAny(false);
    b.unset(1);
    expect(b.setAny(false)).toBe(1);
    expect(b.curr).toBe(2);
  });

  it('a requested bit does not move the pointer', () => {
    const b = new SerialBitmap(16);
    expect(b.setAny(true)).toBe(0);
    expect(b.set(9)).toBeUndefined();
    expect(b.curr).toBe(1);
    expect(b.setAny(true)).toBe(1);
  });

  it('scans within a range, restarting from its start when the pointer is outside or past it', () => {
    const b = new SerialBitmap(256);
    expect(b.setAnyInRange(128, 255, true)).toBe(128);
    expect(b.setAnyInRange(128, 255, true)).toBe(129);
    expect(b.setAnyInRange(0, 127, true), 'pointer 130 is past end 127: from start').toBe(0);
    expect(b.setAnyInRange(128, 255, true), 'pointer 1 ≤ start 128: from start').toBe(130);
  });

  it('reports set, out-of-sequence and invalid ranges with libnetwork\'s texts', () => {
    const b = new SerialBitmap(10);
    expect(b.set(3)).toBeUndefined();
    expect(b.set(3)).toBe(BIT_ALLOCATED);
    expect(b.set(10)).toBe(BIT_OUT_OF_SEQUENCE);
    expect(b.set(-1)).toBe(BIT_OUT_OF_SEQUENCE);
    expect(b.unset(10)).toBe(false);
    expect(b.unset(4), 'a clear bit').toBe(true);
    expect(b.ones).toBe(1);
    expect(() => b.setAnyInRange(5, 4, true)).toThrow(new InvalidArgumentError('invalid bit range [5, 4)'));
    expect(() => b.setAnyInRange(0, 10, true)).toThrow(InvalidArgumentError);
    expect(() => new SerialBitmap(0)).toThrow(InvalidArgumentError);
    expect(() => new SerialBitmap(MAX_BITMAP_BITS + 1)).toThrow(InvalidArgumentError);
  });

  it('crosses chunk and word boundaries, skips full chunks, and frees empty ones', () => {
    const b = new SerialBitmap(3 * CHUNK_BITS + 5);
    for (let i = 0; i < CHUNK_BITS + 40; i++) expect(b.setAny(true)).toBe(i);
    b.unset(31);
    b.unset(32);
    b.unset(CHUNK_BITS + 3);
    expect(b.setAnyInRange(0, b.bits - 1, false), 'lowest free').toBe(31);
    expect(b.setAnyInRange(33, b.bits - 1, false), 'first chunk full from 33 on').toBe(CHUNK_BITS + 3);
    expect(b.setAnyInRange(3 * CHUNK_BITS, b.bits - 1, true)).toBe(3 * CHUNK_BITS);
    expect(b.setAnyInRange(3 * CHUNK_BITS + 4, 3 * CHUNK_BITS + 4, true)).toBe(3 * CHUNK_BITS + 4);
    expect(b.isSet(3 * CHUNK_BITS + 5), 'past the end').toBe(false);
  });

  it('handles a whole IPv4 space (2^32 bits) sparsely', () => {
    const b = new SerialBitmap(MAX_BITMAP_BITS);
    expect(b.set(MAX_BITMAP_BITS - 1)).toBeUndefined();
    expect(b.isSet(MAX_BITMAP_BITS - 1)).toBe(true);
    expect(b.setAnyInRange(MAX_BITMAP_BITS - 2, MAX_BITMAP_BITS - 1, true)).toBe(MAX_BITMAP_BITS - 2);
    expect(b.setAnyInRange(MAX_BITMAP_BITS - 2, MAX_BITMAP_BITS - 1, true)).toBeUndefined();
    expect(b.setAny(true), 'wraps to 0').toBe(0);
  });

  it('agrees with the slow array-based port of libnetwork on any operation sequence', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('any' as const), a: fc.nat(200), b: fc.nat(200), serial: fc.boolean() }),
      fc.record({ op: fc.constant('set' as const), n: fc.integer({ min: -2, max: 202 }) }),
      fc.record({ op: fc.constant('unset' as const), n: fc.integer({ min: -2, max: 202 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.array(op, { maxLength: 400 }), (bits, ops) => {
        const fast = new SerialBitmap(bits);
        const slow = new SlowBitmap(bits);
        for (const o of ops) {
          if (o.op === 'any') {
            const start = Math.min(o.a, o.b) % bits;
            const end = Math.max(start, Math.max(o.a, o.b) % bits);
            const got = fast.setAnyInRange(start, end, o.serial);
            const want = slow.setAnyInRange(start, end, o.serial);
            if (got !== want) throw new Error(`setAnyInRange(${start}, ${end}, ${o.serial}): got ${got}, want ${want}`);
          } else if (o.op === 'set') {
            const got = fast.set(o.n);
            const want = slow.set(o.n);
            if (got !== want) throw new Error(`set(${o.n}): got ${got}, want ${want}`);
          } else {
            fast.unset(o.n);
            slow.unset(o.n);
          }
          if (fast.curr !== slow.curr) throw new Error(`curr: got ${fast.curr}, want ${slow.curr}`);
        }
        const want = slow.used.filter(Boolean).length;
        if (fast.ones !== want) throw new Error(`ones: got ${fast.ones}, want ${want}`);
      }),
      { numRuns: 300 },
    );
  });
});
