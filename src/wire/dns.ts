/**
 * DNS messages (RFC 1035 §4) through the `dns-packet` library, made safe for bytes from a peer.
 *
 * We do not hand-write a DNS codec: `dns-packet` decodes and encodes. This module adds what a
 * network stack needs and dns-packet 5.6 leaves out (each point is pinned by a test in
 * test/wire/dns.test.ts, "dns-packet on its own"):
 * - decode does not throw on every truncated input: a query cut inside its OPT option decodes with
 *   the option data cut short, an A record cut inside its RDATA decodes as `1.2.undefined.undefined`;
 * - RDATA decoders ignore RDLENGTH, and bytes after the last record are ignored;
 * - encode corrupts bad input silently: a 70-octet label writes a length byte that reads back as a
 *   reserved label type, `999.1.2.3` becomes 231.1.2.3, a 300-octet TXT string wraps its length.
 * (Its decoder is loop-safe — pointers must go backwards — and caps names at 255 octets.)
 *
 * So `parseDns` first walks the whole message itself, without allocating (`scanDnsMessage`,
 * dns-walk.ts): header counts, every name (RFC 1035 §4.1.4 pointers must point backwards, at most
 * DNS_MAX_POINTERS of them; §2.3.4 limits), every question and record, the RDATA of the types the
 * emulator serves, the OPT record (RFC 6891 §6.1.1), and that nothing follows the last record.
 * Only then does it call `dnsPacket.decode`; an exception from there, or a decoder reading more or
 * less than RDLENGTH (seen in the total it reports), is `malformed`. Records of other types are
 * bounded by RDLENGTH and their contents decoded by dns-packet on its own terms.
 *
 * `emitDns` checks names, addresses and TXT strings before dns-packet writes, then walks what was
 * written. dns-packet writes names uncompressed, which RFC 1035 §4.1.4 allows ("Programs are free
 * to avoid using pointers in messages they generate") at some cost in size.
 *
 * Names are dotted strings in dns-packet, so a label holding a `.` octet or bytes that are not UTF-8
 * cannot be represented faithfully: such messages are `unsupported` rather than silently altered.
 * Buffers in a parsed message (TXT strings, option data, unknown RDATA) view the input bytes.
 */
import { isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { describeDrop, drop, ok, type Result } from '../util/drop.js';
import { assertUint, ensureRoom, InvalidArgumentError } from '../util/errors.js';
import { parseIpv4Address } from './address.js';
import { readU16, writeU16 } from './bytes.js';
import {
  DNS_ANCOUNT_OFFSET,
  DNS_ARCOUNT_OFFSET,
  DNS_FLAGS_OFFSET,
  DNS_HEADER_LEN,
  DNS_ID_OFFSET,
  DNS_MAX_LABEL_LEN,
  DNS_MAX_LABELS,
  DNS_MAX_MESSAGE,
  DNS_MAX_NAME_LEN,
  DNS_MAX_RECORDS,
  DNS_NSCOUNT_OFFSET,
  DNS_QDCOUNT_OFFSET,
  DnsType,
  scanDnsMessage,
} from './dns-walk.js';
import { formatTableValue } from './table.js';

// The message layout, limits and RR types live with the walk that enforces them.
export {
  DNS_ANCOUNT_OFFSET,
  DNS_ARCOUNT_OFFSET,
  DNS_FLAGS_OFFSET,
  DNS_HEADER_LEN,
  DNS_ID_OFFSET,
  DNS_MAX_LABEL_LEN,
  DNS_MAX_LABELS,
  DNS_MAX_MESSAGE,
  DNS_MAX_NAME_LEN,
  DNS_MAX_POINTERS,
  DNS_MAX_RECORDS,
  DNS_NSCOUNT_OFFSET,
  DNS_QDCOUNT_OFFSET,
  DnsType,
} from './dns-walk.js';

export type {
  Answer as DnsAnswer,
  Packet as DnsMessage,
  Question as DnsQuestion,
  RecordClass as DnsRecordClass,
  RecordType as DnsRecordType,
  StringAnswer as DnsStringAnswer,
  OptAnswer as DnsOptAnswer,
  SrvAnswer as DnsSrvAnswer,
  TxtAnswer as DnsTxtAnswer,
  SoaAnswer as DnsSoaAnswer,
  MxAnswer as DnsMxAnswer,
} from 'dns-packet';

/** A parsed message: dns-packet's decoded form, with the header fields its typings leave out. */
export interface DecodedDnsMessage extends DecodedPacket {
  /** `QUERY`, `NOTIFY` … or `OPCODE_n`. */
  readonly opcode: string;
  /** `NOERROR`, `NXDOMAIN` … or `RCODE_n` (the 4 header bits; OPT carries the extension). */
  readonly rcode: string;
}

export const DNS_UDP_PORT = 53;
/** RFC 1035 §4.2.1: "Messages carried by UDP are restricted to 512 bytes"; EDNS0 (RFC 6891 §6.2.3) lifts it. */
export const DNS_MAX_UDP_MESSAGE = 512;
/** Two-octet length prefix of DNS over TCP (RFC 1035 §4.2.2). */
export const DNS_TCP_PREFIX_LEN = 2;

/** CLASS values. Wire protocol: append-only. */
export const DnsClass = { IN: 1, CH: 3, HS: 4, ANY: 255 } as const;
/** OPCODE values (header bits 11–14). Wire protocol: append-only. */
export const DnsOpcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;
/** RCODE values (header bits 0–3). Wire protocol: append-only. */
export const DnsRcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** Header flag bits as dns-packet's `flags` holds them (QR travels as `type`). */
export const DnsFlag = { AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, AD: 0x0020, CD: 0x0010 } as const;
/** `A`, `SRV` …, or `0x0063` for a type not in the table. */
export const formatDnsType = (n: number): string => formatTableValue(DnsType, n, 4);
/** `NXDOMAIN` …, or `0x0009` for an RCODE not in the table. */
export const formatDnsRcode = (n: number): string => formatTableValue(DnsRcode, n, 4);

export function dnsOpcodeOf(flags: number): number {
  return (flags >>> 11) & 0xf;
}
export function dnsRcodeOf(flags: number): number {
  return flags & 0xf;
}

/** Zero-copy view of a DNS header. `checked` walks the whole message once (no decoding). */
export class DnsMessageView {
  private constructor(readonly bytes: Uint8Array) {}

  static unchecked(bytes: Uint8Array): DnsMessageView {
    return new DnsMessageView(bytes);
  }

  static checked(bytes: Uint8Array): Result<DnsMessageView> {
    const r = scanDnsMessage(bytes);
    return typeof r === 'number' ? ok(new DnsMessageView(bytes)) : r;
  }

  get id(): number { return readU16(this.bytes, DNS_ID_OFFSET); }
  /** The 16-bit flags word, QR included. */
  get flags(): number { return readU16(this.bytes, DNS_FLAGS_OFFSET); }
  get isResponse(): boolean { return (this.bytes[DNS_FLAGS_OFFSET] & 0x80) !== 0; }
  get opcode(): number { return dnsOpcodeOf(this.flags); }
  get rcode(): number { return dnsRcodeOf(this.flags); }
  get qdcount(): number { return readU16(this.bytes, DNS_QDCOUNT_OFFSET); }
  get ancount(): number { return readU16(this.bytes, DNS_ANCOUNT_OFFSET); }
  get nscount(): number { return readU16(this.bytes, DNS_NSCOUNT_OFFSET); }
  get arcount(): number { return readU16(this.bytes, DNS_ARCOUNT_OFFSET); }
}

/** Parses a DNS message carried over TCP, or any message up to DNS_MAX_MESSAGE octets. */
export function parseDns(bytes: Uint8Array): Result<DecodedDnsMessage> {
  const r = scanDnsMessage(bytes);
  return typeof r === 'number' ? decode(bytes) : r;
}

/**
 * Parses a DNS message carried over UDP: over DNS_MAX_UDP_MESSAGE octets (RFC 1035 §4.2.1) only
 * when it carries an OPT record, through which EDNS0 peers agree on larger payloads (RFC 6891 §6.2.3).
 */
export function parseDnsUdp(bytes: Uint8Array): Result<DecodedDnsMessage> {
  const large = bytes.length > DNS_MAX_UDP_MESSAGE;
  // Without any additional record there can be no OPT: refuse before walking 64 KiB.
  if (large && bytes.length >= DNS_HEADER_LEN && readU16(bytes, DNS_ARCOUNT_OFFSET) === 0) {
    return drop('too-large', DNS_MAX_UDP_MESSAGE, bytes.length);
  }
  const r = scanDnsMessage(bytes);
  if (typeof r !== 'number') return r;
  if (large && r < 0) return drop('too-large', DNS_MAX_UDP_MESSAGE, bytes.length);
  return decode(bytes);
}

function decode(bytes: Uint8Array): Result<DecodedDnsMessage> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const msg = dnsPacket.decode(buf) as DecodedDnsMessage;
    // A type-specific RDATA decoder that disagrees with RDLENGTH shows up as a different total.
    const read = dnsPacket.decode.bytes;
    if (read !== bytes.length) return drop('malformed', DNS_HEADER_LEN, Number.isInteger(read) ? read : undefined);
    return ok(msg);
  } catch {
    return drop('malformed', DNS_HEADER_LEN);
  }
}

