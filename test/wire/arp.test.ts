import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAC_BROADCAST, MAC_ZERO, parseIpv4Address, parseMacAddress } from '../../src/wire/address.js';
import { readU32, readU48 } from '../../src/wire/bytes.js';
import {
  ArpHardware,
  ArpOperation,
  ArpPacket,
  arpLen,
  ARP_FIXED_LEN,
  ARP_PACKET_LEN,
  emitArp,
  formatArpOperation,
  isGratuitousArp,
  parseArp,
  type ArpRepr,
} from '../../src/wire/arp.js';
import { emitEthernet, emitEthernetHeader, EtherType, ETHERNET_HEADER_LEN, parseEthernet, type VlanTag } from '../../src/wire/ethernet.js';
import { BufferTooSmallError, InvalidArgumentError } from '../../src/util/errors.js';
import { complaints, dissectFrames, field, protocols, tsharkAvailable, type Layers } from '../support/tshark.js';
import { expectDrop, expectEmits, expectNeverThrows, expectOk, expectPrefixesTruncated, FUZZ_RUNS, hex, toHex } from '../support/codec.js';

// Real capture, frame 7 of http://www.mynetwatchman.com/kb/NetKb/ARP/goodarp.htm (2001): "Who has
// 172.16.1.50? Tell 172.16.1.101" from an Intel NIC, with the 18 bytes of padding it had on the wire.
const CAPTURED_REQUEST_FRAME = hex(
  'ffffffffffff 00a0c922b210 0806' +
    '0001 0800 06 04 0001 00a0c922b210 ac100165 000000000000 ac100132' +
    '000000000000000000000000000000000000',
);
const CAPTURED_REQUEST: ArpRepr = {
  operation: ArpOperation.REQUEST,
  senderMac: parseMacAddress('00:a0:c9:22:b2:10'),
  senderIp: parseIpv4Address('172.16.1.101'),
  targetMac: MAC_ZERO,
  targetIp: parseIpv4Address('172.16.1.50'),
};

// Real capture, tcpdump -X on Linux (https://topic.alibabacloud.com/a/arp-learning-notes-linux-high-
// performance-service-programming_1_16_30212073.html): "192.168.5.190 is-at 40:16:7e:79:c7:36".
const CAPTURED_REPLY = hex('0001 0800 06 04 0002 40167e79c736 c0a805be bcee7b9dee02 c0a8056d');
const CAPTURED_REPLY_REPR: ArpRepr = {
  operation: ArpOperation.REPLY,
  senderMac: parseMacAddress('40:16:7e:79:c7:36'),
  senderIp: parseIpv4Address('192.168.5.190'),
  targetMac: parseMacAddress('bc:ee:7b:9d:ee:02'),
  targetIp: parseIpv4Address('192.168.5.109'),
};

// Gratuitous ARP for a Docker overlay endpoint (MAC 02:42 + IPv4, moby GenerateMACFromIP): an RFC
// 5227 §3 "ARP Announcement" as Linux builds it (arp_create: broadcast destination, request,
// sender IP = target IP, target MAC zero). tshark 4.0 names it "ARP Announcement for 10.0.0.3".
const GARP_FRAME = hex('ffffffffffff 02420a000003 0806' + '0001 0800 06 04 0001 02420a000003 0a000003 000000000000 0a000003');
const GARP: ArpRepr = {
  operation: ArpOperation.REQUEST,
  senderMac: 0x0242_0a00_0003,
  senderIp: 0x0a00_0003,
  targetMac: MAC_ZERO,
  targetIp: 0x0a00_0003,
};

const ipArb = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => readU32(b, 0));
const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => readU48(b, 0));

/** Ethernet header + ARP, built inside out in one buffer as the stack will. */
function arpFrame(dst: number, src: number, arp: ArpRepr, vlan?: VlanTag): Uint8Array {
  const hdr = vlan === undefined ? ETHERNET_HEADER_LEN : ETHERNET_HEADER_LEN + 4;
  const out = new Uint8Array(hdr + ARP_PACKET_LEN);
  emitArp(arp, out, hdr);
  emitEthernet({ dst, src, etherType: EtherType.ARP, vlan, payload: out.subarray(hdr) }, out, 0);
  return out;
}

