/**
 * UDP header (RFC 768) over IPv4.
 *
 *      0      7 8     15 16    23 24    31
 *     |   Source Port   | Destination Port|
 *     |     Length      |    Checksum     |
 *     |          data octets ...
 *
 * Receive: the length field must be at least the header (8) and no more than the bytes present;
 * bytes after `length` (link padding, e.g. a 60-byte minimum Ethernet frame) are not payload. A
 * checksum of 0 means the sender computed none and is accepted (RFC 768: "An all zero transmitted
 * checksum value means that the transmitter generated no checksum"); any other value must verify
 * over the pseudo-header and the datagram, or the datagram is dropped as `bad-checksum`.
 *
 * Send: the checksum is computed by default, and a computed 0 goes out as 0xffff (RFC 768: "If the
 * computed checksum is zero, it is transmitted as all ones"). `checksum: false` sends 0, as Docker's
 * VXLAN did on old kernels (reference §1.1); today's kernels compute the outer checksum.
 *
 * The checksum needs the IPv4 source and destination, so parse and emit take them: UDP is never
 * parsed apart from the IPv4 header that carried it.
 */
import { drop, ok, type Result } from '../util/drop.js';
import { assertUint, ensureRoom, InvalidArgumentError } from '../util/errors.js';
import type { Ipv4Addr } from './address.js';
import { readU16, view, writeU16 } from './bytes.js';
import { checksumAdd, checksumFinish, pseudoHeaderSum } from './checksum.js';
import { placePayload } from './payload.js';

export const UDP_HEADER_LEN = 8;
export const UDP_SRC_PORT_OFFSET = 0;
export const UDP_DST_PORT_OFFSET = 2;
export const UDP_LENGTH_OFFSET = 4;
export const UDP_CHECKSUM_OFFSET = 6;
/** The length field is 16 bits and counts the header: the largest datagram it can describe. */
export const UDP_MAX_LEN = 0xffff;
export const UDP_MAX_PAYLOAD_LEN = UDP_MAX_LEN - UDP_HEADER_LEN;
export const UDP_PORT_MAX = 0xffff;
/** IPv4 protocol number of UDP, for the pseudo-header (IANA; the IPv4 codec owns the table). */
const PROTO_UDP = 17;

export interface UdpRepr {
  readonly srcPort: number;
  readonly dstPort: number;
  /** The datagram's data: `bytes[8..length)`, a view into the parsed bytes. */
  readonly payload: Uint8Array;
}

export interface UdpEmitOptions {
  /** Compute the checksum (default). `false` sends 0, "no checksum" (RFC 768). */
  readonly checksum?: boolean;
}

/** Zero-copy view over a UDP datagram. Field reads are unchecked. */
export class UdpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps bytes whose length you have already checked (your own buffers). */
  static unchecked(bytes: Uint8Array): UdpPacket {
    return new UdpPacket(bytes);
  }

  /** Wraps bytes from a peer: checks the length field and the checksum once. */
  static checked(bytes: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): Result<UdpPacket> {
    const bad = checkUdp(bytes, src, dst);
    return bad ?? ok(new UdpPacket(bytes));
  }

  get srcPort(): number {
    return readU16(this.bytes, UDP_SRC_PORT_OFFSET);
  }

  get dstPort(): number {
    return readU16(this.bytes, UDP_DST_PORT_OFFSET);
  }

  /** Header plus data, in bytes, as the sender declared it. */
  get length(): number {
    return readU16(this.bytes, UDP_LENGTH_OFFSET);
  }

  /** The checksum field as sent; 0 means none was computed. */
  get checksum(): number {
    return readU16(this.bytes, UDP_CHECKSUM_OFFSET);
  }

  /** `bytes[8..length)`: trailing bytes beyond the length field are not part of the datagram. */
  get payload(): Uint8Array {
    return view(this.bytes, UDP_HEADER_LEN, this.length);
  }
}

function checkUdp(bytes: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr) {
  if (bytes.length < UDP_HEADER_LEN) return drop('truncated', 0, bytes.length);
  const length = readU16(bytes, UDP_LENGTH_OFFSET);
  // RFC 768: "Length is the length in octets of this user datagram including this header ...
  // the minimum value of the length is eight."
  if (length < UDP_HEADER_LEN) return drop('bad-length', UDP_LENGTH_OFFSET, length);
  if (length > bytes.length) return drop('truncated', UDP_LENGTH_OFFSET, length);
  const sent = readU16(bytes, UDP_CHECKSUM_OFFSET);
  if (sent !== 0) {
    // Summing the datagram with its checksum in place gives 0 after complementing when intact.
    const sum = checksumAdd(bytes, 0, length, pseudoHeaderSum(src, dst, PROTO_UDP, length));
    if (checksumFinish(sum) !== 0) return drop('bad-checksum', UDP_CHECKSUM_OFFSET, sent);
  }
  return undefined;
}

