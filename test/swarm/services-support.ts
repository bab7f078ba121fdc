/**
 * A manager's service machinery without sockets: store, networks, reconciler and service control
 * API over a manual clock, with nodes added by hand (READY/ACTIVE unless told otherwise), and a
 * fake agent that reports task states as a node would.
 */
import { ManualClock } from '../../src/util/clock.js';
import { newSwarmId } from '../../src/util/ids.js';
import { Rng } from '../../src/util/rng.js';
import type { PbCluster, PbNode, PbServiceSpec, PbTask, TaskStateName } from '../../src/wire/swarmkit.js';
import { NetworkAllocator } from '../../src/swarm/network-allocator.js';
import { NetworkControl } from '../../src/swarm/network-control.js';
import { Reconciler } from '../../src/swarm/reconciler.js';
import { ServiceControl } from '../../src/swarm/service-control.js';
import { ClusterStore } from '../../src/swarm/store.js';

export function clusterTemplate(): Omit<PbCluster, 'meta'> {
  return {
    id: 'cluster0000000000000000000',
    spec: {
      annotations: { name: 'default', labels: {} },
      orchestration: { task_history_retention_limit: 5 },
      raft: { snapshot_interval: 10_000, keep_old_snapshots: 0, log_entries_for_slow_followers: 500, heartbeat_tick: 1, election_tick: 10 },
      dispatcher: { heartbeat_period: { seconds: 5, nanos: 0 } },
      ca_config: { node_cert_expiry: { seconds: 7_776_000, nanos: 0 }, force_rotate: 0 },
      encryption_config: { auto_lock_managers: false },
    },
    root_ca: { ca_cert: new Uint8Array(0), ca_cert_hash: '', join_tokens: { worker: '', manager: '' } },
    network_bootstrap_keys: [],
    encryption_key_lamport_clock: 0,
    defaultAddressPool: ['10.0.0.0/8'],
    subnetSize: 24,
    VXLANUDPPort: 4789,
  };
}

export class ServiceBench {
  readonly clock = new ManualClock();
  readonly rng = new Rng(7);
  readonly store = new ClusterStore(clusterTemplate(), () => new Date(1_700_000_000_000 + this.clock.now()));
  readonly networkAllocator = new NetworkAllocator({ pools: ['10.0.0.0/8'], subnetSize: 24 });
  readonly networks = new NetworkControl(this.store, this.networkAllocator, this.rng);
  readonly control = new ServiceControl(this.store, this.rng);
  readonly reconciler = new Reconciler({ store: this.store, clock: this.clock, networks: this.networkAllocator, newId: () => newSwarmId(this.rng) });

  constructor() {
    this.networks.createIngress();
  }

  addNode(id: string, options: { state?: PbNode['status']['state']; availability?: PbNode['spec']['availability']; addr?: string } = {}): PbNode {
    return this.store.putNode({
      id,
      spec: { annotations: { name: '', labels: {} }, desired_role: 'WORKER', membership: 'ACCEPTED', availability: options.availability ?? 'ACTIVE' },
      description: null,
      status: { state: options.state ?? 'READY', message: '', addr: options.addr ?? `127.0.0.${this.store.nodes.length + 1}` },
      manager_status: null,
      certificate: { role: 'WORKER', csr: new Uint8Array(0), status: { state: 'ISSUED', err: '' }, certificate: new Uint8Array(0), cn: id },
      role: 'WORKER',
      attachments: this.networks.ingressAttachment(),
      VXLANUDPPort: 4789,
    });
  }

  setNode(id: string, change: Partial<{ state: PbNode['status']['state']; availability: PbNode['spec']['availability'] }>): void {
    this.store.updateNode(id, (n) => ({
      ...n,
      status: { ...n.status, state: change.state ?? n.status.state },
      spec: { ...n.spec, availability: change.availability ?? n.spec.availability },
    }));
  }

  overlay(name: string, attachable = false): string {
    return this.networks.create({
      annotations: { name, labels: {} },
      driver_config: { name: 'overlay', options: {} },
      ipv6_enabled: false,
      internal: false,
      ipam: null,
      attachable,
      ingress: false,
    }).id;
  }

  /** Settles the reconciler (it is also scheduled on every change). */
  settle(): void {
    expectSettled(this.reconciler.reconcileNow());
  }

  /** Moves the clock and settles. */
  advance(ms: number): void {
    this.clock.advance(ms as never);
    this.settle();
  }

  tasks(serviceId: string): PbTask[] {
    return this.store.tasksOfService(serviceId).sort((a, b) => a.slot - b.slot || a.node_id.localeCompare(b.node_id));
  }

  runnable(serviceId: string): PbTask[] {
    return this.tasks(serviceId).filter((t) => t.desired_state === 'RUNNING' || t.desired_state === 'READY');
  }

  /** What an agent does: every assigned task the manager wants running reports `state`. */
  report(state: TaskStateName, filter: (t: PbTask) => boolean = () => true): void {
    for (const t of this.store.tasks) {
      if (t.node_id && t.status.state === 'ASSIGNED' && t.desired_state === 'RUNNING' && filter(t)) {
        this.store.updateTask(t.id, (x) => ({ ...x, status: { ...x.status, state, message: state.toLowerCase() } }));
      }
    }
    this.settle();
  }

  /** What an agent does with tasks it was told to stop. */
  stopRequested(): void {
    for (const t of this.store.tasks) {
      if (t.node_id && (t.desired_state === 'SHUTDOWN' || t.desired_state === 'REMOVE') && t.status.state === 'RUNNING') {
        this.store.updateTask(t.id, (x) => ({ ...x, status: { ...x.status, state: 'SHUTDOWN', message: 'shutdown' } }));
      }
    }
    this.settle();
  }

  create(spec: PbServiceSpec | ShortSpec): string {
    const { service } = this.control.CreateService({ spec: 'task' in spec && spec.task ? (spec as PbServiceSpec) : serviceSpec(spec as ShortSpec) });
    this.settle();
    return service.id;
  }

  close(): void {
    this.reconciler.close();
  }
}

function expectSettled(settled: boolean): void {
  if (!settled) throw new Error('reconciler did not settle');
}

/** A spec by name, with the parts a test cares about. */
export type ShortSpec = Omit<Partial<PbServiceSpec>, 'global' | 'replicated'> & { name: string; replicas?: number; global?: boolean };

export function serviceSpec(spec: ShortSpec): PbServiceSpec {
  const { name, replicas, global, ...rest } = spec;
  return {
    annotations: { name, labels: {} },
    task: {
      container: {
        image: 'nginx:alpine',
        labels: {},
        command: [],
        args: [],
        env: [],
        dir: '',
        user: '',
        stop_grace_period: null,
        tty: false,
        hostname: '',
        hosts: [],
        open_stdin: false,
        read_only: false,
        stop_signal: '',
      },
      restart: null,
      placement: null,
      log_driver: null,
      networks: [],
      force_update: 0,
    },
    ...(global ? { global: {} } : { replicated: { replicas: replicas ?? 1 } }),
    update: null,
    rollback: null,
    endpoint: null,
    ...rest,
  };
}
