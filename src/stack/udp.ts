/**
 * UDP (RFC 768) sockets and their port table, after Linux's `net/ipv4/udp.c`.
 *
 * Contract:
 * - Bind: the address must be 0 (any), one of ours, or in 127/8 (what `lo`'s /8 makes local;
 *   the embedded DNS binds 127.0.0.11), else EINVAL. A (address, port) pair is bound at most once,
 *   and a wildcard binding conflicts with every binding of its port and vice versa (Linux without
 *   SO_REUSEADDR): EADDRINUSE. Port 0 picks an ephemeral port in 32768–60999
 *   (`ip_local_port_range`) from a random start, probing upwards, as `udp_lib_get_port` does.
 * - Receive: the datagram is checked with the codec (length, checksum → drop reason), matched
 *   exactly on (destination, port), then on the port's wildcard socket; the payload handed to the
 *   socket is a view of the frame (no copy). No socket: `no-socket`, and ICMP port unreachable
 *   unless the datagram was a broadcast (RFC 1122 §4.1.3.1, §3.2.2).
 * - Send: TTL 64 and PMTU discovery `want` by default; payloads beyond 65 507 bytes are EMSGSIZE;
 *   with `do`, an oversized datagram fails with EMSGSIZE and a frag-needed report reaches the
 *   socket's `onError` (Linux `ip_local_error`). Port 0 as destination is EINVAL (Linux).
 * - Errors: ICMP errors quoting a datagram the socket sent reach its `onError` (IP_RECVERR).
 */
