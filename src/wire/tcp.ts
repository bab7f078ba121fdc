/**
 * TCP header (RFC 9293 §3.1) over IPv4, with the options Linux negotiates: MSS (RFC 9293 §3.2,
 * RFC 6691), window scale and timestamps (RFC 7323), SACK-permitted and SACK (RFC 2018).
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
 * (`malformed`). The codec reports what is on the wire and applies no policy: it keeps a window
 * scale above 14 as given (RFC 7323 §2.3 says to use 14 — that clamp belongs to the TCP state
 * machine, see `TCP_MAX_WINDOW_SCALE`), and it decodes MSS, window scale and SACK-permitted on any
 * segment although they are only meaningful on a SYN (the state machine ignores them elsewhere).
 * A repeated option keeps its last occurrence, as Linux's `tcp_parse_options` does.
 *
 * Send: options in Linux's `tcp_options_write` order and 32-bit alignment, so that a SYN carrying
 * all four is `02 04 05 b4 | 04 02 08 0a <TSval> <TSecr> | 01 03 03 07`.
 */
import { drop, ok, type Result } from '../util/drop.js';
import { ensureRoom, InvalidArgumentError } from '../util/errors.js';
import type { Ipv4Addr } from './address.js';
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { checksumAdd, checksumFinish, pseudoHeaderSum } from './checksum.js';
import { placePayload } from './payload.js';

export const TCP_HEADER_LEN = 20;
export const TCP_MAX_HEADER_LEN = 60;
export const TCP_MAX_OPTIONS_LEN = TCP_MAX_HEADER_LEN - TCP_HEADER_LEN;
/** The most SACK blocks a 40-byte option area can carry (RFC 2018 §3). */
export const TCP_MAX_SACK_BLOCKS = 4;
/** Largest usable shift count (RFC 7323 §2.3); larger received values are the state machine's to clamp. */
export const TCP_MAX_WINDOW_SCALE = 14;
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
export const TCP_OPTIONS_OFFSET = 20;

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

/** Option kinds (IANA "TCP Option Kind Numbers"). Wire protocol: values are append-only. */
export const TcpOptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
  /** Not decoded (kept in `unknown`): named for traces only. */
  MD5_SIGNATURE: 19,
  TCP_AO: 29,
  MPTCP: 30,
  FAST_OPEN: 34,
} as const;

/** Total length (kind and length bytes included) of each fixed-size option. */
export const TCP_OPT_MSS_LEN = 4;
export const TCP_OPT_WINDOW_SCALE_LEN = 3;
export const TCP_OPT_SACK_PERMITTED_LEN = 2;
export const TCP_OPT_TIMESTAMPS_LEN = 10;
export const TCP_OPT_SACK_BASE_LEN = 2;
export const TCP_SACK_BLOCK_LEN = 8;
/** An option's length byte counts kind and length: below 2 it cannot describe itself. */
const TCP_OPT_MIN_LEN = 2;

export interface TcpTimestamps {
  /** TSval: the sender's timestamp clock. */
  readonly value: number;
  /** TSecr: the TSval being echoed (0 on a SYN). */
  readonly echo: number;
}

/** `[left edge, right edge)` of a received block, as 32-bit sequence numbers. */
export type TcpSackBlock = readonly [number, number];

/** An option this codec does not decode: its kind and the bytes after the length byte (a view). */
export interface TcpUnknownOption {
  readonly kind: number;
  readonly data: Uint8Array;
}

export interface TcpOptions {
  /** Maximum segment size, bytes (RFC 6691: the IP MTU less 40). */
  readonly mss?: number;
  /** Shift count as received, possibly above `TCP_MAX_WINDOW_SCALE`. */
  readonly windowScale?: number;
  readonly sackPermitted?: boolean;
  /** Emitting an empty list writes no SACK option. */
  readonly sack?: readonly TcpSackBlock[];
  readonly timestamps?: TcpTimestamps;
  /** Unrecognised options, in wire order. */
  readonly unknown?: readonly TcpUnknownOption[];
}

/** Shared options of a segment that carries none (no allocation per segment). */
export const TCP_NO_OPTIONS: TcpOptions = Object.freeze({});

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

const OPTION_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(TcpOptionKind).map(([k, v]) => [v, k]));

