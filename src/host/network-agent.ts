/**
 * The node's network agent (moby `daemon/libnetwork/agent.go`, `drivers/overlay/peer.go`): NetworkDB
 * on this host's gossip port, fed by the swarm session and by the data plane.
 *
 * - Started by the first session message that carries networking keys (moby `agentInit`): the
 *   keyring gets the three `networking:gossip` keys with the second-oldest as primary (reference
 *   docker-overlay-facts.md §4.2), and the node joins the managers' gossip endpoints. Later key
 *   sets rotate the keyring (add the new, switch primary, remove the dropped).
 * - Each local swarm overlay is a NetworkDB network, joined when the overlay appears in the data
 *   plane and left when it goes (lazy participation). Each endpoint on it is published in
 *   `overlay_peer_table` (key: endpoint ID, value: `PeerRecord`), and remote records from that
 *   table are the only source of the overlay's FDB and neighbour entries.
 * - Each endpoint with a DNS name (a task, a container on an attachable overlay; not a load
 *   balancer sandbox) is also published in `endpoint_table` as an `EndpointRecord` (moby
 *   `addServiceInfoToCluster`), which the embedded DNS serves.
 * - The `endpoint_table` also programs each overlay's load balancer here (`lb-<network>`): every
 *   service VIP on that network with its tasks as backends (dataplane/load-balancer.ts), as
 *   moby's `addServiceBinding` programs IPVS from the same table.
 * - In port mode every host's VXLAN port differs, so records carry it in swarmnet's field 1000.
 */
import type { Clock } from '../util/clock.js';
import type { DropCounters } from '../util/drop.js';
import { Rng } from '../util/rng.js';
import { MemberlistKeyring } from '../crypto/memberlist-keyring.js';
import { NetworkDB } from '../gossip/networkdb.js';
import { SocketTransport } from '../gossip/socket-transport.js';
import type { GossipAddress } from '../gossip/transport.js';
import type { TableWatchEvent } from '../gossip/table-store.js';
import { decodeEndpointRecord, decodePeerRecord, encodeEndpointRecord, encodePeerRecord, ENDPOINT_TABLE, OVERLAY_PEER_TABLE, type NdbEndpointRecord } from '../wire/networkdb.js';
import type { PbEncryptionKey } from '../wire/swarmkit.js';
import type { GossipInfo, NetworkInfo, PeerSpec } from './control.js';
import type { LocalRuntime, RuntimeEndpoint } from './local-runtime.js';
import { EmbeddedDns } from './embedded-dns.js';
import { LoadBalancer, type LbBackend } from '../dataplane/load-balancer.js';
import { parseIpv4Address } from '../wire/address.js';
import type { Upstream } from './dns-forward.js';
import { NetworkRecords, type DnsEndpoint } from '../dns/records.js';

/** The routing mesh's network: it carries no DNS records (moby skips it). */
const INGRESS_NETWORK = 'ingress';

/** The load-balancer sandboxes the executor creates (no process, no DNS of their own). */
const isSandbox = (container: string) => container.startsWith('lb-') || container === 'ingress-sbox';

export const GOSSIP_KEY_SUBSYSTEM = 'networking:gossip';
/** How long the first join keeps retrying (moby retries the bootstrap for 10 s). */
const JOIN_RETRY_FOR_MS = 10_000;
const JOIN_RETRY_EVERY_MS = 500;

export interface NetworkAgentOptions {
  /** The host's loopback address: gossip binds and advertises it. */
  readonly address: string;
  /** 7946 in address mode; 0 in port mode (any free port). */
  readonly gossipPort: number;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly drops: DropCounters;
  readonly runtime: LocalRuntime;
  /** This host's VTEP (data-path address and port). */
  readonly vtep: GossipAddress;
  /** Port mode: records carry the VXLAN port (swarmnet's PeerRecord field 1000). */
  readonly announceTunnelPort: boolean;
  /** The host's DNS upstreams for names not known on the swarm's networks (loopback only). */
  readonly dnsUpstreams?: readonly Upstream[];
  /** The endpoint's DNS record (name, service, VIP, aliases), or undefined when it has none. */
  readonly endpointRecord?: (endpoint: RuntimeEndpoint) => NdbEndpointRecord | undefined;
}

/** The gossip keys in moby's order of use: primary (second-oldest) first, then the others. */
export function gossipKeyOrder(keys: readonly PbEncryptionKey[]): Uint8Array[] {
  const sorted = keys.filter((k) => k.subsystem === GOSSIP_KEY_SUBSYSTEM).sort((a, b) => a.lamport_time - b.lamport_time);
  if (sorted.length >= 2) [sorted[0], sorted[1]] = [sorted[1]!, sorted[0]!];
  return sorted.map((k) => k.key);
}

