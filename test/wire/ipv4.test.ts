import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4Address as parseAddr } from '../../src/wire/address.js';
import { internetChecksum } from '../../src/wire/checksum.js';
import {
  emitIpv4,
  emitIpv4Header,
  formatIpProtocol,
  IpProtocol,
  IPV4_CHECKSUM_OFFSET,
  IPV4_HEADER_LEN,
  IPV4_MAX_FRAG_OFFSET,
  IPV4_MAX_HEADER_LEN,
  IPV4_MAX_OPTIONS_LEN,
  IPV4_MAX_PACKET_LEN,
  IPV4_TTL_OFFSET,
  ipv4DecrementTtl,
  ipv4Len,
  Ipv4Packet,
  parseIpv4,
  writeIpv4Header,
  type Ipv4Repr,
} from '../../src/wire/ipv4.js';
import { expectDrop, expectEmits, expectNeverThrows, expectOk, expectPrefixesTruncated, filled, FUZZ_RUNS, hex, toHex } from '../support/codec.js';

const PATTERN = Array.from({ length: 40 }, (_, i) => (0x10 + i).toString(16)).join('');

// A real Linux (iputils) ping, 192.0.2.2 → 192.0.2.1, as captured in Zephyr's
// tests/net/icmpv4/src/main.c (`icmpv4_echo_req`): DF, TTL 64, header checksum 0xcc18.
const ICMP_DATA = hex('0800e37c10630001' + 'b8a48c5d00000000fc49040000000000' + PATTERN);
const GOLDEN = hex('45000054ea8c40004001cc18c0000202c0000201' + toHex(ICMP_DATA));
const REPR: Ipv4Repr = {
  src: parseAddr('192.0.2.2'),
  dst: parseAddr('192.0.2.1'),
  protocol: IpProtocol.ICMP,
  ttl: 64,
  identification: 0xea8c,
  dscp: 0,
  ecn: 0,
  dontFragment: true,
  moreFragments: false,
  fragmentOffset: 0,
  options: new Uint8Array(0),
  payload: ICMP_DATA,
};

// A real `ping -T tsaddr` echo request (Zephyr `icmpv4_echo_req_opt`): IHL 14, a 36-byte
// Timestamp option (RFC 791 type 68, flag 1: address + timestamp), header checksum 0x9a83.
const OPTIONS = hex('44240d01c0000202024d1c3d' + '00'.repeat(24));
const OPT_ICMP = hex('080035bf5de70001' + 'cfe78d5d000000003a400e0000000000' + PATTERN);
const GOLDEN_OPT = hex('4e000078e14b400040019a83c0000202c0000201' + toHex(OPTIONS) + toHex(OPT_ICMP));
const REPR_OPT: Ipv4Repr = { ...REPR, identification: 0xe14b, options: OPTIONS, payload: OPT_ICMP };

/** A copy of `bytes` changed by `edit`, with the header checksum recomputed when `fix` is set. */
function mutate(bytes: Uint8Array, edit: (b: Uint8Array) => void, fix = true): Uint8Array {
  const b = bytes.slice();
  edit(b);
  if (fix) {
    const hl = (b[0] & 0x0f) * 4;
    b[10] = 0;
    b[11] = 0;
    const c = internetChecksum(b, 0, hl);
    b[10] = c >>> 8;
    b[11] = c & 0xff;
  }
  return b;
}

/** Arbitrary valid reprs, for the round-trip and TTL properties. */
const arbRepr: fc.Arbitrary<Ipv4Repr> = fc.record({
  src: fc.integer({ min: 0, max: 0xffff_ffff }),
  dst: fc.integer({ min: 0, max: 0xffff_ffff }),
  protocol: fc.integer({ min: 0, max: 255 }),
  ttl: fc.integer({ min: 0, max: 255 }),
  identification: fc.integer({ min: 0, max: 0xffff }),
  dscp: fc.integer({ min: 0, max: 63 }),
  ecn: fc.integer({ min: 0, max: 3 }),
  dontFragment: fc.boolean(),
  moreFragments: fc.boolean(),
  fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((u) => u * 8),
  options: fc.integer({ min: 0, max: 10 }).chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
  payload: fc.uint8Array({ maxLength: 64 }),
});

