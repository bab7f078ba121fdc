/**
 * A fixed-length bit vector with libnetwork's allocation rules (moby
 * `daemon/libnetwork/bitmap/sequence.go`), the core of both the manager's address allocator
 * (through `internal/addrset/addrset.go`) and its VXLAN ID allocator (`ovmanager.go`).
 *
 * Contract, as `Bitmap` behaves:
 * - ordinals are `0 ≤ n < bits`; `set` of any other ordinal fails with
 *   `bit does not belong to the sequence`, `set` of a set bit with
 *   `requested bit is already allocated`; `unset` of a clear bit is a no-op;
 * - `setAnyInRange(start, end, serial)` sets the lowest clear bit in `[start, end]`. When `serial`,
 *   the search starts at the scan pointer `curr` (the ordinal after the bit most recently set by
 *   `setAny`/`setAnyInRange`) if `curr > start`, and only falls back to `start` when nothing is
 *   free from `curr` up to `end` — so a freed bit is not reused until the scan wraps. A bit set
 *   with `set` (a requested ordinal) does not move the pointer. Not serial: always from `start`.
 *
 * Storage is sparse (chunks of `CHUNK_BITS`, created on first use, dropped when empty) where
 * libnetwork run-length encodes: a 2^24-bit VNI space or a user `/8` costs memory in proportion to
 * what is set, and a scan skips full chunks whole.
 */
import { InvalidArgumentError } from '../util/errors.js';

const CHUNK_SHIFT = 12;
/** Bits per chunk: 128 32-bit words, 512 bytes. */
export const CHUNK_BITS = 1 << CHUNK_SHIFT;
const WORD_SHIFT = 5;
const WORD_BITS = 1 << WORD_SHIFT;
const WORDS_PER_CHUNK = CHUNK_BITS / WORD_BITS;
/** The largest bitmap: a whole IPv4 address space (a `/0`). */
export const MAX_BITMAP_BITS = 2 ** 32;

/** libnetwork `bitmap.ErrBitAllocated`. */
export const BIT_ALLOCATED = 'requested bit is already allocated';
/** libnetwork `bitmap.ErrNoBitAvailable`. */
export const NO_BIT_AVAILABLE = 'no bit available';
/** libnetwork `(*Bitmap).validateOrdinal`. */
export const BIT_OUT_OF_SEQUENCE = 'bit does not belong to the sequence';

/** Why a `set` failed: `Bitmap.Set`'s two errors, by their texts. */
export type SetFailure = typeof BIT_ALLOCATED | typeof BIT_OUT_OF_SEQUENCE;

interface Chunk {
  readonly words: Uint32Array;
  ones: number;
}

export class SerialBitmap {
  readonly #chunks = new Map<number, Chunk>();
  #ones = 0;
  /** libnetwork `Bitmap.curr`: where the next serial scan starts. */
  #curr = 0;

  constructor(readonly bits: number) {
    if (!Number.isInteger(bits) || bits < 1 || bits > MAX_BITMAP_BITS) {
      throw new InvalidArgumentError(`bitmap length out of range 1..${MAX_BITMAP_BITS}: ${bits}`);
    }
  }

  /** Number of set bits. */
  get ones(): number {
    return this.#ones;
  }

  /** libnetwork `Unselected`. */
  get unselected(): number {
    return this.bits - this.#ones;
  }

  /** The serial scan pointer. */
  get curr(): number {
    return this.#curr;
  }

