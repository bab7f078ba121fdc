#!/usr/bin/env node
// Builds the packets of one cross-host ping on a Docker overlay — ICMP echo request and reply
// between containers 10.0.1.3 and 10.0.1.4, inside VXLAN 4097, between hosts 127.1.2.1 and
// 127.1.2.2 — with swarmnet's codecs, and writes them to a pcap that Wireshark opens as is.
//
//   npm run build && node examples/vxlan-capture.mjs [FILE]      (default: vxlan-ping.pcap)
//   tshark -r vxlan-ping.pcap -V
import { wire, PcapWriter } from 'swarmnet';

const file = process.argv[2] ?? 'vxlan-ping.pcap';
const VNI = 4097;
const ip = wire.parseIpv4Address;

/** Ethernet(IPv4(payload)) built inside out in one buffer: nothing is copied twice. */
function ipv4Frame(src, dst, protocol, l4, dstMac, srcMac, df = true) {
  const out = new Uint8Array(wire.ETHERNET_HEADER_LEN + wire.IPV4_HEADER_LEN + l4.length);
  const ipBytes = out.subarray(wire.ETHERNET_HEADER_LEN);
  wire.emitIpv4(
    { src, dst, protocol, ttl: 64, identification: 0, dscp: 0, ecn: 0, dontFragment: df, moreFragments: false, fragmentOffset: 0, options: new Uint8Array(0), payload: l4 },
    ipBytes,
    0,
  );
  wire.emitEthernetHeader(dstMac, srcMac, wire.EtherType.IPV4, out, 0);
  return out;
}

function ping(kind, src, dst, sequence) {
  const icmp = new Uint8Array(wire.ICMP_HEADER_LEN + 56);
  wire.emitIcmp({ kind, identifier: 0x0a1b, sequence, payload: new Uint8Array(56).fill(0x42) }, icmp, 0);
  return ipv4Frame(src, dst, wire.IpProtocol.ICMP, icmp, wire.macFromIpv4(dst), wire.macFromIpv4(src));
}

function overVxlan(inner, vtepSrc, vtepDst) {
  const vxlan = new Uint8Array(wire.VXLAN_HEADER_LEN + inner.length);
  wire.emitVxlan({ vni: VNI, payload: inner }, vxlan, 0);
  const udp = new Uint8Array(wire.UDP_HEADER_LEN + vxlan.length);
  wire.emitUdp({ srcPort: 48721, dstPort: wire.VXLAN_UDP_PORT, payload: vxlan }, udp, 0, vtepSrc, vtepDst);
  // Underlay MACs: the hosts' NICs (any unicast MAC; loopback has none of its own).
  return ipv4Frame(vtepSrc, vtepDst, wire.IpProtocol.UDP, udp, wire.macFromIpv4(vtepDst), wire.macFromIpv4(vtepSrc), false);
}

const [hostA, hostB, c1, c2] = ['127.1.2.1', '127.1.2.2', '10.0.1.3', '10.0.1.4'].map(ip);
const writer = await PcapWriter.open(file);
const now = Date.now() * 1000;
writer.write(overVxlan(ping('echo-request', c1, c2, 0), hostA, hostB), now);
writer.write(overVxlan(ping('echo-reply', c2, c1, 0), hostB, hostA), now + 83);
await writer.close();
console.log(`wrote ${writer.packetsWritten} packets to ${file}`);
