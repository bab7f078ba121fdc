/**
 * The node side of 2377 (swarmkit `agent/`, `node/node.go`, `ca/certificates.go`):
 *
 * - `joinSwarm` is `docker swarm join`: parse the token (`invalid join token`), fetch the root CA
 *   without verifying the server and check it against the token's digest (`remote CA does not
 *   match fingerprint`), then — now verifying the manager against that CA — send a fresh CSR with
 *   the token and wait for the signed certificate. Every step has a deadline.
 * - `Agent` keeps the node's session with the dispatcher over mutual TLS: one `Session` stream
 *   whose messages carry the node object, the managers and the networking keys, and `Heartbeat`s
 *   at the period the dispatcher asks for. A broken session is retried with a bounded backoff on
 *   the host's clock. When the node's role in the store changes (promote/demote), the agent asks
 *   for a certificate with the new role (`IssueNodeCertificate` authenticated by its current one).
 * - Once a session is up the agent opens its `Assignments` stream (swarmkit `agent/session.go`
 *   `watch`): every message is the node's complete task set, handed
 *   to `onAssignments`. The stream is reopened with each session (bounded backoff). Task statuses
 *   go back through `UpdateTaskStatus` in order, batched, retried while the session lives (a new
 *   session resends what is pending: the executor's latest status per task is what matters).
 * - `attachNetwork`/`detachNetwork` are the `ResourceAllocator` client (`docker run --network
 *   <attachable overlay>`); refusals pass through as gRPC status errors for the daemon to show.
 */
import { ms, type Clock, type Duration } from '../util/clock.js';
import type { AvailabilityName, PbAssignmentsMessage, PbLogMessage, PbNodeDescription, PbSessionMessage, PbSubscriptionMessage, PbTaskStatusUpdate } from '../wire/swarmkit.js';
import { RootCA } from './ca.js';
import { digestOfPem, generateNodeKeyAndCsr } from './node-certificate.js';
import { DATA_PATH_PORT_METADATA, DEFAULT_GOSSIP_PORT, DEFAULT_MANAGEMENT_PORT, GOSSIP_PORT_METADATA, MANAGEMENT_PORT_METADATA } from './dispatcher.js';
import { GrpcClient, GrpcCode, GrpcStatusError, type CallSpec } from './grpc-client.js';
import { parseJoinToken } from './join-token.js';
import type { NodeCredentials } from './manager.js';
import { RESOURCE_CALLS } from './resource-allocator.js';

export const CA_CALLS = {
  GetRootCACertificate: { service: 'CA', method: 'GetRootCACertificate', requestType: 'GetRootCACertificateRequest', responseType: 'GetRootCACertificateResponse' },
  IssueNodeCertificate: { service: 'NodeCA', method: 'IssueNodeCertificate', requestType: 'IssueNodeCertificateRequest', responseType: 'IssueNodeCertificateResponse' },
  NodeCertificateStatus: { service: 'NodeCA', method: 'NodeCertificateStatus', requestType: 'NodeCertificateStatusRequest', responseType: 'NodeCertificateStatusResponse' },
} as const satisfies Record<string, CallSpec>;

export const DISPATCHER_CALLS = {
  Session: { service: 'Dispatcher', method: 'Session', requestType: 'SessionRequest', responseType: 'SessionMessage' },
  Heartbeat: { service: 'Dispatcher', method: 'Heartbeat', requestType: 'HeartbeatRequest', responseType: 'HeartbeatResponse' },
  Assignments: { service: 'Dispatcher', method: 'Assignments', requestType: 'AssignmentsRequest', responseType: 'AssignmentsMessage' },
  UpdateTaskStatus: { service: 'Dispatcher', method: 'UpdateTaskStatus', requestType: 'UpdateTaskStatusRequest', responseType: 'UpdateTaskStatusResponse' },
} as const satisfies Record<string, CallSpec>;

export const LOG_BROKER_CALLS = {
  ListenSubscriptions: { service: 'LogBroker', method: 'ListenSubscriptions', requestType: 'ListenSubscriptionsRequest', responseType: 'SubscriptionMessage' },
  // A client stream on the wire; the agent sends each publication as a stream of one message.
  PublishLogs: { service: 'LogBroker', method: 'PublishLogs', requestType: 'PublishLogsMessage', responseType: 'PublishLogsResponse' },
} as const satisfies Record<string, CallSpec>;

/** Bound on one RPC of the join handshake or a heartbeat (real milliseconds). */
export const RPC_TIMEOUT_MS = 5_000;
/** Session retry backoff bounds (host clock). */
export const SESSION_RETRY_MIN: Duration = ms(200);
export const SESSION_RETRY_MAX: Duration = ms(5_000);
/** Most task status updates sent in one `UpdateTaskStatus` call (swarmkit batches too). */
export const MAX_STATUS_BATCH = 64;
/** Most status updates held while the session is down; the oldest go first. */
export const MAX_PENDING_STATUSES = 4096;
/** Pause before resending statuses after a failed `UpdateTaskStatus` (host clock). */
export const STATUS_RETRY: Duration = ms(200);

