/**
 * Command-line parsing as busybox does it, so that odd input fails with busybox's own words:
 * - `getopt`: libbb `getopt32` on top of the libc's `getopt_long` (both musl's and glibc's
 *   permute, so options may follow operands; `--` ends options), with each libc's messages;
 * - `xatou`: libbb/xatonum_template.c (`invalid number 'x'`, `number N is not in A..B range`);
 * - `parseDuration`: libbb/duration.c `parse_duration_str` (fractions, s/m/h/d suffixes);
 * - `inetAton`: musl `inet_aton` (1–4 parts, each decimal, 0x-hex or 0-octal);
 * - `indexInSubstrings`: libbb `index_in_substrings` (unique-prefix keyword matching).
 * Parse errors throw `AppletError` / `UsageError` (busybox.ts), like libbb's die helpers.
 */
import { AppletError, UsageError } from './busybox.js';
import type { Ipv4Addr } from '../../wire/address.js';

export interface ParsedOption {
  /** The option character (`c` for `-c 3`). */
  readonly option: string;
  /** Its argument, for options declared with `:`. */
  readonly value: string | undefined;
}

export interface GetoptResult {
  /** Options in command-line order, up to the first error. */
  readonly options: readonly ParsedOption[];
  readonly operands: readonly string[];
  /** The libc's complaint (with newline) when parsing stopped on a bad option. */
  readonly error?: string;
}

/**
 * Short options per `optstring` (`"qc:"`: `-q` flag, `-c` takes an argument). Messages: glibc
 * `posix/getopt.c` (`invalid option -- 'x'`), musl `src/misc/getopt.c` / `getopt_long.c`
 * (`unrecognized option: x`).
 */
export function getopt(argv: readonly string[], optstring: string, libc: 'musl' | 'glibc', applet: string): GetoptResult {
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      // No applet here declares long options: every `--name` is unrecognised.
      const error = libc === 'musl' ? `${applet}: unrecognized option: ${arg.slice(2)}\n` : `${applet}: unrecognized option '${arg}'\n`;
      return { options, operands, error };
    }
    if (arg.length < 2 || arg[0] !== '-') {
      operands.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j];
      const at = c === ':' ? -1 : optstring.indexOf(c);
      if (at < 0) {
        const error = libc === 'musl' ? `${applet}: unrecognized option: ${c}\n` : `${applet}: invalid option -- '${c}'\n`;
        return { options, operands, error };
      }
      if (optstring[at + 1] !== ':') {
        options.push({ option: c, value: undefined });
        continue;
      }
      let value: string | undefined = arg.slice(j + 1);
      if (value === '') value = argv[++i];
      if (value === undefined) {
        const error =
          libc === 'musl' ? `${applet}: option requires an argument: ${c}\n` : `${applet}: option requires an argument -- '${c}'\n`;
        return { options, operands, error };
      }
      options.push({ option: c, value });
      break;
    }
  }
  return { options, operands };
}

/** A `struct suffix_mult` table: suffix → multiplier. */
export type Suffixes = Readonly<Record<string, number>>;

/** libbb/duration.c `duration_suffixes`. */
export const DURATION_SUFFIXES: Suffixes = { s: 1, m: 60, h: 60 * 60, d: 24 * 60 * 60 };

const ULONG_MAX = 18446744073709551615n;
export const INT_MAX = 0x7fff_ffff;

/**
 * `xstrtou_range_sfx`: an unsigned number in `base` (10 or 16; strtoul accepts a `0x` prefix in
 * base 16), an optional suffix from `suffixes`, within [lower, upper]; dies otherwise.
 */
export function xstrtou(text: string, base: 10 | 16, lower: number | bigint, upper: number | bigint, suffixes?: Suffixes): number {
  const digits = base === 10 ? /^[0-9]+/ : /^(?:0[xX](?=[0-9a-fA-F]))?[0-9a-fA-F]+/;
  const m = digits.exec(text);
  // Leading sign or whitespace: rejected before strtoul sees it.
  if (m === null) throw new AppletError(`invalid number '${text}'`);
  let value = BigInt(base === 16 ? `0x${m[0].replace(/^0[xX]/, '')}` : m[0]);
  if (value > ULONG_MAX) throw new AppletError(`invalid number '${text}'`); // strtoul's ERANGE
  const rest = text.slice(m[0].length);
  if (rest !== '') {
    const mult = suffixes?.[rest];
    if (mult === undefined) throw new AppletError(`invalid number '${text}'`);
    if (ULONG_MAX / BigInt(mult) < value) throw rangeError(text, lower, upper);
    value *= BigInt(mult);
  }
  if (value < BigInt(lower) || value > BigInt(upper)) throw rangeError(text, lower, upper);
  return Number(value);
}

