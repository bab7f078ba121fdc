/**
 * ARP (RFC 826) and the neighbour cache of one interface, after Linux's `net/core/neighbour.c`
 * and `net/ipv4/arp.c` with their default sysctls.
 *
 * Contract:
 * - `output(nextHop, frame)` takes a frame whose destination MAC is still unwritten, writes the
 *   neighbour's MAC into it and transmits it, or queues it while the address is being resolved.
 *   Writing the MAC is allowed by the FrameSink contract: the frame has not been handed over yet.
 * - Resolution (INCOMPLETE): a broadcast request now and every `ARP_RETRANS_TIME` (1 s, Linux
 *   `retrans_time_ms`) up to `ARP_MCAST_SOLICIT` (3, `mcast_solicit`) requests. At most
 *   `NEIGHBOUR_QUEUE_MAX` frames wait (`unres_qlen` 101); beyond that the oldest is dropped as
 *   `queue-full` (Linux drops the head). When the last request goes unanswered the queued frames
 *   are dropped as `arp-unresolved`, each handed to `onUnresolved` (Linux `arp_error_report`
 *   sends the sender an ICMP host unreachable), and the entry is FAILED: sends within
 *   `NEIGHBOUR_FAILED_HOLD` return EHOSTUNREACH, after which resolution starts afresh.
 * - REACHABLE for `NEIGHBOUR_REACHABLE_TIME` (30 s, `base_reachable_time_ms`) after the last
 *   confirmation; then STALE, checked lazily when used (no timer per entry): the cached MAC is
 *   still used and up to `ARP_UCAST_SOLICIT` unicast probes go out, one per second of use; no
 *   answer to all of them and the entry is FAILED.
 * - Learning: a reply, or a request addressed to us, confirms the sender (Linux `arp_process`
 *   creates the entry for a request to us); other ARP traffic only updates existing entries
 *   (`arp_accept` = 0: unsolicited replies and gratuitous ARP create nothing).
 * - Requests are answered for the interface's own address only.
 * - Bounded: `NEIGHBOUR_TABLE_MAX` entries (`gc_thresh3`); when full, entries unused for
 *   `NEIGHBOUR_GC_STALE_TIME` are collected, and otherwise the new resolution fails (ENOBUFS).
 */
import { MAC_BROADCAST, MAC_ZERO, type Ipv4Addr, type MacAddr } from '../wire/address.js';
import { ArpOperation, emitArp, ARP_PACKET_LEN } from '../wire/arp.js';
import { writeU48 } from '../wire/bytes.js';
import { emitEthernetHeader, EtherType, ETHERNET_DST_OFFSET, ETHERNET_HEADER_LEN } from '../wire/ethernet.js';
import { seconds, type Clock, type Timer } from '../util/clock.js';
import type { DropCounters } from '../util/drop.js';
import type { SendResult } from './types.js';
import { allocFrame } from '../util/frames.js';

export const ARP_RETRANS_TIME = seconds(1);
export const ARP_MCAST_SOLICIT = 3;
export const ARP_UCAST_SOLICIT = 3;
export const NEIGHBOUR_REACHABLE_TIME = seconds(30);
/** How long a FAILED entry refuses sends before resolution is tried again (3 × retrans_time). */
export const NEIGHBOUR_FAILED_HOLD = seconds(3);
/** Linux `gc_stale_time`: an entry unused this long may be collected when the table is full. */
export const NEIGHBOUR_GC_STALE_TIME = seconds(60);
export const NEIGHBOUR_TABLE_MAX = 1024;
export const NEIGHBOUR_QUEUE_MAX = 101;

const INCOMPLETE = 0;
const REACHABLE = 1;
const FAILED = 2;

interface Entry {
  state: number;
  mac: MacAddr;
  /** Last confirmation (REACHABLE), or when the entry failed (FAILED). */
  at: number;
  /** Requests sent in the current resolution or revalidation. */
  probes: number;
  lastProbeAt: number;
  lastUsedAt: number;
  queue: Uint8Array[] | null;
  timer: Timer | null;
}