/** A refusal the daemon shows verbatim after `Error response from daemon: `. */
export class JoinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JoinError';
  }
}

export interface ManagerEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface JoinOptions {
  readonly remote: ManagerEndpoint;
  readonly token: string;
  readonly localAddress: string;
  readonly availability: AvailabilityName;
  readonly now: () => Date;
  /** Bound on the whole handshake (real milliseconds). */
  readonly timeoutMs: number;
}

export async function joinSwarm(options: JoinOptions): Promise<NodeCredentials> {
  const parsed = (() => {
    try {
      return parseJoinToken(options.token);
    } catch {
      throw new JoinError('invalid join token');
    }
  })();
  const deadline = Date.now() + options.timeoutMs;
  const left = () => Math.max(1, Math.min(RPC_TIMEOUT_MS, deadline - Date.now()));
  const bootstrap = new GrpcClient({ host: options.remote.host, port: options.remote.port, localAddress: options.localAddress });
  let rootCaPem: string;
  try {
    const response = await bootstrap.unary<{ certificate: Uint8Array }>(CA_CALLS.GetRootCACertificate, {}, left());
    rootCaPem = Buffer.from(response.certificate).toString('utf8');
  } finally {
    bootstrap.close();
  }
  if (digestOfPem(rootCaPem) !== parsed.rootCaDigest) throw new JoinError(`remote CA does not match fingerprint. Expected: ${parsed.rootCaDigest}`);
  const rootCa = RootCA.fromPem(rootCaPem);
  const { keyPem, csrPem } = await generateNodeKeyAndCsr();
  const client = new GrpcClient({ host: options.remote.host, port: options.remote.port, localAddress: options.localAddress, rootCaPem });
  try {
    const issued = await client.unary<{ node_id: string }>(
      CA_CALLS.IssueNodeCertificate,
      { csr: Buffer.from(csrPem), token: options.token, availability: options.availability },
      left(),
    );
    const certPem = await waitForCertificate(client, issued.node_id, deadline);
    const identity = rootCa.verifyNodeCertificate(certPem, options.now());
    return { ...identity, certPem, keyPem, rootCaPem };
  } finally {
    client.close();
  }
}

async function waitForCertificate(client: GrpcClient, nodeId: string, deadline: number): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const status = await client.unary<{ status: { state: string; err: string }; certificate: { certificate: Uint8Array } | null }>(
      CA_CALLS.NodeCertificateStatus,
      { node_id: nodeId },
      Math.max(1, Math.min(remaining, 15_000)),
    );
    if (status.status.state === 'ISSUED' && status.certificate) return Buffer.from(status.certificate.certificate).toString('utf8');
    if (status.status.state === 'FAILED') throw new JoinError(`certificate issuance failed: ${status.status.err}`);
  }
  throw new GrpcStatusError(GrpcCode.DeadlineExceeded, 'context deadline exceeded');
}

export interface AgentOptions {
  readonly clock: Clock;
  readonly now: () => Date;
  readonly credentials: NodeCredentials;
  readonly manager: ManagerEndpoint;
  readonly localAddress: string;
  /** This node's management port, sent when it is a manager and not on 2377. */
  readonly managementPort: number;
  /** This host's VXLAN port, sent on every session (`swarmnet-data-path-port`). */
  readonly dataPathPort?: number;
  /** This host's NetworkDB port, sent when it is not 7946 (`swarmnet-gossip-port`). */
  readonly gossipPort?: number;
  readonly description: () => PbNodeDescription;
  /** Every session message (node, managers, keys). */
  readonly onSessionMessage?: (message: PbSessionMessage, agent: Agent) => void;
  /** The certificate was renewed (role change). */
  readonly onCredentials?: (credentials: NodeCredentials) => void;
  /** Every assignments message (the complete task set of this node). */
  readonly onAssignments?: (message: PbAssignmentsMessage) => void;
  /** A log subscription from the broker: answer it with `publishLogs`. */
  readonly onLogSubscription?: (message: PbSubscriptionMessage) => void;
}

