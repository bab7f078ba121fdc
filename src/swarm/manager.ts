/**
 * A swarm manager (the leader: swarmnet does not replicate the store, see store.ts): the cluster
 * store, the root CA and join tokens, the networking keys, the dispatcher and the control API,
 * served as gRPC on 2377 (or its stand-in port) with swarmkit's TLS policy (rpc.ts).
 *
 * `Manager.init` is `docker swarm init`: new cluster ID, root CA (ECDSA P-256), this node's ID
 * and `swarm-manager` certificate, worker and manager join tokens, 3+3 networking keys; this
 * node enters the store as Leader. Joining nodes use the CA services:
 * - `CA.GetRootCACertificate` — open; the joiner checks the digest in its token against it;
 * - `NodeCA.IssueNodeCertificate` — open; with a join token it creates the node (role from the
 *   token) and signs its CSR; with this cluster's client certificate and no token it renews the
 *   caller's certificate for its current role (how promotion and demotion reach the node);
 * - `NodeCA.NodeCertificateStatus` — open; waits (bounded) until the certificate is issued.
 *
 * Services and tasks: the control API records intent, the reconciler (allocator, orchestrator,
 * scheduler) turns it into tasks on nodes, the dispatcher streams them to the nodes' agents, and
 * `ResourceAllocator` gives standalone containers addresses on attachable overlays.
 */
import { Server, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { ms, type Clock, type Duration } from '../util/clock.js';
import { newSwarmId } from '../util/ids.js';
import type { Rng } from '../util/rng.js';
import type { AvailabilityName, NodeRoleName, PbCluster, PbNode } from '../wire/swarmkit.js';
import { callerIdentity, type AuthorizationContext, type NodeIdentity } from './authorize.js';
import { RootCA } from './ca.js';
import { generateNodeKeyAndCsr } from './node-certificate.js';
import { ControlApi } from './control-api.js';
import { Dispatcher } from './dispatcher.js';
import { generateJoinToken, newJoinTokenSecret } from './join-token.js';
import { KeyManager } from './key-manager.js';
import { NetworkAllocator } from './network-allocator.js';
import { NetworkControl } from './network-control.js';
import { Reconciler } from './reconciler.js';
import { LogBroker } from './log-broker.js';
import { ResourceAllocator } from './resource-allocator.js';
import { GRPC_SERVER_OPTIONS, MANAGER_ROLE, managerServerCredentials, rpcError, serviceDefinition, WORKER_ROLE, type CertRole } from './rpc.js';
import { ClusterStore } from './store.js';

/** How long `NodeCertificateStatus` waits for a pending certificate (swarmkit waits on the call's context). */
export const CERTIFICATE_STATUS_WAIT: Duration = ms(10_000);
/** `DefaultNodeCertExpiration` (90 days), in nanoseconds as the cluster spec carries it. */
const NODE_CERT_EXPIRY_SECONDS = 2160 * 3600;
/** swarmkit's defaults that `docker info` shows (moby `daemon/cluster/cluster.go`). */
const DEFAULT_SPEC = {
  orchestration: { task_history_retention_limit: 5 },
  raft: { snapshot_interval: 10_000, keep_old_snapshots: 0, log_entries_for_slow_followers: 500, heartbeat_tick: 1, election_tick: 10 },
  encryption_config: { auto_lock_managers: false },
};

export interface ManagerInitOptions {
  readonly clock: Clock;
  readonly rng: Rng;
  /** Wall-clock time on the host's time line (certificates, `CreatedAt`). */
  readonly now: () => Date;
  /** Where 2377 binds: this host's loopback address, and 2377 or 0 (port mode). */
  readonly listen: { readonly host: string; readonly port: number };
  /** This node's advertise IP (its own loopback address). */
  readonly advertiseIp: string;
  readonly availability: AvailabilityName;
  readonly dataPathPort: number;
  readonly defaultAddrPool: readonly string[];
  readonly subnetSize: number;
  /** Shorter dispatcher heartbeats for tests; swarmkit's 5 s by default. */
  readonly heartbeatPeriod?: Duration;
  /** The networking keys' rotation period; swarmkit's 12 h unless a test shortens it. */
  readonly keyRotationInterval?: Duration;
}

/** What a node holds after init, join or renewal: its identity and TLS material. */
export interface NodeCredentials extends NodeIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  readonly rootCaPem: string;
}

