/**
 * Test wiring for container stacks: a direct cable between two interfaces (a FrameSink that
 * forwards to the far end and records every frame in a tap), stacks on a ManualClock, and small
 * frame readers for assertions.
 */
import type { FrameSink } from '../../src/dataplane/link.js';
import { createNetStack, type NetStack, type StackInterface } from '../../src/stack/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { DropCounters } from '../../src/util/drop.js';
import { Rng } from '../../src/util/rng.js';
import { macFromIpv4, parseIpv4Address } from '../../src/wire/address.js';
import { parseEthernet } from '../../src/wire/ethernet.js';
import { parseIpv4, type Ipv4Repr } from '../../src/wire/ipv4.js';

export const ip = parseIpv4Address;

/** One direction of a cable: records what it carries, then delivers it to the far interface. */
export class CableEnd implements FrameSink {
  readonly tap: Uint8Array[] = [];
  far: FrameSink | null = null;
  /** When false, frames are recorded but not delivered (a cut cable). */
  connected = true;

  receiveFrame(frame: Uint8Array): void {
    this.tap.push(frame);
    if (this.connected) this.far?.receiveFrame(frame);
  }
}

export interface TestStack {
  readonly stack: NetStack;
  readonly drops: DropCounters;
}

export function makeStack(clock: ManualClock, seed: number): TestStack {
  const drops = new DropCounters();
  return { stack: createNetStack({ clock, rng: new Rng(seed), drops }), drops };
}

export interface Attachment {
  readonly iface: StackInterface;
  /** Frames this interface transmitted. */
  readonly out: CableEnd;
}

/** Adds `eth0`-style interface with Docker's MAC for `address`. */
export function attach(s: NetStack, name: string, index: number, address: string, prefixLength: number, mtu = 1500): Attachment {
  const out = new CableEnd();
  const addr = ip(address);
  const iface = s.addInterface({ name, index, peerIndex: index + 1, mac: macFromIpv4(addr), mtu, address: addr, prefixLength }, out);
  return { iface, out };
}

/** Connects two attachments back to back. */
export function cable(a: Attachment, b: Attachment): void {
  a.out.far = b.iface;
  b.out.far = a.iface;
}

/** Parses the IPv4 datagram of a frame (throws when it is not one: test helper). */
export function ipv4Of(frame: Uint8Array): Ipv4Repr {
  const eth = parseEthernet(frame);
  if (!eth.ok) throw new Error(`not an Ethernet frame: ${eth.reason}`);
  const r = parseIpv4(eth.value.payload);
  if (!r.ok) throw new Error(`not an IPv4 datagram: ${r.reason}`);
  return r.value;
}

export function etherTypeOf(frame: Uint8Array): number {
  return (frame[12] << 8) | frame[13];
}

/** Two stacks on 10.0.0.0/24 joined by a cable: `a` at `addressA`, `b` at `addressB`. */
export function cabledPair(clock: ManualClock, seed: number, addressA: string, addressB: string, mtu = 1500) {
  const a = makeStack(clock, seed);
  const b = makeStack(clock, seed + 1);
  const ea = attach(a.stack, 'eth0', 2, addressA, 24, mtu);
  const eb = attach(b.stack, 'eth0', 2, addressB, 24, mtu);
  cable(ea, eb);
  return { a, b, ea, eb };
}
