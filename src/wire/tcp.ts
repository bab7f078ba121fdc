/**
 * TCP header (RFC 9293 §3.1) over IPv4, with the options Linux negotiates: MSS (RFC 9293 §3.2,
 * RFC 6691), window scale and timestamps (RFC 7323), SACK-permitted and SACK (RFC 2018). Options
 * are decoded and written by tcp-options.ts, whose exports this module re-exports.
 *
 *     |          Source Port          |       Destination Port        |
 *     |                        Sequence Number                        |
 *     |                    Acknowledgment Number                      |
 *     |  DOff |Rsrvd|A|C|E|U|A|P|R|S|F|            Window             |
 *     |           Checksum            |         Urgent Pointer        |
 *     |                    Options (0–40 bytes)                       |
 *
 * `flags` is the low 12 bits of the word at offset 12, numbered as tshark's `tcp.flags`: the eight
 * RFC 9293 control bits, AE (bit 8, Accurate ECN; RFC 3540's NS before it) and three reserved bits.
 * RFC 9293 §3.1 says reserved bits "must be ignored in received segments"; we keep them in the repr
 * rather than drop them, so that a segment can be re-emitted exactly and a trace shows what came.
 *
 * Receive: data offset ≥ 5 (`bad-length`) and within the bytes present (`truncated`), checksum over
 * pseudo-header and segment (`bad-checksum`), then options bounded by the data offset
 * (`malformed`). The codec reports what is on the wire and applies no policy (see tcp-options.ts).
 *
 * Send: the checksum is computed over pseudo-header, header and payload; options go out in
 * Linux's `tcp_options_write` order (tcp-options.ts).
 */
import { drop, ok, type Result } from '../util/drop.js';
import { assertUint, ensureRoom, InvalidArgumentError } from '../util/errors.js';
import type { Ipv4Addr } from './address.js';
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { checksumAdd, checksumFinish, pseudoHeaderSum } from './checksum.js';
import { placePayload } from './payload.js';
import {
  parseTcpOptions,
  TCP_MAX_OPTIONS_LEN,
  TCP_OPTIONS_OFFSET,
  tcpOptionsLen,
  validateTcpOptions,
  writeTcpOptions,
  type TcpOptions,
} from './tcp-options.js';

// What tcp.ts exported before the options moved out; the option writer and validator are new and
// live in tcp-options.ts only.
export {
  formatTcpOptionKind,
  parseTcpOptions,
  TCP_MAX_OPTIONS_LEN,
  TCP_MAX_SACK_BLOCKS,
  TCP_MAX_WINDOW_SCALE,
  TCP_NO_OPTIONS,
  TCP_OPT_MSS_LEN,
  TCP_OPT_SACK_BASE_LEN,
  TCP_OPT_SACK_PERMITTED_LEN,
  TCP_OPT_TIMESTAMPS_LEN,
  TCP_OPT_WINDOW_SCALE_LEN,
  TCP_OPTIONS_OFFSET,
  TCP_SACK_BLOCK_LEN,
  TcpOptionKind,
  tcpOptionsLen,
  type TcpOptions,
  type TcpSackBlock,
  type TcpTimestamps,
  type TcpUnknownOption,
} from './tcp-options.js';

export const TCP_HEADER_LEN = 20;
export const TCP_MAX_HEADER_LEN = TCP_HEADER_LEN + TCP_MAX_OPTIONS_LEN;
/** The pseudo-header's length field is 16 bits (RFC 9293 §3.1): no IPv4 segment is longer. */
export const TCP_MAX_SEGMENT_LEN = 0xffff;
export const TCP_PORT_MAX = 0xffff;
/** Smallest data offset, in 32-bit words: the fixed header. */
export const TCP_MIN_DATA_OFFSET = TCP_HEADER_LEN / 4;

export const TCP_SRC_PORT_OFFSET = 0;
export const TCP_DST_PORT_OFFSET = 2;
export const TCP_SEQ_OFFSET = 4;
export const TCP_ACK_OFFSET = 8;
/** 16-bit word: data offset (top 4 bits) and flags (low 12 bits). */
export const TCP_OFFSET_FLAGS_OFFSET = 12;
export const TCP_WINDOW_OFFSET = 14;
export const TCP_CHECKSUM_OFFSET = 16;
export const TCP_URGENT_OFFSET = 18;

/** Control bits in the low 12 bits of the word at offset 12. Wire protocol: values are append-only. */
export const TcpFlag = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  /** Accurate ECN (formerly NS, RFC 3540, historic). */
  AE: 0x100,
} as const;
export const TCP_FLAGS_MASK = 0x0fff;
/** Bits 9–11: reserved (RFC 9293 §3.1); kept, never interpreted. */
export const TCP_RESERVED_FLAGS = 0x0e00;

