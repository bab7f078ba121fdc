/**
 * The allocator's service and task half (swarmkit `manager/allocator/network.go`): addresses and
 * ports for what the orchestrator creates, before the scheduler places it.
 *
 * - A service in `vip` mode gets one virtual IP per network it is attached to — `ingress` first
 *   when it publishes routing-mesh ports — and its published ports (`endpoint.ports`, auto-assigned
 *   ones filled in). VIPs and ports return when the service leaves the store.
 * - A NEW task gets an address on each of its networks (`ingress` first when its service
 *   publishes ingress ports, then the spec's networks in order) and moves to PENDING with
 *   swarmkit's `pending task scheduling`. Its addresses return when it is dead (asked to stop and
 *   stopped, `taskDead`) or deleted.
 * - A node gets a load-balancer endpoint (an entry in `node.attachments`) on every overlay where
 *   it has an active task, released when the last one goes; its `ingress` one stays for life.
 *
 * Level-triggered: `pass()` compares the store with what is allocated and fixes the difference,
 * so it can run after any change; it reports whether it wrote anything.
 */
import type { PbEndpoint, PbNetworkAttachment, PbNetworkAttachmentConfig, PbNode, PbService, PbTask } from '../wire/swarmkit.js';
import type { NetworkAllocator } from './network-allocator.js';
import type { PortAllocator } from './port-allocator.js';
import { needsIngress } from './service-spec.js';
import type { ClusterStore } from './store.js';
import { isActiveOnNode, isRunnable, isTaskDead } from './task-naming.js';

/** swarmkit's `allocatedStatusMessage`. */
export const ALLOCATED_MESSAGE = 'pending task scheduling';

interface ServiceAllocation {
  vips: Map<string, string>;
  ports: PbEndpoint['ports'];
}

export class TaskAllocator {
  readonly #services = new Map<string, ServiceAllocation>();
  /** Task ID → the (network, address) pairs it holds. */
  readonly #tasks = new Map<string, { networkId: string; address: string }[]>();

  constructor(
    private readonly store: ClusterStore,
    private readonly networks: NetworkAllocator,
    private readonly ports: PortAllocator,
  ) {}

