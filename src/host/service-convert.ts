/**
 * Services and tasks between the Engine API's JSON (engine-api.ts) and swarmkit's protobuf shapes
 * (src/wire/swarmkit.ts), as moby's `daemon/cluster/convert/{service,task,container}.go` convert
 * them: durations are Go nanoseconds on the Engine side and `{seconds, nanos}` in protobuf, enum
 * names are lower-case words on the Engine side (`on-failure`, `stop-first`, `ingress`) and
 * upper-case proto names in swarmkit, and absent optional sections stay absent both ways.
 *
 * Refusals carry moby's texts (`invalid RestartCondition: "x"`, `must specify only one service
 * mode` …); the daemon answers them as 400s.
 */
import type {
  PbContainerSpec,
  PbEndpoint,
  PbEndpointSpec,
  PbNetwork,
  PbNetworkAttachment,
  PbPortConfig,
  PbService,
  PbServiceSpec,
  PbTask,
  PbTaskSpec,
  PbTimestamp,
  PbUpdateConfig,
} from '../wire/swarmkit.js';
import {
  EngineApiError,
  type EngineContainerSpec,
  type EngineEndpoint,
  type EngineEndpointSpec,
  type EnginePortConfig,
  type EngineService,
  type EngineServiceSpec,
  type EngineTask,
  type EngineTaskSpec,
  type EngineTaskState,
  type EngineUpdateConfig,
  type NetworkResourceSwarm,
} from './engine-api.js';
import { goTime, objectMeta } from './engine-convert.js';

const NS_PER_SECOND = 1e9;

function toDuration(ns: number | undefined): PbTimestamp | null {
  if (ns === undefined) return null;
  if (!Number.isFinite(ns) || ns < 0) throw new EngineApiError(`invalid duration: ${ns}`, 400);
  return { seconds: Math.floor(ns / NS_PER_SECOND), nanos: Math.round(ns % NS_PER_SECOND) };
}

function fromDuration(d: PbTimestamp | null | undefined): number | undefined {
  return d ? d.seconds * NS_PER_SECOND + d.nanos : undefined;
}

function invalid(message: string): never {
  throw new EngineApiError(message, 400);
}

// ---- Engine → swarmkit ----

const RESTART_CONDITIONS = { none: 'NONE', 'on-failure': 'ON_FAILURE', any: 'ANY' } as const;
const FAILURE_ACTIONS = { pause: 'PAUSE', continue: 'CONTINUE', rollback: 'ROLLBACK' } as const;
const UPDATE_ORDERS = { 'stop-first': 'STOP_FIRST', 'start-first': 'START_FIRST' } as const;
const PROTOCOLS = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const;
const PUBLISH_MODES = { ingress: 'INGRESS', host: 'HOST' } as const;

function lookup<T extends Record<string, string>>(table: T, value: string, what: string): T[keyof T] {
  if (!Object.hasOwn(table, value)) invalid(`${what} ${JSON.stringify(value)}`);
  return table[value as keyof T];
}

function containerSpecToPb(c: EngineContainerSpec): PbContainerSpec {
  return {
    image: c.Image ?? '',
    labels: { ...c.Labels },
    command: [...(c.Command ?? [])],
    args: [...(c.Args ?? [])],
    env: [...(c.Env ?? [])],
    dir: c.Dir ?? '',
    user: c.User ?? '',
    stop_grace_period: toDuration(c.StopGracePeriod),
    tty: c.TTY === true,
    hostname: c.Hostname ?? '',
    hosts: [],
    open_stdin: c.OpenStdin === true,
    read_only: false,
    stop_signal: '',
  };
}

function updateConfigToPb(u: EngineUpdateConfig | undefined, what: 'update' | 'rollback'): PbUpdateConfig | null {
  if (!u) return null;
  return {
    parallelism: u.Parallelism ?? 0,
    delay: toDuration(u.Delay ?? 0),
    failure_action: u.FailureAction ? lookup(FAILURE_ACTIONS, u.FailureAction, `unrecognized ${what} failure action`) : 'PAUSE',
    monitor: toDuration(u.Monitor),
    max_failure_ratio: u.MaxFailureRatio ?? 0,
    order: u.Order ? lookup(UPDATE_ORDERS, u.Order, `unrecognized ${what} order`) : 'STOP_FIRST',
  };
}

export function portToPb(p: EnginePortConfig): PbPortConfig {
  return {
    name: p.Name ?? '',
    protocol: lookup(PROTOCOLS, p.Protocol ?? 'tcp', 'invalid protocol'),
    target_port: p.TargetPort,
    published_port: p.PublishedPort ?? 0,
    publish_mode: lookup(PUBLISH_MODES, p.PublishMode ?? 'ingress', 'invalid publish mode'),
  };
}

function endpointSpecToPb(e: EngineEndpointSpec | undefined): PbEndpointSpec | null {
  if (!e) return null;
  const mode = e.Mode ?? 'vip';
  if (mode !== 'vip' && mode !== 'dnsrr') invalid(`invalid resolution mode: ${JSON.stringify(mode)}`);
  return { mode: mode === 'vip' ? 'VIP' : 'DNSRR', ports: (e.Ports ?? []).map(portToPb) };
}

