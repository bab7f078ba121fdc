/**
 * IPv4 header (RFC 791 §3.1), with the receive checks of RFC 1122 §3.2.1.
 *
 *     0                   1                   2                   3
 *     |Version|  IHL  |    DSCP   |ECN|          Total Length         |
 *     |         Identification        |R|D|M|     Fragment Offset     |
 *     |  Time to Live |    Protocol   |         Header Checksum       |
 *     |                       Source Address                          |
 *     |                    Destination Address                        |
 *     |                    Options (IHL > 5)                          |
 *
 * Receive: version 4, IHL ≥ 5, the header and `Total Length` bytes present, a verifying header
 * checksum, the reserved flag clear. The payload is `bytes[IHL*4 .. Total Length)`: bytes past
 * Total Length (Ethernet padding of short frames) are not part of the datagram. Options are kept
 * as raw bytes bounded by IHL and never interpreted here (RFC 1122 §3.2.1.8: a host must ignore
 * options it does not implement). Fragments are returned as they are; reassembly, and its
 * 65 535-byte bound on the reassembled datagram, belong to the stack.
 *
 * Send: the header checksum is computed; options go out as given (a multiple of 4 bytes, padded by
 * the caller with End-of-Options/NOP as RFC 791 requires).
 */
import { drop, ok, type Drop, type Result } from '../util/drop.js';
import { assertUint, ensureRoom, InvalidArgumentError } from '../util/errors.js';
import { assertIpv4, type Ipv4Addr } from './address.js';
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { checksumFinish, checksumUpdate16, internetChecksum } from './checksum.js';
import { placePayload } from './payload.js';
import { formatTableValue } from './table.js';

/** Header without options (IHL = 5). */
export const IPV4_HEADER_LEN = 20;
/** Largest header: IHL is 4 bits, counted in 32-bit words (15 × 4). */
export const IPV4_MAX_HEADER_LEN = 60;
export const IPV4_MAX_OPTIONS_LEN = IPV4_MAX_HEADER_LEN - IPV4_HEADER_LEN;
/** Total Length is 16 bits: the largest datagram, header included. */
export const IPV4_MAX_PACKET_LEN = 65535;
export const IPV4_VERSION = 4;

export const IPV4_VER_IHL_OFFSET = 0;
export const IPV4_DSCP_ECN_OFFSET = 1;
export const IPV4_TOTAL_LEN_OFFSET = 2;
export const IPV4_IDENT_OFFSET = 4;
export const IPV4_FLAGS_FRAG_OFFSET = 6;
export const IPV4_TTL_OFFSET = 8;
export const IPV4_PROTOCOL_OFFSET = 9;
export const IPV4_CHECKSUM_OFFSET = 10;
export const IPV4_SRC_OFFSET = 12;
export const IPV4_DST_OFFSET = 16;
export const IPV4_OPTIONS_OFFSET = 20;

/** Flag bits of the 16-bit flags/fragment-offset word (RFC 791 §3.1 "Flags"). */
export const IPV4_FLAG_RESERVED = 0x8000;
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
export const IPV4_FRAG_OFFSET_MASK = 0x1fff;
/** Fragment Offset counts 8-byte units. */
export const IPV4_FRAG_UNIT = 8;
/** Largest fragment offset in bytes: 13 bits of 8-byte units. */
export const IPV4_MAX_FRAG_OFFSET = IPV4_FRAG_OFFSET_MASK * IPV4_FRAG_UNIT;
export const IPV4_MAX_DSCP = 63;
export const IPV4_MAX_ECN = 3;

/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). Wire protocol: append-only. */
export const IpProtocol = {
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ESP: 50,
  /** IP in IP (RFC 2003); also ESP's Next Header in tunnel mode (RFC 4303 §2.6). */
  IPV4: 4,
  IPV6: 41,
  /** RFC 8200 §4.7; RFC 4303 §2.6: an ESP dummy (traffic-flow confidentiality) packet, to discard. */
  NO_NEXT_HEADER: 59,
} as const;

/** `UDP`, or `0x2f` for a protocol not in the table. */
export function formatIpProtocol(n: number): string {
  return formatTableValue(IpProtocol, n, 2);
}

export interface Ipv4Repr {
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  /** An `IpProtocol` value; unknown values are kept. */
  readonly protocol: number;
  readonly ttl: number;
  readonly identification: number;
  /** Differentiated Services code point, 6 bits (RFC 2474). */
  readonly dscp: number;
  /** Explicit Congestion Notification, 2 bits (RFC 3168). */
  readonly ecn: number;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  /** Where this fragment's data sits in the original datagram, in bytes (a multiple of 8). */
  readonly fragmentOffset: number;
  /** Raw option bytes (a subarray), a multiple of 4 long, at most 40. Empty when IHL = 5. */
  readonly options: Uint8Array;
  /** The datagram's data, `bytes[IHL*4 .. Total Length)` (a subarray). */
  readonly payload: Uint8Array;
}

