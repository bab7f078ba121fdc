import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DNS_HEADER_LEN,
  DNS_MAX_LABELS,
  DNS_MAX_MESSAGE,
  DNS_MAX_NAME_LEN,
  DNS_MAX_POINTERS,
  DNS_MAX_RECORDS,
  DNS_MAX_UDP_MESSAGE,
  DnsFlag,
  DnsMessageView,
  dnsLen,
  dnsTcpLen,
  dnsUdpPayloadLimit,
  emitDns,
  emitDnsTcp,
  formatDnsRcode,
  formatDnsType,
  parseDns,
  parseDnsTcpFrame,
  parseDnsUdp,
  type DecodedDnsMessage,
  type DnsAnswer,
  type DnsMessage,
  type DnsStringAnswer,
} from '../../src/wire/dns.js';
import { internetChecksum, checksumAdd, checksumFinish, pseudoHeaderSum } from '../../src/wire/checksum.js';
import { emitPcapHeader, emitPcapRecord, LinkType, pcapHeader, PCAP_HEADER_LEN, PCAP_RECORD_HEADER_LEN } from '../../src/wire/pcap.js';
import type { Result } from '../../src/util/drop.js';
import { expectDrop, expectEmits, expectNeverThrows, expectOk, expectPrefixesTruncated, FUZZ_RUNS, hex, toHex } from '../support/codec.js';
import { complaints, dissect, field, fieldValues, tsharkAvailable } from '../support/tshark.js';

// `dig example.com` (BIND 9.16+: RD+AD, EDNS0 OPT with UDP size 1232 and a client COOKIE,
// RFC 7873), as captured bytes published in a public test client; tshark dissects it below.
const DIG_QUERY = hex(
  '5460 0120 0001 0000 0000 0001 07 6578616d706c65 03 636f6d 00 0001 0001' +
    '00 0029 04d0 00 00 0000 000c 000a 0008 d9e95614a58b3b33',
);
// RFC 8484 §4.1 (also Cloudflare's DoH wire-format page): www.example.com A, ID 0, RD.
const RFC8484_QUERY = hex('0000 0100 0001 0000 0000 0000 03 777777 07 6578616d706c65 03 636f6d 00 0001 0001');
// Cloudflare's DoH wire-format page: the answer to it, names uncompressed (as dns-packet writes).
const CF_RESPONSE = hex(
  '0000 8180 0001 0001 0000 0000 03777777 076578616d706c65 03636f6d 00 0001 0001' +
    '03777777 076578616d706c65 03636f6d 00 0001 0001 00000080 0004 c0000201',
);
// RFC 8484 §4.2.2: www.example.com AAAA answered with a compression pointer (c00c), TTL 3709.
const RFC8484_AAAA_RESPONSE = hex(
  '0000 8180 0001 0001 0000 0000 03777777 076578616d706c65 03636f6d 00 001c 0001' +
    'c00c 001c 0001 00000e7d 0010 20010db8abcd00120001000200030004',
);
const GOLDENS = [DIG_QUERY, RFC8484_QUERY, CF_RESPONSE, RFC8484_AAAA_RESPONSE];

const CF_RESPONSE_MSG: DnsMessage = {
  type: 'response',
  id: 0,
  flags: DnsFlag.RD | DnsFlag.RA,
  questions: [{ type: 'A', name: 'www.example.com' }],
  answers: [{ type: 'A', name: 'www.example.com', ttl: 128, data: '192.0.2.1' }],
};

const u16 = (n: number) => n.toString(16).padStart(4, '0');
/** A header: ID 1, RD, then the four counts. */
const H = (qd: number, an: number, ns: number, ar: number) => `0001 0100 ${u16(qd)} ${u16(an)} ${u16(ns)} ${u16(ar)}`;
const labelHex = (s: string) => u16(s.length).slice(2) + Buffer.from(s).toString('hex');
const nameHex = (labels: string[]) => labels.map(labelHex).join('') + '00';
const emitted = (msg: DnsMessage) => {
  const out = new Uint8Array(dnsLen(msg));
  emitDns(msg, out, 0);
  return out;
};
const outcome = <T>(r: Result<T>) => (r.ok ? 'ok' : `${r.reason}@${r.offset}${r.value === undefined ? '' : `=${r.value}`}`);

