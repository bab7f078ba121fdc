import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4Address as parseAddr } from '../../src/wire/address.js';
import { internetChecksum } from '../../src/wire/checksum.js';
import {
  emitIcmp,
  emitIcmpHeader,
  formatIcmpType,
  ICMP_ERROR_MAX_LEN,
  ICMP_ERROR_QUOTE_MAX,
  ICMP_HEADER_LEN,
  ICMP_QUOTE_MIN_DATA,
  icmpErrorQuote,
  icmpKindOf,
  icmpLen,
  IcmpPacket,
  IcmpTimeExceededCode,
  IcmpType,
  IcmpUnreachableCode,
  parseIcmp,
  parseIcmpQuote,
  type IcmpRepr,
} from '../../src/wire/icmp.js';
import { emitIpv4, emitIpv4Header, IpProtocol, IPV4_HEADER_LEN, parseIpv4, type Ipv4Repr } from '../../src/wire/ipv4.js';
import { complaints, dissectIpv4, field, fieldValues, protocols, tsharkAvailable } from '../support/tshark.js';
import { expectDrop, expectEmits, expectNeverThrows, expectOk, expectPrefixesTruncated, filled, FUZZ_RUNS, hex, toHex } from '../support/codec.js';

const PATTERN = Array.from({ length: 40 }, (_, i) => (0x10 + i).toString(16)).join('');

// A real Linux (iputils) ping, 192.0.2.2 → 192.0.2.1: Zephyr tests/net/icmpv4/src/main.c
// `icmpv4_echo_req`. 56 data bytes: a 16-byte struct timeval, then 0x10, 0x11, …
const ECHO_REQ_DATA = hex('b8a48c5d00000000fc49040000000000' + PATTERN);
const ECHO_REQ = hex('0800e37c10630001' + toHex(ECHO_REQ_DATA));
const ECHO_REQ_IP = hex('45000054ea8c40004001cc18c0000202c0000201' + toHex(ECHO_REQ));

// A real Linux ping reply from a capture dissected by tshark (github.com/juraj-juraj/IPK_projekt_2,
// testovanie/ipv4/icmp/icmp2.res, frame 221): 104.22.12.230 → 100.64.199.51, TTL 57, id 0x73f0,
// identifier 8, sequence 9, timestamp 1650646331 s + 254749 µs. Rebuilt from the dissected fields;
// both checksums come out as captured (IP 0x6d49, ICMP 0x81f9), which vouches for every byte.
const ECHO_REP_DATA = hex('3bdd6262000000001de3030000000000' + PATTERN);
const ECHO_REP = hex('000081f900080009' + toHex(ECHO_REP_DATA));
const ECHO_REP_IP = hex('4500005473f0000039016d4968160ce66440c733' + toHex(ECHO_REP));

// Built from RFC 792 fields, verified with tshark 4.0 (checksums correct, no expert info):
// 10.0.0.2 answers a DNS query to its closed port 53 with Port Unreachable, quoting the whole
// datagram as Linux does (TOS 0xc0: Linux sends ICMP errors with precedence "internetwork control").
const UDP_QUERY = hex('450000314d2a40004011d98d0a0000030a000002' + 'afc80035001dbda3' + '123401000001000000000000037765620000010001');
const PORT_UNREACH = hex('0303113000000000' + toHex(UDP_QUERY));
const PORT_UNREACH_IP = hex('45c0004da1b200004001c4390a0000020a000003' + toHex(PORT_UNREACH));

// RFC 1191 §4 Fragmentation Needed, next-hop MTU 1450 (Docker's overlay MTU): router 10.0.1.1
// refuses a 1500-byte DF echo request 10.0.0.3 → 10.0.1.5, quoting its header + 8 bytes (RFC 792).
const BIG_QUOTE = hex('450005dc1c464000400103d40a0000030a000105' + '0800f7bc00420001');
const FRAG_NEEDED = hex('0304f751000005aa' + toHex(BIG_QUOTE));
const FRAG_NEEDED_IP = hex('45c0003800010000400165010a0001010a000003' + toHex(FRAG_NEEDED));

