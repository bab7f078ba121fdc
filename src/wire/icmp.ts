/**
 * ICMP for IPv4 (RFC 792), with the Fragmentation Needed MTU field of RFC 1191 §4.
 *
 *     0                   1                   2                   3
 *     |     Type      |     Code      |           Checksum            |
 *     |   echo: Identifier            |   echo: Sequence Number       |
 *     |   unreachable code 4: unused  |   Next-Hop MTU (RFC 1191)     |
 *     |   Data: echo payload, or the invoking datagram's IP header + its first data bytes …
 *
 * Receive: at least the 8-byte header, and a checksum that verifies over the whole message
 * (RFC 792: "The checksum is the 16-bit ones's complement of the one's complement sum of the ICMP
 * message starting with the ICMP Type"). Messages are sorted into kinds; every type/code pair that
 * is not an echo with code 0, a Destination Unreachable or a Time Exceeded is kept whole as
 * `other` (type, code and the 4 bytes after the checksum), so nothing is lost and
 * `parse(emit(r))` is `r` for every repr. Bytes RFC 792 calls "unused" are ignored on receive and
 * sent as zero (RFC 1122 §3.2.2: unused fields MUST be zero on send, ignored on receive).
 *
 * An error's payload is the quoted leading bytes of the invoking datagram; `icmpErrorQuote` picks
 * them when sending and `parseIcmpQuote` reads them on receive.
 */
import { drop, ok, type Result } from '../util/drop.js';
import { assertUint, ensureRoom, InvalidArgumentError } from '../util/errors.js';
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { checksumAdd, checksumFinish, internetChecksum } from './checksum.js';
import {
  checkIpv4HeaderShape,
  checkIpv4TotalLength,
  IPV4_HEADER_LEN,
  IPV4_TOTAL_LEN_OFFSET,
  IPV4_VER_IHL_OFFSET,
  Ipv4Packet,
  type Ipv4Repr,
} from './ipv4.js';
import { placePayload } from './payload.js';
import { formatTableValue } from './table.js';

export const ICMP_HEADER_LEN = 8;
export const ICMP_TYPE_OFFSET = 0;
export const ICMP_CODE_OFFSET = 1;
export const ICMP_CHECKSUM_OFFSET = 2;
/** The 4 type-specific bytes after the checksum ("rest of header"). */
export const ICMP_REST_OFFSET = 4;
export const ICMP_IDENT_OFFSET = 4;
export const ICMP_SEQ_OFFSET = 6;
/** RFC 1191 §4: the low-order 16 bits of the unused field of a Fragmentation Needed message. */
export const ICMP_NEXT_HOP_MTU_OFFSET = 6;
export const ICMP_MAX_NEXT_HOP_MTU = 0xffff;

/**
 * Largest datagram carrying an ICMP error: RFC 1812 §4.3.2.3 ("SHOULD contain as much of the
 * original datagram as possible without the length of the ICMP datagram exceeding 576 bytes") and
 * RFC 1122 §3.2.2 (at least the IP header + 8 data bytes). Linux `icmp_send` caps at the same 576.
 */
export const ICMP_ERROR_MAX_LEN = 576;
/** Longest quote in an ICMP error: 576 − outer IPv4 header (we send none with options) − ICMP header. */
export const ICMP_ERROR_QUOTE_MAX = ICMP_ERROR_MAX_LEN - IPV4_HEADER_LEN - ICMP_HEADER_LEN;
/** RFC 792: an error quotes "the internet header plus the first 64 bits of the original datagram's data". */
export const ICMP_QUOTE_MIN_DATA = 8;

/** ICMP types (IANA "ICMP Type Numbers"). Wire protocol: append-only. */
export const IcmpType = {
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  SOURCE_QUENCH: 4,
  REDIRECT: 5,
  ECHO_REQUEST: 8,
  ROUTER_ADVERTISEMENT: 9,
  ROUTER_SOLICITATION: 10,
  TIME_EXCEEDED: 11,
  PARAMETER_PROBLEM: 12,
  TIMESTAMP: 13,
  TIMESTAMP_REPLY: 14,
} as const;

