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

// ---- services and tasks (moby `api/types/swarm/{service,task,container,network}.go`) ----

export interface EnginePortConfig {
  readonly Name?: string;
  readonly Protocol: 'tcp' | 'udp' | 'sctp';
  readonly TargetPort: number;
  /** 0 in a spec: allocate one from 30000–32767 (ingress mode). */
  readonly PublishedPort?: number;
  readonly PublishMode: 'ingress' | 'host';
}

export interface EngineNetworkAttachmentConfig {
  /** Network name or ID in a request; the daemon stores the ID. */
  readonly Target: string;
  readonly Aliases?: readonly string[];
  readonly DriverOpts?: Readonly<Record<string, string>>;
}

export interface EngineContainerSpec {
  readonly Image: string;
  readonly Labels?: Readonly<Record<string, string>>;
  /** The entrypoint override (`--entrypoint`); the image's when absent. */
  readonly Command?: readonly string[];
  /** The command after the image (`docker service create IMAGE ARGS…`). */
  readonly Args?: readonly string[];
  readonly Hostname?: string;
  readonly Env?: readonly string[];
  readonly Dir?: string;
  readonly User?: string;
  readonly TTY?: boolean;
  readonly OpenStdin?: boolean;
  /** Go duration nanoseconds. */
  readonly StopGracePeriod?: number;
  readonly Init?: boolean | null;
  readonly Isolation?: string;
}

export interface EngineTaskSpec {
  readonly ContainerSpec?: EngineContainerSpec;
  readonly NetworkAttachmentSpec?: { readonly ContainerID: string };
  readonly Resources?: { readonly Limits?: Readonly<Record<string, unknown>>; readonly Reservations?: Readonly<Record<string, unknown>> };
  readonly RestartPolicy?: { readonly Condition?: 'none' | 'on-failure' | 'any'; readonly Delay?: number; readonly MaxAttempts?: number; readonly Window?: number };
  readonly Placement?: { readonly Constraints?: readonly string[]; readonly MaxReplicas?: number; readonly Platforms?: readonly { readonly Architecture: string; readonly OS: string }[] };
  readonly Networks?: readonly EngineNetworkAttachmentConfig[];
  readonly LogDriver?: { readonly Name: string; readonly Options?: Readonly<Record<string, string>> };
  readonly ForceUpdate: number;
  readonly Runtime?: string;
}

export interface EngineUpdateConfig {
  readonly Parallelism: number;
  /** Go duration nanoseconds. */
  readonly Delay?: number;
  readonly FailureAction?: 'pause' | 'continue' | 'rollback';
  readonly Monitor?: number;
  readonly MaxFailureRatio: number;
  readonly Order?: 'stop-first' | 'start-first';
}

export interface EngineEndpointSpec {
  readonly Mode?: 'vip' | 'dnsrr';
  readonly Ports?: readonly EnginePortConfig[];
}

export interface EngineServiceSpec {
  readonly Name?: string;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly TaskTemplate: EngineTaskSpec;
  readonly Mode: { readonly Replicated?: { readonly Replicas?: number }; readonly Global?: Record<string, never> };
  readonly UpdateConfig?: EngineUpdateConfig;
  readonly RollbackConfig?: EngineUpdateConfig;
  readonly EndpointSpec?: EngineEndpointSpec;
}

export interface EngineVirtualIP {
  readonly NetworkID: string;
  /** CIDR, `10.0.1.2/24`. */
  readonly Addr: string;
}

export interface EngineEndpoint {
  readonly Spec: EngineEndpointSpec;
  readonly Ports?: readonly EnginePortConfig[];
  readonly VirtualIPs?: readonly EngineVirtualIP[];
}

