/**
 * IPv4 output (Linux `ip_route_output` + `ip_make_skb` + `ip_finish_output2`): route, source
 * address, Don't-Fragment, Identification, fragmentation, and hand-off to the neighbour layer.
 *
 * Contract of `send`:
 * - Destinations that are local addresses or in 127/8 go through `lo` (Linux's `local` table),
 *   with source 127.0.0.1 for 127/8 and the destination itself for a local address.
 * - Otherwise the longest-prefix route decides the device and next hop (its gateway, or the
 *   destination when directly connected); no route → ENETUNREACH, counted as `no-route`. The
 *   source is the route's `src`, else the device's address, unless the socket is bound to one;
 *   a loopback source may not leave through another device (Linux `__mkroute_output`: EINVAL).
 * - DF per `PmtuDiscovery` (Linux `__ip_make_skb`): `do` always sets DF and a datagram larger
 *   than the device MTU fails with EMSGSIZE (counted `frag-needed`; `lastMtu` holds the MTU for
 *   the caller's error report, as `ip_local_error` puts it in `ee_info`); `want` sets DF when the
 *   datagram fits and fragments it without DF otherwise; `dont` never sets DF.
 * - Identification: 0 on DF datagrams, as Linux gives unconnected sockets (`ip_select_ident_segs`);
 *   otherwise a per-stack counter from a random start (the fragments' shared ID).
 * - Limited and directed broadcasts go to ff:ff:ff:ff:ff:ff, multicast to its RFC 1112 §6.4 MAC;
 *   unicast through the device's neighbour cache (EHOSTUNREACH while the next hop is FAILED).
 * - The transport writer puts its header and data at `offset` in the frame: one buffer per frame,
 *   no intermediate copies, except when fragmenting (the datagram is built whole, then cut).
 */
import type { Ipv4Addr } from '../wire/address.js';
import { MAC_BROADCAST } from '../wire/address.js';
import { writeU48 } from '../wire/bytes.js';
import { EtherType, ETHERNET_DST_OFFSET, ETHERNET_HEADER_LEN, writeEthernetHeader } from '../wire/ethernet.js';
import { IPV4_HEADER_LEN, IPV4_MAX_PACKET_LEN, writeIpv4Header } from '../wire/ipv4.js';
import type { DropCounters } from '../util/drop.js';
import type { Rng } from '../util/rng.js';
import { buildFragmentFrames } from './fragment.js';
import type { NetInterface } from './interface.js';
import { LOOPBACK_ADDRESS } from './loopback.js';
import { isLoopbackAddress, isMulticastAddress, LIMITED_BROADCAST, type RouteTable } from './route.js';
import type { PmtuDiscovery, SendResult } from './types.js';
import { allocFrame } from '../util/frames.js';

/** Linux's default TTL (`net.ipv4.ip_default_ttl`), and what busybox ping shows in replies. */
export const DEFAULT_TTL = 64;

/** Writes the transport header and data of a `length`-byte payload at `out[offset..]`. */
export type TransportWriter = (out: Uint8Array, offset: number, src: Ipv4Addr, dst: Ipv4Addr) => void;

/** What output needs from the stack's composition. */
export interface OutputDevices {
  readonly loopback: NetInterface;
  interfaceByName(name: string): NetInterface | undefined;
  /** A configured address of any interface (not the whole of 127/8). */
  isLocalAddress(ip: Ipv4Addr): boolean;
}

/** The RFC 1112 §6.4 Ethernet address of an IPv4 multicast group: 01:00:5e + low 23 bits. */
function multicastMac(group: Ipv4Addr): number {
  return 0x01_00_5e_00_00_00 + (group & 0x7f_ffff);
}

export class Ipv4Output {
  #nextId: number;
  /** The MTU behind the last EMSGSIZE (0 when the datagram exceeded the IPv4 maximum). */
  lastMtu = 0;
  /** Interface and next hop chosen by the last successful `select`. */
  #iface!: NetInterface;
  #nextHop = 0;
  #source = 0;

  constructor(
    private readonly routes: RouteTable,
    private readonly devices: OutputDevices,
    private readonly drops: DropCounters,
    rng: Rng,
  ) {
    this.#nextId = rng.int(0, 0xffff);
  }