interface AppliedPeer {
  readonly spec: PeerSpec;
}

export class NetworkAgent {
  readonly #o: NetworkAgentOptions;
  readonly #transport: SocketTransport;
  #db: NetworkDB | undefined;
  #keyring: MemberlistKeyring | undefined;
  /** Local overlays by network ID. */
  readonly #networks = new Map<string, NetworkInfo>();
  /** Local endpoints on swarm overlays, by endpoint ID. */
  readonly #endpoints = new Map<string, RuntimeEndpoint>();
  /** The embedded DNS server of every container on a swarm overlay here. */
  readonly #dns: EmbeddedDns;
  /** Each local overlay's load balancer, by network ID (while its `lb-<net>` sandbox exists). */
  readonly #balancers = new Map<string, LoadBalancer>();
  /** Endpoints whose `endpoint_table` record is published, with that record. */
  readonly #named = new Map<string, NdbEndpointRecord>();
  /** Remote peers programmed into the data plane, by network ID and endpoint ID. */
  readonly #applied = new Map<string, AppliedPeer>();
  readonly #unsubscribe: () => void;
  #closed = false;

  private constructor(options: NetworkAgentOptions, transport: SocketTransport) {
    this.#o = options;
    this.#transport = transport;
    this.#dns = new EmbeddedDns({
      stackOf: (name) => options.runtime.stackOf(name),
      recordsFor: (name) => this.#recordsFor(name),
      rng: Rng.derive(options.rng.u32(), 'dns'),
      drops: options.drops,
      ...(options.dnsUpstreams ? { upstreams: options.dnsUpstreams } : {}),
    });
    this.#unsubscribe = options.runtime.subscribe({
      networkAdded: (n) => this.#networkAdded(n),
      networkRemoved: (n) => this.#networkRemoved(n),
      endpointAdded: (e) => this.#endpointAdded(e),
      endpointRemoved: (e) => this.#endpointRemoved(e),
    });
  }

  /** Binds the gossip sockets (before the first session, which announces the port). */
  static async bind(options: NetworkAgentOptions): Promise<NetworkAgent> {
    return new NetworkAgent(options, await SocketTransport.bind(options.address, options.gossipPort));
  }

  get gossipAddress(): GossipAddress {
    return this.#transport.local;
  }

  /** NetworkDB, once the first keys have arrived. */
  get networkDB(): NetworkDB | undefined {
    return this.#db;
  }

  /**
   * Every session message: the first with keys starts NetworkDB and joins `bootstrap` (the other
   * managers' gossip endpoints); later ones rotate the keyring.
   */
  onSession(keys: readonly PbEncryptionKey[], bootstrap: readonly GossipAddress[]): void {
    if (this.#closed) return;
    const ordered = gossipKeyOrder(keys);
    if (ordered.length === 0) return;
    if (this.#db !== undefined) {
      this.#keyring!.setKeys(ordered[0]!, ordered);
      return;
    }
    this.#keyring = new MemberlistKeyring(ordered, ordered[0]!);
    const rng = Rng.derive(this.#o.rng.u32(), 'networkdb');
    const db = new NetworkDB({ nodeName: rng.hex(12), transport: this.#transport, clock: this.#o.clock, rng, keyring: this.#keyring, drops: this.#o.drops });
    this.#db = db;
    db.watch((event) => {
      if (event.table === ENDPOINT_TABLE) this.#syncBalancer(event.network);
      else this.#peerEvent(event);
    });
    db.start();
    for (const n of this.#networks.values()) void db.joinNetwork(n.id!);
    for (const e of this.#endpoints.values()) this.#publish(e);
    const others = bootstrap.filter((a) => !(a.address === this.gossipAddress.address && a.port === this.gossipAddress.port));
    void this.#join(db, others);
  }

  /** `docker network inspect`'s `Peers` of a swarm network. */
  peers(networkId: string): { Name: string; IP: string }[] {
    return this.#db?.peers(networkId).map((p) => ({ Name: p.name, IP: p.ip })) ?? [];
  }

  /**
   * A stopping task leaves DNS first (moby `Endpoint.disableServiceInNetworkDB`): its records are
   * updated with `service_disabled`, which every host's resolver skips. True when it had records.
   */
  disableEndpoints(container: string): boolean {
    const db = this.#db;
    if (db === undefined) return false;
    let any = false;
    for (const e of this.#endpoints.values()) {
      const record = e.container === container ? this.#named.get(e.id) : undefined;
      if (record === undefined || record.service_disabled) continue;
      const disabled = { ...record, service_disabled: true };
      this.#named.set(e.id, disabled);
      upsert(db, ENDPOINT_TABLE, e.network.id!, e.id, encodeEndpointRecord(disabled));
      any = true;
    }
    return any;
  }

  /** `container`'s embedded DNS answer to `query` (what 127.0.0.11 would say), for exposure. */
  answerDns(container: string, query: Uint8Array, transport: 'udp' | 'tcp'): Promise<Uint8Array | undefined> {
    return this.#dns.answer(container, query, transport);
  }

  /** What `swarmnet` and the tests inspect: membership, keys, each local overlay's records. */
  info(): GossipInfo | null {
    const db = this.#db;
    if (db === undefined) return null;
    const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');
    const ml = db.memberlist;
    return {
      node: db.name,
      address: this.gossipAddress.address,
      port: this.gossipAddress.port,
      keys: (this.#keyring?.keys ?? []).map(hex),
      members: ml.allMembers().map((m) => ({ name: m.name, address: m.address, port: m.port, state: m.state, incarnation: m.incarnation })),
      networks: [...this.#networks.values()].map((n) => ({
        id: n.id!,
        name: n.name,
        peers: db.networkNodes(n.id!).sort(),
        records: [...db.entries(OVERLAY_PEER_TABLE, n.id!)].flatMap(([key, e]) => {
          const r = decodePeerRecord(e.value);
          return r.ok ? [{ key, owner: e.owner, endpointIp: r.value.endpoint_ip, endpointMac: r.value.endpoint_mac, tunnelEndpointIp: r.value.tunnel_endpoint_ip }] : [];
        }),
        endpoints: [...db.entries(ENDPOINT_TABLE, n.id!)].flatMap(([key, e]) => {
          const r = decodeEndpointRecord(e.value);
          return r.ok ? [{ key, owner: e.owner, name: r.value.name, serviceName: r.value.service_name, virtualIp: r.value.virtual_ip, endpointIp: r.value.endpoint_ip, aliases: r.value.aliases }] : [];
        }),
      })),
      stats: { packetsIn: ml.stats.packetsIn, packetsOut: ml.stats.packetsOut, bytesIn: ml.stats.bytesIn, bytesOut: ml.stats.bytesOut, staleEvents: db.stats.staleEvents },
    };
  }

  /**
   * Leaves the gossip gracefully (swarm leave, daemon shutdown), then closes the sockets; `abrupt`
   * (a crashed host) closes them without a word.
   */
  async close(abrupt = false): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#dns.close();
    for (const b of this.#balancers.values()) b.close();
    this.#balancers.clear();
    if (this.#db !== undefined) {
      if (!abrupt) await this.#db.leave().catch(() => undefined);
      await this.#db.close();
    } else {
      await this.#transport.close();
    }
  }

  async #join(db: NetworkDB, bootstrap: readonly GossipAddress[]): Promise<void> {
    const deadline = Date.now() + JOIN_RETRY_FOR_MS;
    for (;;) {
      try {
        await db.join(bootstrap);
        return;
      } catch {
        if (this.#closed || Date.now() > deadline) return;
        await new Promise((r) => setTimeout(r, JOIN_RETRY_EVERY_MS).unref());
      }
    }
  }

  #networkAdded(n: NetworkInfo): void {
    if (n.driver !== 'overlay' || n.id === undefined) return;
    this.#networks.set(n.id, n);
    if (this.#db !== undefined) void this.#db.joinNetwork(n.id);
  }

  #networkRemoved(n: NetworkInfo): void {
    if (n.id === undefined || !this.#networks.delete(n.id)) return;
    this.#db?.leaveNetwork(n.id);
    for (const key of [...this.#applied.keys()]) if (key.startsWith(`${n.id}/`)) this.#applied.delete(key);
  }

  #endpointAdded(e: RuntimeEndpoint): void {
    if (e.network.driver !== 'overlay' || e.network.id === undefined) return;
    this.#endpoints.set(e.id, e);
    this.#publish(e);
    if (isSandbox(e.container)) this.#syncBalancer(e.network.id!);
    else this.#dns.attach(e.container);
  }

  /** Programs the network's load balancer from its endpoint_table (VIP → live tasks). */
  #syncBalancer(networkId: string): void {
    const network = this.#networks.get(networkId);
    const stack = network === undefined || network.name === INGRESS_NETWORK ? undefined : this.#o.runtime.stackOf(`lb-${network.name}`);
    const existing = this.#balancers.get(networkId);
    if (stack === undefined || this.#db === undefined) {
      existing?.close();
      this.#balancers.delete(networkId);
      return;
    }
    let balancer = existing;
    if (balancer === undefined) {
      balancer = new LoadBalancer({ stack, iface: 'eth0', clock: this.#o.clock, drops: this.#o.drops });
      this.#balancers.set(networkId, balancer);
    }
    const services = new Map<number, LbBackend[]>();
    for (const entry of this.#db.entries(ENDPOINT_TABLE, networkId).values()) {
      const r = decodeEndpointRecord(entry.value);
      if (!r.ok || r.value.service_name === '' || !/^\d+\.\d+\.\d+\.\d+$/.test(r.value.virtual_ip)) continue;
      const vip = parseIpv4Address(r.value.virtual_ip);
      const backends = services.get(vip) ?? [];
      backends.push({ address: parseIpv4Address(r.value.endpoint_ip), weight: r.value.service_disabled ? 0 : 1 });
      services.set(vip, backends);
    }
    for (const list of services.values()) list.sort((a, b) => a.address - b.address);
    balancer.update(services);
  }

  /** The DNS records of `container`'s swarm networks in its order; `ingress` has none. */
  #recordsFor(container: string): NetworkRecords[] {
    const db = this.#db;
    if (db === undefined) return [];
    const out: NetworkRecords[] = [];
    for (const e of this.#endpoints.values()) {
      if (e.container !== container || e.network.name === INGRESS_NETWORK) continue;
      const records: DnsEndpoint[] = [];
      for (const entry of db.entries(ENDPOINT_TABLE, e.network.id!).values()) {
        const r = decodeEndpointRecord(entry.value);
        if (!r.ok) continue;
        const v = r.value;
        records.push({ name: v.name, serviceName: v.service_name, virtualIp: v.virtual_ip, endpointIp: v.endpoint_ip, aliases: v.aliases, taskAliases: v.task_aliases, disabled: v.service_disabled });
      }
      out.push(new NetworkRecords(e.network.name, records));
    }
    return out;
  }

  #endpointRemoved(e: RuntimeEndpoint): void {
    if (!this.#endpoints.delete(e.id)) return;
    if (isSandbox(e.container)) this.#syncBalancer(e.network.id!);
    if (![...this.#endpoints.values()].some((x) => x.container === e.container)) this.#dns.detach(e.container);
    const db = this.#db;
    if (db === undefined) return;
    const tables = this.#named.delete(e.id) ? [ENDPOINT_TABLE, OVERLAY_PEER_TABLE] : [OVERLAY_PEER_TABLE];
    for (const table of tables) {
      try {
        db.deleteEntry(table, e.network.id!, e.id);
      } catch {
        /* never published (NetworkDB started after) */
      }
    }
  }

  #publish(e: RuntimeEndpoint): void {
    const db = this.#db;
    if (db === undefined) return;
    const record = encodePeerRecord({
      endpoint_ip: `${e.ip}/${e.network.prefixLength}`,
      endpoint_mac: e.mac,
      tunnel_endpoint_ip: this.#o.vtep.address,
      ...(this.#o.announceTunnelPort ? { swarmnet_tunnel_endpoint_port: this.#o.vtep.port } : {}),
    });
    upsert(db, OVERLAY_PEER_TABLE, e.network.id!, e.id, record);
    // The DNS record once the daemon has recorded the container (after this turn).
    setImmediate(() => {
      if (this.#closed || this.#db !== db || !this.#endpoints.has(e.id)) return;
      const dns = this.#o.endpointRecord?.(e);
      if (dns === undefined) return;
      upsert(db, ENDPOINT_TABLE, e.network.id!, e.id, encodeEndpointRecord(dns));
      this.#named.set(e.id, dns);
    });
  }

  /** Remote `overlay_peer_table` records drive the overlay's FDB and neighbour entries. */
  #peerEvent(event: TableWatchEvent): void {
    if (event.table !== OVERLAY_PEER_TABLE || event.owner === this.#db?.name) return;
    const key = `${event.network}/${event.key}`;
    const old = this.#applied.get(key);
    const runtime = this.#o.runtime;
    if (old !== undefined) {
      this.#applied.delete(key);
      if (runtime.hasNetwork(old.spec.network)) runtime.removePeer(old.spec);
    }
    if (event.kind === 'delete') return;
    const network = this.#networks.get(event.network);
    if (network === undefined) return;
    const record = decodePeerRecord(event.value);
    if (!record.ok) return this.#o.drops.count(record.reason);
    const r = record.value;
    const spec: PeerSpec = {
      network: network.name,
      ip: r.endpoint_ip.split('/')[0]!,
      mac: r.endpoint_mac,
      vtepAddress: r.tunnel_endpoint_ip,
      vtepPort: r.swarmnet_tunnel_endpoint_port || this.#o.vtep.port,
    };
    try {
      runtime.addPeer(spec);
      this.#applied.set(key, { spec });
    } catch {
      this.#o.drops.count('malformed');
    }
  }
}

function upsert(db: NetworkDB, table: string, network: string, key: string, value: Uint8Array): void {
  try {
    db.createEntry(table, network, key, value);
  } catch {
    db.updateEntry(table, network, key, value);
  }
}
