/**
 * A fake daemon for the docker command tests: canned Engine-API objects for a three-node swarm
 * (the reference's manager1 / worker1 / worker2), every call recorded, any method replaceable.
 */
import {
  EngineApiError,
  type EngineApi,
  type EngineMethod,
  type EngineParams,
  type EngineResult,
  type Swarm,
  type SwarmNode,
  type SystemInfo,
  type TLSInfo,
} from '../../src/host/engine-api.js';

export const MANAGER_ID = 'dxn1zf6l61qsb1josjja83ngz';
export const WORKER1_ID = '9j68exjopxe7wfl6yuxml7a7j';
export const WORKER2_ID = '7ln70fl22uw2dvjn2ft53m3q5';
export const CLUSTER_ID = '9vs5ygs0gguyyec4iqf2314c0';
export const WORKER_TOKEN = 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx';
export const MANAGER_TOKEN = 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-7p73s1dx5in4tatdymyhg9hu2';
export const TRUST_ROOT =
  '-----BEGIN CERTIFICATE-----\nMIIBajCCARCgAwIBAgIUQ0ePAmoVV8LrVMR2H3hZmuO6tQ8wCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n';
export const ISSUER_SUBJECT = 'MBMxETAPBgNVBAMTCHN3YXJtLWNh';
export const ISSUER_KEY = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmc4X2hJXFbRAzVNZp5U0q0Nfs2tBu3G';
/** 7.682 GiB, as `units.BytesSize` prints it. */
export const MEMORY = 8_248_356_864;
export const CREATED_AT = '2026-08-20T10:00:00.461901234Z';

export const TLS: TLSInfo = { TrustRoot: TRUST_ROOT, CertIssuerSubject: ISSUER_SUBJECT, CertIssuerPublicKey: ISSUER_KEY };

