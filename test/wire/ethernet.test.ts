import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAC_BROADCAST } from '../../src/wire/address.js';
import { readU48 } from '../../src/wire/bytes.js';
import {
  emitEthernet,
  emitEthernetHeader,
  writeEthernetHeader,
  EthernetFrame,
  ethernetDst,
  ethernetHeaderLen,
  ethernetLen,
  ethernetSrc,
  ethernetTypeOf,
  EtherType,
  ETHERNET_HEADER_LEN,
  ETHERNET_MIN_FRAME,
  ETHERNET_MIN_PAYLOAD,
  ETHERNET_VLAN_HEADER_LEN,
  ETHERTYPE_MIN,
  formatEtherType,
  MAC_MAX,
  parseEthernet,
  VLAN_PCP_MAX,
  VLAN_TAG_LEN,
  VLAN_VID_MAX,
  type EthernetRepr,
  type VlanTag,
} from '../../src/wire/ethernet.js';
import { BufferTooSmallError, InvalidArgumentError } from '../../src/util/errors.js';
import { expectDrop, expectEmits, expectNeverThrows, expectOk, expectPrefixesTruncated, FUZZ_RUNS, hex } from '../support/codec.js';

// Real capture, frame 7 of http://www.mynetwatchman.com/kb/NetKb/ARP/goodarp.htm (2001): an ARP
// request from an Intel NIC, 60 bytes without FCS = 14 + 28 bytes of ARP + 18 bytes of padding.
const CAPTURED_REQUEST = hex(
  'ffffffffffff 00a0c922b210 0806' +
    '0001 0800 06 04 0001 00a0c922b210 ac100165 000000000000 ac100132' +
    '000000000000000000000000000000000000',
);

// Real capture, tcpdump -e -X on Linux, published at https://topic.alibabacloud.com/a/arp-learning-
// notes-linux-high-performance-service-programming_1_16_30212073.html: an ARP reply as Linux sends
// it, 42 bytes, unpadded. (tcpdump printed the MACs on its -e line and the ARP bytes in hex.)
const CAPTURED_REPLY_ARP = hex('0001 0800 06 04 0002 40167e79c736 c0a805be bcee7b9dee02 c0a8056d');
const CAPTURED_REPLY = hex('bcee7b9dee02 40167e79c736 0806' + '0001 0800 06 04 0002 40167e79c736 c0a805be bcee7b9dee02 c0a8056d');
const CAPTURED_REPLY_REPR: EthernetRepr = {
  dst: 0xbcee_7b9d_ee02,
  src: 0x4016_7e79_c736,
  etherType: EtherType.ARP,
  payload: CAPTURED_REPLY_ARP,
};

// 802.1Q-tagged frame: TPID 0x8100, TCI 0xb064 = PCP 5, DEI 1, VID 100, then EtherType ARP. tshark
// dissects this header as "802.1Q Virtual LAN, PRI: 5, DEI: 1, ID: 100" (the tshark test in arp.test.ts).
const TAGGED = hex('ffffffffffff 02420a000003 8100 b064 0806' + 'deadbeef');
const TAGGED_REPR: EthernetRepr = {
  dst: MAC_BROADCAST,
  src: 0x0242_0a00_0003,
  etherType: EtherType.ARP,
  vlan: { pcp: 5, dei: true, vid: 100 },
  payload: hex('deadbeef'),
};

/** A MAC arbitrary over the full 48-bit range. */
const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => readU48(b, 0));
const vlanArb: fc.Arbitrary<VlanTag> = fc.record({
  pcp: fc.integer({ min: 0, max: VLAN_PCP_MAX }),
  dei: fc.boolean(),
  vid: fc.integer({ min: 0, max: VLAN_VID_MAX }),
});

