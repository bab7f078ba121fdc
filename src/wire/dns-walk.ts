/**
 * The DNS message's wire structure (RFC 1035 §4.1) and the walk `parseDns` makes over bytes from a
 * peer before `dns-packet` decodes them (dns.ts says why dns-packet alone is not enough). Pure:
 * functions read the bytes and return an offset or a `Drop`, building nothing for a valid message.
 *
 * The walk checks header counts (≤ DNS_MAX_RECORDS), every name (RFC 1035 §4.1.4 pointers must
 * point backwards, at most DNS_MAX_POINTERS of them; §2.3.4 limits; octets dns-packet's dotted
 * strings would alter are `unsupported`), every question and record, the RDATA of the types the
 * emulator serves against RDLENGTH, the OPT record (RFC 6891 §6.1.1), and that nothing follows the
 * last record. Records of other types are bounded by RDLENGTH alone.
 *
 * dns.ts re-exports the layout constants, limits and `DnsType` defined here.
 */
import { isUtf8 } from 'node:buffer';
import { drop, type Drop } from '../util/drop.js';
import { readU16 } from './bytes.js';

export const DNS_HEADER_LEN = 12;
export const DNS_ID_OFFSET = 0;
export const DNS_FLAGS_OFFSET = 2;
export const DNS_QDCOUNT_OFFSET = 4;
export const DNS_ANCOUNT_OFFSET = 6;
export const DNS_NSCOUNT_OFFSET = 8;
export const DNS_ARCOUNT_OFFSET = 10;
/** RFC 1035 §4.2.2: the TCP length prefix is 16 bits; no message is longer. */
export const DNS_MAX_MESSAGE = 65535;
/**
 * Questions + records one message may declare. A full 65535-octet TCP response of compressed A
 * records (16 octets each) holds 4094; nothing Docker's resolver or ours sends comes close, and
 * each record costs a JS object, so a peer's counts are capped here before anything is decoded.
 */
export const DNS_MAX_RECORDS = 4096;
/** RFC 1035 §2.3.4: "labels 63 octets or less". */
export const DNS_MAX_LABEL_LEN = 63;
/** RFC 1035 §2.3.4: "names 255 octets or less" (wire form, length octets and root included). */
export const DNS_MAX_NAME_LEN = 255;
/** 127 one-octet labels plus the root fill 255 octets. */
export const DNS_MAX_LABELS = 127;
/**
 * Compression pointers followed while reading one name. A valid name needs at most one per
 * label; miekg/dns (which Docker's embedded DNS uses) allows (255 + 1) / 2 - 2 = 126.
 */
export const DNS_MAX_POINTERS = 126;

/** RR TYPE values (IANA DNS parameters). Wire protocol: append-only. */
export const DnsType = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DNAME: 39, OPT: 41, ANY: 255,
} as const;

const LABEL_KIND_MASK = 0xc0;
const LABEL_POINTER = 0xc0;
const POINTER_OFFSET_MASK = 0x3fff;
const DOT = 0x2e;
const RR_FIXED_LEN = 10; // TYPE, CLASS, TTL, RDLENGTH
const QUESTION_FIXED_LEN = 4; // QTYPE, QCLASS
const SOA_FIXED_LEN = 20; // SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM
const OPTION_HEADER_LEN = 4;
/** EDNS(0) option codes dns-packet interprets (RFC 7871, 7828, 8145); others stay raw data. */
const OPTION_ECS = 8;
const OPTION_KEEPALIVE = 11;
const OPTION_KEY_TAG = 14;

/** What the walk returns: the OPT record's offset (-1 if none), or the first problem. */
export type DnsScan = number | Drop;

/**
 * Walks a whole message. Returns the offset of its OPT record (-1 if none), or the first problem.
 * Work is bounded: ≤ DNS_MAX_RECORDS entries, each name ≤ 255 octets and DNS_MAX_POINTERS hops.
 */