/** What the table needs of its interface. */
export interface NeighbourPort {
  readonly mac: MacAddr;
  readonly address: Ipv4Addr;
  /** Further addresses this interface answers ARP for (`ip addr add` secondaries, a VIP). */
  readonly secondary?: ReadonlySet<Ipv4Addr>;
  transmit(frame: Uint8Array): void;
  /** A frame dropped before transmission (counted on the interface). */
  txDropped(): void;
}

export class NeighbourTable {
  readonly #entries = new Map<Ipv4Addr, Entry>();

  constructor(
    private readonly port: NeighbourPort,
    private readonly clock: Clock,
    private readonly drops: DropCounters,
    /** A queued frame was dropped because resolution failed. */
    private readonly onUnresolved: (frame: Uint8Array) => void,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The cached MAC of `ip` if it is REACHABLE or STALE, else -1 (for tests and `ip neigh`). */
  lookup(ip: Ipv4Addr): number {
    const e = this.#entries.get(ip);
    return e !== undefined && e.state === REACHABLE ? e.mac : -1;
  }

  /** True while `ip` is FAILED: a send would return EHOSTUNREACH (checked before building frames). */
  isFailed(ip: Ipv4Addr): boolean {
    const e = this.#entries.get(ip);
    return e !== undefined && e.state === FAILED && this.clock.now() - e.at < NEIGHBOUR_FAILED_HOLD;
  }

  output(nextHop: Ipv4Addr, frame: Uint8Array): SendResult {
    const now = this.clock.now();
    let e = this.#entries.get(nextHop);
    if (e !== undefined && e.state === FAILED) {
      if (now - e.at < NEIGHBOUR_FAILED_HOLD) return 'EHOSTUNREACH';
      this.#entries.delete(nextHop);
      e = undefined;
    }
    if (e === undefined) {
      if (this.#entries.size >= NEIGHBOUR_TABLE_MAX && !this.#collect(now)) {
        this.drops.count('queue-full');
        this.port.txDropped();
        return 'ENOBUFS';
      }
      e = { state: INCOMPLETE, mac: MAC_ZERO, at: now, probes: 0, lastProbeAt: now, lastUsedAt: now, queue: [frame], timer: null };
      this.#entries.set(nextHop, e);
      this.#solicit(nextHop, e);
      return 'ok';
    }
    e.lastUsedAt = now;
    if (e.state === INCOMPLETE) {
      const queue = e.queue!;
      if (queue.length >= NEIGHBOUR_QUEUE_MAX) {
        queue.shift();
        this.drops.count('queue-full');
        this.port.txDropped();
      }
      queue.push(frame);
      return 'ok';
    }
    // REACHABLE, or STALE once the reachable time has passed (RFC 1122 §2.3.2.1: revalidate).
    if (now - e.at >= NEIGHBOUR_REACHABLE_TIME && now - e.lastProbeAt >= ARP_RETRANS_TIME) {
      if (e.probes >= ARP_UCAST_SOLICIT) {
        this.#fail(e, now);
        this.drops.count('arp-unresolved');
        this.port.txDropped();
        return 'EHOSTUNREACH';
      }
      e.probes++;
      e.lastProbeAt = now;
      this.#sendRequest(nextHop, e.mac);
    }
    writeU48(frame, ETHERNET_DST_OFFSET, e.mac);
    this.port.transmit(frame);
    return 'ok';
  }

  /**
   * An ARP packet received on this interface (already parsed). Answers requests for our address
   * and learns as the module doc says.
   */
  processArp(operation: number, senderMac: MacAddr, senderIp: Ipv4Addr, targetIp: Ipv4Addr): void {
    const forUs = targetIp === this.port.address || this.port.secondary?.has(targetIp) === true;
    // RFC 5227 §2.1.1: a probe's sender address is 0.0.0.0 — answer it, learn nothing from it.
    if (senderIp !== 0) {
      const e = this.#entries.get(senderIp);
      if (e !== undefined) this.#confirm(e, senderMac);
      else if (forUs && operation === ArpOperation.REQUEST) this.#learn(senderIp, senderMac);
    }
    if (forUs && operation === ArpOperation.REQUEST) {
      this.#sendArp(ArpOperation.REPLY, senderMac, senderMac, senderIp, targetIp);
    }
  }

  /** Cancels every resolution; queued frames are dropped as `arp-unresolved` (interface gone). */
  flush(): void {
    for (const e of this.#entries.values()) {
      e.timer?.cancel();
      if (e.queue !== null) {
        this.drops.count('arp-unresolved', e.queue.length);
        for (let i = 0; i < e.queue.length; i++) this.port.txDropped();
      }
    }
    this.#entries.clear();
  }

  #learn(ip: Ipv4Addr, mac: MacAddr): void {
    const now = this.clock.now();
    if (this.#entries.size >= NEIGHBOUR_TABLE_MAX && !this.#collect(now)) return;
    this.#entries.set(ip, { state: REACHABLE, mac, at: now, probes: 0, lastProbeAt: now, lastUsedAt: now, queue: null, timer: null });
  }

  #confirm(e: Entry, mac: MacAddr): void {
    const now = this.clock.now();
    e.mac = mac;
    e.at = now;
    e.probes = 0;
    e.lastProbeAt = now;
    const queue = e.queue;
    e.state = REACHABLE;
    e.queue = null;
    e.timer?.cancel();
    e.timer = null;
    if (queue === null) return;
    for (const frame of queue) {
      writeU48(frame, ETHERNET_DST_OFFSET, mac);
      this.port.transmit(frame);
    }
  }

