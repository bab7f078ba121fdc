/**
 * The ESP anti-replay window (RFC 4303 §3.4.3), 32-bit sequence numbers (no ESN, like Docker's
 * SAs).
 *
 * Order, as the RFC gives it: `check(seq)` before the ICV is verified ("If the received packet
 * falls within the window and is new, or if the packet is to the right of the window, then the
 * receiver proceeds to ICV verification"), `update(seq)` only after it succeeds ("The receive
 * window is updated only if the ICV verification succeeds"). `update` checks again, so two copies
 * of one packet that both pass `check` before either is authenticated still count once.
 *
 * Window size. RFC 4303 §3.4.3: "A minimum window size of 32 packets MUST be supported when 32-bit
 * sequence numbers are employed; a window size of 64 is preferred and SHOULD be employed as the
 * default." We default to 64. For comparison: Linux's legacy (non-ESN) xfrm bitmap is one u32,
 * so it caps a window at 32; strongSwan asks for 32; and Docker's overlay SAs are installed with
 * no replay window at all (replay_window 0, moby `encryption.go` `programSA`), which makes Linux
 * skip the check entirely (`xfrm_replay_check`: `if (!x->props.replay_window) return 0;`). Size 0
 * reproduces exactly that: every sequence number passes.
 *
 * Representation: the ring of 32-bit words from RFC 6479 §2 — bit `seq & 31` of word
 * `(seq >>> 5) & mask`. Advancing clears at most the whole ring, word by word, so moving the
 * window costs O(size/32) in the worst case and O(1) in order, with no shifting of the bitmap and
 * no allocation per packet.
 */
import { InvalidArgumentError } from '../util/errors.js';

/** RFC 4303 §3.4.3 "SHOULD be employed as the default". */
export const REPLAY_WINDOW_DEFAULT = 64;
/** RFC 4303 §3.4.3 minimum an implementation MUST support; also Linux's legacy (non-ESN) cap. */
export const REPLAY_WINDOW_RFC_MIN = 32;
/** Docker's SAs: no window, no check (see module doc). */
export const REPLAY_WINDOW_DISABLED = 0;
/** Largest window we allocate for (4096 packets = 512 bytes of bitmap). */
export const REPLAY_WINDOW_MAX = 4096;

/** Why a sequence number is refused, or `ok`. Every refusal is the `replay` drop reason. */
export type ReplayVerdict = 'ok' | 'duplicate' | 'stale';

const WORD_BITS = 32;

export class ReplayWindow {
  /** The window in packets; 0 = disabled. */
  readonly size: number;
  private readonly bits: Uint32Array;
  private readonly mask: number;
  /** Highest sequence number authenticated so far; 0 before the first (0 is never valid). */
  private last = 0;

  constructor(size: number = REPLAY_WINDOW_DEFAULT) {
    if (!Number.isInteger(size) || size < 0 || size > REPLAY_WINDOW_MAX) {
      throw new InvalidArgumentError(`replay window out of range 0..${REPLAY_WINDOW_MAX}: ${size}`);
    }
    this.size = size;
    // One spare word beyond ceil(size / 32): the window's oldest and newest words may be partial.
    let words = 1;
    while (words < Math.ceil(size / WORD_BITS) + 1) words *= 2;
    this.bits = new Uint32Array(words);
    this.mask = words - 1;
  }

  /** The highest authenticated sequence number (the window's right edge); 0 before any. */
  get lastSequence(): number {
    return this.last;
  }

  /** Before authentication: may `seq` be new? Never changes the window. */
  check(seq: number): ReplayVerdict {
    if (this.size === 0) return 'ok';
    // §3.3.3: the first packet carries 1 and the counter never cycles, so 0 is never genuine.
    if (seq === 0) return 'stale';
    if (seq > this.last) return 'ok';
    // §3.4.3: "Duplicates are rejected through the use of a sliding receive window" — anything
    // left of it is refused outright.
    if (this.last - seq >= this.size) return 'stale';
    return (this.bits[(seq >>> 5) & this.mask] >>> (seq & 31)) & 1 ? 'duplicate' : 'ok';
  }

  /** After authentication: marks `seq` seen (sliding the window right if needed). */
  update(seq: number): ReplayVerdict {
    const verdict = this.check(seq);
    if (verdict !== 'ok') return verdict;
    if (this.size === 0) {
      if (seq > this.last) this.last = seq;
      return 'ok';
    }
    if (seq > this.last) {
      const from = this.last >>> 5;
      const steps = Math.min((seq >>> 5) - from, this.bits.length);
      for (let i = 1; i <= steps; i++) this.bits[(from + i) & this.mask] = 0;
      this.last = seq;
    }
    this.bits[(seq >>> 5) & this.mask] |= 1 << (seq & 31);
    return 'ok';
  }
}
