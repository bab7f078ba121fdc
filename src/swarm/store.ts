/**
 * The manager's cluster store: the cluster object, nodes, networks, services and tasks, held as swarmkit protobuf-shaped plain objects (src/wire/swarmkit.ts)
 * so they cross 2377 unchanged. One store index, bumped by every write, versions every object as
 * raft's log index does in swarmkit (`Meta.Version.Index`); an update carrying a stale version is
 * refused, as swarmkit's optimistic concurrency does (`update out of sequence`).
 *
 * Not replicated: one leader holds it (Raft is out of scope; DESIGN.md "Where this is going").
 */
import type { PbCluster, PbMeta, PbNetwork, PbNode, PbService, PbTask, PbTimestamp } from '../wire/swarmkit.js';

export type StoreEvent =
  | { readonly kind: 'node'; readonly node: PbNode; readonly removed: boolean }
  | { readonly kind: 'network'; readonly network: PbNetwork; readonly removed: boolean }
  | { readonly kind: 'service'; readonly service: PbService; readonly removed: boolean }
  | { readonly kind: 'task'; readonly task: PbTask; readonly removed: boolean }
  | { readonly kind: 'cluster'; readonly cluster: PbCluster };

/** What `put*` accepts: the object without its meta (a fresh one is made) or with its old one. */
export type Unversioned<T extends { meta: PbMeta }> = Omit<T, 'meta'> & { meta?: PbMeta };

export class StoreVersionError extends Error {
  constructor() {
    super('update out of sequence');
    this.name = 'StoreVersionError';
  }
}