/** `MSS`, `SACK_PERMITTED` … or `0x1e`-style hex for kinds not in the table. */
export function formatTcpOptionKind(kind: number): string {
  return OPTION_NAMES.get(kind) ?? `0x${kind.toString(16).padStart(2, '0')}`;
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

type MutableOptions = { -readonly [K in keyof TcpOptions]: TcpOptions[K] };

/**
 * Decodes the options of a TCP header: `header` runs from the first byte of the TCP header to the
 * end of its options (`data offset × 4`); drop offsets are relative to it. RFC 9293 §3.2: an option
 * is a kind byte, or kind, length (counting both) and data; EOL ends the list and what follows it
 * is padding; NOP aligns.
 */
export function parseTcpOptions(header: Uint8Array): Result<TcpOptions> {
  const end = header.length;
  if (end <= TCP_OPTIONS_OFFSET) return ok(TCP_NO_OPTIONS);
  const opts: MutableOptions = {};
  let unknown: TcpUnknownOption[] | undefined;
  let i = TCP_OPTIONS_OFFSET;
  while (i < end) {
    const kind = header[i];
    if (kind === TcpOptionKind.EOL) break;
    if (kind === TcpOptionKind.NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return drop('malformed', i, kind);
    const len = header[i + 1];
    if (len < TCP_OPT_MIN_LEN || i + len > end) return drop('malformed', i + 1, len);
    switch (kind) {
      case TcpOptionKind.MSS:
        if (len !== TCP_OPT_MSS_LEN) return drop('malformed', i + 1, len);
        opts.mss = readU16(header, i + 2);
        break;
      case TcpOptionKind.WINDOW_SCALE:
        if (len !== TCP_OPT_WINDOW_SCALE_LEN) return drop('malformed', i + 1, len);
        opts.windowScale = header[i + 2];
        break;
      case TcpOptionKind.SACK_PERMITTED:
        if (len !== TCP_OPT_SACK_PERMITTED_LEN) return drop('malformed', i + 1, len);
        opts.sackPermitted = true;
        break;
      case TcpOptionKind.TIMESTAMPS:
        if (len !== TCP_OPT_TIMESTAMPS_LEN) return drop('malformed', i + 1, len);
        opts.timestamps = { value: readU32(header, i + 2), echo: readU32(header, i + 6) };
        break;
      case TcpOptionKind.SACK: {
        // RFC 2018 §3: "Length: Variable", 2 + 8n for n blocks; at least one block.
        const n = (len - TCP_OPT_SACK_BASE_LEN) / TCP_SACK_BLOCK_LEN;
        if (!Number.isInteger(n) || n < 1 || n > TCP_MAX_SACK_BLOCKS) return drop('malformed', i + 1, len);
        const blocks: TcpSackBlock[] = [];
        for (let b = i + TCP_OPT_SACK_BASE_LEN; b < i + len; b += TCP_SACK_BLOCK_LEN) {
          blocks.push([readU32(header, b), readU32(header, b + 4)]);
        }
        opts.sack = blocks;
        break;
      }
      default:
        (unknown ??= []).push({ kind, data: header.subarray(i + 2, i + len) });
    }
    i += len;
  }
  if (unknown) opts.unknown = unknown;
  return ok(opts);
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

/** Bytes the options take once emitted, padding to a 32-bit boundary included. */
export function tcpOptionsLen(o: TcpOptions): number {
  let n = 0;
  if (o.mss !== undefined) n += 4;
  if (o.timestamps !== undefined) n += 12; // NOP NOP (or SACK-permitted) + 10
  if (o.sackPermitted && o.timestamps === undefined) n += 4; // NOP NOP + 2
  if (o.windowScale !== undefined) n += 4; // NOP + 3
  if (o.sack !== undefined && o.sack.length > 0) n += 4 + o.sack.length * TCP_SACK_BLOCK_LEN;
  if (o.unknown !== undefined) for (const u of o.unknown) n += 2 + u.data.length;
  return (n + 3) & ~3;
}

export function tcpHeaderLen(repr: TcpRepr): number {
  return TCP_HEADER_LEN + tcpOptionsLen(repr.options);
}

export function tcpLen(repr: TcpRepr): number {
  return tcpHeaderLen(repr) + repr.payload.length;
}

function checkRange(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgumentError(`TCP ${what} out of range 0..${max}: ${v}`);
  }
}

const DECODED_KINDS: ReadonlySet<number> = new Set([
  TcpOptionKind.EOL,
  TcpOptionKind.NOP,
  TcpOptionKind.MSS,
  TcpOptionKind.WINDOW_SCALE,
  TcpOptionKind.SACK_PERMITTED,
  TcpOptionKind.SACK,
  TcpOptionKind.TIMESTAMPS,
]);

function checkRepr(repr: TcpRepr): void {
  checkRange('source port', repr.srcPort, TCP_PORT_MAX);
  checkRange('destination port', repr.dstPort, TCP_PORT_MAX);
  checkRange('sequence number', repr.seq, 0xffff_ffff);
  checkRange('acknowledgment number', repr.ack, 0xffff_ffff);
  checkRange('flags', repr.flags, TCP_FLAGS_MASK);
  checkRange('window', repr.window, 0xffff);
  checkRange('urgent pointer', repr.urgentPointer, 0xffff);
  const o = repr.options;
  if (o.mss !== undefined) checkRange('MSS', o.mss, 0xffff);
  if (o.windowScale !== undefined) checkRange('window scale', o.windowScale, 0xff);
  if (o.timestamps !== undefined) {
    checkRange('TSval', o.timestamps.value, 0xffff_ffff);
    checkRange('TSecr', o.timestamps.echo, 0xffff_ffff);
  }
  if (o.sack !== undefined) {
    checkRange('SACK block count', o.sack.length, TCP_MAX_SACK_BLOCKS);
    for (const [left, right] of o.sack) {
      checkRange('SACK left edge', left, 0xffff_ffff);
      checkRange('SACK right edge', right, 0xffff_ffff);
    }
  }
  if (o.unknown !== undefined) {
    for (const u of o.unknown) {
      checkRange('option kind', u.kind, 0xff);
      if (DECODED_KINDS.has(u.kind)) {
        throw new InvalidArgumentError(`TCP option kind ${formatTcpOptionKind(u.kind)} has its own field; not as unknown`);
      }
    }
  }
  const optionsLen = tcpOptionsLen(o);
  if (optionsLen > TCP_MAX_OPTIONS_LEN) {
    throw new InvalidArgumentError(`TCP options take ${optionsLen} bytes, more than ${TCP_MAX_OPTIONS_LEN}`);
  }
  const total = TCP_HEADER_LEN + optionsLen + repr.payload.length;
  if (total > TCP_MAX_SEGMENT_LEN) {
    throw new InvalidArgumentError(`TCP segment of ${total} bytes exceeds ${TCP_MAX_SEGMENT_LEN}`);
  }
}

/** Four option bytes as one big-endian word, as Linux builds them. */
const word = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/**
 * Writes the options at `out[start..)` in Linux's order and 32-bit words (net/ipv4/tcp_output.c,
 * `tcp_options_write`); returns the end.
 */
function writeOptions(o: TcpOptions, out: Uint8Array, start: number): number {
  const { EOL, NOP, MSS, WINDOW_SCALE, SACK_PERMITTED, SACK, TIMESTAMPS } = TcpOptionKind;
  let p = start;
  const put = (w: number) => {
    writeU32(out, p, w);
    p += 4;
  };
  if (o.mss !== undefined) put(word(MSS, TCP_OPT_MSS_LEN, o.mss >>> 8, o.mss & 0xff));
  if (o.timestamps !== undefined) {
    // Linux puts SACK-permitted in the two bytes that would otherwise be NOP NOP.
    const lead = o.sackPermitted ? (SACK_PERMITTED << 8) | TCP_OPT_SACK_PERMITTED_LEN : (NOP << 8) | NOP;
    put(word(lead >> 8, lead & 0xff, TIMESTAMPS, TCP_OPT_TIMESTAMPS_LEN));
    put(o.timestamps.value);
    put(o.timestamps.echo);
  } else if (o.sackPermitted) {
    put(word(NOP, NOP, SACK_PERMITTED, TCP_OPT_SACK_PERMITTED_LEN));
  }
  if (o.windowScale !== undefined) put(word(NOP, WINDOW_SCALE, TCP_OPT_WINDOW_SCALE_LEN, o.windowScale));
  if (o.sack !== undefined && o.sack.length > 0) {
    put(word(NOP, NOP, SACK, TCP_OPT_SACK_BASE_LEN + o.sack.length * TCP_SACK_BLOCK_LEN));
    for (const [left, right] of o.sack) {
      put(left);
      put(right);
    }
  }
  for (const u of o.unknown ?? []) {
    out[p] = u.kind;
    out[p + 1] = 2 + u.data.length;
    out.set(u.data, p + 2);
    p += 2 + u.data.length;
  }
  // RFC 9293 §3.2: pad to a 32-bit boundary; EOL, then zeros (which are EOL too).
  while ((p - start) & 3) out[p++] = EOL;
  return p;
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
  writeOptions(repr.options, out, offset + TCP_OPTIONS_OFFSET);
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