const REQ: IcmpRepr = { kind: 'echo-request', identifier: 0x1063, sequence: 1, payload: ECHO_REQ_DATA };
const REP: IcmpRepr = { kind: 'echo-reply', identifier: 8, sequence: 9, payload: ECHO_REP_DATA };
const UNREACH: IcmpRepr = { kind: 'dest-unreachable', code: IcmpUnreachableCode.PORT, nextHopMtu: 0, payload: UDP_QUERY };
const FRAG: IcmpRepr = { kind: 'dest-unreachable', code: IcmpUnreachableCode.FRAG_NEEDED, nextHopMtu: 1450, payload: BIG_QUOTE };

const ip = (text: string) => parseAddr(text);
const IP_REQ: Omit<Ipv4Repr, 'payload'> = {
  src: ip('192.0.2.2'), dst: ip('192.0.2.1'), protocol: IpProtocol.ICMP, ttl: 64, identification: 0xea8c,
  dscp: 0, ecn: 0, dontFragment: true, moreFragments: false, fragmentOffset: 0, options: new Uint8Array(0),
};
const IP_REP = { ...IP_REQ, src: ip('104.22.12.230'), dst: ip('100.64.199.51'), ttl: 57, identification: 0x73f0, dontFragment: false };
const IP_UNREACH = { ...IP_REQ, src: ip('10.0.0.2'), dst: ip('10.0.0.3'), dscp: 48, identification: 0xa1b2, dontFragment: false };
const IP_FRAG = { ...IP_UNREACH, src: ip('10.0.1.1'), identification: 1 };

/** Builds IPv4 + ICMP inside out in one buffer: ICMP at its final offset, then the IP header. */
function datagram(header: Omit<Ipv4Repr, 'payload'>, icmp: IcmpRepr): Uint8Array {
  const out = new Uint8Array(IPV4_HEADER_LEN + icmpLen(icmp));
  emitIcmp(icmp, out, IPV4_HEADER_LEN);
  emitIpv4Header(header, icmpLen(icmp), out, 0);
  return out;
}

/** A copy of an ICMP message changed by `edit`, with its checksum recomputed. */
function mutate(bytes: Uint8Array, edit: (b: Uint8Array) => void): Uint8Array {
  const b = bytes.slice();
  edit(b);
  b[2] = b[3] = 0;
  const c = internetChecksum(b);
  b[2] = c >>> 8;
  b[3] = c & 0xff;
  return b;
}

const arbPayload = fc.uint8Array({ maxLength: 64 });
const arbRepr: fc.Arbitrary<IcmpRepr> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('echo-request' as const, 'echo-reply' as const),
    identifier: fc.integer({ min: 0, max: 0xffff }),
    sequence: fc.integer({ min: 0, max: 0xffff }),
    payload: arbPayload,
  }),
  fc.integer({ min: 0, max: 255 }).chain((code) =>
    fc.record({
      kind: fc.constant('dest-unreachable' as const),
      code: fc.constant(code),
      nextHopMtu: code === IcmpUnreachableCode.FRAG_NEEDED ? fc.integer({ min: 0, max: 0xffff }) : fc.constant(0),
      payload: arbPayload,
    }),
  ),
  fc.record({ kind: fc.constant('time-exceeded' as const), code: fc.integer({ min: 0, max: 255 }), payload: arbPayload }),
  fc
    .record({
      kind: fc.constant('other' as const),
      type: fc.integer({ min: 0, max: 255 }),
      code: fc.integer({ min: 0, max: 255 }),
      rest: fc.integer({ min: 0, max: 0xffff_ffff }),
      payload: arbPayload,
    })
    .filter((r) => icmpKindOf(r.type, r.code) === 'other'),
);

