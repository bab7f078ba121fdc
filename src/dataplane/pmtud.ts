/**
 * Path MTU discovery at the VXLAN port, as Linux does it for a vxlan device that is a bridge port
 * (kernel ≥ 5.9, commit 4cb47a8644cc "tunnels: PMTU discovery support for directly bridged IP
 * packets"): `vxlan_xmit_one` calls `skb_tunnel_check_pmtu(skb, ndst, VXLAN_HEADROOM, true)`
 * (net/ipv4/ip_tunnel_core.c) before encapsulating.
 *
 * Contract:
 * - A frame fits when the outer datagram — 20 IPv4 + 8 UDP + 8 VXLAN + the inner Ethernet frame —
 *   is at most the underlay MTU; equivalently its inner IP packet is at most
 *   `underlayMtu − VXLAN_OVERHEAD` (the kernel's `skb->len − skb_network_offset(skb) <= mtu`).
 * - `fragNeededFor(frame, underlayMtu)` is called only for a frame that does not fit. It returns
 *   the ICMP error frame to hand back to the sender, or undefined when the kernel would send the
 *   frame anyway (and let IP fragment the outer datagram). Following `iptunnel_pmtud_check_icmp`,
 *   an error is built only when: the inner frame is IPv4; the tunnel MTU is at least 576; the
 *   flags/fragment-offset field is exactly DF (`iph->frag_off == htons(IP_DF)`: not a fragment);
 *   the destination is not the limited broadcast or multicast; the source is not 0/8, loopback,
 *   the limited broadcast or multicast; and it is not itself an ICMP error (`icmp_is_err`).
 * - The error is what `iptunnel_pmtud_build_icmp` makes of the offending frame: Ethernet with
 *   source and destination swapped, IPv4 (IHL 5, TOS 0, ID 0, DF, the offending packet's TTL,
 *   protocol ICMP, addresses swapped — it appears to come from the destination), ICMP type 3
 *   code 4 with the next-hop MTU = underlay MTU − 50 (RFC 1191 §4), quoting the offending IP
 *   header and data cut at 576 − 20 − 8 = 548 bytes (RFC 1812 §4.3.2.3; the kernel trims the skb
 *   to that length). Both checksums are computed. A fresh buffer (frames are immutable, link.ts).
 *
 * The caller (the VTEP) drops the offending frame and delivers the error as the kernel's
 * `vxlan_encap_bypass` does: as if it had come in on the vxlan port, so the bridge forwards it to
 * the sender's port.
 */
import type { Ipv4Addr } from '../wire/address.js';
import { readU16 } from '../wire/bytes.js';
import { emitEthernetHeader, ETHERNET_HEADER_LEN, EtherType, ethernetDst, ethernetSrc, ethernetTypeOf } from '../wire/ethernet.js';
import { emitIcmp, ICMP_ERROR_MAX_LEN, ICMP_HEADER_LEN, IcmpType, IcmpUnreachableCode } from '../wire/icmp.js';
import { checkIpv4HeaderShape, emitIpv4Header, IpProtocol, Ipv4Packet, IPV4_FLAG_DF, IPV4_FLAGS_FRAG_OFFSET, IPV4_HEADER_LEN } from '../wire/ipv4.js';
import { UDP_HEADER_LEN } from '../wire/udp.js';
import { VXLAN_HEADER_LEN } from '../wire/vxlan.js';
import { allocFrame } from '../util/frames.js';

/** An underlay NIC's MTU when none is given: Ethernet's 1500 (RFC 894). */
export const UNDERLAY_DEFAULT_MTU = 1500;
/** Outer IPv4 + UDP + VXLAN headers in front of the inner frame. */
export const VXLAN_OUTER_HEADERS_LEN = IPV4_HEADER_LEN + UDP_HEADER_LEN + VXLAN_HEADER_LEN;
/**
 * What VXLAN costs an inner IP packet: outer headers plus the inner Ethernet header — the kernel's
 * `VXLAN_HEADROOM` (20 + 8 + 8 + 14 = 50), why Docker's overlay MTU is 1500 − 50 = 1450.
 */
export const VXLAN_OVERHEAD = VXLAN_OUTER_HEADERS_LEN + ETHERNET_HEADER_LEN;
/**
 * Below this tunnel MTU no error is sent (`iptunnel_pmtud_check_icmp`: `mtu < 576`): 576 is the
 * datagram every IPv4 host must accept (RFC 791 §3.1), so a smaller one is not advertised.
 */
