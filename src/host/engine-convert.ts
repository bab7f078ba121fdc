/**
 * swarmkit objects (protobuf-shaped, src/wire/swarmkit.ts) → Engine API JSON (engine-api.ts), as
 * moby's `daemon/cluster/convert/{node,swarm}.go` convert them, and Engine API node filters →
 * swarmkit's; this host's own `NodeDescription`, as moby's executor describes a Linux engine, and
 * the stock engine plumbing `docker info` reports.
 */
import os from 'node:os';
import type { ControlMethods } from '../swarm/control-api.js';
import type { NodeRoleName, PbCluster, PbMeta, PbNode, PbNodeDescription, PbTimestamp } from '../wire/swarmkit.js';
import { EngineApiError, ENGINE_VERSION, type ClusterInfo, type NodeListFilters, type Swarm, type SwarmNode, type TLSInfo } from './engine-api.js';

/** The plugins a stock Linux engine reports (reference docker-cli-outputs.md §2.2). */
const ENGINE_PLUGINS: readonly { type: string; name: string }[] = [
  ...['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'local', 'splunk', 'syslog'].map((name) => ({ type: 'Log', name })),
  ...['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'].map((name) => ({ type: 'Network', name })),
  { type: 'Volume', name: 'local' },
];

/** Go's `time.Time` JSON form (RFC 3339 with nanoseconds, trailing zeros trimmed). */
export function goTime(t: PbTimestamp | null | undefined): string {
  if (!t) return '0001-01-01T00:00:00Z';
  const base = new Date(t.seconds * 1000).toISOString().slice(0, 19);
  const fraction = t.nanos > 0 ? `.${String(t.nanos).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${base}${fraction}Z`;
}

/** The fields every swarm object carries in the Engine API (moby `swarm.Meta` plus the ID). */
export function objectMeta(id: string, meta: PbMeta): { ID: string; Version: { Index: number }; CreatedAt: string; UpdatedAt: string } {
  return { ID: id, Version: { Index: meta.version.index }, CreatedAt: goTime(meta.created_at), UpdatedAt: goTime(meta.updated_at) };
}

/** A protobuf Duration as Go's `time.Duration` (nanoseconds), as the Engine API sends it. */
function nanoseconds(d: PbTimestamp | null | undefined): number {
  return d ? d.seconds * 1e9 + d.nanos : 0;
}

export function tlsInfoFromDescription(description: PbNodeDescription | null): TLSInfo {
  const tls = description?.tls_info;
  return {
    TrustRoot: tls ? Buffer.from(tls.trust_root).toString('utf8') : '',
    CertIssuerSubject: tls ? Buffer.from(tls.cert_issuer_subject).toString('base64') : '',
    CertIssuerPublicKey: tls ? Buffer.from(tls.cert_issuer_public_key).toString('base64') : '',
  };
}

export function nodeToEngine(node: PbNode): SwarmNode {
  const d = node.description;
  const name = node.spec.annotations.name;
  return {
    ...objectMeta(node.id, node.meta),
    Spec: {
      ...(name ? { Name: name } : {}),
      Labels: { ...node.spec.annotations.labels },
      Role: node.spec.desired_role === 'MANAGER' ? 'manager' : 'worker',
      Availability: node.spec.availability.toLowerCase() as SwarmNode['Spec']['Availability'],
    },
    Description: {
      Hostname: d?.hostname ?? '',
      Platform: { Architecture: d?.platform?.architecture ?? '', OS: d?.platform?.os ?? '' },
      Resources: { NanoCPUs: d?.resources?.nano_cpus ?? 0, MemoryBytes: d?.resources?.memory_bytes ?? 0 },
      Engine: {
        EngineVersion: d?.engine?.engine_version ?? '',
        ...(d?.engine && Object.keys(d.engine.labels).length > 0 ? { Labels: { ...d.engine.labels } } : {}),
        Plugins: (d?.engine?.plugins ?? []).map((p) => ({ Type: p.type, Name: p.name })),
      },
      TLSInfo: tlsInfoFromDescription(d),
    },
    Status: {
      State: node.status.state.toLowerCase() as SwarmNode['Status']['State'],
      ...(node.status.message ? { Message: node.status.message } : {}),
      Addr: node.status.addr,
    },
    ...(node.manager_status
      ? {
          ManagerStatus: {
            ...(node.manager_status.leader ? { Leader: true } : {}),
            Reachability: node.manager_status.reachability.toLowerCase() as 'unknown' | 'unreachable' | 'reachable',
            Addr: node.manager_status.addr,
          },
        }
      : {}),
  };
}

export function clusterToEngine(cluster: PbCluster, tlsInfo: TLSInfo): ClusterInfo {
  const spec = cluster.spec;
  return {
    ...objectMeta(cluster.id, cluster.meta),
    Spec: {
      Name: spec.annotations.name,
      Labels: { ...spec.annotations.labels },
      Orchestration: { TaskHistoryRetentionLimit: spec.orchestration.task_history_retention_limit },
      Raft: {
        SnapshotInterval: spec.raft.snapshot_interval,
        KeepOldSnapshots: spec.raft.keep_old_snapshots,
        LogEntriesForSlowFollowers: spec.raft.log_entries_for_slow_followers,
        ElectionTick: spec.raft.election_tick,
        HeartbeatTick: spec.raft.heartbeat_tick,
      },
      Dispatcher: { HeartbeatPeriod: nanoseconds(spec.dispatcher.heartbeat_period) },
      CAConfig: { NodeCertExpiry: nanoseconds(spec.ca_config.node_cert_expiry), ...(spec.ca_config.force_rotate ? { ForceRotate: spec.ca_config.force_rotate } : {}) },
      TaskDefaults: {},
      EncryptionConfig: { AutoLockManagers: spec.encryption_config.auto_lock_managers },
    },
    TLSInfo: tlsInfo,
    RootRotationInProgress: false,
    DefaultAddrPool: [...cluster.defaultAddressPool],
    SubnetSize: cluster.subnetSize,
    DataPathPort: cluster.VXLANUDPPort,
  };
}

export function swarmToEngine(cluster: PbCluster, tlsInfo: TLSInfo): Swarm {
  return {
    ...clusterToEngine(cluster, tlsInfo),
    JoinTokens: { Worker: cluster.root_ca.join_tokens.worker, Manager: cluster.root_ca.join_tokens.manager },
  };
}

/** This host's description, as the agent sends it in its session (`TLSInfo` from its CA). */
export function describeHost(hostname: string, tls: TLSInfo): PbNodeDescription {
  return {
    hostname,
    platform: { architecture: engineArchitecture(), os: 'linux' },
    resources: { nano_cpus: os.cpus().length * 1e9, memory_bytes: os.totalmem() },
    engine: { engine_version: ENGINE_VERSION, labels: {}, plugins: ENGINE_PLUGINS.map((p) => ({ ...p })) },
    tls_info: {
      trust_root: Buffer.from(tls.TrustRoot),
      cert_issuer_subject: Buffer.from(tls.CertIssuerSubject, 'base64'),
      cert_issuer_public_key: Buffer.from(tls.CertIssuerPublicKey, 'base64'),
    },
    fips: false,
  };
}

/** `uname -m` naming, as the engine reports it (`x86_64`, `aarch64`). */
export function engineArchitecture(): string {
  switch (process.arch) {
    case 'x64':
      return 'x86_64';
    case 'arm64':
      return 'aarch64';
    default:
      return process.arch;
  }
}

/** moby `daemon/cluster/filters.go` `newListNodesFilters` accepted keys. */
const NODE_FILTER_KEYS = new Set(['name', 'label', 'id', 'membership', 'role', 'node.label']);

/**
 * What a stock Linux engine reports about its plumbing (storage, runtimes, plugins); an emulated
 * host has none of it, but `docker info` should read as it does on the real thing.
 */
export const STOCK_ENGINE = {
  Driver: 'overlay2',
  DriverStatus: [],
  LoggingDriver: 'json-file',
  CgroupDriver: 'systemd',
  CgroupVersion: '2',
  Plugins: {
    Volume: ['local'],
    Network: ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'],
    Authorization: null,
    Log: ['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'local', 'splunk', 'syslog'],
  },
  Runtimes: { 'io.containerd.runc.v2': { path: 'runc' }, runc: { path: 'runc' } },
  DefaultRuntime: 'runc',
  InitBinary: 'docker-init',
  ContainerdCommit: { ID: 'swarmnet' },
  RuncCommit: { ID: 'swarmnet' },
  InitCommit: { ID: 'swarmnet' },
  SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'],
  DockerRootDir: '/var/lib/docker',
  Debug: false,
  ExperimentalBuild: false,
  LiveRestoreEnabled: false,
  Warnings: null,
} as const;

export function nodeFilters(filters: NodeListFilters | undefined): ControlMethods['ListNodes']['request']['filters'] {
  if (!filters) return {};
  for (const key of Object.keys(filters)) if (!NODE_FILTER_KEYS.has(key)) throw new EngineApiError(`invalid filter '${key}'`, 400);
  const roles: NodeRoleName[] = [];
  for (const role of filters.role ?? []) {
    if (role === 'manager') roles.push('MANAGER');
    else if (role === 'worker') roles.push('WORKER');
    else throw new EngineApiError(`invalid filter 'role=${role}'`, 400);
  }
  const memberships: string[] = [];
  for (const m of filters.membership ?? []) {
    if (m === 'accepted') memberships.push('ACCEPTED');
    else if (m === 'pending') memberships.push('PENDING');
    else throw new EngineApiError(`invalid filter 'membership=${m}'`, 400);
  }
  return {
    ...(filters.id?.length ? { id_prefixes: [...filters.id] } : {}),
    ...(filters.name?.length ? { names: [...filters.name] } : {}),
    ...(roles.length ? { roles } : {}),
    ...(memberships.length ? { memberships } : {}),
  };
}
