/**
 * PMTU discovery at the VXLAN port (src/dataplane/pmtud.ts): what Linux's
 * `skb_tunnel_check_pmtu` → `iptunnel_pmtud_build_icmp` does for a bridged vxlan port, checked by
 * parsing the ICMP error back with the wire codecs, field by field.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/dataplane/bridge.js';
import { HostCounters } from '../../src/dataplane/counters.js';
import { MemoryNetwork } from '../../src/dataplane/memory-network.js';
import { PeerTable } from '../../src/dataplane/peer-table.js';
import { fragNeededFor, PMTUD_QUOTE_MAX, UNDERLAY_DEFAULT_MTU, VXLAN_OVERHEAD } from '../../src/dataplane/pmtud.js';
import type { Underlay } from '../../src/dataplane/underlay.js';
import { UNDERLAY_MIN_MTU, Vtep } from '../../src/dataplane/vtep.js';
import { DropCounters } from '../../src/util/drop.js';
import { macFromIpv4, type Ipv4Addr } from '../../src/wire/address.js';
import { EtherType, parseEthernet } from '../../src/wire/ethernet.js';
import { IcmpType, IcmpUnreachableCode, parseIcmp, parseIcmpQuote } from '../../src/wire/icmp.js';
import { IpProtocol, parseIpv4, type Ipv4Repr } from '../../src/wire/ipv4.js';
import { expectOk } from '../support/codec.js';
import { ethernetFrame, icmpMessage, ipv4Datagram, ipv4Frame, ipv4Header, pingPayload, udpDatagram } from '../support/frames.js';
import { ip, Recorder } from './fixtures.js';

const VNI = 4097;
const GW = ip('10.0.1.1');
const A_IP = ip('10.0.1.3');
const B_IP = ip('10.0.1.4');
const OUTER = 20 + 8 + 8;

/** A host whose overlay bridge has container MTU `bridgeMtu` (1500: a misconfigured overlay). */
function host(net: MemoryNetwork, address: string, containerIp: Ipv4Addr, underlayMtu?: number, bridgeMtu = 1500) {
  const drops = new DropCounters();
  const counters = new HostCounters(drops);
  const underlay = net.attach(address, 4789);
  opened.push(underlay);
  const vtep = new Vtep({ underlay, drops, counters, ...(underlayMtu === undefined ? {} : { underlayMtu }) });
  const bridge = new Bridge({ name: 'br0', mtu: bridgeMtu, gateway: { ip: GW, mac: macFromIpv4(GW) }, drops });
  const peers = new PeerTable();
  vtep.attach(VNI, bridge, peers);
  const container = new Recorder();
  const eth0 = bridge.addPort(`veth-${address}`, macFromIpv4(containerIp), container);
  return { address, drops, counters, vtep, bridge, container, eth0, peers, ip: containerIp };
}

const opened: Underlay[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((u) => u.close()));
});

function twoHosts(underlayMtu?: number) {
  const net = new MemoryNetwork();
  const a = host(net, '127.1.2.1', A_IP, underlayMtu);
  const b = host(net, '127.1.2.2', B_IP, underlayMtu);
  a.peers.add({ ip: B_IP, mac: macFromIpv4(B_IP), vtepAddress: b.address, vtepPort: 4789 });
  b.peers.add({ ip: A_IP, mac: macFromIpv4(A_IP), vtepAddress: a.address, vtepPort: 4789 });
  return { net, a, b };
}

/** A UDP frame from A to B of exactly `frameLength` bytes, with the given IPv4 header fields. */
function udpFrame(frameLength: number, overrides: Partial<Ipv4Repr> = {}, src = A_IP, dst = B_IP): Uint8Array {
  const payload = new Uint8Array(frameLength - 14 - 20 - 8);
  for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
  const udp = udpDatagram({ srcPort: 40000, dstPort: 9, payload }, src, dst);
  return ethernetFrame(macFromIpv4(B_IP), macFromIpv4(A_IP), EtherType.IPV4, ipv4Datagram(ipv4Header(src, dst, IpProtocol.UDP, overrides), udp));
}

