/**
 * The loopback device `lo`: what a container has before any network is attached.
 *
 * Contract: `lo` is index 1, MTU 65536, 127.0.0.1/8, MAC 00:00:00:00:00:00 (as `ip addr` shows a
 * Linux loopback). Datagrams to any local address or to 127/8 leave through it as Ethernet frames
 * with zero MACs (what a capture on Linux's `lo` shows) and come back in through the same input
 * path as frames from a veth. Delivery is deferred like Linux's `netif_rx` backlog: a frame sent
 * while the backlog is being processed (an echo reply to a local ping) waits its turn instead of
 * recursing, at most `LOOPBACK_BUDGET` frames are processed per turn (NAPI's weight) and the rest
 * on a zero-delay clock timer, so two sockets answering each other on loopback cannot hang the
 * thread, and at most `LOOPBACK_BACKLOG_MAX` frames wait (`netdev_max_backlog`); beyond that they
 * are dropped as `queue-full`.
 */
import type { FrameSink } from '../dataplane/link.js';
import { ms, type Clock, type Timer } from '../util/clock.js';
import type { DropCounters } from '../util/drop.js';
import type { InterfaceConfig } from './types.js';

export const LOOPBACK_ADDRESS = 0x7f00_0001;
export const LOOPBACK_MTU = 65536;
export const LOOPBACK_BACKLOG_MAX = 1000;
export const LOOPBACK_BUDGET = 64;

export const LOOPBACK_CONFIG: InterfaceConfig = Object.freeze({
  name: 'lo',
  index: 1,
  peerIndex: 0,
  mac: 0,
  mtu: LOOPBACK_MTU,
  address: LOOPBACK_ADDRESS,
  prefixLength: 8,
});

/** The link behind `lo`: transmitted frames are queued and received back by `target`. */
export class LoopbackLink implements FrameSink {
  #queue: (Uint8Array | undefined)[] = [];
  #head = 0;
  #draining = false;
  #timer: Timer | null = null;
  #closed = false;
  target: FrameSink | null = null;
  /** Sees every frame sent on `lo` (a capture, as tcpdump -i lo sees them), once each. */
  tap: FrameSink | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly drops: DropCounters,
  ) {}

  receiveFrame(frame: Uint8Array): void {
    if (this.#closed) return;
    if (this.#queue.length - this.#head >= LOOPBACK_BACKLOG_MAX) {
      this.drops.count('queue-full');
      return;
    }
    this.#queue.push(frame);
    this.tap?.receiveFrame(frame);
    if (!this.#draining && this.#timer === null) this.#drain();
  }

  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = null;
    this.#queue = [];
    this.#head = 0;
  }

  #drain(): void {
    this.#draining = true;
    try {
      for (let n = 0; n < LOOPBACK_BUDGET && this.#head < this.#queue.length; n++) {
        const frame = this.#queue[this.#head]!;
        this.#queue[this.#head++] = undefined;
        this.target?.receiveFrame(frame);
      }
    } finally {
      this.#draining = false;
      if (this.#head >= this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
      } else if (!this.#closed && this.#timer === null) {
        this.#timer = this.clock.setTimer(ms(0), () => {
          this.#timer = null;
          this.#drain();
        });
      }
    }
  }
}