/** Octets `emitDns` will write. Throws `InvalidArgumentError` if dns-packet cannot size it. */
export function dnsLen(msg: Packet): number {
  try {
    return dnsPacket.encodingLength(msg) - mailboxEscapes(msg);
  } catch (e) {
    throw new InvalidArgumentError(`cannot encode DNS message: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * dns-packet sizes an SOA RNAME such as `john\.doe.example.com` by its string, counting the
 * backslash that its mailbox encoding turns into a plain dot inside the first label.
 */
function mailboxEscapes(msg: Packet): number {
  let n = 0;
  for (const list of [msg.answers, msg.authorities, msg.additionals]) {
    for (const a of list ?? []) if (a.type === 'SOA' && typeof a.data?.rname === 'string') n += a.data.rname.split('\\.').length - 1;
  }
  return n;
}

export function dnsTcpLen(msg: Packet): number {
  return DNS_TCP_PREFIX_LEN + dnsLen(msg);
}

/**
 * Writes `msg` at `out[offset]`; returns the octets written. Throws `InvalidArgumentError` for
 * names, addresses or strings that are not valid DNS (instead of dns-packet's silent corruption),
 * `BufferTooSmallError` if `out` is short. Never mutates `msg`.
 */
export function emitDns(msg: Packet, out: Uint8Array, offset: number): number {
  const safe = checkedForEmit(msg);
  const n = dnsLen(safe);
  if (n > DNS_MAX_MESSAGE) throw new InvalidArgumentError(`DNS message of ${n} octets exceeds ${DNS_MAX_MESSAGE}`);
  ensureRoom(out, offset, n);
  try {
    dnsPacket.encode(safe, Buffer.from(out.buffer, out.byteOffset, out.byteLength), offset);
  } catch (e) {
    throw new InvalidArgumentError(`cannot encode DNS message: ${(e as Error).message}`, { cause: e });
  }
  // What dns-packet wrote must be what we would accept from a peer.
  const check = dnsPacket.encode.bytes === n ? scanDnsMessage(out.subarray(offset, offset + n)) : drop('bad-length', 0, dnsPacket.encode.bytes);
  if (typeof check !== 'number') throw new InvalidArgumentError(`DNS message encodes to invalid bytes: ${describeDrop(check)}`);
  return n;
}

/** DNS over TCP (RFC 1035 §4.2.2): "prefixed with a two byte length field", then the message. */
export function emitDnsTcp(msg: Packet, out: Uint8Array, offset: number): number {
  ensureRoom(out, offset, DNS_TCP_PREFIX_LEN);
  const n = emitDns(msg, out, offset + DNS_TCP_PREFIX_LEN);
  writeU16(out, offset, n);
  return DNS_TCP_PREFIX_LEN + n;
}

/**
 * The message of the first DNS-over-TCP frame in `bytes` (a view), or `truncated` until the whole
 * frame is there. The next frame starts `DNS_TCP_PREFIX_LEN + message.length` octets in.
 */
export function parseDnsTcpFrame(bytes: Uint8Array): Result<Uint8Array> {
  if (bytes.length < DNS_TCP_PREFIX_LEN) return drop('truncated', 0, bytes.length);
  const len = readU16(bytes, 0);
  if (len < DNS_HEADER_LEN) return drop('bad-length', 0, len);
  if (bytes.length < DNS_TCP_PREFIX_LEN + len) return drop('truncated', 0, len);
  return ok(bytes.subarray(DNS_TCP_PREFIX_LEN, DNS_TCP_PREFIX_LEN + len));
}

/** UDP payload size a responder may use for `query`: 512, or the OPT's size (RFC 6891 §6.2.5). */
export function dnsUdpPayloadLimit(query: Packet): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT');
  return opt?.type === 'OPT' ? Math.max(DNS_MAX_UDP_MESSAGE, opt.udpPayloadSize ?? 0) : DNS_MAX_UDP_MESSAGE;
}

function checkedForEmit(msg: Packet): Packet {
  assertUint('DNS id', msg.id ?? 0, 0xffff);
  // dns-packet takes QR from `type` and masks it out of `flags`: a QR bit here would be lost.
  assertUint('DNS flags (QR is set by type: "response")', msg.flags ?? 0, 0x7fff);
  const questions = msg.questions ?? [];
  const count = questions.length + (msg.answers?.length ?? 0) + (msg.authorities?.length ?? 0) + (msg.additionals?.length ?? 0);
  if (count > DNS_MAX_RECORDS) throw new InvalidArgumentError(`${count} questions and records exceed ${DNS_MAX_RECORDS}`);
  for (const q of questions) checkName(q.name, false);
  return {
    ...msg,
    questions: [...questions],
    answers: (msg.answers ?? []).map(checkedRecord),
    authorities: (msg.authorities ?? []).map(checkedRecord),
    additionals: (msg.additionals ?? []).map(checkedRecord),
  };
}

function checkedRecord(a: Answer): Answer {
  checkName(a.name, false);
  if (a.type !== 'OPT') assertUint('DNS ttl', a.ttl ?? 0, 0xffff_ffff);
  switch (a.type) {
    case 'A':
      if (typeof a.data !== 'string') throw new InvalidArgumentError(`invalid IPv4 address: ${JSON.stringify(a.data)}`);
      parseIpv4Address(a.data);
      return a;
    case 'AAAA':
      if (typeof a.data !== 'string' || !isIPv6(a.data) || a.data.includes('%')) {
        throw new InvalidArgumentError(`invalid IPv6 address: ${JSON.stringify(a.data)}`);
      }
      return a;
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      checkName(a.data, false);
      return a;
    case 'MX':
      checkName(a.data.exchange, false);
      return a;
    case 'SRV':
      checkName(a.data.target, false);
      return a;
    case 'SOA':
      checkName(a.data.mname, false);
      checkName(a.data.rname, true);
      return a;
    case 'TXT': {
      // Copied: dns-packet replaces strings in the array it is given with Buffers.
      const strings = (Array.isArray(a.data) ? a.data : [a.data]).map((s) =>
        typeof s === 'string' ? s : Buffer.from(s.buffer, s.byteOffset, s.byteLength));
      for (const s of strings) {
        const len = typeof s === 'string' ? Buffer.byteLength(s) : s.length;
        if (len > 255) throw new InvalidArgumentError(`TXT string of ${len} octets exceeds 255 (RFC 1035 §3.3)`);
      }
      return { ...a, data: strings };
    }
    default:
      return a;
  }
}

/**
 * A dotted name dns-packet will encode faithfully: `.` for the root, otherwise non-empty labels of
 * ≤ 63 octets, ≤ 255 octets in all (RFC 1035 §2.3.4). In a mailbox (SOA RNAME) the first label
 * may hold `\.` escapes, which dns-packet turns into dots.
 */
function checkName(name: unknown, mailbox: boolean): void {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`invalid DNS name ${JSON.stringify(name)}: ${why}`);
  };
  if (typeof name !== 'string') return bad('not a string');
  if (name === '.') return;
  // dns-packet strips dots with /^\.|\.$/gm, which also matches around line breaks.
  if (/[\r\n\u2028\u2029]/.test(name)) bad('line break');
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  if (mailbox) {
    let i = 0;
    while (i < labels.length - 1 && labels[i].endsWith('\\')) i++;
    labels.splice(0, i + 1, labels.slice(0, i + 1).map((l, j) => (j < i ? l.slice(0, -1) : l)).join('.'));
    if (labels.slice(1).some((l) => l.endsWith('\\'))) bad('escaped dot after the first label');
  }
  if (labels.length > DNS_MAX_LABELS) bad(`more than ${DNS_MAX_LABELS} labels`);
  let wire = 1;
  for (const label of labels) {
    const len = Buffer.byteLength(label);
    if (len === 0) bad('empty label');
    if (len > DNS_MAX_LABEL_LEN) bad(`label of ${len} octets exceeds ${DNS_MAX_LABEL_LEN}`);
    wire += 1 + len;
  }
  if (wire > DNS_MAX_NAME_LEN) bad(`${wire} octets exceeds ${DNS_MAX_NAME_LEN}`);
}
