/**
 * Go's IP address syntax as docker/cli parses `--subnet`, `--ip-range`, `--gateway` and
 * `--aux-address` (`net/netip` `ParseAddr` / `ParsePrefix` and `net` `ParseIP` / `ParseCIDR` /
 * `IPNet.Contains`, Go 1.25), with Go's error texts and canonical `String()` forms — hand-written
 * because the texts users see are Go's, which no JavaScript IP library reproduces.
 */
import { goQuote, type GoParse } from './golang.js';

/** A `netip.Addr`: 4 bytes (IPv4) or 16 (IPv6, possibly IPv4-mapped), and an IPv6 zone. */
export interface GoAddr {
  readonly bytes: Uint8Array;
  readonly zone: string;
}

/** A `netip.Prefix`; `bits` is -1 for an invalid one (printed `invalid Prefix`). */
export interface GoPrefix {
  readonly addr: GoAddr;
  readonly bits: number;
}

/** A `net.IPNet`: network number and mask, each 4 or 16 bytes. */
export interface GoIPNet {
  readonly ip: Uint8Array;
  readonly mask: Uint8Array;
}

const ok = <T>(value: T): GoParse<T> => ({ ok: true, value });
const fail = <T>(error: string): GoParse<T> => ({ ok: false, error });

function addrError(input: string, msg: string, at = ''): string {
  return `ParseAddr(${goQuote(input)}): ${msg}${at === '' ? '' : ` (at ${goQuote(at)})`}`;
}

/** netip `parseIPv4Fields`: `s` (a slice of `input`) into `out`; an error text or undefined. */
function parseIPv4Fields(input: string, s: string, out: Uint8Array, offset: number): string | undefined {
  let val = 0;
  let pos = 0;
  let digLen = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c >= '0' && c <= '9') {
      if (digLen === 1 && val === 0) return addrError(input, 'IPv4 field has octet with leading zero');
      val = val * 10 + Number(c);
      digLen++;
      if (val > 255) return addrError(input, 'IPv4 field has value >255');
    } else if (c === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') return addrError(input, 'IPv4 field must have at least one digit', s.slice(i));
      if (pos === 3) return addrError(input, 'IPv4 address too long');
      out[offset + pos++] = val;
      val = 0;
      digLen = 0;
    } else {
      return addrError(input, 'unexpected character', s.slice(i));
    }
  }
  if (pos < 3) return addrError(input, 'IPv4 address too short');
  out[offset + 3] = val;
  return undefined;
}

/** netip `parseIPv6`. */
function parseIPv6(input: string): GoParse<GoAddr> {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') return fail(addrError(input, 'zone must be a non-empty string'));
  }
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return ok({ bytes: ip, zone });
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const digit = parseInt(s[off], 16);
      if (Number.isNaN(digit)) break;
      acc = acc * 16 + digit;
      if (off > 3) return fail(addrError(input, 'each group must have 4 or less digits', s));
    }
    if (off === 0) return fail(addrError(input, 'each colon-separated field must have at least one digit', s));
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) return fail(addrError(input, 'embedded IPv4 address must replace the final 2 fields of the address', s));
      if (i + 4 > 16) return fail(addrError(input, 'too many hex fields to fit an embedded IPv4 at the end of the address', s));
      const err = parseIPv4Fields(input, s, ip, i);
      if (err !== undefined) return fail(err);
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':') return fail(addrError(input, 'unexpected character, want colon', s));
    if (s.length === 1) return fail(addrError(input, 'colon must be followed by more characters', s));
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return fail(addrError(input, 'multiple :: in address', s));
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return fail(addrError(input, 'trailing garbage after address', s));
  if (i < 16) {
    if (ellipsis < 0) return fail(addrError(input, 'address string too short'));
    const n = 16 - i;
    ip.copyWithin(ellipsis + n, ellipsis, i);
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    return fail(addrError(input, 'the :: must expand to at least one field of zeros'));
  }
  return ok({ bytes: ip, zone });
}