/** Everything but the payload: what `emitIpv4Header` needs, with the payload's length. */
export type Ipv4Header = Omit<Ipv4Repr, 'payload'>;

/** Zero-copy view over an IPv4 datagram. Field reads are unchecked. */
export class Ipv4Packet {
  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps bytes whose length you have already checked (your own buffers). */
  static unchecked(bytes: Uint8Array): Ipv4Packet {
    return new Ipv4Packet(bytes);
  }

  /** Wraps bytes from a peer: every receive check of `parseIpv4`, once. */
  static checked(bytes: Uint8Array): Result<Ipv4Packet> {
    return checkIpv4(bytes) ?? ok(new Ipv4Packet(bytes));
  }

  get version(): number {
    return this.bytes[IPV4_VER_IHL_OFFSET] >>> 4;
  }

  /** Header length in bytes (IHL × 4). */
  get headerLen(): number {
    return (this.bytes[IPV4_VER_IHL_OFFSET] & 0x0f) * 4;
  }

  get dscp(): number {
    return this.bytes[IPV4_DSCP_ECN_OFFSET] >>> 2;
  }

  get ecn(): number {
    return this.bytes[IPV4_DSCP_ECN_OFFSET] & 0x03;
  }

  get totalLength(): number {
    return readU16(this.bytes, IPV4_TOTAL_LEN_OFFSET);
  }

  get identification(): number {
    return readU16(this.bytes, IPV4_IDENT_OFFSET);
  }

  get dontFragment(): boolean {
    return (readU16(this.bytes, IPV4_FLAGS_FRAG_OFFSET) & IPV4_FLAG_DF) !== 0;
  }

  get moreFragments(): boolean {
    return (readU16(this.bytes, IPV4_FLAGS_FRAG_OFFSET) & IPV4_FLAG_MF) !== 0;
  }

  /** In bytes. */
  get fragmentOffset(): number {
    return (readU16(this.bytes, IPV4_FLAGS_FRAG_OFFSET) & IPV4_FRAG_OFFSET_MASK) * IPV4_FRAG_UNIT;
  }

  /** True for any fragment of a fragmented datagram (MF set or a non-zero offset). */
  get isFragment(): boolean {
    return (readU16(this.bytes, IPV4_FLAGS_FRAG_OFFSET) & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) !== 0;
  }

  get ttl(): number {
    return this.bytes[IPV4_TTL_OFFSET];
  }

  get protocol(): number {
    return this.bytes[IPV4_PROTOCOL_OFFSET];
  }

  get checksum(): number {
    return readU16(this.bytes, IPV4_CHECKSUM_OFFSET);
  }

  get src(): Ipv4Addr {
    return readU32(this.bytes, IPV4_SRC_OFFSET);
  }

  get dst(): Ipv4Addr {
    return readU32(this.bytes, IPV4_DST_OFFSET);
  }

  get options(): Uint8Array {
    return this.bytes.subarray(IPV4_OPTIONS_OFFSET, this.headerLen);
  }

  /**
   * `bytes[IHL*4 .. Total Length)`. On bytes shorter than Total Length (an ICMP error's quote)
   * this is what is present: `subarray` clamps to the end.
   */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLen, this.totalLength);
  }

  /** The repr of this datagram (its options and payload are subarrays of the bytes). */
  toRepr(): Ipv4Repr {
    return {
      src: this.src,
      dst: this.dst,
      protocol: this.protocol,
      ttl: this.ttl,
      identification: this.identification,
      dscp: this.dscp,
      ecn: this.ecn,
      dontFragment: this.dontFragment,
      moreFragments: this.moreFragments,
      fragmentOffset: this.fragmentOffset,
      options: this.options,
      payload: this.payload,
    };
  }
}

/**
 * The checks that need only the header's bytes, not the datagram's: length, version, IHL. Shared
 * with `parseIcmpQuote`, which sees only the first bytes of a datagram.
 */
export function checkIpv4HeaderShape(bytes: Uint8Array): Drop | undefined {
  if (bytes.length < IPV4_HEADER_LEN) return drop('truncated', 0, bytes.length);
  const version = bytes[IPV4_VER_IHL_OFFSET] >>> 4;
  // RFC 1122 §3.2.1.1: "A datagram whose version number is not 4 MUST be silently discarded."
  if (version !== IPV4_VERSION) return drop('bad-version', IPV4_VER_IHL_OFFSET, version);
  const ihl = bytes[IPV4_VER_IHL_OFFSET] & 0x0f;
  // RFC 791 §3.1: "the minimum value for a correct header is 5" (IHL counts 32-bit words).
  if (ihl < IPV4_HEADER_LEN / 4) return drop('bad-length', IPV4_VER_IHL_OFFSET, ihl);
  if (bytes.length < ihl * 4) return drop('truncated', 0, bytes.length);
  return undefined;
}

