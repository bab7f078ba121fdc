/**
 * Packet captures, beside the data path: the host's underlay (what its NIC would show) and one
 * container interface. Both stream to a pcap through `PcapWriter`, which copies each record into
 * its buffer synchronously and never throws for I/O, so a capture costs the hot path one copy and
 * never holds a frame.
 *
 * - `UnderlayCapture` records each VXLAN datagram as a Linux host puts it on its NIC: Ethernet
 *   (MACs 02:42 + the outer IPv4 octets, since loopback has no MAC of its own), IPv4 (TTL 64 —
 *   Linux vxlan's default `ip4_dst_hoplimit`; DF clear — vxlan's `df` unset; an incrementing ID;
 *   header checksum) and UDP (checksum computed, as kernels since 2016 do for Docker's vxlan
 *   devices, reference §1.1), around the real loopback addresses and ports. The datagram's chunks
 *   are written as they are (`writev`), not joined first.
 * - `InterfaceCapture.wrap(sink)` records every frame passing into `sink`; wrapping both ends of a
 *   veth records both directions, in the order they happened.
 *
 * Timestamps come from an injected `Clock` (anchored to the wall clock when the capture opens, so
 * a scaled or manual clock still gives plausible dates) or, without one, from real time.
 */
import type { Clock } from '../util/clock.js';
import { parseIpv4Address, macFromIpv4, type Ipv4Addr } from '../wire/address.js';
import { writeU16 } from '../wire/bytes.js';
import { checksumAdd, checksumFinish, checksumFold, pseudoHeaderSum } from '../wire/checksum.js';
import { emitEthernetHeader, ETHERNET_HEADER_LEN, EtherType } from '../wire/ethernet.js';
import { emitIpv4Header, IpProtocol, IPV4_HEADER_LEN, IPV4_MAX_PACKET_LEN, type Ipv4Header } from '../wire/ipv4.js';
import { UDP_CHECKSUM_OFFSET, UDP_DST_PORT_OFFSET, UDP_HEADER_LEN, UDP_LENGTH_OFFSET, UDP_SRC_PORT_OFFSET } from '../wire/udp.js';
import type { FrameSink } from './link.js';
import { PcapWriter, type PcapWriterOptions } from './pcap-writer.js';

/** Outer Ethernet + IPv4 + UDP in front of each underlay datagram. */
export const UNDERLAY_OUTER_LEN = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + UDP_HEADER_LEN;
/** Linux's default TTL for a tunnel's outer header (`ip4_dst_hoplimit`, net.ipv4.ip_default_ttl). */
export const UNDERLAY_TTL = 64;
/** Underlay addresses remembered as numbers (a cluster has a handful of hosts; cleared when full). */
export const CAPTURE_ADDRESS_CACHE_MAX = 1024;

export interface CaptureOptions extends PcapWriterOptions {
  /** Where timestamps come from; real time when absent. */
  readonly clock?: Clock;
}

/** A function giving "now" in microseconds since the epoch, for pcap records. */
export type MicrosecondSource = () => number;

export function captureTimestamps(clock?: Clock): MicrosecondSource {
  if (clock === undefined) return () => (performance.timeOrigin + performance.now()) * 1000;
  const anchorUs = Date.now() * 1000 - clock.now() * 1000;
  return () => anchorUs + clock.now() * 1000;
}

export class UnderlayCapture {
  static async open(path: string, options: CaptureOptions = {}): Promise<UnderlayCapture> {
    return new UnderlayCapture(await PcapWriter.open(path, options), captureTimestamps(options.clock));
  }

  /** Records the outer headers; rewritten for every record (the writer copies it at once). */
  private readonly outer = new Uint8Array(UNDERLAY_OUTER_LEN);
  private readonly parts: Uint8Array[] = [];
  private readonly single: Uint8Array[] = [new Uint8Array(0)];
  private readonly addresses = new Map<string, Ipv4Addr>();
  private readonly ipHeader: { -readonly [K in keyof Ipv4Header]: Ipv4Header[K] } = {
    src: 0,
    dst: 0,
    protocol: IpProtocol.UDP,
    ttl: UNDERLAY_TTL,
    identification: 0,
    dscp: 0,
    ecn: 0,
    dontFragment: false,
    moreFragments: false,
    fragmentOffset: 0,
    options: new Uint8Array(0),
  };
  private outboundId = 0;
  private inboundId = 0;
  /** Datagrams that could not be framed (an address that is not IPv4, over 65 535 bytes). */
  unframable = 0;

  constructor(
    readonly writer: PcapWriter,
    /** Current time in µs since the epoch, for callers that have no clock of their own. */
    readonly nowUs: MicrosecondSource = captureTimestamps(),
  ) {}

  /** A datagram this host sent: `chunks` is its UDP payload (VXLAN header, inner frame). */
  outbound(chunks: readonly Uint8Array[], srcAddress: string, srcPort: number, dstAddress: string, dstPort: number, timestampUs: number): boolean {
    this.outboundId = (this.outboundId + 1) & 0xffff;
    return this.record(chunks, srcAddress, srcPort, dstAddress, dstPort, this.outboundId, timestampUs);
  }

  /** A datagram this host received (`data` is the UDP payload). */
  inbound(data: Uint8Array, fromAddress: string, fromPort: number, toAddress: string, toPort: number, timestampUs: number): boolean {
    this.inboundId = (this.inboundId + 1) & 0xffff;
    this.single[0] = data;
    return this.record(this.single, fromAddress, fromPort, toAddress, toPort, this.inboundId, timestampUs);
  }

