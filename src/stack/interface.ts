/**
 * One network interface of a container stack: its configuration, its counters, the link its
 * frames leave by, and its neighbour cache.
 *
 * Contract: `receiveFrame` (the FrameSink the veth delivers into) counts the frame and hands it to
 * the stack's Ethernet input; `transmit` counts and hands a finished frame to the link. Counters
 * follow Linux's `ip -s link`: bytes are whole Ethernet frames (no FCS); `rxDropped` counts frames
 * the stack refused, `txDropped` frames that never left (unresolved neighbour, full queue). A
 * removed interface drops whatever still reaches it.
 */
import type { FrameSink } from '../dataplane/link.js';
import type { Clock } from '../util/clock.js';
import type { DropCounters } from '../util/drop.js';
import type { Ipv4Addr, MacAddr } from '../wire/address.js';
import { NeighbourTable, type NeighbourPort } from './neighbour.js';
import { directedBroadcast } from './route.js';
import type { InterfaceConfig, InterfaceCounters, StackInterface } from './types.js';

/** Where received frames go: the stack's Ethernet input. */
export type FrameInput = (iface: NetInterface, frame: Uint8Array) => void;

export class NetInterface implements StackInterface, NeighbourPort {
  readonly counters: InterfaceCounters = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, rxDropped: 0, txDropped: 0 };
  readonly neighbours: NeighbourTable;
  /** The subnet's directed broadcast address, or -1 for /31 and /32. */
  readonly broadcast: number;
  /** Secondary addresses (`ip addr add`): local, answered in ARP; a load balancer's VIPs. */
  readonly secondary = new Set<Ipv4Addr>();
  #removed = false;

  constructor(
    readonly config: InterfaceConfig,
    private readonly link: FrameSink,
    private readonly input: FrameInput,
    clock: Clock,
    drops: DropCounters,
    onUnresolved: (frame: Uint8Array) => void,
  ) {
    this.broadcast = directedBroadcast(config.address, config.prefixLength);
    this.neighbours = new NeighbourTable(this, clock, drops, onUnresolved);
  }

  get mac(): MacAddr {
    return this.config.mac;
  }

  get address(): Ipv4Addr {
    return this.config.address;
  }

  get mtu(): number {
    return this.config.mtu;
  }

  get name(): string {
    return this.config.name;
  }

  receiveFrame(frame: Uint8Array): void {
    const c = this.counters;
    c.rxPackets++;
    c.rxBytes += frame.length;
    if (this.#removed) {
      c.rxDropped++;
      return;
    }
    this.input(this, frame);
  }

  transmit(frame: Uint8Array): void {
    if (this.#removed) {
      this.counters.txDropped++;
      return;
    }
    this.counters.txPackets++;
    this.counters.txBytes += frame.length;
    this.link.receiveFrame(frame);
  }

  txDropped(): void {
    this.counters.txDropped++;
  }

  /** Detaches the interface: pending resolutions end, later frames are dropped. */
  remove(): void {
    this.#removed = true;
    this.neighbours.flush();
  }
}
