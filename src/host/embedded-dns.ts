/**
 * The embedded DNS server on one host (moby `daemon/libnetwork/resolver.go`): every container on
 * a swarm overlay gets a UDP socket at 127.0.0.11:53 in its own stack (its /etc/resolv.conf names
 * it), and each query is answered from the `endpoint_table` records of that container's networks
 * (dns/resolver.ts). Names not known here go to the host's upstream servers (dns-forward.ts:
 * loopback ones only — the emulated hosts' default LAN server is never contacted), and without an
 * answer from them get SERVFAIL, as a Docker host with unreachable upstreams answers.
 *
 * Bad queries are dropped and counted (`DropCounters`); at most `MAX_CONCURRENT_FORWARDS` queries
 * per container wait on upstreams (moby's `maxConcurrent`), beyond which REFUSED comes back.
 */
import { answerQuery, refused, servfail } from '../dns/resolver.js';
import { forwardDns, type Upstream } from './dns-forward.js';
import type { NetworkRecords } from '../dns/records.js';
import type { NetStack, UdpSocket } from '../stack/types.js';
import type { DropCounters } from '../util/drop.js';
import type { Rng } from '../util/rng.js';
import { parseIpv4Address } from '../wire/address.js';
import { DNS_UDP_PORT, parseDns, parseDnsUdp } from '../wire/dns.js';
import { EMBEDDED_DNS_ADDRESS } from './container-files.js';

/** moby `maxConcurrent`: forwarded queries in progress per container. */
export const MAX_CONCURRENT_FORWARDS = 1024;

export interface EmbeddedDnsDeps {
  readonly stackOf: (container: string) => NetStack | undefined;
  /** The records of the container's networks, in its network order (ingress excluded). */
  readonly recordsFor: (container: string) => readonly NetworkRecords[];
  readonly rng: Rng;
  readonly drops: DropCounters;
  /** The host's upstream servers (loopback only). */
  readonly upstreams?: readonly Upstream[];
}

export interface EmbeddedDnsStats {
  queries: number;
  answered: number;
  forwarded: number;
  servfail: number;
  refused: number;
  dropped: number;
}

export class EmbeddedDns {
  readonly stats: EmbeddedDnsStats = { queries: 0, answered: 0, forwarded: 0, servfail: 0, refused: 0, dropped: 0 };
  readonly #inFlight = new Map<string, number>();
  readonly #deps: EmbeddedDnsDeps;
  readonly #sockets = new Map<string, UdpSocket>();

  constructor(deps: EmbeddedDnsDeps) {
    this.#deps = deps;
  }

  /** Starts the server in `container` (once; later calls do nothing). */
  attach(container: string): void {
    if (this.#sockets.has(container)) return;
    const stack = this.#deps.stackOf(container);
    if (stack === undefined) return;
    const socket = stack.openUdp({ address: parseIpv4Address(EMBEDDED_DNS_ADDRESS), port: DNS_UDP_PORT });
    if (typeof socket === 'string') return;
    this.#sockets.set(container, socket);
    socket.onMessage((payload, from, port) => this.#query(container, socket, payload, from, port));
  }

  detach(container: string): void {
    this.#sockets.get(container)?.close();
    this.#sockets.delete(container);
  }

  /** Answers one query the way the container's socket received it (or over TCP: no truncation). */
  async answer(container: string, payload: Uint8Array, transport: 'udp' | 'tcp' = 'udp'): Promise<Uint8Array | undefined> {
    this.stats.queries++;
    const query = transport === 'udp' ? parseDnsUdp(payload) : parseDns(payload);
    if (!query.ok) {
      this.stats.dropped++;
      this.#deps.drops.count(query.reason);
      return undefined;
    }
    if (query.value.type !== 'query') {
      this.stats.dropped++;
      this.#deps.drops.count('unsupported');
      return undefined;
    }
    const a = answerQuery(query.value, this.#deps.recordsFor(container), this.#deps.rng, transport);
    if (a.kind === 'reply') {
      this.stats.answered++;
      return a.bytes;
    }
    const upstreams = this.#deps.upstreams ?? [];
    if (upstreams.length > 0) {
      const busy = this.#inFlight.get(container) ?? 0;
      if (busy >= MAX_CONCURRENT_FORWARDS) {
        this.stats.refused++;
        return refused(query.value);
      }
      this.#inFlight.set(container, busy + 1);
      try {
        const relayed = await forwardDns(payload, upstreams);
        if (relayed !== undefined) {
          this.stats.forwarded++;
          return relayed;
        }
      } finally {
        this.#inFlight.set(container, (this.#inFlight.get(container) ?? 1) - 1);
      }
    }
    this.stats.servfail++;
    return servfail(query.value);
  }

  close(): void {
    for (const s of this.#sockets.values()) s.close();
    this.#sockets.clear();
  }

  #query(container: string, socket: UdpSocket, payload: Uint8Array, from: number, port: number): void {
    void this.answer(container, payload).then((reply) => {
      if (reply !== undefined && this.#sockets.get(container) === socket) socket.send(reply, from, port);
    });
  }
}