  /** One more broadcast request of a resolution, and the timer for the next one. */
  #solicit(ip: Ipv4Addr, e: Entry): void {
    e.probes++;
    e.lastProbeAt = this.clock.now();
    this.#sendRequest(ip, MAC_BROADCAST);
    e.timer = this.clock.setTimer(ARP_RETRANS_TIME, () => {
      e.timer = null;
      if (this.#entries.get(ip) !== e || e.state !== INCOMPLETE) return;
      if (e.probes < ARP_MCAST_SOLICIT) {
        this.#solicit(ip, e);
        return;
      }
      const queue = e.queue!;
      this.#fail(e, this.clock.now());
      this.drops.count('arp-unresolved', queue.length);
      for (const frame of queue) {
        this.port.txDropped();
        this.onUnresolved(frame);
      }
    });
  }

  #fail(e: Entry, now: number): void {
    e.state = FAILED;
    e.at = now;
    e.queue = null;
    e.probes = 0;
  }

  /** Removes entries idle for the GC stale time and expired failures; true if room was made. */
  #collect(now: number): boolean {
    for (const [ip, e] of this.#entries) {
      const idle = now - e.lastUsedAt >= NEIGHBOUR_GC_STALE_TIME;
      const expired = e.state === FAILED && now - e.at >= NEIGHBOUR_FAILED_HOLD;
      if (e.state !== INCOMPLETE && (idle || expired)) this.#entries.delete(ip);
    }
    return this.#entries.size < NEIGHBOUR_TABLE_MAX;
  }

  /** A request (RFC 826): broadcast when resolving, unicast to the cached MAC when revalidating. */
  #sendRequest(targetIp: Ipv4Addr, dstMac: MacAddr): void {
    // RFC 5227 §2.1.1: the target hardware address of a request SHOULD be all zeros.
    this.#sendArp(ArpOperation.REQUEST, dstMac, MAC_ZERO, targetIp);
  }

  #sendArp(operation: number, dstMac: MacAddr, targetMac: MacAddr, targetIp: Ipv4Addr, senderIp: Ipv4Addr = this.port.address): void {
    const frame = allocFrame(ETHERNET_HEADER_LEN + ARP_PACKET_LEN);
    emitEthernetHeader(dstMac, this.port.mac, EtherType.ARP, frame, 0);
    emitArp({ operation, senderMac: this.port.mac, senderIp, targetMac, targetIp }, frame, ETHERNET_HEADER_LEN);
    this.port.transmit(frame);
  }
}