const tmp = mkdtempSync(join(tmpdir(), 'swarmnet-dns-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('DNS golden messages', () => {
  it('parses a dig query with an EDNS0 OPT record', () => {
    const m = expectOk(parseDns(DIG_QUERY));
    expect([m.id, m.type, m.flag_rd, m.flag_ad, m.opcode, m.rcode]).toEqual([0x5460, 'query', true, true, 'QUERY', 'NOERROR']);
    expect(m.questions).toEqual([{ name: 'example.com', type: 'A', class: 'IN' }]);
    const opt = m.additionals?.[0];
    if (opt?.type !== 'OPT') throw new Error(`got ${opt?.type}, want OPT`);
    expect([opt.name, opt.udpPayloadSize, opt.ednsVersion, opt.flag_do]).toEqual(['.', 1232, 0, false]);
    expect(opt.options.map((o) => [o.code, o.type, toHex(o.data ?? new Uint8Array())])).toEqual([[10, 'COOKIE', 'd9e95614a58b3b33']]);
    expect(opt.options[0].data?.buffer, 'option data must view the input').toBe(DIG_QUERY.buffer);
    expect(dnsUdpPayloadLimit(m)).toBe(1232);
  });

  it('parses a response with a compression pointer (RFC 8484 §4.2.2)', () => {
    const m = expectOk(parseDns(RFC8484_AAAA_RESPONSE));
    expect([m.type, m.flag_qr, m.flag_rd, m.flag_ra, m.rcode]).toEqual(['response', true, true, true, 'NOERROR']);
    expect(m.answers).toEqual([{ name: 'www.example.com', type: 'AAAA', class: 'IN', ttl: 3709, flush: false, data: '2001:db8:abcd:12:1:2:3:4' }]);
    expect(dnsUdpPayloadLimit(m)).toBe(DNS_MAX_UDP_MESSAGE);
  });

  it('emits RFC 8484 query and response bytes exactly, at offset 0 and at an offset', () => {
    expectEmits((out, off) => emitDns({ type: 'query', id: 0, flags: DnsFlag.RD, questions: [{ type: 'A', name: 'www.example.com' }] }, out, off), RFC8484_QUERY);
    expectEmits((out, off) => emitDns(CF_RESPONSE_MSG, out, off), CF_RESPONSE);
    expect(dnsLen(CF_RESPONSE_MSG)).toBe(CF_RESPONSE.length);
  });

  it('re-emits each golden message it parsed (compressed names come back uncompressed)', () => {
    for (const golden of [DIG_QUERY, RFC8484_QUERY, CF_RESPONSE]) {
      expectEmits((out, off) => emitDns(expectOk(parseDns(golden)), out, off), golden);
    }
    const again = emitted(expectOk(parseDns(RFC8484_AAAA_RESPONSE)));
    expect(again.length).toBe(RFC8484_AAAA_RESPONSE.length + 15); // "www.example.com" (17) instead of c00c (2)
    expect(expectOk(parseDns(again)).answers).toEqual(expectOk(parseDns(RFC8484_AAAA_RESPONSE)).answers);
  });

  it('every truncated prefix is truncated, never a throw', () => {
    for (const golden of GOLDENS) {
      expectPrefixesTruncated(golden, golden.length, parseDns);
      expectPrefixesTruncated(golden, golden.length, parseDnsUdp);
    }
  });

  it('view reads header fields and checks the message once', () => {
    const v = expectOk(DnsMessageView.checked(DIG_QUERY));
    expect([v.id, v.flags, v.isResponse, v.opcode, v.rcode, v.qdcount, v.ancount, v.nscount, v.arcount]).toEqual([0x5460, 0x0120, false, 0, 0, 1, 0, 0, 1]);
    expect(DnsMessageView.unchecked(CF_RESPONSE).isResponse).toBe(true);
    expectDrop(DnsMessageView.checked(DIG_QUERY.subarray(0, 20)), 'truncated');
    expect([formatDnsType(28), formatDnsType(0xff00), formatDnsRcode(3), formatDnsRcode(11)]).toEqual(['AAAA', '0xff00', 'NXDOMAIN', '0x000b']);
  });

  it('tshark dissects our bytes as the same DNS messages, with no complaints', async () => {
    if (!tsharkAvailable()) return;
    const path = join(tmp, 'dns.pcap');
    const msgs = [DIG_QUERY, CF_RESPONSE, RFC8484_AAAA_RESPONSE, emitted(expectOk(parseDns(DIG_QUERY)))];
    writeFileSync(path, udpCapture(msgs));
    const pkts = await dissect(path);
    expect(pkts.length).toBe(msgs.length);
    for (const p of pkts) expect(complaints(p)).toEqual([]);
    expect([field(pkts[0], 'dns.id'), field(pkts[0], 'dns.qry.name'), field(pkts[0], 'dns.rr.udp_payload_size')]).toEqual(['0x5460', 'example.com', '1232']);
    expect(field(pkts[0], 'dns.opt.cookie.client')).toBe('d9:e9:56:14:a5:8b:3b:33');
    expect([field(pkts[1], 'dns.a'), field(pkts[1], 'dns.resp.ttl')]).toEqual(['192.0.2.1', '128']);
    expect(fieldValues(pkts[2], 'dns.aaaa')).toEqual(['2001:db8:abcd:12:1:2:3:4']);
    expect(field(pkts[3], 'dns.opt.cookie.client')).toBe('d9:e9:56:14:a5:8b:3b:33');
  });
});

