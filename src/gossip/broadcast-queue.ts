/**
 * memberlist's `TransmitLimitedQueue` (`queue.go`): messages piggy-backed on gossip and on every
 * ping and ack until each has gone out `retransmitLimit` times. Messages about the same subject
 * (a node name, a table key) supersede older ones. Selection prefers the least-transmitted, then
 * the newest; a message is finished (its `onFinished` fires) when it is dropped for its limit or
 * superseded.
 */
import { retransmitLimit } from './config.js';

export interface QueuedBroadcast {
  /** Messages with the same key replace each other; undefined never invalidates anything. */
  readonly key: string | undefined;
  readonly message: Uint8Array;
  /** Called once when the message leaves the queue (sent enough times or superseded). */
  readonly onFinished?: () => void;
}

interface Entry {
  readonly broadcast: QueuedBroadcast;
  readonly id: number;
  transmits: number;
}

export class BroadcastQueue {
  #entries: Entry[] = [];
  #nextId = 0;

  /**
   * @param retransmitMult memberlist's `RetransmitMult` (4 on a LAN)
   * @param numNodes how many members the broadcasts are for (drives the retransmit limit)
   */
  constructor(
    readonly retransmitMult: number,
    readonly numNodes: () => number,
  ) {}

  get length(): number {
    return this.#entries.length;
  }

  queue(broadcast: QueuedBroadcast): void {
    if (broadcast.key !== undefined) {
      const kept: Entry[] = [];
      for (const e of this.#entries) {
        if (e.broadcast.key === broadcast.key) e.broadcast.onFinished?.();
        else kept.push(e);
      }
      this.#entries = kept;
    }
    this.#entries.push({ broadcast, id: this.#nextId++, transmits: 0 });
  }

  /**
   * Messages that fit in `limit` bytes, each costing its length plus `overhead`, least-sent
   * first then newest first.
   */
  getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    if (this.#entries.length === 0) return [];
    const transmitLimit = retransmitLimit(this.retransmitMult, this.numNodes());
    this.#entries.sort((a, b) => a.transmits - b.transmits || b.id - a.id);
    const out: Uint8Array[] = [];
    let free = limit;
    const finished: Entry[] = [];
    for (const e of this.#entries) {
      const cost = e.broadcast.message.length + overhead;
      if (cost > free) continue;
      free -= cost;
      out.push(e.broadcast.message);
      e.transmits += 1;
      if (e.transmits >= transmitLimit) finished.push(e);
    }
    if (finished.length > 0) {
      this.#entries = this.#entries.filter((e) => !finished.includes(e));
      for (const e of finished) e.broadcast.onFinished?.();
    }
    return out;
  }

  /** Drops everything (shutdown); finished callbacks fire so nobody waits forever. */
  reset(): void {
    const entries = this.#entries;
    this.#entries = [];
    for (const e of entries) e.broadcast.onFinished?.();
  }
}