/** `netip.ParseAddr`. */
export function parseAddr(s: string): GoParse<GoAddr> {
  for (const c of s) {
    if (c === '.') {
      const bytes = new Uint8Array(4);
      const err = parseIPv4Fields(s, s, bytes, 0);
      return err === undefined ? ok({ bytes, zone: '' }) : fail(err);
    }
    if (c === ':') return parseIPv6(s);
    if (c === '%') return fail(addrError(s, 'missing IPv6 address'));
  }
  return fail(addrError(s, 'unable to parse IP'));
}

const isV4InV6 = (b: Uint8Array): boolean => b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

/** `net.IP.To4`: the 4-byte form of an IPv4 (or IPv4-mapped) address, else undefined. */
function to4(ip: Uint8Array): Uint8Array | undefined {
  if (ip.length === 4) return ip;
  return isV4InV6(ip) ? ip.subarray(12) : undefined;
}

const dotted = (b: Uint8Array): string => Array.from(b).join('.');

/** RFC 5952 text of 16 bytes, as netip `appendTo6` writes it (longest zero run of ≥ 2 groups). */
function string6(b: Uint8Array): string {
  const group = (i: number): number => (b[2 * i] << 8) | b[2 * i + 1];
  let zeroStart = -1;
  let zeroEnd = -1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && group(j) === 0) j++;
    if (j - i >= 2 && j - i > zeroEnd - zeroStart) [zeroStart, zeroEnd] = [i, j];
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === zeroStart) {
      out += '::';
      i = zeroEnd;
      if (i >= 8) break;
    } else if (i > 0) {
      out += ':';
    }
    out += group(i).toString(16);
  }
  return out;
}

/** `netip.Addr.String`. */
export function addrString(a: GoAddr): string {
  if (a.bytes.length === 4) return dotted(a.bytes);
  const zone = a.zone === '' ? '' : `%${a.zone}`;
  if (isV4InV6(a.bytes)) return `::ffff:${dotted(a.bytes.subarray(12))}${zone}`;
  return `${string6(a.bytes)}${zone}`;
}

/** `netip.Addr.Unmap`. */
export function unmap(a: GoAddr): GoAddr {
  return isV4InV6(a.bytes) ? { bytes: a.bytes.slice(12), zone: '' } : a;
}

/** `netip.ParsePrefix` (host bits are kept: `10.0.0.5/24` stays so). */
export function parsePrefix(s: string): GoParse<GoPrefix> {
  const err = (msg: string): GoParse<GoPrefix> => fail(`netip.ParsePrefix(${goQuote(s)}): ${msg}`);
  const slash = s.lastIndexOf('/');
  if (slash < 0) return err("no '/'");
  const addr = parseAddr(s.slice(0, slash));
  if (!addr.ok) return err(addr.error);
  if (addr.value.zone !== '') return err('IPv6 zones cannot be present in a prefix');
  const bitsText = s.slice(slash + 1);
  // strconv.Atoi, minus the signs and leading zeros netip refuses.
  if (!/^\d+$/.test(bitsText) || (bitsText.length > 1 && bitsText[0] === '0') || BigInt(bitsText) > 2n ** 63n - 1n) {
    return err(`bad bits after slash: ${goQuote(bitsText)}`);
  }
  const bits = Number(bitsText);
  if (bits > addr.value.bytes.length * 8) return err('prefix length out of range');
  return ok({ addr: addr.value, bits });
}

/** `netip.Prefix.String`. */
export function prefixString(p: GoPrefix): string {
  return p.bits < 0 ? 'invalid Prefix' : `${addrString({ bytes: p.addr.bytes, zone: '' })}/${p.bits}`;
}

/** `net.ParseIP`: 16 bytes (IPv4 as IPv4-mapped), or undefined for anything else (zones too). */
export function parseIP(s: string): Uint8Array | undefined {
  const a = parseAddr(s);
  if (!a.ok || a.value.zone !== '') return undefined;
  return as16(a.value.bytes);
}

