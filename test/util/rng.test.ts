import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';

describe('Rng', () => {
  it('repeats for the same seed and differs across seeds and labels', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.u32())(new Rng(42)));
    const b = Array.from({ length: 5 }, ((r) => () => r.u32())(new Rng(42)));
    const c = Array.from({ length: 5 }, ((r) => () => r.u32())(new Rng(43)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(Rng.derive(1, 'manager').u32()).not.toBe(Rng.derive(1, 'worker-1').u32());
    expect(Rng.derive(1, 'manager').u32()).toBe(Rng.derive(1, 'manager').u32());
  });

  it('int stays in range and covers it', () => {
    const r = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = r.int(3, 9);
      expect(x).toBeGreaterThanOrEqual(3);
      expect(x).toBeLessThanOrEqual(9);
      seen.add(x);
    }
    expect(seen.size).toBe(7);
  });

  it('hex, bytes and shuffle have the right shapes', () => {
    const r = new Rng(9);
    expect(r.hex(12)).toMatch(/^[0-9a-f]{12}$/);
    expect(r.bytes(5).length).toBe(5);
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
