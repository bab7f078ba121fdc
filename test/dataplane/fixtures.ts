/**
 * Shared pieces of the data-plane tests: a sink that records frames, and the frames containers
 * send (ARP requests, pings, a UDP broadcast), built with the wire codecs.
 */
import type { FrameSink } from '../../src/dataplane/link.js';
import { MAC_BROADCAST, macFromIpv4, parseIpv4Address, type Ipv4Addr, type MacAddr } from '../../src/wire/address.js';
import { ArpOperation, ARP_PACKET_LEN, emitArp } from '../../src/wire/arp.js';
import { EtherType } from '../../src/wire/ethernet.js';
import { IpProtocol } from '../../src/wire/ipv4.js';
import { ethernetFrame, icmpMessage, ipv4Datagram, ipv4Frame, ipv4Header, pingPayload, udpDatagram } from '../support/frames.js';

export const ip = parseIpv4Address;

/** Records every frame handed to it, in order. */
export class Recorder implements FrameSink {
  readonly frames: Uint8Array[] = [];
  receiveFrame(frame: Uint8Array): void {
    this.frames.push(frame);
  }
}

/** A broadcast ARP request from (senderIp, its Docker MAC) for `targetIp`. */
export function arpRequest(senderIp: Ipv4Addr, targetIp: Ipv4Addr, senderMac: MacAddr = macFromIpv4(senderIp)): Uint8Array {
  const arp = new Uint8Array(ARP_PACKET_LEN);
  emitArp({ operation: ArpOperation.REQUEST, senderMac, senderIp, targetMac: 0, targetIp }, arp, 0);
  return ethernetFrame(MAC_BROADCAST, senderMac, EtherType.ARP, arp);
}

/** An ICMP echo request between two Docker-style endpoints, with busybox's 56-byte payload. */
export function echoRequest(src: Ipv4Addr, dst: Ipv4Addr, sequence = 1, dstMac: MacAddr = macFromIpv4(dst), payloadLength = 56): Uint8Array {
  const icmp = icmpMessage({ kind: 'echo-request', identifier: 0x1234, sequence, payload: pingPayload(payloadLength) });
  return ethernetFrame(dstMac, macFromIpv4(src), EtherType.IPV4, ipv4Datagram(ipv4Header(src, dst, IpProtocol.ICMP), icmp));
}

/** A UDP datagram to 255.255.255.255 in a broadcast frame. */
export function udpBroadcast(src: Ipv4Addr): Uint8Array {
  const dst = 0xffff_ffff;
  const udp = udpDatagram({ srcPort: 68, dstPort: 67, payload: new Uint8Array(20) }, src, dst);
  return ethernetFrame(MAC_BROADCAST, macFromIpv4(src), EtherType.IPV4, ipv4Datagram(ipv4Header(src, dst, IpProtocol.UDP, { dontFragment: false }), udp));
}

/** A unicast IPv4/UDP frame of exactly `frameLength` bytes. */
export function udpFrameOfLength(src: Ipv4Addr, dst: Ipv4Addr, frameLength: number): Uint8Array {
  const payload = new Uint8Array(frameLength - 14 - 20 - 8);
  return ipv4Frame(ipv4Header(src, dst, IpProtocol.UDP), udpDatagram({ srcPort: 40000, dstPort: 9, payload }, src, dst));
}