export function timestamp(date: Date): PbTimestamp {
  const ms = date.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

export class ClusterStore {
  #index = 0;
  #cluster: PbCluster;
  readonly #nodes = new Map<string, PbNode>();
  readonly #networks = new Map<string, PbNetwork>();
  readonly #services = new Map<string, PbService>();
  readonly #tasks = new Map<string, PbTask>();
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  readonly #now: () => Date;

  constructor(cluster: Omit<PbCluster, 'meta'>, now: () => Date) {
    this.#now = now;
    this.#cluster = { ...cluster, meta: this.#newMeta() };
  }

  get cluster(): PbCluster {
    return this.#cluster;
  }

  get nodes(): readonly PbNode[] {
    return [...this.#nodes.values()];
  }

  node(id: string): PbNode | undefined {
    return this.#nodes.get(id);
  }

  get networks(): readonly PbNetwork[] {
    return [...this.#networks.values()];
  }

  network(id: string): PbNetwork | undefined {
    return this.#networks.get(id);
  }

  /** Adds a network (a fresh ID) or replaces one. */
  putNetwork(network: Omit<PbNetwork, 'meta'> & { meta?: PbMeta }): PbNetwork {
    const existing = this.#networks.get(network.id);
    const stored: PbNetwork = { ...network, meta: existing ? this.#touch(existing.meta) : this.#newMeta() };
    this.#networks.set(stored.id, stored);
    this.#emit({ kind: 'network', network: stored, removed: false });
    return stored;
  }

  removeNetwork(id: string): boolean {
    const existing = this.#networks.get(id);
    if (!existing) return false;
    this.#networks.delete(id);
    this.#index += 1;
    this.#emit({ kind: 'network', network: existing, removed: true });
    return true;
  }

  /** Adds a node (a fresh ID) or replaces one; `expectedVersion` guards against lost updates. */
  putNode(node: Omit<PbNode, 'meta'> & { meta?: PbMeta }, expectedVersion?: number): PbNode {
    const existing = this.#nodes.get(node.id);
    if (expectedVersion !== undefined && existing && existing.meta.version.index !== expectedVersion) throw new StoreVersionError();
    const meta = existing ? this.#touch(existing.meta) : this.#newMeta();
    const stored: PbNode = { ...node, meta };
    this.#nodes.set(stored.id, stored);
    this.#emit({ kind: 'node', node: stored, removed: false });
    return stored;
  }

  /** Applies `change` to a node's current value (no-op when the node is gone). */
  updateNode(id: string, change: (node: PbNode) => PbNode): PbNode | undefined {
    const existing = this.#nodes.get(id);
    if (!existing) return undefined;
    return this.putNode(change(existing));
  }

  removeNode(id: string): boolean {
    const existing = this.#nodes.get(id);
    if (!existing) return false;
    this.#nodes.delete(id);
    this.#index += 1;
    this.#emit({ kind: 'node', node: existing, removed: true });
    return true;
  }

  get services(): readonly PbService[] {
    return [...this.#services.values()];
  }

  service(id: string): PbService | undefined {
    return this.#services.get(id);
  }

  serviceByName(name: string): PbService | undefined {
    return this.services.find((s) => s.spec.annotations.name === name);
  }

  /** Adds a service or replaces one; `expectedVersion` guards against lost updates. */
  putService(service: Unversioned<PbService>, expectedVersion?: number): PbService {
    const existing = this.#services.get(service.id);
    if (expectedVersion !== undefined && existing && existing.meta.version.index !== expectedVersion) throw new StoreVersionError();
    const stored: PbService = { ...service, meta: existing ? this.#touch(existing.meta) : this.#newMeta() };
    this.#services.set(stored.id, stored);
    this.#emit({ kind: 'service', service: stored, removed: false });
    return stored;
  }

  updateService(id: string, change: (service: PbService) => PbService): PbService | undefined {
    const existing = this.#services.get(id);
    return existing ? this.putService(change(existing)) : undefined;
  }

  removeService(id: string): boolean {
    const existing = this.#services.get(id);
    if (!existing) return false;
    this.#services.delete(id);
    this.#index += 1;
    this.#emit({ kind: 'service', service: existing, removed: true });
    return true;
  }

  get tasks(): readonly PbTask[] {
    return [...this.#tasks.values()];
  }

  task(id: string): PbTask | undefined {
    return this.#tasks.get(id);
  }

  tasksOfService(serviceId: string): PbTask[] {
    return this.tasks.filter((t) => t.service_id === serviceId);
  }

  tasksOnNode(nodeId: string): PbTask[] {
    return this.tasks.filter((t) => t.node_id === nodeId);
  }

  putTask(task: Unversioned<PbTask>): PbTask {
    const existing = this.#tasks.get(task.id);
    const stored: PbTask = { ...task, meta: existing ? this.#touch(existing.meta) : this.#newMeta() };
    this.#tasks.set(stored.id, stored);
    this.#emit({ kind: 'task', task: stored, removed: false });
    return stored;
  }

  updateTask(id: string, change: (task: PbTask) => PbTask): PbTask | undefined {
    const existing = this.#tasks.get(id);
    return existing ? this.putTask(change(existing)) : undefined;
  }

  removeTask(id: string): boolean {
    const existing = this.#tasks.get(id);
    if (!existing) return false;
    this.#tasks.delete(id);
    this.#index += 1;
    this.#emit({ kind: 'task', task: existing, removed: true });
    return true;
  }

  /** The current wall-clock time as a protobuf timestamp (task status times). */
  now(): PbTimestamp {
    return timestamp(this.#now());
  }

  updateCluster(change: (cluster: PbCluster) => PbCluster, expectedVersion?: number): PbCluster {
    if (expectedVersion !== undefined && this.#cluster.meta.version.index !== expectedVersion) throw new StoreVersionError();
    this.#cluster = { ...change(this.#cluster), meta: this.#touch(this.#cluster.meta) };
    this.#emit({ kind: 'cluster', cluster: this.#cluster });
    return this.#cluster;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #newMeta(): PbMeta {
    const now = timestamp(this.#now());
    this.#index += 1;
    return { version: { index: this.#index }, created_at: now, updated_at: now };
  }

  #touch(meta: PbMeta): PbMeta {
    this.#index += 1;
    return { version: { index: this.#index }, created_at: meta.created_at, updated_at: timestamp(this.#now()) };
  }

  #emit(event: StoreEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