function taskSpecToPb(t: EngineTaskSpec): PbTaskSpec {
  if (!t.ContainerSpec) invalid('error creating service; unsupported runtime');
  const r = t.RestartPolicy;
  return {
    container: containerSpecToPb(t.ContainerSpec),
    restart: r
      ? {
          condition: r.Condition ? lookup(RESTART_CONDITIONS, r.Condition, 'invalid RestartCondition:') : 'ANY',
          delay: toDuration(r.Delay),
          max_attempts: r.MaxAttempts ?? 0,
          window: toDuration(r.Window),
        }
      : null,
    placement: t.Placement ? { constraints: [...(t.Placement.Constraints ?? [])], max_replicas: t.Placement.MaxReplicas ?? 0 } : null,
    log_driver: t.LogDriver ? { name: t.LogDriver.Name, options: { ...t.LogDriver.Options } } : null,
    networks: (t.Networks ?? []).map((n) => ({ target: n.Target, aliases: [...(n.Aliases ?? [])], addresses: [], driver_attachment_opts: { ...n.DriverOpts } })),
    force_update: t.ForceUpdate ?? 0,
  };
}

/** moby `ServiceSpecToGRPC`: replicated with 1 replica unless a mode says otherwise. */
export function serviceSpecToPb(s: EngineServiceSpec): PbServiceSpec {
  if (!s || typeof s !== 'object' || !s.TaskTemplate) invalid('service spec is missing its task template');
  const mode = s.Mode ?? {};
  if (mode.Global && mode.Replicated) invalid('must specify only one service mode');
  return {
    annotations: { name: s.Name ?? '', labels: { ...s.Labels } },
    task: taskSpecToPb(s.TaskTemplate),
    ...(mode.Global ? { global: {} } : { replicated: { replicas: mode.Replicated?.Replicas ?? 1 } }),
    update: updateConfigToPb(s.UpdateConfig, 'update'),
    rollback: updateConfigToPb(s.RollbackConfig, 'rollback'),
    endpoint: endpointSpecToPb(s.EndpointSpec),
  };
}

// ---- swarmkit → Engine ----

function lower<T extends string>(value: string): T {
  return value.toLowerCase().replace(/_/g, '-') as T;
}

function containerSpecFromPb(c: PbContainerSpec): EngineContainerSpec {
  const grace = fromDuration(c.stop_grace_period);
  return {
    Image: c.image,
    ...(Object.keys(c.labels ?? {}).length ? { Labels: { ...c.labels } } : {}),
    ...(c.command?.length ? { Command: [...c.command] } : {}),
    ...(c.args?.length ? { Args: [...c.args] } : {}),
    ...(c.hostname ? { Hostname: c.hostname } : {}),
    ...(c.env?.length ? { Env: [...c.env] } : {}),
    ...(c.dir ? { Dir: c.dir } : {}),
    ...(c.user ? { User: c.user } : {}),
    ...(c.tty ? { TTY: true } : {}),
    ...(c.open_stdin ? { OpenStdin: true } : {}),
    ...(grace !== undefined ? { StopGracePeriod: grace } : {}),
    Init: false,
    Isolation: 'default',
  };
}

function updateConfigFromPb(u: PbUpdateConfig | null | undefined): EngineUpdateConfig | undefined {
  if (!u) return undefined;
  const delay = fromDuration(u.delay);
  const monitor = fromDuration(u.monitor);
  return {
    Parallelism: u.parallelism,
    ...(delay ? { Delay: delay } : {}),
    FailureAction: lower(u.failure_action),
    ...(monitor !== undefined ? { Monitor: monitor } : {}),
    MaxFailureRatio: u.max_failure_ratio,
    Order: lower(u.order),
  };
}

export function portFromPb(p: PbPortConfig): EnginePortConfig {
  return {
    ...(p.name ? { Name: p.name } : {}),
    Protocol: lower(p.protocol),
    TargetPort: p.target_port,
    PublishedPort: p.published_port,
    PublishMode: lower(p.publish_mode),
  };
}

function endpointSpecFromPb(e: PbEndpointSpec | null | undefined): EngineEndpointSpec {
  if (!e) return {};
  return { Mode: e.mode === 'DNSRR' ? 'dnsrr' : 'vip', ...(e.ports?.length ? { Ports: e.ports.map(portFromPb) } : {}) };
}