function rangeError(text: string, lower: number | bigint, upper: number | bigint): AppletError {
  return new AppletError(`number ${text} is not in ${lower}..${upper} range`);
}

/** `xatoi_positive` (getopt32's `+` options): 0..INT_MAX. */
export function xatoiPositive(text: string): number {
  return xstrtou(text, 10, 0, INT_MAX);
}

/** `xatou16`: 0..65535. */
export function xatou16(text: string): number {
  return xstrtou(text, 10, 0, 0xffff);
}

/**
 * `parse_duration_str` (FLOAT_DURATION): seconds, fractional, with an s/m/h/d suffix. A malformed
 * fraction (`1.2.3`) shows the usage; a bad suffix dies with the C code's quirk of reporting the
 * suffix glued to a `1` (`1.5x` → `invalid number '1x'`), because it overwrites the last digit.
 */
export function parseDuration(text: string): number {
  if (!text.includes('.')) return xstrtou(text, 10, 0, ULONG_MAX, DURATION_SUFFIXES);
  const len = /^[0-9.]*/.exec(text)![0].length;
  const number = text.slice(0, len);
  // strtod must consume the whole [0-9.] run; `""` converts to 0 without complaint.
  if (number !== '' && !/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/.test(number)) throw new UsageError();
  const fraction = number === '' ? 0 : Number(number);
  return fraction * xstrtou(`1${text.slice(len)}`, 10, 0, ULONG_MAX, DURATION_SUFFIXES);
}

/** strtoul(s, &end, 0) over a string that starts with a digit: decimal, 0x-hex or 0-octal. */
function strtoulBase0(s: string): { value: number; length: number } {
  const m = /^0[xX]([0-9a-fA-F]+)/.exec(s) ?? /^0([0-7]*)/.exec(s) ?? /^([1-9][0-9]*)/.exec(s);
  if (m === null) return { value: NaN, length: 0 };
  const radix = m[0].startsWith('0x') || m[0].startsWith('0X') ? 16 : m[0].startsWith('0') ? 8 : 10;
  return { value: m[1] === '' ? 0 : parseInt(m[1], radix), length: m[0].length };
}

/** musl `inet_aton`: `10.0.0.1`, `10.1` (= 10.0.0.1), `0x0a000001` …; undefined if not numeric. */
export function inetAton(text: string): Ipv4Addr | undefined {
  const parts: number[] = [];
  let s = text;
  for (;;) {
    if (!/^[0-9]/.test(s)) return undefined;
    const { value, length } = strtoulBase0(s);
    parts.push(value);
    s = s.slice(length);
    if (s === '') break;
    if (s[0] !== '.' || parts.length === 4) return undefined;
    s = s.slice(1);
  }
  // The last part fills all remaining octets (`10.1` → 10.0.0.1).
  const last = parts.pop()!;
  const octetsLeft = 4 - parts.length;
  if (parts.some((p) => p > 255) || last >= 2 ** (8 * octetsLeft)) return undefined;
  let addr = 0;
  for (const p of parts) addr = addr * 256 + p;
  return (addr * 2 ** (8 * octetsLeft) + last) >>> 0;
}

/**
 * libbb `index_in_substrings`: the index of the keyword `key` names exactly, else of the only
 * keyword it abbreviates; -1 when it abbreviates none or several (or is empty).
 */
export function indexInSubstrings(keywords: readonly string[], key: string): number {
  if (key === '') return -1;
  let matched = -1;
  for (let i = 0; i < keywords.length; i++) {
    if (!keywords[i].startsWith(key)) continue;
    if (keywords[i].length === key.length) return i;
    if (matched >= 0) return -1;
    matched = i;
  }
  return matched;
}
