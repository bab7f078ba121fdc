import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  emitPcapHeader,
  emitPcapRecord,
  emitPcapRecordHeader,
  formatLinkType,
  LinkType,
  parsePcapHeader,
  parsePcapRecord,
  pcapHeader,
  PcapHeaderView,
  pcapRecordLen,
  PCAP_DEFAULT_SNAPLEN,
  PCAP_HEADER_LEN,
  PCAP_MAX_RECORD_LEN,
  PCAP_RECORD_HEADER_LEN,
  readPcap,
  splitMicros,
  type PcapHeaderRepr,
  type PcapRecordRepr,
} from '../../src/wire/pcap.js';
import { expectDrop, expectEmits, expectNeverThrows, expectOk, expectPrefixesTruncated, FUZZ_RUNS, hex } from '../support/codec.js';
import { dissect, field, tsharkAvailable } from '../support/tshark.js';

// A real capture's first 40 bytes (hexdump of sample.pcap, gist tkuriyama/d90986828b74e8009c86ac57ad45e147):
// little-endian µs magic, 2.4, snaplen 65535, LINKTYPE_ETHERNET; a record at 1297814400.006356
// with 0xfe = 254 octets captured of 254.
const REAL_HEADER = hex('d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000');
const REAL_RECORD_HEADER = hex('80135b4d d4180000 fe000000 fe000000');
// Ours: the same, with tcpdump's default snaplen 262144 = 0x00040000.
const OUR_HEADER = hex('d4c3b2a1 0200 0400 00000000 00000000 00000400 01000000');
// The same file header written big-endian, and little-endian with nanosecond stamps.
const BE_HEADER = hex('a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000001');
const NSEC_HEADER = hex('4d3cb2a1 0200 0400 00000000 00000000 ffff0000 01000000');

// An ARP request (RFC 826) from 02:42:0a:00:00:02 (10.0.0.2) for 10.0.0.3: 42 octets.
const ARP_FRAME = hex('ffffffffffff 02420a000002 0806 0001 0800 06 04 0001 02420a000002 0a000002 000000000000 0a000003');

