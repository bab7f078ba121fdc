/**
 * The embedded DNS server on one host (moby `daemon/libnetwork/resolver.go`): every container on
 * a swarm overlay gets a UDP socket at 127.0.0.11:53 in its own stack (its /etc/resolv.conf names
 * it), and each query is answered from the `endpoint_table` records of that container's networks
 * (dns/resolver.ts). Names not known here would go to the host's upstream servers; the emulated
 * hosts' servers are not on loopback, and swarmnet never sends beyond 127.0.0.0/8, so such names
 * get SERVFAIL — what a Docker host with unreachable upstreams answers.
 *
 * Bad queries are dropped and counted (`DropCounters`). Answers are computed at once (nothing is
 * forwarded), so no query waits and moby's cap on concurrent forwards has nothing to bound.
 */
import { answerQuery, servfail } from '../dns/resolver.js';
import type { NetworkRecords } from '../dns/records.js';
import type { NetStack, UdpSocket } from '../stack/types.js';
import type { DropCounters } from '../util/drop.js';
import type { Rng } from '../util/rng.js';
import { parseIpv4Address } from '../wire/address.js';
import { DNS_UDP_PORT, parseDns, parseDnsUdp } from '../wire/dns.js';
import { EMBEDDED_DNS_ADDRESS } from './container-files.js';

export interface EmbeddedDnsDeps {
  readonly stackOf: (container: string) => NetStack | undefined;
  /** The records of the container's networks, in its network order (ingress excluded). */
  readonly recordsFor: (container: string) => readonly NetworkRecords[];
  readonly rng: Rng;
  readonly drops: DropCounters;
}

export interface EmbeddedDnsStats {
  queries: number;
  answered: number;
  servfail: number;
  dropped: number;
}

export class EmbeddedDns {
  readonly stats: EmbeddedDnsStats = { queries: 0, answered: 0, servfail: 0, dropped: 0 };
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
  answer(container: string, payload: Uint8Array, transport: 'udp' | 'tcp' = 'udp'): Uint8Array | undefined {
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
    this.stats.servfail++;
    return servfail(query.value);
  }

  close(): void {
    for (const s of this.#sockets.values()) s.close();
    this.#sockets.clear();
  }

  #query(container: string, socket: UdpSocket, payload: Uint8Array, from: number, port: number): void {
    const reply = this.answer(container, payload);
    if (reply !== undefined) socket.send(reply, from, port);
  }
}