function emitted(repr: Ipv4Repr): Uint8Array {
  const out = new Uint8Array(ipv4Len(repr));
  emitIpv4(repr, out, 0);
  return out;
}

describe('IPv4', () => {
  it('parses a real Linux ping datagram into fields', () => {
    const r = expectOk(parseIpv4(GOLDEN));
    expect(r).toEqual(REPR);
    expect(r.payload.buffer, 'payload must be a view, not a copy').toBe(GOLDEN.buffer);
    expect(r.payload.byteOffset).toBe(GOLDEN.byteOffset + IPV4_HEADER_LEN);
  });

  it('parses a real datagram with a 36-byte Timestamp option (IHL 14)', () => {
    const r = expectOk(parseIpv4(GOLDEN_OPT));
    expect(r).toEqual(REPR_OPT);
    expect(r.options.buffer, 'options must be a view').toBe(GOLDEN_OPT.buffer);
    expect(r.options.byteOffset).toBe(GOLDEN_OPT.byteOffset + IPV4_HEADER_LEN);
    expect(r.payload.byteOffset).toBe(GOLDEN_OPT.byteOffset + 56);
  });

  it('emits the golden bytes (same checksums), at offset 0 and at an offset', () => {
    expectEmits((out, off) => emitIpv4(REPR, out, off), GOLDEN);
    expectEmits((out, off) => emitIpv4(REPR_OPT, out, off), GOLDEN_OPT);
    expect(ipv4Len(REPR)).toBe(GOLDEN.length);
    expect(ipv4Len(REPR_OPT)).toBe(GOLDEN_OPT.length);
  });

  it('emits the header alone for a payload sent beside it or already in place', () => {
    expectEmits((out, off) => emitIpv4Header(REPR, ICMP_DATA.length, out, off), GOLDEN.subarray(0, 20));
    // Inside out in one buffer: payload first at its final place, then the header in front.
    const buf = filled(100);
    buf.set(ICMP_DATA, 30);
    const payload = buf.subarray(30, 30 + ICMP_DATA.length);
    expect(emitIpv4({ ...REPR, payload }, buf, 10)).toBe(GOLDEN.length);
    expect(toHex(buf.subarray(10, 10 + GOLDEN.length))).toBe(toHex(GOLDEN));
  });

  it('ignores bytes past Total Length (Ethernet padding)', () => {
    const padded = new Uint8Array([...GOLDEN, 0, 0, 0, 0, 0, 0]);
    const r = expectOk(parseIpv4(padded));
    expect(r.payload.length).toBe(GOLDEN.length - IPV4_HEADER_LEN);
    expect(Ipv4Packet.unchecked(padded).payload.length).toBe(GOLDEN.length - IPV4_HEADER_LEN);
  });

  it('every truncated prefix is truncated', () => {
    expectPrefixesTruncated(GOLDEN, GOLDEN.length, parseIpv4);
    expectPrefixesTruncated(GOLDEN_OPT, GOLDEN_OPT.length, parseIpv4);
  });

  // [name, bytes, reason, offset, value]
  const MALFORMED: [string, Uint8Array, string, number, number][] = [
    ['version 6', mutate(GOLDEN, (b) => (b[0] = 0x65), false), 'bad-version', 0, 6],
    ['version 0', mutate(GOLDEN, (b) => (b[0] = 0x05), false), 'bad-version', 0, 0],
    ['IHL 4 (RFC 791: minimum 5)', mutate(GOLDEN, (b) => (b[0] = 0x44), false), 'bad-length', 0, 4],
    ['IHL 0', mutate(GOLDEN, (b) => (b[0] = 0x40), false), 'bad-length', 0, 0],
    ['IHL 15 past the bytes', mutate(GOLDEN.subarray(0, 40), (b) => (b[0] = 0x4f), false), 'truncated', 0, 40],
    ['Total Length 19 < header', mutate(GOLDEN, (b) => (b[3] = 19)), 'bad-length', 2, 19],
    ['Total Length 55 < IHL 14 header', mutate(GOLDEN_OPT, (b) => (b[3] = 55)), 'bad-length', 2, 55],
    ['Total Length 85 > bytes', mutate(GOLDEN, (b) => (b[3] = 85)), 'truncated', 0, 84],
    ['reserved flag', mutate(GOLDEN, (b) => (b[6] |= 0x80)), 'bad-flags', 6, 0xc0],
    ['bad header checksum', mutate(GOLDEN, (b) => (b[11] ^= 1), false), 'bad-checksum', 10, 0xcc19],
    ['corrupt address', mutate(GOLDEN, (b) => (b[15] ^= 0x10), false), 'bad-checksum', 10, 0xcc18],
    ['corrupt option byte', mutate(GOLDEN_OPT, (b) => (b[22] ^= 0xff), false), 'bad-checksum', 10, 0x9a83],
  ];
  it.each(MALFORMED)('%s → %s', (_name, bytes, reason, offset, value) => {
    const r = parseIpv4(bytes);
    expectDrop(r, reason as never, offset);
    if (!r.ok) expect(r.value, `got value ${r.value}, want ${value}`).toBe(value);
    expectDrop(Ipv4Packet.checked(bytes), reason as never, offset);
  });

  it('a checksum error in the payload is not the header checksum', () => {
    expectOk(parseIpv4(mutate(GOLDEN, (b) => (b[40] ^= 0xff), false)));
  });

  it('view reads every field without copying', () => {
    const v = expectOk(Ipv4Packet.checked(GOLDEN_OPT));
    expect(v.version).toBe(4);
    expect(v.headerLen).toBe(56);
    expect(v.totalLength).toBe(120);
    expect(v.identification).toBe(0xe14b);
    expect([v.dscp, v.ecn, v.ttl, v.protocol]).toEqual([0, 0, 64, 1]);
    expect([v.dontFragment, v.moreFragments, v.fragmentOffset, v.isFragment]).toEqual([true, false, 0, false]);
    expect(v.checksum).toBe(0x9a83);
    expect([v.src, v.dst]).toEqual([0xc0000202, 0xc0000201]);
    expect(v.options.byteOffset).toBe(GOLDEN_OPT.byteOffset + 20);
    expect(v.options.length).toBe(36);
    expect(v.payload.length).toBe(64);
    expect(v.toRepr()).toEqual(REPR_OPT);
  });

  it('reads DSCP/ECN, fragment flags and offset from their bit fields', () => {
    // DSCP 46 (EF), ECN 3 (CE); MF set, offset 0x1fff units = 65528 bytes.
    const b = emitted({ ...REPR, dscp: 46, ecn: 3, dontFragment: false, moreFragments: true, fragmentOffset: IPV4_MAX_FRAG_OFFSET, payload: new Uint8Array(0) });
    expect(toHex(b.subarray(0, 8))).toBe('45bb0014ea8c3fff');
    const v = Ipv4Packet.unchecked(b);
    expect([v.dscp, v.ecn, v.dontFragment, v.moreFragments, v.fragmentOffset, v.isFragment]).toEqual([46, 3, false, true, 65528, true]);
    const last = Ipv4Packet.unchecked(emitted({ ...REPR, dontFragment: false, fragmentOffset: 8 }));
    expect([last.moreFragments, last.fragmentOffset, last.isFragment]).toEqual([false, 8, true]);
  });

  describe('named limits', () => {
    it('IPV4_HEADER_LEN: IHL 5 is the smallest header', () => {
      expect(IPV4_HEADER_LEN).toBe(20);
      expectOk(parseIpv4(emitted({ ...REPR, payload: new Uint8Array(0) })));
      expectDrop(parseIpv4(GOLDEN.subarray(0, IPV4_HEADER_LEN - 1)), 'truncated', 0);
    });

    it('IPV4_MAX_HEADER_LEN: IHL 15 carries 40 option bytes; 44 cannot be sent', () => {
      expect(IPV4_MAX_HEADER_LEN).toBe(60);
      expect(IPV4_MAX_OPTIONS_LEN).toBe(40);
      const options = new Uint8Array(IPV4_MAX_OPTIONS_LEN).fill(1); // NOPs
      const b = emitted({ ...REPR, options });
      expect(b[0]).toBe(0x4f);
      const r = expectOk(parseIpv4(b));
      expect(r.options).toEqual(options);
      expect(r.payload).toEqual(ICMP_DATA);
      expect(() => emitted({ ...REPR, options: new Uint8Array(44) })).toThrow(/options must be a multiple of 4 bytes, at most 40: 44/);
      expect(() => emitted({ ...REPR, options: new Uint8Array(6) })).toThrow(/options must be a multiple of 4/);
    });

    it('IPV4_MAX_PACKET_LEN: a 65535-byte datagram round-trips, one byte more cannot be sent', () => {
      expect(IPV4_MAX_PACKET_LEN).toBe(65535);
      const payload = new Uint8Array(IPV4_MAX_PACKET_LEN - IPV4_HEADER_LEN).fill(7);
      const b = emitted({ ...REPR, payload });
      expect(b.length).toBe(65535);
      expect(toHex(b.subarray(2, 4))).toBe('ffff');
      expect(expectOk(parseIpv4(b)).payload.length).toBe(payload.length);
      expect(() => emitted({ ...REPR, payload: new Uint8Array(payload.length + 1) })).toThrow(/payload length out of range/);
      expect(() => emitIpv4Header(REPR, 65536, new Uint8Array(20), 0)).toThrow(/payload length out of range 0..65515/);
      expect(() => emitIpv4Header({ ...REPR, options: OPTIONS }, 65500, new Uint8Array(60), 0)).toThrow(/0..65479/);
    });

    it('IPV4_MAX_FRAG_OFFSET: 65528 bytes (13 bits of 8-byte units), multiples of 8 only', () => {
      expect(IPV4_MAX_FRAG_OFFSET).toBe(65528);
      expect(expectOk(parseIpv4(emitted({ ...REPR, fragmentOffset: 65528 }))).fragmentOffset).toBe(65528);
      expect(() => emitted({ ...REPR, fragmentOffset: 65536 })).toThrow(/fragment offset out of range/);
      expect(() => emitted({ ...REPR, fragmentOffset: 12 })).toThrow(/multiple of 8 bytes: 12/);
    });
  });

  it('rejects out-of-range fields on emit', () => {
    const cases: [Partial<Ipv4Repr>, RegExp][] = [
      [{ ttl: 256 }, /TTL out of range 0..255: 256/],
      [{ ttl: -1 }, /TTL/],
      [{ ttl: 1.5 }, /TTL/],
      [{ protocol: 256 }, /protocol/],
      [{ identification: 0x10000 }, /identification/],
      [{ dscp: 64 }, /DSCP/],
      [{ ecn: 4 }, /ECN/],
      [{ src: 2 ** 32 }, /source address/],
      [{ dst: -1 }, /destination address/],
    ];
    for (const [change, message] of cases) {
      expect(() => emitIpv4({ ...REPR, ...change }, new Uint8Array(100), 0), JSON.stringify(change)).toThrow(message);
    }
    expect(() => emitIpv4(REPR, new Uint8Array(83), 0)).toThrow(/buffer too small/);
    expect(() => emitIpv4Header(REPR, 64, new Uint8Array(19), 0)).toThrow(/buffer too small/);
  });

  it('formats protocol numbers, unknown ones as hex', () => {
    expect([1, 6, 17, 50].map(formatIpProtocol)).toEqual(['ICMP', 'TCP', 'UDP', 'ESP']);
    expect(formatIpProtocol(47)).toBe('0x2f');
    expect(formatIpProtocol(0)).toBe('0x00');
  });

  describe('ipv4DecrementTtl (RFC 1812 §5.3.1, RFC 1624 update)', () => {
    it('decrements the golden datagram in place with the recomputed checksum', () => {
      const buf = filled(GOLDEN.length + 5);
      buf.set(GOLDEN, 5);
      expect(ipv4DecrementTtl(buf, 5)).toBe(true);
      const r = expectOk(parseIpv4(buf.subarray(5)));
      expect(r.ttl).toBe(63);
      expect(toHex(buf.subarray(5 + IPV4_CHECKSUM_OFFSET, 5 + 12))).toBe(toHex(emitted({ ...REPR, ttl: 63 }).subarray(10, 12)));
      expect(buf[4]).toBe(0xa5);
    });

    it('refuses TTL 1 and 0 and leaves the datagram as it arrived (for the Time Exceeded quote)', () => {
      for (const ttl of [0, 1]) {
        const b = emitted({ ...REPR, ttl });
        const before = toHex(b);
        expect(ipv4DecrementTtl(b, 0), `ttl ${ttl}`).toBe(false);
        expect(toHex(b)).toBe(before);
      }
      const b = emitted({ ...REPR, ttl: 2 });
      expect(ipv4DecrementTtl(b, 0)).toBe(true);
      expect(b[IPV4_TTL_OFFSET]).toBe(1);
    });

    it('equals a full recomputation for arbitrary headers (slow reference)', () => {
      fc.assert(
        fc.property(arbRepr, (repr) => {
          const b = emitted(repr);
          const ok = ipv4DecrementTtl(b, 0);
          expect(ok).toBe(repr.ttl > 1);
          const want = emitted(ok ? { ...repr, ttl: repr.ttl - 1 } : repr);
          expect(toHex(b)).toBe(toHex(want));
        }),
        { numRuns: FUZZ_RUNS / 10 },
      );
    });

    it('throws on a buffer too short for a header', () => {
      expect(() => ipv4DecrementTtl(new Uint8Array(19), 0)).toThrow(/buffer too small/);
      expect(() => ipv4DecrementTtl(new Uint8Array(20), 1)).toThrow(/buffer too small/);
    });
  });

  it('never throws on arbitrary input', () => {
    expectNeverThrows(parseIpv4);
  });

  it('never throws on arbitrary headers that pass the checksum', () => {
    // Random bytes almost never carry a valid checksum; fix it so the later checks are reached.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 128 }), (b) => {
        b[0] = 0x40 | (b[0] & 0x0f);
        const hl = (b[0] & 0x0f) * 4;
        if (hl >= 20 && hl <= b.length) {
          b[10] = b[11] = 0;
          const c = internetChecksum(b, 0, hl);
          b[10] = c >>> 8;
          b[11] = c & 0xff;
        }
        const r = parseIpv4(b);
        return r.ok || typeof r.reason === 'string';
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('parse(emit(r)) equals r', () => {
    fc.assert(
      fc.property(arbRepr, (repr) => {
        expect(expectOk(parseIpv4(emitted(repr)))).toEqual(repr);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('writeIpv4Header sums an option-less header from its values: equals the byte-wise checksum', () => {
    fc.assert(
      fc.property(arbRepr, fc.nat(7), (repr, at) => {
        const out = filled(at + IPV4_HEADER_LEN);
        writeIpv4Header(out, at, IPV4_HEADER_LEN + repr.payload.length, repr.identification, repr.dontFragment, repr.moreFragments,
          repr.fragmentOffset, repr.ttl, repr.protocol, repr.src, repr.dst, (repr.dscp << 2) | repr.ecn);
        const header = out.subarray(at);
        // The slow reference: the whole header, checksum field included, sums to zero.
        expect(internetChecksum(header), `checksum ${toHex(header.subarray(IPV4_CHECKSUM_OFFSET, IPV4_CHECKSUM_OFFSET + 2))}`).toBe(0);
        const { options: _options, payload: _payload, ...fields } = repr;
        const got = expectOk(parseIpv4(new Uint8Array([...header, ...repr.payload])));
        expect({ ...got, options: undefined, payload: undefined }).toEqual({ ...fields, options: undefined, payload: undefined });
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});
