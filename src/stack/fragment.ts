/**
 * Fragmentation of an outgoing datagram (RFC 791 §2.3 and §3.2 "Fragmentation"), as Linux's
 * `ip_do_fragment` cuts a locally built datagram.
 *
 * Contract: every fragment but the last carries the largest multiple of 8 data bytes that fits
 * the MTU after a 20-byte header and has More Fragments set; all share the Identification; the
 * Fragment Offset counts 8-byte units; DF is clear (a datagram is only fragmented when it may be).
 * Each fragment is a fresh Ethernet frame (FrameSink contract) with the destination MAC left zero
 * for the neighbour layer to fill in.
 */
import type { Ipv4Addr, MacAddr } from '../wire/address.js';
import { emitEthernetHeader, EtherType, ETHERNET_HEADER_LEN } from '../wire/ethernet.js';
import { IPV4_FRAG_UNIT, IPV4_HEADER_LEN, writeIpv4Header } from '../wire/ipv4.js';
import { allocFrame } from '../util/frames.js';

/** RFC 791 §3.1: "Every internet module must be able to forward a datagram of 68 octets without further fragmentation." */
export const IPV4_MIN_MTU = 68;

/** Data bytes in each non-final fragment for `mtu`. */
export function fragmentDataSize(mtu: number): number {
  return Math.floor((mtu - IPV4_HEADER_LEN) / IPV4_FRAG_UNIT) * IPV4_FRAG_UNIT;
}

export interface FragmentHeader {
  readonly identification: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
}

/** The frames carrying `payload` (the whole transport-layer datagram) in fragments that fit `mtu`. */
export function buildFragmentFrames(payload: Uint8Array, mtu: number, header: FragmentHeader, srcMac: MacAddr): Uint8Array[] {
  const step = fragmentDataSize(mtu);
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset < payload.length; offset += step) {
    const length = Math.min(step, payload.length - offset);
    const last = offset + length >= payload.length;
    const frame = allocFrame(ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + length);
    emitEthernetHeader(0, srcMac, EtherType.IPV4, frame, 0);
    writeIpv4Header(
      frame,
      ETHERNET_HEADER_LEN,
      IPV4_HEADER_LEN + length,
      header.identification,
      false,
      !last,
      offset,
      header.ttl,
      header.protocol,
      header.src,
      header.dst,
    );
    frame.set(payload.subarray(offset, offset + length), ETHERNET_HEADER_LEN + IPV4_HEADER_LEN);
    frames.push(frame);
  }
  return frames;
}