/** Total Length counts the header too, so it cannot be shorter than IHL says the header is. */
export function checkIpv4TotalLength(bytes: Uint8Array): Drop | undefined {
  const total = readU16(bytes, IPV4_TOTAL_LEN_OFFSET);
  const headerLen = (bytes[IPV4_VER_IHL_OFFSET] & 0x0f) * 4;
  return total < headerLen ? drop('bad-length', IPV4_TOTAL_LEN_OFFSET, total) : undefined;
}

function checkIpv4(bytes: Uint8Array): Drop | undefined {
  const bad = checkIpv4HeaderShape(bytes);
  if (bad) return bad;
  const headerLen = (bytes[IPV4_VER_IHL_OFFSET] & 0x0f) * 4;
  // RFC 1122 §3.2.1.2: "A host MUST verify the IP header checksum on every received datagram and
  // silently discard every datagram that has a bad checksum."
  if (internetChecksum(bytes, 0, headerLen) !== 0) {
    return drop('bad-checksum', IPV4_CHECKSUM_OFFSET, readU16(bytes, IPV4_CHECKSUM_OFFSET));
  }
  const badTotal = checkIpv4TotalLength(bytes);
  if (badTotal) return badTotal;
  if (bytes.length < readU16(bytes, IPV4_TOTAL_LEN_OFFSET)) return drop('truncated', 0, bytes.length);
  // RFC 791 §3.1 Flags: "Bit 0: reserved, must be zero". (Linux ignores this bit on receive.)
  if (bytes[IPV4_FLAGS_FRAG_OFFSET] & (IPV4_FLAG_RESERVED >>> 8)) {
    return drop('bad-flags', IPV4_FLAGS_FRAG_OFFSET, bytes[IPV4_FLAGS_FRAG_OFFSET]);
  }
  return undefined;
}

/** Parses a datagram from a peer. Never throws. */
export function parseIpv4(bytes: Uint8Array): Result<Ipv4Repr> {
  const bad = checkIpv4(bytes);
  if (bad) return bad;
  return ok(Ipv4Packet.unchecked(bytes).toRepr());
}

/** Total bytes `emitIpv4` writes. */
export function ipv4Len(repr: Ipv4Repr): number {
  return IPV4_HEADER_LEN + repr.options.length + repr.payload.length;
}

function validateHeader(h: Ipv4Header, payloadLength: number): number {
  assertIpv4('IPv4 source address', h.src);
  assertIpv4('IPv4 destination address', h.dst);
  assertUint('IPv4 protocol', h.protocol, 0xff);
  assertUint('IPv4 TTL', h.ttl, 0xff);
  assertUint('IPv4 identification', h.identification, 0xffff);
  assertUint('IPv4 DSCP', h.dscp, IPV4_MAX_DSCP);
  assertUint('IPv4 ECN', h.ecn, IPV4_MAX_ECN);
  assertUint('IPv4 fragment offset', h.fragmentOffset, IPV4_MAX_FRAG_OFFSET);
  if (h.fragmentOffset % IPV4_FRAG_UNIT !== 0) {
    throw new InvalidArgumentError(`IPv4 fragment offset must be a multiple of ${IPV4_FRAG_UNIT} bytes: ${h.fragmentOffset}`);
  }
  if (h.options.length % 4 !== 0 || h.options.length > IPV4_MAX_OPTIONS_LEN) {
    throw new InvalidArgumentError(
      `IPv4 options must be a multiple of 4 bytes, at most ${IPV4_MAX_OPTIONS_LEN}: ${h.options.length}`,
    );
  }
  const headerLen = IPV4_HEADER_LEN + h.options.length;
  assertUint('IPv4 payload length', payloadLength, IPV4_MAX_PACKET_LEN - headerLen);
  return headerLen;
}

/** Writes a validated header; the payload's length is only used for Total Length. */
/**
 * Writes an IPv4 header at `o` from plain arguments, so a hot send path builds no repr object per
 * packet (the container stack calls this directly). The fixed 20 bytes are written here; options,
 * when `headerLen` > 20, must already sit behind them, because the checksum covers all
 * `headerLen` bytes. `fragmentOffset` is in bytes (a multiple of 8); `tos` is DSCP << 2 | ECN.
 * No validation: callers either validated a repr (`emitIpv4Header`) or own every value.
 */
