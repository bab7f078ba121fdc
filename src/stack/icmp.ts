/**
 * ICMP (RFC 792) in the container stack: the echo responder, echo sockets (what busybox ping
 * opens: a raw ICMP socket), sending errors, and handing received errors to the socket whose
 * datagram caused them.
 *
 * Contract:
 * - Echo requests to one of our addresses are answered from that address with the data echoed
 *   (RFC 1122 §3.2.2.6), TTL 64 and DF clear (Linux's ICMP control socket uses IP_PMTUDISC_DONT).
 *   Requests to a broadcast are not answered (`icmp_echo_ignore_broadcasts` = 1; `not-for-us`).
 * - Echo replies go to every open echo socket, as a raw socket sees every ICMP message; ping
 *   filters on its identifier. The reply's payload is a view of the received frame.
 * - Received Destination Unreachable / Time Exceeded errors are matched on the quoted datagram
 *   (`parseIcmpQuote`): UDP by the quoted source address and port (`deliverUdpError`), ICMP to
 *   every echo socket. Fragmentation Needed carries its next-hop MTU (RFC 1191 §4).
 * - `sendError` applies RFC 1122 §3.2.2: never about an ICMP error, a datagram to a broadcast or
 *   multicast address or sent as a link-layer broadcast, a non-initial fragment, or one whose
 *   source is not a unicast host. The error quotes what `icmpErrorQuote` picks (≤ 576 bytes in
 *   all) and leaves from the offending datagram's destination when that is ours (Linux
 *   `icmp_send`), else from the address routing picks: so an error about our own datagram (ARP
 *   failure, Linux `arp_error_report`) travels to us over `lo` and reaches the sending socket.
 */
import type { Ipv4Addr } from '../wire/address.js';
import { readU16, readU32, view } from '../wire/bytes.js';
import {
  emitIcmp,
  ICMP_HEADER_LEN,
  IcmpPacket,
  IcmpType,
  IcmpUnreachableCode,
  icmpErrorQuote,
  parseIcmpQuote,
} from '../wire/icmp.js';
import { IpProtocol, IPV4_DST_OFFSET, IPV4_FLAGS_FRAG_OFFSET, IPV4_FRAG_OFFSET_MASK, IPV4_PROTOCOL_OFFSET, IPV4_SRC_OFFSET } from '../wire/ipv4.js';
import type { DropReason } from '../util/drop.js';
import { InvalidArgumentError } from '../util/errors.js';
import { DEFAULT_TTL, type Ipv4Output } from './ipv4-output.js';
import { isLoopbackAddress, isMulticastAddress, LIMITED_BROADCAST } from './route.js';
import type { EchoReply, IcmpEchoSocket, IcmpErrorReport, SendOptions, SendResult } from './types.js';

/** Linux `NR_ICMP_TYPES`: types above it are treated as errors when deciding not to answer. */
const NR_ICMP_TYPES = 18;
/** RFC 1122 §3.2.2: the ICMP types that are error messages (Linux `icmp_pointers[].error`). */
const ERROR_TYPES = new Set<number>([
  IcmpType.DEST_UNREACHABLE,
  IcmpType.SOURCE_QUENCH,
  IcmpType.REDIRECT,
  IcmpType.TIME_EXCEEDED,
  IcmpType.PARAMETER_PROBLEM,
]);
/** Open echo sockets per stack (each is a raw socket in Linux, bounded by the fd limit). */
export const ECHO_SOCKETS_MAX = 1024;

export interface IcmpDevices {
  isLocalAddress(ip: Ipv4Addr): boolean;
}

/** Delivers an error about a UDP datagram to the socket bound to (address, port); false if none. */
export type UdpErrorSink = (localAddress: Ipv4Addr, localPort: number, report: IcmpErrorReport) => boolean;

export function checkTtl(ttl: number | undefined): boolean {
  return ttl === undefined || (Number.isInteger(ttl) && ttl >= 1 && ttl <= 255);
}

export class IcmpLayer {
  readonly #echoSockets = new Set<EchoSocket>();
  /** Set once the UDP layer exists (the two refer to each other). */
  udpErrors: UdpErrorSink = () => false;

  constructor(
    private readonly output: Ipv4Output,
    private readonly devices: IcmpDevices,
  ) {}

