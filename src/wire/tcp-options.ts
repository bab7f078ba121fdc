/**
 * TCP options (RFC 9293 §3.2): the ones Linux negotiates — MSS (RFC 9293 §3.2, RFC 6691), window
 * scale and timestamps (RFC 7323), SACK-permitted and SACK (RFC 2018) — decoded into `TcpOptions`;
 * any other kind is kept raw in `unknown`. The segment codec (tcp.ts) uses this module and
 * re-exports its types, constants and parser.
 *
 * Receive (`parseTcpOptions`): options bounded by the data offset; a bad length is `malformed`.
 * The decoder reports what is on the wire and applies no policy: it keeps a window scale above 14
 * as given (RFC 7323 §2.3 says to use 14 — that clamp belongs to the TCP state machine, see
 * `TCP_MAX_WINDOW_SCALE`), and it decodes MSS, window scale and SACK-permitted on any segment
 * although they are only meaningful on a SYN (the state machine ignores them elsewhere). A repeated option keeps its last occurrence, as
 * Linux's `tcp_parse_options` does.
 *
 * Send (`validateTcpOptions`, then `writeTcpOptions`): Linux's `tcp_options_write` order and
 * 32-bit alignment, so that a SYN carrying all four is
 * `02 04 05 b4 | 04 02 08 0a <TSval> <TSecr> | 01 03 03 07`.
 */
import { drop, ok, type Result } from '../util/drop.js';
import { assertUint, InvalidArgumentError } from '../util/errors.js';
import { readU16, readU32, writeU32 } from './bytes.js';
import { formatTableValue } from './table.js';

/** Options start right after the 20-byte fixed header. */
export const TCP_OPTIONS_OFFSET = 20;
/** Data offset is 4 bits of 32-bit words: a 60-byte header at most, 40 of them options. */
export const TCP_MAX_OPTIONS_LEN = 40;
/** The most SACK blocks a 40-byte option area can carry (RFC 2018 §3). */
export const TCP_MAX_SACK_BLOCKS = 4;
/** Largest usable shift count (RFC 7323 §2.3); larger received values are the state machine's to clamp. */
export const TCP_MAX_WINDOW_SCALE = 14;

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

/** `MSS`, `SACK_PERMITTED` … or `0x1e`-style hex for kinds not in the table. */
export function formatTcpOptionKind(kind: number): string {
  return formatTableValue(TcpOptionKind, kind, 2);
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

const DECODED_KINDS: ReadonlySet<number> = new Set([
  TcpOptionKind.EOL,
  TcpOptionKind.NOP,
  TcpOptionKind.MSS,
  TcpOptionKind.WINDOW_SCALE,
  TcpOptionKind.SACK_PERMITTED,
  TcpOptionKind.SACK,
  TcpOptionKind.TIMESTAMPS,
]);

/**
 * Throws `InvalidArgumentError` unless every option fits its wire field, no decoded kind hides in
 * `unknown`, and the whole fits the 40-byte option area. Returns `tcpOptionsLen(o)`.
 */
export function validateTcpOptions(o: TcpOptions): number {
  if (o.mss !== undefined) assertUint('TCP MSS', o.mss, 0xffff);
  if (o.windowScale !== undefined) assertUint('TCP window scale', o.windowScale, 0xff);
  if (o.timestamps !== undefined) {
    assertUint('TCP TSval', o.timestamps.value, 0xffff_ffff);
    assertUint('TCP TSecr', o.timestamps.echo, 0xffff_ffff);
  }
  if (o.sack !== undefined) {
    assertUint('TCP SACK block count', o.sack.length, TCP_MAX_SACK_BLOCKS);
    for (const [left, right] of o.sack) {
      assertUint('TCP SACK left edge', left, 0xffff_ffff);
      assertUint('TCP SACK right edge', right, 0xffff_ffff);
    }
  }
  if (o.unknown !== undefined) {
    for (const u of o.unknown) {
      assertUint('TCP option kind', u.kind, 0xff);
      if (DECODED_KINDS.has(u.kind)) {
        throw new InvalidArgumentError(`TCP option kind ${formatTcpOptionKind(u.kind)} has its own field; not as unknown`);
      }
    }
  }
  const optionsLen = tcpOptionsLen(o);
  if (optionsLen > TCP_MAX_OPTIONS_LEN) {
    throw new InvalidArgumentError(`TCP options take ${optionsLen} bytes, more than ${TCP_MAX_OPTIONS_LEN}`);
  }
  return optionsLen;
}

/** Four option bytes as one big-endian word, as Linux builds them. */
const word = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/**
 * Writes options that passed `validateTcpOptions` at `out[offset..)`, in Linux's order and 32-bit
 * words (net/ipv4/tcp_output.c, `tcp_options_write`); returns the bytes written, `tcpOptionsLen(o)`.
 * Unchecked: `out` must have that room.
 */
export function writeTcpOptions(o: TcpOptions, out: Uint8Array, offset: number): number {
  const { EOL, NOP, MSS, WINDOW_SCALE, SACK_PERMITTED, SACK, TIMESTAMPS } = TcpOptionKind;
  let p = offset;
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
  while ((p - offset) & 3) out[p++] = EOL;
  return p - offset;
}
