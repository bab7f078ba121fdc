/**
 * The container IP stack's public surface, as the host runtime and the userland programs use it.
 * One file holds every boundary type (CONVENTIONS.md: gVisor's "interfaces in one file").
 * Addresses are numbers (src/wire/address.ts); errors a program sees are errno names.
 */
import type { FrameSink } from '../dataplane/link.js';
import type { Ipv4Addr, MacAddr } from '../wire/address.js';

/** What `ip addr` shows of one interface, and what the stack needs to run it. */
export interface InterfaceConfig {
  /** `eth0`, `eth1` … */
  readonly name: string;
  /** The interface index inside the container (`80:` in `80: eth0@if81`). */
  readonly index: number;
  /** The veth peer's index on the host side (`@if81`). */
  readonly peerIndex: number;
  readonly mac: MacAddr;
  /** Layer-3 MTU in bytes (1450 on a default overlay, 1500 on bridges). */
  readonly mtu: number;
  readonly address: Ipv4Addr;
  readonly prefixLength: number;
}

export interface RouteConfig {
  /** Network address (0 with prefix 0 for `default`). */
  readonly destination: Ipv4Addr;
  readonly prefixLength: number;
  /** Next hop; absent for directly connected (`scope link`) routes. */
  readonly gateway?: Ipv4Addr;
  /** Interface name. */
  readonly device: string;
  /** Preferred source address (`src` in `ip route`); connected routes carry the interface's. */
  readonly source?: Ipv4Addr;
}

/** Errors a socket call returns, by errno name (the userland maps them to musl's strerror text). */
export type SocketError = 'ENETUNREACH' | 'EHOSTUNREACH' | 'EMSGSIZE' | 'EADDRINUSE' | 'EINVAL' | 'ENOBUFS' | 'ECONNREFUSED';

/** `IP_MTU_DISCOVER` as Linux has it: `want` = set DF when it fits, fragment otherwise (the
 * default for raw and UDP sockets); `do` = always DF, EMSGSIZE when too big; `dont` = never DF. */
export type PmtuDiscovery = 'want' | 'do' | 'dont';

export interface SendOptions {
  readonly ttl?: number;
  readonly pmtu?: PmtuDiscovery;
}

export type SendResult = 'ok' | SocketError;

export interface UdpSocket {
  readonly address: Ipv4Addr;
  readonly port: number;
  send(payload: Uint8Array, address: Ipv4Addr, port: number, options?: SendOptions): SendResult;
  /** Datagrams for this socket; `payload` is a view the handler may keep. */
  onMessage(handler: (payload: Uint8Array, fromAddress: Ipv4Addr, fromPort: number) => void): void;
  /** ICMP errors about datagrams this socket sent (port unreachable …), like Linux's IP_RECVERR. */
  onError(handler: (error: IcmpErrorReport) => void): void;
  close(): void;
}

/** An echo reply as ping sees it. */
export interface EchoReply {
  readonly from: Ipv4Addr;
  readonly ttl: number;
  readonly identifier: number;
  readonly sequence: number;
  /** The echoed data (a view). */
  readonly payload: Uint8Array;
}

/** An ICMP error received about something this stack sent. */
export interface IcmpErrorReport {
  readonly from: Ipv4Addr;
  readonly type: number;
  readonly code: number;
  /** Next-hop MTU of a fragmentation-needed error, else 0. */
  readonly mtu: number;
  /** Destination of the datagram the error is about. */
  readonly originalDestination: Ipv4Addr;
}

/** The socket ping uses (Linux: a raw ICMP socket): sends echo requests, sees replies and errors. */
export interface IcmpEchoSocket {
  send(address: Ipv4Addr, identifier: number, sequence: number, payload: Uint8Array, options?: SendOptions): SendResult;
  onReply(handler: (reply: EchoReply) => void): void;
  onError(handler: (error: IcmpErrorReport) => void): void;
  close(): void;
}

export interface InterfaceCounters {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  rxDropped: number;
  txDropped: number;
}

/** One interface of a running stack: frames from the link arrive through `receiveFrame`. */
export interface StackInterface extends FrameSink {
  readonly config: InterfaceConfig;
  readonly counters: Readonly<InterfaceCounters>;
}

/** A container's network stack. */
export interface NetStack {
  /** Adds an interface whose transmitted frames go to `link` (the veth towards the bridge),
   * and its connected route (`10.0.1.0/24 dev eth0 scope link src 10.0.1.3`). */
  addInterface(config: InterfaceConfig, link: FrameSink): StackInterface;
  removeInterface(name: string): void;
  addRoute(route: RouteConfig): void;
  interfaces(): readonly StackInterface[];
  routes(): readonly RouteConfig[];
  /** Every frame `lo` carries also goes to `sink` (a capture of the loopback device); undefined stops it. */
  tapLoopback(sink: FrameSink | undefined): void;
  /** `ip addr add IP/32 dev NAME` / `ip addr del`: secondary local addresses (a load balancer's VIPs). */
  addAddress(name: string, address: Ipv4Addr): void;
  removeAddress(name: string, address: Ipv4Addr): void;
  /**
   * Datagrams for local addresses that no socket holds go to `interceptor` first; it returns true
   * when it took one (a load balancer catching every port of its VIPs, as IPVS does).
   */
  setUdpInterceptor(interceptor: ((payload: Uint8Array, src: Ipv4Addr, srcPort: number, dst: Ipv4Addr, dstPort: number) => boolean) | undefined): void;
  /** Binds a UDP socket; port 0 (or absent) picks an ephemeral port (32768–60999, as Linux). */
  openUdp(options?: { readonly address?: Ipv4Addr; readonly port?: number }): UdpSocket | SocketError;
  openIcmpEcho(): IcmpEchoSocket;
  /** Stops every timer and socket. */
  close(): void;
}