/** LINKTYPE_RAW capture of each message in IPv4/UDP from 10.0.0.2:4000x to 127.0.0.11:53 (Docker's resolver). */
function udpCapture(messages: Uint8Array[]): Uint8Array {
  const h = pcapHeader(65535, LinkType.RAW);
  const parts: Uint8Array[] = [];
  const fileHeader = new Uint8Array(PCAP_HEADER_LEN);
  emitPcapHeader(h, fileHeader, 0);
  parts.push(fileHeader);
  messages.forEach((msg, i) => {
    const src = 0x0a000002;
    const dst = 0x7f00000b;
    const pkt = new Uint8Array(28 + msg.length);
    const dv = new DataView(pkt.buffer);
    pkt.set(hex('4500'), 0);
    dv.setUint16(2, pkt.length);
    dv.setUint16(4, i + 1);
    pkt.set(hex('4000 40 11 0000'), 6);
    dv.setUint32(12, src);
    dv.setUint32(16, dst);
    dv.setUint16(10, internetChecksum(pkt, 0, 20));
    dv.setUint16(20, 40000 + i); // one conversation per message: no "retransmission" notes
    dv.setUint16(22, 53);
    dv.setUint16(24, 8 + msg.length);
    pkt.set(msg, 28);
    dv.setUint16(26, checksumFinish(checksumAdd(pkt, 20, pkt.length, pseudoHeaderSum(src, dst, 17, 8 + msg.length))) || 0xffff);
    const rec = new Uint8Array(PCAP_RECORD_HEADER_LEN + pkt.length);
    emitPcapRecord({ tsSec: 1700000000 + i, tsFrac: 0, origLen: pkt.length, data: pkt }, h, rec, 0);
    parts.push(rec);
  });
  return new Uint8Array(Buffer.concat(parts));
}

