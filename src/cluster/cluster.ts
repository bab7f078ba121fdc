/**
 * A cluster of emulated hosts on the main thread: one long-lived piscina task (one thread) per
 * host, talked to over one MessagePort each (src/host/control.ts). The cluster claims the
 * underlay addresses (src/cluster/addressing.ts), creates overlays on every host, runs
 * containers and — until gossip lands — programs each container into the peer tables of the
 * other hosts directly (what moby's `overlay_peer_table` events do, reference §1.5).
 *
 * piscina, as measured on this 2-core machine: it defaults to at most 3 threads, so minThreads
 * is the host count and maxThreads a named cap; a task beyond maxThreads would wait silently in
 * the queue, so each host's `ready` is awaited with a timeout; with `atomics: 'sync'` whatever a
 * task leaves running after it returns is frozen, so the host task stays pending for the host's
 * whole life and atomics are disabled; aborting a task kills its thread without cleanup, so hosts
 * are shut down with a message and the pool destroyed only afterwards.
 */
import { MAX_UPSTREAMS, parseUpstream } from '../host/dns-forward.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ContainerInfo, ExecResult, HostStats, HostTaskConfig, HostTaskOutcome } from '../host/control.js';
import { defaultGateway, parseCidr, SerialIpAllocator, type Subnet } from '../host/ipam.js';
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import { formatIpv4, formatMac, macFromIpv4, parseIpv4Address, type Ipv4Addr } from '../wire/address.js';
import { defaultUnderlayMode, planUnderlay, validateDataPathPort, type UnderlayMode, type UnderlayPlan } from './addressing.js';
import { HostHandle } from './host-handle.js';

/** Most hosts one cluster runs (one thread each). */
export const MAX_CLUSTER_HOSTS = 64;
/** How long a host may take to bind its socket and report `ready` (real ms). */
export const HOST_READY_TIMEOUT_MS = 20_000;
/** How long `stop()` waits for each host to acknowledge shutdown and its task to end. */
export const HOST_SHUTDOWN_TIMEOUT_MS = 5_000;
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export interface ClusterOptions {
  /** Host names, in order: host N (1-based) gets underlay address 127.A.B.N in address mode. */
  readonly hosts: readonly string[];
  readonly mode?: UnderlayMode;
  /** Like `docker swarm init --data-path-port` (1024–49151, default 4789); address mode only. */
  readonly dataPathPort?: number;
  /** Every host's RNG derives from this and its name. Default 1. */
  readonly seed?: number;
  /** Real-clock speed-up for every host (1 = wall time). */
  readonly timeScale?: number;
  /** When set, capture starts on every host at start (see `captureStart`). */
  readonly pcapDir?: string;
  /** Called once per host that fails (its runtime threw or its thread died). */
  readonly onHostFailure?: (failure: HostFailure) => void;
  /** Per-request bound (real ms) for the host handles. */
  readonly requestTimeoutMs?: number;
  /** Swarm heartbeat period in emulated ms (swarmkit's 5000); tests shorten it to see Down sooner. */
  readonly heartbeatPeriodMs?: number;
  /**
   * Every host's resolv.conf nameservers (`127.x.y.z[:port]`, loopback only, at most 3): the
   * embedded DNS forwards names it does not know to them. None by default: SERVFAIL.
   */
  readonly dnsUpstreams?: readonly string[];
  /**
   * The swarm's networking-key rotation period in emulated ms: swarmkit's 12 h by default;
   * `--time-scale` speeds it up with every other timer, tests may shorten it alone.
   */
  readonly keyRotationIntervalMs?: number;
}

export interface HostFailure {
  readonly host: string;
  readonly error: Error;
}

export interface OverlaySpec {
  readonly name: string;
  readonly vni: number;
  /** `10.0.1.0/24` */
  readonly subnet: string;
  /** Default: the subnet's first address. */
  readonly gateway?: string;
  readonly mtu?: number;
  /** `--opt encrypted`: needs keys on every host first (`setIpsecKeys`). */
  readonly encrypted?: boolean;
}

export interface RunContainerSpec {
  readonly name: string;
  /** An overlay created with `createOverlay`, or a host-local bridge network (`bridge`). */
  readonly network: string;
  /** Dotted; default the overlay's next free address (serially from .2). */
  readonly ip?: string;
  readonly hostname?: string;
  readonly libc?: 'musl' | 'glibc';
}

interface Overlay {
  readonly name: string;
  readonly vni: number;
  readonly subnet: Subnet;
  readonly allocator: SerialIpAllocator;
}

interface RunningContainer {
  readonly host: string;
  readonly network: string;
  readonly ip?: Ipv4Addr;
}

