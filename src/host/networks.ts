/**
 * A host's networks, as a Linux Docker host has them:
 *
 * - **overlay**: one sandbox per overlay network (reference docker-overlay-facts.md §1.4): a
 *   bridge carrying the gateway address (`.1`), the network's peer table (static FDB MAC → VTEP
 *   and neighbour IP → MAC entries, §1.5) and the VTEP attachment for the network's VNI. Peers
 *   whose VTEP is this host are ignored, as moby ignores events whose tunnel endpoint is its own
 *   advertise address (§1.5); local endpoints are reached through their bridge port.
 * - **bridge**: a local Linux bridge with no uplink. `bridge` (docker0, 172.17.0.0/16) and
 *   `docker_gwbridge` (172.18.0.0/16), both gateway `.1` and MTU 1500, exist from host start;
 *   addresses on local bridges are the host's to allocate (serially from `.2`).
 *
 * Each network has a bounded number of endpoints (the bridge's port limit), and the host a
 * bounded number of networks (`MAX_NETWORKS_PER_HOST`).
 */
import { Bridge, PeerTable, type Vtep } from '../dataplane/index.js';
import type { DropCounters } from '../util/drop.js';
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import { formatIpv4, macFromIpv4, parseIpv4Address, parseMacAddress, type Ipv4Addr } from '../wire/address.js';
import type { NetworkInfo, NetworkSpec, PeerSpec, UnderlayEndpointInfo } from './control.js';
import { contains, makeSubnet, SerialIpAllocator, type Subnet } from './ipam.js';

export const MAX_NETWORKS_PER_HOST = 256;
/** moby `maxMTU()`: 1500 − 50 bytes of VXLAN encapsulation (reference §1.3). */
export const DEFAULT_OVERLAY_MTU = 1450;
export const DEFAULT_BRIDGE_MTU = 1500;
/** moby `maxMTU()` with encryption: 1450 − 26 (ESP), rounded down to a multiple of 4. */
export const ENCRYPTED_OVERLAY_MTU = 1424;
/** VXLAN VNIs are 24 bits (RFC 7348 §5); 0 is not used by Docker. */
export const MAX_VNI = 0xff_ffff;

export const BRIDGE_NETWORK = 'bridge';
export const GWBRIDGE_NETWORK = 'docker_gwbridge';

/** The predefined local bridges every host starts with (moby defaults). */
export const PREDEFINED_BRIDGES: readonly NetworkSpec[] = [
  { name: BRIDGE_NETWORK, driver: 'bridge', subnet: '172.17.0.0', prefixLength: 16, gateway: '172.17.0.1', mtu: DEFAULT_BRIDGE_MTU },
  { name: GWBRIDGE_NETWORK, driver: 'bridge', subnet: '172.18.0.0', prefixLength: 16, gateway: '172.18.0.1', mtu: DEFAULT_BRIDGE_MTU },
];

export interface HostNetwork {
  readonly info: NetworkInfo;
  readonly subnet: Subnet;
  readonly gateway: Ipv4Addr;
  readonly bridge: Bridge;
  /** Overlays only. */
  readonly peers: PeerTable | undefined;
  /** Local bridges only: the host allocates their addresses. */
  readonly allocator: SerialIpAllocator | undefined;
  /** Container endpoints attached (a network with endpoints cannot be removed). */
  endpoints: number;
}

export interface NetworksDeps {
  readonly drops: DropCounters;
  readonly vtep: Vtep;
  /** This host's VTEP: peers with this endpoint are ours and are not programmed. */
  readonly local: UnderlayEndpointInfo;
}

export class Networks {
  readonly #byName = new Map<string, HostNetwork>();

  constructor(readonly deps: NetworksDeps) {
    for (const spec of PREDEFINED_BRIDGES) this.create(spec);
  }

