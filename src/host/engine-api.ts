/**
 * The daemon API each emulated host serves: the subset of the Docker Engine API that the `docker`
 * command layer (src/docker/) calls. As with the real `docker` CLI and `dockerd`, the client parses
 * flags and formats output; the daemon (this host) owns state and answers with Engine-API JSON
 * shapes (PascalCase keys, as `docker … inspect` prints them) or an error whose message the client
 * prints after `Error response from daemon: `.
 *
 * Transport: one control request (`engine`, src/host/control.ts) carrying `{ method, params }`;
 * a daemon error comes back as a control error with code `engine:<HTTP status>`.
 *
 * Shapes follow moby `api/types/swarm/*.go` and `api/types/system/info.go`; durations are Go
 * `time.Duration` nanoseconds, times RFC 3339 with nanoseconds, as the real API sends them.
 */

export type NodeRole = 'worker' | 'manager';
export type NodeAvailability = 'active' | 'pause' | 'drain';
export type NodeState = 'unknown' | 'down' | 'ready' | 'disconnected';
export type Reachability = 'unknown' | 'unreachable' | 'reachable';
export type LocalNodeState = 'inactive' | 'pending' | 'active' | 'error' | 'locked';

export interface ObjectVersion {
  readonly Index: number;
}

export interface TLSInfo {
  /** PEM of the root CA certificate, ending in a newline. */
  readonly TrustRoot: string;
  /** Base64 of the DER subject of the issuer (`CN=swarm-ca` → `MBMxETAPBgNVBAMTCHN3YXJtLWNh`). */
  readonly CertIssuerSubject: string;
  /** Base64 of the DER SubjectPublicKeyInfo of the issuer. */
  readonly CertIssuerPublicKey: string;
}

export interface NodeSpec {
  readonly Name?: string;
  readonly Labels: Readonly<Record<string, string>>;
  readonly Role: NodeRole;
  readonly Availability: NodeAvailability;
}

export interface NodeDescription {
  readonly Hostname: string;
  readonly Platform: { readonly Architecture: string; readonly OS: string };
  readonly Resources: { readonly NanoCPUs: number; readonly MemoryBytes: number };
  readonly Engine: {
    readonly EngineVersion: string;
    readonly Labels?: Readonly<Record<string, string>>;
    readonly Plugins: readonly { readonly Type: string; readonly Name: string }[];
  };
  readonly TLSInfo: TLSInfo;
}

export interface SwarmNode {
  /** 25-char base36 (swarmkit `identity.NewID`). */
  readonly ID: string;
  readonly Version: ObjectVersion;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Spec: NodeSpec;
  readonly Description: NodeDescription;
  readonly Status: { readonly State: NodeState; readonly Message?: string; readonly Addr: string };
  /** Managers only. `Addr` is `<advertise address>:<2377 or its stand-in>`. */
  readonly ManagerStatus?: { readonly Leader?: boolean; readonly Reachability: Reachability; readonly Addr: string };
}

export interface SwarmSpec {
  readonly Name: string;
  readonly Labels: Readonly<Record<string, string>>;
  readonly Orchestration: { readonly TaskHistoryRetentionLimit: number };
  readonly Raft: {
    readonly SnapshotInterval: number;
    readonly KeepOldSnapshots: number;
    readonly LogEntriesForSlowFollowers: number;
    readonly ElectionTick: number;
    readonly HeartbeatTick: number;
  };
  /** Nanoseconds. */
  readonly Dispatcher: { readonly HeartbeatPeriod: number };
  /** `NodeCertExpiry` in nanoseconds. */
  readonly CAConfig: { readonly NodeCertExpiry: number; readonly ForceRotate?: number };
  readonly TaskDefaults: Readonly<Record<string, never>>;
  readonly EncryptionConfig: { readonly AutoLockManagers: boolean };
}

/** `ClusterInfo` in the Engine API: what `docker info` shows of the cluster. */
export interface ClusterInfo {
  readonly ID: string;
  readonly Version: ObjectVersion;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Spec: SwarmSpec;
  readonly TLSInfo: TLSInfo;
  readonly RootRotationInProgress: boolean;
  /** CIDRs, e.g. `["10.0.0.0/8"]`. */
  readonly DefaultAddrPool: readonly string[];
  readonly SubnetSize: number;
  readonly DataPathPort: number;
}

/** `GET /swarm` (managers only). */
export interface Swarm extends ClusterInfo {
  readonly JoinTokens: { readonly Worker: string; readonly Manager: string };
}

export interface SwarmInfo {
  readonly NodeID: string;
  readonly NodeAddr: string;
  readonly LocalNodeState: LocalNodeState;
  readonly ControlAvailable: boolean;
  readonly Error: string;
  /** Sorted by address, as `docker info` prints them. */
  readonly RemoteManagers: readonly { readonly NodeID: string; readonly Addr: string }[] | null;
  /** Managers only. */
  readonly Nodes?: number;
  readonly Managers?: number;
  readonly Cluster?: ClusterInfo;
}