describe('dns-packet on its own (why the wrapper exists)', () => {
  it('decodes some truncated inputs without throwing, returning cut or garbage data', () => {
    const quiet = [];
    for (let n = 0; n < DIG_QUERY.length; n++) {
      try {
        dnsPacket.decode(Buffer.from(DIG_QUERY.subarray(0, n)));
        quiet.push(n);
      } catch {
        // expected
      }
    }
    expect(quiet, 'prefixes cut inside the OPT option data').toEqual([44, 45, 46, 47, 48, 49, 50, 51]);
    const cutA = dnsPacket.decode(Buffer.from(CF_RESPONSE.subarray(0, CF_RESPONSE.length - 2)));
    expect((cutA.answers?.[0] as DnsStringAnswer).data).toBe('192.0.undefined.undefined');
    expectDrop(parseDns(CF_RESPONSE.subarray(0, CF_RESPONSE.length - 2)), 'truncated');
  });

  it('encodes bad input silently, where emitDns throws', () => {
    const longLabel: DnsMessage = { questions: [{ type: 'A', name: `${'a'.repeat(70)}.com` }] };
    expect(() => dnsPacket.decode(dnsPacket.encode(longLabel))).toThrow(/bad label/);
    expect(() => emitted(longLabel)).toThrow(/label of 70 octets/);
    const badA: DnsMessage = { answers: [{ type: 'A', name: 'x', data: '999.1.2.3' }] };
    expect(toHex(dnsPacket.encode(badA)).slice(-8)).toBe('e7010203');
    expect(() => emitted(badA)).toThrow(/invalid IPv4/);
  });
});

describe('malformed messages', () => {
  const rr = (name: string, type: number, rdata: string) => `${name} ${u16(type)} 0001 00000000 ${u16(rdata.replace(/\s/g, '').length / 2)} ${rdata}`;
  const OPT = '00 0029 1000 0000 0000 0000';
  const q = (name: string) => `${name} 0001 0001`;
  const cases: [string, string, string][] = [
    ['pointer to itself', H(1, 0, 0, 0) + q('c00c'), 'malformed@12=12'],
    ['pointer forwards', H(1, 0, 0, 0) + q('c010') + '00', 'malformed@12=16'],
    ['pointer into the header', H(2, 0, 0, 0) + q('0161 00') + q('c002'), 'malformed@19=2'],
    ['label pointing back into its own name', H(1, 0, 0, 0) + q('0161 c00c'), 'malformed@14=12'],
    // Record 1's opaque RDATA holds a pointer to record 2's owner, which points back at it.
    ['loop through opaque RDATA', H(0, 2, 0, 0) + rr('00', 0xff00, 'c019') + rr('c017', 1, '01020304'), 'malformed@23=25'],
    ['extended label type 0x40', H(1, 0, 0, 0) + q('4161 00'), 'malformed@12=65'],
    ['reserved label type 0x80', H(1, 0, 0, 0) + q('8161 00'), 'malformed@12=129'],
    ['OPT in the answer section', H(0, 1, 0, 0) + OPT, 'malformed@13=41'],
    ['two OPT records', H(0, 0, 0, 2) + OPT + OPT, 'malformed@24=41'],
    ['OPT with a non-root name', H(0, 0, 0, 1) + '0161 00 0029 1000 0000 0000 0000', 'malformed@12=1'],
    ['A with RDLENGTH 2', H(0, 1, 0, 0) + rr('00', 1, '0102'), 'bad-length@21=2'],
    ['AAAA with RDLENGTH 4', H(0, 1, 0, 0) + rr('00', 28, '01020304'), 'bad-length@21=4'],
    ['CNAME running past RDLENGTH', H(0, 2, 0, 0) + rr('00', 5, '0161') + rr('00', 1, '01020304'), 'bad-length@21=2'],
    ['MX too short for a name', H(0, 1, 0, 0) + rr('00', 15, '0001'), 'bad-length@21=2'],
    ['SRV target short of RDLENGTH', H(0, 1, 0, 0) + rr('00', 33, '0000 0000 0035 00 ff'), 'bad-length@21=8'],
    ['SOA without its counters', H(0, 1, 0, 0) + rr('00', 6, '00 00 00000001'), 'bad-length@21=6'],
    ['TXT strings not filling RDATA', H(0, 1, 0, 0) + rr('00', 16, '05 6162'), 'bad-length@21=3'],
    ['EDNS option overrunning RDATA', H(0, 0, 0, 1) + '00 0029 1000 0000 0000 0006 000a 0008 0102', 'bad-length@25=8'],
    ['client-subnet option of 2 octets', H(0, 0, 0, 1) + '00 0029 1000 0000 0000 0006 0008 0002 0001', 'malformed@23=8'],
    ['keepalive option of 1 octet', H(0, 0, 0, 1) + '00 0029 1000 0000 0000 0005 000b 0001 00', 'malformed@23=11'],
    ['bytes after the last record', toHex(RFC8484_QUERY) + 'ff', 'bad-length@33=1'],
    ['a dot inside a label', H(1, 0, 0, 0) + q('03 612e62 00'), 'unsupported@14=46'],
    ['a label that is not UTF-8', H(1, 0, 0, 0) + q('02 c328 00'), 'unsupported@13=195'],
    // dns-packet's own RDATA decoders, which ignore RDLENGTH, are caught by the total length.
    ['SSHFP with an unknown hash type', H(0, 1, 0, 0) + rr('00', 44, '01 09 aabb'), 'malformed@12'],
    ['HINFO strings longer than RDLENGTH', H(0, 2, 0, 0) + rr('00', 13, '05 61') + rr('00', 1, '01020304'), 'malformed@12'],
  ];
  it.each(cases)('%s', (_what, bytes, want) => {
    expect(outcome(parseDns(hex(bytes)))).toBe(want);
  });

  it('accepts well-formed neighbours of those cases', () => {
    expect(expectOk(parseDns(hex(H(1, 0, 0, 0) + q('02 c3a9 00')))).questions?.[0].name).toBe('é');
    const twoNames = expectOk(parseDns(hex(H(2, 0, 0, 0) + q('0161 00') + q('0162 c00c'))));
    expect(twoNames.questions?.map((x) => x.name)).toEqual(['a', 'b.a']);
    const mailbox = rr('00', 6, '00 08 6a6f686e2e646f65 00 00000001 00000002 00000003 00000004 00000005');
    const soa = expectOk(parseDns(hex(H(0, 1, 0, 0) + mailbox))).answers?.[0];
    expect(soa?.type === 'SOA' && soa.data.rname).toBe('john\\.doe');
    expectEmits((out, off) => emitDns(expectOk(parseDns(hex(H(0, 1, 0, 0) + mailbox))), out, off), hex(H(0, 1, 0, 0) + mailbox));
  });
});

