/**
 * The host's VXLAN tunnel endpoint: every overlay network's vxlan port, over one underlay socket
 * (as Linux shares one UDP/4789 socket among all vxlan devices of a host, reference §1.4).
 *
 * Contract:
 * - `attach(vni, bridge, peers)` makes the VTEP the bridge's uplink. Sending: the bridge hands a
 *   frame and the remote VTEP it looked up; the VTEP sends `[header, frame]` gathered, where
 *   `header` is the network's 8-byte VXLAN header (RFC 7348 §5: flags 0x08, the VNI), built once
 *   at attach — nothing is copied or allocated for the frame.
 * - Receiving: each underlay datagram is checked (shorter than the header → `truncated`, I flag
 *   clear → `bad-flags`, a VNI with no network here → `unknown-vni`) and the inner frame, a view
 *   into the datagram, goes to that network's bridge (`receiveFromTunnel`), which never sends it
 *   back. Nothing is ever flooded.
 * - Path MTU (pmtud.ts, Linux `skb_tunnel_check_pmtu`): each host has an underlay MTU
 *   (`underlayMtu`, default `UNDERLAY_DEFAULT_MTU` = 1500, an Ethernet NIC). A frame whose outer
 *   datagram (20 + 8 + 8 + frame) would exceed it and that carries an IPv4 packet with DF is
 *   dropped (`frag-needed`) and answered with ICMP Fragmentation Needed (next-hop MTU = underlay
 *   MTU − 50), delivered through the bridge to the sender's port as if it had come from the
 *   tunnel (`vxlan_encap_bypass`). Other oversized frames are sent: the kernel would fragment the
 *   outer datagram, and the loopback underlay carries it whole. The check is one comparison on
 *   the hot path.
 * - Underlay send errors count `send-failed`; counters are per datagram (HostCounters).
 */
import type { DropCounters } from '../util/drop.js';
import { InvalidArgumentError } from '../util/errors.js';
import { emitVxlanHeader, VNI_MAX, VXLAN_HEADER_LEN, vxlanVniOf } from '../wire/vxlan.js';
import { BRIDGE_MAX_MTU, type Bridge, type BridgeUplink } from './bridge.js';
import type { UnderlayCapture } from './capture.js';
import type { HostCounters } from './counters.js';
import type { PeerTable } from './peer-table.js';
import { fragNeededFor, maxInnerFrame, UNDERLAY_DEFAULT_MTU, VXLAN_OVERHEAD } from './pmtud.js';
import type { Underlay } from './underlay.js';
import { withHeadroom } from '../util/frames.js';
import { view } from '../wire/bytes.js';
import { IpProtocol } from '../wire/ipv4.js';
import { emitUdpHeader, UDP_HEADER_LEN } from '../wire/udp.js';
import type { IpsecSaDatabase } from './ipsec.js';

/** Overlay networks one host carries at once (each is one VNI on the shared socket). */
export const VTEP_MAX_NETWORKS = 4096;

export interface VtepOptions {
  readonly underlay: Underlay;
  readonly drops: DropCounters;
  readonly counters: HostCounters;
  /** Records every datagram in and out, with outer headers (the host's underlay pcap). */
  readonly capture?: UnderlayCapture;
  /** The host NIC's MTU the outer datagrams must fit (default `UNDERLAY_DEFAULT_MTU`, 1500). */
  readonly underlayMtu?: number;
}

/** Smallest underlay MTU: room for the VXLAN overhead and IPv4's minimum datagram (RFC 791 §3.1). */
export const UNDERLAY_MIN_MTU = VXLAN_OVERHEAD + 68;

/** One network's vxlan port: its constant header, and the uplink the bridge calls. */
class VxlanPort implements BridgeUplink {
  constructor(
    private readonly vtep: Vtep,
    readonly vni: number,
    readonly header: Uint8Array,
    readonly bridge: Bridge,
    readonly peers: PeerTable,
    /** `--opt encrypted`: every datagram leaves sealed in ESP, cleartext for this VNI is dropped. */
    readonly encrypted: boolean,
  ) {}

  transmit(frame: Uint8Array, vtepAddress: string, vtepPort: number): void {
    const vtep = this.vtep;
    if (frame.length > vtep.maxInnerFrame && vtep.fragNeeded(this.bridge, frame)) return;
    if (this.encrypted) vtep.transmitSealed(this.header, frame, vtepAddress, vtepPort);
    else vtep.transmit(this.header, frame, vtepAddress, vtepPort);
  }
}

export class Vtep {
  private readonly underlay: Underlay;
  private readonly drops: DropCounters;
  private readonly counters: HostCounters;
  private capture: UnderlayCapture | undefined;
  private readonly ports = new Map<number, VxlanPort>();
  /** The underlay MTU outer datagrams must fit. */
  readonly underlayMtu: number;
  /** Largest inner frame sent without a PMTU check: underlay MTU − 36. */
  readonly maxInnerFrame: number;

