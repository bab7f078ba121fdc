/**
 * The host's daemon: the Engine API (engine-api.ts) over this host's swarm role — inactive, a
 * worker (an `Agent` session with a manager), the leader (a `Manager` plus its own agent), or a
 * further manager (an agent, with control calls sent to the leader over 2377; no Raft, so it holds
 * no store of its own).
 *
 * Refusals carry Docker's wording (reference docker-cli-outputs.md §1): the daemon's own texts
 * (moby `daemon/cluster/errors.go`, `swarm.go`) and swarmkit's gRPC errors in grpc-go's form.
 * Sockets bind only this host's loopback address: `--listen-addr 0.0.0.0` (Docker's default) is
 * honoured as "this host's address", never as every interface.
 */
import os from 'node:os';
import type { Clock, Duration } from '../util/clock.js';
import { Rng } from '../util/rng.js';
import { Agent, joinSwarm, type ManagerEndpoint } from '../swarm/agent.js';
import { RootCA } from '../swarm/ca.js';
import { CONTROL_CALLS, type ControlClient, type ControlMethod, type ControlMethods } from '../swarm/control-api.js';
import { GrpcClient, GrpcCode, GrpcStatusError } from '../swarm/grpc-client.js';
import { Manager, type NodeCredentials } from '../swarm/manager.js';
import { EngineApiError, ENGINE_VERSION, type EngineMethod, type EngineParams, type EngineResult, type SwarmInfo, type SystemInfo } from './engine-api.js';
import { clusterToEngine, describeHost, engineArchitecture, STOCK_ENGINE, swarmToEngine } from './engine-convert.js';
import {
  ERR_JOIN_TIMEOUT,
  ERR_NO_SWARM,
  ERR_NOT_MANAGER_INACTIVE,
  ERR_NOT_MANAGER_WORKER,
  ERR_SWARM_EXISTS,
  LEAVE_MANAGER,
  toEngineError,
} from './engine-errors.js';
import { DaemonContainers, ATTACH_TIMEOUT_MS } from './daemon-containers.js';
import { DaemonNetworks } from './daemon-networks.js';
import { Executor } from './executor.js';
import type { LocalRuntime } from './local-runtime.js';
import { DaemonNodes } from './daemon-nodes.js';
import { DaemonServices } from './daemon-services.js';
import { LOGS_CALLS, SUBSCRIPTION_WAIT_MS } from '../swarm/log-broker.js';
import type { PbLogMessage, PbLogSelector, PbLogSubscriptionOptions } from '../wire/swarmkit.js';
import { distributionInspect } from './registry.js';
import { networkSpec } from './network-spec.js';
import { parseSwarmInit, parseRemoteAddr } from './swarm-options.js';
import { NetworkAgent } from './network-agent.js';
import type { Upstream } from './dns-forward.js';
import { GOSSIP_PORT } from '../gossip/config.js';
import type { GossipAddress } from '../gossip/transport.js';
import type { DropCounters } from '../util/drop.js';
import type { PbSessionMessage } from '../wire/swarmkit.js';
import type { NdbEndpointRecord } from '../wire/networkdb.js';
import type { GossipInfo } from './control.js';

/** The swarm key subsystem of encrypted overlays' IPsec (swarmkit keymanager). */
const IPSEC_KEY_SUBSYSTEM = 'networking:ipsec';
/** How long `swarm init` / `join` wait for the node's first session (real milliseconds). */
export const SESSION_WAIT_MS = 10_000;
/** moby `swarmConnectTimeout`: bound on the whole join handshake. */
export const JOIN_TIMEOUT_MS = 20_000;

export interface DaemonOptions {
  readonly hostname: string;
  /** This host's loopback address (its only address). */
  readonly address: string;
  /** 2377 in address mode; 0 in port mode (a stand-in port is bound on init or promotion). */
  readonly managementPort: number;
  /** The data-path port this host's VXLAN socket is bound to. */
  readonly dataPathPort: number;
  readonly clock: Clock;
  readonly rng: Rng;
  /** The daemon's own ID (`docker info` `ID`). */
  readonly id: string;
  /** The host's data plane, where containers and lazy overlays live. */
  readonly runtime: LocalRuntime;
  /** Shorter dispatcher heartbeats for tests (swarmkit's 5 s otherwise). */
  readonly heartbeatPeriod?: Duration;
  /** NetworkDB's port: 7946 in address mode, 0 in port mode (any free port). */
  readonly gossipPort: number;
  /** The host's drop counters (gossip counts its drops there). */
  readonly drops: DropCounters;
  /** The networking keys' rotation period when this host becomes the leader (12 h by default). */
  readonly keyRotationInterval?: Duration;
  /** The host's DNS upstreams (loopback only), for names the swarm's networks do not know. */
  readonly dnsUpstreams?: readonly Upstream[];
}