export function scanDnsMessage(b: Uint8Array): DnsScan {
  if (b.length < DNS_HEADER_LEN) return drop('truncated', 0, b.length);
  if (b.length > DNS_MAX_MESSAGE) return drop('too-large', DNS_MAX_MESSAGE, b.length);
  const qd = readU16(b, DNS_QDCOUNT_OFFSET);
  const an = readU16(b, DNS_ANCOUNT_OFFSET);
  const ns = readU16(b, DNS_NSCOUNT_OFFSET);
  const records = an + ns + readU16(b, DNS_ARCOUNT_OFFSET);
  if (qd + records > DNS_MAX_RECORDS) return drop('too-large', DNS_QDCOUNT_OFFSET, qd + records);
  let pos = DNS_HEADER_LEN;
  for (let i = 0; i < qd; i++) {
    const end = scanName(b, pos, false);
    if (typeof end !== 'number') return end;
    if (end + QUESTION_FIXED_LEN > b.length) return drop('truncated', end, b.length - end);
    pos = end + QUESTION_FIXED_LEN;
  }
  let opt = -1;
  for (let i = 0; i < records; i++) {
    const start = pos;
    const fixed = scanName(b, pos, false);
    if (typeof fixed !== 'number') return fixed;
    if (fixed + RR_FIXED_LEN > b.length) return drop('truncated', fixed, b.length - fixed);
    const type = readU16(b, fixed);
    const rdlength = readU16(b, fixed + 8);
    const rdata = fixed + RR_FIXED_LEN;
    if (rdata + rdlength > b.length) return drop('truncated', fixed + 8, rdlength);
    if (type === DnsType.OPT) {
      // RFC 6891 §6.1.1: the OPT RR belongs in the additional data section, at most one per
      // message; §6.1.2: its NAME "MUST be 0 (root domain)".
      if (i < an + ns || opt >= 0) return drop('malformed', fixed, type);
      if (b[start] !== 0) return drop('malformed', start, b[start]);
      opt = start;
    }
    const bad = scanRdata(b, type, rdata, rdata + rdlength);
    if (bad) return bad;
    pos = rdata + rdlength;
  }
  if (pos !== b.length) return drop('bad-length', pos, b.length - pos);
  return opt;
}

/** Walks one name starting at `start`; returns the offset just after it in place. */
function scanName(b: Uint8Array, start: number, mailbox: boolean): DnsScan {
  let pos = start;
  let run = start; // start of the label run being read: a pointer must land before it
  let end = -1;
  let wireLen = 1; // the root's zero octet
  let labels = 0;
  let pointers = 0;
  for (;;) {
    if (pos >= b.length) return drop('truncated', pos);
    const len = b[pos];
    if (len === 0) return end < 0 ? pos + 1 : end;
    const kind = len & LABEL_KIND_MASK;
    if (kind === LABEL_POINTER) {
      if (pos + 1 >= b.length) return drop('truncated', pos);
      const target = readU16(b, pos) & POINTER_OFFSET_MASK;
      // RFC 1035 §4.1.4: a name or its tail "is replaced with a pointer to a prior occurance of the
      // same name". Pointing at or after the current run is how loops are built; the header holds none.
      if (target >= run || target < DNS_HEADER_LEN) return drop('malformed', pos, target);
      if (++pointers > DNS_MAX_POINTERS) return drop('too-large', pos, pointers);
      if (end < 0) end = pos + 2;
      pos = run = target;
      continue;
    }
    // 0x40 (extended label types, RFC 6891 §5: deprecated) and 0x80 are not labels we can read.
    if (kind !== 0) return drop('malformed', pos, len);
    if (pos + 1 + len > b.length) return drop('truncated', pos, len);
    if (++labels > DNS_MAX_LABELS) return drop('too-large', pos, labels);
    wireLen += 1 + len;
    // RFC 1035 §2.3.4: "names 255 octets or less".
    if (wireLen > DNS_MAX_NAME_LEN) return drop('too-large', pos, wireLen);
    const odd = unrepresentable(b, pos + 1, pos + 1 + len, mailbox && labels === 1);
    if (odd >= 0) return drop('unsupported', odd, b[odd]);
    pos += 1 + len;
  }
}

