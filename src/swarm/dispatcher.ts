/**
 * The dispatcher (swarmkit `manager/dispatcher/dispatcher.go`, `nodes.go`): every node, managers
 * included, holds one `Session` stream to it and sends `Heartbeat`s.
 *
 * - Opening a session marks the node READY (a manager also REACHABLE), records the description it
 *   sends and the address the manager sees it dial from, and streams `SessionMessage`s: the node
 *   object, the managers, the networking keys and the root CA — again whenever any of them change.
 * - Each heartbeat answers with the period to wait (5 s plus a random part of the 500 ms epsilon,
 *   `periodChooser`); a node whose heartbeats stop for 3 periods (`GracePeriodMultiplier`) goes
 *   DOWN with `heartbeat failure` (a manager also UNREACHABLE).
 *
 * - `Assignments` and `UpdateTaskStatus` (assignments.ts) carry tasks to the node and statuses back;
 *   both need a valid session, like heartbeats.
 *
 * Timers run on the host's clock, so a scaled clock makes the grace period pass faster.
 */
import { status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { ms, seconds, type Clock, type Duration, type Timer } from '../util/clock.js';
import type { Rng } from '../util/rng.js';
import type { PbAssignmentsMessage, PbCluster, PbNode, PbNodeDescription, PbSessionMessage, PbTaskStatusUpdate, PbWeightedPeer } from '../wire/swarmkit.js';
import { TaskAssignments } from './assignments.js';
import { authorizeCaller, type AuthorizationContext } from './authorize.js';
import { MANAGER_ROLE, rpcError, WORKER_ROLE } from './rpc.js';
import type { ClusterStore } from './store.js';

/** `DefaultHeartBeatPeriod`. */
export const HEARTBEAT_PERIOD: Duration = seconds(5);
/** `defaultHeartBeatEpsilon`. */
export const HEARTBEAT_EPSILON: Duration = ms(500);
/** `defaultGracePeriodMultiplier`. */
export const GRACE_PERIOD_MULTIPLIER = 3;
/** The cluster-management port (moby `daemon/cluster` default listen address). */
export const DEFAULT_MANAGEMENT_PORT = 2377;
/**
 * swarmnet's one addition to the session request: a manager's management port when it is not
 * 2377 (port mode, where every host shares 127.0.0.1 and gets a stand-in port). swarmkit learns a
 * manager's address from Raft membership, which swarmnet does not run.
 */
export const MANAGEMENT_PORT_METADATA = 'swarmnet-management-port';
/** Sent by a node whose NetworkDB is not on 7946 (port mode): its gossip port. */
export const GOSSIP_PORT_METADATA = 'swarmnet-gossip-port';
/** NetworkDB's port on a real Docker host. */
export const DEFAULT_GOSSIP_PORT = 7946;
/**
 * swarmnet's addition for port mode, where every host shares 127.0.0.1 and so needs its own VXLAN
 * port: the node's data-path port, recorded as `node.VXLANUDPPort` and sent to its overlay peers.
 */
export const DATA_PATH_PORT_METADATA = 'swarmnet-data-path-port';
/** Weight swarmkit gives every manager in a session's list (`remotes.DefaultObservationWeight`). */
export const MANAGER_WEIGHT = 10;

interface Session {
  readonly id: string;
  readonly nodeId: string;
  stream: ServerWritableStream<unknown, unknown> | undefined;
  expiry: Timer | undefined;
}

export interface DispatcherOptions {
  readonly store: ClusterStore;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly auth: AuthorizationContext;
  readonly newId: () => string;
  /** The base period (Duration); tests may shorten it. */
  readonly heartbeatPeriod?: Duration;
}

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #sessions = new Map<string, Session>();
  /** Each node's NetworkDB port when it is not 7946 (port mode), from its session metadata. */
  readonly #gossipPorts = new Map<string, number>();
  readonly #unsubscribe: () => void;
  readonly assignments: TaskAssignments;
  #closed = false;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.assignments = new TaskAssignments(options.store);
    this.#unsubscribe = options.store.subscribe((event) => {
      if (event.kind === 'network' || event.kind === 'service' || event.kind === 'task') return;
      if (event.kind === 'cluster') this.#pushAll();
      else if (event.removed) this.#dropSession(event.node.id);
      else if (event.node.role === 'MANAGER' || this.#sessions.has(event.node.id)) {
        // A manager's change alters every session's manager list; a node's own change, its own.
        if (event.node.role === 'MANAGER') this.#pushAll();
        else this.#push(event.node.id);
      }
    });
  }

  get heartbeatPeriod(): Duration {
    return this.#options.heartbeatPeriod ?? HEARTBEAT_PERIOD;
  }

  /** grpc-js handlers for the `Dispatcher` service. */
  handlers(): UntypedServiceImplementation {
    return {
      Session: (call: ServerWritableStream<{ description: PbNodeDescription | null; session_id: string }, PbSessionMessage>) => this.#session(call),
      Heartbeat: (call: ServerUnaryCall<{ session_id: string }, unknown>, callback: sendUnaryData<unknown>) => this.#heartbeat(call, callback),
      Assignments: (call: ServerWritableStream<{ session_id: string }, PbAssignmentsMessage>) => this.#assignments(call),
      UpdateTaskStatus: (call: ServerUnaryCall<{ session_id: string; updates: PbTaskStatusUpdate[] }, unknown>, callback: sendUnaryData<unknown>) => {
        try {
          const nodeId = this.#validSession(call, call.request.session_id);
          this.assignments.updateTaskStatus(nodeId, call.request.updates ?? []);
          callback(null, {});
        } catch (error) {
          callback(error as Error);
        }
      },
    };
  }

  /** Ends every session stream and timer. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    this.assignments.close();
    for (const session of this.#sessions.values()) {
      session.expiry?.cancel();
      session.stream?.end();
    }
    this.#sessions.clear();
  }

  #session(call: ServerWritableStream<{ description: PbNodeDescription | null; session_id: string }, PbSessionMessage>): void {
    let nodeId: string;
    try {
      nodeId = authorizeCaller(call, this.#options.auth, [WORKER_ROLE, MANAGER_ROLE]).nodeId;
    } catch (error) {
      call.destroy(error as Error);
      return;
    }
    const { store } = this.#options;
    const node = store.node(nodeId);
    if (!node || this.#closed) {
      call.destroy(rpcError(status.NOT_FOUND, 'node not found'));
      return;
    }
    const previous = this.#sessions.get(nodeId);
    if (previous) this.#dropSession(nodeId);
    const session: Session = { id: this.#options.newId(), nodeId, stream: call, expiry: undefined };
    this.#sessions.set(nodeId, session);
    call.on('cancelled', () => {
      if (this.#sessions.get(nodeId) === session) session.stream = undefined;
    });
    call.on('error', () => {
      if (this.#sessions.get(nodeId) === session) session.stream = undefined;
    });
    const addr = peerIp(call.getPeer());
    const managementPort = Number(call.metadata.get(MANAGEMENT_PORT_METADATA)[0] ?? DEFAULT_MANAGEMENT_PORT) || DEFAULT_MANAGEMENT_PORT;
    const dataPathPort = Number(call.metadata.get(DATA_PATH_PORT_METADATA)[0] ?? 0);
    const gossipPort = Number(call.metadata.get(GOSSIP_PORT_METADATA)[0] ?? 0);
    if (Number.isInteger(gossipPort) && gossipPort > 0 && gossipPort <= 65535) this.#gossipPorts.set(nodeId, gossipPort);
    else this.#gossipPorts.delete(nodeId);
    store.updateNode(nodeId, (n) => ({
      ...n,
      VXLANUDPPort: Number.isInteger(dataPathPort) && dataPathPort > 0 && dataPathPort <= 65535 ? dataPathPort : n.VXLANUDPPort,
      description: call.request.description ?? n.description,
      status: { state: 'READY', message: '', addr },
      manager_status:
        n.role === 'MANAGER'
          ? { raft_id: n.manager_status?.raft_id ?? this.#options.rng.u32() + 1, leader: n.manager_status?.leader ?? false, addr: `${addr}:${managementPort}`, reachability: 'REACHABLE' }
          : null,
    }));
    this.#armExpiry(session, this.#choosePeriod());
    this.#push(nodeId);
  }

  /** The caller's node ID when `sessionId` is its current session (else Heartbeat's errors). */
  #validSession(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>, sessionId: string): string {
    const nodeId = authorizeCaller(call, this.#options.auth, [WORKER_ROLE, MANAGER_ROLE]).nodeId;
    const session = this.#sessions.get(nodeId);
    if (!session) throw rpcError(status.NOT_FOUND, 'node not registered');
    if (session.id !== sessionId) throw rpcError(status.NOT_FOUND, 'session invalid');
    return nodeId;
  }

  #assignments(call: ServerWritableStream<{ session_id: string }, PbAssignmentsMessage>): void {
    let nodeId: string;
    try {
      nodeId = this.#validSession(call, call.request.session_id);
    } catch (error) {
      call.destroy(error as Error);
      return;
    }
    const stop = this.assignments.open(nodeId, { write: (m) => call.write(m), end: () => call.end() });
    call.on('cancelled', stop);
    call.on('error', stop);
    call.on('close', stop);
  }

  #heartbeat(call: ServerUnaryCall<{ session_id: string }, unknown>, callback: sendUnaryData<unknown>): void {
    let nodeId: string;
    try {
      nodeId = authorizeCaller(call, this.#options.auth, [WORKER_ROLE, MANAGER_ROLE]).nodeId;
    } catch (error) {
      callback(error as Error);
      return;
    }
    const session = this.#sessions.get(nodeId);
    if (!session) return callback(rpcError(status.NOT_FOUND, 'node not registered'));
    if (session.id !== call.request.session_id) return callback(rpcError(status.NOT_FOUND, 'session invalid'));
    const period = this.#choosePeriod();
    this.#armExpiry(session, period);
    const node = this.#options.store.node(nodeId);
    if (node && node.status.state !== 'READY') {
      this.#options.store.updateNode(nodeId, (n) => ({
        ...n,
        status: { ...n.status, state: 'READY', message: '' },
        manager_status: n.manager_status ? { ...n.manager_status, reachability: 'REACHABLE' } : null,
      }));
    }
    callback(null, { period: { seconds: Math.floor(period / 1000), nanos: Math.round((period % 1000) * 1e6) } });
  }

  /** `periodChooser.Choose`: the base period plus a random part of the epsilon. */
  #choosePeriod(): Duration {
    return ms(this.heartbeatPeriod + this.#options.rng.float() * HEARTBEAT_EPSILON * (this.heartbeatPeriod / HEARTBEAT_PERIOD));
  }

  #armExpiry(session: Session, period: Duration): void {
    session.expiry?.cancel();
    session.expiry = this.#options.clock.setTimer(ms(period * GRACE_PERIOD_MULTIPLIER), () => {
      if (this.#sessions.get(session.nodeId) !== session) return;
      this.#sessions.delete(session.nodeId);
      session.stream?.end();
      this.assignments.closeNode(session.nodeId);
      this.#options.store.updateNode(session.nodeId, (n) => ({
        ...n,
        status: { ...n.status, state: 'DOWN', message: 'heartbeat failure' },
        manager_status: n.manager_status ? { ...n.manager_status, reachability: 'UNREACHABLE' } : null,
      }));
    });
  }

  #dropSession(nodeId: string): void {
    const session = this.#sessions.get(nodeId);
    if (!session) return;
    this.#sessions.delete(nodeId);
    session.expiry?.cancel();
    session.stream?.end();
    this.assignments.closeNode(nodeId);
  }

  #pushAll(): void {
    for (const nodeId of this.#sessions.keys()) this.#push(nodeId);
  }

  #push(nodeId: string): void {
    const session = this.#sessions.get(nodeId);
    const node = this.#options.store.node(nodeId);
    if (!session?.stream || !node) return;
    session.stream.write(sessionMessage(session.id, node, this.#options.store.nodes, this.#options.store.cluster, this.#gossipPorts));
  }
}

