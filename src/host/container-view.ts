/**
 * What the daemon remembers about a container (moby `container.Container`: its config, host
 * config and network settings) and how the Engine API shows it: `docker ps` summaries with moby's
 * `State.String()` status texts (`Up 5 seconds`, `Exited (0) 2 minutes ago`, `Created`, with
 * go-units' HumanDuration), `docker inspect`'s document, the list filters, and the
 * `Containers` entries a network inspect shows for its local endpoints.
 */
import { createHash } from 'node:crypto';
import { humanDuration } from '../docker/units.js';
import type { Container } from './container.js';
import { EngineApiError, type ContainerEndpointSettings, type ContainerInspect, type ContainerListFilters, type ContainerState, type ContainerSummary, type NetworkEndpoint } from './engine-api.js';
import type { Image } from './images.js';
import type { PbNetwork } from '../wire/swarmkit.js';

/** One network endpoint of a container (moby `EndpointSettings`). */
export interface EndpointRecord {
  /** The network's name and ID as Docker shows them. */
  readonly networkName: string;
  readonly networkId: string;
  /** The data plane's network name; undefined for `host`/`none` (no interface). */
  readonly dataPlane: string | undefined;
  readonly ip: string;
  readonly prefixLength: number;
  /** '' on overlays (the overlay driver sets no gateway). */
  readonly gateway: string;
  readonly mac: string;
  readonly aliases: readonly string[];
  readonly endpointId: string;
  /** Swarm overlays: the attachment task (standalone containers) that holds the address. */
  attachmentId: string | undefined;
  /** Whether the network is a swarm network (lazy on workers). */
  readonly swarm: boolean;
  /** The swarm network object (what a worker lists while it has this endpoint). */
  readonly network?: PbNetwork;
}

export interface ContainerConfig {
  readonly hostname: string;
  readonly env: readonly string[];
  readonly cmd: readonly string[] | null;
  readonly entrypoint: readonly string[] | null;
  readonly tty: boolean;
  readonly openStdin: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  /** Replaced once when a standalone container's swarm network is attached at its first start. */
  container: Container;
  /** Wall time (ms). */
  readonly created: number;
  /** The image as the user (or the service spec) named it. */
  readonly imageName: string;
  readonly image: Image;
  /** argv[0] and the rest: what PID 1 runs. */
  readonly path: string;
  readonly args: readonly string[];
  readonly config: ContainerConfig;
  readonly networkMode: string;
  readonly autoRemove: boolean;
  readonly endpoints: EndpointRecord[];
  /** Set for a swarm task's container. */
  readonly taskId: string | undefined;
  pid: number;
  /** The error the last start failed with (inspect `State.Error`). */
  error: string;
  removing: boolean;
}

/** A stable 64-hex endpoint ID for a container's endpoint on a network. */
export function endpointIdFor(networkId: string, containerId: string): string {
  return createHash('sha256').update(`${networkId}/${containerId}`).digest('hex');
}

/** moby `State.State()` as this runtime knows it. */
export function stateOf(record: ContainerRecord): ContainerState {
  if (record.removing) return 'removing';
  return record.container.state;
}

/** Wall-time (ms) conversions of the container's host-clock timestamps. */
export interface WallClock {
  /** Now, wall ms. */
  readonly now: () => number;
  /** Host-clock ms → wall ms. */
  readonly wall: (clockMs: number) => number;
}

const NS_PER_MS = 1e6;

/** moby `State.String()`. */
export function statusText(record: ContainerRecord, clock: WallClock): string {
  const c = record.container;
  if (c.state === 'running') return `Up ${humanDuration((clock.now() - clock.wall(c.startedAt ?? 0)) * NS_PER_MS)}`;
  if (record.removing) return 'Removal In Progress';
  if (c.startedAt === undefined) return 'Created';
  if (c.finishedAt === undefined) return '';
  return `Exited (${c.exitCode ?? 0}) ${humanDuration((clock.now() - clock.wall(c.finishedAt)) * NS_PER_MS)} ago`;
}