function as16(b: Uint8Array): Uint8Array {
  if (b.length === 16) return b;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(b, 12);
  return out;
}

/** `net.IP.String`. */
export function ipString(ip: Uint8Array): string {
  const v4 = to4(ip);
  return v4 !== undefined ? dotted(v4) : string6(ip);
}

/** `netip.AddrFromSlice(ip).Unmap()` (cli `toNetipAddr`). */
export function addrFromIP(ip: Uint8Array): GoAddr {
  return unmap({ bytes: ip, zone: '' });
}

/** `net.CIDRMask(ones, bits)`. */
function cidrMask(ones: number, bits: number): Uint8Array {
  const m = new Uint8Array(bits / 8);
  for (let i = 0; i < ones; i++) m[i >> 3] |= 0x80 >> (i & 7);
  return m;
}

/** `net.ParseCIDR`: the address (16 bytes) and its network, or Go's `invalid CIDR address: …`. */
export function parseCIDR(s: string): GoParse<{ ip: Uint8Array; net: GoIPNet }> {
  const bad = fail<{ ip: Uint8Array; net: GoIPNet }>(`invalid CIDR address: ${s}`);
  const slash = s.indexOf('/');
  if (slash < 0) return bad;
  const addr = parseAddr(s.slice(0, slash));
  if (!addr.ok || addr.value.zone !== '') return bad;
  const maskText = s.slice(slash + 1);
  // net `dtoi`: decimal digits only (leading zeros allowed), below 2^24 - 1.
  if (!/^\d+$/.test(maskText) || Number(maskText) >= 0xffffff) return bad;
  const ones = Number(maskText);
  const bits = addr.value.bytes.length * 8;
  if (ones > bits) return bad;
  const mask = cidrMask(ones, bits);
  const ip16 = as16(addr.value.bytes);
  // `IP.Mask`: an IPv4 mask applies to the IPv4 part of a mapped address.
  const base = mask.length === 4 ? ip16.subarray(12) : ip16;
  return ok({ ip: ip16, net: { ip: base.map((b, i) => b & mask[i]), mask } });
}

/** net `networkNumberAndMask`. */
function networkNumberAndMask(n: GoIPNet): [Uint8Array, Uint8Array] | undefined {
  const ip = to4(n.ip) ?? n.ip;
  if (ip.length !== 4 && ip.length !== 16) return undefined;
  if (n.mask.length === 4) return ip.length === 4 ? [ip, n.mask] : undefined;
  return [ip, ip.length === 4 ? n.mask.subarray(12) : n.mask];
}

/** `net.IPNet.Contains`. */
export function ipNetContains(n: GoIPNet, ip: Uint8Array | undefined): boolean {
  const nm = networkNumberAndMask(n);
  if (nm === undefined || ip === undefined) return false;
  const [nn, m] = nm;
  const x = to4(ip) ?? ip;
  if (x.length !== nn.length) return false;
  return x.every((b, i) => (b & m[i]) === (nn[i] & m[i]));
}

const onesOf = (mask: Uint8Array): number => mask.reduce((n, b) => n + b.toString(2).replaceAll('0', '').length, 0);

/** `net.IPNet.String` (masks from `ParseCIDR` are always canonical). */
export function ipNetString(n: GoIPNet): string {
  const nm = networkNumberAndMask(n);
  if (nm === undefined) return '<nil>';
  return `${ipString(nm[0])}/${onesOf(nm[1])}`;
}

/** cli `toPrefix`: the network as a `netip.Prefix` (unmapped; invalid if its length no longer fits). */
export function toPrefix(n: GoIPNet): GoPrefix {
  const addr = unmap({ bytes: n.ip, zone: '' });
  const bits = onesOf(n.mask);
  return { addr, bits: bits <= addr.bytes.length * 8 ? bits : -1 };
}
