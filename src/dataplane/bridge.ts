/**
 * One Linux bridge: `br0` of an overlay sandbox (with its vxlan port as the uplink), `docker0`
 * (the `bridge` network) or `docker_gwbridge`.
 *
 * Contract:
 * - Ports are containers' veths with static MACs (Docker endpoints have fixed MACs): `addPort`
 *   returns the sink the container transmits into; frames for the container go to the sink it
 *   gave. There is no learning, and no flooding across the tunnel (reference §1.5): Docker
 *   programs no all-zeros FDB entry, so broadcast and unknown unicast never reach a remote host.
 * - Forwarding a frame a container sent, in order: bigger than `mtu + 14` → `too-big` (a bridge
 *   does not fragment); broadcast/multicast → every other local port, and an ARP request is taken
 *   by the vxlan `proxy` (answered from the PeerTable's neighbour entries) or by the gateway (for
 *   its own IP); any other broadcast counts `not-flooded` once when a tunnel exists; the gateway
 *   MAC → the gateway responder; a local port's MAC → that port; a MAC in the PeerTable →
 *   `uplink.transmit`; otherwise `no-fdb-entry`.
 * - `receiveFromTunnel` takes frames decapsulated for this network and delivers them to the local
 *   port (or the gateway) owning the destination MAC, never back to the tunnel.
 * - Delivery is synchronous (link.ts): an answer the bridge makes (proxy ARP, gateway echo) reaches
 *   the requester inside the requester's own `receiveFrame` call.
 * - Per-port counters are kept from the bridge port's side, as `ip -s link` on the host-side veth
 *   shows them: rx = frames the container sent, tx = frames delivered to it.
 * - The ARP proxy follows Linux `arp_reduce`: every ARP request the vxlan port sees is consumed
 *   there (answered when the neighbour table knows the IP), so ARP never counts as `not-flooded`.
 */
import type { Clock } from '../util/clock.js';
import type { DropCounters } from '../util/drop.js';
import { InvalidArgumentError } from '../util/errors.js';
import { assertIpv4, assertMac, formatMac, type Ipv4Addr, type MacAddr } from '../wire/address.js';
import { readU16, readU48 } from '../wire/bytes.js';
import { ETHERNET_HEADER_LEN, ETHERNET_TYPE_OFFSET, EtherType } from '../wire/ethernet.js';
import type { FrameSink } from './link.js';
import type { PeerTable } from './peer-table.js';
import { arpReplyFrame, arpRequestOf, gatewayIpv4Answer } from './responder.js';

/**
 * Ports one bridge takes: Linux's `BR_MAX_PORTS` (1 << BR_PORT_BITS = 1024, net/bridge/br_private.h).
 */
export const BRIDGE_MAX_PORTS = 1024;
/** Largest MTU a bridge accepts (Linux `IP_MAX_MTU`). */
export const BRIDGE_MAX_MTU = 0xffff;
/** Smallest MTU (IPv4's minimum datagram, RFC 791 §3.1; Linux `ETH_MIN_MTU` is 68). */
export const BRIDGE_MIN_MTU = 68;

/** The tunnel behind a bridge: the network's peers and the VTEP that sends to them. */
export interface BridgeUplink {
  readonly peers: PeerTable;
  /** Sends `frame` (immutable from here on) to a remote VTEP. */
  transmit(frame: Uint8Array, vtepAddress: string, vtepPort: number): void;
}

export interface BridgeOptions {
  /** `br0`, `docker0`, `docker_gwbridge`. */
  readonly name: string;
  /** Layer-3 MTU of the ports (1450 on a default overlay, 1500 on local bridges). */
  readonly mtu: number;
  /** The address the bridge device itself carries (the subnet gateway). */
  readonly gateway?: { readonly ip: Ipv4Addr; readonly mac: MacAddr };
  /** The host's drop counters. */
  readonly drops: DropCounters;
  /** Reserved for neighbour aging once the gateway routes (NAT egress). */
  readonly clock?: Clock;
}

/** One port's traffic, from the bridge's side of the veth. */
export interface PortStats {
  readonly name: string;
  readonly mac: MacAddr;
  /** Frames and bytes the container transmitted into the bridge. */
  readonly rxFrames: number;
  readonly rxBytes: number;
  /** Frames and bytes the bridge delivered to the container. */
  readonly txFrames: number;
  readonly txBytes: number;
}

class BridgePort implements FrameSink {
  rxFrames = 0;
  rxBytes = 0;
  txFrames = 0;
  txBytes = 0;
  attached = true;

  constructor(
    readonly bridge: Bridge,
    readonly name: string,
    readonly mac: MacAddr,
    readonly toContainer: FrameSink,
  ) {}