export interface EngineService {
  readonly ID: string;
  readonly Version: ObjectVersion;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Spec: EngineServiceSpec;
  readonly PreviousSpec?: EngineServiceSpec;
  readonly Endpoint: EngineEndpoint;
  readonly UpdateStatus?: { readonly State: string; readonly StartedAt?: string; readonly CompletedAt?: string; readonly Message: string };
  /** With `status=true` (`docker service ls`): running and desired task counts. */
  readonly ServiceStatus?: { readonly RunningTasks: number; readonly DesiredTasks: number; readonly CompletedTasks: number };
}

export type EngineTaskState =
  | 'new'
  | 'pending'
  | 'assigned'
  | 'accepted'
  | 'preparing'
  | 'ready'
  | 'starting'
  | 'running'
  | 'complete'
  | 'shutdown'
  | 'failed'
  | 'rejected'
  | 'remove'
  | 'orphaned';

export interface EngineTask {
  readonly ID: string;
  readonly Version: ObjectVersion;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Labels: Readonly<Record<string, string>>;
  readonly Spec: EngineTaskSpec;
  readonly ServiceID: string;
  /** Absent (0) for global services' tasks. */
  readonly Slot?: number;
  readonly NodeID?: string;
  readonly Status: {
    readonly Timestamp: string;
    readonly State: EngineTaskState;
    readonly Message: string;
    readonly Err?: string;
    readonly ContainerStatus?: { readonly ContainerID: string; readonly PID: number; readonly ExitCode: number };
    readonly PortStatus: { readonly Ports?: readonly EnginePortConfig[] };
  };
  readonly DesiredState: EngineTaskState;
  readonly NetworksAttachments?: readonly { readonly Network: NetworkResourceSwarm; readonly Addresses: readonly string[] }[];
}

/** A swarm network as embedded in tasks (moby `swarm.Network`). */
export interface NetworkResourceSwarm {
  readonly ID: string;
  readonly Version: ObjectVersion;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Spec: {
    readonly Name: string;
    readonly Labels: Readonly<Record<string, string>>;
    readonly DriverConfiguration?: { readonly Name: string; readonly Options?: Readonly<Record<string, string>> };
    readonly Scope: 'swarm';
    readonly Attachable?: boolean;
    readonly Ingress?: boolean;
  };
  readonly DriverState: { readonly Name: string; readonly Options?: Readonly<Record<string, string>> };
  readonly IPAMOptions?: { readonly Driver: { readonly Name: string }; readonly Configs?: readonly { readonly Subnet: string; readonly Gateway: string }[] };
}

export interface ServiceListFilters {
  readonly id?: readonly string[];
  readonly name?: readonly string[];
  readonly label?: readonly string[];
  readonly mode?: readonly string[];
}

export interface TaskListFilters {
  readonly id?: readonly string[];
  readonly name?: readonly string[];
  readonly service?: readonly string[];
  readonly node?: readonly string[];
  /** `running`, `shutdown`, `accepted` (the desired state). */
  readonly 'desired-state'?: readonly string[];
  readonly label?: readonly string[];
}

/** One line of `docker service logs`: the task it came from and the text. */
export interface ServiceLogLine {
  readonly TaskID: string;
  readonly TaskName: string;
  readonly NodeID: string;
  readonly Stream: 'stdout' | 'stderr';
  readonly Line: string;
}

// ---- containers (moby `api/types/container`) ----

