/**
 * The receive path: Ethernet demultiplexing, ARP, and IPv4 input (Linux `ip_rcv`,
 * `ip_local_deliver`), up to the transport layers.
 *
 * Contract of `processFrame(iface, frame)`: never throws on any bytes; every frame it refuses is
 * counted once, under one `DROP_REASONS` reason, and in the interface's `rxDropped`.
 * - Ethernet: accepted when addressed to the interface's MAC or to broadcast (on `lo`: anything);
 *   other unicast and multicast we have not joined are `not-for-us`. ARP and IPv4 are handled;
 *   other EtherTypes and 802.1Q-tagged frames (containers have no VLANs) are `unsupported`.
 * - IPv4 (RFC 1122 §3.2.1): parsed with the codec's checks (version, IHL, checksum, lengths);
 *   link padding past Total Length is trimmed. Accepted destinations: any of our addresses on any
 *   interface (Linux's weak host model), 127/8 on `lo` only (RFC 1122 §3.2.1.3 (g): never from a
 *   wire), the limited broadcast and the receiving subnet's directed broadcast; everything else is
 *   `not-for-us` (a host does not forward).
 * - Fragments go to reassembly; the datagram continues when whole.
 * - Protocols: ICMP and UDP to their layers; TCP is `no-protocol` for now (its stack arrives
 *   later); any other protocol is `no-protocol` and answered with ICMP protocol unreachable
 *   (RFC 1122 §3.2.2.1).
 * Allocation on the UDP and echo-reply paths: the codec's checked views and `view`s (bytes.ts) only.
 */
import { isMulticastMac, MAC_BROADCAST } from '../wire/address.js';
import { parseArp } from '../wire/arp.js';
import { ethernetDst, ethernetTypeOf, EtherType, ETHERNET_HEADER_LEN, ETHERNET_TYPE_OFFSET } from '../wire/ethernet.js';
import { IcmpType, IcmpUnreachableCode } from '../wire/icmp.js';
import { IpProtocol, Ipv4Packet } from '../wire/ipv4.js';
import { readU16, view } from '../wire/bytes.js';
import type { DropCounters, DropReason } from '../util/drop.js';
import type { IcmpLayer } from './icmp.js';
import type { NetInterface } from './interface.js';
import type { Reassembler } from './reassembly.js';
import { isLoopbackAddress, isMulticastAddress, LIMITED_BROADCAST } from './route.js';
import type { UdpLayer } from './udp.js';

export interface InputDevices {
  readonly loopback: NetInterface;
  isLocalAddress(ip: number): boolean;
}

export class Ipv4Input {
  constructor(
    private readonly devices: InputDevices,
    private readonly reassembler: Reassembler,
    private readonly icmp: IcmpLayer,
    private readonly udp: UdpLayer,
    private readonly drops: DropCounters,
  ) {}

  processFrame(iface: NetInterface, frame: Uint8Array): void {
    const reason = this.#processFrame(iface, frame);
    if (reason !== undefined) {
      this.drops.count(reason);
      iface.counters.rxDropped++;
    }
  }

  #processFrame(iface: NetInterface, frame: Uint8Array): DropReason | undefined {
    const dstMac = ethernetDst(frame);
    if (dstMac < 0) return 'truncated';
    const linkBroadcast = dstMac === MAC_BROADCAST;
    if (iface !== this.devices.loopback && dstMac !== iface.mac && !linkBroadcast) return 'not-for-us';
    // An 802.1Q tag reads as EtherType 0x8100 here: containers have no VLAN interfaces.
    const type = readU16(frame, ETHERNET_TYPE_OFFSET);
    if (type === EtherType.IPV4) return this.#processIpv4(iface, view(frame, ETHERNET_HEADER_LEN), linkBroadcast);
    if (type === EtherType.ARP) return this.#processArp(iface, view(frame, ETHERNET_HEADER_LEN));
    return ethernetTypeOf(frame) < 0 ? 'truncated' : 'unsupported';
  }

  #processArp(iface: NetInterface, bytes: Uint8Array): DropReason | undefined {
    if (iface === this.devices.loopback) return 'unsupported';
    const parsed = parseArp(bytes);
    if (!parsed.ok) return parsed.reason;
    const arp = parsed.value;
    // Linux `arp_process`: ARP about loopback or multicast addresses, or from a group MAC, is bogus.
    if (isLoopbackAddress(arp.targetIp) || isMulticastAddress(arp.targetIp)) return 'malformed';
    if (isMulticastMac(arp.senderMac)) return 'malformed';
    iface.neighbours.processArp(arp.operation, arp.senderMac, arp.senderIp, arp.targetIp);
    return undefined;
  }

  #processIpv4(iface: NetInterface, bytes: Uint8Array, linkBroadcast: boolean): DropReason | undefined {
    const checked = Ipv4Packet.checked(bytes);
    if (!checked.ok) return checked.reason;
    const pkt = checked.value;
    const dst = pkt.dst;
    const onLoopback = iface === this.devices.loopback;
    if (isLoopbackAddress(dst) && !onLoopback) return 'not-for-us';
    const ipBroadcast = dst === LIMITED_BROADCAST || dst === iface.broadcast;
    if (!ipBroadcast && !this.devices.isLocalAddress(dst) && !(onLoopback && isLoopbackAddress(dst))) return 'not-for-us';
    const total = pkt.totalLength;
    let datagram = bytes.length > total ? view(bytes, 0, total) : bytes;
    const headerLen = pkt.headerLen;
    if (pkt.isFragment) {
      const whole = this.reassembler.accept(
        datagram,
        headerLen,
        pkt.src,
        dst,
        pkt.protocol,
        pkt.identification,
        pkt.fragmentOffset,
        pkt.moreFragments,
      );
      // Counted by the reassembler when refused; otherwise held until complete.
      if (whole === null) return undefined;
      datagram = whole;
    }
    return this.#deliver(datagram, headerLen, pkt.src, dst, pkt.ttl, pkt.protocol, ipBroadcast, linkBroadcast);
  }

  #deliver(
    datagram: Uint8Array,
    headerLen: number,
    src: number,
    dst: number,
    ttl: number,
    protocol: number,
    ipBroadcast: boolean,
    linkBroadcast: boolean,
  ): DropReason | undefined {
    switch (protocol) {
      case IpProtocol.UDP:
        return this.udp.process(datagram, headerLen, src, dst, ipBroadcast, linkBroadcast);
      case IpProtocol.ICMP:
        return this.icmp.process(datagram, headerLen, src, dst, ttl, ipBroadcast || linkBroadcast);
      case IpProtocol.TCP:
        return 'no-protocol';
      default:
        this.icmp.sendError(datagram, IcmpType.DEST_UNREACHABLE, IcmpUnreachableCode.PROTOCOL, 0, linkBroadcast, ipBroadcast);
        return 'no-protocol';
    }
  }
}