function endpointSettings(e: EndpointRecord): ContainerEndpointSettings {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: e.aliases.length > 0 ? [...e.aliases] : null,
    MacAddress: e.mac,
    NetworkID: e.networkId,
    EndpointID: e.endpointId,
    Gateway: e.gateway,
    IPAddress: e.ip,
    IPPrefixLen: e.prefixLength,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

function networksOf(record: ContainerRecord): Record<string, ContainerEndpointSettings> {
  return Object.fromEntries(record.endpoints.map((e) => [e.networkName, endpointSettings(e)]));
}

/** Docker's COMMAND column source: the argv joined (the CLI quotes and truncates it). */
function commandOf(record: ContainerRecord): string {
  return [record.path, ...record.args].join(' ');
}

export function summaryOf(record: ContainerRecord, clock: WallClock): ContainerSummary {
  return {
    Id: record.id,
    Names: [`/${record.name}`],
    Image: record.imageName,
    ImageID: record.image.id,
    Command: commandOf(record),
    Created: Math.floor(record.created / 1000),
    Ports: record.image.exposedPorts.map((p) => ({ PrivatePort: Number(p.split('/')[0]), Type: p.split('/')[1] ?? 'tcp' })),
    Labels: { ...record.config.labels },
    State: stateOf(record),
    Status: statusText(record, clock),
    HostConfig: { NetworkMode: record.networkMode },
    NetworkSettings: { Networks: networksOf(record) },
  };
}

/** Go's zero time, as inspect prints an unset timestamp. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export function inspectOf(record: ContainerRecord, clock: WallClock): ContainerInspect {
  const c = record.container;
  const iso = (clockMs: number | undefined) => (clockMs === undefined ? GO_ZERO_TIME : new Date(clock.wall(clockMs)).toISOString());
  const state = stateOf(record);
  const first = record.endpoints.find((e) => e.networkName === 'bridge');
  return {
    Id: record.id,
    Created: new Date(record.created).toISOString(),
    Path: record.path,
    Args: [...record.args],
    State: {
      Status: state,
      Running: c.state === 'running',
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: c.state === 'running' ? record.pid : 0,
      ExitCode: c.exitCode ?? 0,
      Error: record.error,
      StartedAt: iso(c.startedAt),
      FinishedAt: iso(c.finishedAt),
    },
    Image: record.image.id,
    ResolvConfPath: `/var/lib/docker/containers/${record.id}/resolv.conf`,
    HostnamePath: `/var/lib/docker/containers/${record.id}/hostname`,
    HostsPath: `/var/lib/docker/containers/${record.id}/hosts`,
    Name: `/${record.name}`,
    RestartCount: 0,
    Driver: 'overlayfs',
    Platform: 'linux',
    HostConfig: { NetworkMode: record.networkMode, AutoRemove: record.autoRemove },
    Config: {
      Hostname: record.config.hostname,
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: record.config.tty,
      OpenStdin: record.config.openStdin,
      StdinOnce: false,
      Env: [...record.config.env],
      Cmd: record.config.cmd === null ? null : [...record.config.cmd],
      Image: record.imageName,
      WorkingDir: record.image.workingDir === '/' ? '' : record.image.workingDir,
      Entrypoint: record.config.entrypoint === null ? null : [...record.config.entrypoint],
      Labels: { ...record.config.labels },
    },
    NetworkSettings: {
      SandboxID: c.state === 'running' ? createHash('sha256').update(`sandbox/${record.id}`).digest('hex') : '',
      SandboxKey: c.state === 'running' ? `/var/run/docker/netns/${record.id.slice(0, 12)}` : '',
      Ports: {},
      Gateway: first?.gateway ?? '',
      IPAddress: first?.ip ?? '',
      IPPrefixLen: first?.prefixLength ?? 0,
      MacAddress: first?.mac ?? '',
      Networks: networksOf(record),
    },
  };
}

/** A network inspect's `Containers` entry for one endpoint. */
export function networkEndpointOf(record: ContainerRecord, e: EndpointRecord): NetworkEndpoint {
  return { Name: record.name, EndpointID: e.endpointId, MacAddress: e.mac, IPv4Address: `${e.ip}/${e.prefixLength}`, IPv6Address: '' };
}

const FILTER_KEYS = new Set(['id', 'name', 'status', 'label', 'network', 'ancestor']);
const STATUS_VALUES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

/** moby `daemon/list.go` filters (the ones swarmnet's containers can match). */
export function matchesFilters(record: ContainerRecord, filters: ContainerListFilters): boolean {
  for (const key of Object.keys(filters)) if (!FILTER_KEYS.has(key)) throw new EngineApiError(`invalid filter '${key}'`, 400);
  for (const s of filters.status ?? []) {
    if (!STATUS_VALUES.has(s)) throw new EngineApiError(`invalid filter 'status=${s}'`, 400);
  }
  if (filters.id?.length && !filters.id.some((id) => record.id.startsWith(id))) return false;
  if (filters.name?.length && !filters.name.some((n) => namePattern(n).test(`/${record.name}`))) return false;
  if (filters.status?.length && !filters.status.includes(stateOf(record))) return false;
  for (const label of filters.label ?? []) {
    const eq = label.indexOf('=');
    const key = eq < 0 ? label : label.slice(0, eq);
    const have = record.config.labels[key];
    if (have === undefined || (eq >= 0 && have !== label.slice(eq + 1))) return false;
  }
  if (filters.network?.length && !filters.network.some((n) => record.endpoints.some((e) => e.networkName === n || e.networkId.startsWith(n)))) return false;
  if (filters.ancestor?.length && !filters.ancestor.some((a) => a === record.imageName || a.split(':')[0] === record.image.name || a === record.image.id)) return false;
  return true;
}

/** moby matches `name=` filters as (Go) regular expressions; a bad one is the caller's error. */
function namePattern(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch {
    throw new EngineApiError(`invalid filter 'name=${text}'`, 400);
  }
}