/** Offset of the first octet dns-packet's dotted-string names would alter, or -1. */
function unrepresentable(b: Uint8Array, from: number, to: number, dotAllowed: boolean): number {
  let high = false;
  for (let i = from; i < to; i++) {
    if (b[i] === DOT && !dotAllowed) return i;
    if (b[i] >= 0x80) high = true;
  }
  return high && !isUtf8(b.subarray(from, to)) ? from : -1;
}

/** Checks RDATA of the types the emulator serves against RDLENGTH (RFC 1035 §3.3, §3.4). */
function scanRdata(b: Uint8Array, type: number, start: number, end: number): Drop | undefined {
  const len = end - start;
  switch (type) {
    case DnsType.A:
      return len === 4 ? undefined : badRdlength(start, end);
    case DnsType.AAAA:
      return len === 16 ? undefined : badRdlength(start, end);
    case DnsType.NS:
    case DnsType.CNAME:
    case DnsType.PTR:
    case DnsType.DNAME:
      return nameFills(b, start, start, end);
    case DnsType.MX: // PREFERENCE, EXCHANGE
      return len < 3 ? badRdlength(start, end) : nameFills(b, start + 2, start, end);
    case DnsType.SRV: // PRIORITY, WEIGHT, PORT, TARGET (RFC 2782)
      return len < 7 ? badRdlength(start, end) : nameFills(b, start + 6, start, end);
    case DnsType.SOA: {
      if (len < 2 + SOA_FIXED_LEN) return badRdlength(start, end);
      const mname = scanName(b, start, false);
      if (typeof mname !== 'number') return mname;
      if (mname >= end) return badRdlength(start, end);
      const rname = scanName(b, mname, true);
      if (typeof rname !== 'number') return rname;
      return rname + SOA_FIXED_LEN === end ? undefined : badRdlength(start, end);
    }
    case DnsType.TXT: {
      // RFC 1035 §3.3.14: one or more <character-string>s, each a length octet and that many octets.
      let p = start;
      while (p < end) p += 1 + b[p];
      return p === end ? undefined : badRdlength(start, end);
    }
    case DnsType.OPT:
      return scanOptions(b, start, end);
    default:
      return undefined;
  }
}

/** RDATA at `start..end` disagrees with its RDLENGTH field (the two octets before it). */
function badRdlength(start: number, end: number): Drop {
  return drop('bad-length', start - 2, end - start);
}

function nameFills(b: Uint8Array, name: number, start: number, end: number): Drop | undefined {
  const r = scanName(b, name, false);
  if (typeof r !== 'number') return r;
  return r === end ? undefined : badRdlength(start, end);
}

/** EDNS(0) options (RFC 6891 §6.1.2): {code, length, data} filling RDATA exactly. */
function scanOptions(b: Uint8Array, start: number, end: number): Drop | undefined {
  let p = start;
  while (p < end) {
    if (p + OPTION_HEADER_LEN > end) return drop('bad-length', p, end - p);
    const code = readU16(b, p);
    const len = readU16(b, p + 2);
    if (p + OPTION_HEADER_LEN + len > end) return drop('bad-length', p + 2, len);
    if (!optionShapeOk(b, code, p + OPTION_HEADER_LEN, len)) return drop('malformed', p, code);
    p += OPTION_HEADER_LEN + len;
  }
  return undefined;
}

/** Options dns-packet reads field by field must have the shape their RFC gives them. */
function optionShapeOk(b: Uint8Array, code: number, data: number, len: number): boolean {
  switch (code) {
    case OPTION_ECS: {
      // RFC 7871 §6: FAMILY (1 IPv4, 2 IPv6), SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH, ADDRESS.
      if (len < 4) return false;
      const family = readU16(b, data);
      return (family === 1 && len - 4 <= 4) || (family === 2 && len - 4 <= 16);
    }
    case OPTION_KEEPALIVE: // RFC 7828 §3.1: no TIMEOUT, or a 16-bit one
      return len === 0 || len === 2;
    case OPTION_KEY_TAG: // RFC 8145 §4.1: a list of 16-bit key tags
      return len % 2 === 0;
    default:
      return true;
  }
}
