/**
 * `docker network …` on one host's daemon (moby `daemon/network.go`, `daemon/cluster/networks.go`):
 * the host's local networks (`bridge`, `host`, `none`, and `docker_gwbridge` once the host has
 * been in a swarm) and the swarm's overlays, as this node sees them:
 *
 * - a manager sees every swarm network (from the control API);
 * - a worker sees only the overlays it has an endpoint on — `ingress` (its `ingress-sbox`
 *   attachment, from its node object) and those of its running task and standalone containers,
 *   exactly while they run: networks are lazy on workers.
 *
 * Local networks are inspected with their local endpoints; a swarm network inspected where it has
 * none shows `Containers: null`, as moby's store-converted view does.
 */
import { createHash } from 'node:crypto';
import type { Rng } from '../util/rng.js';
import { formatMac, macFromIpv4, parseIpv4Address } from '../wire/address.js';
import type { PbNetwork, PbNetworkAttachment } from '../wire/swarmkit.js';
import type { LiveEndpoint } from './daemon-containers.js';
import { EngineApiError, type NetworkCreateRequest, type NetworkEndpoint, type NetworkListFilters, type NetworkResource } from './engine-api.js';
import { goTime } from './engine-convert.js';

export const MTU_OPTION = 'com.docker.network.driver.mtu';
/** swarmkit's label on the networks it creates itself. */
const PREDEFINED_SWARM_LABEL = 'com.docker.swarm.predefined';

/** A `label` filter (`key` or `key=value`) against a network's labels. */
function labelMatches(labels: Readonly<Record<string, string>>, filter: string): boolean {
  const eq = filter.indexOf('=');
  return eq < 0 ? Object.hasOwn(labels, filter) : labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}
/** Names only the daemon may create (moby `runconfig.IsPreDefinedNetwork`). */
const PREDEFINED_NAMES = new Set(['bridge', 'host', 'none', 'default']);
/** Smallest and largest MTU an interface takes (Linux `ETH_MIN_MTU`, IPv4's 65535). */
const MIN_MTU = 68;
const MAX_MTU = 65535;

interface LocalNetwork {
  readonly resource: NetworkResource;
}

/** What the daemon lends this module: its swarm role and control-plane access. */
export interface NetworkContext {
  /** `inactive`, `worker` or `manager`. */
  readonly role: () => 'inactive' | 'worker' | 'manager';
  /** Every swarm network (managers only). */
  readonly listSwarm: () => Promise<PbNetwork[]>;
  readonly createSwarm: (request: NetworkCreateRequest) => Promise<string>;
  readonly removeSwarm: (id: string) => Promise<void>;
  /** This node's own attachments (its `ingress-sbox`), from its node object. */
  readonly attachments: () => readonly PbNetworkAttachment[];
  /** This host's container endpoints (local networks and swarm overlays). */
  readonly endpoints?: () => readonly LiveEndpoint[];
  /** NetworkDB's peers of a swarm network present on this host (`Peers` in inspect). */
  readonly peers?: (networkId: string) => readonly { Name: string; IP: string }[];
  /**
   * The refusal for a manager-only operation. Creating an overlay anywhere but on a manager gets
   * the "not in a swarm" text even on a worker (moby `daemon/network.go` checks `IsManager()`
   * before anything else); other operations get the text for the node's role.
   */
  readonly notManager: (operation: 'create' | 'other') => EngineApiError;
}

export class DaemonNetworks {
  readonly #local = new Map<string, LocalNetwork>();
  readonly #ctx: NetworkContext;
  readonly #rng: Rng;
  readonly #now: () => Date;