/** The compiled worker: dist/src/host/worker.js under the package root, from src/ or dist/. */
export function resolveHostWorker(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 8; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'swarmnet') {
      const worker = join(dir, 'dist', 'src', 'host', 'worker.js');
      if (!existsSync(worker)) throw new SwarmnetError('not-built', `host worker ${worker} is missing: run \`npm run build\` first`);
      return worker;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new SwarmnetError('not-built', `cannot find the swarmnet package root above ${from}`);
}

/** The cluster-management port each host serves in address mode (moby's default listen port). */
export const MANAGEMENT_PORT = 2377;

export class Cluster {
  readonly #handles = new Map<string, HostHandle>();
  readonly #tasks: Promise<unknown>[] = [];
  readonly #overlays = new Map<string, Overlay>();
  readonly #containers = new Map<string, RunningContainer>();
  readonly #failures: HostFailure[] = [];
  #stopping: Promise<void> | undefined;

  readonly #pool: Piscina;
  readonly #plan: UnderlayPlan;
  readonly #onHostFailure: ((failure: HostFailure) => void) | undefined;
  #heartbeatPeriodMs: number | undefined;
  #dnsUpstreams: readonly string[] = [];
  #keyRotationIntervalMs: number | undefined;
  readonly #killed = new Set<string>();