describe('PMTU at the VTEP', () => {
  it('sends a frame whose outer datagram is exactly the underlay MTU', async () => {
    const { net, a, b } = twoHosts();
    const frame = udpFrame(UNDERLAY_DEFAULT_MTU - OUTER); // 1464: 1450 bytes of IP
    a.eth0.receiveFrame(frame);
    await net.idle();
    expect(a.counters.framesOut).toBe(1);
    expect(a.container.frames).toEqual([]);
    expect(b.container.frames.map((f) => new Uint8Array(f))).toEqual([frame]);
    expect(a.drops.total()).toBe(0);
  });

  it('drops a DF frame one byte too big and answers Fragmentation Needed, as from the destination', async () => {
    const { net, a, b } = twoHosts();
    const frame = udpFrame(UNDERLAY_DEFAULT_MTU - OUTER + 1, { ttl: 37, identification: 0x1234, dscp: 10, ecn: 1 });
    a.eth0.receiveFrame(frame);
    // The error is delivered synchronously, inside the sender's own transmit (link.ts).
    expect(a.container.frames).toHaveLength(1);
    await net.idle();
    expect(a.counters.framesOut, 'nothing crossed the underlay').toBe(0);
    expect(b.container.frames).toEqual([]);
    expect(a.drops.snapshot()).toEqual({ 'frag-needed': 1 });

    const reply = a.container.frames[0];
    expect(reply.length).toBe(14 + 576);
    const eth = expectOk(parseEthernet(reply));
    expect(eth.dst).toBe(macFromIpv4(A_IP));
    expect(eth.src).toBe(macFromIpv4(B_IP));
    expect(eth.etherType).toBe(EtherType.IPV4);
    expect(eth.vlan).toBeUndefined();
    const ipv4 = expectOk(parseIpv4(eth.payload)); // verifies the header checksum
    expect({ ...ipv4, payload: undefined, options: [...ipv4.options] }).toEqual({
      src: B_IP,
      dst: A_IP,
      protocol: IpProtocol.ICMP,
      ttl: 37, // iptunnel_pmtud_build_icmp copies the offending packet's TTL
      identification: 0,
      dscp: 0,
      ecn: 0,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      options: [],
      payload: undefined,
    });
    expect([...eth.payload.subarray(2, 4)], 'Total Length').toEqual([576 >> 8, 576 & 0xff]);
    expect(eth.payload[0], 'version 4, IHL 5').toBe(0x45);
    const icmp = expectOk(parseIcmp(ipv4.payload)); // verifies the ICMP checksum
    expect(ipv4.payload[0]).toBe(IcmpType.DEST_UNREACHABLE);
    expect(ipv4.payload[1]).toBe(IcmpUnreachableCode.FRAG_NEEDED);
    expect([...ipv4.payload.subarray(4, 6)], 'unused half of the field is zero').toEqual([0, 0]);
    expect(icmp).toMatchObject({ kind: 'dest-unreachable', code: 4, nextHopMtu: UNDERLAY_DEFAULT_MTU - VXLAN_OVERHEAD });
    expect(icmp.kind === 'dest-unreachable' && icmp.nextHopMtu).toBe(1450);
    // The quote: the offending IP header and data, cut so the error stays within 576 bytes.
    expect(PMTUD_QUOTE_MAX).toBe(548);
    expect(new Uint8Array(icmp.payload)).toEqual(frame.subarray(14, 14 + 548));
    const quoted = expectOk(parseIcmpQuote(icmp.payload));
    expect(quoted).toMatchObject({ src: A_IP, dst: B_IP, protocol: IpProtocol.UDP, ttl: 37, identification: 0x1234, dontFragment: true });
  });

  it('sends an oversized frame without DF whole (the kernel fragments the outer datagram)', async () => {
    const { net, a, b } = twoHosts();
    const frame = udpFrame(1514, { dontFragment: false });
    a.eth0.receiveFrame(frame);
    await net.idle();
    expect(a.counters.framesOut).toBe(1);
    expect(a.counters.bytesOut).toBe(8 + 1514);
    expect(b.container.frames.map((f) => new Uint8Array(f))).toEqual([frame]);
    expect(a.container.frames).toEqual([]);
    expect(a.drops.total()).toBe(0);
  });

  it('answers an oversized ICMP echo request with DF, but never an ICMP error', async () => {
    const { net, a } = twoHosts();
    const echo = icmpMessage({ kind: 'echo-request', identifier: 7, sequence: 1, payload: pingPayload(1472) });
    a.eth0.receiveFrame(ipv4Frame(ipv4Header(A_IP, B_IP, IpProtocol.ICMP), echo));
    expect(a.container.frames).toHaveLength(1);
    // An error is never answered with an error (RFC 1122 §3.2.2; Linux `icmp_is_err`): 1500 bytes, sent.
    const error = icmpMessage({ kind: 'dest-unreachable', code: 3, nextHopMtu: 0, payload: new Uint8Array(1458) });
    a.eth0.receiveFrame(ipv4Frame(ipv4Header(A_IP, B_IP, IpProtocol.ICMP), error));
    await net.idle();
    expect(a.container.frames).toHaveLength(1);
    expect(a.drops.get('frag-needed')).toBe(1);
    expect(a.counters.framesOut, 'the ICMP error was sent as it is').toBe(1);
  });

  it('sends what the kernel does not answer: fragments, DF+MF, multicast, bad sources, non-IPv4', async () => {
    const { net, a, b } = twoHosts();
    const cases = [
      udpFrame(1500, { dontFragment: true, moreFragments: true }), // frag_off != htons(IP_DF)
      udpFrame(1500, { dontFragment: false, moreFragments: true }),
      udpFrame(1500, { dontFragment: true }, A_IP, ip('239.1.2.3')),
      udpFrame(1500, { dontFragment: true }, A_IP, 0xffff_ffff),
      udpFrame(1500, { dontFragment: true }, ip('127.0.0.1'), B_IP),
      udpFrame(1500, { dontFragment: true }, ip('0.1.2.3'), B_IP),
      ethernetFrame(macFromIpv4(B_IP), macFromIpv4(A_IP), 0x86dd, new Uint8Array(1486)), // IPv6 is another path
    ];
    for (const frame of cases) {
      expect(fragNeededFor(frame, 1500)).toBeUndefined();
      a.eth0.receiveFrame(frame);
    }
    await net.idle();
    expect(a.container.frames).toEqual([]);
    expect(a.counters.framesOut).toBe(cases.length);
    expect(b.counters.framesIn).toBe(cases.length);
    expect(a.drops.get('frag-needed')).toBe(0);
  });

  it('takes the underlay MTU from the options: smaller, larger, and below 576 + 50 no error', async () => {
    const small = twoHosts(1400);
    expect(small.a.vtep.underlayMtu).toBe(1400);
    small.a.eth0.receiveFrame(udpFrame(1400 - OUTER));
    small.a.eth0.receiveFrame(udpFrame(1400 - OUTER + 1));
    await small.net.idle();
    expect(small.a.counters.framesOut).toBe(1);
    const err = expectOk(parseIcmp(expectOk(parseIpv4(expectOk(parseEthernet(small.a.container.frames[0])).payload)).payload));
    expect(err).toMatchObject({ kind: 'dest-unreachable', code: 4, nextHopMtu: 1350 });

    const jumbo = twoHosts(9000);
    jumbo.a.eth0.receiveFrame(udpFrame(1514));
    await jumbo.net.idle();
    expect(jumbo.b.container.frames).toHaveLength(1);

    // mtu − 50 < 576: iptunnel_pmtud_check_icmp sends nothing and the frame goes out.
    const tiny = twoHosts(600);
    tiny.a.eth0.receiveFrame(udpFrame(700));
    await tiny.net.idle();
    expect(tiny.a.container.frames).toEqual([]);
    expect(tiny.a.counters.framesOut).toBe(1);
  });

  it('refuses an underlay MTU outside its range', () => {
    const net = new MemoryNetwork();
    for (const bad of [UNDERLAY_MIN_MTU - 1, 0x1_0000, 1500.5, Number.NaN]) {
      const underlay = net.attach('127.1.2.7', 0);
      opened.push(underlay);
      const drops = new DropCounters();
      expect(() => new Vtep({ underlay, drops, counters: new HostCounters(drops), underlayMtu: bad })).toThrow(/underlay MTU/);
    }
  });
});