  constructor(ctx: NetworkContext, rng: Rng, now: () => Date) {
    this.#ctx = ctx;
    this.#rng = rng;
    this.#now = now;
    this.#addLocal('bridge', 'bridge', { Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }, {
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': 'docker0',
      [MTU_OPTION]: '1500',
    });
    this.#addLocal('host', 'host', undefined, {});
    this.#addLocal('none', 'null', undefined, {});
  }

  /** A local (non-swarm) network by name: services refuse them (moby `populateNetworkID`). */
  localNetwork(name: string): { readonly name: string; readonly predefined: boolean } | undefined {
    const n = [...this.#local.values()].find((l) => l.resource.Name === name);
    return n ? { name: n.resource.Name, predefined: PREDEFINED_NAMES.has(n.resource.Name) } : undefined;
  }

  /** The ID of a local network by name (`bridge`, `host`, `none`, `docker_gwbridge`). */
  localNetworkId(name: string): string | undefined {
    return [...this.#local.values()].find((l) => l.resource.Name === name)?.resource.Id;
  }

  /** `docker_gwbridge` appears when the host first joins or creates a swarm, and stays. */
  ensureGatewayBridge(): void {
    if ([...this.#local.values()].some((n) => n.resource.Name === 'docker_gwbridge')) return;
    this.#addLocal('docker_gwbridge', 'bridge', { Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }, {
      'com.docker.network.bridge.enable_icc': 'false',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.name': 'docker_gwbridge',
    });
  }

  async list(filters: NetworkListFilters | undefined): Promise<NetworkResource[]> {
    const all = await this.#visible();
    return all.filter((n) => matches(n, filters ?? {}));
  }

  async inspect(term: string): Promise<NetworkResource> {
    const all = await this.#visible();
    const found = all.find((n) => n.Id === term) ?? all.find((n) => n.Name === term) ?? uniquePrefix(all, term);
    if (!found) throw new EngineApiError(`network ${term} not found`, 404);
    return found;
  }

  async create(request: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    const name = request.Name;
    const driver = request.Driver || 'bridge';
    if (typeof name !== 'string' || name === '') throw new EngineApiError('network name is required', 400);
    if (driver === 'overlay') {
      if (this.#ctx.role() !== 'manager') throw this.#ctx.notManager('create');
      if (PREDEFINED_NAMES.has(name)) throw new EngineApiError(`${name} is a pre-defined network and cannot be created`, 403);
    } else if (PREDEFINED_NAMES.has(name)) {
      throw new EngineApiError(`operation is not permitted on predefined ${name} network`, 403);
    }
    const all = await this.#visible();
    if (all.some((n) => n.Name === name)) throw new EngineApiError(`network with name ${name} already exists`, 409);
    if (driver !== 'overlay') {
      throw new EngineApiError(`swarmnet: only overlay networks can be created so far (driver ${JSON.stringify(driver)} is not supported)`, 400);
    }
    if (request.EnableIPv6) throw new EngineApiError('swarmnet: IPv6 networks are not supported', 400);
    if (request.EnableIPv4 === false) throw new EngineApiError('swarmnet: networks without IPv4 are not supported', 400);
    if (request.ConfigOnly || (request.ConfigFrom && request.ConfigFrom.Network !== '')) {
      throw new EngineApiError('swarmnet: config-only networks (--config-only, --config-from) are not supported', 400);
    }
    if (request.IPAM?.Driver !== undefined && request.IPAM.Driver !== '' && request.IPAM.Driver !== 'default') {
      throw new EngineApiError(`swarmnet: IPAM driver ${JSON.stringify(request.IPAM.Driver)} is not supported (only "default")`, 400);
    }
    if (request.IPAM?.Options && Object.keys(request.IPAM.Options).length > 0) throw new EngineApiError('swarmnet: IPAM driver options are not supported', 400);
    if (request.Scope !== undefined && request.Scope !== '' && request.Scope !== 'swarm') {
      throw new EngineApiError(`swarmnet: an overlay network's scope is "swarm", not ${JSON.stringify(request.Scope)}`, 400);
    }
    const mtu = request.Options?.[MTU_OPTION];
    if (mtu !== undefined && !(/^\d+$/.test(mtu) && Number(mtu) >= MIN_MTU && Number(mtu) <= MAX_MTU)) {
      throw new EngineApiError(`invalid MTU ${JSON.stringify(mtu)}: must be an integer from ${MIN_MTU} to ${MAX_MTU}`, 400);
    }
    return { Id: await this.#ctx.createSwarm(request), Warning: '' };
  }

  async remove(term: string): Promise<void> {
    const network = await this.inspect(term);
    if (network.Scope === 'local') {
      if (['bridge', 'host', 'none', 'docker_gwbridge'].includes(network.Name) && this.#local.has(network.Id)) {
        throw new EngineApiError(`${network.Name} is a pre-defined network and cannot be removed`, 403);
      }
      throw new EngineApiError(`network ${term} not found`, 404);
    }
    if (this.#ctx.role() !== 'manager') throw this.#ctx.notManager('other');
    await this.#ctx.removeSwarm(network.Id);
  }

  /**
   * `docker network prune` (moby `daemon/prune.go` `NetworksPrune`): local user-defined networks
   * without endpoints (swarmnet has none yet) and, on a manager, the swarm's user networks that
   * nothing uses — `ingress` and predefined networks are kept, and a network the manager refuses
   * to remove (a service or task uses it) is kept silently, as moby does.
   */
  async prune(filters: NetworkListFilters | undefined): Promise<{ NetworksDeleted: string[] }> {
    for (const key of Object.keys(filters ?? {})) {
      if (key !== 'label' && key !== 'label!' && key !== 'until') throw new EngineApiError(`invalid filter '${key}'`, 400);
    }
    if ((filters as Record<string, unknown> | undefined)?.['until'] !== undefined) throw new EngineApiError('swarmnet: the "until" prune filter is not supported', 400);
    const deleted: string[] = [];
    if (this.#ctx.role() !== 'manager') return { NetworksDeleted: deleted };
    const labels = (filters as Record<string, readonly string[]> | undefined)?.['label'] ?? [];
    const notLabels = (filters as Record<string, readonly string[]> | undefined)?.['label!'] ?? [];
    for (const n of await this.#ctx.listSwarm()) {
      const own = n.spec.annotations.labels;
      if (n.spec.ingress || own[PREDEFINED_SWARM_LABEL] === 'true') continue;
      if (!labels.every((l) => labelMatches(own, l)) || notLabels.some((l) => labelMatches(own, l))) continue;
      try {
        await this.#ctx.removeSwarm(n.id);
        deleted.push(n.spec.annotations.name);
      } catch {
        // In use: kept (moby logs and carries on).
      }
    }
    return { NetworksDeleted: deleted };
  }

  async #visible(): Promise<NetworkResource[]> {
    const live = this.#ctx.endpoints?.() ?? [];
    const local = [...this.#local.values()].map((n) => withContainers(n.resource, live));
    const role = this.#ctx.role();
    if (role === 'inactive') return local;
    const endpoints = this.#localEndpoints();
    for (const e of live) {
      if (!e.network) continue;
      endpoints.set(e.networkId, { ...endpoints.get(e.networkId), [e.containerId]: e.endpoint });
    }
    let swarm: PbNetwork[];
    if (role === 'manager') swarm = await this.#ctx.listSwarm();
    else {
      // A worker's overlays: its ingress-sbox's, and those its containers have endpoints on.
      const byId = new Map<string, PbNetwork>();
      for (const a of this.#ctx.attachments()) if (a.network && a.network.spec.ingress) byId.set(a.network.id, a.network);
      for (const e of live) if (e.network && !byId.has(e.networkId)) byId.set(e.networkId, e.network);
      swarm = [...byId.values()];
    }
    return [
      ...local,
      ...swarm.map((n) => {
        const containers = endpoints.get(n.id) ?? null;
        const resource = swarmNetworkToEngine(n, containers);
        // Only a network present on this host has NetworkDB peers (moby `buildPeerInfoResources`).
        const peers = containers !== null ? this.#ctx.peers?.(n.id) : undefined;
        return peers !== undefined && peers.length > 0 ? { ...resource, Peers: peers } : resource;
      }),
    ];
  }

  /**
   * This node's load-balancer endpoints on swarm networks (ingress-sbox, lb-<net>), by network ID:
   * ingress always (created on join), the others while the node has containers on the network.
   */
  #localEndpoints(): Map<string, Record<string, NetworkEndpoint>> {
    const out = new Map<string, Record<string, NetworkEndpoint>>();
    const used = new Set((this.#ctx.endpoints?.() ?? []).map((e) => e.networkId));
    for (const a of this.#ctx.attachments()) {
      if (!a.network || a.addresses.length === 0) continue;
      if (!a.network.spec.ingress && !used.has(a.network.id)) continue;
      const address = a.addresses[0]!;
      const ip = address.split('/')[0]!;
      const key = a.network.spec.ingress ? 'ingress-sbox' : `lb-${a.network.spec.annotations.name}`;
      const name = a.network.spec.ingress ? 'ingress-endpoint' : `${a.network.spec.annotations.name}-endpoint`;
      out.set(a.network.id, {
        [key]: { Name: name, EndpointID: endpointId(a.network.id, ip), MacAddress: formatMac(macFromIpv4(parseIpv4Address(ip))), IPv4Address: address, IPv6Address: '' },
      });
    }
    return out;
  }

  #addLocal(name: string, driver: string, ipam: { Subnet: string; Gateway: string } | undefined, options: Record<string, string>): void {
    const id = this.#rng.hex(64);
    this.#local.set(id, {
      resource: {
        Name: name,
        Id: id,
        Created: goTime({ seconds: Math.floor(this.#now().getTime() / 1000), nanos: (this.#now().getTime() % 1000) * 1e6 }),
        Scope: 'local',
        Driver: driver,
        EnableIPv4: true,
        EnableIPv6: false,
        IPAM: { Driver: 'default', Options: null, Config: ipam ? [ipam] : null },
        Internal: false,
        Attachable: false,
        Ingress: false,
        ConfigFrom: { Network: '' },
        ConfigOnly: false,
        Containers: {},
        Options: options,
        Labels: {},
      },
    });
  }
}

/** moby `daemon/cluster/convert/network.go` `BasicNetworkFromGRPC`, with local endpoints. */
export function swarmNetworkToEngine(n: PbNetwork, containers: Record<string, NetworkEndpoint> | null): NetworkResource {
  const configs = (n.ipam?.configs ?? []).map((c) => ({
    Subnet: c.subnet,
    ...(c.range ? { IPRange: c.range } : {}),
    Gateway: c.gateway,
    ...(Object.keys(c.reserved).length > 0 ? { AuxiliaryAddresses: { ...c.reserved } } : {}),
  }));
  return {
    Name: n.spec.annotations.name,
    Id: n.id,
    Created: goTime(n.meta.created_at),
    Scope: 'swarm',
    Driver: n.spec.driver_config?.name || 'overlay',
    EnableIPv4: true,
    EnableIPv6: n.spec.ipv6_enabled,
    IPAM: { Driver: n.ipam?.driver?.name || 'default', Options: null, Config: configs },
    Internal: n.spec.internal,
    Attachable: n.spec.attachable,
    Ingress: n.spec.ingress,
    ConfigFrom: { Network: n.spec.network ?? '' },
    ConfigOnly: false,
    Containers: containers,
    Options: { ...(n.spec.driver_config?.options ?? {}), ...(n.driver_state?.options ?? {}) },
    Labels: { ...n.spec.annotations.labels },
  };
}

/** A local network with the endpoints of this host's running containers on it. */
function withContainers(resource: NetworkResource, live: readonly LiveEndpoint[]): NetworkResource {
  const mine = live.filter((e) => e.networkId === resource.Id);
  if (mine.length === 0) return resource;
  return { ...resource, Containers: Object.fromEntries(mine.map((e) => [e.containerId, e.endpoint])) };
}

/** A stable 64-hex endpoint ID for a node's endpoint on a network. */
function endpointId(networkId: string, ip: string): string {
  return createHash('sha256').update(`${networkId}/${ip}`).digest('hex');
}

function uniquePrefix(all: readonly NetworkResource[], term: string): NetworkResource | undefined {
  const hits = all.filter((n) => n.Id.startsWith(term));
  if (hits.length > 1) throw new EngineApiError(`network ${term} is ambiguous (${hits.length} matches found based on ID prefix)`, 400);
  return hits[0];
}

/** moby `daemon/network/filter.go`: name and id match as substrings/prefixes, the rest exactly. */
function matches(n: NetworkResource, f: NetworkListFilters): boolean {
  for (const key of Object.keys(f)) {
    if (!['driver', 'id', 'name', 'scope', 'type', 'label', 'dangling'].includes(key)) throw new EngineApiError(`invalid filter '${key}'`, 400);
  }
  if (f.driver?.length && !f.driver.includes(n.Driver)) return false;
  if (f.id?.length && !f.id.some((id) => n.Id.includes(id))) return false;
  if (f.name?.length && !f.name.some((name) => n.Name.includes(name))) return false;
  if (f.scope?.length && !f.scope.includes(n.Scope)) return false;
  if (f.type?.length) {
    const builtin = ['bridge', 'host', 'none', 'docker_gwbridge', 'ingress'].includes(n.Name) && (n.Scope === 'local' || n.Ingress);
    for (const t of f.type) if (t !== 'custom' && t !== 'builtin') throw new EngineApiError(`invalid filter: 'type'='${t}'`, 400);
    if (!f.type.includes(builtin ? 'builtin' : 'custom')) return false;
  }
  for (const label of f.label ?? []) {
    const [k, v] = label.split('=', 2) as [string, string | undefined];
    const have = n.Labels?.[k];
    if (have === undefined || (v !== undefined && have !== v)) return false;
  }
  return true;
}