/** Destination Unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1). Append-only. */
export const IcmpUnreachableCode = {
  NET: 0,
  HOST: 1,
  PROTOCOL: 2,
  PORT: 3,
  FRAG_NEEDED: 4,
  SOURCE_ROUTE_FAILED: 5,
  NET_UNKNOWN: 6,
  HOST_UNKNOWN: 7,
  SOURCE_HOST_ISOLATED: 8,
  NET_PROHIBITED: 9,
  HOST_PROHIBITED: 10,
  NET_TOS: 11,
  HOST_TOS: 12,
  ADMIN_PROHIBITED: 13,
  HOST_PRECEDENCE: 14,
  PRECEDENCE_CUTOFF: 15,
} as const;

/** Time Exceeded codes (RFC 792). Append-only. */
export const IcmpTimeExceededCode = {
  TTL: 0,
  REASSEMBLY: 1,
} as const;

/** `ECHO_REQUEST`, or `0x2a` for a type not in the table. */
export function formatIcmpType(n: number): string {
  return formatTableValue(IcmpType, n, 2);
}

export interface IcmpEchoRepr {
  readonly kind: 'echo-request' | 'echo-reply';
  readonly identifier: number;
  readonly sequence: number;
  /** Echoed back unchanged by the peer (a subarray). */
  readonly payload: Uint8Array;
}

export interface IcmpDestUnreachableRepr {
  readonly kind: 'dest-unreachable';
  /** An `IcmpUnreachableCode` value; unknown codes are kept. */
  readonly code: number;
  /** RFC 1191 §4 Next-Hop MTU, in bytes; 0 unless `code` is FRAG_NEEDED (or the sender left it 0). */
  readonly nextHopMtu: number;
  /** The quoted invoking datagram (a subarray). */
  readonly payload: Uint8Array;
}

export interface IcmpTimeExceededRepr {
  readonly kind: 'time-exceeded';
  /** An `IcmpTimeExceededCode` value; unknown codes are kept. */
  readonly code: number;
  /** The quoted invoking datagram (a subarray). */
  readonly payload: Uint8Array;
}

/** Any other type/code, kept whole. */
export interface IcmpOtherRepr {
  readonly kind: 'other';
  readonly type: number;
  readonly code: number;
  /** The 4 bytes after the checksum, as a big-endian u32. */
  readonly rest: number;
  readonly payload: Uint8Array;
}

export type IcmpRepr = IcmpEchoRepr | IcmpDestUnreachableRepr | IcmpTimeExceededRepr | IcmpOtherRepr;
export type IcmpKind = IcmpRepr['kind'];

/**
 * Which repr a type/code pair parses into. Echo needs code 0 (RFC 792: "Code 0"); an echo with
 * another code is `other`, so its code survives a round trip.
 */
export function icmpKindOf(type: number, code: number): IcmpKind {
  switch (type) {
    case IcmpType.ECHO_REQUEST:
      return code === 0 ? 'echo-request' : 'other';
    case IcmpType.ECHO_REPLY:
      return code === 0 ? 'echo-reply' : 'other';
    case IcmpType.DEST_UNREACHABLE:
      return 'dest-unreachable';
    case IcmpType.TIME_EXCEEDED:
      return 'time-exceeded';
    default:
      return 'other';
  }
}

/** Zero-copy view over an ICMP message. Field reads are unchecked. */
export class IcmpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps bytes whose length you have already checked (your own buffers). */
  static unchecked(bytes: Uint8Array): IcmpPacket {
    return new IcmpPacket(bytes);
  }

  /** Wraps bytes from a peer: checks the length and the checksum once. */
  static checked(bytes: Uint8Array): Result<IcmpPacket> {
    return checkIcmp(bytes) ?? ok(new IcmpPacket(bytes));
  }

  get type(): number {
    return this.bytes[ICMP_TYPE_OFFSET];
  }

  get code(): number {
    return this.bytes[ICMP_CODE_OFFSET];
  }

  get checksum(): number {
    return readU16(this.bytes, ICMP_CHECKSUM_OFFSET);
  }

  get rest(): number {
    return readU32(this.bytes, ICMP_REST_OFFSET);
  }

  /** Echo identifier (meaningful for echo request/reply only). */
  get identifier(): number {
    return readU16(this.bytes, ICMP_IDENT_OFFSET);
  }

  /** Echo sequence number (meaningful for echo request/reply only). */
  get sequence(): number {
    return readU16(this.bytes, ICMP_SEQ_OFFSET);
  }

  /** RFC 1191 Next-Hop MTU (meaningful for Fragmentation Needed only). */
  get nextHopMtu(): number {
    return readU16(this.bytes, ICMP_NEXT_HOP_MTU_OFFSET);
  }

  get payload(): Uint8Array {
    return this.bytes.subarray(ICMP_HEADER_LEN);
  }
}

