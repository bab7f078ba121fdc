/**
 * `docker create/start/run/ps/inspect/stop/kill/rm/logs/exec/attach/wait` on one host's daemon
 * (moby `daemon/create.go`, `start.go`, `delete.go`, `list.go`, `exec.go`), over the host's data
 * plane (local-runtime.ts) and the container runtime (container.ts).
 *
 * Networks as moby wires them: `default`/`bridge` → an address on docker0 (172.17.0.2 …),
 * reachable by IP only (no embedded DNS on the default bridge); `host` and `none` → no interface
 * but `lo`; a swarm overlay → at start, `ResourceAllocator.AttachNetwork` through the node's agent
 * (a worker does this too: the manager resolves the name) and a bounded wait for the attachment
 * task to arrive with its address (moby `daemon/cluster/networks.go` `AttachNetwork`, with its
 * texts). A standalone container detaches when it stops, so a worker stops listing the overlay
 * once its last container there is gone (lazy networks).
 *
 * The executor (executor.ts) creates task containers through `createContainer` too, as moby's
 * swarm executor goes through the daemon's own backend: task containers show in `docker ps`.
 */
import type { Clock } from '../util/clock.js';
import { grpcErrorText } from '../swarm/grpc-client.js';
import type { Rng } from '../util/rng.js';
import { formatMac, macFromIpv4, parseIpv4Address } from '../wire/address.js';
import type { PbNetwork } from '../wire/swarmkit.js';
import { connectContainer, disconnectContainer } from './container-connect.js';
import { generateContainerName } from './container-names.js';
import { endpointIdFor, inspectOf, matchesFilters, networkEndpointOf, summaryOf, type ContainerConfig, type ContainerRecord, type EndpointRecord, type WallClock } from './container-view.js';
import { EngineApiError, type NetworkEndpoint, type ContainerCreateRequest, type ContainerInspect, type ContainerListFilters, type ContainerSummary, type EngineParams, type ProcessOutput } from './engine-api.js';
import { resolveImage, type ResolvedImage } from './images.js';
import type { LocalRuntime } from './local-runtime.js';
import { overlaySpecOf } from './overlay-spec.js';

/** Most containers (of any state) one daemon keeps. */
export const MAX_CONTAINERS = 512;
/** moby `daemon/names` retries of a generated name that clashes. */
const NAME_RETRIES = 6;
/** `docker stop` without `-t` (moby `defaultStopTimeout`), seconds. */
export const DEFAULT_STOP_TIMEOUT_S = 10;
/** moby `swarmRequestTimeout`: bound on attaching to a swarm network (real ms). */
export const ATTACH_TIMEOUT_MS = 20_000;
/** Docker's container-name rule (moby `daemon/names` `RestrictedNamePattern`). */
const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const BRIDGE = 'bridge';

/** What the daemon lends: the data plane, its swarm agent (when in a swarm) and local network IDs. */
export interface ContainersContext {
  readonly runtime: LocalRuntime;
  readonly rng: Rng;
  readonly clock: Clock;
  readonly wall: WallClock;
  /** The ID of a local network (`bridge`, `host`, `none`). */
  readonly localNetworkId: (name: string) => string | undefined;
  /** The swarm attacher; undefined when the node is not in a swarm. */
  readonly swarm: () => SwarmAttacher | undefined;
  /** Local endpoints came or went (lazy overlays, load-balancer sandboxes). */
  readonly onEndpointsChanged: () => void;
}

export interface SwarmAttacher {
  /** AttachNetwork, then the attachment task's network and address (`10.0.1.3/24`). */
  attach(target: string, containerId: string, aliases: readonly string[]): Promise<{ attachmentId: string; network: PbNetwork; address: string }>;
  detach(attachmentId: string): Promise<void>;
}

export interface LiveEndpoint {
  readonly networkId: string;
  readonly networkName: string;
  /** Swarm networks only. */
  readonly network: PbNetwork | undefined;
  readonly containerId: string;
  readonly endpoint: NetworkEndpoint;
}