function taskSpecFromPb(t: PbTaskSpec): EngineTaskSpec {
  const r = t.restart;
  return {
    ...(t.container ? { ContainerSpec: containerSpecFromPb(t.container) } : {}),
    ...(t.attachment ? { NetworkAttachmentSpec: { ContainerID: t.attachment.container_id } } : {}),
    Resources: { Limits: {}, Reservations: {} },
    ...(r
      ? {
          RestartPolicy: {
            Condition: lower<'none' | 'on-failure' | 'any'>(r.condition),
            ...(r.delay ? { Delay: fromDuration(r.delay)! } : {}),
            MaxAttempts: r.max_attempts,
            ...(r.window ? { Window: fromDuration(r.window)! } : {}),
          },
        }
      : {}),
    ...(t.placement ? { Placement: t.placement.constraints.length ? { Constraints: [...t.placement.constraints] } : {} } : {}),
    ...(t.networks?.length ? { Networks: t.networks.map((n) => ({ Target: n.target, ...(n.aliases.length ? { Aliases: [...n.aliases] } : {}) })) } : {}),
    ForceUpdate: t.force_update,
    Runtime: t.attachment ? 'attachment' : 'container',
  };
}

export function serviceSpecFromPb(s: PbServiceSpec): EngineServiceSpec {
  const update = updateConfigFromPb(s.update);
  const rollback = updateConfigFromPb(s.rollback);
  return {
    Name: s.annotations.name,
    Labels: { ...s.annotations.labels },
    TaskTemplate: taskSpecFromPb(s.task),
    Mode: s.global ? { Global: {} } : { Replicated: { Replicas: s.replicated?.replicas ?? 0 } },
    ...(update ? { UpdateConfig: update } : {}),
    ...(rollback ? { RollbackConfig: rollback } : {}),
    EndpointSpec: endpointSpecFromPb(s.endpoint),
  };
}

function endpointFromPb(e: PbEndpoint | null): EngineEndpoint {
  if (!e) return { Spec: {} };
  return {
    Spec: endpointSpecFromPb(e.spec),
    ...(e.ports?.length ? { Ports: e.ports.map(portFromPb) } : {}),
    ...(e.virtual_ips?.length ? { VirtualIPs: e.virtual_ips.map((v) => ({ NetworkID: v.network_id, Addr: v.addr })) } : {}),
  };
}

export function serviceFromPb(s: PbService, status?: EngineService['ServiceStatus']): EngineService {
  const u = s.update_status;
  return {
    ...objectMeta(s.id, s.meta),
    Spec: serviceSpecFromPb(s.spec),
    ...(s.previous_spec ? { PreviousSpec: serviceSpecFromPb(s.previous_spec) } : {}),
    Endpoint: endpointFromPb(s.endpoint),
    ...(u && u.state !== 'UNKNOWN'
      ? {
          UpdateStatus: {
            State: u.state === 'COMPLETED' ? 'completed' : lower(u.state),
            ...(u.started_at ? { StartedAt: goTime(u.started_at) } : {}),
            ...(u.completed_at ? { CompletedAt: goTime(u.completed_at) } : {}),
            Message: u.message,
          },
        }
      : {}),
    ...(status ? { ServiceStatus: status } : {}),
  };
}

/** moby `convert.BasicNetworkFromGRPC`, the network as a task attachment carries it. */
export function swarmNetworkFromPb(n: PbNetwork): NetworkResourceSwarm {
  const configs = n.ipam?.configs ?? [];
  return {
    ...objectMeta(n.id, n.meta),
    Spec: {
      Name: n.spec.annotations.name,
      Labels: { ...n.spec.annotations.labels },
      ...(n.spec.driver_config ? { DriverConfiguration: { Name: n.spec.driver_config.name, Options: { ...n.spec.driver_config.options } } } : {}),
      Scope: 'swarm',
      ...(n.spec.attachable ? { Attachable: true } : {}),
      ...(n.spec.ingress ? { Ingress: true } : {}),
    },
    DriverState: { Name: n.driver_state?.name ?? '', Options: { ...n.driver_state?.options } },
    IPAMOptions: { Driver: { Name: n.ipam?.driver?.name ?? 'default' }, Configs: configs.map((c) => ({ Subnet: c.subnet, Gateway: c.gateway })) },
  };
}

function attachmentFromPb(a: PbNetworkAttachment) {
  return { Network: a.network ? swarmNetworkFromPb(a.network) : ({} as NetworkResourceSwarm), Addresses: [...a.addresses] };
}

export function taskFromPb(t: PbTask): EngineTask {
  const c = t.status.container;
  return {
    ...objectMeta(t.id, t.meta),
    Labels: { ...t.annotations?.labels },
    Spec: taskSpecFromPb(t.spec),
    ServiceID: t.service_id,
    ...(t.slot ? { Slot: t.slot } : {}),
    ...(t.node_id ? { NodeID: t.node_id } : {}),
    Status: {
      Timestamp: goTime(t.status.timestamp),
      State: t.status.state.toLowerCase() as EngineTaskState,
      Message: t.status.message,
      ...(t.status.err ? { Err: t.status.err } : {}),
      ...(c ? { ContainerStatus: { ContainerID: c.container_id, PID: c.pid, ExitCode: c.exit_code } } : {}),
      PortStatus: t.status.port_status?.ports?.length ? { Ports: t.status.port_status.ports.map(portFromPb) } : {},
    },
    DesiredState: t.desired_state.toLowerCase() as EngineTaskState,
    ...(t.networks?.length ? { NetworksAttachments: t.networks.map(attachmentFromPb) } : {}),
  };
}