  /** The container transmitted `frame` on its veth. */
  receiveFrame(frame: Uint8Array): void {
    this.bridge.forwardFromPort(this, frame);
  }

  deliver(frame: Uint8Array): void {
    this.txFrames++;
    this.txBytes += frame.length;
    this.toContainer.receiveFrame(frame);
  }

  stats(): PortStats {
    const { name, mac, rxFrames, rxBytes, txFrames, txBytes } = this;
    return { name, mac, rxFrames, rxBytes, txFrames, txBytes };
  }
}

export class Bridge {
  readonly name: string;
  readonly mtu: number;
  readonly gatewayIp: Ipv4Addr | undefined;
  /** -1 when the bridge carries no address. */
  readonly gatewayMac: MacAddr;
  private readonly drops: DropCounters;
  /** Largest frame a port carries: the MTU plus the Ethernet header. */
  private readonly maxFrame: number;
  private readonly portsByMac = new Map<MacAddr, BridgePort>();
  private readonly portsByName = new Map<string, BridgePort>();
  /** Flooding order (insertion order), kept as an array so flooding allocates nothing. */
  private portList: BridgePort[] = [];
  private uplink: BridgeUplink | undefined;
  /** IPv4 identification of the gateway's datagrams (Linux increments per destination; one is enough). */
  private gatewayIpId = 0;

  constructor(opts: BridgeOptions) {
    if (typeof opts.name !== 'string' || opts.name.length === 0) throw new InvalidArgumentError('bridge name must be a non-empty string');
    if (!Number.isInteger(opts.mtu) || opts.mtu < BRIDGE_MIN_MTU || opts.mtu > BRIDGE_MAX_MTU) {
      throw new InvalidArgumentError(`bridge MTU out of range ${BRIDGE_MIN_MTU}..${BRIDGE_MAX_MTU}: ${opts.mtu}`);
    }
    if (opts.gateway !== undefined) {
      assertIpv4('gateway IPv4 address', opts.gateway.ip);
      assertMac('gateway MAC', opts.gateway.mac);
    }
    this.name = opts.name;
    this.mtu = opts.mtu;
    this.maxFrame = opts.mtu + ETHERNET_HEADER_LEN;
    this.gatewayIp = opts.gateway?.ip;
    this.gatewayMac = opts.gateway?.mac ?? -1;
    this.drops = opts.drops;
  }

  /** Attaches a container's veth; returns the sink the container transmits into. */
  addPort(name: string, mac: MacAddr, toContainer: FrameSink): FrameSink {
    assertMac('port MAC', mac);
    if ((Math.floor(mac / 0x100_0000_0000) & 1) === 1) throw new InvalidArgumentError(`port MAC must be unicast: ${formatMac(mac)}`);
    if (this.portsByName.has(name)) throw new InvalidArgumentError(`bridge ${this.name} already has a port named ${name}`);
    if (this.portsByMac.has(mac) || mac === this.gatewayMac) {
      throw new InvalidArgumentError(`MAC ${formatMac(mac)} is already in use on bridge ${this.name}`);
    }
    if (this.portList.length >= BRIDGE_MAX_PORTS) throw new InvalidArgumentError(`bridge ${this.name} has ${BRIDGE_MAX_PORTS} ports already`);
    const port = new BridgePort(this, name, mac, toContainer);
    this.portsByName.set(name, port);
    this.portsByMac.set(mac, port);
    this.portList = [...this.portList, port];
    return port;
  }

  /** Detaches a port; frames its container sends afterwards are dropped. Returns false if unknown. */
  removePort(name: string): boolean {
    const port = this.portsByName.get(name);
    if (port === undefined) return false;
    port.attached = false;
    this.portsByName.delete(name);
    this.portsByMac.delete(port.mac);
    // A new array, so a flood in progress keeps iterating the list it started with.
    this.portList = this.portList.filter((p) => p !== port);
    return true;
  }

  /** Connects (or, with undefined, disconnects) the network's vxlan port. */
  setUplink(uplink: BridgeUplink | undefined): void {
    this.uplink = uplink;
  }

  get hasUplink(): boolean {
    return this.uplink !== undefined;
  }

  portStats(name: string): PortStats | undefined {
    return this.portsByName.get(name)?.stats();
  }

  ports(): readonly PortStats[] {
    return this.portList.map((p) => p.stats());
  }

