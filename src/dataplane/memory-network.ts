/**
 * An in-memory underlay for deterministic tests (CONVENTIONS.md §8: a transport interface with a
 * real and an in-memory implementation).
 *
 * Contract, matching what a UDP socket gives the data plane:
 * - `send` joins the chunks into one datagram at once, as the kernel copies a sendmsg (the chunks
 *   are not kept; the datagram is the receiver's to keep), and never throws.
 * - Delivery is asynchronous and never re-entrant: datagrams are queued and delivered in a batch
 *   from one microtask; what a handler sends during a batch goes into the next one. Order between
 *   two endpoints is kept.
 * - A datagram to an address nobody is attached to disappears (as UDP to a closed port), counted
 *   in `undeliverable`. The queue is bounded by `MEMORY_NETWORK_QUEUE_MAX` (an overflowing
 *   datagram is counted in `overflowed` and lost, as a full socket buffer loses it).
 * - An optional drop hook decides, per datagram at send time, whether the network loses it
 *   (fault tests).
 * - Each attachment gets a distinct source port from the ephemeral range, like the UDP underlay's
 *   tx socket; port 0 in `attach` picks a free port for the receiving endpoint too.
 */
import { InvalidArgumentError } from '../util/errors.js';
import type { DatagramHandler, Underlay, UnderlayEndpoint } from './underlay.js';

/** Datagrams in flight at once before the network starts losing them. */
export const MEMORY_NETWORK_QUEUE_MAX = 65_536;
/** Where automatically chosen ports start (Linux `ip_local_port_range` default, 32768–60999). */
export const MEMORY_EPHEMERAL_PORT_FIRST = 32_768;
export const MEMORY_EPHEMERAL_PORT_LAST = 60_999;

/** Return true to lose the datagram. `data` is the joined datagram. */
export type DropHook = (data: Uint8Array, from: UnderlayEndpoint, to: UnderlayEndpoint) => boolean;

interface InFlight {
  readonly data: Uint8Array;
  readonly fromAddress: string;
  readonly fromPort: number;
  readonly toKey: string;
}

export class MemoryNetwork {
  private readonly endpoints = new Map<string, MemoryUnderlay>();
  private queue: InFlight[] = [];
  private scheduled = false;
  private nextPort = MEMORY_EPHEMERAL_PORT_FIRST;
  private dropHook: DropHook | undefined;
  /** Datagrams sent to an endpoint nobody is attached to. */
  undeliverable = 0;
  /** Datagrams lost because the queue was full. */
  overflowed = 0;
  /** Datagrams the drop hook lost. */
  dropped = 0;
  /** Datagrams delivered to a handler. */
  delivered = 0;

  constructor(opts: { dropHook?: DropHook } = {}) {
    this.dropHook = opts.dropHook;
  }

  setDropHook(hook: DropHook | undefined): void {
    this.dropHook = hook;
  }

  /** An underlay receiving on (address, port); port 0 picks one. */
  attach(address: string, port: number): Underlay {
    if (typeof address !== 'string' || address.length === 0) throw new InvalidArgumentError('memory underlay address must be a non-empty string');
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new InvalidArgumentError(`memory underlay port out of range 0..65535: ${port}`);
    const bound = port === 0 ? this.freePort(address) : port;
    const key = endpointKey(address, bound);
    if (this.endpoints.has(key)) throw new InvalidArgumentError(`${key} is already attached to this memory network (EADDRINUSE)`);
    const sourcePort = this.freePort(address);
    const underlay = new MemoryUnderlay(this, { address, port: bound }, sourcePort);
    this.endpoints.set(key, underlay);
    // The source port is bound too, so no later attachment takes it.
    this.endpoints.set(endpointKey(address, sourcePort), underlay);
    return underlay;
  }

  /** Datagrams queued and not yet delivered. */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves once nothing is queued (bounded: gives up after `maxTurns` event-loop turns). */
  async idle(maxTurns = 1000): Promise<void> {
    for (let i = 0; i < maxTurns && (this.queue.length > 0 || this.scheduled); i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** @internal Called by an attached underlay. */
  enqueue(from: MemoryUnderlay, chunks: readonly Uint8Array[], address: string, port: number): void {
    const data = join(chunks);
    const to: UnderlayEndpoint = { address, port };
    if (this.dropHook !== undefined && this.dropHook(data, { address: from.local.address, port: from.sourcePort }, to)) {
      this.dropped++;
      return;
    }
    if (this.queue.length >= MEMORY_NETWORK_QUEUE_MAX) {
      this.overflowed++;
      return;
    }
    this.queue.push({ data, fromAddress: from.local.address, fromPort: from.sourcePort, toKey: endpointKey(address, port) });
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.deliver);
    }
  }

  /** @internal */
  detach(underlay: MemoryUnderlay): void {
    for (const [key, u] of this.endpoints) if (u === underlay) this.endpoints.delete(key);
  }

  private readonly deliver = (): void => {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    let failure: unknown;
    for (const d of batch) {
      const target = this.endpoints.get(d.toKey);
      // Only the receiving endpoint takes datagrams, not the source port an underlay sends from.
      if (target === undefined || endpointKey(target.local.address, target.local.port) !== d.toKey || target.handler === undefined) {
        this.undeliverable++;
        continue;
      }
      this.delivered++;
      try {
        target.handler(d.data, d.fromAddress, d.fromPort);
      } catch (e) {
        failure ??= e; // the rest of the batch is still delivered; the first failure surfaces after
      }
    }
    if (failure !== undefined) throw failure;
  };

  private freePort(address: string): number {
    const span = MEMORY_EPHEMERAL_PORT_LAST - MEMORY_EPHEMERAL_PORT_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const port = this.nextPort;
      this.nextPort = port === MEMORY_EPHEMERAL_PORT_LAST ? MEMORY_EPHEMERAL_PORT_FIRST : port + 1;
      if (!this.endpoints.has(endpointKey(address, port))) return port;
    }
    throw new InvalidArgumentError(`no free port left on ${address} in this memory network`);
  }
}

class MemoryUnderlay implements Underlay {
  handler: DatagramHandler | undefined;
  private sendErrorHandler: ((error: Error) => void) | undefined;
  private closed = false;
  sendErrors = 0;

  constructor(
    private readonly network: MemoryNetwork,
    readonly local: UnderlayEndpoint,
    readonly sourcePort: number,
  ) {}

  send(chunks: readonly Uint8Array[], address: string, port: number): void {
    if (this.closed) {
      this.sendErrors++;
      const handler = this.sendErrorHandler;
      // Reported asynchronously, as a socket's send callback would be.
      if (handler !== undefined) queueMicrotask(() => handler(new Error('send on a closed memory underlay (ERR_SOCKET_DGRAM_NOT_RUNNING)')));
      return;
    }
    this.network.enqueue(this, chunks, address, port);
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  onSendError(handler: (error: Error) => void): void {
    this.sendErrorHandler = handler;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.handler = undefined;
      this.network.detach(this);
    }
    return Promise.resolve();
  }
}

function endpointKey(address: string, port: number): string {
  return `${address}:${port}`;
}

function join(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