export function sessionMessage(sessionId: string, node: PbNode, nodes: readonly PbNode[], cluster: PbCluster, gossipPorts: ReadonlyMap<string, number> = new Map()): PbSessionMessage {
  const managerNodes = nodes.filter((n) => n.role === 'MANAGER' && n.manager_status);
  const managers: PbWeightedPeer[] = managerNodes.map((n) => ({ peer: { node_id: n.id, addr: n.manager_status!.addr }, weight: MANAGER_WEIGHT }));
  const swarmnet_gossip_peers = managerNodes
    .filter((n) => gossipPorts.has(n.id) && gossipPorts.get(n.id) !== DEFAULT_GOSSIP_PORT && n.status.addr)
    .map((n) => ({ node_id: n.id, addr: `${n.status.addr}:${gossipPorts.get(n.id)}` }));
  return {
    session_id: sessionId,
    node,
    managers,
    network_bootstrap_keys: cluster.network_bootstrap_keys,
    RootCA: cluster.root_ca.ca_cert,
    swarmnet_gossip_peers,
  };
}

/** The IP of a grpc-js peer string (`127.1.2.3:45678`, `[::1]:5`). */
export function peerIp(peer: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(peer);
  if (bracketed) return bracketed[1]!;
  const colon = peer.lastIndexOf(':');
  return colon > 0 ? peer.slice(0, colon) : peer;
}
