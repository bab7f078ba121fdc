/**
 * The tshark harness itself (test/support/tshark.ts): a check that cannot fail checks nothing, so
 * each helper is shown to catch what it is there to catch — a bad checksum is a complaint, a clean
 * packet has none, and a field that occurs many times yields every occurrence.
 */
import { describe, expect, it } from 'vitest';
import { parseIpv4Address } from '../../src/wire/address.js';
import { IpProtocol, IPV4_CHECKSUM_OFFSET } from '../../src/wire/ipv4.js';
import { LinkType, readPcap } from '../../src/wire/pcap.js';
import { emitTcp, tcpLen, TcpFlag, type TcpRepr } from '../../src/wire/tcp.js';
import { emitUdp, udpLen, type UdpRepr } from '../../src/wire/udp.js';
import { expectOk, hex, toHex } from '../support/codec.js';
import {
  ChecksumStatus,
  complaints,
  dissectIpv4,
  field,
  fieldValues,
  fieldValuesInFrameOrder,
  ipv4Wrap,
  pcapOf,
  tsharkAvailable,
} from '../support/tshark.js';

const SRC = parseIpv4Address('10.0.0.1');
const DST = parseIpv4Address('10.0.0.2');

function udpPacket(payload = hex('0102')): Uint8Array {
  const repr: UdpRepr = { srcPort: 40000, dstPort: 40001, payload };
  const udp = new Uint8Array(udpLen(repr));
  emitUdp(repr, udp, 0, SRC, DST);
  return ipv4Wrap(IpProtocol.UDP, SRC, DST, udp);
}

/** An ACK with NOP NOP TS NOP NOP SACK(3 blocks): four NOPs and six SACK edges. */
function sackPacket(): Uint8Array {
  const repr: TcpRepr = {
    srcPort: 40000, dstPort: 8080, seq: 1000, ack: 5, flags: TcpFlag.ACK, window: 1000, urgentPointer: 0,
    options: { timestamps: { value: 1, echo: 2 }, sack: [[10, 20], [30, 40], [50, 60]] },
    payload: new Uint8Array(0),
  };
  const tcp = new Uint8Array(tcpLen(repr));
  emitTcp(repr, tcp, 0, SRC, DST);
  return ipv4Wrap(IpProtocol.TCP, SRC, DST, tcp);
}

describe('tshark harness: building captures (no tshark needed)', () => {
  it('ipv4Wrap builds a header with a verifying checksum around the payload', () => {
    const p = ipv4Wrap(IpProtocol.UDP, SRC, DST, hex('aabb'));
    // Checksum by hand: ~(4500+0016+0000+4000+4011+0a00+0001+0a00+0002) = ~d92a = 26d5.
    expect(toHex(p)).toBe('4500001600004000401126d50a0000010a000002aabb');
    expect(toHex(ipv4Wrap(IpProtocol.ESP, SRC, DST, hex(''), { dontFragment: false, ttl: 1 }).subarray(6, 10))).toBe('00000132');
  });

  it('pcapOf writes a capture our reader reads back frame for frame', () => {
    const frames = [udpPacket(), sackPacket()];
    const cap = expectOk(readPcap(pcapOf(frames, LinkType.RAW)));
    expect(cap.header.linkType).toBe(LinkType.RAW);
    const got = [...cap.records].map((r) => toHex(expectOk(r).data));
    expect(got).toEqual(frames.map(toHex));
  });
});

describe.skipIf(!tsharkAvailable())('tshark harness: reading tshark', () => {
  it('a clean packet has no complaints and a Good checksum status', async () => {
    const [layers] = await dissectIpv4([udpPacket()]);
    expect(complaints(layers)).toEqual([]);
    expect([field(layers, 'ip.checksum.status'), field(layers, 'udp.checksum.status')]).toEqual([ChecksumStatus.GOOD, ChecksumStatus.GOOD]);
  });

  it('a bad IPv4 header checksum is a complaint, with status 0 (Bad)', async () => {
    const bad = udpPacket();
    bad[IPV4_CHECKSUM_OFFSET + 1] ^= 0x01;
    const [layers] = await dissectIpv4([bad]);
    expect(field(layers, 'ip.checksum.status')).toBe(ChecksumStatus.BAD);
    const got = complaints(layers);
    expect(got, got.join('\n')).toContain('/ip: ip.checksum.status = bad');
    expect(got.some((c) => /Bad checksum/.test(c)), got.join('\n')).toBe(true);
  });

  it('the status alone is a complaint, even with no expert item beside it', () => {
    const layers = { frame: { 'frame.protocols': 'raw:ip:udp' }, udp: { 'udp.checksum.status': ['1', ChecksumStatus.BAD] } };
    expect(complaints(layers)).toEqual(['/udp: udp.checksum.status = bad']);
    expect(complaints({ udp: { 'udp.checksum.status': ChecksumStatus.UNVERIFIED } })).toEqual([]);
  });

  it('a bad UDP checksum is a complaint', async () => {
    const bad = udpPacket();
    bad[bad.length - 1] ^= 0x01;
    const [layers] = await dissectIpv4([bad]);
    expect(field(layers, 'udp.checksum.status')).toBe(ChecksumStatus.BAD);
    expect(complaints(layers)).toContain('/udp: udp.checksum.status = bad');
  });

  it('a repeated field yields every value: each NOP, each SACK edge', async () => {
    const [layers] = await dissectIpv4([sackPacket()], { prefs: ['tcp.analyze_sequence_numbers:FALSE'], raw: true });
    expect(complaints(layers)).toEqual([]);
    expect(fieldValues(layers, 'tcp.options.nop')).toEqual(['01', '01', '01', '01']);
    expect(fieldValues(layers, 'tcp.options.sack_le')).toEqual(['10', '30', '50']);
    expect(fieldValues(layers, 'tcp.options.sack_re')).toEqual(['20', '40', '60']);
    // tshark merges the four NOPs' subtrees at the first NOP's place; offsets restore the wire order.
    expect(fieldValues(layers, 'tcp.option_kind')).toEqual(['1', '1', '1', '1', '8', '5']);
    expect(fieldValuesInFrameOrder(layers, 'tcp.option_kind')).toEqual(['1', '1', '8', '1', '1', '5']);
  });

  it('fieldValuesInFrameOrder refuses a dissection without raw offsets', async () => {
    const [layers] = await dissectIpv4([sackPacket()]);
    expect(() => fieldValuesInFrameOrder(layers, 'tcp.option_kind')).toThrow(/raw: true/);
  });
});