export interface TcpRepr {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** `TcpFlag` bits; 12 bits including AE and the reserved bits. */
  readonly flags: number;
  /** Window field as sent, unscaled. */
  readonly window: number;
  readonly urgentPointer: number;
  readonly options: TcpOptions;
  /** Segment data: a view into the parsed bytes. */
  readonly payload: Uint8Array;
}

/** IPv4 protocol number of TCP, for the pseudo-header (IANA; the IPv4 codec owns the table). */
const PROTO_TCP = 6;

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'] as const;

/** Flags as tshark's Info column shows them: `[SYN, ACK]`, `[<None>]`, `[FIN, Reserved]`. */
export function formatTcpFlags(flags: number): string {
  const names: string[] = [];
  FLAG_NAMES.forEach((name, bit) => {
    if (flags & (1 << bit)) names.push(name);
  });
  if (flags & TCP_RESERVED_FLAGS) names.push('Reserved');
  return `[${names.length === 0 ? '<None>' : names.join(', ')}]`;
}

/** Zero-copy view over a TCP segment. Field reads are unchecked. */
export class TcpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps bytes whose length you have already checked (your own buffers). */
  static unchecked(bytes: Uint8Array): TcpPacket {
    return new TcpPacket(bytes);
  }

  /**
   * Wraps bytes from a peer: checks the data offset and the checksum once. Options are decoded
   * (and checked) on demand by `options()`.
   */
  static checked(bytes: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): Result<TcpPacket> {
    const bad = checkTcp(bytes, src, dst);
    return bad ?? ok(new TcpPacket(bytes));
  }

  get srcPort(): number {
    return readU16(this.bytes, TCP_SRC_PORT_OFFSET);
  }

  get dstPort(): number {
    return readU16(this.bytes, TCP_DST_PORT_OFFSET);
  }

  get seq(): number {
    return readU32(this.bytes, TCP_SEQ_OFFSET);
  }

  get ack(): number {
    return readU32(this.bytes, TCP_ACK_OFFSET);
  }

  /** Header length in 32-bit words. */
  get dataOffset(): number {
    return this.bytes[TCP_OFFSET_FLAGS_OFFSET] >>> 4;
  }

  /** Header length in bytes, options included. */
  get headerLen(): number {
    return this.dataOffset * 4;
  }

  get flags(): number {
    return readU16(this.bytes, TCP_OFFSET_FLAGS_OFFSET) & TCP_FLAGS_MASK;
  }

  get window(): number {
    return readU16(this.bytes, TCP_WINDOW_OFFSET);
  }

  get checksum(): number {
    return readU16(this.bytes, TCP_CHECKSUM_OFFSET);
  }

  get urgentPointer(): number {
    return readU16(this.bytes, TCP_URGENT_OFFSET);
  }

  /** The raw option area, `bytes[20..headerLen)`. */
  get optionBytes(): Uint8Array {
    return this.bytes.subarray(TCP_OPTIONS_OFFSET, this.headerLen);
  }

  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLen);
  }

  options(): Result<TcpOptions> {
    return parseTcpOptions(this.bytes.subarray(0, this.headerLen));
  }
}

function checkTcp(bytes: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr) {
  if (bytes.length < TCP_HEADER_LEN) return drop('truncated', 0, bytes.length);
  if (bytes.length > TCP_MAX_SEGMENT_LEN) return drop('too-large', 0, bytes.length);
  const dataOffset = bytes[TCP_OFFSET_FLAGS_OFFSET] >>> 4;
  // RFC 9293 §3.1: "Data Offset (DOffset): 4 bits. The number of 32-bit words in the TCP header";
  // the fixed header alone is 5.
  if (dataOffset < TCP_MIN_DATA_OFFSET) return drop('bad-length', TCP_OFFSET_FLAGS_OFFSET, dataOffset);
  if (dataOffset * 4 > bytes.length) return drop('truncated', TCP_OFFSET_FLAGS_OFFSET, dataOffset);
  // RFC 9293 §3.1: the checksum covers the pseudo-header, the header and the data; summing all of
  // it with the checksum in place gives 0 after complementing when intact.
  const sum = checksumAdd(bytes, 0, bytes.length, pseudoHeaderSum(src, dst, PROTO_TCP, bytes.length));
  if (checksumFinish(sum) !== 0) {
    return drop('bad-checksum', TCP_CHECKSUM_OFFSET, readU16(bytes, TCP_CHECKSUM_OFFSET));
  }
  return undefined;
}

