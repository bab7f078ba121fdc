/**
 * The few pieces of Go's standard library whose exact text the docker CLI shows the user:
 * `strconv` parse errors (in flag errors: `invalid argument "x" for "--data-path-port" flag:
 * strconv.ParseUint: parsing "x": invalid syntax`), `strconv.Quote`, `time.ParseDuration` and
 * `Duration.String` (flag defaults such as `(default 2160h0m0s)`), `time.Time.String` (the
 * `Joined at` line of `docker node inspect --pretty`) and `fmt`'s `%.4g` (go-units sizes).
 *
 * Each mirrors the Go function it names, down to the error wording; they are pure and never throw.
 */

/** `strconv.Quote`: a double-quoted Go string literal, escaping what Go escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A parse result: the value, or the error text Go's function would return. */
export type GoParse<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const okValue = <T>(value: T): GoParse<T> => ({ ok: true, value });
const failed = <T>(error: string): GoParse<T> => ({ ok: false, error });

/** Digits of `s` in base 0 (Go literal prefixes), with `_` only between digits after a prefix. */
function parseBase0(s: string): bigint | 'syntax' {
  let base = 10;
  let body = s;
  let prefixed = false;
  const lower = s.slice(0, 2).toLowerCase();
  if (lower === '0x' || lower === '0o' || lower === '0b') {
    base = lower === '0x' ? 16 : lower === '0o' ? 8 : 2;
    body = s.slice(2);
    prefixed = true;
  } else if (s.length > 1 && s[0] === '0') {
    base = 8;
    body = s.slice(1);
    prefixed = true;
  }
  if (body.length === 0) return 'syntax';
  // Go's underscoreOK: `_` only after a base prefix (a leading 0 counts), each one following the
  // prefix or a digit and followed by a digit.
  if (body.includes('_')) {
    if (!prefixed || body.endsWith('_') || body.includes('__')) return 'syntax';
    body = body.replaceAll('_', '');
  }
  let value = 0n;
  for (const ch of body) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base) return 'syntax';
    value = value * BigInt(base) + BigInt(d);
  }
  return value;
}

