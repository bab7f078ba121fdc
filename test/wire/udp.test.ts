import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DropReason } from '../../src/util/drop.js';
import { BufferTooSmallError, InvalidArgumentError } from '../../src/util/errors.js';
import { parseIpv4Address } from '../../src/wire/address.js';
import { IpProtocol } from '../../src/wire/ipv4.js';
import {
  emitUdp,
  emitUdpHeader,
  parseUdp,
  UdpPacket,
  udpLen,
  UDP_HEADER_LEN,
  UDP_MAX_LEN,
  UDP_MAX_PAYLOAD_LEN,
  writeUdpHeader,
  type UdpRepr,
} from '../../src/wire/udp.js';
import { expectDrop, expectEmits, expectNeverThrows, expectOk, expectPrefixesTruncated, FUZZ_RUNS, hex, toHex } from '../support/codec.js';
import { complaints, dissectIpv4, field, ipv4Wrap, tsharkAvailable } from '../support/tshark.js';

// Golden datagrams captured on a real network, from FreibergVlad/NAlly
// test/core/layers/transport/udp/test_udp_packet.py; checksums confirmed by tshark 4.0.17
// (udp.checksum.status Good) inside an IPv4 header with these addresses.
// 1. A DNS query 192.168.1.32:55380 → 192.168.1.1:53, length 66, checksum 0x1d81.
const DNS_SRC = parseIpv4Address('192.168.1.32');
const DNS_DST = parseIpv4Address('192.168.1.1');
// tshark: "Standard query 0xfc3c A r3---sn-5ua5ouuxaxj-hn9e.googlevideo.com".
const DNS_PAYLOAD_HEX =
  'fc3c010000010000000000001872332d2d2d7' +
  '36e2d357561356f75757861786a2d686e39650' +
  'b676f6f676c65766964656f03636f6d0000010001';
const DNS_GOLDEN = hex('d854003500421d81' + DNS_PAYLOAD_HEX);
// 2. OpenVPN P_DATA_V1 192.168.1.32:53349 → 217.38.170.114:1194, length 121 (odd: the checksum
//    pads the last byte with zero, RFC 768), checksum 0xa351.
const VPN_SRC = parseIpv4Address('192.168.1.32');
const VPN_DST = parseIpv4Address('217.38.170.114');
const VPN_PAYLOAD_HEX =
  '306357a78616b3f152c9385a8a8e4a3492ba5b274254d97ef246282d8935ecfcbe0479a496ceee59520792b0085edfe0' +
  '5edcbc585ffe8efed56489fd51dc2ba249ff413a55906ba26bfb6109c27d7ea8cbc3cd218ad7d48340eea7964bfeb67b' +
  '6dceb1fa74c3eea95936393f9b9489f09b';
const VPN_GOLDEN = hex('d06504aa0079a351' + VPN_PAYLOAD_HEX);

// A datagram whose checksum computes to 0, so it is sent as 0xffff (RFC 768); tshark 4.0.17 reports
// it Good.
const ZERO_SRC = parseIpv4Address('10.0.0.2');
const ZERO_DST = parseIpv4Address('10.0.0.3');
const ZERO_SUM_GOLDEN = hex('04d2 162e 000a ffff d0d5');

const parseDns = (b: Uint8Array) => parseUdp(b, DNS_SRC, DNS_DST);