export class Agent {
  #credentials: NodeCredentials;
  #client: GrpcClient;
  #abort = new AbortController();
  #stopped = false;
  #sessionId = '';
  #last: PbSessionMessage | undefined;
  #connected = false;
  #heartbeatTimer: { cancel(): void } | undefined;
  #renewing = false;
  readonly #options: AgentOptions;
  #loop: Promise<void> | undefined;
  /** The session whose Assignments stream is open (or being opened). */
  #assignmentsSession = '';
  #pendingStatuses: PbTaskStatusUpdate[] = [];
  #sendingStatuses = false;
  #statusRetry: { cancel(): void } | undefined;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.#credentials = options.credentials;
    this.#client = this.#newClient();
  }

  get credentials(): NodeCredentials {
    return this.#credentials;
  }

  /** The latest session message, if any. */
  get session(): PbSessionMessage | undefined {
    return this.#last;
  }

  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Queues task status updates; they go to the dispatcher in order, batched, retried. */
  updateTaskStatus(updates: readonly PbTaskStatusUpdate[]): void {
    if (this.#stopped) return;
    this.#pendingStatuses.push(...updates);
    const excess = this.#pendingStatuses.length - MAX_PENDING_STATUSES;
    if (excess > 0) this.#pendingStatuses.splice(0, excess);
    void this.#flushStatuses();
  }

  /** `ResourceAllocator.AttachNetwork`: the attachment task's ID (gRPC refusals pass through). */
  async attachNetwork(target: string, containerId: string, aliases: readonly string[] = [], addresses: readonly string[] = []): Promise<string> {
    const response = await this.#client.unary<{ attachment_id: string }>(
      RESOURCE_CALLS.AttachNetwork,
      { config: { target, aliases: [...aliases], addresses: [...addresses], driver_attachment_opts: {} }, container_id: containerId },
      RPC_TIMEOUT_MS,
    );
    return response.attachment_id;
  }

  async detachNetwork(attachmentId: string): Promise<void> {
    await this.#client.unary(RESOURCE_CALLS.DetachNetwork, { attachment_id: attachmentId }, RPC_TIMEOUT_MS);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#heartbeatTimer?.cancel();
    this.#statusRetry?.cancel();
    this.#client.close();
    await this.#loop?.catch(() => undefined);
  }

  #newClient(): GrpcClient {
    const c = this.#credentials;
    return new GrpcClient({
      host: this.#options.manager.host,
      port: this.#options.manager.port,
      localAddress: this.#options.localAddress,
      rootCaPem: c.rootCaPem,
      identity: { certPem: c.certPem, keyPem: c.keyPem },
    });
  }

  async #run(): Promise<void> {
    let backoff = SESSION_RETRY_MIN;
    while (!this.#stopped) {
      const sessionBefore = this.#sessionId;
      try {
        await this.#client.serverStream<PbSessionMessage>(
          DISPATCHER_CALLS.Session,
          { description: this.#options.description(), session_id: '' },
          (message) => this.#onMessage(message),
          this.#abort.signal,
          this.#metadata(),
        );
      } catch {
        /* reconnect below */
      }
      this.#connected = false;
      this.#heartbeatTimer?.cancel();
      if (this.#stopped) return;
      // A session that got going resets the backoff; repeated failures to get one double it.
      backoff = this.#sessionId !== sessionBefore ? SESSION_RETRY_MIN : ms(Math.min(SESSION_RETRY_MAX, backoff * 2));
      await this.#options.clock.sleep(backoff, this.#abort.signal).catch(() => undefined);
    }
  }

  #metadata(): Record<string, string> {
    const port = this.#options.managementPort;
    const dataPath = this.#options.dataPathPort;
    const gossip = this.#options.gossipPort;
    return {
      ...(this.#credentials.role === 'swarm-manager' && port !== DEFAULT_MANAGEMENT_PORT ? { [MANAGEMENT_PORT_METADATA]: String(port) } : {}),
      ...(dataPath !== undefined ? { [DATA_PATH_PORT_METADATA]: String(dataPath) } : {}),
      ...(gossip !== undefined && gossip !== DEFAULT_GOSSIP_PORT ? { [GOSSIP_PORT_METADATA]: String(gossip) } : {}),
    };
  }

  /** `LogBroker.PublishLogs`: one publication for a subscription, closing it. */
  async publishLogs(subscriptionId: string, messages: readonly PbLogMessage[]): Promise<void> {
    await this.#client.unary(LOG_BROKER_CALLS.PublishLogs, { subscription_id: subscriptionId, messages, close: true }, RPC_TIMEOUT_MS);
  }

  /** Keeps one Assignments stream open per session; reopened (with backoff) while it lives. */
  #watchAssignments(sessionId: string, signal: AbortSignal): Promise<void> {
    return this.#watchStream<PbAssignmentsMessage>(DISPATCHER_CALLS.Assignments, { session_id: sessionId }, sessionId, signal, (m) => this.#options.onAssignments?.(m));
  }

  /** Keeps the log broker's subscription stream open beside the session (swarmkit `agent/session.go` `logSubscriptions`). */
  #watchLogSubscriptions(sessionId: string, signal: AbortSignal): Promise<void> {
    return this.#watchStream<PbSubscriptionMessage>(LOG_BROKER_CALLS.ListenSubscriptions, {}, sessionId, signal, (m) => this.#options.onLogSubscription?.(m));
  }

  async #watchStream<T>(call: CallSpec, request: object, sessionId: string, signal: AbortSignal, deliver: (message: T) => void): Promise<void> {
    let backoff = SESSION_RETRY_MIN;
    while (!this.#stopped && !signal.aborted && this.#sessionId === sessionId) {
      let delivered = false;
      try {
        await this.#client.serverStream<T>(
          call,
          request,
          (message) => {
            delivered = true;
            if (!this.#stopped && this.#sessionId === sessionId) deliver(message);
          },
          signal,
        );
      } catch {
        /* reopened below while the session lives */
      }
      if (this.#stopped || signal.aborted || this.#sessionId !== sessionId) return;
      backoff = delivered ? SESSION_RETRY_MIN : ms(Math.min(SESSION_RETRY_MAX, backoff * 2));
      await this.#options.clock.sleep(backoff, signal).catch(() => undefined);
    }
  }

  async #flushStatuses(): Promise<void> {
    if (this.#sendingStatuses || this.#stopped) return;
    this.#sendingStatuses = true;
    try {
      while (this.#pendingStatuses.length > 0 && !this.#stopped && this.#connected) {
        const batch = this.#pendingStatuses.slice(0, MAX_STATUS_BATCH);
        try {
          await this.#client.unary(DISPATCHER_CALLS.UpdateTaskStatus, { session_id: this.#sessionId, updates: batch }, RPC_TIMEOUT_MS);
        } catch {
          this.#statusRetry?.cancel();
          this.#statusRetry = this.#options.clock.setTimer(STATUS_RETRY, () => void this.#flushStatuses());
          return;
        }
        this.#pendingStatuses.splice(0, batch.length);
      }
    } finally {
      this.#sendingStatuses = false;
    }
  }

  #onMessage(message: PbSessionMessage): void {
    const first = this.#sessionId !== message.session_id;
    this.#sessionId = message.session_id;
    this.#last = message;
    this.#connected = true;
    if (first) {
      this.#scheduleHeartbeat(ms(0));
      if (this.#assignmentsSession !== message.session_id) {
        this.#assignmentsSession = message.session_id;
        void this.#watchAssignments(message.session_id, this.#abort.signal);
        void this.#watchLogSubscriptions(message.session_id, this.#abort.signal);
      }
      void this.#flushStatuses();
    }
    const role = message.node?.role;
    const certRole = this.#credentials.role === 'swarm-manager' ? 'MANAGER' : 'WORKER';
    if (role && role !== certRole && !this.#renewing) void this.#renew();
    this.#options.onSessionMessage?.(message, this);
  }

  #scheduleHeartbeat(delay: Duration): void {
    this.#heartbeatTimer?.cancel();
    this.#heartbeatTimer = this.#options.clock.setTimer(delay, () => {
      const sessionId = this.#sessionId;
      this.#client
        .unary<{ period: { seconds: number; nanos: number } | null }>(DISPATCHER_CALLS.Heartbeat, { session_id: sessionId }, RPC_TIMEOUT_MS)
        .then(
          (response) => {
            if (this.#stopped || sessionId !== this.#sessionId) return;
            const period = response.period ? response.period.seconds * 1000 + response.period.nanos / 1e6 : 5000;
            this.#scheduleHeartbeat(ms(period));
          },
          () => {
            // The dispatcher no longer knows this session (or is gone): start a new one.
            if (!this.#stopped) this.#restartSession();
          },
        );
    });
  }

  #restartSession(): void {
    this.#abort.abort();
    this.#abort = new AbortController();
  }

  async #renew(): Promise<void> {
    this.#renewing = true;
    try {
      const { keyPem, csrPem } = await generateNodeKeyAndCsr();
      await this.#client.unary(CA_CALLS.IssueNodeCertificate, { csr: Buffer.from(csrPem), token: '' }, RPC_TIMEOUT_MS);
      const certPem = await waitForCertificate(this.#client, this.#credentials.nodeId, Date.now() + 15_000);
      const identity = RootCA.fromPem(this.#credentials.rootCaPem).verifyNodeCertificate(certPem, this.#options.now());
      this.#credentials = { ...identity, certPem, keyPem, rootCaPem: this.#credentials.rootCaPem };
      this.#client.close();
      this.#client = this.#newClient();
      this.#restartSession();
      this.#options.onCredentials?.(this.#credentials);
    } catch {
      /* retried on the next session message */
    } finally {
      this.#renewing = false;
    }
  }
}
