import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEX_ID_LENGTH, newHexId, newSwarmId, SWARM_ID_ENTROPY_BYTES, SWARM_ID_LENGTH, swarmIdFromEntropy } from '../../src/util/ids.js';
import { Rng } from '../../src/util/rng.js';

// Computed independently with python3: b = bytearray(entropy); b[0] |= 0x80;
// t = base36(int.from_bytes(b, 'big')) (27 digits); id = t[1:26].
const VECTORS = [
  { entropy: '00'.repeat(17), full: '1hvy0lj3x0b883f8e30fyp21728', id: 'hvy0lj3x0b883f8e30fyp2172' },
  { entropy: 'ff'.repeat(17), full: '2zrw1727u0mgg6ugs60vxe42e4f', id: 'zrw1727u0mgg6ugs60vxe42e4' },
  { entropy: '0102030405060708090a0b0c0d0e0f1011', full: '1ib7wwa7iw3swndjw6xned85q8h', id: 'ib7wwa7iw3swndjw6xned85q8' },
];

describe('swarm IDs (swarmkit identity.NewID)', () => {
  it.each(VECTORS)('entropy $entropy gives $id', ({ entropy, id }) => {
    expect(swarmIdFromEntropy(Buffer.from(entropy, 'hex'))).toBe(id);
  });

  it('the forced top bit makes the base-36 text 27 digits, of which the middle 25 are kept', () => {
    // 2^135 (only the top bit) and 2^136 - 1 (all bits) bound every 17-byte value with the top
    // bit set; both are 27 digits, so no ID ever needs padding.
    expect((2n ** 135n).toString(36)).toBe(VECTORS[0].full);
    expect((2n ** 136n - 1n).toString(36)).toBe(VECTORS[1].full);
    for (const v of VECTORS) expect(v.full.slice(1, 26)).toBe(v.id);
    // The top bit is forced whatever the first byte is: 0x00 and 0x80 give the same ID.
    const zero = Buffer.alloc(17);
    const top = Buffer.alloc(17);
    top[0] = 0x80;
    expect(swarmIdFromEntropy(zero)).toBe(swarmIdFromEntropy(top));
  });

  it('is 25 characters of 0-9a-z for any entropy', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 17, maxLength: 17 }), (entropy) => {
        const id = swarmIdFromEntropy(entropy);
        expect(id).toMatch(/^[0-9a-z]{25}$/);
        // Reading it back: the kept digits are those of the full value.
        const b = Buffer.from(entropy);
        b[0] |= 0x80;
        expect(BigInt(`0x${b.toString('hex')}`).toString(36).slice(1, 26)).toBe(id);
      }),
    );
  });

  it('refuses entropy of the wrong size', () => {
    expect(() => swarmIdFromEntropy(new Uint8Array(16))).toThrow(RangeError);
  });

  it('repeats per seed, differs across seeds, and uses the whole alphabet in the first place', () => {
    const run = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 300 }, () => newSwarmId(rng));
    };
    const a = run(1);
    expect(run(1)).toEqual(a);
    expect(run(2)[0]).not.toBe(a[0]);
    for (const id of a) expect(id).toMatch(/^[0-9a-z]{25}$/);
    expect(new Set(a).size).toBe(a.length);
    // The point of the 17th byte (swarmkit a3967a336): first characters beyond 0-f.
    expect(a.some((id) => id[0] > 'f')).toBe(true);
    expect(SWARM_ID_LENGTH).toBe(25);
    expect(SWARM_ID_ENTROPY_BYTES).toBe(17);
  });

  it('draws exactly 17 bytes from the RNG', () => {
    const r1 = new Rng(5);
    const r2 = new Rng(5);
    newSwarmId(r1);
    r2.bytes(17);
    expect(r1.u32()).toBe(r2.u32());
  });
});

describe('hex IDs (moby stringid.GenerateRandomID)', () => {
  it('are 64 lower-case hex characters of 32 RNG bytes, repeatable per seed', () => {
    const id = newHexId(new Rng(3));
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id.length).toBe(HEX_ID_LENGTH);
    expect(newHexId(new Rng(3))).toBe(id);
    expect(newHexId(new Rng(4))).not.toBe(id);
    expect(id).toBe(Buffer.from(new Rng(3).bytes(32)).toString('hex'));
  });
});