/** Reads a TCP segment from a peer; `src`/`dst` are the carrying IPv4 header's addresses. */
export function parseTcp(bytes: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): Result<TcpRepr> {
  const bad = checkTcp(bytes, src, dst);
  if (bad) return bad;
  const headerLen = (bytes[TCP_OFFSET_FLAGS_OFFSET] >>> 4) * 4;
  const options = parseTcpOptions(bytes.subarray(0, headerLen));
  if (!options.ok) return options;
  return ok({
    srcPort: readU16(bytes, TCP_SRC_PORT_OFFSET),
    dstPort: readU16(bytes, TCP_DST_PORT_OFFSET),
    seq: readU32(bytes, TCP_SEQ_OFFSET),
    ack: readU32(bytes, TCP_ACK_OFFSET),
    flags: readU16(bytes, TCP_OFFSET_FLAGS_OFFSET) & TCP_FLAGS_MASK,
    window: readU16(bytes, TCP_WINDOW_OFFSET),
    urgentPointer: readU16(bytes, TCP_URGENT_OFFSET),
    options: options.value,
    payload: bytes.subarray(headerLen),
  });
}

export function tcpHeaderLen(repr: TcpRepr): number {
  return TCP_HEADER_LEN + tcpOptionsLen(repr.options);
}

export function tcpLen(repr: TcpRepr): number {
  return tcpHeaderLen(repr) + repr.payload.length;
}

function checkRepr(repr: TcpRepr): void {
  assertUint('TCP source port', repr.srcPort, TCP_PORT_MAX);
  assertUint('TCP destination port', repr.dstPort, TCP_PORT_MAX);
  assertUint('TCP sequence number', repr.seq, 0xffff_ffff);
  assertUint('TCP acknowledgment number', repr.ack, 0xffff_ffff);
  assertUint('TCP flags', repr.flags, TCP_FLAGS_MASK);
  assertUint('TCP window', repr.window, 0xffff);
  assertUint('TCP urgent pointer', repr.urgentPointer, 0xffff);
  const optionsLen = validateTcpOptions(repr.options);
  const total = TCP_HEADER_LEN + optionsLen + repr.payload.length;
  if (total > TCP_MAX_SEGMENT_LEN) {
    throw new InvalidArgumentError(`TCP segment of ${total} bytes exceeds ${TCP_MAX_SEGMENT_LEN}`);
  }
}

/**
 * Writes the header and options only, for gathered sends (`socket.send([header, payload])`): the
 * checksum is summed over `repr.payload` where it lies, without copying it. Returns the header length.
 */
export function emitTcpHeader(repr: TcpRepr, out: Uint8Array, offset: number, src: Ipv4Addr, dst: Ipv4Addr): number {
  checkRepr(repr);
  const headerLen = tcpHeaderLen(repr);
  ensureRoom(out, offset, headerLen);
  writeU16(out, offset + TCP_SRC_PORT_OFFSET, repr.srcPort);
  writeU16(out, offset + TCP_DST_PORT_OFFSET, repr.dstPort);
  writeU32(out, offset + TCP_SEQ_OFFSET, repr.seq);
  writeU32(out, offset + TCP_ACK_OFFSET, repr.ack);
  writeU16(out, offset + TCP_OFFSET_FLAGS_OFFSET, ((headerLen / 4) << 12) | repr.flags);
  writeU16(out, offset + TCP_WINDOW_OFFSET, repr.window);
  writeU16(out, offset + TCP_CHECKSUM_OFFSET, 0);
  writeU16(out, offset + TCP_URGENT_OFFSET, repr.urgentPointer);
  writeTcpOptions(repr.options, out, offset + TCP_OPTIONS_OFFSET);
  // The header is a whole number of 32-bit words, so the payload's words line up when summed apart.
  let sum = pseudoHeaderSum(src, dst, PROTO_TCP, headerLen + repr.payload.length);
  sum = checksumAdd(out, offset, offset + headerLen, sum);
  sum = checksumAdd(repr.payload, 0, repr.payload.length, sum);
  writeU16(out, offset + TCP_CHECKSUM_OFFSET, checksumFinish(sum));
  return headerLen;
}

/** Writes header, options and payload; returns the bytes written. */
export function emitTcp(repr: TcpRepr, out: Uint8Array, offset: number, src: Ipv4Addr, dst: Ipv4Addr): number {
  const length = tcpLen(repr);
  ensureRoom(out, offset, length);
  const headerLen = emitTcpHeader(repr, out, offset, src, dst);
  placePayload(repr.payload, out, offset + headerLen);
  return length;
}
