/**
 * IPv4 reassembly (RFC 791 §3.2 "Reassembly", RFC 815), with Linux's limits and policies
 * (`net/ipv4/ip_fragment.c`, `net/ipv4/inet_fragment.c`).
 *
 * Contract of `accept(…)`: takes one received fragment (the datagram's bytes, trimmed to its Total
 * Length: a view the queue may keep, FrameSink contract) and returns the whole datagram in a fresh
 * buffer once its last missing piece arrives, else null. Fragments are keyed by (source,
 * destination, protocol, identification) (RFC 791). Rules:
 * - A fragment that overlaps another partly kills its whole datagram, every fragment counted as
 *   `fragment-overlap` (Linux since 4.19 / CVE-2018-5391, after RFC 5722's reasoning for IPv6);
 *   one lying wholly within an earlier one is a duplicate and only it is dropped (`IPFRAG_DUP`).
 * - Lengths must agree: a non-final fragment carries a non-zero multiple of 8 bytes, nothing lies
 *   past the final fragment's end, two final fragments agree (`bad-length`); the whole may not
 *   exceed 65 535 bytes (`too-large`; the "ping of death" check).
 * - A datagram not complete `REASSEMBLY_TIMEOUT` (30 s, `ipfrag_time`) after its first fragment
 *   is dropped (each fragment counted `reassembly-timeout`); if fragment 0 had arrived,
 *   `onTimeout` receives it so the stack can send ICMP Time Exceeded code 1 (RFC 792; Linux
 *   `ip_expire` sends it only then).
 * - Memory is bounded by `REASSEMBLY_MEMORY_MAX` (`ipfrag_high_thresh`, 4 MiB): a fragment that
 *   would pass it is dropped as `queue-full` (Linux `inet_frag_find` refuses new ones above it).
 * The rebuilt datagram keeps fragment 0's header (and options) with Total Length, MF and the
 * offset rewritten and the checksum recomputed.
 */
import { readU16, writeU16 } from '../wire/bytes.js';
import { internetChecksum } from '../wire/checksum.js';
import {
  IPV4_CHECKSUM_OFFSET,
  IPV4_FLAGS_FRAG_OFFSET,
  IPV4_FLAG_DF,
  IPV4_FRAG_UNIT,
  IPV4_MAX_PACKET_LEN,
  IPV4_TOTAL_LEN_OFFSET,
} from '../wire/ipv4.js';
import type { Ipv4Addr } from '../wire/address.js';
import { seconds, type Clock, type Timer } from '../util/clock.js';
import type { DropCounters, DropReason } from '../util/drop.js';

export const REASSEMBLY_TIMEOUT = seconds(30);
export const REASSEMBLY_MEMORY_MAX = 4 * 1024 * 1024;
/** Bookkeeping charged per held fragment on top of its bytes (Linux charges skb truesize). */
export const REASSEMBLY_FRAGMENT_OVERHEAD = 64;

interface Fragment {
  readonly offset: number;
  readonly end: number;
  readonly data: Uint8Array;
  readonly charge: number;
}

interface FragmentQueue {
  readonly key: string;
  /** Sorted by offset; never overlapping. */
  readonly fragments: Fragment[];
  /** End of the final fragment, once it has arrived; -1 before. */
  totalLength: number;
  received: number;
  memory: number;
  /** Fragment 0 as it arrived (header first), for the rebuilt header and the ICMP quote. */
  first: Uint8Array | null;
  timer: Timer | null;
}

export class Reassembler {
  readonly #queues = new Map<string, FragmentQueue>();
  #memory = 0;

  constructor(
    private readonly clock: Clock,
    private readonly drops: DropCounters,
    /** A datagram timed out after its fragment 0 arrived (`first` is that fragment). */
    private readonly onTimeout: (first: Uint8Array) => void,
  ) {}

  /** Bytes held (for tests and stats). */
  get memory(): number {
    return this.#memory;
  }

  get pending(): number {
    return this.#queues.size;
  }