describe('ICMP', () => {
  it('parses a real Linux echo request', () => {
    const r = expectOk(parseIcmp(ECHO_REQ));
    expect(r).toEqual(REQ);
    expect(r.payload.buffer, 'payload must be a view, not a copy').toBe(ECHO_REQ.buffer);
    const whole = expectOk(parseIpv4(ECHO_REQ_IP));
    expect(expectOk(parseIcmp(whole.payload))).toEqual(REQ);
  });

  it('parses a real echo reply', () => {
    expect(expectOk(parseIcmp(ECHO_REP))).toEqual(REP);
    expect(expectOk(parseIcmp(expectOk(parseIpv4(ECHO_REP_IP)).payload))).toEqual(REP);
  });

  it('parses Port Unreachable and Fragmentation Needed (RFC 1191 next-hop MTU)', () => {
    expect(expectOk(parseIcmp(PORT_UNREACH))).toEqual(UNREACH);
    expect(expectOk(parseIcmp(FRAG_NEEDED))).toEqual(FRAG);
  });

  it('emits the golden bytes, at offset 0 and at an offset', () => {
    const cases: [IcmpRepr, Uint8Array][] = [[REQ, ECHO_REQ], [REP, ECHO_REP], [UNREACH, PORT_UNREACH], [FRAG, FRAG_NEEDED]];
    for (const [repr, golden] of cases) {
      expectEmits((out, off) => emitIcmp(repr, out, off), golden);
      expect(icmpLen(repr)).toBe(golden.length);
    }
  });

  it('emits whole datagrams, built inside out in one buffer, equal to the golden bytes', () => {
    expect(toHex(datagram(IP_REQ, REQ))).toBe(toHex(ECHO_REQ_IP));
    expect(toHex(datagram(IP_REP, REP))).toBe(toHex(ECHO_REP_IP));
    expect(toHex(datagram(IP_UNREACH, UNREACH))).toBe(toHex(PORT_UNREACH_IP));
    expect(toHex(datagram(IP_FRAG, FRAG))).toBe(toHex(FRAG_NEEDED_IP));
  });

  it('emits the header alone, its checksum covering a payload that lives elsewhere', () => {
    expectEmits((out, off) => emitIcmpHeader(REQ, out, off), ECHO_REQ.subarray(0, ICMP_HEADER_LEN));
    // A payload already in place is not copied; one overlapping the header region is moved first.
    const buf = filled(200);
    buf.set(ECHO_REQ_DATA, 3);
    expect(emitIcmp({ ...REQ, payload: buf.subarray(3, 3 + ECHO_REQ_DATA.length) }, buf, 0)).toBe(ECHO_REQ.length);
    expect(toHex(buf.subarray(0, ECHO_REQ.length))).toBe(toHex(ECHO_REQ));
  });

  it('every truncated prefix is truncated', () => {
    expectPrefixesTruncated(ECHO_REQ, ICMP_HEADER_LEN, parseIcmp);
    expectPrefixesTruncated(FRAG_NEEDED, ICMP_HEADER_LEN, parseIcmp);
  });

  it('checksum covers the whole message (RFC 792)', () => {
    const cases: [string, Uint8Array, number][] = [
      ['checksum byte', ECHO_REQ.map((b, i) => (i === 3 ? b ^ 1 : b)), 0xe37d],
      ['payload byte', ECHO_REQ.map((b, i) => (i === 60 ? b ^ 0x80 : b)), 0xe37c],
      ['quoted datagram byte', FRAG_NEEDED.map((b, i) => (i === 30 ? b ^ 4 : b)), 0xf751],
      ['truncated message', ECHO_REQ.subarray(0, 60), 0xe37c],
    ];
    for (const [name, bytes, seen] of cases) {
      const r = parseIcmp(bytes);
      expectDrop(r, 'bad-checksum', 2);
      if (!r.ok) expect(r.value, `${name}: got value ${r.value}, want ${seen}`).toBe(seen);
      expectDrop(IcmpPacket.checked(bytes), 'bad-checksum', 2);
    }
  });

  it('ignores unused bytes on receive (RFC 1122 §3.2.2)', () => {
    const unreach = expectOk(parseIcmp(mutate(PORT_UNREACH, (b) => b.set([1, 2, 3, 4], 4))));
    expect(unreach).toEqual(UNREACH);
    const frag = expectOk(parseIcmp(mutate(FRAG_NEEDED, (b) => b.set([0xff, 0xff], 4))));
    expect(frag).toEqual(FRAG);
    const ttl = expectOk(parseIcmp(mutate(hex('0b00000000000000'), (b) => b.set([9, 9, 9, 9], 4))));
    expect(ttl).toEqual({ kind: 'time-exceeded', code: 0, payload: new Uint8Array(0) });
  });

  it('keeps every other type/code whole, echoes with a non-zero code included', () => {
    const ts = mutate(hex('0d00000012340001' + '00000001 00000000 00000000'), () => {});
    expect(expectOk(parseIcmp(ts))).toEqual({ kind: 'other', type: 13, code: 0, rest: 0x12340001, payload: ts.subarray(8) });
    const odd = mutate(hex('0801000010630001'), () => {});
    expect(expectOk(parseIcmp(odd))).toEqual({ kind: 'other', type: 8, code: 1, rest: 0x10630001, payload: new Uint8Array(0) });
    expect(icmpKindOf(0, 0)).toBe('echo-reply');
    expect(icmpKindOf(0, 5)).toBe('other');
    expect(icmpKindOf(3, 200)).toBe('dest-unreachable');
    expect(icmpKindOf(11, 7)).toBe('time-exceeded');
    expect(icmpKindOf(42, 0)).toBe('other');
  });

  it('view reads fields without copying', () => {
    const v = expectOk(IcmpPacket.checked(FRAG_NEEDED));
    expect([v.type, v.code, v.checksum, v.rest, v.nextHopMtu]).toEqual([3, 4, 0xf751, 1450, 1450]);
    expect(v.payload.byteOffset).toBe(FRAG_NEEDED.byteOffset + ICMP_HEADER_LEN);
    const e = IcmpPacket.unchecked(ECHO_REQ);
    expect([e.identifier, e.sequence]).toEqual([0x1063, 1]);
  });

  it('rejects invalid reprs on emit', () => {
    const cases: [IcmpRepr, RegExp][] = [
      [{ ...REQ, identifier: 0x10000 } as IcmpRepr, /identifier out of range 0..65535/],
      [{ ...REQ, sequence: -1 } as IcmpRepr, /sequence/],
      [{ ...UNREACH, code: 256 } as IcmpRepr, /code out of range 0..255/],
      [{ ...UNREACH, nextHopMtu: 1450 } as IcmpRepr, /only sent with code FRAG_NEEDED \(4\), not 3/],
      [{ ...FRAG, nextHopMtu: 0x10000 } as IcmpRepr, /next-hop MTU out of range/],
      [{ kind: 'time-exceeded', code: 1.5, payload: new Uint8Array(0) }, /code/],
      [{ kind: 'other', type: 8, code: 0, rest: 0, payload: new Uint8Array(0) }, /sent as kind 'echo-request'/],
      [{ kind: 'other', type: 3, code: 9, rest: 0, payload: new Uint8Array(0) }, /sent as kind 'dest-unreachable'/],
      [{ kind: 'other', type: 256, code: 0, rest: 0, payload: new Uint8Array(0) }, /type out of range/],
      [{ kind: 'other', type: 13, code: 0, rest: 2 ** 32, payload: new Uint8Array(0) }, /rest of header/],
    ];
    for (const [repr, message] of cases) {
      const out = filled(100);
      expect(() => emitIcmp(repr, out, 0), JSON.stringify(repr)).toThrow(message);
      expect(out.every((b) => b === 0xa5), 'nothing written before throwing').toBe(true);
      expect(() => emitIcmpHeader(repr, out, 0)).toThrow(message);
    }
    expect(() => emitIcmp(REQ, new Uint8Array(63), 0)).toThrow(/buffer too small/);
    expect(() => emitIcmpHeader(REQ, new Uint8Array(7), 0)).toThrow(/buffer too small/);
  });

  it('formats types, unknown ones as hex', () => {
    expect([0, 3, 8, 11].map(formatIcmpType)).toEqual(['ECHO_REPLY', 'DEST_UNREACHABLE', 'ECHO_REQUEST', 'TIME_EXCEEDED']);
    expect(formatIcmpType(42)).toBe('0x2a');
    expect(IcmpTimeExceededCode).toEqual({ TTL: 0, REASSEMBLY: 1 });
  });

  describe('error quotes', () => {
    it('quotes a whole short datagram, without the link padding after Total Length', () => {
      const padded = new Uint8Array([...UDP_QUERY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const q = icmpErrorQuote(padded);
      expect(toHex(q)).toBe(toHex(UDP_QUERY));
      expect(q.buffer, 'a subarray').toBe(padded.buffer);
    });

    it('ICMP_ERROR_QUOTE_MAX: a long datagram is cut so the error datagram is 576 bytes (RFC 1812 §4.3.2.3)', () => {
      expect(ICMP_ERROR_MAX_LEN).toBe(576);
      expect(ICMP_ERROR_QUOTE_MAX).toBe(548);
      const big = new Uint8Array(1500);
      big.set(BIG_QUOTE);
      const q = icmpErrorQuote(big);
      expect(q.length).toBe(548);
      const error = datagram(IP_FRAG, { ...FRAG, payload: q });
      expect(error.length).toBe(ICMP_ERROR_MAX_LEN);
      expect(icmpErrorQuote(big.subarray(0, 548)).length).toBe(548);
      expect(icmpErrorQuote(big.subarray(0, 549)).length).toBe(548);
    });

    it('keeps what there is of bytes too short or too odd to be a datagram', () => {
      expect(icmpErrorQuote(new Uint8Array(10)).length).toBe(10);
      const badTotal = UDP_QUERY.slice();
      badTotal[2] = 0;
      badTotal[3] = 4; // Total Length < 20: not trusted, the bytes present are quoted
      expect(icmpErrorQuote(badTotal).length).toBe(UDP_QUERY.length);
    });

    it('parses the quoted datagram: header and the data present', () => {
      const port = expectOk(parseIcmpQuote(UNREACH.payload));
      expect([port.src, port.dst, port.protocol]).toEqual([ip('10.0.0.3'), ip('10.0.0.2'), IpProtocol.UDP]);
      expect(toHex(port.payload.subarray(0, 4))).toBe('afc80035'); // ports 45000 → 53
      const frag = expectOk(parseIcmpQuote(BIG_QUOTE));
      expect([frag.dst, frag.protocol, frag.dontFragment]).toEqual([ip('10.0.1.5'), IpProtocol.ICMP, true]);
      expect(frag.payload.length, 'only the 8 quoted bytes of a 1480-byte payload').toBe(8);
    });

    it('ICMP_QUOTE_MIN_DATA: the quote must hold the header + 8 data bytes (RFC 792)', () => {
      expect(ICMP_QUOTE_MIN_DATA).toBe(8);
      expectOk(parseIcmpQuote(BIG_QUOTE));
      expectPrefixesTruncated(BIG_QUOTE, IPV4_HEADER_LEN + ICMP_QUOTE_MIN_DATA, parseIcmpQuote);
    });

    it('refuses a quote that is not an IPv4 header, but not for its checksum', () => {
      expectDrop(parseIcmpQuote(BIG_QUOTE.map((b, i) => (i === 0 ? 0x65 : b))), 'bad-version', 0);
      expectDrop(parseIcmpQuote(BIG_QUOTE.map((b, i) => (i === 0 ? 0x44 : b))), 'bad-length', 0);
      expectDrop(parseIcmpQuote(BIG_QUOTE.map((b, i) => (i === 2 ? 0 : i === 3 ? 8 : b))), 'bad-length', 2);
      expectOk(parseIcmpQuote(BIG_QUOTE.map((b, i) => (i === 11 ? b ^ 0xff : b))));
    });
  });

  it('never throws on arbitrary input', () => {
    expectNeverThrows(parseIcmp);
    expectNeverThrows(parseIcmpQuote);
  });

  it('never throws on arbitrary messages with a valid checksum', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 128 }), (b) => {
        const r = parseIcmp(mutate(b, () => {}));
        return r.ok;
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('parse(emit(r)) equals r', () => {
    fc.assert(
      fc.property(arbRepr, (repr) => {
        const out = new Uint8Array(icmpLen(repr));
        emitIcmp(repr, out, 0);
        expect(expectOk(parseIcmp(out))).toEqual(repr);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it.runIf(tsharkAvailable())('tshark dissects what we emit, with correct checksums and no complaints', async () => {
    const timeExceeded = datagram(
      { ...IP_FRAG, src: ip('10.0.0.1') },
      { kind: 'time-exceeded', code: IcmpTimeExceededCode.TTL, payload: icmpErrorQuote(datagram({ ...IP_REQ, ttl: 1 }, REQ)) },
    );
    const timestamp = datagram(IP_REQ, { kind: 'other', type: IcmpType.TIMESTAMP, code: 0, rest: 0x12340001, payload: new Uint8Array(12) });
    const options = hex('44240d01c0000202024d1c3d' + '00'.repeat(24));
    const withOptions = new Uint8Array(IPV4_HEADER_LEN + options.length + ECHO_REQ.length);
    emitIpv4({ ...IP_REQ, options, payload: ECHO_REQ }, withOptions, 0);
    const fragment = new Uint8Array(IPV4_HEADER_LEN + 16);
    emitIpv4({ ...IP_REQ, protocol: IpProtocol.UDP, dontFragment: false, moreFragments: true, fragmentOffset: 1480, payload: new Uint8Array(16) }, fragment, 0);
    const packets = [datagram(IP_REQ, REQ), datagram(IP_REP, REP), datagram(IP_UNREACH, UNREACH), datagram(IP_FRAG, FRAG), timeExceeded, timestamp, withOptions, fragment];

    const layers = await dissectIpv4(packets);
    expect(layers.length).toBe(packets.length);
    // The one note expected: the Time Exceeded quotes a header whose TTL is 1, as it must.
    const expected = (c: string) => /ip\.ttl_tree: "Time To Live" only 1/.test(c);
    layers.forEach((l, i) => expect(complaints(l).filter((c) => !expected(c)), `packet ${i}: ${protocols(l)}`).toEqual([]));
    expect(complaints(layers[4]).length).toBe(1);
    const [req, rep, unreach, frag, ttl, ts, opt, fragm] = layers;
    expect([field(req, 'icmp.type'), field(req, 'icmp.ident'), field(req, 'icmp.seq'), field(req, 'icmp.checksum.status')]).toEqual(['8', '4195', '1', '1']);
    expect([field(rep, 'icmp.type'), field(rep, 'icmp.seq'), field(rep, 'icmp.checksum')]).toEqual(['0', '9', '0x81f9']);
    expect([field(unreach, 'icmp.code'), field(unreach, 'udp.dstport')]).toEqual(['3', '53']);
    expect(fieldValues(unreach, 'ip.src')).toEqual(['10.0.0.2', '10.0.0.3']);
    expect([field(frag, 'icmp.code'), field(frag, 'icmp.mtu')]).toEqual(['4', '1450']);
    expect(fieldValues(frag, 'ip.len')).toEqual(['56', '1500']);
    expect([field(ttl, 'icmp.type'), field(ttl, 'icmp.code')]).toEqual(['11', '0']);
    expect(fieldValues(ttl, 'ip.ttl')).toEqual(['64', '1']);
    expect(fieldValues(ttl, 'icmp.type')).toEqual(['11', '8']);
    expect(field(ts, 'icmp.type')).toBe('13');
    expect([field(opt, 'ip.hdr_len'), field(opt, 'ip.checksum.status'), field(opt, 'icmp.checksum.status')]).toEqual(['56', '1', '1']);
    // tshark's JSON holds the raw 13-bit field: 185 units of 8 bytes = 1480 bytes.
    expect([field(fragm, 'ip.flags.mf'), field(fragm, 'ip.frag_offset'), field(fragm, 'ip.checksum.status')]).toEqual(['1', '185', '1']);
    for (const l of layers) expect(fieldValues(l, 'ip.checksum.status')[0]).toBe('1');
  });
});