export class Manager {
  readonly store: ClusterStore;
  readonly control: ControlApi;
  readonly networks: NetworkControl;
  readonly dispatcher: Dispatcher;
  readonly reconciler: Reconciler;
  /** `ResourceAllocator` in-process (the leader's own daemon) — also served on 2377. */
  readonly resources: ResourceAllocator;
  /** The log broker (`docker service logs`), in-process for the leader's daemon and on 2377. */
  readonly logs: LogBroker;
  readonly rootCa: RootCA;
  /** The bound management address (`127.A.B.N:2377`, or the stand-in port in port mode). */
  readonly address: string;
  readonly #server: Server;
  readonly #keys: KeyManager;
  readonly #removed = new Set<string>();
  readonly #options: ManagerInitOptions;
  readonly #certificateWaiters = new Map<string, Set<() => void>>();

  static async init(options: ManagerInitOptions): Promise<{ manager: Manager; credentials: NodeCredentials }> {
    const now = options.now();
    const clusterId = newSwarmId(options.rng);
    const nodeId = newSwarmId(options.rng);
    const rootCa = await RootCA.create({ now });
    const { keyPem, csrPem } = await generateNodeKeyAndCsr();
    const certPem = await rootCa.signNodeCsr(csrPem, { nodeId, role: MANAGER_ROLE, clusterId, now });
    const server = new Server(GRPC_SERVER_OPTIONS);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${options.listen.host}:${options.listen.port}`, managerServerCredentials({ certPem, keyPem }, rootCa.certPem), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    const manager = new Manager(options, server, rootCa, clusterId, `${options.advertiseIp}:${port}`, nodeId, certPem);
    return { manager, credentials: { nodeId, role: MANAGER_ROLE, clusterId, certPem, keyPem, rootCaPem: rootCa.certPem } };
  }

  private constructor(options: ManagerInitOptions, server: Server, rootCa: RootCA, clusterId: string, address: string, nodeId: string, certPem: string) {
    this.#options = options;
    this.#server = server;
    this.rootCa = rootCa;
    this.address = address;
    this.#keys = new KeyManager(options.rng);
    const tokens = {
      worker: generateJoinToken(rootCa.digest, newJoinTokenSecret(options.rng)),
      manager: generateJoinToken(rootCa.digest, newJoinTokenSecret(options.rng)),
    };
    this.store = new ClusterStore(
      {
        id: clusterId,
        spec: {
          annotations: { name: 'default', labels: {} },
          ...DEFAULT_SPEC,
          dispatcher: { heartbeat_period: { seconds: 5, nanos: 0 } },
          ca_config: { node_cert_expiry: { seconds: NODE_CERT_EXPIRY_SECONDS, nanos: 0 }, force_rotate: 0 },
        },
        root_ca: { ca_cert: Buffer.from(rootCa.certPem), ca_cert_hash: rootCa.digest, join_tokens: tokens },
        network_bootstrap_keys: this.#pbKeys(),
        encryption_key_lamport_clock: this.#keys.lamportClock,
        defaultAddressPool: [...options.defaultAddrPool],
        subnetSize: options.subnetSize,
        VXLANUDPPort: options.dataPathPort,
      },
      options.now,
    );
    const networkAllocator = new NetworkAllocator({ pools: options.defaultAddrPool, subnetSize: options.subnetSize });
    this.networks = new NetworkControl(this.store, networkAllocator, options.rng);
    this.networks.createIngress();
    this.reconciler = new Reconciler({ store: this.store, clock: options.clock, networks: networkAllocator, newId: () => newSwarmId(options.rng) });
    this.resources = new ResourceAllocator(this.store, options.rng);
    this.logs = new LogBroker(this.store, () => newSwarmId(options.rng));
    this.store.putNode({
      id: nodeId,
      spec: { annotations: { name: '', labels: {} }, desired_role: 'MANAGER', membership: 'ACCEPTED', availability: options.availability },
      description: null, // sent by this node's own agent when its session opens
      status: { state: 'UNKNOWN', message: '', addr: options.advertiseIp },
      manager_status: { raft_id: options.rng.u32() + 1, addr: address, leader: true, reachability: 'REACHABLE' },
      certificate: { role: 'MANAGER', csr: new Uint8Array(0), status: { state: 'ISSUED', err: '' }, certificate: Buffer.from(certPem), cn: nodeId },
      role: 'MANAGER',
      attachments: this.networks.ingressAttachment(),
      VXLANUDPPort: options.dataPathPort,
    });
    const auth: AuthorizationContext = {
      verifier: rootCa,
      clusterId,
      now: options.now,
      isRemoved: (id) => this.#removed.has(id),
    };
    this.dispatcher = new Dispatcher({
      store: this.store,
      clock: options.clock,
      rng: options.rng,
      auth,
      newId: () => newSwarmId(options.rng),
      ...(options.heartbeatPeriod !== undefined ? { heartbeatPeriod: options.heartbeatPeriod } : {}),
    });
    this.control = new ControlApi({
      store: this.store,
      rng: options.rng,
      rootCaDigest: rootCa.digest,
      onRemove: (node) => {
        this.#removed.add(node.id);
        this.networks.releaseAttachments(node);
      },
      leaderId: nodeId,
      networks: this.networks,
    });
    this.#keys.start(
      options.clock,
      () => this.store.updateCluster((c) => ({ ...c, network_bootstrap_keys: this.#pbKeys(), encryption_key_lamport_clock: this.#keys.lamportClock })),
      options.keyRotationInterval,
    );
    server.addService(serviceDefinition('CA'), {
      GetRootCACertificate: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => callback(null, { certificate: Buffer.from(rootCa.certPem) }),
    });
    server.addService(serviceDefinition('NodeCA'), {
      IssueNodeCertificate: (call: ServerUnaryCall<IssueRequest, unknown>, callback: sendUnaryData<unknown>) => void this.#issue(call, auth).then((r) => callback(null, r), (e) => callback(e)),
      NodeCertificateStatus: (call: ServerUnaryCall<{ node_id: string }, unknown>, callback: sendUnaryData<unknown>) =>
        void this.#certificateStatus(call.request.node_id).then((r) => callback(null, r), (e) => callback(e)),
    });
    server.addService(serviceDefinition('Dispatcher'), this.dispatcher.handlers());
    server.addService(serviceDefinition('Control'), this.control.handlers(auth));
    server.addService(serviceDefinition('ResourceAllocator'), this.resources.handlers(auth));
    const logHandlers = this.logs.handlers(auth);
    server.addService(serviceDefinition('LogBroker'), logHandlers.broker);
    server.addService(serviceDefinition('Logs'), logHandlers.logs);
  }

  get clusterId(): string {
    return this.store.cluster.id;
  }

  get cluster(): PbCluster {
    return this.store.cluster;
  }

  /** Stops serving 2377 and every timer; sessions end. */
  async stop(): Promise<void> {
    this.#keys.stop();
    this.reconciler.close();
    this.logs.close();
    this.dispatcher.close();
    for (const waiters of this.#certificateWaiters.values()) for (const wake of waiters) wake();
    this.#server.forceShutdown();
  }

  #pbKeys(): PbCluster['network_bootstrap_keys'] {
    return this.#keys.keys.map((k) => ({ subsystem: k.subsystem, algorithm: k.algorithm, key: k.key, lamport_time: k.lamportTime }));
  }

  async #issue(call: ServerUnaryCall<IssueRequest, unknown>, auth: AuthorizationContext): Promise<{ node_id: string; node_membership: 'ACCEPTED' }> {
    const request = call.request;
    const csrPem = Buffer.from(request.csr).toString('utf8');
    const caller = callerIdentity(call, auth);
    if (caller && request.token === '') {
      // Renewal: the caller's certificate proves who it is; the role is the store's (promotion).
      const node = this.store.node(caller.nodeId);
      if (!node) throw rpcError(status.NOT_FOUND, `node ${caller.nodeId} not found when attempting to renew certificate`);
      this.#setCertificate(node.id, node.role, request.csr, 'PENDING');
      void this.#sign(node.id, csrPem, node.role);
      return { node_id: node.id, node_membership: 'ACCEPTED' };
    }
    const tokens = this.store.cluster.root_ca.join_tokens;
    const role: NodeRoleName | undefined = request.token === tokens.worker ? 'WORKER' : request.token === tokens.manager ? 'MANAGER' : undefined;
    if (!role) throw rpcError(status.INVALID_ARGUMENT, 'A valid join token is necessary to join this cluster');
    const nodeId = newSwarmId(this.#options.rng);
    this.store.putNode({
      id: nodeId,
      spec: { annotations: { name: '', labels: {} }, desired_role: role, membership: 'ACCEPTED', availability: request.availability ?? 'ACTIVE' },
      description: null,
      status: { state: 'UNKNOWN', message: '', addr: '' },
      manager_status: null,
      certificate: { role, csr: request.csr, status: { state: 'PENDING', err: '' }, certificate: new Uint8Array(0), cn: nodeId },
      role,
      attachments: this.networks.ingressAttachment(),
      VXLANUDPPort: this.store.cluster.VXLANUDPPort,
    });
    void this.#sign(nodeId, csrPem, role);
    return { node_id: nodeId, node_membership: 'ACCEPTED' };
  }

  async #sign(nodeId: string, csrPem: string, role: NodeRoleName): Promise<void> {
    const certRole: CertRole = role === 'MANAGER' ? MANAGER_ROLE : WORKER_ROLE;
    try {
      const certPem = await this.rootCa.signNodeCsr(csrPem, { nodeId, role: certRole, clusterId: this.clusterId, now: this.#options.now() });
      this.#setCertificate(nodeId, role, undefined, 'ISSUED', Buffer.from(certPem));
    } catch (error) {
      this.#setCertificate(nodeId, role, undefined, 'FAILED', undefined, error instanceof Error ? error.message : String(error));
    }
    for (const wake of this.#certificateWaiters.get(nodeId) ?? []) wake();
  }

  #setCertificate(nodeId: string, role: NodeRoleName, csr: Uint8Array | undefined, state: 'PENDING' | 'ISSUED' | 'FAILED', certificate?: Uint8Array, err = ''): void {
    this.store.updateNode(nodeId, (n) => ({
      ...n,
      certificate: { role, csr: csr ?? n.certificate.csr, status: { state, err }, certificate: certificate ?? n.certificate.certificate, cn: nodeId },
    }));
  }

  async #certificateStatus(nodeId: string): Promise<{ status: { state: string; err: string }; certificate: PbNode['certificate'] }> {
    const deadline = this.#options.clock.now() + CERTIFICATE_STATUS_WAIT;
    for (;;) {
      const node = this.store.node(nodeId);
      if (!node) throw rpcError(status.NOT_FOUND, `node ${nodeId} not found`);
      const state = node.certificate.status.state;
      if (state === 'ISSUED' || state === 'FAILED' || this.#options.clock.now() >= deadline) {
        return { status: node.certificate.status, certificate: node.certificate };
      }
      await new Promise<void>((resolve) => {
        const waiters = this.#certificateWaiters.get(nodeId) ?? new Set();
        this.#certificateWaiters.set(nodeId, waiters);
        const timer = this.#options.clock.setTimer(ms(500), wake);
        function wake(): void {
          timer.cancel();
          waiters.delete(wake);
          resolve();
        }
        waiters.add(wake);
      });
    }
  }
}

interface IssueRequest {
  role: NodeRoleName;
  csr: Uint8Array;
  token: string;
  availability: AvailabilityName;
}