  accept(
    datagram: Uint8Array,
    headerLen: number,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: number,
    identification: number,
    fragmentOffset: number,
    moreFragments: boolean,
  ): Uint8Array | null {
    const data = datagram.subarray(headerLen);
    const offset = fragmentOffset;
    const end = offset + data.length;
    const key = `${src}/${dst}/${protocol}/${identification}`;
    let q = this.#queues.get(key);
    if (headerLen + end > IPV4_MAX_PACKET_LEN) return this.#reject(q, 'too-large');
    if (moreFragments && (data.length === 0 || data.length % IPV4_FRAG_UNIT !== 0)) return this.#reject(undefined, 'bad-length');
    const charge = datagram.length + REASSEMBLY_FRAGMENT_OVERHEAD;
    if (this.#memory + charge > REASSEMBLY_MEMORY_MAX) {
      this.drops.count('queue-full');
      return null;
    }
    if (q === undefined) {
      q = { key, fragments: [], totalLength: -1, received: 0, memory: 0, first: null, timer: null };
      const queue = q;
      q.timer = this.clock.setTimer(REASSEMBLY_TIMEOUT, () => this.#expire(queue));
      this.#queues.set(key, q);
    }
    if (!moreFragments) {
      if (q.totalLength >= 0 && q.totalLength !== end) return this.#reject(q, 'bad-length');
      const last = q.fragments[q.fragments.length - 1];
      if (last !== undefined && last.end > end) return this.#reject(q, 'bad-length');
      q.totalLength = end;
    } else if (q.totalLength >= 0 && end > q.totalLength) {
      return this.#reject(q, 'bad-length');
    }
    // Find the insertion point and check both neighbours for overlap.
    const list = q.fragments;
    let i = list.length;
    while (i > 0 && list[i - 1].offset > offset) i--;
    const before = list[i - 1];
    const after = list[i];
    if (before !== undefined && before.end > offset) {
      if (end <= before.end) return this.#duplicate(q);
      return this.#reject(q, 'fragment-overlap');
    }
    if (after !== undefined && after.offset < end) {
      if (after.offset === offset && after.end === end) return this.#duplicate(q);
      return this.#reject(q, 'fragment-overlap');
    }
    list.splice(i, 0, { offset, end, data, charge });
    q.received += data.length;
    q.memory += charge;
    this.#memory += charge;
    if (offset === 0) q.first = datagram;
    if (q.totalLength < 0 || q.received !== q.totalLength) return null;
    return this.#rebuild(q);
  }

  close(): void {
    for (const q of this.#queues.values()) q.timer?.cancel();
    this.#queues.clear();
    this.#memory = 0;
  }

  #rebuild(q: FragmentQueue): Uint8Array {
    this.#remove(q);
    const first = q.first!;
    const headerLen = first.length - q.fragments[0].data.length;
    const out = Buffer.allocUnsafe(headerLen + q.totalLength);
    out.set(first.subarray(0, headerLen), 0);
    for (const f of q.fragments) out.set(f.data, headerLen + f.offset);
    writeU16(out, IPV4_TOTAL_LEN_OFFSET, out.length);
    writeU16(out, IPV4_FLAGS_FRAG_OFFSET, readU16(out, IPV4_FLAGS_FRAG_OFFSET) & IPV4_FLAG_DF);
    writeU16(out, IPV4_CHECKSUM_OFFSET, 0);
    writeU16(out, IPV4_CHECKSUM_OFFSET, internetChecksum(out, 0, headerLen));
    return out;
  }

  #duplicate(_q: FragmentQueue): null {
    this.drops.count('fragment-overlap');
    return null;
  }

  /** Drops the offending fragment and, when it belongs to a queue, the whole datagram. */
  #reject(q: FragmentQueue | undefined, reason: DropReason): null {
    if (q === undefined) {
      this.drops.count(reason);
      return null;
    }
    this.#remove(q);
    this.drops.count(reason, q.fragments.length + 1);
    return null;
  }

  #expire(q: FragmentQueue): void {
    q.timer = null;
    if (this.#queues.get(q.key) !== q) return;
    this.#remove(q);
    this.drops.count('reassembly-timeout', q.fragments.length);
    if (q.first !== null) this.onTimeout(q.first);
  }

  #remove(q: FragmentQueue): void {
    q.timer?.cancel();
    q.timer = null;
    this.#queues.delete(q.key);
    this.#memory -= q.memory;
  }
}
