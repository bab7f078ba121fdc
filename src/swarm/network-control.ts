/**
 * Swarm networks on the manager (swarmkit `manager/controlapi/network.go` and the allocator's
 * network half, `manager/allocator/network.go`): create validates the spec and allocates at once
 * — a subnet from the cluster's address pools (or the user's `--subnet`), its gateway, and a VXLAN
 * ID — so every later reader sees a complete network; remove refuses while a service or a live
 * task uses the network (`ingress`: while a service publishes routing-mesh ports). `ingress` is created at `swarm init` (10.0.0.0/24, VNI 4096).
 */
import type { Rng } from '../util/rng.js';
import { newSwarmId } from '../util/ids.js';
import type { PbNetwork, PbNetworkSpec, PbNode } from '../wire/swarmkit.js';
import { GrpcCode, GrpcStatusError } from './grpc-client.js';
import type { NetworkAllocator } from './network-allocator.js';
import { needsIngress } from './service-spec.js';
import type { ClusterStore } from './store.js';
import { stateAfter } from './task-naming.js';
import { OVERLAY_VXLAN_ID_LIST } from './vni.js';

/** Docker's label on networks the swarm creates itself (`ingress`). */
export const PREDEFINED_LABEL = 'com.docker.swarm.predefined';
export const INGRESS_NAME = 'ingress';
/** Longest network name accepted (moby names are bounded by the store's index; be generous). */
export const MAX_NETWORK_NAME = 255;

export interface ListNetworksFilters {
  names?: string[];
  id_prefixes?: string[];
  name_prefixes?: string[];
  labels?: Record<string, string>;
}

export class NetworkControl {
  constructor(
    private readonly store: ClusterStore,
    private readonly allocator: NetworkAllocator,
    private readonly rng: Rng,
  ) {}

  /** `swarm init`: the routing-mesh network every node has. */
  createIngress(): PbNetwork {
    return this.create(
      {
        annotations: { name: INGRESS_NAME, labels: {} },
        driver_config: { name: 'overlay', options: {} },
        ipv6_enabled: false,
        internal: false,
        ipam: { driver: { name: 'default', options: {} }, configs: [] },
        attachable: false,
        ingress: true,
      },
      { predefined: true },
    );
  }

  create(spec: PbNetworkSpec, options: { predefined?: boolean } = {}): PbNetwork {
    const name = spec.annotations?.name ?? '';
    if (name === '') throw new GrpcStatusError(GrpcCode.InvalidArgument, 'meta: name must be provided');
    if (name.length > MAX_NETWORK_NAME) throw new GrpcStatusError(GrpcCode.InvalidArgument, `network name is longer than ${MAX_NETWORK_NAME} characters`);
    const driver = spec.driver_config?.name || 'overlay';
    if (driver !== 'overlay') {
      throw new GrpcStatusError(GrpcCode.InvalidArgument, `network driver ${JSON.stringify(driver)} is not supported: swarm networks use the overlay driver`);
    }
    if (spec.ingress) {
      const existing = this.store.networks.find((n) => n.spec.ingress);
      if (existing) throw new GrpcStatusError(GrpcCode.AlreadyExists, `ingress network (${existing.id}) is already present`);
      if (spec.attachable) throw new GrpcStatusError(GrpcCode.InvalidArgument, 'ingress network cannot be attachable');
    }
    if (this.store.networks.some((n) => n.spec.annotations.name === name)) {
      throw new GrpcStatusError(GrpcCode.AlreadyExists, `network ${name} already exists`);
    }
    const id = newSwarmId(this.rng);
    const allocation = this.allocator.allocate(id, spec);
    const labels = options.predefined ? { ...spec.annotations.labels, [PREDEFINED_LABEL]: 'true' } : spec.annotations.labels;
    return this.store.putNetwork({
      id,
      spec: { ...spec, annotations: { name, labels }, driver_config: { name: driver, options: spec.driver_config?.options ?? {} } },
      driver_state: { name: 'overlay', options: { [OVERLAY_VXLAN_ID_LIST]: String(allocation.vni) } },
      ipam: {
        driver: { name: spec.ipam?.driver?.name || 'default', options: spec.ipam?.driver?.options ?? {} },
        configs: [{ family: 'IPV4', subnet: allocation.subnet, range: allocation.range ?? '', gateway: allocation.gateway, reserved: allocation.reserved }],
      },
      pending_delete: false,
    });
  }