describe('ARP', () => {
  it('parses a captured request, ignoring the Ethernet padding after it', () => {
    const eth = expectOk(parseEthernet(CAPTURED_REQUEST_FRAME));
    expect(eth.payload.length, 'payload includes 18 bytes of padding').toBe(ARP_PACKET_LEN + 18);
    expect(expectOk(parseArp(eth.payload))).toEqual(CAPTURED_REQUEST);
    expect(isGratuitousArp(CAPTURED_REQUEST)).toBe(false);
  });

  it('parses a captured reply', () => {
    expect(expectOk(parseArp(CAPTURED_REPLY))).toEqual(CAPTURED_REPLY_REPR);
  });

  it('emits captured bytes, at offset 0 and at an offset', () => {
    expectEmits((out, off) => emitArp(CAPTURED_REPLY_REPR, out, off), CAPTURED_REPLY);
    expectEmits((out, off) => emitArp(CAPTURED_REQUEST, out, off), CAPTURED_REQUEST_FRAME.subarray(14, 42));
    expect(arpLen(CAPTURED_REPLY_REPR)).toBe(ARP_PACKET_LEN);
  });

  it('emits a whole request frame unpadded: the captured one minus its padding', () => {
    const frame = arpFrame(MAC_BROADCAST, CAPTURED_REQUEST.senderMac, CAPTURED_REQUEST);
    expect(toHex(frame)).toBe(toHex(CAPTURED_REQUEST_FRAME.subarray(0, 42)));
  });

  it('round-trips a gratuitous ARP (RFC 5227 §3 announcement)', () => {
    const r = expectOk(parseArp(GARP_FRAME.subarray(ETHERNET_HEADER_LEN)));
    expect(r).toEqual(GARP);
    expect(isGratuitousArp(r)).toBe(true);
    expect(toHex(arpFrame(MAC_BROADCAST, GARP.senderMac, GARP))).toBe(toHex(GARP_FRAME));
  });

  it('keeps unknown operations and formats them as hex', () => {
    const rarp = hex('0001 0800 06 04 0003 020000000001 00000000 020000000001 00000000');
    expect(expectOk(parseArp(rarp)).operation).toBe(3);
    expect(formatArpOperation(3)).toBe('0x0003');
    expect(formatArpOperation(0xffff)).toBe('0xffff');
    expect(formatArpOperation(ArpOperation.REQUEST)).toBe('REQUEST');
    expect(formatArpOperation(ArpOperation.REPLY)).toBe('REPLY');
    const op0 = { ...CAPTURED_REPLY_REPR, operation: 0 };
    const out = new Uint8Array(ARP_PACKET_LEN);
    emitArp(op0, out, 0);
    expect(expectOk(parseArp(out))).toEqual(op0);
  });

  it('refuses hardware/protocol formats other than Ethernet/IPv4 as unsupported (RFC 826)', () => {
    const body = '0001 040506070809 0a0b0c0d 0e0f10111213 14151617';
    const cases: Array<[string, string, number, number]> = [
      ['IEEE 802 hardware (6)', `0006 0800 06 04 ${body}`, 0, 6],
      ['hardware 0', `0000 0800 06 04 ${body}`, 0, 0],
      ['IPv6 protocol', `0001 86dd 06 04 ${body}`, 2, 0x86dd],
      ['hln 8', `0001 0800 08 04 ${body}`, 4, 8],
      ['hln 0', `0001 0800 00 04 ${body}`, 4, 0],
      ['pln 16', `0001 0800 06 10 ${body}`, 5, 16],
      // RFC 826 checks ar$hrd before anything else: a short packet of a foreign type is unsupported.
      ['short, foreign hardware', '0006 0800 06 04 0001', 0, 6],
      ['short, InfiniBand (hln 20)', '0020 0800 14 04 0001 00', 0, 0x20],
    ];
    for (const [name, bytes, offset, value] of cases) {
      const r = parseArp(hex(bytes));
      expectDrop(r, 'unsupported', offset);
      expect(!r.ok && r.value, `${name}: got value ${!r.ok && r.value}, want ${value}`).toBe(value);
      expectDrop(ArpPacket.checked(hex(bytes)), 'unsupported', offset);
    }
  });

  it('every truncated prefix is truncated', () => {
    expectPrefixesTruncated(CAPTURED_REPLY, ARP_PACKET_LEN, parseArp);
    expectPrefixesTruncated(CAPTURED_REPLY, ARP_PACKET_LEN, ArpPacket.checked);
    const r = parseArp(CAPTURED_REPLY.subarray(0, ARP_FIXED_LEN - 1));
    expectDrop(r, 'truncated', 0);
    expect(!r.ok && r.value).toBe(ARP_FIXED_LEN - 1);
    expectDrop(parseArp(CAPTURED_REPLY.subarray(0, ARP_PACKET_LEN - 1)), 'truncated', 0);
    expectOk(parseArp(CAPTURED_REPLY.subarray(0, ARP_PACKET_LEN)));
  });

  it('view reads fields without copying', () => {
    const v = expectOk(ArpPacket.checked(CAPTURED_REPLY));
    expect(v.hardwareType).toBe(ArpHardware.ETHERNET);
    expect(v.protocolType).toBe(EtherType.IPV4);
    expect(v.hardwareLen).toBe(6);
    expect(v.protocolLen).toBe(4);
    expect(v.operation).toBe(ArpOperation.REPLY);
    expect(v.senderMac).toBe(CAPTURED_REPLY_REPR.senderMac);
    expect(v.senderIp).toBe(CAPTURED_REPLY_REPR.senderIp);
    expect(v.targetMac).toBe(CAPTURED_REPLY_REPR.targetMac);
    expect(v.targetIp).toBe(CAPTURED_REPLY_REPR.targetIp);
    expect(v.bytes).toBe(CAPTURED_REPLY);
    expect(ArpPacket.unchecked(GARP_FRAME.subarray(14)).targetIp).toBe(GARP.targetIp);
  });

  it('rejects bad caller input on emit', () => {
    const out = new Uint8Array(ARP_PACKET_LEN);
    const bad: Array<[string, ArpRepr, RegExp]> = [
      ['operation 0x10000', { ...GARP, operation: 0x1_0000 }, /operation out of range/],
      ['operation -1', { ...GARP, operation: -1 }, /operation out of range/],
      ['sender MAC 2^48', { ...GARP, senderMac: 2 ** 48 }, /sender MAC/],
      ['target MAC 0.5', { ...GARP, targetMac: 0.5 }, /target MAC/],
      ['sender IP 2^32', { ...GARP, senderIp: 2 ** 32 }, /sender IPv4/],
      ['target IP -1', { ...GARP, targetIp: -1 }, /target IPv4/],
    ];
    for (const [name, repr, msg] of bad) {
      expect(() => emitArp(repr, out, 0), name).toThrow(InvalidArgumentError);
      expect(() => emitArp(repr, out, 0), name).toThrow(msg);
    }
    expect(out.every((b) => b === 0), 'nothing written on a refused emit').toBe(true);
    expect(() => emitArp(GARP, new Uint8Array(ARP_PACKET_LEN - 1), 0)).toThrow(BufferTooSmallError);
    expect(() => emitArp(GARP, new Uint8Array(ARP_PACKET_LEN), 1)).toThrow(BufferTooSmallError);
  });

  it('never throws on arbitrary input', () => {
    expectNeverThrows(parseArp);
    expectNeverThrows(ArpPacket.checked, 64);
  });

  it('parse(emit(r)) equals r', () => {
    const reprArb: fc.Arbitrary<ArpRepr> = fc.record({
      operation: fc.integer({ min: 0, max: 0xffff }),
      senderMac: macArb,
      senderIp: ipArb,
      targetMac: macArb,
      targetIp: ipArb,
    });
    fc.assert(
      fc.property(reprArb, fc.uint8Array({ maxLength: 18 }), (repr, padding) => {
        const out = new Uint8Array(ARP_PACKET_LEN + padding.length);
        out.set(padding, ARP_PACKET_LEN);
        expect(emitArp(repr, out, 0)).toBe(ARP_PACKET_LEN);
        expect(expectOk(parseArp(out))).toEqual(repr);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});

// ---- External decoder: what tshark dissects from frames we emit (CONVENTIONS.md §10) ----

function expectFields(what: string, layers: Layers, want: Record<string, string>): void {
  expect(complaints(layers), `${what}: tshark complaints`).toEqual([]);
  for (const [name, value] of Object.entries(want)) {
    const got = field(layers, name);
    expect(got, `${what} ${name}: got ${got}, want ${value}`).toBe(value);
  }
}

describe.skipIf(!tsharkAvailable())('ARP and Ethernet as tshark dissects them', () => {
  it('agrees on every field of the frames we emit, with no complaints', async () => {
    const reply = arpFrame(CAPTURED_REPLY_REPR.targetMac, CAPTURED_REPLY_REPR.senderMac, CAPTURED_REPLY_REPR);
    const request = arpFrame(MAC_BROADCAST, CAPTURED_REQUEST.senderMac, CAPTURED_REQUEST);
    const garp = arpFrame(MAC_BROADCAST, GARP.senderMac, GARP);
    const tagged = arpFrame(MAC_BROADCAST, GARP.senderMac, { ...GARP, targetIp: 0x0a00_0004 }, { pcp: 5, dei: true, vid: 100 });
    const maxTag = new Uint8Array(ETHERNET_HEADER_LEN + 4 + ARP_PACKET_LEN);
    emitArp(CAPTURED_REPLY_REPR, maxTag, ETHERNET_HEADER_LEN + 4);
    emitEthernetHeader(1, 2, EtherType.ARP, maxTag, 0, { pcp: 7, dei: false, vid: 4095 });

    const [r, q, g, t, m, cq, cg] = await dissectFrames([reply, request, garp, tagged, maxTag, CAPTURED_REQUEST_FRAME, GARP_FRAME]);
    expect(protocols(r)).toBe('eth:ethertype:arp');
    expectFields('reply', r, {
      'frame.len': '42', 'eth.dst': 'bc:ee:7b:9d:ee:02', 'eth.src': '40:16:7e:79:c7:36', 'eth.type': '0x0806',
      'arp.hw.type': '1', 'arp.proto.type': '0x0800', 'arp.hw.size': '6', 'arp.proto.size': '4',
      'arp.opcode': '2', 'arp.src.hw_mac': '40:16:7e:79:c7:36', 'arp.src.proto_ipv4': '192.168.5.190',
      'arp.dst.hw_mac': 'bc:ee:7b:9d:ee:02', 'arp.dst.proto_ipv4': '192.168.5.109',
    });
    expectFields('request', q, {
      'frame.len': '42', 'eth.dst': 'ff:ff:ff:ff:ff:ff', 'eth.src': '00:a0:c9:22:b2:10', 'arp.opcode': '1',
      'arp.src.proto_ipv4': '172.16.1.101', 'arp.dst.hw_mac': '00:00:00:00:00:00', 'arp.dst.proto_ipv4': '172.16.1.50',
    });
    expectFields('gratuitous', g, { 'arp.isannouncement': '1', 'arp.isgratuitous': '1', 'arp.src.proto_ipv4': '10.0.0.3' });
    expect(protocols(t)).toBe('eth:ethertype:vlan:ethertype:arp');
    expectFields('tagged', t, {
      'frame.len': '46', 'eth.type': '0x8100', 'vlan.priority': '5', 'vlan.dei': '1', 'vlan.id': '100',
      'vlan.etype': '0x0806', 'arp.opcode': '1', 'arp.dst.proto_ipv4': '10.0.0.4',
    });
    // The golden inputs themselves dissect as this file says they do.
    expectFields('captured request', cq, {
      'frame.len': '60', 'eth.padding': '00'.repeat(18).replace(/(..)(?!$)/g, '$1:'), 'arp.opcode': '1',
      'arp.src.hw_mac': '00:a0:c9:22:b2:10', 'arp.src.proto_ipv4': '172.16.1.101', 'arp.dst.proto_ipv4': '172.16.1.50',
    });
    expectFields('golden gratuitous', cg, { 'arp.isannouncement': '1', 'eth.src': '02:42:0a:00:00:03' });
    expectFields('max tag', m, { 'eth.dst': '00:00:00:00:00:01', 'vlan.priority': '7', 'vlan.dei': '0', 'vlan.id': '4095', 'arp.opcode': '2' });
  });
});