export function writeIpv4Header(
  out: Uint8Array,
  o: number,
  totalLength: number,
  identification: number,
  dontFragment: boolean,
  moreFragments: boolean,
  fragmentOffset: number,
  ttl: number,
  protocol: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
  tos = 0,
  headerLen = IPV4_HEADER_LEN,
): void {
  const verIhl = (IPV4_VERSION << 4) | (headerLen / 4);
  const flagsFrag = (dontFragment ? IPV4_FLAG_DF : 0) | (moreFragments ? IPV4_FLAG_MF : 0) | (fragmentOffset / IPV4_FRAG_UNIT);
  out[o + IPV4_VER_IHL_OFFSET] = verIhl;
  out[o + IPV4_DSCP_ECN_OFFSET] = tos;
  writeU16(out, o + IPV4_TOTAL_LEN_OFFSET, totalLength);
  writeU16(out, o + IPV4_IDENT_OFFSET, identification);
  writeU16(out, o + IPV4_FLAGS_FRAG_OFFSET, flagsFrag);
  out[o + IPV4_TTL_OFFSET] = ttl;
  out[o + IPV4_PROTOCOL_OFFSET] = protocol;
  writeU32(out, o + IPV4_SRC_OFFSET, src);
  writeU32(out, o + IPV4_DST_OFFSET, dst);
  if (headerLen !== IPV4_HEADER_LEN) {
    writeU16(out, o + IPV4_CHECKSUM_OFFSET, 0);
    writeU16(out, o + IPV4_CHECKSUM_OFFSET, internetChecksum(out, o, o + headerLen));
    return;
  }
  // Without options the header is these ten 16-bit words (the checksum's own counted as 0), so
  // the sum is taken from the values rather than read back from the bytes just written; each
  // value is cut to the width written, so the result is the checksum of the bytes as written.
  const sum =
    (((verIhl & 0xff) << 8) | (tos & 0xff)) +
    (totalLength & 0xffff) +
    (identification & 0xffff) +
    (flagsFrag & 0xffff) +
    (((ttl & 0xff) << 8) | (protocol & 0xff)) +
    (src >>> 16) +
    (src & 0xffff) +
    (dst >>> 16) +
    (dst & 0xffff);
  writeU16(out, o + IPV4_CHECKSUM_OFFSET, checksumFinish(sum));
}

function writeHeader(h: Ipv4Header, headerLen: number, payloadLength: number, out: Uint8Array, o: number): void {
  out.set(h.options, o + IPV4_OPTIONS_OFFSET);
  writeIpv4Header(
    out,
    o,
    headerLen + payloadLength,
    h.identification,
    h.dontFragment,
    h.moreFragments,
    h.fragmentOffset,
    h.ttl,
    h.protocol,
    h.src,
    h.dst,
    (h.dscp << 2) | h.ecn,
    headerLen,
  );
}

/**
 * Writes the header only, for a payload of `payloadLength` bytes that is (or will be) placed
 * right after it, or sent beside it (`socket.send([header, payload])`). Returns the header length.
 */
export function emitIpv4Header(header: Ipv4Header, payloadLength: number, out: Uint8Array, offset: number): number {
  const headerLen = validateHeader(header, payloadLength);
  ensureRoom(out, offset, headerLen);
  writeHeader(header, headerLen, payloadLength, out, offset);
  return headerLen;
}

/** Writes header and payload; returns the bytes written. */
export function emitIpv4(repr: Ipv4Repr, out: Uint8Array, offset: number): number {
  const headerLen = validateHeader(repr, repr.payload.length);
  const total = headerLen + repr.payload.length;
  ensureRoom(out, offset, total);
  // Payload first: a payload overlapping the header's bytes is copied before they are written.
  placePayload(repr.payload, out, offset + headerLen);
  writeHeader(repr, headerLen, repr.payload.length, out, offset);
  return total;
}

/**
 * Forwarding's TTL step (RFC 1812 §5.3.1), in place, on a datagram that passed the receive checks.
 * Returns false and changes nothing when TTL ≤ 1: the datagram must not be forwarded, and the
 * ICMP Time Exceeded then quotes the header as it arrived (Linux `ip_forward` tests the TTL before
 * decrementing it). Otherwise decrements TTL, patches the header checksum incrementally
 * (RFC 1624 eqn. 3) and returns true.
 */
export function ipv4DecrementTtl(bytes: Uint8Array, offset: number): boolean {
  ensureRoom(bytes, offset, IPV4_HEADER_LEN);
  const ttl = bytes[offset + IPV4_TTL_OFFSET];
  if (ttl <= 1) return false;
  // TTL shares a 16-bit checksum word with Protocol.
  const oldWord = readU16(bytes, offset + IPV4_TTL_OFFSET);
  bytes[offset + IPV4_TTL_OFFSET] = ttl - 1;
  const sum = checksumUpdate16(readU16(bytes, offset + IPV4_CHECKSUM_OFFSET), oldWord, oldWord - 0x100);
  writeU16(bytes, offset + IPV4_CHECKSUM_OFFSET, sum);
  return true;
}