  /** An ICMP message delivered to us; returns the drop reason, or undefined when consumed. */
  process(datagram: Uint8Array, headerLen: number, src: Ipv4Addr, dst: Ipv4Addr, ttl: number, broadcast: boolean): DropReason | undefined {
    const checked = IcmpPacket.checked(view(datagram, headerLen));
    if (!checked.ok) return checked.reason;
    const msg = checked.value;
    const type = msg.type;
    if (type === IcmpType.ECHO_REPLY && msg.code === 0) {
      if (this.#echoSockets.size === 0) return 'no-socket';
      const reply: EchoReply = { from: src, ttl, identifier: msg.identifier, sequence: msg.sequence, payload: msg.payload };
      for (const s of this.#echoSockets) s.deliverReply(reply);
      return undefined;
    }
    if (type === IcmpType.ECHO_REQUEST && msg.code === 0) {
      if (broadcast || src === 0 || isMulticastAddress(src) || src === LIMITED_BROADCAST) return 'not-for-us';
      const { identifier, sequence, payload } = msg;
      this.output.send(IpProtocol.ICMP, dst, src, DEFAULT_TTL, 'dont', ICMP_HEADER_LEN + payload.length, (out, o) => {
        emitIcmp({ kind: 'echo-reply', identifier, sequence, payload }, out, o);
      });
      return undefined;
    }
    if (type === IcmpType.DEST_UNREACHABLE || type === IcmpType.TIME_EXCEEDED) {
      const quoted = parseIcmpQuote(msg.payload);
      if (!quoted.ok) return quoted.reason;
      const q = quoted.value;
      const report: IcmpErrorReport = {
        from: src,
        type,
        code: msg.code,
        mtu: type === IcmpType.DEST_UNREACHABLE && msg.code === IcmpUnreachableCode.FRAG_NEEDED ? msg.nextHopMtu : 0,
        originalDestination: q.dst,
      };
      if (q.protocol === IpProtocol.UDP && q.fragmentOffset === 0) {
        return this.udpErrors(q.src, readU16(q.payload, 0), report) ? undefined : 'no-socket';
      }
      if (q.protocol === IpProtocol.ICMP && this.#echoSockets.size > 0) {
        for (const s of this.#echoSockets) s.deliverError(report);
        return undefined;
      }
      return 'no-socket';
    }
    return 'unsupported';
  }

  /**
   * Sends an ICMP error about `datagram` (an IPv4 datagram, header first, trimmed to its Total
   * Length) unless RFC 1122 §3.2.2 forbids it. `mtu` is the next-hop MTU of a frag-needed error.
   */
  sendError(datagram: Uint8Array, type: number, code: number, mtu: number, linkBroadcast: boolean, ipBroadcast: boolean): void {
    if (linkBroadcast || ipBroadcast) return;
    const src = readU32(datagram, IPV4_SRC_OFFSET);
    const dst = readU32(datagram, IPV4_DST_OFFSET);
    if (isMulticastAddress(dst) || dst === LIMITED_BROADCAST) return;
    if (src === 0 || src === LIMITED_BROADCAST || isMulticastAddress(src)) return;
    if ((readU16(datagram, IPV4_FLAGS_FRAG_OFFSET) & IPV4_FRAG_OFFSET_MASK) !== 0) return;
    if (datagram[IPV4_PROTOCOL_OFFSET] === IpProtocol.ICMP) {
      const headerLen = (datagram[0] & 0x0f) * 4;
      const quotedType = datagram[headerLen];
      if (datagram.length <= headerLen || quotedType > NR_ICMP_TYPES || ERROR_TYPES.has(quotedType)) return;
    }
    const quote = icmpErrorQuote(datagram);
    const from = this.devices.isLocalAddress(dst) || isLoopbackAddress(dst) ? dst : 0;
    this.output.send(IpProtocol.ICMP, from, src, DEFAULT_TTL, 'dont', ICMP_HEADER_LEN + quote.length, (out, o) => {
      if (type === IcmpType.DEST_UNREACHABLE) {
        emitIcmp({ kind: 'dest-unreachable', code, nextHopMtu: code === IcmpUnreachableCode.FRAG_NEEDED ? mtu : 0, payload: quote }, out, o);
      } else {
        emitIcmp({ kind: 'time-exceeded', code, payload: quote }, out, o);
      }
    });
  }

  openEcho(): IcmpEchoSocket {
    if (this.#echoSockets.size >= ECHO_SOCKETS_MAX) {
      throw new InvalidArgumentError(`too many ICMP echo sockets (${ECHO_SOCKETS_MAX})`);
    }
    const socket = new EchoSocket(this.output, (s) => this.#echoSockets.delete(s));
    this.#echoSockets.add(socket);
    return socket;
  }

  close(): void {
    for (const s of [...this.#echoSockets]) s.close();
  }
}

class EchoSocket implements IcmpEchoSocket {
  #onReply: ((reply: EchoReply) => void) | null = null;
  #onError: ((error: IcmpErrorReport) => void) | null = null;
  #closed = false;

  constructor(
    private readonly output: Ipv4Output,
    private readonly onClose: (s: EchoSocket) => void,
  ) {}

  send(address: Ipv4Addr, identifier: number, sequence: number, payload: Uint8Array, options?: SendOptions): SendResult {
    if (this.#closed || !checkTtl(options?.ttl)) return 'EINVAL';
    if (!isUint16(identifier) || !isUint16(sequence)) {
      throw new InvalidArgumentError(`ICMP echo identifier and sequence must be 0..65535: ${identifier}, ${sequence}`);
    }
    const output = this.output;
    const result = output.send(
      IpProtocol.ICMP,
      0,
      address,
      options?.ttl ?? DEFAULT_TTL,
      options?.pmtu ?? 'want',
      ICMP_HEADER_LEN + payload.length,
      (out, o) => {
        emitIcmp({ kind: 'echo-request', identifier, sequence, payload }, out, o);
      },
    );
    if (result === 'EMSGSIZE' && output.lastMtu > 0) this.deliverError(localFragNeeded(output, address));
    return result;
  }

  onReply(handler: (reply: EchoReply) => void): void {
    this.#onReply = handler;
  }

  onError(handler: (error: IcmpErrorReport) => void): void {
    this.#onError = handler;
  }

  deliverReply(reply: EchoReply): void {
    this.#onReply?.(reply);
  }

  deliverError(report: IcmpErrorReport): void {
    this.#onError?.(report);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose(this);
  }
}

function isUint16(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffff;
}

/**
 * The report a socket gets when `do` refused an oversized datagram (Linux `ip_local_error`: the
 * error is queued locally with the device MTU, nothing is sent). `from` is our own source.
 */
export function localFragNeeded(output: Ipv4Output, dst: Ipv4Addr): IcmpErrorReport {
  const from = output.sourceFor(dst);
  return {
    from: from < 0 ? 0 : from,
    type: IcmpType.DEST_UNREACHABLE,
    code: IcmpUnreachableCode.FRAG_NEEDED,
    mtu: output.lastMtu,
    originalDestination: dst,
  };
}