  constructor(opts: VtepOptions) {
    const underlayMtu = opts.underlayMtu ?? UNDERLAY_DEFAULT_MTU;
    if (!Number.isInteger(underlayMtu) || underlayMtu < UNDERLAY_MIN_MTU || underlayMtu > BRIDGE_MAX_MTU) {
      throw new InvalidArgumentError(`underlay MTU out of range ${UNDERLAY_MIN_MTU}..${BRIDGE_MAX_MTU}: ${underlayMtu}`);
    }
    this.underlayMtu = underlayMtu;
    this.maxInnerFrame = maxInnerFrame(underlayMtu);
    this.underlay = opts.underlay;
    this.drops = opts.drops;
    this.counters = opts.counters;
    this.capture = opts.capture;
    this.underlay.onDatagram((data, fromAddress, fromPort) => this.receive(data, fromAddress, fromPort));
    this.underlay.onSendError(() => this.drops.count('send-failed'));
  }

  /** The host's IPsec SAs (encrypted overlays); set once by the host. */
  ipsec: IpsecSaDatabase | undefined;

  /**
   * ESP in UDP on the data-path port (RFC 3948 framing, transport mode): the VXLAN datagram —
   * UDP header, VXLAN header, frame — sealed with the peer's outbound SA (RFC 4106 AES-GCM,
   * Docker's SPI and salt). No SA (no keys yet): dropped as `unknown-spi`. An SA whose 32-bit
   * sequence is used up refuses to wrap (RFC 4303 §3.3.3): `sequence-exhausted` until the next
   * key rotation gives a new SA — Docker's behaviour too (moby #52005).
   */
  transmitSealed(header: Uint8Array, frame: Uint8Array, address: string, port: number): void {
    const sas = this.ipsec?.peer(address, port);
    const outbound = sas?.outbound;
    if (sas === undefined || outbound === undefined) {
      this.drops.count('unknown-spi');
      return;
    }
    if (outbound.remaining === 0) {
      this.drops.count('sequence-exhausted');
      return;
    }
    const innerLen = UDP_HEADER_LEN + VXLAN_HEADER_LEN + frame.length;
    const plain = new Uint8Array(innerLen);
    plain.set(header, UDP_HEADER_LEN);
    plain.set(frame, UDP_HEADER_LEN + VXLAN_HEADER_LEN);
    // The VXLAN datagram's own UDP header, checksum 0 as Linux's vxlan sends it over IPv4.
    emitUdpHeader({ srcPort: this.underlay.sourcePort, dstPort: port, payload: plain.subarray(UDP_HEADER_LEN) }, plain, 0, 0, 0, { checksum: false });
    const sealed = new Uint8Array(outbound.sealedLen(innerLen));
    outbound.seal(IpProtocol.UDP, plain, sealed, 0);
    this.counters.framesOut++;
    this.counters.bytesOut += sealed.length;
    const capture = this.capture;
    if (capture !== undefined) capture.esp(sealed, this.underlay.local.address, address, true, capture.nowUs());
    this.underlay.send([sealed], address, port);
  }

