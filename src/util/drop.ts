/**
 * Results of reading untrusted bytes, and the single list of reasons a packet can be dropped.
 *
 * Bytes from a peer never throw: a parser returns `Result<T>`, and on failure a `Drop` naming one
 * reason from `DROP_REASONS`, the byte offset where the problem was found and the value seen there.
 * The caller counts the drop under that reason and moves on (CONVENTIONS.md §4, §14). The same list
 * drives per-host counters, traces and `swarmnet stats`, so it is append-only: later layers add
 * their reasons (`no-fdb-entry`, `queue-full` …) at the end.
 */

/** Every reason a packet can be refused. Append-only: indexes are used as counter slots. */
export const DROP_REASONS = [
  /** Fewer bytes than the header or a length field requires. */
  'truncated',
  /** A length field disagrees with the bytes present or with the protocol's rules. */
  'bad-length',
  /** An Internet checksum (RFC 1071) does not verify. */
  'bad-checksum',
  /** A version field we do not speak (IPv4 version ≠ 4, memberlist version …). */
  'bad-version',
  /** Mandatory flag bits missing (VXLAN I flag) or forbidden ones set. */
  'bad-flags',
  /** A header option or field value that is malformed. */
  'malformed',
  /** A well-formed packet of a kind we do not handle (unknown ARP hardware type …). */
  'unsupported',
  /** Larger than the named limit for that field or message. */
  'too-large',
  /** AEAD authentication failed: wrong key, tampered bytes. */
  'auth-failed',
  /** ESP sequence number already seen or left of the anti-replay window (RFC 4303 §3.4.3). */
  'replay',
  /** No security association for this SPI. */
  'unknown-spi',
  // — forwarding (dataplane/) —
  /** Unicast to a MAC that is neither a local port nor in the FDB: never flooded over VXLAN. */
  'no-fdb-entry',
  /** Broadcast or multicast that would have to cross the tunnel: Docker's overlay never floods. */
  'not-flooded',
  /** A VXLAN datagram for a VNI with no overlay sandbox on this host. */
  'unknown-vni',
  /** A frame larger than the link MTU allows (bridges drop, they do not fragment). */
  'too-big',
  /** The underlay refused the datagram (a socket error); counted, never thrown. */
  'send-failed',
  /** A bounded queue was full (ARP-pending packets, reassembly buffers, socket receive). */
  'queue-full',
  // — the container stack (stack/) —
  /** Not addressed to this interface (another unicast MAC or IP). */
  'not-for-us',
  /** No route to the destination. */
  'no-route',
  /** TTL reached zero in transit. */
  'ttl-expired',
  /** A Don't-Fragment datagram larger than the route's MTU (ICMP fragmentation needed). */
  'frag-needed',
  /** ARP resolution gave up: no reply to the requests sent. */
  'arp-unresolved',
  /** Fragments that never completed a datagram before the reassembly timeout. */
  'reassembly-timeout',
  /** A fragment overlapping another (dropped with its whole datagram, as Linux does since 2018). */
  'fragment-overlap',
  /** A UDP datagram for a port nobody listens on (ICMP port unreachable goes back). */
  'no-socket',
  /** A protocol the stack does not handle (ICMP protocol unreachable goes back). */
  'no-protocol',
  // — gossip (gossip/) —
  /** An event no newer (Lamport time) than what is stored: a replay or a late copy, not re-gossiped. */
  'stale',
  // — encrypted overlays —
  /** Cleartext VXLAN for an encrypted VNI (Docker's iptables rule drops it). */
  'cleartext',
  /** An outbound ESP SA whose 32-bit sequence is used up (RFC 4303 §3.3.3: never wrap). */
  'sequence-exhausted',
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

/** Index of each reason in `DROP_REASONS`, for counter arrays on the hot path. */
export const DROP_REASON_INDEX: Readonly<Record<DropReason, number>> = Object.freeze(
  Object.fromEntries(DROP_REASONS.map((r, i) => [r, i])) as Record<DropReason, number>,
);

/** A refused input: why, where (byte offset into the bytes handed to the parser), what was seen. */
export interface Drop {
  readonly ok: false;
  readonly reason: DropReason;
  /** Byte offset, relative to the start of the bytes given to the parser. */
  readonly offset: number;
  /** The offending value (a length, a flag byte, a checksum …), when there is one. */
  readonly value?: number;
}

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export type Result<T> = Ok<T> | Drop;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function drop(reason: DropReason, offset: number, value?: number): Drop {
  return value === undefined ? { ok: false, reason, offset } : { ok: false, reason, offset, value };
}

/** Re-bases a drop found inside an inner header to the offset of the outer bytes. */
export function shiftDrop(d: Drop, by: number): Drop {
  return d.value === undefined
    ? { ok: false, reason: d.reason, offset: d.offset + by }
    : { ok: false, reason: d.reason, offset: d.offset + by, value: d.value };
}

/** A one-line description of a drop, e.g. `bad-checksum at byte 10 (saw 0x1c46)`. */
export function describeDrop(d: Drop): string {
  const seen = d.value === undefined ? '' : ` (saw 0x${d.value.toString(16)})`;
  return `${d.reason} at byte ${d.offset}${seen}`;
}

/** Counts drops by reason in a flat array: one slot per `DROP_REASONS` entry, no allocation. */
export class DropCounters {
  readonly counts = new Float64Array(DROP_REASONS.length);

  count(reason: DropReason, n = 1): void {
    this.counts[DROP_REASON_INDEX[reason]] += n;
  }

  get(reason: DropReason): number {
    return this.counts[DROP_REASON_INDEX[reason]];
  }

  total(): number {
    let t = 0;
    for (const c of this.counts) t += c;
    return t;
  }

  /** Non-zero counters as a plain object, for stats output. */
  snapshot(): Partial<Record<DropReason, number>> {
    const out: Partial<Record<DropReason, number>> = {};
    DROP_REASONS.forEach((r, i) => {
      if (this.counts[i] !== 0) out[r] = this.counts[i];
    });
    return out;
  }
}