interface Active {
  readonly agent: Agent;
  /** NetworkDB on this host's gossip port. */
  readonly network: NetworkAgent;
  /** Runs this node's tasks (every node runs tasks, managers too). */
  readonly executor: Executor;
  /** Only on the node that ran `swarm init`. */
  readonly manager: Manager | undefined;
  /** The manager this node talks to. */
  readonly leader: ManagerEndpoint;
}

export class Daemon {
  readonly #options: DaemonOptions;
  readonly #epoch: number;
  #active: Active | undefined;
  readonly #networks: DaemonNetworks;
  #remoteControl: { client: GrpcClient; certPem: string } | undefined;
  /** How many times NetworkDB has started here (each start draws a new node name). */
  #gossipStarts = 0;
  readonly #containers: DaemonContainers;
  readonly #nodes = new DaemonNodes((method, request) => this.#control().call(method as ControlMethod, request as never) as Promise<never>);
  readonly #services = new DaemonServices({
    control: (method, request) => this.#control().call(method as ControlMethod, request as never) as Promise<never>,
    nodeId: () => this.#requireManager().agent.credentials.nodeId,
    localNetwork: (name) => this.#networks.localNetwork(name),
    subscribeLogs: (selector, options) => this.#subscribeLogs(selector, options),
  });

  constructor(options: DaemonOptions) {
    this.#options = options;
    // Wall time on the host's (possibly scaled) time line: dates in certificates and objects.
    this.#epoch = Date.now() - options.clock.now();
    this.#containers = new DaemonContainers({
      runtime: options.runtime,
      rng: Rng.derive(options.rng.u32(), 'containers'),
      clock: options.clock,
      wall: { now: () => this.now().getTime(), wall: (clockMs) => this.#epoch + clockMs },
      localNetworkId: (name) => this.#networks.localNetworkId(name),
      swarm: () => this.#swarmAttacher(),
      onEndpointsChanged: () => this.#active?.executor.endpointsChanged(),
    });
    this.#networks = new DaemonNetworks(
      {
        role: () => (!this.#active ? 'inactive' : this.#active.agent.credentials.role === 'swarm-manager' ? 'manager' : 'worker'),
        listSwarm: async () => (await this.#controlCall('ListNetworks', {})).networks,
        createSwarm: async (request) => (await this.#controlCall('CreateNetwork', { spec: networkSpec(request) })).network.id,
        removeSwarm: async (id) => void (await this.#controlCall('RemoveNetwork', { network_id: id })),
        attachments: () => this.#active?.agent.session?.node?.attachments ?? [],
        endpoints: () => this.#containers.liveEndpoints(),
        peers: (id) => this.#active?.network.peers(id) ?? [],
        notManager: (operation) => new EngineApiError(operation === 'create' || !this.#active ? ERR_NOT_MANAGER_INACTIVE : ERR_NOT_MANAGER_WORKER, 503),
      },
      Rng.derive(options.rng.u32(), 'networks'),
      this.now,
    );
  }

  now = (): Date => new Date(this.#epoch + this.#options.clock.now());

  async call<M extends EngineMethod>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> {
    try {
      return (await this.#dispatch(method, params)) as EngineResult<M>;
    } catch (error) {
      throw toEngineError(error);
    }
  }

  /**
   * The daemon stops. Gracefully, NetworkDB says goodbye (NodeEvent LEAVE, memberlist leave) as
   * moby's `agentClose` does; `abrupt` (a crash) closes its sockets without a word, so the other
   * hosts must detect the failure.
   */
  async close(abrupt = false): Promise<void> {
    await this.#teardown(true, abrupt);
  }

  async #dispatch(method: EngineMethod, params: unknown): Promise<unknown> {
    switch (method) {
      case 'info':
        return this.#info();
      case 'swarmInit':
        return this.#init(params as EngineParams<'swarmInit'>);
      case 'swarmJoin':
        return this.#join(params as EngineParams<'swarmJoin'>);
      case 'swarmLeave':
        return this.#leave((params as EngineParams<'swarmLeave'>).force === true);
      case 'swarmInspect': {
        const { cluster } = await this.#controlCall('GetCluster', { cluster_id: this.#clusterId() });
        return swarmToEngine(cluster, this.#rootTlsInfo());
      }
      case 'swarmUpdate': {
        const p = params as EngineParams<'swarmUpdate'>;
        const { cluster } = await this.#controlCall('GetCluster', { cluster_id: this.#clusterId() });
        await this.#controlCall('UpdateCluster', {
          cluster_id: cluster.id,
          cluster_version: { index: p.version },
          spec: cluster.spec,
          rotation: { worker_join_token: p.rotateWorkerToken === true, manager_join_token: p.rotateManagerToken === true },
        });
        return null;
      }
      case 'nodeList':
        return this.#nodes.list((params as EngineParams<'nodeList'>).filters);
      case 'nodeInspect':
        return this.#nodes.inspect((params as EngineParams<'nodeInspect'>).id);
      case 'nodeUpdate':
        await this.#nodes.update(params as EngineParams<'nodeUpdate'>);
        return null;
      case 'nodeRemove':
        await this.#nodes.remove(params as EngineParams<'nodeRemove'>);
        return null;
      case 'networkCreate':
        return this.#networks.create(params as EngineParams<'networkCreate'>);
      case 'networkList':
        return this.#networks.list((params as EngineParams<'networkList'>).filters);
      case 'networkInspect':
        return this.#networks.inspect((params as EngineParams<'networkInspect'>).id);
      case 'networkRemove':
        await this.#networks.remove((params as EngineParams<'networkRemove'>).id);
        return null;
      case 'networkPrune':
        return this.#networks.prune((params as EngineParams<'networkPrune'>).filters);
      case 'networkConnect': {
        const p = params as EngineParams<'networkConnect'>;
        await this.#containers.connect(p.id, p.container, p.aliases ?? [], p.ipv4Address);
        return null;
      }
      case 'networkDisconnect': {
        const p = params as EngineParams<'networkDisconnect'>;
        await this.#containers.disconnect(p.id, p.container);
        return null;
      }
      case 'serviceCreate':
        return this.#services.create((params as EngineParams<'serviceCreate'>).spec);
      case 'serviceList': {
        const p = params as EngineParams<'serviceList'>;
        return this.#services.list(p.filters, p.status === true);
      }
      case 'serviceInspect': {
        const p = params as EngineParams<'serviceInspect'>;
        return this.#services.inspect(p.id, p.insertDefaults === true);
      }
      case 'serviceUpdate': {
        const p = params as EngineParams<'serviceUpdate'>;
        return this.#services.update(p.id, p.version, p.spec, p.rollback);
      }
      case 'serviceRemove':
        await this.#services.remove((params as EngineParams<'serviceRemove'>).id);
        return null;
      case 'taskList':
        return this.#services.tasks((params as EngineParams<'taskList'>).filters);
      case 'containerCreate':
        return this.#containers.createFromRequest(params as EngineParams<'containerCreate'>);
      case 'containerStart':
        await this.#containers.start((params as EngineParams<'containerStart'>).id);
        return null;
      case 'containerAttach': {
        const p = params as EngineParams<'containerAttach'>;
        return this.#containers.attach(p.id, p.stdin);
      }
      case 'containerWait':
        return this.#containers.wait((params as EngineParams<'containerWait'>).id);
      case 'containerList': {
        const p = params as EngineParams<'containerList'>;
        return this.#containers.list(p.all === true, p.filters);
      }
      case 'containerInspect':
        return this.#containers.inspect((params as EngineParams<'containerInspect'>).id);
      case 'containerStop': {
        const p = params as EngineParams<'containerStop'>;
        await this.#containers.stop(p.id, p.timeout);
        return null;
      }
      case 'containerKill': {
        const p = params as EngineParams<'containerKill'>;
        await this.#containers.kill(p.id, p.signal);
        return null;
      }
      case 'containerRemove': {
        const p = params as EngineParams<'containerRemove'>;
        await this.#containers.remove(p.id, p.force === true);
        return null;
      }
      case 'containerLogs': {
        const p = params as EngineParams<'containerLogs'>;
        return this.#containers.logs(p.id, p.tail);
      }
      case 'containerExec':
        return this.#containers.exec(params as EngineParams<'containerExec'>);
      case 'serviceLogs': {
        const p = params as EngineParams<'serviceLogs'>;
        return this.#services.logs(p.id, p.tail);
      }
      case 'taskInspect':
        return this.#services.task((params as EngineParams<'taskInspect'>).id);
      case 'distributionInspect':
        return distributionInspect((params as EngineParams<'distributionInspect'>).image);
    }
    throw new EngineApiError(`unknown engine method ${String(method)}`, 404);
  }

  /** `container`'s embedded DNS answer to `query`; undefined outside a swarm (no records). */
  answerDns(container: string, query: Uint8Array, transport: 'udp' | 'tcp'): Promise<Uint8Array | undefined> | undefined {
    return this.#active?.network.answerDns(container, query, transport);
  }

  /** NetworkDB's state on this host (the `gossip` control request); null outside a swarm. */
  gossipInfo(): GossipInfo | null {
    return this.#active?.network.info() ?? null;
  }

  // ---- swarm lifecycle ----

  async #init(request: EngineParams<'swarmInit'>): Promise<string> {
    if (this.#active) throw new EngineApiError(ERR_SWARM_EXISTS, 503);
    const o = this.#options;
    const settings = parseSwarmInit(request, { address: o.address, managementPort: o.managementPort, dataPathPort: o.dataPathPort });
    const { manager, credentials } = await Manager.init({
      clock: o.clock,
      rng: o.rng,
      now: this.now,
      listen: { host: o.address, port: settings.listenPort },
      advertiseIp: o.address,
      availability: settings.availability,
      dataPathPort: settings.dataPathPort,
      defaultAddrPool: settings.defaultAddrPool,
      subnetSize: settings.subnetSize,
      ...(o.heartbeatPeriod !== undefined ? { heartbeatPeriod: o.heartbeatPeriod } : {}),
      ...(o.keyRotationInterval !== undefined ? { keyRotationInterval: o.keyRotationInterval } : {}),
    });
    const port = Number(manager.address.slice(manager.address.lastIndexOf(':') + 1));
    const leader = { host: o.address, port };
    let network: NetworkAgent;
    try {
      network = await this.#bindNetworkAgent();
    } catch (error) {
      await manager.stop();
      throw error;
    }
    const { agent, executor } = this.#startAgent(credentials, leader, port, network);
    this.#active = { agent, executor, manager, leader, network };
    this.#networks.ensureGatewayBridge();
    await this.#waitForSession(agent);
    return credentials.nodeId;
  }

  async #join(request: EngineParams<'swarmJoin'>): Promise<null> {
    if (this.#active) throw new EngineApiError(ERR_SWARM_EXISTS, 503);
    if (!Array.isArray(request.RemoteAddrs) || request.RemoteAddrs.length === 0) throw new EngineApiError('at least 1 RemoteAddr is required to join', 400);
    const remote = parseRemoteAddr(request.RemoteAddrs[0]!);
    const availability = (request.Availability ?? 'active').toUpperCase();
    if (availability !== 'ACTIVE' && availability !== 'PAUSE' && availability !== 'DRAIN') {
      throw new EngineApiError(`invalid Availability: ${JSON.stringify(request.Availability)}`, 400);
    }
    const o = this.#options;
    let credentials: NodeCredentials;
    try {
      credentials = await joinSwarm({
        remote,
        token: request.JoinToken,
        localAddress: o.address,
        availability,
        now: this.now,
        timeoutMs: JOIN_TIMEOUT_MS,
      });
    } catch (error) {
      if (error instanceof GrpcStatusError && error.code === GrpcCode.DeadlineExceeded) throw new EngineApiError(ERR_JOIN_TIMEOUT, 500);
      throw error;
    }
    const network = await this.#bindNetworkAgent();
    const { agent, executor } = this.#startAgent(credentials, remote, o.managementPort, network);
    this.#active = { agent, executor, manager: undefined, leader: remote, network };
    this.#networks.ensureGatewayBridge();
    await this.#waitForSession(agent);
    return null;
  }

  async #leave(force: boolean): Promise<null> {
    const active = this.#active;
    if (!active) throw new EngineApiError(ERR_NO_SWARM, 503);
    if (active.agent.credentials.role === 'swarm-manager' && !force) {
      const { nodes } = await this.#controlCall('ListNodes', { filters: { roles: ['MANAGER'] } }).catch(() => ({ nodes: [] }));
      const reachable = nodes.filter((n) => n.manager_status?.reachability === 'REACHABLE').length;
      if (nodes.length <= 1) {
        throw new EngineApiError(`${LEAVE_MANAGER}Removing the last manager erases all current state of the swarm. Use \`--force\` to ignore this message.`, 503);
      }
      const quorum = Math.floor(nodes.length / 2) + 1;
      const quorumText = reachable - 1 < quorum ? `Removing this node leaves ${reachable - 1} managers out of ${nodes.length}. Without a Raft quorum your swarm will be inaccessible. ` : '';
      throw new EngineApiError(
        `${LEAVE_MANAGER}${quorumText}The only way to restore a swarm that has lost consensus is to reinitialize it with \`--force-new-cluster\`. Use \`--force\` to suppress this message.`,
        503,
      );
    }
    await this.#teardown();
    return null;
  }

  /** `final`: the daemon itself shuts down (standalone containers go too). */
  async #teardown(final = false, abrupt = false): Promise<void> {
    const active = this.#active;
    this.#active = undefined;
    this.#remoteControl?.client.close();
    this.#remoteControl = undefined;
    if (!active) {
      if (final) await this.#containers.close();
      return;
    }
    await active.executor.close();
    if (final) await this.#containers.close();
    await active.network.close(abrupt);
    await active.agent.stop();
    await active.manager?.stop();
  }

  /** NetworkDB's sockets, bound before the first session announces the port. */
  #bindNetworkAgent(): Promise<NetworkAgent> {
    const o = this.#options;
    return NetworkAgent.bind({
      address: o.address,
      gossipPort: o.gossipPort,
      clock: o.clock,
      // From the daemon's ID and a start count, not a draw from its RNG (the swarm's IDs stay what
      // they were): each start gets a new NetworkDB name, as moby draws one per agent start.
      rng: Rng.derive(Number.parseInt(o.id.slice(0, 8), 16), `network-agent/${++this.#gossipStarts}`),
      drops: o.drops,
      runtime: o.runtime,
      vtep: { address: o.address, port: o.dataPathPort },
      announceTunnelPort: o.gossipPort === 0,
      ...(o.dnsUpstreams ? { dnsUpstreams: o.dnsUpstreams } : {}),
      endpointRecord: (e) => this.#endpointRecord(e.container, e.network.id!, e.ip),
    });
  }

  /**
   * moby `addServiceInfoToCluster`: a task's record names its service, VIP on that network and
   * the service's aliases there (ingress ports on `ingress` only); a container on an attachable
   * overlay has no service and no VIP (Go's nil IP, "<nil>"). Both carry their other DNS names
   * (network aliases, short ID, hostname) as task aliases. Sandboxes without a DNS name (load
   * balancers) get none.
   */
  #endpointRecord(container: string, networkId: string, ip: string): NdbEndpointRecord | undefined {
    const record = this.#containers.records.find((r) => r.name === container);
    const endpoint = record?.endpoints.find((e) => e.networkId === networkId);
    // moby `buildEndpointDNSNames`: the name, network aliases, the short ID, the hostname.
    const otherNames = record === undefined ? [] : [...new Set([...(endpoint?.aliases ?? []), record.id.slice(0, 12), record.container.hostname])].filter((n) => n !== container);
    const task = this.#active?.executor.taskNamed(container);
    if (task !== undefined) {
      const attachment = task.networks.find((n) => n.network?.id === networkId);
      const vip = task.endpoint?.virtual_ips.find((v) => v.network_id === networkId)?.addr.split('/')[0];
      const ingress = attachment?.network?.spec.ingress === true;
      return {
        name: container,
        service_name: task.service_annotations.name,
        service_id: task.service_id,
        virtual_ip: vip ?? '<nil>',
        endpoint_ip: ip,
        ingress_ports: ingress ? (task.endpoint?.ports ?? []).map((p) => ({ name: p.name, protocol: p.protocol, target_port: p.target_port, published_port: p.published_port })) : [],
        aliases: [...(attachment?.aliases ?? [])],
        task_aliases: otherNames,
        service_disabled: false,
      };
    }
    if (record === undefined) return undefined;
    return { name: container, service_name: '', service_id: '', virtual_ip: '<nil>', endpoint_ip: ip, ingress_ports: [], aliases: [], task_aliases: otherNames, service_disabled: false };
  }

  #startAgent(credentials: NodeCredentials, leader: ManagerEndpoint, managementPort: number, network: NetworkAgent): { agent: Agent; executor: Executor } {
    const executor: Executor = new Executor({
      containers: this.#containers,
      runtime: this.#options.runtime,
      nodeId: () => agent.credentials.nodeId,
      report: (updates) => agent.updateTaskStatus(updates),
      now: this.now,
      attachments: () => agent.session?.node?.attachments ?? [],
      disableDns: (container) => network.disableEndpoints(container),
      sleep: (ms) => this.#options.clock.sleep(ms as Duration),
    });
    const agent: Agent = new Agent({
      clock: this.#options.clock,
      now: this.now,
      credentials,
      manager: leader,
      localAddress: this.#options.address,
      managementPort,
      dataPathPort: this.#options.dataPathPort,
      gossipPort: network.gossipAddress.port,
      onAssignments: (message) => executor.apply(message),
      onLogSubscription: (subscription) => {
        if (subscription.close || !subscription.selector) return;
        void agent.publishLogs(subscription.id, executor.logs(subscription.selector, subscription.options)).catch(() => undefined);
      },
      onSessionMessage: (message) => {
        const ipsec = message.network_bootstrap_keys.filter((k) => k.subsystem === IPSEC_KEY_SUBSYSTEM).map((k) => ({ key: k.key, lamportTime: k.lamport_time }));
        if (ipsec.length > 0) this.#options.runtime.setIpsecKeys(ipsec);
        network.onSession(message.network_bootstrap_keys, gossipBootstrap(message));
        executor.endpointsChanged();
      },
      description: () => describeHost(this.#options.hostname, RootCA.fromPem(agent.credentials.rootCaPem).tlsInfo()),
      onCredentials: () => {
        this.#remoteControl?.client.close();
        this.#remoteControl = undefined;
      },
    });
    agent.start();
    return { agent, executor };
  }

  /** moby `daemon/cluster/networks.go` `AttachNetwork`: ask the manager, then wait for the attachment task. */
  #swarmAttacher() {
    const active = this.#active;
    if (!active) return undefined;
    return {
      attach: async (target: string, containerId: string, aliases: readonly string[]) => {
        let attachmentId: string;
        try {
          attachmentId = await active.agent.attachNetwork(target, containerId, aliases);
        } catch (error) {
          throw new EngineApiError(`Could not attach to network ${target}: ${toEngineError(error).message}`, toEngineError(error).status);
        }
        const timeout = AbortSignal.timeout(ATTACH_TIMEOUT_MS);
        try {
          const { network, address } = await active.executor.waitAttachment(attachmentId, timeout);
          return { attachmentId, network, address };
        } catch {
          await active.agent.detachNetwork(attachmentId).catch(() => undefined);
          throw new EngineApiError('attaching to network failed, make sure your network options are correct and check manager logs: context deadline exceeded', 500);
        }
      },
      detach: (attachmentId: string) => active.agent.detachNetwork(attachmentId),
    };
  }

  async #waitForSession(agent: Agent): Promise<void> {
    const deadline = Date.now() + SESSION_WAIT_MS;
    while (!agent.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  // ---- control plane access ----

  #requireManager(): Active {
    const active = this.#active;
    if (!active) throw new EngineApiError(ERR_NOT_MANAGER_INACTIVE, 503);
    if (active.agent.credentials.role !== 'swarm-manager') throw new EngineApiError(ERR_NOT_MANAGER_WORKER, 503);
    return active;
  }

  #control(): ControlClient {
    const active = this.#requireManager();
    if (active.manager) return active.manager.control;
    const client = this.#leaderClient(active);
    return { call: (method, request) => client.unary(CONTROL_CALLS[method], request, 10_000) };
  }

  /** `docker service logs` through the leader's log broker (in-process, or `Logs` over 2377). */
  async #subscribeLogs(selector: PbLogSelector, options: PbLogSubscriptionOptions): Promise<PbLogMessage[]> {
    const active = this.#requireManager();
    if (active.manager) return active.manager.logs.subscribe(selector, options);
    const messages: PbLogMessage[] = [];
    await this.#leaderClient(active).serverStream<{ messages: PbLogMessage[] }>(
      LOGS_CALLS.SubscribeLogs,
      { selector, options },
      (m) => messages.push(...m.messages),
      AbortSignal.timeout(SUBSCRIPTION_WAIT_MS + 5_000),
    );
    return messages;
  }

  /** A manager that is not the leader talks to it over 2377 with its own certificate. */
  #leaderClient(active: Active): GrpcClient {
    const credentials = active.agent.credentials;
    if (!this.#remoteControl || this.#remoteControl.certPem !== credentials.certPem) {
      this.#remoteControl?.client.close();
      this.#remoteControl = {
        certPem: credentials.certPem,
        client: new GrpcClient({
          host: active.leader.host,
          port: active.leader.port,
          localAddress: this.#options.address,
          rootCaPem: credentials.rootCaPem,
          identity: { certPem: credentials.certPem, keyPem: credentials.keyPem },
        }),
      };
    }
    return this.#remoteControl.client;
  }

  #controlCall<M extends ControlMethod>(method: M, request: ControlMethods[M]['request']): Promise<ControlMethods[M]['response']> {
    return this.#control().call(method, request);
  }

  #clusterId(): string {
    return this.#requireManager().agent.credentials.clusterId;
  }

  #rootTlsInfo() {
    return RootCA.fromPem(this.#requireManager().agent.credentials.rootCaPem).tlsInfo();
  }

  // ---- info ----

  async #info(): Promise<SystemInfo> {
    const o = this.#options;
    const counts = this.#containers.counts();
    return {
      ID: o.id,
      Name: o.hostname,
      ServerVersion: ENGINE_VERSION,
      OperatingSystem: 'swarmnet emulated host',
      OSType: 'linux',
      Architecture: engineArchitecture(),
      KernelVersion: os.release(),
      ...STOCK_ENGINE,
      NCPU: os.cpus().length,
      MemTotal: os.totalmem(),
      Containers: counts.total,
      ContainersRunning: counts.running,
      ContainersPaused: 0,
      ContainersStopped: counts.total - counts.running,
      Images: 0,
      Swarm: await this.#swarmInfo(),
    };
  }

  async #swarmInfo(): Promise<SwarmInfo> {
    const active = this.#active;
    if (!active) return { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null };
    const credentials = active.agent.credentials;
    const managers = (active.agent.session?.managers ?? [])
      .map((m) => ({ NodeID: m.peer.node_id, Addr: m.peer.addr }))
      .sort((a, b) => (a.Addr < b.Addr ? -1 : a.Addr > b.Addr ? 1 : 0));
    const base = {
      NodeID: credentials.nodeId,
      NodeAddr: this.#options.address,
      LocalNodeState: 'active' as const,
      ControlAvailable: credentials.role === 'swarm-manager',
      Error: '',
      RemoteManagers: managers,
    };
    if (credentials.role !== 'swarm-manager') return base;
    try {
      const [{ nodes }, { cluster }] = await Promise.all([this.#controlCall('ListNodes', {}), this.#controlCall('GetCluster', { cluster_id: credentials.clusterId })]);
      return { ...base, Nodes: nodes.length, Managers: nodes.filter((n) => n.role === 'MANAGER').length, Cluster: clusterToEngine(cluster, this.#rootTlsInfo()) };
    } catch {
      return base;
    }
  }
}

/**
 * Where NetworkDB joins (moby `agentSetup`): every manager's address with the port replaced by the
 * gossip port — 7946, or the one swarmnet's session extension names (port mode).
 */
export function gossipBootstrap(message: PbSessionMessage): GossipAddress[] {
  const named = new Map((message.swarmnet_gossip_peers ?? []).map((p) => [p.node_id, p.addr]));
  const out: GossipAddress[] = [];
  for (const m of message.managers) {
    const peer = m.peer;
    if (!peer?.addr) continue;
    const given = named.get(peer.node_id);
    const at = given ?? peer.addr;
    const colon = at.lastIndexOf(':');
    const host = colon > 0 ? at.slice(0, colon) : at;
    const port = given !== undefined ? Number(at.slice(colon + 1)) : GOSSIP_PORT;
    if (Number.isInteger(port) && port > 0 && port <= 65535) out.push({ address: host, port });
  }
  return out;
}