  /** One reconciliation; true when it changed the store. */
  pass(): boolean {
    let wrote = false;
    for (const service of this.store.services) wrote = this.#allocateService(service) || wrote;
    for (const [id, allocation] of this.#services) if (!this.store.service(id)) this.#releaseService(id, allocation);
    for (const task of this.store.tasks) {
      if (isTaskDead(task)) this.#releaseTask(task.id);
      else if (task.status.state === 'NEW' && isRunnable(task)) wrote = this.#allocateTask(task) || wrote;
    }
    for (const id of [...this.#tasks.keys()]) if (!this.store.task(id)) this.#releaseTask(id);
    for (const node of this.store.nodes) wrote = this.#allocateNode(node) || wrote;
    return wrote;
  }

  #allocateService(service: PbService): boolean {
    const spec = service.spec;
    const allocation = this.#services.get(service.id) ?? { vips: new Map<string, string>(), ports: [] };
    const wantedNets: string[] = [];
    const ingress = this.store.networks.find((n) => n.spec.ingress);
    if (needsIngress(spec) && ingress) wantedNets.push(ingress.id);
    for (const n of spec.task.networks ?? []) if (this.store.network(n.target) && !wantedNets.includes(n.target)) wantedNets.push(n.target);
    const vipMode = (spec.endpoint?.mode ?? 'VIP') === 'VIP';
    const vips = new Map<string, string>();
    for (const [networkId, address] of allocation.vips) {
      if (vipMode && wantedNets.includes(networkId) && this.store.network(networkId)) vips.set(networkId, address);
      else this.networks.releaseAddress(networkId, address);
    }
    if (vipMode) for (const networkId of wantedNets) if (!vips.has(networkId)) vips.set(networkId, this.networks.allocateAddress(networkId));
    const ports = this.ports.allocate(spec.endpoint?.ports ?? [], allocation.ports) ?? allocation.ports;
    allocation.vips = new Map(wantedNets.filter((id) => vips.has(id)).map((id) => [id, vips.get(id)!]));
    allocation.ports = ports;
    this.#services.set(service.id, allocation);
    const endpoint: PbEndpoint = {
      spec: spec.endpoint,
      ports,
      virtual_ips: [...allocation.vips].map(([network_id, addr]) => ({ network_id, addr })),
    };
    if (sameJson(endpoint, service.endpoint)) return false;
    this.store.putService({ ...service, endpoint });
    return true;
  }

  #releaseService(id: string, allocation: ServiceAllocation): void {
    for (const [networkId, address] of allocation.vips) this.networks.releaseAddress(networkId, address);
    this.ports.release(allocation.ports);
    this.#services.delete(id);
  }

  #allocateTask(task: PbTask): boolean {
    const service = task.service_id ? this.store.service(task.service_id) : undefined;
    if (task.service_id && !service) return false;
    const configs: PbNetworkAttachmentConfig[] = [];
    const ingress = this.store.networks.find((n) => n.spec.ingress);
    if (service && needsIngress(service.spec) && ingress) configs.push({ target: ingress.id, aliases: [], addresses: [], driver_attachment_opts: {} });
    configs.push(...(task.spec.networks ?? []));
    if (configs.some((c) => !this.store.network(c.target))) return false;
    const held: { networkId: string; address: string }[] = [];
    const networks: PbNetworkAttachment[] = [];
    try {
      for (const config of configs) {
        const address = this.networks.allocateAddress(config.target, config.addresses?.[0]?.split('/')[0] || undefined);
        held.push({ networkId: config.target, address });
        networks.push({ network: this.store.network(config.target)!, addresses: [address], aliases: [...(config.aliases ?? [])], driver_attachment_opts: { ...config.driver_attachment_opts } });
      }
    } catch {
      for (const h of held) this.networks.releaseAddress(h.networkId, h.address);
      return false; // swarmkit leaves the task NEW and retries when something changes
    }
    this.#tasks.set(task.id, held);
    this.store.putTask({
      ...task,
      networks,
      endpoint: service?.endpoint ?? null,
      status: { ...task.status, state: 'PENDING', message: ALLOCATED_MESSAGE, timestamp: this.store.now() },
    });
    return true;
  }

  #releaseTask(id: string): void {
    for (const h of this.#tasks.get(id) ?? []) this.networks.releaseAddress(h.networkId, h.address);
    this.#tasks.delete(id);
  }

  /** The node's load-balancer endpoints follow the overlays its active tasks use. */
  #allocateNode(node: PbNode): boolean {
    const wanted = new Set<string>();
    for (const task of this.store.tasksOnNode(node.id)) {
      if (!isActiveOnNode(task)) continue;
      for (const n of task.networks) if (n.network && !n.network.spec.ingress && this.store.network(n.network.id)) wanted.add(n.network.id);
    }
    const attachments: PbNetworkAttachment[] = [];
    let changed = false;
    for (const a of node.attachments) {
      if (!a.network || a.network.spec.ingress || wanted.has(a.network.id)) {
        attachments.push(a);
        if (a.network) wanted.delete(a.network.id);
      } else {
        for (const address of a.addresses) this.networks.releaseAddress(a.network.id, address);
        changed = true;
      }
    }
    for (const networkId of wanted) {
      attachments.push({ network: this.store.network(networkId)!, addresses: [this.networks.allocateAddress(networkId)], aliases: [], driver_attachment_opts: {} });
      changed = true;
    }
    if (!changed) return false;
    this.store.putNode({ ...node, attachments });
    return true;
  }
}

/** Deep equality for plain protobuf-shaped values (key order independent). */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
    }
    return v;
  });
}