import type { Ipv4Addr } from '../wire/address.js';
import { view } from '../wire/bytes.js';
import { IcmpType, IcmpUnreachableCode } from '../wire/icmp.js';
import { IpProtocol } from '../wire/ipv4.js';
import { UDP_HEADER_LEN, UdpPacket, writeUdpHeader } from '../wire/udp.js';
import type { DropReason } from '../util/drop.js';
import { InvalidArgumentError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { checkTtl, localFragNeeded, type IcmpLayer } from './icmp.js';
import { DEFAULT_TTL, type Ipv4Output } from './ipv4-output.js';
import { LOOPBACK_ADDRESS } from './loopback.js';
import { isLoopbackAddress } from './route.js';
import type { IcmpErrorReport, SendOptions, SendResult, SocketError, UdpSocket } from './types.js';

/** Linux's default `net.ipv4.ip_local_port_range`. */
export const EPHEMERAL_PORT_MIN = 32768;
export const EPHEMERAL_PORT_MAX = 60999;
/** Open UDP sockets per stack (Linux bounds them by the fd limit; 1024 is the default soft limit). */
export const UDP_SOCKETS_MAX = 1024;

export interface UdpDevices {
  isLocalAddress(ip: Ipv4Addr): boolean;
}

/** Bind-table key: an IPv4 address and a port in one exact number (48 bits). */
function bindKey(address: Ipv4Addr, port: number): number {
  return address * 0x1_0000 + port;
}

/** What `#writeDatagram` is writing: set by `send` just before the output path calls it. */
const NO_PAYLOAD: Uint8Array = new Uint8Array(0);

/** Sees a datagram no socket holds: (payload, source, source port, destination, port). */
export type UdpInterceptor = (payload: Uint8Array, src: Ipv4Addr, srcPort: number, dst: Ipv4Addr, dstPort: number) => boolean;

export class UdpLayer {
  readonly #bound = new Map<number, BoundUdpSocket>();
  /** How many sockets hold each port (any address). */
  readonly #portUsers = new Map<number, number>();
  // The datagram `send` is building. Output calls the writer before it transmits anything (and
  // so before any synchronous delivery could re-enter `send`), so one writer, made once, serves
  // every send: no closure per datagram.
  #txPayload = NO_PAYLOAD;
  #txSrcPort = 0;
  #txDstPort = 0;
  readonly #writeDatagram = (out: Uint8Array, o: number, src: Ipv4Addr, dst: Ipv4Addr): void => {
    const payload = this.#txPayload;
    writeUdpHeader(out, o, this.#txSrcPort, this.#txDstPort, payload, src, dst);
    out.set(payload, o + UDP_HEADER_LEN);
  };

  constructor(
    private readonly output: Ipv4Output,
    private readonly icmp: IcmpLayer,
    private readonly devices: UdpDevices,
    private readonly rng: Rng,
  ) {}

  open(address: Ipv4Addr = 0, port = 0): UdpSocket | SocketError {
    if (!Number.isInteger(address) || address < 0 || address > 0xffff_ffff) {
      throw new InvalidArgumentError(`UDP bind address out of range 0..2^32-1: ${address}`);
    }
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
      throw new InvalidArgumentError(`UDP port out of range 0..65535: ${port}`);
    }
    if (address !== 0 && !isLoopbackAddress(address) && !this.devices.isLocalAddress(address)) return 'EINVAL';
    if (this.#bound.size >= UDP_SOCKETS_MAX) return 'ENOBUFS';
    if (port === 0) {
      const picked = this.#pickEphemeral(address);
      if (picked < 0) return 'EADDRINUSE';
      port = picked;
    } else if (this.#conflicts(address, port)) {
      return 'EADDRINUSE';
    }
    const socket = new BoundUdpSocket(this, address, port);
    this.#bound.set(bindKey(address, port), socket);
    this.#portUsers.set(port, (this.#portUsers.get(port) ?? 0) + 1);
    return socket;
  }

  /**
   * Takes datagrams for local addresses that no socket holds (a load balancer's VIPs on any
   * port, as IPVS catches them before the socket lookup); true when it took the datagram.
   */
  interceptor: UdpInterceptor | undefined;

  /** A UDP datagram delivered to us; returns the drop reason, or undefined when consumed. */
  process(
    datagram: Uint8Array,
    headerLen: number,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    ipBroadcast: boolean,
    linkBroadcast: boolean,
  ): DropReason | undefined {
    const checked = UdpPacket.checked(view(datagram, headerLen), src, dst);
    if (!checked.ok) return checked.reason;
    const udp = checked.value;
    const port = udp.dstPort;
    const socket = this.#bound.get(bindKey(dst, port)) ?? this.#bound.get(port);
    if (socket === undefined) {
      if (this.interceptor?.(udp.payload, src, udp.srcPort, dst, port) === true) return undefined;
      this.icmp.sendError(datagram, IcmpType.DEST_UNREACHABLE, IcmpUnreachableCode.PORT, 0, linkBroadcast, ipBroadcast);
      return 'no-socket';
    }
    socket.deliver(udp.payload, src, udp.srcPort);
    return undefined;
  }

  /** An ICMP error about a datagram sent from (address, port); false when no socket holds it. */
  deliverError(address: Ipv4Addr, port: number, report: IcmpErrorReport): boolean {
    const socket = this.#bound.get(bindKey(address, port)) ?? this.#bound.get(port);
    if (socket === undefined) return false;
    socket.deliverError(report);
    return true;
  }

  send(socket: BoundUdpSocket, payload: Uint8Array, address: Ipv4Addr, port: number, options: SendOptions | undefined): SendResult {
    if (!Number.isInteger(port) || port < 1 || port > 0xffff || !checkTtl(options?.ttl)) return 'EINVAL';
    // Linux `ip_route_output_key_hash_rcu`: a destination of 0.0.0.0 means this host.
    const dst = address === 0 ? (socket.address || LOOPBACK_ADDRESS) : address;
    const output = this.output;
    this.#txPayload = payload;
    this.#txSrcPort = socket.port;
    this.#txDstPort = port;
    const result = output.send(
      IpProtocol.UDP,
      socket.address,
      dst,
      options?.ttl ?? DEFAULT_TTL,
      options?.pmtu ?? 'want',
      UDP_HEADER_LEN + payload.length,
      this.#writeDatagram,
    );
    this.#txPayload = NO_PAYLOAD; // not kept alive by the layer
    if (result === 'EMSGSIZE' && output.lastMtu > 0) socket.deliverError(localFragNeeded(output, dst));
    return result;
  }

  unbind(socket: BoundUdpSocket): void {
    const key = bindKey(socket.address, socket.port);
    if (this.#bound.get(key) !== socket) return;
    this.#bound.delete(key);
    const users = (this.#portUsers.get(socket.port) ?? 1) - 1;
    if (users === 0) this.#portUsers.delete(socket.port);
    else this.#portUsers.set(socket.port, users);
  }

  close(): void {
    for (const s of [...this.#bound.values()]) s.close();
  }

  #conflicts(address: Ipv4Addr, port: number): boolean {
    if (address === 0) return this.#portUsers.has(port);
    return this.#bound.has(bindKey(address, port)) || this.#bound.has(bindKey(0, port));
  }

  #pickEphemeral(address: Ipv4Addr): number {
    const span = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
    const start = this.rng.int(0, span - 1);
    for (let i = 0; i < span; i++) {
      const port = EPHEMERAL_PORT_MIN + ((start + i) % span);
      if (!this.#conflicts(address, port)) return port;
    }
    return -1;
  }
}

export class BoundUdpSocket implements UdpSocket {
  #onMessage: ((payload: Uint8Array, fromAddress: Ipv4Addr, fromPort: number) => void) | null = null;
  #onError: ((error: IcmpErrorReport) => void) | null = null;
  #closed = false;

  constructor(
    private readonly layer: UdpLayer,
    readonly address: Ipv4Addr,
    readonly port: number,
  ) {}

  send(payload: Uint8Array, address: Ipv4Addr, port: number, options?: SendOptions): SendResult {
    if (this.#closed) return 'EINVAL';
    return this.layer.send(this, payload, address, port, options);
  }

  onMessage(handler: (payload: Uint8Array, fromAddress: Ipv4Addr, fromPort: number) => void): void {
    this.#onMessage = handler;
  }

  onError(handler: (error: IcmpErrorReport) => void): void {
    this.#onError = handler;
  }

  deliver(payload: Uint8Array, from: Ipv4Addr, fromPort: number): void {
    this.#onMessage?.(payload, from, fromPort);
  }

  deliverError(report: IcmpErrorReport): void {
    this.#onError?.(report);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.layer.unbind(this);
  }
}