export const PMTUD_MIN_MTU = 576;
/** Longest quote: what keeps the error datagram within 576 bytes (the kernel's `pskb_trim`). */
export const PMTUD_QUOTE_MAX = ICMP_ERROR_MAX_LEN - IPV4_HEADER_LEN - ICMP_HEADER_LEN;

/** Largest inner frame that fits an underlay of `underlayMtu`. */
export function maxInnerFrame(underlayMtu: number): number {
  return underlayMtu - VXLAN_OUTER_HEADERS_LEN;
}

const NO_OPTIONS = new Uint8Array(0);
const LIMITED_BROADCAST = 0xffff_ffff;

/** 224.0.0.0/4 (Linux `ipv4_is_multicast`). */
function isMulticast(a: Ipv4Addr): boolean {
  return a >>> 28 === 0xe;
}

/** 127.0.0.0/8 (`ipv4_is_loopback`). */
function isLoopback(a: Ipv4Addr): boolean {
  return a >>> 24 === 127;
}

/** 0.0.0.0/8 (`ipv4_is_zeronet`). */
function isZeronet(a: Ipv4Addr): boolean {
  return a >>> 24 === 0;
}

/** ICMP types that are errors (Linux `icmp_is_err`): never answered with another error (RFC 1122 §3.2.2). */
function isIcmpError(type: number): boolean {
  return (
    type === IcmpType.DEST_UNREACHABLE ||
    type === IcmpType.SOURCE_QUENCH ||
    type === IcmpType.REDIRECT ||
    type === IcmpType.TIME_EXCEEDED ||
    type === IcmpType.PARAMETER_PROBLEM
  );
}

/**
 * The Fragmentation Needed error for `frame`, a frame too big for an underlay of `underlayMtu`;
 * undefined when Linux would send the frame as it is (see the module contract).
 */
export function fragNeededFor(frame: Uint8Array, underlayMtu: number): Uint8Array | undefined {
  const mtu = underlayMtu - VXLAN_OVERHEAD;
  if (mtu < PMTUD_MIN_MTU) return undefined;
  if (frame.length < ETHERNET_HEADER_LEN + IPV4_HEADER_LEN || ethernetTypeOf(frame) !== EtherType.IPV4) return undefined;
  const ipBytes = frame.subarray(ETHERNET_HEADER_LEN);
  // The kernel reads the header in place without validating it; we only make sure it is one.
  if (checkIpv4HeaderShape(ipBytes) !== undefined) return undefined;
  if (readU16(ipBytes, IPV4_FLAGS_FRAG_OFFSET) !== IPV4_FLAG_DF) return undefined;
  const ip = Ipv4Packet.unchecked(ipBytes);
  const src = ip.src;
  const dst = ip.dst;
  if (dst === LIMITED_BROADCAST || isMulticast(dst)) return undefined;
  if (isZeronet(src) || isLoopback(src) || src === LIMITED_BROADCAST || isMulticast(src)) return undefined;
  if (ip.protocol === IpProtocol.ICMP) {
    // The kernel makes sure the type byte is there before reading it (pskb_network_may_pull): no type, no error.
    const typeAt = ip.headerLen;
    if (ipBytes.length <= typeAt || isIcmpError(ipBytes[typeAt])) return undefined;
  }

  const quote = ipBytes.subarray(0, PMTUD_QUOTE_MAX);
  const icmpLength = ICMP_HEADER_LEN + quote.length;
  const out = allocFrame(ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + icmpLength);
  emitEthernetHeader(ethernetSrc(frame), ethernetDst(frame), EtherType.IPV4, out, 0);
  emitIpv4Header(
    {
      src: dst,
      dst: src,
      protocol: IpProtocol.ICMP,
      ttl: ip.ttl,
      identification: 0,
      dscp: 0,
      ecn: 0,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      options: NO_OPTIONS,
    },
    icmpLength,
    out,
    ETHERNET_HEADER_LEN,
  );
  emitIcmp({ kind: 'dest-unreachable', code: IcmpUnreachableCode.FRAG_NEEDED, nextHopMtu: mtu, payload: quote }, out, ETHERNET_HEADER_LEN + IPV4_HEADER_LEN);
  return out;
}