const tmp = mkdtempSync(join(tmpdir(), 'swarmnet-pcap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

describe('pcap file header', () => {
  it('parses a real capture header into fields', () => {
    const h = expectOk(parsePcapHeader(REAL_HEADER));
    expect(h).toEqual({
      littleEndian: true, nanosecond: false, versionMinor: 4, thiszone: 0, sigfigs: 0, snaplen: 65535, linkType: 1, linkTypeInfo: 0,
    });
  });

  it('reads both byte orders and both precisions', () => {
    const be = expectOk(parsePcapHeader(BE_HEADER));
    expect([be.littleEndian, be.nanosecond, be.snaplen, be.linkType]).toEqual([false, false, 65535, 1]);
    const ns = expectOk(parsePcapHeader(NSEC_HEADER));
    expect([ns.littleEndian, ns.nanosecond, ns.snaplen]).toEqual([true, true, 65535]);
    const v = expectOk(PcapHeaderView.checked(BE_HEADER));
    expect([v.versionMajor, v.versionMinor, v.snaplen, v.linkType]).toEqual([2, 4, 65535, 1]);
  });

  it('emits our default header, and every variant, at offset 0 and at an offset', () => {
    expectEmits((out, off) => emitPcapHeader(pcapHeader(), out, off), OUR_HEADER);
    for (const golden of [REAL_HEADER, BE_HEADER, NSEC_HEADER]) {
      const repr = expectOk(parsePcapHeader(golden));
      expectEmits((out, off) => emitPcapHeader(repr, out, off), golden);
    }
    expect(PCAP_DEFAULT_SNAPLEN).toBe(262144);
  });

  it('keeps the upper 16 link-type bits (FCS length) without interpreting them', () => {
    const withFcs = hex('d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000024'); // P bit + FCS len 2
    const h = expectOk(parsePcapHeader(withFcs));
    expect([h.linkType, h.linkTypeInfo]).toEqual([1, 0x2400]);
    expectEmits((out, off) => emitPcapHeader(h, out, off), withFcs);
  });

  it('refuses what it cannot read', () => {
    const cases: [string, Uint8Array, string, number][] = [
      ['pcapng section header', hex('0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000'), 'unsupported', 0],
      ['random magic', hex('00000000 0200 0400 00000000 00000000 ffff0000 01000000'), 'unsupported', 0],
      ['major version 3', hex('d4c3b2a1 0300 0400 00000000 00000000 ffff0000 01000000'), 'bad-version', 4],
      ['major version 1, big-endian', hex('a1b2c3d4 0001 0004 00000000 00000000 0000ffff 00000001'), 'bad-version', 4],
    ];
    for (const [what, bytes, reason, offset] of cases) {
      const r = parsePcapHeader(bytes);
      expect(r.ok ? 'ok' : `${r.reason}@${r.offset}`, what).toBe(`${reason}@${offset}`);
    }
  });

  it('every truncated prefix is truncated', () => {
    expectPrefixesTruncated(OUR_HEADER, PCAP_HEADER_LEN, parsePcapHeader);
  });

  it('rejects bad caller input on emit', () => {
    const out = new Uint8Array(PCAP_HEADER_LEN);
    expect(() => emitPcapHeader(pcapHeader(0), out, 0)).toThrow(/snaplen/);
    expect(() => emitPcapHeader(pcapHeader(PCAP_MAX_RECORD_LEN + 1), out, 0)).toThrow(/snaplen/);
    expect(() => emitPcapHeader(pcapHeader(65535, 0x10000), out, 0)).toThrow(/link type/);
    expect(() => emitPcapHeader(pcapHeader(), new Uint8Array(PCAP_HEADER_LEN - 1), 0)).toThrow(/buffer too small/);
    expect(formatLinkType(LinkType.RAW)).toBe('RAW');
    expect(formatLinkType(0x71)).toBe('0x0071');
  });
});

describe('pcap record', () => {
  const real = expectOk(parsePcapHeader(REAL_HEADER));
  const data = new Uint8Array(254).map((_, i) => i);
  const REAL_RECORD = concat(REAL_RECORD_HEADER, data);

  it('parses a real record header into fields, data as a view', () => {
    const r = expectOk(parsePcapRecord(REAL_RECORD, real));
    expect([r.tsSec, r.tsFrac, r.origLen, r.data.length]).toEqual([1297814400, 6356, 254, 254]);
    expect(r.data.buffer, 'data must be a view').toBe(REAL_RECORD.buffer);
    expect(pcapRecordLen(r)).toBe(REAL_RECORD.length);
  });

  it('emits the record, and its header alone, at offset 0 and at an offset', () => {
    const r: PcapRecordRepr = { tsSec: 1297814400, tsFrac: 6356, origLen: 254, data };
    expectEmits((out, off) => emitPcapRecord(r, real, out, off), REAL_RECORD);
    expectEmits((out, off) => emitPcapRecordHeader(1297814400, 6356, 254, 254, real, out, off), REAL_RECORD_HEADER);
  });

  it('every truncated prefix is truncated', () => {
    expectPrefixesTruncated(REAL_RECORD, REAL_RECORD.length, (b) => parsePcapRecord(b, real));
  });

  it('bounds each record (named limits and the header fields)', () => {
    const big: PcapHeaderRepr = { ...real, snaplen: PCAP_MAX_RECORD_LEN };
    const rec = (incl: number, orig: number, frac = 0) => {
      const b = new Uint8Array(PCAP_RECORD_HEADER_LEN);
      const dv = new DataView(b.buffer);
      dv.setUint32(4, frac, true);
      dv.setUint32(8, incl, true);
      dv.setUint32(12, orig, true);
      return b;
    };
    const cases: [string, Uint8Array, PcapHeaderRepr, string, number][] = [
      ['incl_len over snaplen', rec(65536, 65536), real, 'too-large', 8],
      ['incl_len over PCAP_MAX_RECORD_LEN', rec(PCAP_MAX_RECORD_LEN + 1, PCAP_MAX_RECORD_LEN + 1), { ...big, snaplen: 0xffffffff }, 'too-large', 8],
      ['incl_len over orig_len', rec(60, 59), real, 'bad-length', 12],
      ['microseconds ≥ 1e6', rec(0, 0, 1_000_000), real, 'malformed', 4],
      ['nanoseconds ≥ 1e9', rec(0, 0, 1_000_000_000), { ...real, nanosecond: true }, 'malformed', 4],
      ['incl_len at PCAP_MAX_RECORD_LEN, data missing', rec(PCAP_MAX_RECORD_LEN, PCAP_MAX_RECORD_LEN), big, 'truncated', 8],
    ];
    for (const [what, bytes, h, reason, offset] of cases) {
      const r = parsePcapRecord(bytes, h);
      expect(r.ok ? 'ok' : `${r.reason}@${r.offset}`, what).toBe(`${reason}@${offset}`);
    }
    expectOk(parsePcapRecord(rec(0, 0, 999_999_999), { ...real, nanosecond: true }), 'ns fraction just under 1e9');
    const full = concat(rec(PCAP_MAX_RECORD_LEN, PCAP_MAX_RECORD_LEN + 7), new Uint8Array(PCAP_MAX_RECORD_LEN));
    expect(expectOk(parsePcapRecord(full, big)).data.length).toBe(PCAP_MAX_RECORD_LEN);
  });

  it('rejects bad caller input on emit', () => {
    const out = new Uint8Array(64);
    expect(() => emitPcapRecordHeader(0, 1_000_000, 0, 0, real, out, 0)).toThrow(/fraction/);
    expect(() => emitPcapRecordHeader(2 ** 32, 0, 0, 0, real, out, 0)).toThrow(/seconds/);
    expect(() => emitPcapRecordHeader(0, 0, 65536, 65536, real, out, 0)).toThrow(/captured length/);
    expect(() => emitPcapRecordHeader(0, 0, 10, 9, real, out, 0)).toThrow(/exceeds original/);
  });

  it('splits µs timestamps', () => {
    expect(splitMicros(1297814400_006356)).toEqual({ tsSec: 1297814400, tsUsec: 6356 });
    expect(splitMicros(1.5)).toEqual({ tsSec: 0, tsUsec: 1 });
    expect(() => splitMicros(-1)).toThrow(/timestamp/);
    expect(() => splitMicros(2 ** 32 * 1e6)).toThrow(/timestamp/);
    expect(() => splitMicros(Number.NaN)).toThrow(/timestamp/);
  });
});

describe('readPcap', () => {
  const ours = pcapHeader(64);
  const records: PcapRecordRepr[] = [
    { tsSec: 1700000000, tsFrac: 1, origLen: ARP_FRAME.length, data: ARP_FRAME },
    { tsSec: 1700000001, tsFrac: 999_999, origLen: 1500, data: concat(ARP_FRAME, new Uint8Array(22)) },
  ];
  const file = (h: PcapHeaderRepr, recs: PcapRecordRepr[]) => {
    const out = new Uint8Array(PCAP_HEADER_LEN + recs.reduce((n, r) => n + pcapRecordLen(r), 0));
    let o = emitPcapHeader(h, out, 0);
    for (const r of recs) o += emitPcapRecord(r, h, out, o);
    return out;
  };

  it('yields every record in order', () => {
    const cap = expectOk(readPcap(file(ours, records)));
    expect(cap.header).toEqual(ours);
    expect([...cap.records].map((r) => expectOk(r))).toEqual(records);
  });

  it('stops at a cut record with its offset in the file', () => {
    const bytes = file(ours, records);
    const got = [...expectOk(readPcap(bytes.subarray(0, bytes.length - 1))).records];
    expect(got.length).toBe(2);
    expectOk(got[0]);
    expectDrop(got[1], 'truncated', PCAP_HEADER_LEN + pcapRecordLen(records[0]) + 8);
  });

  it('tshark reads our little-endian µs, big-endian and nanosecond files alike', async () => {
    if (!tsharkAvailable()) return;
    const variants: [string, PcapHeaderRepr, number][] = [
      ['le-usec', ours, 1],
      ['be-usec', { ...ours, littleEndian: false }, 1],
      ['le-nsec', { ...ours, nanosecond: true }, 1000],
    ];
    for (const [name, h, scale] of variants) {
      const path = join(tmp, `${name}.pcap`);
      writeFileSync(path, file(h, records.map((r) => ({ ...r, tsFrac: r.tsFrac * scale }))));
      const pkts = await dissect(path);
      expect(pkts.length, name).toBe(2);
      expect(field(pkts[0], 'frame.time_epoch'), name).toMatch(/^1700000000\.000001/);
      expect(field(pkts[1], 'frame.time_epoch'), name).toMatch(/^1700000001\.999999/);
      expect([field(pkts[1], 'frame.len'), field(pkts[1], 'frame.cap_len')], name).toEqual(['1500', '64']);
      expect(field(pkts[0], 'arp.dst.proto_ipv4'), name).toBe('10.0.0.3');
    }
  });

  it('never throws on arbitrary input', () => {
    expectNeverThrows((b) => {
      const cap = readPcap(b);
      if (!cap.ok) return cap;
      for (const r of cap.value.records) if (!r.ok) return r;
      return cap;
    });
    // And with a valid header in front, so the record parser sees the arbitrary bytes.
    expectNeverThrows((b) => {
      const cap = expectOk(readPcap(concat(OUR_HEADER, b)));
      for (const r of cap.records) if (!r.ok) return r;
      return { ok: true, value: cap };
    });
  });

  it('parse(emit(r)) equals r for headers and records', () => {
    const headerArb = fc.record({
      littleEndian: fc.boolean(),
      nanosecond: fc.boolean(),
      versionMinor: fc.integer({ min: 0, max: 0xffff }),
      thiszone: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
      sigfigs: fc.nat({ max: 0xffff_ffff }),
      snaplen: fc.integer({ min: 1, max: PCAP_MAX_RECORD_LEN }),
      linkType: fc.integer({ min: 0, max: 0xffff }),
      linkTypeInfo: fc.integer({ min: 0, max: 0xffff }),
    });
    fc.assert(
      fc.property(headerArb, fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 0xffff_ffff }), fc.nat({ max: 999_999 }), fc.nat({ max: 1000 }), (h, data, tsSec, tsFrac, extra) => {
        const hdr = new Uint8Array(PCAP_HEADER_LEN);
        emitPcapHeader(h, hdr, 0);
        expect(expectOk(parsePcapHeader(hdr))).toEqual(h);
        const header = { ...h, snaplen: Math.max(h.snaplen, data.length) };
        const r: PcapRecordRepr = { tsSec, tsFrac, origLen: data.length + extra, data };
        const out = new Uint8Array(pcapRecordLen(r));
        emitPcapRecord(r, header, out, 0);
        expect(expectOk(parsePcapRecord(out, header))).toEqual(r);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});