  isSet(ordinal: number): boolean {
    if (!this.#valid(ordinal)) return false;
    const chunk = this.#chunks.get(ordinal >>> CHUNK_SHIFT);
    if (chunk === undefined) return false;
    const bit = ordinal & (CHUNK_BITS - 1);
    return (chunk.words[bit >>> WORD_SHIFT]! & (1 << (bit & (WORD_BITS - 1)))) !== 0;
  }

  /** libnetwork `Set`: marks one ordinal; returns the failure instead of throwing. */
  set(ordinal: number): SetFailure | undefined {
    if (!this.#valid(ordinal)) return BIT_OUT_OF_SEQUENCE;
    if (this.isSet(ordinal)) return BIT_ALLOCATED;
    this.#write(ordinal, true);
    return undefined;
  }

  /** libnetwork `Unset`: clears one ordinal (a clear one stays clear); false when out of the sequence. */
  unset(ordinal: number): boolean {
    if (!this.#valid(ordinal)) return false;
    if (this.isSet(ordinal)) this.#write(ordinal, false);
    return true;
  }

  /** libnetwork `SetAny`: `setAnyInRange(0, bits - 1, serial)`. */
  setAny(serial: boolean): number | undefined {
    return this.setAnyInRange(0, this.bits - 1, serial);
  }

  /**
   * libnetwork `SetAnyInRange` (`getAvailableFromCurrent`): the ordinal set, or undefined when no
   * bit in `[start, end]` is clear (`no bit available`).
   */
  setAnyInRange(start: number, end: number, serial: boolean): number | undefined {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end >= this.bits) {
      throw new InvalidArgumentError(`invalid bit range [${start}, ${end})`);
    }
    if (this.unselected === 0) return undefined;
    const curr = serial ? this.#curr : 0;
    let found: number | undefined;
    if (curr !== 0 && curr > start) {
      found = this.#firstClear(curr);
      if (found !== undefined && found > end) found = undefined;
    }
    if (found === undefined) {
      found = this.#firstClear(start);
      if (found === undefined || found > end) return undefined;
    }
    // libnetwork moves the pointer on every successful scan, serial or not.
    this.#curr = found + 1;
    this.#write(found, true);
    return found;
  }

  /** The lowest clear ordinal ≥ `from`, or undefined. Full chunks are skipped whole. */
  #firstClear(from: number): number | undefined {
    for (let c = Math.floor(from / CHUNK_BITS), offset = from - c * CHUNK_BITS; c * CHUNK_BITS < this.bits; c++, offset = 0) {
      const base = c * CHUNK_BITS;
      const chunk = this.#chunks.get(c);
      if (chunk === undefined) return base + offset < this.bits ? base + offset : undefined;
      if (chunk.ones === CHUNK_BITS) continue;
      for (let w = offset >>> WORD_SHIFT; w < WORDS_PER_CHUNK; w++) {
        // The clear bits of this word (at or after `offset` in the first one), as ones.
        let free = ~chunk.words[w]! >>> 0;
        if (w === offset >>> WORD_SHIFT) free = (free & (0xffff_ffff << (offset & (WORD_BITS - 1)))) >>> 0;
        if (free === 0) continue;
        const ordinal = base + w * WORD_BITS + (31 - Math.clz32(free & -free));
        return ordinal < this.bits ? ordinal : undefined;
      }
    }
    return undefined;
  }

  #write(ordinal: number, value: boolean): void {
    const key = ordinal >>> CHUNK_SHIFT;
    let chunk = this.#chunks.get(key);
    if (chunk === undefined) {
      chunk = { words: new Uint32Array(WORDS_PER_CHUNK), ones: 0 };
      this.#chunks.set(key, chunk);
    }
    const bit = ordinal & (CHUNK_BITS - 1);
    const mask = 1 << (bit & (WORD_BITS - 1));
    if (value) {
      chunk.words[bit >>> WORD_SHIFT] |= mask;
      chunk.ones++;
      this.#ones++;
    } else {
      chunk.words[bit >>> WORD_SHIFT] &= ~mask;
      chunk.ones--;
      this.#ones--;
      if (chunk.ones === 0) this.#chunks.delete(key);
    }
  }

  #valid(ordinal: number): boolean {
    return Number.isInteger(ordinal) && ordinal >= 0 && ordinal < this.bits;
  }
}