describe('named limits', () => {
  const question = (labels: string[]) => hex(H(1, 0, 0, 0) + nameHex(labels) + '0001 0001');

  it('DNS_MAX_RECORDS: the four counts together, checked before anything is read', () => {
    expect(outcome(parseDns(hex(H(DNS_MAX_RECORDS - 1, 2, 0, 0))))).toBe(`too-large@4=${DNS_MAX_RECORDS + 1}`);
    expect(outcome(parseDns(hex(H(1, 1, 1, DNS_MAX_RECORDS - 3))))).toBe('truncated@12');
    const many: DnsMessage = { questions: Array.from({ length: DNS_MAX_RECORDS }, () => ({ type: 'A' as const, name: '.' })) };
    expect(expectOk(parseDns(emitted(many))).questions?.length).toBe(DNS_MAX_RECORDS);
    expect(() => emitted({ questions: [...(many.questions ?? []), { type: 'A', name: '.' }] })).toThrow(/exceed 4096/);
  });

  it('DNS_MAX_NAME_LEN: 255 octets in wire form', () => {
    const at255 = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)];
    expect(nameHex(at255).length / 2).toBe(DNS_MAX_NAME_LEN);
    expectOk(parseDns(question(at255)));
    expect(outcome(parseDns(question([...at255.slice(0, 3), 'd'.repeat(62)])))).toBe('too-large@204=256');
    expect(emitted({ questions: [{ type: 'A', name: at255.join('.') }] }).length).toBe(DNS_HEADER_LEN + 255 + 4);
    expect(() => emitted({ questions: [{ type: 'A', name: `${at255.join('.')}e` }] })).toThrow(/256 octets exceeds 255/);
  });

  it('DNS_MAX_LABELS: 127 one-octet labels fill a name', () => {
    const labels = Array.from({ length: DNS_MAX_LABELS }, () => 'a');
    expectOk(parseDns(question(labels)));
    expect(outcome(parseDns(question([...labels, 'a'])))).toBe(`too-large@${12 + 2 * DNS_MAX_LABELS}=128`);
    expect(() => emitted({ questions: [{ type: 'A', name: [...labels, 'a'].join('.') }] })).toThrow(/more than 127 labels/);
  });

  it('DNS_MAX_LABEL_LEN: 63 octets; a length octet of 64 is a reserved label type', () => {
    expectOk(parseDns(question(['a'.repeat(63)])));
    expect(outcome(parseDns(question(['a'.repeat(64)])))).toBe('malformed@12=64');
    expect(() => emitted({ questions: [{ type: 'A', name: 'a'.repeat(64) }] })).toThrow(/label of 64 octets/);
  });

  it('DNS_MAX_POINTERS: compression pointers followed in one name', () => {
    // A question "a" at 12, then a NULL record whose RDATA is a chain of n pointers, each to the
    // previous one (the first to "a"), then a record whose owner points at the last of the chain:
    // reading that owner follows n + 1 pointers.
    const chain = (n: number) => {
      const rdataStart = 12 + 7 + 11;
      const pointers = Array.from({ length: n }, (_, i) => u16(0xc000 | (i === 0 ? 12 : rdataStart + 2 * (i - 1)))).join('');
      const last = rdataStart + 2 * (n - 1);
      return hex(H(1, 2, 0, 0) + '0161 00 0001 0001' + `00 000a 0001 00000000 ${u16(2 * n)} ${pointers}` + `${u16(0xc000 | last)} 0001 0001 00000000 0004 01020304`);
    };
    const okMsg = expectOk(parseDns(chain(DNS_MAX_POINTERS - 1)));
    expect(okMsg.answers?.[1].name).toBe('a');
    const bad = chain(DNS_MAX_POINTERS);
    expect(outcome(parseDns(bad)), 'the last pointer followed is the first of the chain, at 30').toBe(`too-large@30=${DNS_MAX_POINTERS + 1}`);
  });

  it('DNS_MAX_UDP_MESSAGE: over 512 octets on UDP only with EDNS0', () => {
    const sized = (total: number, withOpt: boolean): Uint8Array => {
      const fixed = DNS_HEADER_LEN + 11 + (withOpt ? 11 : 0); // header, TXT record without RDATA, OPT
      const txt = ['x'.repeat(255), 'y'.repeat(total - fixed - 256 - 1)];
      const msg: DnsMessage = {
        answers: [{ type: 'TXT', name: '.', data: txt }],
        additionals: withOpt ? [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
      };
      const b = emitted(msg);
      expect(b.length).toBe(total);
      return b;
    };
    expectOk(parseDnsUdp(sized(DNS_MAX_UDP_MESSAGE, false)));
    expect(outcome(parseDnsUdp(sized(DNS_MAX_UDP_MESSAGE + 1, false)))).toBe('too-large@512=513');
    expectOk(parseDns(sized(DNS_MAX_UDP_MESSAGE + 1, false)));
    expectOk(parseDnsUdp(sized(DNS_MAX_UDP_MESSAGE + 1, true)));
  });

  it('DNS_MAX_MESSAGE: 65535 octets, the TCP length prefix', () => {
    const max = hex(H(0, 1, 0, 0) + `00 000a 0001 00000000 ${u16(DNS_MAX_MESSAGE - 23)}` + '00'.repeat(DNS_MAX_MESSAGE - 23));
    expect(max.length).toBe(DNS_MAX_MESSAGE);
    expect(expectOk(parseDns(max)).answers?.length).toBe(1);
    const over = new Uint8Array(DNS_MAX_MESSAGE + 1);
    expect(outcome(parseDns(over))).toBe('too-large@65535=65536');
  });
});