/** `strconv.ParseUint(s, 0, bits)`. Values above 2^53 lose precision as JS numbers. */
export function parseGoUint(s: string, bits: number): GoParse<number> {
  const v = s.startsWith('+') || s.startsWith('-') ? 'syntax' : parseBase0(s);
  if (v === 'syntax') return failed(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  if (v >= 1n << BigInt(bits)) return failed(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return okValue(Number(v));
}

/** `strconv.ParseInt(s, 0, bits)`. */
export function parseGoInt(s: string, bits: number): GoParse<number> {
  const neg = s.startsWith('-');
  const body = s.startsWith('+') || neg ? s.slice(1) : s;
  const v = body.startsWith('+') || body.startsWith('-') ? 'syntax' : parseBase0(body);
  if (v === 'syntax') return failed(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const limit = 1n << BigInt(bits - 1);
  if ((!neg && v >= limit) || (neg && v > limit)) {
    return failed(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  }
  return okValue(Number(neg ? -v : v));
}

/** `strconv.ParseBool`. */
export function parseGoBool(s: string): GoParse<boolean> {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return okValue(true);
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return okValue(false);
  return failed(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

/** Nanoseconds per unit accepted by `time.ParseDuration`. */
const DURATION_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_DURATION = (1n << 63n) - 1n;

/** `time.ParseDuration`: nanoseconds (a JS number; exact below 2^53 ns ≈ 104 days). */
export function parseGoDuration(text: string): GoParse<number> {
  const invalid = failed<number>(`time: invalid duration ${goQuote(text)}`);
  let s = text;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return okValue(0);
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole, intPart = '', fracPart] = m;
    if (intPart === '' && (fracPart === undefined || fracPart === '')) return invalid;
    s = s.slice(whole.length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') return failed(`time: missing unit in duration ${goQuote(text)}`);
    const scale = DURATION_UNITS[unit];
    if (scale === undefined) return failed(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(text)}`);
    s = s.slice(unit.length);
    let v = BigInt(intPart === '' ? '0' : intPart) * scale;
    if (fracPart !== undefined && fracPart !== '') {
      // Go accumulates the fraction in float64 and truncates; exact rational maths matches it for
      // every input short enough to matter here.
      v += (BigInt(fracPart) * scale) / 10n ** BigInt(fracPart.length);
    }
    total += v;
    if (total > MAX_DURATION) return invalid;
  }
  return okValue(Number(neg ? -total : total));
}

/** `time.Duration.String`: `2160h0m0s`, `5s`, `1.5s`, `100ms`, `0s`. */
export function formatGoDuration(nanoseconds: number): string {
  let d = BigInt(Math.trunc(nanoseconds));
  if (d === 0n) return '0s';
  const neg = d < 0n;
  if (neg) d = -d;
  const sign = neg ? '-' : '';
  const frac = (v: bigint, digits: number): string => {
    // v in units of 10^-digits; trailing zeros and a bare point are dropped.
    const s = v.toString().padStart(digits + 1, '0');
    const f = s.slice(s.length - digits).replace(/0+$/, '');
    return s.slice(0, s.length - digits) + (f === '' ? '' : `.${f}`);
  };
  if (d < 1_000_000_000n) {
    if (d < 1_000n) return `${sign}${d}ns`;
    if (d < 1_000_000n) return `${sign}${frac(d, 3)}µs`;
    return `${sign}${frac(d, 6)}ms`;
  }
  const hours = d / 3_600_000_000_000n;
  const minutes = (d / 60_000_000_000n) % 60n;
  const seconds = frac(d % 60_000_000_000n, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/**
 * `fmt.Sprintf("%.<precision>g", x)` for a finite number: `precision` significant digits, rounded
 * half to even on the exact binary value (as Go does), trailing zeros removed, exponent form
 * (`1.049e+06`) when the exponent is below -4 or at least `precision`.
 */
export function formatGoG(x: number, precision: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf';
  const sign = x < 0 ? '-' : '';
  const [digits, pointPos] = exactDecimal(Math.abs(x));
  // Round `digits` (value 0.d1d2… × 10^pointPos) to `precision` significant digits, half to even.
  let kept = digits.slice(0, precision).padEnd(precision, '0');
  const rest = digits.slice(precision);
  let exp = pointPos;
  const first = rest[0] ?? '0';
  const roundUp =
    first > '5' || (first === '5' && (/[1-9]/.test(rest.slice(1)) || Number(kept[kept.length - 1]) % 2 === 1));
  if (roundUp) {
    const bumped = (BigInt(kept) + 1n).toString();
    if (bumped.length > precision) {
      kept = bumped.slice(0, precision);
      exp += 1;
    } else {
      kept = bumped;
    }
  }
  const e = exp - 1; // exponent of the scientific form d.ddd × 10^e
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (e < -4 || e >= precision) {
    const mant = trim(`${kept[0]}.${kept.slice(1)}`);
    const ae = Math.abs(e);
    return `${sign}${mant}e${e < 0 ? '-' : '+'}${ae < 10 ? `0${ae}` : ae}`;
  }
  if (e < 0) return `${sign}${trim(`0.${'0'.repeat(-e - 1)}${kept}`)}`;
  return `${sign}${trim(`${kept.slice(0, e + 1)}.${kept.slice(e + 1)}`)}`;
}

/** The exact decimal digits of a positive finite double, and where the point goes before them. */
function exactDecimal(x: number): [digits: string, pointPos: number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (biased === 0) {
    e2 = -1074;
  } else {
    mant |= 1n << 52n;
    e2 = biased - 1075;
  }
  let digits: string;
  let pointPos: number;
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    pointPos = digits.length;
  } else {
    // mant / 2^k = mant × 5^k / 10^k
    digits = (mant * 5n ** BigInt(-e2)).toString();
    pointPos = digits.length + e2;
  }
  const stripped = digits.replace(/^0+/, '');
  pointPos -= digits.length - stripped.length;
  return [stripped.replace(/0+$/, '') || '0', pointPos];
}

/**
 * Go's `time.Time.String()` of an RFC 3339 instant as the Engine API sends it
 * (`2026-08-20T10:00:00.461901234Z` → `2026-08-20 10:00:00.461901234 +0000 UTC`): the wall clock
 * as written, the fraction without trailing zeros, then the zone. A `Z` instant is in UTC; any
 * other offset is an unnamed fixed zone, which Go prints as `+0200 +0200`. Text that is not
 * RFC 3339 is returned unchanged.
 */
export function goTimeString(rfc3339: string): string {
  const m = /^(\d{4,})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(rfc3339);
  if (m === null) return rfc3339;
  const [, y, mo, d, h, mi, s, frac = '', z, osign, oh, om] = m;
  const fraction = frac.slice(0, 9).replace(/0+$/, '');
  const wall = `${y}-${mo}-${d} ${h}:${mi}:${s}${fraction === '' ? '' : `.${fraction}`}`;
  if (z !== undefined) return `${wall} +0000 UTC`;
  const zone = `${osign}${oh}${om}`;
  // Go parses `+00:00` as UTC too.
  return zone === '+0000' || zone === '-0000' ? `${wall} +0000 UTC` : `${wall} ${zone} ${zone}`;
}