function checkIcmp(bytes: Uint8Array) {
  if (bytes.length < ICMP_HEADER_LEN) return drop('truncated', 0, bytes.length);
  if (internetChecksum(bytes) !== 0) {
    return drop('bad-checksum', ICMP_CHECKSUM_OFFSET, readU16(bytes, ICMP_CHECKSUM_OFFSET));
  }
  return undefined;
}

/** Parses an ICMP message (the IPv4 payload) from a peer. Never throws. */
export function parseIcmp(bytes: Uint8Array): Result<IcmpRepr> {
  const bad = checkIcmp(bytes);
  if (bad) return bad;
  const type = bytes[ICMP_TYPE_OFFSET];
  const code = bytes[ICMP_CODE_OFFSET];
  const payload = bytes.subarray(ICMP_HEADER_LEN);
  const kind = icmpKindOf(type, code);
  switch (kind) {
    case 'echo-request':
    case 'echo-reply':
      return ok({ kind, identifier: readU16(bytes, ICMP_IDENT_OFFSET), sequence: readU16(bytes, ICMP_SEQ_OFFSET), payload });
    case 'dest-unreachable': {
      // RFC 1191 §4: only code 4 carries the MTU; for the other codes the field is unused.
      const nextHopMtu = code === IcmpUnreachableCode.FRAG_NEEDED ? readU16(bytes, ICMP_NEXT_HOP_MTU_OFFSET) : 0;
      return ok({ kind, code, nextHopMtu, payload });
    }
    case 'time-exceeded':
      return ok({ kind, code, payload });
    case 'other':
      return ok({ kind, type, code, rest: readU32(bytes, ICMP_REST_OFFSET), payload });
  }
}

/** Total bytes `emitIcmp` writes. */
export function icmpLen(repr: IcmpRepr): number {
  return ICMP_HEADER_LEN + repr.payload.length;
}

/** Throws `InvalidArgumentError` unless every field of `repr` fits its wire field. */
function validateIcmp(repr: IcmpRepr): void {
  switch (repr.kind) {
    case 'echo-request':
    case 'echo-reply':
      assertUint('ICMP identifier', repr.identifier, 0xffff);
      assertUint('ICMP sequence', repr.sequence, 0xffff);
      return;
    case 'dest-unreachable':
      assertUint('ICMP code', repr.code, 0xff);
      assertUint('ICMP next-hop MTU', repr.nextHopMtu, ICMP_MAX_NEXT_HOP_MTU);
      // RFC 1191 §4 gives the field a meaning for code 4 only; RFC 792 leaves it unused (zero).
      if (repr.nextHopMtu !== 0 && repr.code !== IcmpUnreachableCode.FRAG_NEEDED) {
        throw new InvalidArgumentError(`ICMP next-hop MTU is only sent with code FRAG_NEEDED (4), not ${repr.code}`);
      }
      return;
    case 'time-exceeded':
      assertUint('ICMP code', repr.code, 0xff);
      return;
    case 'other': {
      assertUint('ICMP type', repr.type, 0xff);
      assertUint('ICMP code', repr.code, 0xff);
      assertUint('ICMP rest of header', repr.rest, 0xffff_ffff);
      const kind = icmpKindOf(repr.type, repr.code);
      if (kind !== 'other') {
        throw new InvalidArgumentError(`ICMP type ${repr.type} code ${repr.code} is sent as kind '${kind}', not 'other'`);
      }
      return;
    }
  }
}