describe('Ethernet II', () => {
  it('parses a captured frame into fields, padding left in the payload', () => {
    const r = expectOk(parseEthernet(CAPTURED_REQUEST));
    expect(r.dst).toBe(MAC_BROADCAST);
    expect(r.src).toBe(0x00a0_c922_b210);
    expect(r.etherType).toBe(EtherType.ARP);
    expect(r.vlan).toBeUndefined();
    expect(r.payload.length).toBe(ETHERNET_MIN_PAYLOAD);
    expect(r.payload.buffer, 'payload must be a view, not a copy').toBe(CAPTURED_REQUEST.buffer);
    expect(r.payload.byteOffset).toBe(CAPTURED_REQUEST.byteOffset + ETHERNET_HEADER_LEN);
    expect(CAPTURED_REQUEST.length).toBe(ETHERNET_MIN_FRAME);
  });

  it('emits captured bytes, at offset 0 and at an offset, without padding', () => {
    expectEmits((out, off) => emitEthernet(CAPTURED_REPLY_REPR, out, off), CAPTURED_REPLY);
    expect(ethernetLen(CAPTURED_REPLY_REPR)).toBe(42);
    expect(ethernetLen(CAPTURED_REPLY_REPR), 'emit must not pad to the 60-byte minimum').toBeLessThan(ETHERNET_MIN_FRAME);
  });

  it('emits the 14-byte header alone', () => {
    expectEmits((out, off) => emitEthernetHeader(0xbcee_7b9d_ee02, 0x4016_7e79_c736, EtherType.ARP, out, off), CAPTURED_REPLY.subarray(0, 14));
    expect(ethernetHeaderLen(CAPTURED_REPLY_REPR)).toBe(ETHERNET_HEADER_LEN);
  });

  it('writeEthernetHeader (the unchecked hot-path form) writes the same 14 bytes', () => {
    expectEmits((out, off) => {
      writeEthernetHeader(out, off, 0xbcee_7b9d_ee02, 0x4016_7e79_c736, EtherType.ARP);
      return ETHERNET_HEADER_LEN;
    }, CAPTURED_REPLY.subarray(0, 14));
  });

  it('parses and emits one 802.1Q tag', () => {
    const r = expectOk(parseEthernet(TAGGED));
    expect(r).toEqual(TAGGED_REPR);
    expect(r.payload.byteOffset).toBe(TAGGED.byteOffset + ETHERNET_VLAN_HEADER_LEN);
    expectEmits((out, off) => emitEthernet(TAGGED_REPR, out, off), TAGGED);
    expectEmits((out, off) => emitEthernetHeader(TAGGED_REPR.dst, TAGGED_REPR.src, EtherType.ARP, out, off, TAGGED_REPR.vlan), TAGGED.subarray(0, 18));
    expect(ethernetHeaderLen(TAGGED_REPR)).toBe(ETHERNET_HEADER_LEN + VLAN_TAG_LEN);
  });

  it('splits the TCI into PCP, DEI and VID at their extremes', () => {
    const cases: Array<[string, VlanTag]> = [
      ['0000', { pcp: 0, dei: false, vid: 0 }],
      ['e000', { pcp: 7, dei: false, vid: 0 }],
      ['1000', { pcp: 0, dei: true, vid: 0 }],
      ['0fff', { pcp: 0, dei: false, vid: VLAN_VID_MAX }],
      ['ffff', { pcp: VLAN_PCP_MAX, dei: true, vid: VLAN_VID_MAX }],
      ['2001', { pcp: 1, dei: false, vid: 1 }],
    ];
    for (const [tci, vlan] of cases) {
      const frame = hex(`020000000001 020000000002 8100 ${tci} 0800`);
      const r = expectOk(parseEthernet(frame));
      expect(r.vlan, `TCI ${tci}: got ${JSON.stringify(r.vlan)}, want ${JSON.stringify(vlan)}`).toEqual(vlan);
      expectEmits((out, off) => emitEthernetHeader(0x0200_0000_0001, 0x0200_0000_0002, EtherType.IPV4, out, off, vlan), frame);
    }
  });

  it('peels one tag only: a second tag stays in the payload and round-trips', () => {
    const stacked = hex('020000000001 020000000002 8100 0064 8100 00c8 0800 45');
    const r = expectOk(parseEthernet(stacked));
    expect(r.vlan).toEqual({ pcp: 0, dei: false, vid: 100 });
    expect(r.etherType).toBe(EtherType.VLAN);
    expect(r.payload).toEqual(hex('00c8 0800 45'));
    expectEmits((out, off) => emitEthernet(r, out, off), stacked);
  });

  it('keeps unknown EtherTypes (802.1ad, LLDP, the 0x0600 boundary) and formats them as hex', () => {
    for (const type of [0x88a8, 0x88cc, ETHERTYPE_MIN, 0xffff]) {
      const t = type.toString(16).padStart(4, '0');
      const r = expectOk(parseEthernet(hex(`020000000001 020000000002 ${t} 00`)));
      expect(r.etherType, `type ${t}`).toBe(type);
    }
    expect(formatEtherType(0x88cc)).toBe('0x88cc');
    expect(formatEtherType(ETHERTYPE_MIN)).toBe('0x0600');
    expect(formatEtherType(EtherType.IPV4)).toBe('IPV4');
    expect(formatEtherType(EtherType.ARP)).toBe('ARP');
    expect(formatEtherType(EtherType.VLAN)).toBe('VLAN');
    expect(formatEtherType(EtherType.IPV6)).toBe('IPV6');
  });

  it('refuses 802.3 length fields as unsupported, with offset and value (802.3 §3.2.6)', () => {
    const cases: Array<[string, string, number, number]> = [
      ['length 0', '020000000001 020000000002 0000 00', 12, 0],
      ['length 46', '020000000001 020000000002 002e aaaa03', 12, 0x2e],
      ['length 1500 (max)', '020000000001 020000000002 05dc aaaa03', 12, 0x05dc],
      ['undefined 1535 (just below ETHERTYPE_MIN)', '020000000001 020000000002 05ff 00', 12, ETHERTYPE_MIN - 1],
      ['length after a tag', '020000000001 020000000002 8100 0064 0026 4242', 16, 0x26],
    ];
    for (const [name, bytes, offset, value] of cases) {
      const r = parseEthernet(hex(bytes));
      expectDrop(r, 'unsupported', offset);
      expect(!r.ok && r.value, `${name}: got value ${!r.ok && r.value}, want ${value}`).toBe(value);
      expectDrop(EthernetFrame.checked(hex(bytes)), 'unsupported', offset);
    }
  });

  it('every truncated prefix is truncated, tagged or not', () => {
    expectPrefixesTruncated(CAPTURED_REPLY, ETHERNET_HEADER_LEN, parseEthernet);
    expectPrefixesTruncated(TAGGED, ETHERNET_VLAN_HEADER_LEN, parseEthernet);
    expectPrefixesTruncated(TAGGED, ETHERNET_VLAN_HEADER_LEN, EthernetFrame.checked);
    // Exactly a header and no payload is a valid (if useless) frame.
    expect(expectOk(parseEthernet(TAGGED.subarray(0, ETHERNET_VLAN_HEADER_LEN))).payload.length).toBe(0);
  });

  it('view reads fields without copying', () => {
    const v = expectOk(EthernetFrame.checked(CAPTURED_REQUEST));
    expect(v.dst).toBe(MAC_BROADCAST);
    expect(v.src).toBe(0x00a0_c922_b210);
    expect(v.etherType).toBe(EtherType.ARP);
    expect(v.tagged).toBe(false);
    expect(v.tci).toBe(-1);
    expect(v.vlan).toBeUndefined();
    expect(v.headerLen).toBe(ETHERNET_HEADER_LEN);
    expect(v.payload.byteOffset).toBe(CAPTURED_REQUEST.byteOffset + ETHERNET_HEADER_LEN);

    const t = EthernetFrame.unchecked(TAGGED);
    expect(t.tagged).toBe(true);
    expect(t.tci).toBe(0xb064);
    expect(t.vlan).toEqual(TAGGED_REPR.vlan);
    expect(t.etherType).toBe(EtherType.ARP);
    expect(t.headerLen).toBe(ETHERNET_VLAN_HEADER_LEN);
    expect(t.payload).toEqual(hex('deadbeef'));
  });

  it('hot-path readers agree with the parser, at an offset, and return -1 when short', () => {
    const buf = new Uint8Array(5 + TAGGED.length);
    buf.set(TAGGED, 5);
    expect(ethernetDst(buf, 5)).toBe(MAC_BROADCAST);
    expect(ethernetSrc(buf, 5)).toBe(0x0242_0a00_0003);
    expect(ethernetTypeOf(buf, 5)).toBe(EtherType.ARP);
    expect(ethernetTypeOf(CAPTURED_REPLY)).toBe(EtherType.ARP);
    expect(ethernetDst(CAPTURED_REPLY.subarray(0, 13))).toBe(-1);
    expect(ethernetSrc(CAPTURED_REPLY.subarray(0, 13))).toBe(-1);
    expect(ethernetTypeOf(CAPTURED_REPLY.subarray(0, 13))).toBe(-1);
    expect(ethernetTypeOf(TAGGED.subarray(0, 17)), 'tag without its inner type').toBe(-1);
    expect(ethernetDst(buf, buf.length - 13)).toBe(-1);
    expect(ethernetDst(buf, -1)).toBe(-1);
    // The slow, obviously-correct reference is parseEthernet.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        const r = parseEthernet(b);
        if (!r.ok) return;
        expect(ethernetDst(b)).toBe(r.value.dst);
        expect(ethernetSrc(b)).toBe(r.value.src);
        expect(ethernetTypeOf(b)).toBe(r.value.etherType);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('builds inside out without copying a payload already in place', () => {
    const out = new Uint8Array(42);
    out.set(CAPTURED_REPLY_ARP, ETHERNET_HEADER_LEN);
    const repr = { ...CAPTURED_REPLY_REPR, payload: out.subarray(ETHERNET_HEADER_LEN) };
    expect(emitEthernet(repr, out, 0)).toBe(42);
    expect(out).toEqual(CAPTURED_REPLY);

    // A payload laid out for an untagged header, then emitted with a tag: moved before the header
    // is written over its old place, so it arrives intact.
    const moved = new Uint8Array(ETHERNET_VLAN_HEADER_LEN + 4);
    moved.set(hex('deadbeef'), ETHERNET_HEADER_LEN);
    emitEthernet({ ...TAGGED_REPR, payload: moved.subarray(ETHERNET_HEADER_LEN, ETHERNET_HEADER_LEN + 4) }, moved, 0);
    expect(moved).toEqual(TAGGED);
  });

  it('rejects bad caller input on emit', () => {
    const out = new Uint8Array(64);
    const bad: Array<[string, () => number, RegExp]> = [
      ['dst 2^48', () => emitEthernetHeader(MAC_MAX + 1, 0, EtherType.IPV4, out, 0), /destination MAC/],
      ['dst -1', () => emitEthernetHeader(-1, 0, EtherType.IPV4, out, 0), /destination MAC/],
      ['src 1.5', () => emitEthernetHeader(0, 1.5, EtherType.IPV4, out, 0), /source MAC/],
      ['802.3 length', () => emitEthernetHeader(0, 0, 0x05dc, out, 0), /EtherType out of range/],
      ['type 0x10000', () => emitEthernetHeader(0, 0, 0x1_0000, out, 0), /EtherType out of range/],
      ['0x8100 without vlan', () => emitEthernetHeader(0, 0, EtherType.VLAN, out, 0), /without a tag/],
      ['pcp 8', () => emitEthernetHeader(0, 0, EtherType.IPV4, out, 0, { pcp: VLAN_PCP_MAX + 1, dei: false, vid: 1 }), /PCP/],
      ['vid 4096', () => emitEthernetHeader(0, 0, EtherType.IPV4, out, 0, { pcp: 0, dei: false, vid: VLAN_VID_MAX + 1 }), /VID/],
      ['dei 1', () => emitEthernetHeader(0, 0, EtherType.IPV4, out, 0, { pcp: 0, dei: 1 as unknown as boolean, vid: 1 }), /DEI/],
    ];
    for (const [name, f, msg] of bad) {
      expect(f, name).toThrow(InvalidArgumentError);
      expect(f, name).toThrow(msg);
    }
    expect(() => emitEthernet({ ...TAGGED_REPR, vlan: { pcp: 0, dei: false, vid: -1 } }, out, 0)).toThrow(InvalidArgumentError);
    expect(() => emitEthernet({ ...CAPTURED_REPLY_REPR, src: MAC_MAX + 1 }, out, 0)).toThrow(InvalidArgumentError);
    expect(out.every((b) => b === 0), 'nothing written on a refused emit').toBe(true);
    expect(() => emitEthernet(CAPTURED_REPLY_REPR, new Uint8Array(41), 0)).toThrow(BufferTooSmallError);
    expect(() => emitEthernetHeader(0, 0, EtherType.IPV4, new Uint8Array(20), 7)).toThrow(BufferTooSmallError);
    expect(() => emitEthernet(TAGGED_REPR, new Uint8Array(TAGGED.length - 1), 0)).toThrow(BufferTooSmallError);
  });

  it('never throws on arbitrary input', () => {
    expectNeverThrows(parseEthernet);
    expectNeverThrows(EthernetFrame.checked, 64);
  });

  it('parse(emit(r)) equals r', () => {
    const reprArb: fc.Arbitrary<EthernetRepr> = fc.oneof(
      fc.record({
        dst: macArb,
        src: macArb,
        etherType: fc.integer({ min: ETHERTYPE_MIN, max: 0xffff }).filter((t) => t !== EtherType.VLAN),
        payload: fc.uint8Array({ maxLength: 64 }),
      }),
      fc.record({
        dst: macArb,
        src: macArb,
        etherType: fc.integer({ min: ETHERTYPE_MIN, max: 0xffff }),
        vlan: vlanArb,
        payload: fc.uint8Array({ maxLength: 64 }),
      }),
    );
    fc.assert(
      fc.property(reprArb, (repr) => {
        const out = new Uint8Array(ethernetLen(repr));
        expect(emitEthernet(repr, out, 0)).toBe(out.length);
        expect(expectOk(parseEthernet(out))).toEqual(repr);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});