  /** An ESP datagram from a peer: opened with its inbound SA, then handled as VXLAN. */
  #receiveSealed(data: Uint8Array, fromAddress: string, fromPort: number): void {
    const sas = this.ipsec?.peer(fromAddress, fromPort);
    if (sas === undefined || data.length < 8) {
      this.drops.count(data.length < 8 ? 'truncated' : 'unknown-spi');
      return;
    }
    const spi = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
    const inbound = sas.inbound(spi);
    if (inbound === undefined) {
      this.drops.count('unknown-spi');
      return;
    }
    const opened = inbound.open(data);
    if (!opened.ok) {
      this.drops.count(opened.reason);
      return;
    }
    const inner = opened.value.payload;
    if (opened.value.nextHeader !== IpProtocol.UDP || inner.length < UDP_HEADER_LEN + VXLAN_HEADER_LEN) {
      this.drops.count('malformed');
      return;
    }
    const vxlan = view(inner, UDP_HEADER_LEN);
    const vni = vxlanVniOf(vxlan);
    const port = vni < 0 ? undefined : this.ports.get(vni);
    if (port === undefined || !port.encrypted) {
      this.drops.count(vni < 0 ? 'bad-flags' : 'unknown-vni');
      return;
    }
    port.bridge.receiveFromTunnel(view(vxlan, VXLAN_HEADER_LEN));
  }

  /** Starts (or, with undefined, stops) recording the underlay. The caller closes the capture. */
  setCapture(capture: UnderlayCapture | undefined): void {
    this.capture = capture;
  }

  /**
   * Connects `bridge` to the tunnel for `vni`; its unicast to `peers` MACs is encapsulated (and,
   * `encrypted`, sealed in ESP with the SAs of `ipsec`).
   */
  attach(vni: number, bridge: Bridge, peers: PeerTable, encrypted = false): void {
    // moby `setupEncryption`: an encrypted network cannot be joined before the keys arrive.
    if (encrypted && this.ipsec?.ready !== true) throw new InvalidArgumentError('encryption keys not present');
    if (!Number.isInteger(vni) || vni < 0 || vni > VNI_MAX) throw new InvalidArgumentError(`VNI out of range 0..${VNI_MAX}: ${vni}`);
    if (this.ports.has(vni)) throw new InvalidArgumentError(`VNI ${vni} is already attached on this host`);
    if (this.ports.size >= VTEP_MAX_NETWORKS) throw new InvalidArgumentError(`a host carries at most ${VTEP_MAX_NETWORKS} overlay networks`);
    const header = new Uint8Array(VXLAN_HEADER_LEN);
    emitVxlanHeader(vni, header, 0);
    const port = new VxlanPort(this, vni, header, bridge, peers, encrypted);
    this.ports.set(vni, port);
    bridge.setUplink(port);
  }

  /** Disconnects the network; datagrams for its VNI count `unknown-vni` from now on. */
  detach(vni: number): boolean {
    const port = this.ports.get(vni);
    if (port === undefined) return false;
    this.ports.delete(vni);
    port.bridge.setUplink(undefined);
    return true;
  }

  get vnis(): readonly number[] {
    return [...this.ports.keys()];
  }

  /** Encapsulates and sends one frame (called by a network's vxlan port). */
  transmit(header: Uint8Array, frame: Uint8Array, address: string, port: number): void {
    // Frames from allocFrame carry headroom: the header goes there and the datagram leaves as one
    // contiguous view (one iovec, no per-element Buffer wrappers in dgram). Others go gathered.
    // A fresh array either way: an underlay wrapper (fault injection) may keep it past the call.
    const datagram = withHeadroom(frame);
    let chunks: Uint8Array[];
    if (datagram === undefined) chunks = [header, frame];
    else {
      datagram.set(header, 0);
      chunks = [datagram];
    }
    this.counters.framesOut++;
    this.counters.bytesOut += VXLAN_HEADER_LEN + frame.length;
    const capture = this.capture;
    if (capture !== undefined) {
      const local = this.underlay.local;
      capture.outbound(chunks, local.address, this.underlay.sourcePort, address, port, capture.nowUs());
    }
    this.underlay.send(chunks, address, port);
  }

  /**
   * A frame too big for the underlay, from `bridge`'s vxlan port: true when it was dropped and
   * answered with Fragmentation Needed, false when it is to be sent anyway (pmtud.ts).
   */
  fragNeeded(bridge: Bridge, frame: Uint8Array): boolean {
    const error = fragNeededFor(frame, this.underlayMtu);
    if (error === undefined) return false;
    this.drops.count('frag-needed');
    // vxlan_encap_bypass: the error enters the bridge on the vxlan port, as received traffic does.
    bridge.receiveFromTunnel(error);
    return true;
  }

  /** One datagram from the underlay. */
  private receive(data: Uint8Array, fromAddress: string, fromPort: number): void {
    this.counters.framesIn++;
    this.counters.bytesIn += data.length;
    const capture = this.capture;
    // With IPsec keys, ESP shares this port (RFC 3948): VXLAN is told apart by its first word,
    // flags 0x08 and 24 reserved zero bits as every sender writes it; an ESP SPI is anything else
    // (the one SPI 0x08000000 would be taken for VXLAN — 1 in 2^32).
    if (this.ipsec?.ready === true && data.length >= VXLAN_HEADER_LEN && (data[0] !== 0x08 || data[1] !== 0 || data[2] !== 0 || data[3] !== 0)) {
      if (capture !== undefined) capture.esp(data, fromAddress, this.underlay.local.address, false, capture.nowUs());
      this.#receiveSealed(data, fromAddress, fromPort);
      return;
    }
    if (capture !== undefined) {
      const local = this.underlay.local;
      capture.inbound(data, fromAddress, fromPort, local.address, local.port, capture.nowUs());
    }
    const vni = vxlanVniOf(data);
    if (vni < 0) {
      this.drops.count(data.length < VXLAN_HEADER_LEN ? 'truncated' : 'bad-flags');
      return;
    }
    const port = this.ports.get(vni);
    if (port === undefined) {
      this.drops.count('unknown-vni');
      return;
    }
    if (port.encrypted) {
      this.drops.count('cleartext');
      return;
    }
    port.bridge.receiveFromTunnel(view(data, VXLAN_HEADER_LEN));
  }
}