describe('DNS over TCP (RFC 1035 §4.2.2)', () => {
  const FRAME = new Uint8Array(Buffer.concat([hex('0021'), RFC8484_QUERY]));

  it('prefixes the message with its length, at offset 0 and at an offset', () => {
    const msg: DnsMessage = { id: 0, flags: DnsFlag.RD, questions: [{ type: 'A', name: 'www.example.com' }] };
    expectEmits((out, off) => emitDnsTcp(msg, out, off), FRAME);
    expect(dnsTcpLen(msg)).toBe(FRAME.length);
  });

  it('frames: the message as a view, truncated until complete, the next frame left alone', () => {
    const two = new Uint8Array(Buffer.concat([FRAME, FRAME]));
    const m = expectOk(parseDnsTcpFrame(two));
    expect(toHex(m)).toBe(toHex(RFC8484_QUERY));
    expect(m.byteOffset).toBe(two.byteOffset + 2);
    expectPrefixesTruncated(FRAME, FRAME.length, parseDnsTcpFrame);
    expect(outcome(parseDnsTcpFrame(hex('000b' + '00'.repeat(11))))).toBe('bad-length@0=11');
  });
});

describe('emit refuses what dns-packet would corrupt', () => {
  const q = (name: string): DnsMessage => ({ questions: [{ type: 'A', name }] });
  const a = (ans: DnsAnswer): DnsMessage => ({ type: 'response', answers: [ans] });
  const cases: [string, DnsMessage, RegExp][] = [
    ['empty label', q('a..b'), /empty label/],
    ['leading dot', q('.a'), /empty label/],
    ['empty string (the root is ".")', q(''), /empty label/],
    ['line break', q('a.\nb'), /line break/],
    ['A not dotted-quad', a({ type: 'A', name: 'x', data: '1.2.3' }), /invalid IPv4/],
    ['AAAA not IPv6', a({ type: 'AAAA', name: 'x', data: '1.2.3.4' }), /invalid IPv6/],
    ['AAAA with a zone', a({ type: 'AAAA', name: 'x', data: 'fe80::1%eth0' }), /invalid IPv6/],
    ['CNAME target', a({ type: 'CNAME', name: 'x', data: 'a..b' }), /empty label/],
    ['SRV target', a({ type: 'SRV', name: 'x', data: { port: 53, target: 'a'.repeat(64) } }), /64 octets/],
    ['TXT string over 255', a({ type: 'TXT', name: 'x', data: ['a'.repeat(256)] }), /256 octets exceeds 255/],
    ['TTL over 32 bits', a({ type: 'A', name: 'x', ttl: 2 ** 32, data: '1.2.3.4' }), /ttl/],
    ['ID over 16 bits', { id: 0x10000 }, /id out of range/],
    ['QR in flags', { flags: 0x8000 }, /QR is set by type/],
    ['OPT in answers', a({ type: 'OPT', name: '.', udpPayloadSize: 512, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }), /malformed at byte 13/],
    ['SSHFP fingerprint of the wrong length', a({ type: 'SSHFP', name: 'x', data: { algorithm: 1, hash: 1, fingerprint: 'aa' } }), /cannot encode/],
  ];
  it.each(cases)('%s', (_what, msg, want) => {
    expect(() => emitted(msg)).toThrow(want);
  });

  it('does not mutate the message and honours the output buffer bounds', () => {
    const msg: DnsMessage = { answers: [{ type: 'TXT', name: 'x', data: ['hello', 'world'] }] };
    const out = emitted(msg);
    expect(msg).toEqual({ answers: [{ type: 'TXT', name: 'x', data: ['hello', 'world'] }] });
    expect(() => emitDns(msg, new Uint8Array(out.length - 1), 0)).toThrow(/buffer too small/);
    expect(() => emitDns(msg, new Uint8Array(out.length), 1)).toThrow(/buffer too small/);
  });
});