/** Reads a UDP datagram from a peer; `src`/`dst` are the carrying IPv4 header's addresses. */
export function parseUdp(bytes: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): Result<UdpRepr> {
  const bad = checkUdp(bytes, src, dst);
  if (bad) return bad;
  return ok({
    srcPort: readU16(bytes, UDP_SRC_PORT_OFFSET),
    dstPort: readU16(bytes, UDP_DST_PORT_OFFSET),
    payload: bytes.subarray(UDP_HEADER_LEN, readU16(bytes, UDP_LENGTH_OFFSET)),
  });
}

export function udpLen(repr: UdpRepr): number {
  return UDP_HEADER_LEN + repr.payload.length;
}

/**
 * Writes the 8-byte header only, for gathered sends (`socket.send([header, payload])`): the
 * checksum is summed over `repr.payload` where it lies, without copying it. Returns 8.
 */
export function emitUdpHeader(
  repr: UdpRepr,
  out: Uint8Array,
  offset: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
  opts?: UdpEmitOptions,
): number {
  assertUint('UDP source port', repr.srcPort, UDP_PORT_MAX);
  assertUint('UDP destination port', repr.dstPort, UDP_PORT_MAX);
  if (repr.payload.length > UDP_MAX_PAYLOAD_LEN) {
    throw new InvalidArgumentError(`UDP payload of ${repr.payload.length} bytes exceeds ${UDP_MAX_PAYLOAD_LEN}`);
  }
  ensureRoom(out, offset, UDP_HEADER_LEN);
  if (opts?.checksum !== false) {
    writeUdpHeader(out, offset, repr.srcPort, repr.dstPort, repr.payload, src, dst);
  } else {
    writeU16(out, offset + UDP_SRC_PORT_OFFSET, repr.srcPort);
    writeU16(out, offset + UDP_DST_PORT_OFFSET, repr.dstPort);
    writeU16(out, offset + UDP_LENGTH_OFFSET, udpLen(repr));
    writeU16(out, offset + UDP_CHECKSUM_OFFSET, 0);
  }
  return UDP_HEADER_LEN;
}

/**
 * Writes the 8-byte header at `out[offset..]` from plain arguments, for a hot send path that builds
 * no repr object per datagram (the container stack): `payload` is the datagram's data, summed for
 * the checksum where it lies (not copied). Always computes the checksum. No validation: the
 * caller owns every value (ports in range, payload within `UDP_MAX_PAYLOAD_LEN`, room in `out`);
 * `emitUdpHeader` is the checked form and writes the same bytes.
 */
export function writeUdpHeader(out: Uint8Array, offset: number, srcPort: number, dstPort: number, payload: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): void {
  const length = UDP_HEADER_LEN + payload.length;
  writeU16(out, offset + UDP_SRC_PORT_OFFSET, srcPort);
  writeU16(out, offset + UDP_DST_PORT_OFFSET, dstPort);
  writeU16(out, offset + UDP_LENGTH_OFFSET, length);
  // The header is 8 bytes (even), so the payload's words line up when summed separately.
  const sum = checksumAdd(payload, 0, payload.length, pseudoHeaderSum(src, dst, PROTO_UDP, length) + srcPort + dstPort + length);
  const checksum = checksumFinish(sum);
  // RFC 768: a computed zero is sent as all ones, since 0 on the wire means "no checksum".
  writeU16(out, offset + UDP_CHECKSUM_OFFSET, checksum === 0 ? 0xffff : checksum);
}

/** Writes header and payload; returns the bytes written. */
export function emitUdp(
  repr: UdpRepr,
  out: Uint8Array,
  offset: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
  opts?: UdpEmitOptions,
): number {
  const length = udpLen(repr);
  ensureRoom(out, offset, length);
  // Header first: it validates the repr before anything is written past it.
  emitUdpHeader(repr, out, offset, src, dst, opts);
  placePayload(repr.payload, out, offset + UDP_HEADER_LEN);
  return length;
}