/** A container the executor or `docker create` asks for (already resolved). */
export interface CreateOptions {
  readonly name: string;
  readonly image: ResolvedImage;
  readonly imageName: string;
  readonly entrypoint: readonly string[] | undefined;
  readonly cmd: readonly string[] | undefined;
  readonly env: readonly string[];
  readonly hostname: string | undefined;
  readonly tty: boolean;
  readonly openStdin: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly networkMode: string;
  readonly autoRemove: boolean;
  /** Endpoints known at create time (bridge, or a task's allocated overlays, in order). */
  readonly networks: readonly PlannedEndpoint[];
  /** Swarm networks to attach at start (standalone containers). */
  readonly attachAtStart?: { readonly target: string; readonly aliases: readonly string[] };
  readonly taskId?: string;
  readonly onExit?: (record: ContainerRecord, code: number) => void;
}

export interface PlannedEndpoint {
  readonly networkName: string;
  readonly networkId: string;
  /** A swarm network to create in the data plane (lazily); absent for local networks. */
  readonly swarmNetwork?: PbNetwork;
  /** CIDR (`10.0.1.5/24`) for overlays; absent on bridge (the host allocates). */
  readonly address?: string;
  readonly aliases: readonly string[];
}

export class DaemonContainers {
  readonly #byId = new Map<string, ContainerRecord>();
  readonly #ctx: ContainersContext;
  readonly #pending = new Map<string, { target: string; aliases: readonly string[] }>();

  constructor(ctx: ContainersContext) {
    this.#ctx = ctx;
  }

  get records(): readonly ContainerRecord[] {
    return [...this.#byId.values()];
  }

  counts(): { total: number; running: number } {
    const all = this.records;
    return { total: all.length, running: all.filter((r) => r.container.state === 'running').length };
  }

  /** moby `GetContainer`: full ID, exact name, then unique ID prefix. */
  find(term: string): ContainerRecord {
    const name = term.startsWith('/') ? term.slice(1) : term;
    const record = this.#byId.get(term) ?? this.records.find((r) => r.name === name) ?? this.#byPrefix(term);
    if (record === undefined) throw new EngineApiError(`No such container: ${term}`, 404);
    return record;
  }

  #byPrefix(term: string): ContainerRecord | undefined {
    if (term === '') return undefined;
    const hits = this.records.filter((r) => r.id.startsWith(term));
    if (hits.length > 1) throw new EngineApiError(`multiple IDs found with provided prefix: ${term}`, 400);
    return hits[0];
  }

  /**
   * Endpoints `docker network inspect` lists here: every endpoint of a running container, and of a
   * task container not yet started; a stopped standalone container has released its swarm ones.
   */
  liveEndpoints(): LiveEndpoint[] {
    const out: LiveEndpoint[] = [];
    for (const r of this.records) {
      const live = r.container.state === 'running' || (r.taskId !== undefined && r.container.state === 'created');
      for (const e of r.endpoints) {
        if (e.dataPlane === undefined || (e.swarm && !live)) continue;
        out.push({ networkId: e.networkId, networkName: e.networkName, network: e.network, containerId: r.id, endpoint: networkEndpointOf(r, e) });
      }
    }
    return out;
  }

  // ---- Engine API ----