  private constructor(
    readonly mode: UnderlayMode,
    readonly seed: number,
    readonly timeScale: number,
    pool: Piscina,
    plan: UnderlayPlan,
    onHostFailure: ((failure: HostFailure) => void) | undefined,
  ) {
    this.#pool = pool;
    this.#plan = plan;
    this.#onHostFailure = onHostFailure;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const names = validateHostNames(options.hosts);
    const mode = options.mode ?? defaultUnderlayMode();
    if (mode !== 'address' && mode !== 'port') throw new InvalidArgumentError(`mode must be 'address' or 'port': ${String(mode)}`);
    const dataPathPort = validateDataPathPort(options.dataPathPort);
    const seed = options.seed ?? 1;
    const timeScale = options.timeScale ?? 1;
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new InvalidArgumentError(`timeScale must be a positive number: ${timeScale}`);
    if (options.heartbeatPeriodMs !== undefined && !(options.heartbeatPeriodMs >= 50 && Number.isFinite(options.heartbeatPeriodMs))) {
      throw new InvalidArgumentError(`heartbeatPeriodMs must be a number of at least 50: ${options.heartbeatPeriodMs}`);
    }
    const filename = resolveHostWorker();

    const plan = await planUnderlay(mode, dataPathPort);
    const pool = new Piscina({ filename, minThreads: names.length, maxThreads: MAX_CLUSTER_HOSTS, atomics: 'disabled', idleTimeout: 60_000 });
    // piscina emits 'error' only for a thread that dies with no task: its host's task had ended
    // already and was reported then. Unhandled, the event would throw on the main thread.
    pool.on('error', () => {});
    const cluster = new Cluster(mode, seed, timeScale, pool, plan, options.onHostFailure);
    cluster.#heartbeatPeriodMs = options.heartbeatPeriodMs;
    if (options.keyRotationIntervalMs !== undefined && !(options.keyRotationIntervalMs >= 100 && Number.isFinite(options.keyRotationIntervalMs))) {
      throw new InvalidArgumentError(`keyRotationIntervalMs must be a number of at least 100: ${options.keyRotationIntervalMs}`);
    }
    cluster.#keyRotationIntervalMs = options.keyRotationIntervalMs;
    if (options.dnsUpstreams !== undefined) {
      if (options.dnsUpstreams.length > MAX_UPSTREAMS) throw new InvalidArgumentError(`at most ${MAX_UPSTREAMS} dnsUpstreams, got ${options.dnsUpstreams.length}`);
      for (const u of options.dnsUpstreams) {
        try {
          parseUpstream(u);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      }
      cluster.#dnsUpstreams = [...options.dnsUpstreams];
    }
    try {
      names.forEach((name, i) => cluster.#launch(name, i + 1, options.requestTimeoutMs));
      const ready = await Promise.allSettled([...cluster.#handles.values()].map((h) => h.ready(HOST_READY_TIMEOUT_MS)));
      const failed = ready.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      if (options.pcapDir !== undefined) await cluster.captureStart(options.pcapDir);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  #launch(name: string, n: number, requestTimeoutMs: number | undefined): void {
    const { port1, port2 } = new MessageChannel();
    const handle = new HostHandle(name, port1, { requestTimeoutMs, timeScale: this.timeScale });
    this.#handles.set(name, handle);
    handle.onFailure((error) => this.#reportFailure(name, error));
    const endpoint = this.#plan.endpointFor(n);
    const config: HostTaskConfig = {
      name,
      address: endpoint.address,
      port: endpoint.port,
      seed: this.seed,
      timeScale: this.timeScale,
      // Address mode: every host owns its address, so the real port; port mode: a stand-in.
      managementPort: this.#plan.mode === 'address' ? MANAGEMENT_PORT : 0,
      ...(this.#heartbeatPeriodMs !== undefined ? { heartbeatPeriodMs: this.#heartbeatPeriodMs } : {}),
      ...(this.#dnsUpstreams.length > 0 ? { dnsUpstreams: this.#dnsUpstreams } : {}),
      ...(this.#keyRotationIntervalMs !== undefined ? { keyRotationIntervalMs: this.#keyRotationIntervalMs } : {}),
    };
    const task = this.#pool.run({ port: port2, config }, { transferList: [port2] }).then(
      (result: HostTaskOutcome | undefined) => {
        // After a shutdown request the task ending is the expected outcome.
        if (this.#stopping !== undefined) return;
        const error =
          result?.outcome === 'failed'
            ? Object.assign(new SwarmnetError(result.error.code, result.error.message), result.error.stack === undefined ? {} : { stack: result.error.stack })
            : new SwarmnetError('host-exited', `host "${name}" task ended without a shutdown request`);
        handle.fail(error);
      },
      (error: unknown) => {
        if (this.#stopping === undefined) handle.fail(error instanceof Error ? error : new Error(String(error)));
      },
    );
    this.#tasks.push(task);
  }

  #reportFailure(host: string, error: Error): void {
    if (this.#killed.has(host)) return; // asked for: not a failure
    const failure = { host, error };
    this.#failures.push(failure);
    this.#onHostFailure?.(failure);
  }

  get hosts(): readonly string[] {
    return [...this.#handles.keys()];
  }

  /** The pool's worker threads (one per host while running; diagnostics and tests). */
  get threads(): readonly Worker[] {
    return [...this.#pool.threads];
  }

  /** Hosts that failed so far, in order. */
  get failures(): readonly HostFailure[] {
    return this.#failures;
  }

  host(name: string): HostHandle {
    const handle = this.#handles.get(name);
    if (handle === undefined) throw new InvalidArgumentError(`no such host: ${JSON.stringify(name)} (hosts: ${this.hosts.join(', ')})`);
    return handle;
  }

  /**
   * Stops a host abruptly, as a crash would (`@kill` in scenarios): its runtime fails at once, its
   * sockets close without a goodbye; the rest of the cluster finds out the way Docker hosts do
   * (heartbeats stop). Not reported as a failure. Resolves once the host is gone.
   */
  async kill(name: string): Promise<void> {
    const handle = this.host(name);
    if (handle.state !== 'running' && handle.state !== 'starting') return;
    this.#killed.add(name);
    await handle.request('crash', { message: 'killed' }).catch(() => undefined);
  }

  #liveHandles(): HostHandle[] {
    return [...this.#handles.values()].filter((h) => h.state === 'running');
  }

  /** Installs the same IPsec keys on every running host (encrypted overlays outside a swarm). */
  async setIpsecKeys(keys: readonly { key: string; lamportTime: number }[]): Promise<void> {
    await Promise.all(this.#liveHandles().map((h) => h.setIpsecKeys(keys)));
  }

  /** Creates the overlay on every running host. */
  async createOverlay(spec: OverlaySpec): Promise<void> {
    if (this.#overlays.has(spec.name)) throw new SwarmnetError('already-exists', `network with name ${spec.name} already exists`);
    const subnet = parseCidr(spec.subnet);
    const gateway = spec.gateway === undefined ? defaultGateway(subnet) : parseIpv4Address(spec.gateway);
    const allocator = new SerialIpAllocator(subnet, [gateway]);
    const params = {
      name: spec.name,
      driver: 'overlay' as const,
      vni: spec.vni,
      subnet: formatIpv4(subnet.network),
      prefixLength: subnet.prefixLength,
      gateway: formatIpv4(gateway),
      ...(spec.mtu === undefined ? {} : { mtu: spec.mtu }),
      ...(spec.encrypted === true ? { encrypted: true } : {}),
    };
    await Promise.all(this.#liveHandles().map((h) => h.createNetwork(params)));
    this.#overlays.set(spec.name, { name: spec.name, vni: spec.vni, subnet, allocator });
  }

  /**
   * Runs a container on `hostName`; on an overlay, its address is allocated here and the
   * endpoint (IP, MAC 02:42+IP, this host's VTEP) is programmed on every other host.
   */
  async runContainer(hostName: string, spec: RunContainerSpec): Promise<ContainerInfo> {
    const handle = this.host(hostName);
    if (this.#containers.has(spec.name)) throw new SwarmnetError('already-exists', `Conflict. The container name "/${spec.name}" is already in use`);
    const overlay = this.#overlays.get(spec.network);
    let ip: Ipv4Addr | undefined;
    if (overlay !== undefined) {
      if (spec.ip === undefined) ip = overlay.allocator.allocate();
      else overlay.allocator.claim((ip = parseIpv4Address(spec.ip)));
    }
    const address = ip === undefined ? spec.ip : formatIpv4(ip);
    try {
      const info = await handle.createContainer({
        name: spec.name,
        ...(spec.hostname === undefined ? {} : { hostname: spec.hostname }),
        ...(spec.libc === undefined ? {} : { libc: spec.libc }),
        networks: [address === undefined ? { network: spec.network } : { network: spec.network, ip: address }],
      });
      this.#containers.set(spec.name, ip === undefined ? { host: hostName, network: spec.network } : { host: hostName, network: spec.network, ip });
      if (overlay !== undefined && ip !== undefined) {
        const peer = this.#peerOf(handle, overlay, ip);
        await Promise.all(this.#liveHandles().filter((h) => h !== handle).map((h) => h.addPeer(peer)));
      }
      return info;
    } catch (error) {
      if (overlay !== undefined && ip !== undefined && !this.#containers.has(spec.name)) overlay.allocator.release(ip);
      throw error;
    }
  }

  /** Removes a container and its peer entries on the other hosts. */
  async removeContainer(name: string): Promise<void> {
    const c = this.#containers.get(name);
    if (c === undefined) throw new SwarmnetError('no-such-container', `No such container: ${name}`);
    const handle = this.host(c.host);
    await handle.removeContainer(name);
    this.#containers.delete(name);
    const overlay = this.#overlays.get(c.network);
    if (overlay !== undefined && c.ip !== undefined) {
      overlay.allocator.release(c.ip);
      const peer = this.#peerOf(handle, overlay, c.ip);
      await Promise.all(this.#liveHandles().filter((h) => h !== handle).map((h) => h.removePeer(peer)));
    }
  }

  #peerOf(handle: HostHandle, overlay: Overlay, ip: Ipv4Addr) {
    const vtep = handle.underlay;
    return { network: overlay.name, ip: formatIpv4(ip), mac: formatMac(macFromIpv4(ip)), vtepAddress: vtep.address, vtepPort: vtep.port };
  }

  exec(hostName: string, container: string, argv: readonly string[], options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.host(hostName).exec({ container, argv, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
  }

  /** Every running host's stats, by host name. */
  async stats(): Promise<Record<string, HostStats>> {
    const live = this.#liveHandles();
    const stats = await Promise.all(live.map((h) => h.stats()));
    return Object.fromEntries(live.map((h, i) => [h.name, stats[i]]));
  }

  /** Starts pcap capture on every running host into `dir` (see src/host/host.ts for names). */
  async captureStart(dir: string): Promise<string[]> {
    const infos = await Promise.all(this.#liveHandles().map((h) => h.captureStart(dir)));
    return infos.flatMap((i) => i.files);
  }

  async captureStop(): Promise<string[]> {
    const infos = await Promise.all(this.#liveHandles().map((h) => h.captureStop()));
    return infos.flatMap((i) => i.files);
  }

  /**
   * Shuts every host down with a message (bounded wait), then destroys the pool and releases the
   * address claim. Idempotent; works with failed hosts.
   */
  stop(): Promise<void> {
    return (this.#stopping ??= this.#stop());
  }

  async #stop(): Promise<void> {
    const handles = [...this.#handles.values()];
    await Promise.allSettled(handles.map((h) => h.shutdown(HOST_SHUTDOWN_TIMEOUT_MS)));
    await withTimeout(Promise.allSettled(this.#tasks), HOST_SHUTDOWN_TIMEOUT_MS);
    for (const h of handles) h.close();
    await this.#pool.destroy();
    await this.#plan.release();
  }
}

function validateHostNames(hosts: readonly string[]): string[] {
  if (!Array.isArray(hosts) || hosts.length === 0) throw new InvalidArgumentError('a cluster needs at least one host');
  if (hosts.length > MAX_CLUSTER_HOSTS) {
    throw new InvalidArgumentError(`a cluster runs at most ${MAX_CLUSTER_HOSTS} hosts (one thread each): ${hosts.length} requested`);
  }
  const seen = new Set<string>();
  for (const name of hosts) {
    if (typeof name !== 'string' || !HOST_NAME.test(name)) throw new InvalidArgumentError(`invalid host name: ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new InvalidArgumentError(`duplicate host name: ${name}`);
    seen.add(name);
  }
  return [...hosts];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