  list(filters: ListNetworksFilters | null | undefined): PbNetwork[] {
    const f = filters ?? {};
    return this.store.networks.filter((n) => {
      const name = n.spec.annotations.name;
      if (f.names?.length && !f.names.includes(name)) return false;
      if (f.name_prefixes?.length && !f.name_prefixes.some((p) => name.startsWith(p))) return false;
      if (f.id_prefixes?.length && !f.id_prefixes.some((p) => n.id.startsWith(p))) return false;
      for (const [k, v] of Object.entries(f.labels ?? {})) if (n.spec.annotations.labels[k] !== v && !(v === '' && k in n.spec.annotations.labels)) return false;
      return true;
    });
  }

  /** The node's load-balancer endpoint on `ingress` (its `ingress-sbox`), if ingress exists. */
  ingressAttachment(): PbNode['attachments'] {
    const ingress = this.store.networks.find((n) => n.spec.ingress);
    if (!ingress) return [];
    return [{ network: ingress, addresses: [this.allocator.allocateAddress(ingress.id)], aliases: [], driver_attachment_opts: {} }];
  }

  /** Gives back a node's attachment addresses (the node left the store). */
  releaseAttachments(node: PbNode): void {
    for (const a of node.attachments) {
      if (!a.network) continue;
      for (const address of a.addresses) this.allocator.releaseAddress(a.network.id, address);
    }
  }

  get(id: string): PbNetwork {
    const network = this.store.network(id);
    if (!network) throw new GrpcStatusError(GrpcCode.NotFound, `network ${id} not found`);
    return network;
  }

  remove(id: string): void {
    const network = this.get(id);
    if (network.spec.annotations.labels[PREDEFINED_LABEL] === 'true' && !network.spec.ingress) {
      throw new GrpcStatusError(GrpcCode.FailedPrecondition, `network ${network.id} (${network.spec.annotations.name}) is a swarm predefined network and cannot be removed`);
    }
    this.#refuseInUse(network);
    for (const node of this.store.nodes) {
      if (node.attachments.some((a) => a.network?.id === network.id)) {
        this.store.updateNode(node.id, (n) => ({ ...n, attachments: n.attachments.filter((a) => a.network?.id !== network.id) }));
      }
    }
    this.allocator.release(network.id);
    this.store.removeNetwork(network.id);
  }

  /** swarmkit `removeNetwork` / `removeIngressNetwork`: services and live tasks keep it. */
  #refuseInUse(network: PbNetwork): void {
    if (network.spec.ingress) {
      const dependent = this.store.services.find((s) => needsIngress(s.spec));
      if (dependent) throw new GrpcStatusError(GrpcCode.FailedPrecondition, `ingress network cannot be removed because service ${dependent.id} depends on it`);
      return;
    }
    const service = this.store.services.find((s) => (s.spec.task.networks ?? []).some((n) => n.target === network.id));
    if (service) throw new GrpcStatusError(GrpcCode.FailedPrecondition, `network ${network.id} is in use by service ${service.id}`);
    const task = this.store.tasks.find(
      (t) =>
        !stateAfter(t.desired_state, 'RUNNING') &&
        !stateAfter(t.status.state, 'RUNNING') &&
        (t.networks.some((n) => n.network?.id === network.id) || (t.spec.networks ?? []).some((n) => n.target === network.id)),
    );
    if (task) throw new GrpcStatusError(GrpcCode.FailedPrecondition, `network ${network.id} is in use by task ${task.id}`);
  }
}
