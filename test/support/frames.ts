/**
 * Builders for whole frames out of the codecs — Ethernet around IPv4 around ICMP/UDP/TCP, VXLAN
 * and ESP encapsulation — for tests that need realistic packets. Each builder emits through the
 * public `emitX` functions, so a test of a frame also tests the codecs together.
 */
import type { Ipv4Addr, MacAddr } from '../../src/wire/address.js';
import { macFromIpv4 } from '../../src/wire/address.js';
import { EtherType, emitEthernet, ETHERNET_HEADER_LEN } from '../../src/wire/ethernet.js';
import { emitIcmp, icmpLen, type IcmpRepr } from '../../src/wire/icmp.js';
import { emitIpv4, IpProtocol, IPV4_HEADER_LEN, type Ipv4Repr } from '../../src/wire/ipv4.js';
import { emitUdp, udpLen, type UdpRepr } from '../../src/wire/udp.js';
import { emitVxlan, VXLAN_UDP_PORT } from '../../src/wire/vxlan.js';

/** IPv4 header fields with the defaults Linux uses for a locally originated datagram. */
export function ipv4Header(
  src: Ipv4Addr,
  dst: Ipv4Addr,
  protocol: number,
  overrides: Partial<Omit<Ipv4Repr, 'src' | 'dst' | 'protocol' | 'payload'>> = {},
): Omit<Ipv4Repr, 'payload'> {
  return {
    src,
    dst,
    protocol,
    ttl: 64,
    identification: 0,
    dscp: 0,
    ecn: 0,
    dontFragment: true,
    moreFragments: false,
    fragmentOffset: 0,
    options: new Uint8Array(0),
    ...overrides,
  };
}

/** An IPv4 datagram carrying `payload` (already-encoded L4 bytes). */
export function ipv4Datagram(header: Omit<Ipv4Repr, 'payload'>, payload: Uint8Array): Uint8Array {
  const repr: Ipv4Repr = { ...header, payload };
  const out = new Uint8Array(IPV4_HEADER_LEN + header.options.length + payload.length);
  emitIpv4(repr, out, 0);
  return out;
}

/** An Ethernet II frame around `payload`. */
export function ethernetFrame(dst: MacAddr, src: MacAddr, etherType: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ETHERNET_HEADER_LEN + payload.length);
  emitEthernet({ dst, src, etherType, payload }, out, 0);
  return out;
}

/** Ethernet(IPv4(payload)) between two Docker-style endpoints (MAC derived from IP). */
export function ipv4Frame(header: Omit<Ipv4Repr, 'payload'>, payload: Uint8Array): Uint8Array {
  return ethernetFrame(macFromIpv4(header.dst), macFromIpv4(header.src), EtherType.IPV4, ipv4Datagram(header, payload));
}

export function icmpMessage(repr: IcmpRepr): Uint8Array {
  const out = new Uint8Array(icmpLen(repr));
  emitIcmp(repr, out, 0);
  return out;
}

export function udpDatagram(repr: UdpRepr, src: Ipv4Addr, dst: Ipv4Addr): Uint8Array {
  const out = new Uint8Array(udpLen(repr));
  emitUdp(repr, out, 0, src, dst);
  return out;
}

/** busybox ping's 56-byte payload: an 8-byte timestamp then the pattern bytes. */
export function pingPayload(length = 56): Uint8Array {
  const p = new Uint8Array(length);
  for (let i = 0; i < length; i++) p[i] = i < 8 ? 0x10 + i : i;
  return p;
}

/** The UDP datagram a VTEP sends: UDP(srcPort → 4789) carrying VXLAN(vni) and the inner frame. */
export function vxlanDatagram(vni: number, inner: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr, srcPort: number): Uint8Array {
  const vx = new Uint8Array(8 + inner.length);
  emitVxlan({ vni, payload: inner }, vx, 0);
  return udpDatagram({ srcPort, dstPort: VXLAN_UDP_PORT, payload: vx }, src, dst);
}

/** A whole underlay frame: Ethernet/IPv4/UDP 4789/VXLAN/inner frame, as a VTEP puts on its NIC. */
export function vxlanFrame(vni: number, inner: Uint8Array, vtepSrc: Ipv4Addr, vtepDst: Ipv4Addr, srcPort: number): Uint8Array {
  const udp = vxlanDatagram(vni, inner, vtepSrc, vtepDst, srcPort);
  return ipv4Frame(ipv4Header(vtepSrc, vtepDst, IpProtocol.UDP, { dontFragment: false }), udp);
}
