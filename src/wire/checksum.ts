/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 *
 * Sums are carried unfolded in a JS number (exact to 2^53, i.e. far beyond any packet length) and
 * folded once at the end, which is both simpler and faster than folding per word.
 */
import type { Ipv4Addr } from './address.js';

/**
 * Adds the bytes `b[start..end)` as big-endian 16-bit words to `sum` (RFC 1071 §4.1). An odd
 * trailing byte is padded with a zero byte on the right. Returns the unfolded sum.
 */
export function checksumAdd(b: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  const even = end - ((end - start) & 1);
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