  /**
   * The source address a datagram to `dst` would carry, or -1 with no route (nothing counted):
   * what UDP needs before it can checksum, and what `ip route get` prints.
   */
  sourceFor(dst: Ipv4Addr): number {
    return this.#select(dst) ? this.#source : -1;
  }

  send(
    protocol: number,
    boundSource: Ipv4Addr,
    dst: Ipv4Addr,
    ttl: number,
    pmtu: PmtuDiscovery,
    payloadLength: number,
    write: TransportWriter,
  ): SendResult {
    if (!this.#select(dst)) {
      this.drops.count('no-route');
      return 'ENETUNREACH';
    }
    const iface = this.#iface;
    const src = boundSource !== 0 ? boundSource : this.#source;
    if (isLoopbackAddress(src) && iface !== this.devices.loopback) return 'EINVAL';
    const total = IPV4_HEADER_LEN + payloadLength;
    if (total > IPV4_MAX_PACKET_LEN) {
      this.lastMtu = 0;
      return 'EMSGSIZE';
    }
    const fits = total <= iface.mtu;
    if (!fits && pmtu === 'do') {
      this.drops.count('frag-needed');
      this.lastMtu = iface.mtu;
      return 'EMSGSIZE';
    }
    const dstMac = this.#linkDestination(iface, dst);
    const nextHop = this.#nextHop;
    if (dstMac < 0 && iface.neighbours.isFailed(nextHop)) return 'EHOSTUNREACH';

    if (fits) {
      const dontFragment = pmtu !== 'dont';
      const id = dontFragment ? 0 : this.#takeId();
      const frame = allocFrame(ETHERNET_HEADER_LEN + total);
      writeEthernetHeader(frame, 0, 0, iface.mac, EtherType.IPV4);
      writeIpv4Header(frame, ETHERNET_HEADER_LEN, total, id, dontFragment, false, 0, ttl, protocol, src, dst);
      write(frame, ETHERNET_HEADER_LEN + IPV4_HEADER_LEN, src, dst);
      return this.#emit(iface, dstMac, nextHop, frame);
    }
    const datagram = Buffer.allocUnsafe(payloadLength);
    write(datagram, 0, src, dst);
    const frames = buildFragmentFrames(datagram, iface.mtu, { identification: this.#takeId(), ttl, protocol, src, dst }, iface.mac);
    let result: SendResult = 'ok';
    for (const frame of frames) {
      const r = this.#emit(iface, dstMac, nextHop, frame);
      if (r !== 'ok') result = r;
    }
    return result;
  }

  /** Chooses device, next hop and source for `dst`; false when there is no route. */
  #select(dst: Ipv4Addr): boolean {
    const devices = this.devices;
    if (isLoopbackAddress(dst) || devices.isLocalAddress(dst)) {
      this.#iface = devices.loopback;
      this.#nextHop = dst;
      this.#source = isLoopbackAddress(dst) ? LOOPBACK_ADDRESS : dst;
      return true;
    }
    const route = this.routes.lookup(dst);
    const iface = route === undefined ? undefined : devices.interfaceByName(route.device);
    if (route === undefined || iface === undefined) return false;
    this.#iface = iface;
    this.#nextHop = route.gateway ?? dst;
    this.#source = route.source ?? iface.address;
    return true;
  }

  /** The destination MAC when no neighbour lookup is needed (lo, broadcast, multicast), else -1. */
  #linkDestination(iface: NetInterface, dst: Ipv4Addr): number {
    if (iface === this.devices.loopback) return 0;
    if (dst === LIMITED_BROADCAST || dst === iface.broadcast) return MAC_BROADCAST;
    if (isMulticastAddress(dst)) return multicastMac(dst);
    return -1;
  }

  #emit(iface: NetInterface, dstMac: number, nextHop: Ipv4Addr, frame: Uint8Array): SendResult {
    if (dstMac < 0) return iface.neighbours.output(nextHop, frame);
    writeU48(frame, ETHERNET_DST_OFFSET, dstMac);
    iface.transmit(frame);
    return 'ok';
  }

  #takeId(): number {
    const id = this.#nextId;
    this.#nextId = (id + 1) & 0xffff;
    return id;
  }
}