const PLUGINS = [
  ...['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'local', 'splunk', 'syslog'].map((Name) => ({ Type: 'Log', Name })),
  ...['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'].map((Name) => ({ Type: 'Network', Name })),
  { Type: 'Volume', Name: 'local' },
];

export function makeNode(id: string, hostname: string, addr: string, manager?: { leader: boolean }): SwarmNode {
  return {
    ID: id,
    Version: { Index: 9 },
    CreatedAt: CREATED_AT,
    UpdatedAt: '2026-08-20T10:00:01.12Z',
    Spec: { Labels: {}, Role: manager === undefined ? 'worker' : 'manager', Availability: 'active' },
    Description: {
      Hostname: hostname,
      Platform: { Architecture: 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: 4_000_000_000, MemoryBytes: MEMORY },
      Engine: { EngineVersion: '28.2.2', Plugins: PLUGINS },
      TLSInfo: TLS,
    },
    Status: { State: 'ready', Addr: addr },
    ...(manager === undefined ? {} : { ManagerStatus: { Leader: manager.leader, Reachability: 'reachable' as const, Addr: `${addr}:2377` } }),
  };
}

export const NODES: readonly SwarmNode[] = [
  makeNode(WORKER2_ID, 'worker2', '192.168.99.102'),
  makeNode(MANAGER_ID, 'manager1', '192.168.99.100', { leader: true }),
  makeNode(WORKER1_ID, 'worker1', '192.168.99.101'),
];

export const SWARM: Swarm = {
  ID: CLUSTER_ID,
  Version: { Index: 10 },
  CreatedAt: CREATED_AT,
  UpdatedAt: CREATED_AT,
  Spec: {
    Name: 'default',
    Labels: {},
    Orchestration: { TaskHistoryRetentionLimit: 5 },
    Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
    Dispatcher: { HeartbeatPeriod: 5_000_000_000 },
    CAConfig: { NodeCertExpiry: 7_776_000_000_000_000 },
    TaskDefaults: {},
    EncryptionConfig: { AutoLockManagers: false },
  },
  TLSInfo: TLS,
  RootRotationInProgress: false,
  DefaultAddrPool: ['10.0.0.0/8'],
  SubnetSize: 24,
  DataPathPort: 4789,
  JoinTokens: { Worker: WORKER_TOKEN, Manager: MANAGER_TOKEN },
};

const { JoinTokens: _tokens, ...CLUSTER } = SWARM;

export const MANAGER_INFO: SystemInfo = {
  ID: '6f1c0a73-2b7e-4a43-9d1e-3c2f8b8d5e10',
  Name: 'manager1',
  ServerVersion: '28.2.2',
  OperatingSystem: 'Alpine Linux v3.21',
  OSType: 'linux',
  Architecture: 'x86_64',
  KernelVersion: '6.8.0-swarmnet',
  NCPU: 4,
  MemTotal: MEMORY,
  Containers: 2,
  ContainersRunning: 1,
  ContainersPaused: 0,
  ContainersStopped: 1,
  Images: 3,
  Swarm: {
    NodeID: MANAGER_ID,
    NodeAddr: '192.168.99.100',
    LocalNodeState: 'active',
    ControlAvailable: true,
    Error: '',
    RemoteManagers: [{ NodeID: MANAGER_ID, Addr: '192.168.99.100:2377' }],
    Nodes: 3,
    Managers: 1,
    Cluster: CLUSTER,
  },
};

export const WORKER_INFO: SystemInfo = {
  ...MANAGER_INFO,
  Name: 'worker1',
  Swarm: {
    NodeID: WORKER1_ID,
    NodeAddr: '192.168.99.101',
    LocalNodeState: 'active',
    ControlAvailable: false,
    Error: '',
    RemoteManagers: [{ NodeID: MANAGER_ID, Addr: '192.168.99.100:2377' }],
  },
};

export const INACTIVE_INFO: SystemInfo = {
  ...MANAGER_INFO,
  Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
};

type Handler<M extends EngineMethod> = (params: EngineParams<M>) => EngineResult<M> | Promise<EngineResult<M>>;
export type Handlers = { [M in EngineMethod]?: Handler<M> };

export interface RecordedCall {
  readonly method: EngineMethod;
  readonly params: unknown;
}

/** The default daemon: this node is manager1 of the three-node swarm. */
function defaults(): Handlers {
  const find = (id: string): SwarmNode => {
    const n = NODES.find((x) => x.ID === id || x.ID.startsWith(id) || x.Description.Hostname === id);
    if (n === undefined) throw new EngineApiError(`node ${id} not found`, 404);
    return n;
  };
  return {
    info: () => MANAGER_INFO,
    swarmInit: () => MANAGER_ID,
    swarmJoin: () => null,
    swarmLeave: () => null,
    swarmInspect: () => SWARM,
    swarmUpdate: () => null,
    nodeList: () => [...NODES],
    nodeInspect: ({ id }) => find(id),
    nodeUpdate: () => null,
    nodeRemove: ({ id }) => {
      find(id);
      return null;
    },
  };
}

export class FakeEngine implements EngineApi {
  readonly calls: RecordedCall[] = [];
  private readonly handlers: Handlers;

  constructor(overrides: Handlers = {}) {
    this.handlers = { ...defaults(), ...overrides };
  }

  async call<M extends EngineMethod>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> {
    this.calls.push({ method, params });
    const h = this.handlers[method] as Handler<M> | undefined;
    if (h === undefined) throw new Error(`no handler for ${method}`);
    return h(params);
  }

  methods(): EngineMethod[] {
    return this.calls.map((c) => c.method);
  }
}

/** A daemon that refuses every call with `message` (HTTP `status`). */
export function refusing(message: string, status = 503): Handlers {
  const fail = (): never => {
    throw new EngineApiError(message, status);
  };
  return {
    info: fail,
    swarmInit: fail,
    swarmJoin: fail,
    swarmLeave: fail,
    swarmInspect: fail,
    swarmUpdate: fail,
    nodeList: fail,
    nodeInspect: fail,
    nodeUpdate: fail,
    nodeRemove: fail,
  };
}