describe('UDP', () => {
  it('parses golden bytes into fields', () => {
    const r = expectOk(parseDns(DNS_GOLDEN));
    expect(r.srcPort).toBe(55380);
    expect(r.dstPort).toBe(53);
    expect(toHex(r.payload)).toBe(DNS_PAYLOAD_HEX);
    expect(r.payload.buffer, 'payload must be a view, not a copy').toBe(DNS_GOLDEN.buffer);
    const v = expectOk(parseUdp(VPN_GOLDEN, VPN_SRC, VPN_DST));
    expect([v.srcPort, v.dstPort, v.payload.length]).toEqual([53349, 1194, 113]);
  });

  it('emits golden bytes, at offset 0 and at an offset', () => {
    const dns: UdpRepr = { srcPort: 55380, dstPort: 53, payload: hex(DNS_PAYLOAD_HEX) };
    expectEmits((out, off) => emitUdp(dns, out, off, DNS_SRC, DNS_DST), DNS_GOLDEN);
    expect(udpLen(dns)).toBe(DNS_GOLDEN.length);
    const vpn: UdpRepr = { srcPort: 53349, dstPort: 1194, payload: hex(VPN_PAYLOAD_HEX) };
    expectEmits((out, off) => emitUdp(vpn, out, off, VPN_SRC, VPN_DST), VPN_GOLDEN);
  });

  it('sends a computed zero checksum as 0xffff and accepts it (RFC 768)', () => {
    const repr: UdpRepr = { srcPort: 1234, dstPort: 5678, payload: hex('d0d5') };
    expectEmits((out, off) => emitUdp(repr, out, off, ZERO_SRC, ZERO_DST), ZERO_SUM_GOLDEN);
    expect(expectOk(parseUdp(ZERO_SUM_GOLDEN, ZERO_SRC, ZERO_DST))).toEqual(repr);
  });

  it('checksum: false sends 0, and 0 is accepted as "no checksum" (RFC 768)', () => {
    const repr: UdpRepr = { srcPort: 55380, dstPort: 53, payload: hex(DNS_PAYLOAD_HEX) };
    const golden = DNS_GOLDEN.slice();
    golden[6] = 0;
    golden[7] = 0;
    expectEmits((out, off) => emitUdp(repr, out, off, DNS_SRC, DNS_DST, { checksum: false }), golden);
    // Any addresses: with no checksum nothing binds the datagram to them.
    expect(expectOk(parseUdp(golden, 1, 2))).toEqual(repr);
  });

  it('ignores bytes after the length field (link padding)', () => {
    const padded = new Uint8Array(DNS_GOLDEN.length + 6);
    padded.set(DNS_GOLDEN);
    padded.fill(0xee, DNS_GOLDEN.length);
    const r = expectOk(parseDns(padded));
    expect(toHex(r.payload)).toBe(DNS_PAYLOAD_HEX);
    expect(UdpPacket.unchecked(padded).payload.length).toBe(DNS_GOLDEN.length - UDP_HEADER_LEN);
  });

  it('every prefix shorter than the length field is truncated', () => {
    expectPrefixesTruncated(DNS_GOLDEN, DNS_GOLDEN.length, parseDns);
    expectPrefixesTruncated(VPN_GOLDEN, VPN_GOLDEN.length, (b) => parseUdp(b, VPN_SRC, VPN_DST));
  });

  const withLength = (length: number) => {
    const b = DNS_GOLDEN.slice();
    b[4] = length >> 8;
    b[5] = length & 0xff;
    return b;
  };
  const flipped = (at: number) => {
    const b = DNS_GOLDEN.slice();
    b[at] ^= 0x01;
    return b;
  };
  it.each([
    { name: 'shorter than the header', bytes: DNS_GOLDEN.slice(0, 7), reason: 'truncated', offset: 0, value: 7 },
    { name: 'length 0 (< 8, RFC 768)', bytes: withLength(0), reason: 'bad-length', offset: 4, value: 0 },
    { name: 'length 7 (< 8, RFC 768)', bytes: withLength(7), reason: 'bad-length', offset: 4, value: 7 },
    { name: 'length beyond the bytes', bytes: withLength(67), reason: 'truncated', offset: 4, value: 67 },
    { name: 'length 0xffff on 66 bytes', bytes: withLength(0xffff), reason: 'truncated', offset: 4, value: 0xffff },
    { name: 'a flipped payload bit', bytes: flipped(20), reason: 'bad-checksum', offset: 6, value: 0x1d81 },
    { name: 'a flipped port bit', bytes: flipped(1), reason: 'bad-checksum', offset: 6, value: 0x1d81 },
    { name: 'a shorter length (sum no longer covers it)', bytes: withLength(65), reason: 'bad-checksum', offset: 6 },
  ] as { name: string; bytes: Uint8Array; reason: DropReason; offset: number; value?: number }[])(
    'refuses $name as $reason at $offset',
    ({ bytes, reason, offset, value }) => {
      const r = parseDns(bytes);
      expectDrop(r, reason, offset);
      if (value !== undefined && !r.ok) expect(r.value, `got value ${r.value}, want ${value}`).toBe(value);
      expectDrop(UdpPacket.checked(bytes, DNS_SRC, DNS_DST), reason, offset);
    },
  );

  it('refuses the right bytes under the wrong addresses (pseudo-header)', () => {
    expectDrop(parseUdp(DNS_GOLDEN, DNS_SRC, parseIpv4Address('192.168.1.2')), 'bad-checksum', 6);
    expectDrop(parseUdp(DNS_GOLDEN, 0, 0), 'bad-checksum', 6);
  });

  it('view reads fields without copying', () => {
    const v = expectOk(UdpPacket.checked(DNS_GOLDEN, DNS_SRC, DNS_DST));
    expect([v.srcPort, v.dstPort, v.length, v.checksum]).toEqual([55380, 53, 66, 0x1d81]);
    expect(v.payload.byteOffset).toBe(DNS_GOLDEN.byteOffset + UDP_HEADER_LEN);
    expect(v.payload.buffer).toBe(DNS_GOLDEN.buffer);
  });

  it('emitUdpHeader sums a payload held elsewhere without copying it (gathered send)', () => {
    const repr: UdpRepr = { srcPort: 53349, dstPort: 1194, payload: hex(VPN_PAYLOAD_HEX) };
    const header = new Uint8Array(UDP_HEADER_LEN);
    expect(emitUdpHeader(repr, header, 0, VPN_SRC, VPN_DST)).toBe(UDP_HEADER_LEN);
    expect(toHex(header)).toBe(toHex(VPN_GOLDEN.subarray(0, UDP_HEADER_LEN)));
  });

  it('writeUdpHeader (the unchecked hot-path form) writes the golden header, at offset 0 and at an offset', () => {
    const payload = hex(VPN_PAYLOAD_HEX);
    expectEmits((out, off) => {
      writeUdpHeader(out, off, 53349, 1194, payload, VPN_SRC, VPN_DST);
      return UDP_HEADER_LEN;
    }, VPN_GOLDEN.subarray(0, UDP_HEADER_LEN));
  });

  it('writeUdpHeader writes what emitUdpHeader writes, a computed 0 as ffff included', () => {
    fc.assert(
      fc.property(fc.nat(0xffff), fc.nat(0xffff), fc.uint8Array({ maxLength: 600 }), fc.nat(0xffff_ffff), fc.nat(0xffff_ffff), (sp, dp, payload, src, dst) => {
        const want = new Uint8Array(UDP_HEADER_LEN);
        emitUdpHeader({ srcPort: sp, dstPort: dp, payload }, want, 0, src, dst);
        const got = new Uint8Array(UDP_HEADER_LEN);
        writeUdpHeader(got, 0, sp, dp, payload, src, dst);
        expect(toHex(got)).toBe(toHex(want));
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('builds inside out: a payload already in place is not copied', () => {
    const out = new Uint8Array(UDP_HEADER_LEN + 113);
    out.set(hex(VPN_PAYLOAD_HEX), UDP_HEADER_LEN);
    const repr: UdpRepr = { srcPort: 53349, dstPort: 1194, payload: out.subarray(UDP_HEADER_LEN) };
    expect(emitUdp(repr, out, 0, VPN_SRC, VPN_DST)).toBe(VPN_GOLDEN.length);
    expect(toHex(out)).toBe(toHex(VPN_GOLDEN));
  });

  it(`limit: UDP_MAX_PAYLOAD_LEN (${UDP_MAX_PAYLOAD_LEN}) fills the 16-bit length field, one more throws`, () => {
    const max: UdpRepr = { srcPort: 1, dstPort: 2, payload: new Uint8Array(UDP_MAX_PAYLOAD_LEN).fill(7) };
    const out = new Uint8Array(UDP_MAX_LEN);
    expect(emitUdp(max, out, 0, 1, 2)).toBe(UDP_MAX_LEN);
    expect(expectOk(parseUdp(out, 1, 2)).payload.length).toBe(UDP_MAX_PAYLOAD_LEN);
    const over: UdpRepr = { ...max, payload: new Uint8Array(UDP_MAX_PAYLOAD_LEN + 1) };
    expect(() => emitUdp(over, new Uint8Array(UDP_MAX_LEN + 1), 0, 1, 2)).toThrow(InvalidArgumentError);
  });

  it('throws for bad caller input', () => {
    const ok: UdpRepr = { srcPort: 1, dstPort: 2, payload: hex('00') };
    const big = new Uint8Array(64);
    for (const bad of [{ srcPort: -1 }, { srcPort: 0x10000 }, { dstPort: 1.5 }, { dstPort: NaN }]) {
      expect(() => emitUdp({ ...ok, ...bad }, big, 0, 1, 2), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => emitUdp(ok, new Uint8Array(8), 0, 1, 2)).toThrow(BufferTooSmallError);
    expect(() => emitUdpHeader(ok, new Uint8Array(8), 1, 1, 2)).toThrow(BufferTooSmallError);
  });

  it('never throws on arbitrary input', () => {
    expectNeverThrows(parseDns);
    // Random bytes almost never verify; a zero checksum reaches the accept path on every input.
    expectNeverThrows((b) => {
      const c = b.slice();
      if (c.length >= UDP_HEADER_LEN) c[6] = c[7] = 0;
      return parseUdp(c, 1, 2);
    });
  });

  it('parse(emit(r)) equals r, with and without a checksum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.boolean(),
        (srcPort, dstPort, payload, src, dst, checksum) => {
          const repr: UdpRepr = { srcPort, dstPort, payload };
          const out = new Uint8Array(udpLen(repr));
          emitUdp(repr, out, 0, src, dst, { checksum });
          const sent = (out[6] << 8) | out[7];
          expect(sent === 0, `checksum field ${sent} with checksum: ${checksum}`).toBe(!checksum);
          expect(expectOk(parseUdp(out, src, dst))).toEqual(repr);
        },
      ),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it.skipIf(!tsharkAvailable())('tshark agrees: fields, checksums good, no complaints', async () => {
    const noSum = new Uint8Array(udpLen({ srcPort: 40000, dstPort: 40001, payload: hex('0102') }));
    emitUdp({ srcPort: 40000, dstPort: 40001, payload: hex('0102') }, noSum, 0, ZERO_SRC, ZERO_DST, { checksum: false });
    const cases = [
      { src: DNS_SRC, dst: DNS_DST, udp: DNS_GOLDEN, want: ['55380', '53', '66', '0x1d81', '1'] },
      { src: VPN_SRC, dst: VPN_DST, udp: VPN_GOLDEN, want: ['53349', '1194', '121', '0xa351', '1'] },
      { src: ZERO_SRC, dst: ZERO_DST, udp: ZERO_SUM_GOLDEN, want: ['1234', '5678', '10', '0xffff', '1'] },
      // udp.checksum.status 3: "not present".
      { src: ZERO_SRC, dst: ZERO_DST, udp: noSum, want: ['40000', '40001', '10', '0x0000', '3'] },
    ];
    const packets = await dissectIpv4(cases.map(({ src, dst, udp }) => ipv4Wrap(IpProtocol.UDP, src, dst, udp)));
    packets.forEach((layers, i) => {
      expect(complaints(layers), `packet ${i}`).toEqual([]);
      const got = ['udp.srcport', 'udp.dstport', 'udp.length', 'udp.checksum', 'udp.checksum.status'].map((f) => field(layers, f));
      expect(got, `packet ${i}`).toEqual(cases[i].want);
    });
  });
});
