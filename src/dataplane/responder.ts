/**
 * The frames a bridge answers by itself, built with the src/wire codecs:
 *
 * - the ARP reply of Linux's vxlan `proxy` (`arp_reduce` in `drivers/net/vxlan/vxlan_core.c`):
 *   `arp_create(ARPOP_REPLY, ETH_P_ARP, sip, dev, tip, sha, n->ha, sha)` — Ethernet from the
 *   neighbour's MAC to the requester, ARP sender = (neighbour MAC, requested IP), ARP target =
 *   (requester MAC, requester IP);
 * - what the network stack behind `br0` / `docker_gwbridge` answers for the gateway address:
 *   ARP (RFC 826 "Packet Reception": swap, fill in the local hardware address, send it back) and
 *   ICMP echo (RFC 792; RFC 1122 §3.2.2.6: the reply carries the request's identifier, sequence
 *   and data unchanged).
 *
 * Each builder allocates the reply fresh (frames are immutable once handed over, link.ts) and
 * returns undefined when the request does not call for an answer. Requests come from containers
 * and are untrusted: everything is parsed with the checked codecs; what is refused is reported as
 * a `DropReason` for the caller to count.
 */
import type { DropReason } from '../util/drop.js';
import { type Ipv4Addr, type MacAddr } from '../wire/address.js';
import { ArpOperation, ArpPacket, ARP_PACKET_LEN, emitArp, isGratuitousArp } from '../wire/arp.js';
import { emitEthernetHeader, ETHERNET_HEADER_LEN, EtherType } from '../wire/ethernet.js';
import { emitIcmp, ICMP_HEADER_LEN, IcmpPacket, IcmpType } from '../wire/icmp.js';
import { emitIpv4Header, IpProtocol, Ipv4Packet, IPV4_HEADER_LEN } from '../wire/ipv4.js';
import { allocFrame } from '../util/frames.js';

/** Linux's default `net.ipv4.ip_default_ttl`, used by the host stack behind the gateway. */
export const GATEWAY_TTL = 64;

const NO_OPTIONS = new Uint8Array(0);

/** An ARP request asking for someone else's address (not gratuitous), or undefined. */
export function arpRequestOf(arpBytes: Uint8Array): ArpPacket | undefined {
  const arp = ArpPacket.checked(arpBytes);
  if (!arp.ok) return undefined;
  const p = arp.value;
  if (p.operation !== ArpOperation.REQUEST || isGratuitousArp(p)) return undefined;
  return p;
}

/**
 * The ARP reply to `request` saying `answerIp` is at `answerMac`, addressed to the requester.
 * Linux's `arp_create` makes it 42 bytes, unpadded (veth and vxlan do not pad).
 */
export function arpReplyFrame(request: ArpPacket, answerIp: Ipv4Addr, answerMac: MacAddr): Uint8Array {
  const frame = allocFrame(ETHERNET_HEADER_LEN + ARP_PACKET_LEN);
  emitEthernetHeader(request.senderMac, answerMac, EtherType.ARP, frame, 0);
  emitArp(
    {
      operation: ArpOperation.REPLY,
      senderMac: answerMac,
      senderIp: answerIp,
      targetMac: request.senderMac,
      targetIp: request.senderIp,
    },
    frame,
    ETHERNET_HEADER_LEN,
  );
  return frame;
}

/** A reply frame, or why there is none. */
export type GatewayAnswer = Uint8Array | DropReason;

/**
 * What the gateway's stack does with an IPv4 datagram sent to its MAC: an echo reply to an echo
 * request for `gatewayIp`; anything else is refused (nothing is routed or NATed yet).
 * `identification` is the IPv4 ID for the reply.
 */
export function gatewayIpv4Answer(
  ipBytes: Uint8Array,
  srcMac: MacAddr,
  gatewayIp: Ipv4Addr,
  gatewayMac: MacAddr,
  identification: number,
): GatewayAnswer {
  const checked = Ipv4Packet.checked(ipBytes);
  if (!checked.ok) return checked.reason;
  const ip = checked.value;
  // Forwarding and NAT egress through the gateway are not emulated yet.
  if (ip.dst !== gatewayIp) return 'no-route';
  // Reassembly is the container stack's business; the gateway answers whole datagrams only.
  if (ip.isFragment) return 'unsupported';
  if (ip.protocol !== IpProtocol.ICMP) return 'no-protocol';
  const icmp = IcmpPacket.checked(ip.payload);
  if (!icmp.ok) return icmp.reason;
  if (icmp.value.type !== IcmpType.ECHO_REQUEST || icmp.value.code !== 0) return 'unsupported';
  const data = icmp.value.payload;
  const icmpLength = ICMP_HEADER_LEN + data.length;
  const frame = allocFrame(ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + icmpLength);
  emitEthernetHeader(srcMac, gatewayMac, EtherType.IPV4, frame, 0);
  // Linux answers from its ICMP control socket, whose PMTU mode is IP_PMTUDISC_DONT
  // (net/ipv4/icmp.c, icmp_sk_init): the reply goes out without DF.
  emitIpv4Header(
    {
      src: gatewayIp,
      dst: ip.src,
      protocol: IpProtocol.ICMP,
      ttl: GATEWAY_TTL,
      identification,
      dscp: ip.dscp,
      ecn: 0,
      dontFragment: false,
      moreFragments: false,
      fragmentOffset: 0,
      options: NO_OPTIONS,
    },
    icmpLength,
    frame,
    ETHERNET_HEADER_LEN,
  );
  emitIcmp(
    { kind: 'echo-reply', identifier: icmp.value.identifier, sequence: icmp.value.sequence, payload: data },
    frame,
    ETHERNET_HEADER_LEN + IPV4_HEADER_LEN,
  );
  return frame;
}