  /** A frame the container behind `port` transmitted (called through the port's sink). */
  forwardFromPort(port: BridgePort, frame: Uint8Array): void {
    if (!port.attached) {
      this.drops.count('not-for-us');
      return;
    }
    if (frame.length < ETHERNET_HEADER_LEN) {
      this.drops.count('truncated');
      return;
    }
    if (frame.length > this.maxFrame) {
      this.drops.count('too-big');
      return;
    }
    port.rxFrames++;
    port.rxBytes += frame.length;
    const dst = readU48(frame, 0);
    if ((frame[0] & 1) === 1) {
      this.flood(port, frame);
      return;
    }
    this.forwardUnicast(port, dst, frame);
  }

  /** A frame decapsulated for this network by the VTEP. */
  receiveFromTunnel(frame: Uint8Array): void {
    if (frame.length < ETHERNET_HEADER_LEN) {
      this.drops.count('truncated');
      return;
    }
    if (frame.length > this.maxFrame) {
      this.drops.count('too-big');
      return;
    }
    if ((frame[0] & 1) === 1) {
      // A remote VTEP never floods to us in Docker's overlay; one that does is not listened to.
      this.drops.count('not-flooded');
      return;
    }
    const dst = readU48(frame, 0);
    const port = this.portsByMac.get(dst);
    if (port !== undefined) {
      port.deliver(frame);
    } else if (dst === this.gatewayMac) {
      this.answerGateway(frame);
    } else {
      this.drops.count('no-fdb-entry');
    }
  }

  /** Unicast from a port, or from the gateway itself (`from` undefined). */
  private forwardUnicast(from: BridgePort | undefined, dst: MacAddr, frame: Uint8Array): void {
    const port = this.portsByMac.get(dst);
    if (port !== undefined) {
      // A bridge never sends a frame back out of the port it came in on (no hairpin mode).
      if (port === from) this.drops.count('not-for-us');
      else port.deliver(frame);
      return;
    }
    if (dst === this.gatewayMac) {
      if (from !== undefined) this.answerGateway(frame);
      return;
    }
    const uplink = this.uplink;
    const vtep = uplink?.peers.vtepForMac(dst);
    if (uplink !== undefined && vtep !== undefined) {
      uplink.transmit(frame, vtep.address, vtep.port);
      return;
    }
    this.drops.count('no-fdb-entry');
  }

  /** Broadcast or multicast from a port: local ports, the gateway, and the vxlan port's proxy. */
  private flood(from: BridgePort, frame: Uint8Array): void {
    const ports = this.portList;
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i];
      if (p !== from && p.attached) p.deliver(frame);
    }
    if (readU16(frame, ETHERNET_TYPE_OFFSET) === EtherType.ARP) {
      this.answerArpRequest(frame);
      return;
    }
    if (this.uplink !== undefined) this.drops.count('not-flooded');
  }

  /** The gateway's and the vxlan proxy's view of a broadcast ARP request. */
  private answerArpRequest(frame: Uint8Array): void {
    const request = arpRequestOf(frame.subarray(ETHERNET_HEADER_LEN));
    if (request === undefined) return;
    const target = request.targetIp;
    let answerMac: number | undefined;
    if (target === this.gatewayIp) answerMac = this.gatewayMac;
    else if (this.uplink !== undefined) answerMac = this.uplink.peers.macForIp(target);
    if (answerMac === undefined) return;
    // Linux arp_reduce and arp_process both answer the sender hardware address in the ARP body.
    const reply = arpReplyFrame(request, target, answerMac);
    this.forwardUnicast(undefined, request.senderMac, reply);
  }

  /** A unicast frame for the bridge's own MAC: what the host stack behind br0 does with it. */
  private answerGateway(frame: Uint8Array): void {
    const gatewayIp = this.gatewayIp;
    if (gatewayIp === undefined) return;
    const type = readU16(frame, ETHERNET_TYPE_OFFSET);
    const src = readU48(frame, 6);
    if (type === EtherType.ARP) {
      // A unicast ARP request (a neighbour's reachability probe, RFC 1122 §2.3.2.1) is answered too.
      const request = arpRequestOf(frame.subarray(ETHERNET_HEADER_LEN));
      if (request !== undefined && request.targetIp === gatewayIp) {
        this.forwardUnicast(undefined, request.senderMac, arpReplyFrame(request, gatewayIp, this.gatewayMac));
      }
      return;
    }
    if (type !== EtherType.IPV4) {
      this.drops.count('unsupported');
      return;
    }
    this.gatewayIpId = (this.gatewayIpId + 1) & 0xffff;
    const answer = gatewayIpv4Answer(frame.subarray(ETHERNET_HEADER_LEN), src, gatewayIp, this.gatewayMac, this.gatewayIpId);
    if (typeof answer === 'string') {
      this.drops.count(answer);
      return;
    }
    this.forwardUnicast(undefined, src, answer);
  }
}