/**
 * `GET /info` fields about the engine's plumbing (storage, runtimes, plugins …). An emulated host
 * has none of it; the daemon reports a stock Linux engine's values so `docker info` reads as it
 * would, and any of them may be absent.
 */
export interface SystemInfoExtras {
  readonly Driver: string;
  readonly DriverStatus: readonly (readonly [string, string])[];
  readonly SystemStatus: readonly (readonly [string, string])[];
  readonly LoggingDriver: string;
  readonly CgroupDriver: string;
  readonly CgroupVersion: string;
  readonly Plugins: {
    readonly Volume?: readonly string[] | null;
    readonly Network?: readonly string[] | null;
    readonly Authorization?: readonly string[] | null;
    readonly Log?: readonly string[] | null;
  };
  readonly CDISpecDirs: readonly string[];
  readonly DiscoveredDevices: readonly { readonly Source: string; readonly ID: string }[];
  /** Runtime name → its description; printed in the daemon's (JSON object) order. */
  readonly Runtimes: Readonly<Record<string, unknown>>;
  readonly DefaultRuntime: string;
  readonly InitBinary: string;
  readonly ContainerdCommit: { readonly ID: string };
  readonly RuncCommit: { readonly ID: string };
  readonly InitCommit: { readonly ID: string };
  readonly SecurityOptions: readonly string[];
  readonly Isolation: string;
  readonly DockerRootDir: string;
  readonly Debug: boolean;
  readonly NFd: number;
  readonly NGoroutines: number;
  readonly SystemTime: string;
  readonly NEventsListener: number;
  readonly HTTPProxy: string;
  readonly HTTPSProxy: string;
  readonly NoProxy: string;
  readonly Labels: readonly string[] | null;
  readonly ExperimentalBuild: boolean;
  readonly RegistryConfig: {
    readonly InsecureRegistryCIDRs?: readonly string[] | null;
    readonly IndexConfigs?: Readonly<Record<string, { readonly Name: string; readonly Secure: boolean }>> | null;
    readonly Mirrors?: readonly string[] | null;
  } | null;
  readonly LiveRestoreEnabled: boolean;
  readonly ProductLicense: string;
  readonly DefaultAddressPools: readonly { readonly Base: string; readonly Size: number }[];
  readonly FirewallBackend: { readonly Driver: string; readonly Info?: readonly (readonly [string, string])[] } | null;
  readonly NRI: { readonly Info?: readonly (readonly [string, string])[] } | null;
  readonly Warnings: readonly string[] | null;
}

/** `GET /info`. */
export interface SystemInfo extends Partial<SystemInfoExtras> {
  /** The daemon's own ID (64 hex … real engines print a UUID-like string; we use the host's). */
  readonly ID: string;
  readonly Name: string;
  readonly ServerVersion: string;
  readonly OperatingSystem: string;
  readonly OSType: string;
  readonly Architecture: string;
  readonly KernelVersion: string;
  readonly NCPU: number;
  readonly MemTotal: number;
  readonly Containers: number;
  readonly ContainersRunning: number;
  readonly ContainersPaused: number;
  readonly ContainersStopped: number;
  readonly Images: number;
  readonly Swarm: SwarmInfo;
}

export interface SwarmInitRequest {
  /** `--listen-addr`, default `0.0.0.0:2377`. */
  readonly ListenAddr?: string;
  /** `--advertise-addr`: an address or interface name, optional port. */
  readonly AdvertiseAddr?: string;
  /** `--data-path-port`, 0 for the default 4789. */
  readonly DataPathPort?: number;
  /** `--default-addr-pool`, repeated; empty for 10.0.0.0/8. */
  readonly DefaultAddrPool?: readonly string[];
  /** `--default-addr-pool-mask-length`, 0 for 24. */
  readonly SubnetSize?: number;
  readonly ForceNewCluster?: boolean;
  readonly Availability?: NodeAvailability;
}

export interface SwarmJoinRequest {
  readonly ListenAddr?: string;
  readonly AdvertiseAddr?: string;
  /** `ADDR[:PORT]` of a manager (port 2377 when omitted). */
  readonly RemoteAddrs: readonly string[];
  readonly JoinToken: string;
  readonly Availability?: NodeAvailability;
}

export interface NodeListFilters {
  readonly id?: readonly string[];
  readonly name?: readonly string[];
  readonly role?: readonly string[];
  readonly membership?: readonly string[];
  readonly 'node.label'?: readonly string[];
  readonly label?: readonly string[];
}

export interface IpamConfig {
  readonly Subnet?: string;
  readonly IPRange?: string;
  readonly Gateway?: string;
  readonly AuxiliaryAddresses?: Readonly<Record<string, string>>;
}

export interface NetworkEndpoint {
  readonly Name: string;
  readonly EndpointID: string;
  readonly MacAddress: string;
  /** `10.0.1.3/24` */
  readonly IPv4Address: string;
  readonly IPv6Address: string;
}

