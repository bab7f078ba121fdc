/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 *
 * Sums are carried unfolded in a JS number (exact to 2^53, i.e. far beyond any packet length) and
 * folded once at the end, which is both simpler and faster than folding per word.
 */
import type { Ipv4Addr } from './address.js';

/** Below this many bytes the plain byte loop beats setting up a word view. */
const WORD_LOOP_MIN = 64;
/** The word loop reads 32-bit words in host order; it is written for little-endian hosts. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Adds the bytes `b[start..end)` as big-endian 16-bit words to `sum` (RFC 1071 §4.1). An odd
 * trailing byte is padded with a zero byte on the right. Returns the unfolded sum.
 *
 * Long runs starting on an even address are summed as 32-bit little-endian words: each holds two
 * byte-swapped 16-bit words, and the one's complement sum is independent of byte order (RFC 1071
 * §2(B)), so the words' sum is folded and swapped once at the end. About a third faster on full
 * frames, where it matters: every UDP datagram's checksum is computed on send and verified on
 * receive.
 */
export function checksumAdd(b: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  if (LITTLE_ENDIAN && end - start >= WORD_LOOP_MIN && ((b.byteOffset + start) & 1) === 0) {
    if (((b.byteOffset + i) & 3) !== 0) {
      sum += (b[i] << 8) | b[i + 1];
      i += 2;
    }
    const words = (end - i) >> 2;
    const v = new Uint32Array(b.buffer, b.byteOffset + i, words);
    let s = 0;
    for (let k = 0; k < words; k++) s += v[k];
    const folded = checksumFold(s);
    sum += ((folded & 0xff) << 8) | (folded >>> 8);
    i += words * 4;
  }
  const even = end - ((end - i) & 1);
  for (; i < even; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

/** Folds carries into 16 bits (RFC 1071 §4.1 "fold 32-bit sum to 16 bits"). */
export function checksumFold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum field value for an unfolded sum: one's complement of the folded sum. */
export function checksumFinish(sum: number): number {
  return ~checksumFold(sum) & 0xffff;
}

/** The Internet checksum of `b[start..end)`. Over bytes that include a correct checksum it is 0. */
export function internetChecksum(b: Uint8Array, start = 0, end = b.length): number {
  return checksumFinish(checksumAdd(b, start, end));
}

/** Unfolded sum of the IPv4 pseudo-header used by UDP and TCP (RFC 768; RFC 9293 §3.1). */
export function pseudoHeaderSum(src: Ipv4Addr, dst: Ipv4Addr, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/**
 * Incremental update when one 16-bit word of the covered data changes from `oldWord` to `newWord`
 * (RFC 1624 §3, eqn. 3: HC' = ~(~HC + ~m + m')). Eqn. 3 rather than eqn. 2 so a result of
 * 0xffff/0x0000 is the same as a full recomputation would give.
 */
export function checksumUpdate16(checksum: number, oldWord: number, newWord: number): number {
  const sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~checksumFold(sum) & 0xffff;
}

/** Incremental update for a changed 32-bit value (an IPv4 address under NAT), as two words. */
export function checksumUpdate32(checksum: number, oldValue: number, newValue: number): number {
  const sum =
    (~checksum & 0xffff) +
    (~(oldValue >>> 16) & 0xffff) +
    (~oldValue & 0xffff) +
    ((newValue >>> 16) & 0xffff) +
    (newValue & 0xffff);
  return ~checksumFold(sum) & 0xffff;
}