export interface ContainerCreateRequest {
  /** `--name`; a generated name (adjective_surname) when absent. */
  readonly name?: string;
  readonly Image: string;
  readonly Cmd?: readonly string[];
  readonly Entrypoint?: readonly string[];
  readonly Hostname?: string;
  readonly Env?: readonly string[];
  readonly Tty?: boolean;
  readonly OpenStdin?: boolean;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly HostConfig: {
    /** `--network`: a network name or ID, or `default`/`bridge`, `host`, `none`. */
    readonly NetworkMode: string;
    /** `--rm`. */
    readonly AutoRemove?: boolean;
  };
  readonly NetworkingConfig?: {
    readonly EndpointsConfig: Readonly<Record<string, { readonly Aliases?: readonly string[]; readonly IPAMConfig?: { readonly IPv4Address?: string } }>>;
  };
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerEndpointSettings {
  readonly IPAMConfig: { readonly IPv4Address?: string } | null;
  readonly Links: null;
  readonly Aliases: readonly string[] | null;
  readonly MacAddress: string;
  readonly NetworkID: string;
  readonly EndpointID: string;
  readonly Gateway: string;
  readonly IPAddress: string;
  readonly IPPrefixLen: number;
  readonly IPv6Gateway: string;
  readonly GlobalIPv6Address: string;
  readonly GlobalIPv6PrefixLen: number;
  readonly DNSNames: readonly string[] | null;
}

/** `GET /containers/json` (moby `container.Summary`). */
export interface ContainerSummary {
  readonly Id: string;
  /** With the leading slash, as the API sends them. */
  readonly Names: readonly string[];
  readonly Image: string;
  readonly ImageID: string;
  readonly Command: string;
  /** Unix seconds. */
  readonly Created: number;
  readonly Ports: readonly { readonly IP?: string; readonly PrivatePort: number; readonly PublicPort?: number; readonly Type: string }[];
  readonly Labels: Readonly<Record<string, string>>;
  readonly State: ContainerState;
  /** `Up 5 seconds`, `Exited (0) 2 minutes ago`, `Created`. */
  readonly Status: string;
  readonly HostConfig: { readonly NetworkMode: string };
  readonly NetworkSettings: { readonly Networks: Readonly<Record<string, ContainerEndpointSettings>> };
}

/** `GET /containers/{id}/json` (moby `container.InspectResponse`), the keys `docker inspect` users read. */
export interface ContainerInspect {
  readonly Id: string;
  readonly Created: string;
  readonly Path: string;
  readonly Args: readonly string[];
  readonly State: {
    readonly Status: ContainerState;
    readonly Running: boolean;
    readonly Paused: boolean;
    readonly Restarting: boolean;
    readonly OOMKilled: boolean;
    readonly Dead: boolean;
    readonly Pid: number;
    readonly ExitCode: number;
    readonly Error: string;
    readonly StartedAt: string;
    readonly FinishedAt: string;
  };
  readonly Image: string;
  readonly ResolvConfPath: string;
  readonly HostnamePath: string;
  readonly HostsPath: string;
  readonly Name: string;
  readonly RestartCount: number;
  readonly Driver: string;
  readonly Platform: string;
  readonly HostConfig: { readonly NetworkMode: string; readonly AutoRemove: boolean };
  readonly Config: {
    readonly Hostname: string;
    readonly Domainname: string;
    readonly User: string;
    readonly AttachStdin: boolean;
    readonly AttachStdout: boolean;
    readonly AttachStderr: boolean;
    readonly Tty: boolean;
    readonly OpenStdin: boolean;
    readonly StdinOnce: boolean;
    readonly Env: readonly string[];
    readonly Cmd: readonly string[] | null;
    readonly Image: string;
    readonly WorkingDir: string;
    readonly Entrypoint: readonly string[] | null;
    readonly Labels: Readonly<Record<string, string>>;
  };
  readonly NetworkSettings: {
    readonly SandboxID: string;
    readonly SandboxKey: string;
    readonly Ports: Readonly<Record<string, unknown>>;
    readonly Gateway: string;
    readonly IPAddress: string;
    readonly IPPrefixLen: number;
    readonly MacAddress: string;
    readonly Networks: Readonly<Record<string, ContainerEndpointSettings>>;
  };
}

export interface ContainerListFilters {
  readonly id?: readonly string[];
  readonly name?: readonly string[];
  readonly status?: readonly string[];
  readonly label?: readonly string[];
  readonly network?: readonly string[];
  readonly ancestor?: readonly string[];
}

/** What ran: the program's output and, when it finished, its exit status. */
export interface ProcessOutput {
  readonly stdout: string;
  readonly stderr: string;
  /** null when the process was still running when the call returned (a detached attach). */
  readonly exitCode: number | null;
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
  /** `docker network connect` (`container`: name or ID). */
  networkConnect: { params: { readonly id: string; readonly container: string; readonly aliases?: readonly string[]; readonly ipv4Address?: string }; result: null };
  networkDisconnect: { params: { readonly id: string; readonly container: string; readonly force?: boolean }; result: null };
  /** `docker network prune`: the names of the networks removed. */
  networkPrune: { params: { readonly filters?: NetworkListFilters }; result: { readonly NetworksDeleted: readonly string[] } };