/** Writes type, code, a zero checksum and the 4 "rest of header" bytes of a validated repr. */
function writeFields(repr: IcmpRepr, out: Uint8Array, o: number): void {
  let type: number;
  let code: number;
  let rest: number;
  switch (repr.kind) {
    case 'echo-request':
    case 'echo-reply':
      type = repr.kind === 'echo-request' ? IcmpType.ECHO_REQUEST : IcmpType.ECHO_REPLY;
      code = 0;
      rest = repr.identifier * 0x1_0000 + repr.sequence;
      break;
    case 'dest-unreachable':
      type = IcmpType.DEST_UNREACHABLE;
      code = repr.code;
      rest = repr.nextHopMtu;
      break;
    case 'time-exceeded':
      type = IcmpType.TIME_EXCEEDED;
      code = repr.code;
      rest = 0;
      break;
    case 'other':
      type = repr.type;
      code = repr.code;
      rest = repr.rest;
      break;
  }
  out[o + ICMP_TYPE_OFFSET] = type;
  out[o + ICMP_CODE_OFFSET] = code;
  writeU16(out, o + ICMP_CHECKSUM_OFFSET, 0);
  writeU32(out, o + ICMP_REST_OFFSET, rest);
}

/**
 * Writes the 8-byte header only, with the checksum over it and `repr.payload` wherever that lives
 * (for gathered sends: `socket.send([ipHeader, icmpHeader, payload])`). Returns 8.
 */
export function emitIcmpHeader(repr: IcmpRepr, out: Uint8Array, offset: number): number {
  validateIcmp(repr);
  ensureRoom(out, offset, ICMP_HEADER_LEN);
  writeFields(repr, out, offset);
  // The header is 8 bytes, so the payload's 16-bit words line up with the message's.
  const sum = checksumAdd(repr.payload, 0, repr.payload.length, checksumAdd(out, offset, offset + ICMP_HEADER_LEN));
  writeU16(out, offset + ICMP_CHECKSUM_OFFSET, checksumFinish(sum));
  return ICMP_HEADER_LEN;
}

/** Writes header and payload; returns the bytes written. */
export function emitIcmp(repr: IcmpRepr, out: Uint8Array, offset: number): number {
  validateIcmp(repr);
  const total = icmpLen(repr);
  ensureRoom(out, offset, total);
  // Payload first: a quote taken from the same buffer may overlap the bytes the header goes into.
  placePayload(repr.payload, out, offset + ICMP_HEADER_LEN);
  writeFields(repr, out, offset);
  writeU16(out, offset + ICMP_CHECKSUM_OFFSET, internetChecksum(out, offset, offset + total));
  return total;
}

/**
 * The part of `datagram` (a received IPv4 datagram, header first) that an ICMP error about it
 * quotes. We quote as Linux's `icmp_send` does: the whole datagram up to its Total Length (never
 * trailing link padding), cut at `ICMP_ERROR_QUOTE_MAX` bytes so that the error datagram stays
 * within 576 bytes (RFC 1812 §4.3.2.3). That is always at least the IP header + 8 data bytes
 * RFC 792 asks for, when the datagram has them. A subarray, not a copy.
 */
export function icmpErrorQuote(datagram: Uint8Array): Uint8Array {
  let length = datagram.length;
  if (length >= IPV4_HEADER_LEN) {
    const total = readU16(datagram, IPV4_TOTAL_LEN_OFFSET);
    if (total >= IPV4_HEADER_LEN && total < length) length = total;
  }
  return datagram.subarray(0, Math.min(length, ICMP_ERROR_QUOTE_MAX));
}

/**
 * Reads the quoted datagram in an ICMP error's payload: its IPv4 header and the data bytes present
 * (`payload`, at most up to Total Length). Requires the whole header plus 8 data bytes, as Linux's
 * `icmp_socket_deliver` does before handing an error to TCP/UDP (RFC 792 promises them). The
 * quoted header's checksum is not verified, as Linux does not verify it: the outer ICMP checksum
 * already covers these bytes. Drop offsets are relative to the quote (`shiftDrop` re-bases them).
 */
export function parseIcmpQuote(quote: Uint8Array): Result<Ipv4Repr> {
  const bad = checkIpv4HeaderShape(quote) ?? checkIpv4TotalLength(quote);
  if (bad) return bad;
  const headerLen = (quote[IPV4_VER_IHL_OFFSET] & 0x0f) * 4;
  if (quote.length < headerLen + ICMP_QUOTE_MIN_DATA) return drop('truncated', 0, quote.length);
  return ok(Ipv4Packet.unchecked(quote).toRepr());
}