describe('DNS properties', () => {
  it('never throws on arbitrary input', () => {
    expectNeverThrows(parseDns);
    expectNeverThrows(parseDnsUdp);
  });

  it('never throws on golden messages with bytes changed or cut', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GOLDENS),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (golden, edits, cut) => {
          const b = golden.slice(0, golden.length - (cut % 4));
          for (const [at, v] of edits) b[at % b.length] = v;
          const r = parseDns(b);
          return r.ok || typeof r.reason === 'string';
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('parse(emit(m)) equals m, and emit(parse(emit(m))) equals emit(m)', () => {
    const label = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
    const name = fc.oneof(fc.constant('.'), fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.')));
    const u16a = fc.integer({ min: 0, max: 0xffff });
    const ttl = fc.nat({ max: 0xffff_ffff });
    const rr = fc.oneof(
      fc.record({ type: fc.constant('A' as const), name, ttl, data: fc.ipV4() }),
      fc.record({ type: fc.constant('AAAA' as const), name, ttl, data: fc.ipV6() }),
      fc.record({ type: fc.constantFrom('CNAME' as const, 'PTR' as const, 'NS' as const), name, ttl, data: name }),
      fc.record({ type: fc.constant('TXT' as const), name, ttl, data: fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }) }),
      fc.record({ type: fc.constant('SRV' as const), name, ttl, data: fc.record({ priority: u16a, weight: u16a, port: u16a, target: name }) }),
      fc.record({ type: fc.constant('MX' as const), name, ttl, data: fc.record({ preference: u16a, exchange: name }) }),
      fc.record({
        type: fc.constant('SOA' as const), name, ttl,
        data: fc.record({
          mname: name,
          // A mailbox whose local part holds a dot travels escaped: john\.doe.example.com.
          rname: fc.oneof(name, fc.tuple(label, label, name).map(([a, b, n]) => `${a}\\.${b}${n === '.' ? '' : `.${n}`}`)),
          serial: ttl, refresh: ttl, retry: ttl, expire: ttl, minimum: ttl,
        }),
      }),
    );
    const opt = fc.record({
      type: fc.constant('OPT' as const), name: fc.constant('.'), udpPayloadSize: fc.integer({ min: 512, max: 0xffff }),
      extendedRcode: fc.constant(0), ednsVersion: fc.constant(0), flags: fc.constantFrom(0, 0x8000), flag_do: fc.constant(false),
      // A client COOKIE (RFC 7873); @types/dns-packet's option union has no COOKIE member, hence the casts.
      options: fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }).map((d) => ({ code: 10, data: Buffer.from(d) })), { maxLength: 1 }),
    }) as unknown as fc.Arbitrary<DnsAnswer>;
    const message = fc.record({
      type: fc.constantFrom('query' as const, 'response' as const),
      id: u16a,
      flags: fc.integer({ min: 0, max: 0x7fff }),
      questions: fc.array(fc.record({ type: fc.constantFrom('A' as const, 'AAAA' as const, 'SRV' as const), name }), { maxLength: 2 }),
      answers: fc.array(rr, { maxLength: 4 }),
      authorities: fc.array(rr, { maxLength: 2 }),
      additionals: fc.tuple(fc.array(rr, { maxLength: 2 }), fc.option(opt)).map(([r, o]): DnsAnswer[] => (o ? [...r, o] : r)),
    });
    const expected = (a: DnsAnswer): object => {
      if (a.type === 'OPT') return { ...a, flag_do: a.flags === 0x8000, options: a.options.map((o) => ({ code: o.code, data: o.data })) };
      if (a.type === 'AAAA') return { name: a.name, type: a.type, ttl: a.ttl, class: 'IN', flush: false };
      const data = a.type === 'TXT' ? (a.data as string[]).map((s) => Buffer.from(s)) : a.data;
      return { name: a.name, type: a.type, ttl: a.ttl, class: 'IN', flush: false, data };
    };
    fc.assert(
      fc.property(message, (m) => {
        const bytes = emitted(m);
        const got: DecodedDnsMessage = expectOk(parseDns(bytes));
        expect(got).toMatchObject({
          type: m.type, id: m.id, flags: m.flags,
          questions: m.questions.map((x) => ({ ...x, class: 'IN' })),
          answers: m.answers.map(expected), authorities: m.authorities.map(expected), additionals: m.additionals.map(expected),
        });
        expect(toHex(emitted(got))).toBe(toHex(bytes));
      }),
      { numRuns: FUZZ_RUNS / 20 },
    );
  });
});