  async createFromRequest(request: ContainerCreateRequest): Promise<{ Id: string; Warnings: string[] }> {
    if (typeof request.Image !== 'string' || request.Image === '') throw new EngineApiError('No command specified', 400);
    const image = resolveImage(request.Image);
    const name = request.name !== undefined && request.name !== '' ? request.name : this.#generateName();
    const mode = request.HostConfig?.NetworkMode || 'default';
    const aliases = Object.values(request.NetworkingConfig?.EndpointsConfig ?? {})[0]?.Aliases ?? [];
    const local = mode === 'default' ? BRIDGE : mode;
    let networks: PlannedEndpoint[] = [];
    let attachAtStart: CreateOptions['attachAtStart'];
    if (local === BRIDGE || local === 'host' || local === 'none') {
      networks = [{ networkName: local, networkId: this.#ctx.localNetworkId(local) ?? '', aliases }];
    } else if (mode.startsWith('container:')) {
      throw new EngineApiError('swarmnet: --network container:<name> is not supported', 400);
    } else if (this.#ctx.swarm() !== undefined) {
      attachAtStart = { target: mode, aliases };
    } else {
      throw new EngineApiError(`network ${mode} not found`, 404);
    }
    const record = await this.createContainer({
      name,
      image,
      imageName: request.Image,
      entrypoint: request.Entrypoint,
      cmd: request.Cmd,
      env: request.Env ?? [],
      hostname: request.Hostname || undefined,
      tty: request.Tty === true,
      openStdin: request.OpenStdin === true,
      labels: request.Labels ?? {},
      networkMode: mode,
      autoRemove: request.HostConfig?.AutoRemove === true,
      networks,
      ...(attachAtStart ? { attachAtStart } : {}),
    });
    return { Id: record.id, Warnings: [] };
  }

  #generateName(): string {
    for (let retry = 0; ; retry++) {
      const name = generateContainerName(this.#ctx.rng, retry);
      if (!this.records.some((r) => r.name === name) || retry >= NAME_RETRIES) return name;
    }
  }

  /** Creates the container (data plane legs for the endpoints known now; PID 1 not started). */
  async createContainer(options: CreateOptions): Promise<ContainerRecord> {
    if (!CONTAINER_NAME.test(options.name)) throw new EngineApiError(`Invalid container name (${options.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 400);
    const name = options.name.replace(/^\//, '');
    const clash = this.records.find((r) => r.name === name);
    if (clash) {
      throw new EngineApiError(`Conflict. The container name "/${name}" is already in use by container "${clash.id}". You have to remove (or rename) that container to be able to reuse that name.`, 409);
    }
    if (this.#byId.size >= MAX_CONTAINERS) throw new EngineApiError(`swarmnet: a daemon keeps at most ${MAX_CONTAINERS} containers`, 500);
    const id = this.#ctx.rng.hex(64);
    const { image } = options.image;
    const entrypoint = options.entrypoint !== undefined && options.entrypoint.length > 0 ? [...options.entrypoint] : null;
    // moby: an entrypoint given on the command line resets the image's Cmd.
    const cmd = options.cmd !== undefined && options.cmd.length > 0 ? [...options.cmd] : entrypoint !== null ? null : [...image.cmd];
    const argv = [...(entrypoint ?? image.entrypoint), ...(cmd ?? [])];
    if (argv.length === 0) throw new EngineApiError('No command specified', 400);
    for (const n of options.networks) if (n.swarmNetwork) this.#ctx.runtime.ensureNetwork(overlaySpecOf(n.swarmNetwork));
    const legs = options.networks.filter((n) => n.networkName !== 'host' && n.networkName !== 'none');
    let record: ContainerRecord | undefined;
    const container = await this.#ctx.runtime.createContainer({
      id,
      name,
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      libc: image.libc,
      networks: legs.map((n) => ({ network: n.networkName, ...(n.address ? { ip: n.address.split('/')[0]! } : {}) })),
      process: {
        image,
        env: [...image.env, ...options.env],
        tty: options.tty,
        openStdin: options.openStdin,
        onExit: (code: number) => {
          if (record) this.#exited(record, code, options);
        },
      },
    });
    const info = container.info();
    const endpoints: EndpointRecord[] = options.networks.map((n) => {
      const iface = info.interfaces.find((i) => i.network === n.networkName);
      return {
        networkName: n.networkName,
        networkId: n.networkId,
        dataPlane: iface ? n.networkName : undefined,
        ip: iface?.ip ?? '',
        prefixLength: iface?.prefixLength ?? 0,
        gateway: n.networkName === BRIDGE ? '172.17.0.1' : '',
        mac: iface?.mac ?? '',
        aliases: [...n.aliases],
        endpointId: iface ? endpointIdFor(n.networkId, id) : '',
        attachmentId: undefined,
        swarm: n.swarmNetwork !== undefined,
        ...(n.swarmNetwork ? { network: n.swarmNetwork } : {}),
      };
    });
    const config: ContainerConfig = {
      hostname: container.hostname,
      env: [...image.env, ...options.env],
      cmd,
      entrypoint,
      tty: options.tty,
      openStdin: options.openStdin,
      labels: { ...options.labels },
    };
    record = {
      id: container.id,
      name,
      container,
      created: this.#ctx.wall.now(),
      imageName: options.imageName,
      image,
      path: argv[0]!,
      args: argv.slice(1),
      config,
      networkMode: options.networkMode,
      autoRemove: options.autoRemove,
      endpoints,
      taskId: options.taskId,
      pid: 0,
      error: '',
      removing: false,
    };
    if (options.attachAtStart) this.#pending.set(record.id, options.attachAtStart);
    this.#byId.set(record.id, record);
    this.#ctx.onEndpointsChanged();
    return record;
  }

  async start(term: string): Promise<void> {
    const record = this.find(term);
    if (record.container.state === 'running') return;
    const pending = this.#pending.get(record.id);
    if (pending) await this.#attachSwarm(record, pending);
    try {
      record.container.start([record.path, ...record.args]);
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
      throw new EngineApiError(record.error, 400);
    }
    record.pid = this.#ctx.rng.int(1000, 65_000);
    record.error = '';
  }

  /**
   * A standalone container's swarm network is attached at its (first) start: the data plane leg
   * is made then, so the container is recreated with it (no PID 1 had run yet).
   */
  async #attachSwarm(record: ContainerRecord, pending: { target: string; aliases: readonly string[] }): Promise<void> {
    const swarm = this.#ctx.swarm();
    if (swarm === undefined) throw new EngineApiError(`network ${pending.target} not found`, 404);
    let attached: Awaited<ReturnType<SwarmAttacher['attach']>>;
    try {
      attached = await swarm.attach(pending.target, record.id, pending.aliases);
    } catch (error) {
      if (error instanceof EngineApiError) throw error;
      throw new EngineApiError(`Could not attach to network ${pending.target}: ${grpcErrorText(error)}`, 500);
    }
    this.#pending.delete(record.id);
    const network = attached.network;
    this.#ctx.runtime.ensureNetwork(overlaySpecOf(network));
    await this.#ctx.runtime.removeContainer(record.name);
    const ip = attached.address.split('/')[0]!;
    record.container = await this.#ctx.runtime.createContainer({
      id: record.id,
      name: record.name,
      hostname: record.config.hostname,
      libc: record.image.libc,
      networks: [{ network: network.spec.annotations.name, ip }],
      process: {
        image: record.image,
        env: [...record.config.env],
        tty: record.config.tty,
        openStdin: record.config.openStdin,
        onExit: (code: number) => this.#exited(record, code, { autoRemove: record.autoRemove }),
      },
    });
    record.endpoints.splice(0, record.endpoints.length, {
      networkName: network.spec.annotations.name,
      networkId: network.id,
      dataPlane: network.spec.annotations.name,
      ip,
      prefixLength: Number(attached.address.split('/')[1] ?? 24),
      gateway: '',
      mac: formatMac(macFromIpv4(parseIpv4Address(ip))),
      aliases: [...pending.aliases],
      endpointId: endpointIdFor(network.id, record.id),
      attachmentId: attached.attachmentId,
      swarm: true,
      network,
    });
    this.#ctx.onEndpointsChanged();
  }

  #exited(record: ContainerRecord, code: number, options: { readonly autoRemove: boolean; readonly onExit?: CreateOptions['onExit'] }): void {
    void this.#detachSwarm(record);
    options.onExit?.(record, code);
    if (options.autoRemove && !record.removing && this.#byId.has(record.id)) void this.remove(record.id, true).catch(() => undefined);
  }

  /** Standalone containers give their swarm addresses back when they stop (moby releases the sandbox). */
  async #detachSwarm(record: ContainerRecord): Promise<void> {
    const swarm = this.#ctx.swarm();
    for (const e of record.endpoints) {
      const attachment = e.attachmentId;
      if (attachment === undefined) continue;
      e.attachmentId = undefined;
      await swarm?.detach(attachment).catch(() => undefined);
    }
    this.#ctx.onEndpointsChanged();
  }

  async attach(term: string, stdin: string | null): Promise<ProcessOutput> {
    return this.find(term).container.attach(stdin);
  }

  async wait(term: string): Promise<{ StatusCode: number }> {
    return { StatusCode: await this.find(term).container.wait() };
  }

  list(all: boolean, filters: ContainerListFilters | undefined): ContainerSummary[] {
    return this.records
      .filter((r) => all || r.container.state === 'running')
      .filter((r) => matchesFilters(r, filters ?? {}))
      .sort((a, b) => b.created - a.created)
      .map((r) => summaryOf(r, this.#ctx.wall));
  }

  inspect(term: string): ContainerInspect {
    return inspectOf(this.find(term), this.#ctx.wall);
  }

  async stop(term: string, timeoutSeconds = DEFAULT_STOP_TIMEOUT_S): Promise<void> {
    const record = this.find(term);
    if (record.container.state !== 'running') return;
    const grace = timeoutSeconds < 0 ? Number.MAX_SAFE_INTEGER : timeoutSeconds * 1000;
    await record.container.stop(grace);
  }

  async kill(term: string, signal: string | undefined): Promise<void> {
    const record = this.find(term);
    if (record.container.state !== 'running') throw new EngineApiError(`cannot kill container: ${term}: container ${record.id} is not running`, 409);
    await record.container.kill(signal);
  }

  async remove(term: string, force: boolean): Promise<void> {
    const record = this.find(term);
    if (record.container.state === 'running') {
      if (!force) throw new EngineApiError(`cannot remove container "${term}": container is running: stop the container before removing or force remove`, 409);
      await record.container.kill('SIGKILL');
    }
    record.removing = true;
    this.#byId.delete(record.id);
    this.#pending.delete(record.id);
    await this.#detachSwarm(record);
    await this.#ctx.runtime.removeContainer(record.name).catch(() => undefined);
    this.#ctx.onEndpointsChanged();
  }

  /** `docker network connect` (container-connect.ts); not while a `docker run --network` attach is pending. */
  async connect(networkTerm: string, containerTerm: string, aliases: readonly string[], ipv4Address: string | undefined): Promise<void> {
    const record = this.find(containerTerm);
    if (this.#pending.has(record.id)) throw new EngineApiError(`swarmnet: container ${record.name} joins its network when it starts; connect other networks after that`, 409);
    await connectContainer(this.#connectDeps(), record, networkTerm, aliases, ipv4Address);
    this.#ctx.onEndpointsChanged();
  }

  async disconnect(networkTerm: string, containerTerm: string): Promise<void> {
    await disconnectContainer(this.#connectDeps(), this.find(containerTerm), networkTerm);
    this.#ctx.onEndpointsChanged();
  }

  #connectDeps() {
    return { runtime: this.#ctx.runtime, swarm: this.#ctx.swarm(), localNetworkId: this.#ctx.localNetworkId };
  }

  logs(term: string, tail: number | undefined): { stdout: string; stderr: string } {
    const { stdout, stderr } = this.find(term).container.logs();
    return tail === undefined || tail < 0 ? { stdout, stderr } : { stdout: lastLines(stdout, tail), stderr: lastLines(stderr, tail) };
  }

  async exec(params: EngineParams<'containerExec'>): Promise<ProcessOutput> {
    const record = this.find(params.id);
    if (record.container.state !== 'running') throw new EngineApiError(`container ${record.id} is not running`, 409);
    return record.container.exec(params.cmd, { stdin: params.stdin, tty: params.tty === true, env: params.env ?? [] });
  }

  /** Removes every container (daemon shutdown / leaving the swarm for task containers). */
  async close(): Promise<void> {
    for (const record of this.records) await this.remove(record.id, true).catch(() => undefined);
  }
}

function lastLines(text: string, n: number): string {
  if (text === '') return text;
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  const kept = lines.slice(Math.max(0, lines.length - n));
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}
