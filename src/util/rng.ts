/**
 * Seeded randomness. Each host gets its own stream derived from the cluster seed and the host's
 * name, so a run with the same seed repeats (ping identifiers, ports, IDs, jitter). Not for keys:
 * cryptographic material comes from node:crypto.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counter, from PractRand), seeded
 * through splitmix32 — small, fast, and passes PractRand and BigCrush.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A stream for `label` (a host name, a subsystem) derived from `seed`. */
  static derive(seed: number, label: string): Rng {
    let h = 0x811c9dc5 ^ (seed >>> 0);
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Rng(h);
  }

  /** Uniform in [0, 2^32). */
  u32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 0x1_0000_0000;
  }

  /** Uniform integer in [min, max] (inclusive), without modulo bias. */
  int(min: number, max: number): number {
    const span = max - min + 1;
    if (!Number.isInteger(min) || !Number.isInteger(max) || span <= 0 || span > 0x1_0000_0000) {
      throw new RangeError(`bad range [${min}, ${max}]`);
    }
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % span);
    for (;;) {
      const x = this.u32();
      if (x < limit) return min + (x % span);
    }
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const x = this.u32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = x >>> (8 * j);
    }
    return out;
  }

  /** `n` random lower-case hex characters. */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