/** `GET /networks/{id}` (moby `api/types/network` `Inspect`), keys in the API's order. */
export interface NetworkResource {
  readonly Name: string;
  /** 25-char base36 for swarm networks, 64 hex for local ones. */
  readonly Id: string;
  readonly Created: string;
  readonly Scope: 'local' | 'swarm';
  readonly Driver: string;
  readonly EnableIPv4: boolean;
  readonly EnableIPv6: boolean;
  readonly IPAM: { readonly Driver: string; readonly Options: Readonly<Record<string, string>> | null; readonly Config: readonly IpamConfig[] | null };
  readonly Internal: boolean;
  readonly Attachable: boolean;
  readonly Ingress: boolean;
  readonly ConfigFrom: { readonly Network: string };
  readonly ConfigOnly: boolean;
  /** Local endpoints only (null for a swarm network seen from a manager that has none). */
  readonly Containers: Readonly<Record<string, NetworkEndpoint>> | null;
  readonly Options: Readonly<Record<string, string>> | null;
  readonly Labels: Readonly<Record<string, string>> | null;
  /** NetworkDB peers of an overlay (omitted when empty). */
  readonly Peers?: readonly { readonly Name: string; readonly IP: string }[];
}

/** `POST /networks/create` (moby `api/types/network` `CreateRequest`). */
export interface NetworkCreateRequest {
  readonly Name: string;
  /** Default `bridge`. */
  readonly Driver?: string;
  readonly Scope?: string;
  readonly Internal?: boolean;
  readonly Attachable?: boolean;
  readonly Ingress?: boolean;
  readonly ConfigOnly?: boolean;
  /** `--ipv4`; sent only when the flag is given. */
  readonly EnableIPv4?: boolean;
  readonly EnableIPv6?: boolean;
  /** `--config-from`. */
  readonly ConfigFrom?: { readonly Network: string };
  readonly IPAM?: { readonly Driver?: string; readonly Config?: readonly IpamConfig[]; readonly Options?: Readonly<Record<string, string>> };
  /** Driver options (`--opt`), e.g. `encrypted`, `com.docker.network.driver.mtu`. */
  readonly Options?: Readonly<Record<string, string>>;
  readonly Labels?: Readonly<Record<string, string>>;
}

export interface NetworkListFilters {
  readonly driver?: readonly string[];
  readonly id?: readonly string[];
  readonly name?: readonly string[];
  readonly scope?: readonly string[];
  readonly type?: readonly string[];
  readonly label?: readonly string[];
  readonly dangling?: readonly string[];
}

/** Method → params and result. Every method may fail with an `EngineApiError`. */
export interface EngineMethods {
  info: { params: Record<string, never>; result: SystemInfo };
  /** Returns the new node's ID. */
  swarmInit: { params: SwarmInitRequest; result: string };
  swarmJoin: { params: SwarmJoinRequest; result: null };
  swarmLeave: { params: { readonly force: boolean }; result: null };
  swarmInspect: { params: Record<string, never>; result: Swarm };
  swarmUpdate: {
    params: {
      readonly version: number;
      readonly rotateWorkerToken?: boolean;
      readonly rotateManagerToken?: boolean;
    };
    result: null;
  };
  nodeList: { params: { readonly filters?: NodeListFilters }; result: SwarmNode[] };
  /** `id` is a full ID, a unique ID prefix or a hostname. */
  nodeInspect: { params: { readonly id: string }; result: SwarmNode };
  nodeUpdate: { params: { readonly id: string; readonly version: number; readonly spec: NodeSpec }; result: null };
  nodeRemove: { params: { readonly id: string; readonly force: boolean }; result: null };
  /** `docker network create`: the new network's ID (and a warning, usually empty). */
  networkCreate: { params: NetworkCreateRequest; result: { readonly Id: string; readonly Warning: string } };
  networkList: { params: { readonly filters?: NetworkListFilters }; result: NetworkResource[] };
  /** `id`: full ID, unique ID prefix or name. */
  networkInspect: { params: { readonly id: string; readonly verbose?: boolean }; result: NetworkResource };
  networkRemove: { params: { readonly id: string }; result: null };
}

export type EngineMethod = keyof EngineMethods;
export type EngineParams<M extends EngineMethod> = EngineMethods[M]['params'];
export type EngineResult<M extends EngineMethod> = EngineMethods[M]['result'];

/** The one operation a docker client needs from a daemon. */
export interface EngineApi {
  call<M extends EngineMethod>(method: M, params: EngineParams<M>): Promise<EngineResult<M>>;
}

/**
 * A daemon's refusal. `message` is what the CLI prints after `Error response from daemon: `;
 * `status` is the HTTP status the real daemon would answer with (400 bad parameter, 404 not
 * found, 409 conflict, 500 internal, 503 not a manager / unavailable).
 */
export class EngineApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'EngineApiError';
  }
}

/** Docker's engine version string our daemons report (the CLI reference was run against 28.2.2). */
export const ENGINE_VERSION = '28.2.2';