  /**
   * An ESP packet of an encrypted overlay, recorded as Docker's NIC carries it: IPv4 protocol 50
   * straight after the IP header (the native-free transport's UDP framing, RFC 3948, is a detail
   * of the emulation's sockets), so Wireshark decrypts it with the host's `esp_sa` file and
   * dissects the VXLAN datagram inside.
   */
  esp(packet: Uint8Array, srcAddress: string, dstAddress: string, outbound: boolean, timestampUs: number): boolean {
    const src = this.ipv4Of(srcAddress);
    const dst = this.ipv4Of(dstAddress);
    if (src < 0 || dst < 0 || IPV4_HEADER_LEN + packet.length > IPV4_MAX_PACKET_LEN) {
      this.unframable++;
      return false;
    }
    const id = outbound ? (this.outboundId = (this.outboundId + 1) & 0xffff) : (this.inboundId = (this.inboundId + 1) & 0xffff);
    const out = this.outer;
    emitEthernetHeader(macFromIpv4(dst), macFromIpv4(src), EtherType.IPV4, out, 0);
    const h = this.ipHeader;
    h.src = src;
    h.dst = dst;
    h.identification = id;
    h.protocol = IpProtocol.ESP;
    emitIpv4Header(h, packet.length, out, ETHERNET_HEADER_LEN);
    h.protocol = IpProtocol.UDP;
    const parts = this.parts;
    parts.length = 0;
    parts.push(out.subarray(0, ETHERNET_HEADER_LEN + IPV4_HEADER_LEN), packet);
    const written = this.writer.writev(parts, timestampUs);
    parts.length = 0;
    return written;
  }

  get packetsWritten(): number {
    return this.writer.packetsWritten;
  }

  get packetsDropped(): number {
    return this.writer.packetsDropped + this.unframable;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  private record(
    chunks: readonly Uint8Array[],
    srcAddress: string,
    srcPort: number,
    dstAddress: string,
    dstPort: number,
    identification: number,
    timestampUs: number,
  ): boolean {
    const src = this.ipv4Of(srcAddress);
    const dst = this.ipv4Of(dstAddress);
    let payloadLength = 0;
    for (let i = 0; i < chunks.length; i++) payloadLength += chunks[i].length;
    const udpLength = UDP_HEADER_LEN + payloadLength;
    if (src < 0 || dst < 0 || !isPort(srcPort) || !isPort(dstPort) || IPV4_HEADER_LEN + udpLength > IPV4_MAX_PACKET_LEN) {
      this.unframable++;
      return false;
    }
    const out = this.outer;
    emitEthernetHeader(macFromIpv4(dst), macFromIpv4(src), EtherType.IPV4, out, 0);
    const h = this.ipHeader;
    h.src = src;
    h.dst = dst;
    h.identification = identification;
    emitIpv4Header(h, udpLength, out, ETHERNET_HEADER_LEN);
    const udp = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN;
    writeU16(out, udp + UDP_SRC_PORT_OFFSET, srcPort);
    writeU16(out, udp + UDP_DST_PORT_OFFSET, dstPort);
    writeU16(out, udp + UDP_LENGTH_OFFSET, udpLength);
    // RFC 768: the checksum covers the pseudo-header, the UDP header and the data.
    const sum = gatheredSum(chunks, pseudoHeaderSum(src, dst, IpProtocol.UDP, udpLength) + srcPort + dstPort + udpLength);
    const checksum = checksumFinish(sum);
    // RFC 768: a computed zero is transmitted as all ones.
    writeU16(out, udp + UDP_CHECKSUM_OFFSET, checksum === 0 ? 0xffff : checksum);
    const parts = this.parts;
    parts.length = 0;
    parts.push(out);
    for (let i = 0; i < chunks.length; i++) parts.push(chunks[i]);
    const written = this.writer.writev(parts, timestampUs);
    parts.length = 0;
    return written;
  }

  /** The address as a number, or -1 if it is not dotted-quad IPv4. */
  private ipv4Of(address: string): number {
    const known = this.addresses.get(address);
    if (known !== undefined) return known;
    let ip: number;
    try {
      ip = parseIpv4Address(address);
    } catch {
      return -1;
    }
    if (this.addresses.size >= CAPTURE_ADDRESS_CACHE_MAX) this.addresses.clear();
    this.addresses.set(address, ip);
    return ip;
  }
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffff;
}

/**
 * The unfolded one's-complement sum of `chunks` taken as one byte sequence. A chunk that starts at
 * an odd offset of the whole has its bytes in the other half of each 16-bit word, so its own sum
 * is byte-swapped (RFC 1071 §2 (B), byte order independence).
 */
export function gatheredSum(chunks: readonly Uint8Array[], sum = 0): number {
  let odd = false;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    let s = checksumAdd(c, 0, c.length);
    if (odd) {
      s = checksumFold(s);
      s = ((s & 0xff) << 8) | (s >>> 8);
    }
    sum += s;
    if ((c.length & 1) === 1) odd = !odd;
  }
  return sum;
}

/** A capture of one container interface (`tcpdump -i eth0` inside the container). */
export class InterfaceCapture {
  static async open(path: string, options: CaptureOptions = {}): Promise<InterfaceCapture> {
    return new InterfaceCapture(await PcapWriter.open(path, options), captureTimestamps(options.clock));
  }

  constructor(
    readonly writer: PcapWriter,
    private readonly nowUs: MicrosecondSource = captureTimestamps(),
  ) {}

  /** A sink that records each frame, then passes it on to `sink` unchanged. */
  wrap(sink: FrameSink): FrameSink {
    const writer = this.writer;
    const nowUs = this.nowUs;
    return {
      receiveFrame(frame: Uint8Array): void {
        writer.write(frame, nowUs());
        sink.receiveFrame(frame);
      },
    };
  }

  get packetsWritten(): number {
    return this.writer.packetsWritten;
  }

  get packetsDropped(): number {
    return this.writer.packetsDropped;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
