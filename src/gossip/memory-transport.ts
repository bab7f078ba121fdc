/**
 * An in-memory gossip network for deterministic tests: packets and stream bytes are delivered on
 * the microtask queue (no real time passes), and faults are injected per address — a node can be
 * cut off (`partition`) or made to lose a fraction of its packets.
 */
import type { Duration } from '../util/clock.js';
import { formatAddress, type GossipAddress, type GossipHandlers, type GossipStream, type GossipTransport } from './transport.js';

class MemoryStream implements GossipStream {
  peer: MemoryStream | undefined;
  #data: ((chunk: Uint8Array) => void) | undefined;
  #close: (() => void) | undefined;
  #pending: Uint8Array[] = [];
  #closed = false;
  #ended = false;
  constructor(readonly remote: GossipAddress) {}
  onData(handler: (chunk: Uint8Array) => void): void {
    this.#data = handler;
    const pending = this.#pending;
    this.#pending = [];
    for (const c of pending) handler(c);
  }
  onClose(handler: () => void): void {
    this.#close = handler;
    if (this.#closed) queueMicrotask(handler);
  }
  deliver(chunk: Uint8Array): void {
    if (this.#closed) return;
    if (this.#data) this.#data(chunk);
    else this.#pending.push(chunk);
  }
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#close?.();
  }
  write(bytes: Uint8Array): void {
    if (this.#ended || this.#closed) return;
    const copy = bytes.slice();
    queueMicrotask(() => this.peer?.deliver(copy));
  }
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    queueMicrotask(() => {
      this.peer?.closed();
      this.closed();
    });
  }
  destroy(): void {
    this.end();
  }
}

export class MemoryGossipNetwork {
  readonly #nodes = new Map<string, MemoryTransport>();
  readonly #cut = new Set<string>();
  #nextPort = 40_000;

  /** A transport at `address` (a port is assigned when none is given). */
  attach(address: string, port = this.#nextPort++): MemoryTransport {
    const t = new MemoryTransport(this, { address, port });
    this.#nodes.set(formatAddress(t.local), t);
    return t;
  }

  /** Cuts `a` off from everyone (packets and streams both ways), until `heal`. */
  partition(a: GossipAddress): void {
    this.#cut.add(formatAddress(a));
  }

  heal(a: GossipAddress): void {
    this.#cut.delete(formatAddress(a));
  }

  /** @internal */
  reachable(from: GossipAddress, to: GossipAddress): MemoryTransport | undefined {
    if (this.#cut.has(formatAddress(from)) || this.#cut.has(formatAddress(to))) return undefined;
    return this.#nodes.get(formatAddress(to));
  }

  /** @internal */
  detach(t: MemoryTransport): void {
    this.#nodes.delete(formatAddress(t.local));
  }
}

export class MemoryTransport implements GossipTransport {
  #handlers: GossipHandlers | undefined;
  #closed = false;
  constructor(
    readonly network: MemoryGossipNetwork,
    readonly local: GossipAddress,
  ) {}

  setHandlers(handlers: GossipHandlers): void {
    this.#handlers = handlers;
  }

  sendPacket(to: GossipAddress, bytes: Uint8Array): void {
    if (this.#closed) return;
    const copy = bytes.slice();
    queueMicrotask(() => this.network.reachable(this.local, to)?.receivePacket(copy, this.local));
  }

  dial(to: GossipAddress, _timeout: Duration): Promise<GossipStream> {
    const target = this.network.reachable(this.local, to);
    if (this.#closed || target === undefined || target.#handlers === undefined) return Promise.reject(new Error(`dial ${formatAddress(to)}: connection refused`));
    const mine = new MemoryStream(to);
    const theirs = new MemoryStream(this.local);
    mine.peer = theirs;
    theirs.peer = mine;
    target.#handlers.stream(theirs);
    return Promise.resolve(mine);
  }

  /** @internal */
  receivePacket(bytes: Uint8Array, from: GossipAddress): void {
    if (!this.#closed) this.#handlers?.packet(bytes, from);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.network.detach(this);
    return Promise.resolve();
  }
}