  /** `docker service create`: the new service's ID and warnings (e.g. an image not pinned). */
  serviceCreate: { params: { readonly spec: EngineServiceSpec }; result: { readonly ID: string; readonly Warnings?: readonly string[] } };
  /** `status`: fill `ServiceStatus` (running/desired task counts), as `docker service ls` asks. */
  serviceList: { params: { readonly filters?: ServiceListFilters; readonly status?: boolean }; result: EngineService[] };
  /** `id`: full ID, unique ID prefix or name. */
  serviceInspect: { params: { readonly id: string; readonly insertDefaults?: boolean }; result: EngineService };
  serviceUpdate: { params: { readonly id: string; readonly version: number; readonly spec: EngineServiceSpec; readonly rollback?: 'previous' }; result: { readonly Warnings?: readonly string[] } };
  serviceRemove: { params: { readonly id: string }; result: null };
  /** `docker service logs`: every task's output, oldest first. */
  serviceLogs: { params: { readonly id: string; readonly tail?: number }; result: ServiceLogLine[] };
  taskList: { params: { readonly filters?: TaskListFilters }; result: EngineTask[] };
  taskInspect: { params: { readonly id: string }; result: EngineTask };

  /**
   * `GET /distribution/{name}/json`: what the registry says about an image (moby
   * `registry.DistributionInspect`); the client pins service images to the digest.
   */
  distributionInspect: {
    params: { readonly image: string };
    result: { readonly Descriptor: { readonly mediaType: string; readonly digest: string; readonly size: number }; readonly Platforms: readonly { readonly architecture: string; readonly os: string }[] };
  };

  /** `docker create` / the first half of `docker run`. */
  containerCreate: { params: ContainerCreateRequest; result: { readonly Id: string; readonly Warnings: readonly string[] } };
  containerStart: { params: { readonly id: string }; result: null };
  /**
   * `docker attach` / the foreground half of `docker run`: feeds `stdin` (all of it; null = no
   * input attached) to the container's main process and returns what it printed meanwhile. When
   * the input ends the process sees end-of-file; the call returns when the process exits (exit
   * code set) or, for a process that does not read its input, after it has printed what it will
   * (exit code null, the container keeps running).
   */
  containerAttach: { params: { readonly id: string; readonly stdin: string | null }; result: ProcessOutput };
  /** `docker wait`: blocks until the container exits; its exit code. */
  containerWait: { params: { readonly id: string }; result: { readonly StatusCode: number } };
  containerList: { params: { readonly all?: boolean; readonly filters?: ContainerListFilters }; result: ContainerSummary[] };
  /** `id`: full ID, unique ID prefix or name. */
  containerInspect: { params: { readonly id: string }; result: ContainerInspect };
  /** `timeout` seconds before SIGKILL (default 10). */
  containerStop: { params: { readonly id: string; readonly timeout?: number }; result: null };
  containerKill: { params: { readonly id: string; readonly signal?: string }; result: null };
  containerRemove: { params: { readonly id: string; readonly force?: boolean }; result: null };
  containerLogs: { params: { readonly id: string; readonly tail?: number }; result: { readonly stdout: string; readonly stderr: string } };
  /** `docker exec`: runs `cmd` in the running container, feeding `stdin` (null = none). */
  containerExec: {
    params: { readonly id: string; readonly cmd: readonly string[]; readonly tty?: boolean; readonly stdin: string | null; readonly env?: readonly string[]; readonly workdir?: string };
    result: ProcessOutput;
  };
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
