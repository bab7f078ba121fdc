/**
 * How memberlist reaches the network: UDP packets and TCP streams on the gossip port (7946). Two
 * implementations: real sockets on loopback (socket-transport.ts) and an in-memory network
 * (memory-transport.ts) for deterministic tests on a manual clock. memberlist itself never
 * touches a socket.
 */
import type { Duration } from '../util/clock.js';

export interface GossipAddress {
  readonly address: string;
  readonly port: number;
}

/** One TCP connection: memberlist writes one message each way, then closes. */
export interface GossipStream {
  readonly remote: GossipAddress;
  /** Bytes as they arrive, in order. Set once, before any data can arrive (same tick). */
  onData(handler: (chunk: Uint8Array) => void): void;
  /** The peer closed or the connection broke; no data follows. */
  onClose(handler: () => void): void;
  write(bytes: Uint8Array): void;
  /** Closes after flushing what was written. */
  end(): void;
  /** Closes at once. Idempotent. */
  destroy(): void;
}

export interface GossipHandlers {
  packet(bytes: Uint8Array, from: GossipAddress): void;
  stream(stream: GossipStream): void;
}

export interface GossipTransport {
  /** The address and port this transport is bound to (what memberlist advertises). */
  readonly local: GossipAddress;
  setHandlers(handlers: GossipHandlers): void;
  /** Best effort: errors are counted by the owner, never thrown at it. */
  sendPacket(to: GossipAddress, bytes: Uint8Array): void;
  /** Opens a stream; rejects when the peer refuses or `timeout` passes (real time). */
  dial(to: GossipAddress, timeout: Duration): Promise<GossipStream>;
  close(): Promise<void>;
}

export function formatAddress(a: GossipAddress): string {
  return `${a.address}:${a.port}`;
}