  get(name: string): HostNetwork {
    const n = this.#byName.get(name);
    if (n === undefined) throw new SwarmnetError('no-such-network', `network ${name} not found`);
    return n;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  list(): readonly HostNetwork[] {
    return [...this.#byName.values()];
  }

  create(spec: NetworkSpec): NetworkInfo {
    if (typeof spec.name !== 'string' || spec.name.length === 0) throw new InvalidArgumentError('network name must be a non-empty string');
    if (this.#byName.has(spec.name)) throw new SwarmnetError('already-exists', `network with name ${spec.name} already exists`);
    if (this.#byName.size >= MAX_NETWORKS_PER_HOST) throw new SwarmnetError('limit', `a host holds at most ${MAX_NETWORKS_PER_HOST} networks`);
    if (spec.driver !== 'overlay' && spec.driver !== 'bridge') throw new InvalidArgumentError(`unknown network driver: ${String(spec.driver)}`);
    const subnet = makeSubnet(parseIpv4Address(spec.subnet), spec.prefixLength);
    const gateway = parseIpv4Address(spec.gateway);
    if (!contains(subnet, gateway)) throw new InvalidArgumentError(`gateway ${spec.gateway} is not in subnet ${spec.subnet}/${spec.prefixLength}`);
    const overlay = spec.driver === 'overlay';
    const mtu = spec.mtu ?? (overlay ? (spec.encrypted === true ? ENCRYPTED_OVERLAY_MTU : DEFAULT_OVERLAY_MTU) : DEFAULT_BRIDGE_MTU);
    let vni = 0;
    if (overlay) {
      vni = spec.vni ?? -1;
      if (!Number.isInteger(vni) || vni < 1 || vni > MAX_VNI) throw new InvalidArgumentError(`overlay VNI must be 1..${MAX_VNI}: ${spec.vni}`);
      for (const n of this.#byName.values()) {
        if (n.info.vni === vni) throw new SwarmnetError('already-exists', `could not assign vxlan id ${vni}: in use by network ${n.info.name}`);
      }
    } else if (spec.vni !== undefined) {
      throw new InvalidArgumentError(`a VNI belongs to overlay networks only (network ${spec.name})`);
    }
    const bridge = new Bridge({
      name: bridgeName(spec.name, spec.driver, vni),
      mtu,
      gateway: { ip: gateway, mac: macFromIpv4(gateway) },
      drops: this.deps.drops,
    });
    const info: NetworkInfo = { name: spec.name, driver: spec.driver, vni, subnet: formatIpv4(subnet.network), prefixLength: subnet.prefixLength, gateway: formatIpv4(gateway), mtu, ...(spec.id !== undefined ? { id: spec.id } : {}), ...(spec.encrypted === true ? { encrypted: true } : {}) };
    let peers: PeerTable | undefined;
    if (overlay) {
      peers = new PeerTable();
      this.deps.vtep.attach(vni, bridge, peers, spec.encrypted === true);
    }
    const allocator = overlay ? undefined : new SerialIpAllocator(subnet, [gateway]);
    this.#byName.set(spec.name, { info, subnet, gateway, bridge, peers, allocator, endpoints: 0 });
    return info;
  }

  remove(name: string): void {
    const n = this.get(name);
    if (PREDEFINED_BRIDGES.some((p) => p.name === name)) throw new SwarmnetError('forbidden', `${name} is a pre-defined network and cannot be removed`);
    if (n.endpoints > 0) throw new SwarmnetError('in-use', `error while removing network: network ${name} has active endpoints`);
    if (n.peers !== undefined) this.deps.vtep.detach(n.info.vni);
    this.#byName.delete(name);
  }

  /** Programs a remote endpoint; returns true when ignored because its VTEP is this host. */
  addPeer(spec: PeerSpec): boolean {
    const { network, peer } = this.#peer(spec);
    if (peer === undefined) return true;
    const result = network.peers!.add(peer);
    if (result === 'table-full') throw new SwarmnetError('limit', `peer table of network ${spec.network} is full`);
    return false;
  }

  removePeer(spec: PeerSpec): boolean {
    const { network, peer } = this.#peer(spec);
    if (peer === undefined) return true;
    network.peers!.remove(peer);
    return false;
  }

  #peer(spec: PeerSpec) {
    const network = this.get(spec.network);
    if (network.peers === undefined) throw new InvalidArgumentError(`network ${spec.network} is not an overlay: it has no peers`);
    if (spec.vtepAddress === this.deps.local.address && spec.vtepPort === this.deps.local.port) return { network, peer: undefined };
    const peer = { ip: parseIpv4Address(spec.ip), mac: parseMacAddress(spec.mac), vtepAddress: spec.vtepAddress, vtepPort: spec.vtepPort };
    return { network, peer };
  }

  /** Detaches every overlay from the VTEP (host shutdown). */
  close(): void {
    for (const n of this.#byName.values()) if (n.peers !== undefined) this.deps.vtep.detach(n.info.vni);
    this.#byName.clear();
  }
}

/** Linux device names as Docker creates them (reference §1.4: `ov-<vni 6 hex>-…` for overlays). */
function bridgeName(name: string, driver: 'overlay' | 'bridge', vni: number): string {
  if (driver === 'overlay') return `ov-${vni.toString(16).padStart(6, '0')}-${name}`;
  if (name === BRIDGE_NETWORK) return 'docker0';
  return name === GWBRIDGE_NETWORK ? name : `br-${name}`;
}
