/**
 * One emulated Docker host: the composition root. It owns the underlay socket (handed in by the
 * caller, so the same code runs in a piscina worker, in its own OS process, or in a test on a
 * `MemoryNetwork`), the VTEP, the host's networks and its containers, and one `DropCounters`
 * shared by every bridge, the VTEP and every container stack, so `stats()` sees every drop.
 *
 * Containers are wired as Docker wires them: `eth0`, `eth1` … in network order; a container on
 * an overlay also gets a `docker_gwbridge` leg (the next ethN, 172.18.0.x allocated by the host)
 * and its default route via 172.18.0.1 (reference docker-overlay-facts.md §1.4: the overlay
 * driver sets no gateway, libnetwork adds docker_gwbridge for it); a container only on local
 * bridges gets its default route via the first one's gateway (172.17.0.1 on `bridge`).
 * Interface indices come from a per-host counter, the container end and its host-side veth peer
 * allocated together (`80: eth0@if81`, reference docker-cli-outputs.md §7.3).
 *
 * The daemon drives the data plane through `LocalRuntime` (local-runtime.ts): containers with a
 * process (image, env, PID 1), sandboxes with none (a load-balancer endpoint), overlays created
 * lazily from a task's network and released when their last endpoint goes, and peer tables.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HostCounters, UnderlayCapture, Vtep } from '../dataplane/index.js';
import { espSaLine, IpsecSaDatabase } from '../dataplane/ipsec.js';
import type { Underlay } from '../dataplane/underlay.js';
import { createNetStack } from '../stack/index.js';
import type { NetStack } from '../stack/types.js';
import type { Clock, Duration } from '../util/clock.js';
import { DropCounters } from '../util/drop.js';
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { formatIpv4, formatMac, macFromIpv4, parseIpv4Address, type Ipv4Addr } from '../wire/address.js';
import { Container, type ContainerLeg } from './container.js';
import type { LocalRuntime, RuntimeContainerSpec, RuntimeEndpoint, RuntimeLeg, RuntimeListener } from './local-runtime.js';
import { Daemon } from './daemon.js';
import { GOSSIP_PORT } from '../gossip/config.js';
import { DnsExposure } from './dns-exposure.js';
import { MAX_UPSTREAMS, parseUpstream, type Upstream } from './dns-forward.js';
import { EmbeddedDns } from './embedded-dns.js';
import type { EngineMethod, EngineParams, EngineResult } from './engine-api.js';
import type { CaptureInfo, ContainerInfo, ContainerSpec, ExecResult, ExecSpec, HostStats, NetworkInfo, NetworkSpec, PeerSpec, UnderlayEndpointInfo } from './control.js';
import { contains } from './ipam.js';
import { GWBRIDGE_NETWORK, Networks, type HostNetwork } from './networks.js';
import { PROGRAMS } from './programs/index.js';
import type { Program } from './programs/types.js';

/** Most containers one host runs. */
export const MAX_CONTAINERS_PER_HOST = 1024;
/** The first interface index handed to a veth pair (lo, eth0, docker0, docker_gwbridge … come first). */
export const FIRST_VETH_IFINDEX = 10;
/** Docker's container-name rule (moby `daemon/names` `RestrictedNamePattern`). */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface HostOptions {
  readonly name: string;
  /** The bound data-path socket; the host owns it from here (closes it on `close`). */
  readonly underlay: Underlay;
  readonly clock: Clock;
  /** The cluster seed: the host's RNG derives from it and the host's name. */
  readonly seed: number;
  /** The image's userland; the busybox programs (src/host/programs/) by default. */
  readonly programs?: Readonly<Record<string, Program>>;
  /** The cluster-management port: 2377 in address mode, 0 in port mode (a stand-in is bound). */
  readonly managementPort?: number;
  /**
   * The host's resolv.conf nameservers, as `127.x.y.z[:port]` (loopback only, at most 3): the
   * embedded DNS forwards unknown names to them. Without any, such names get SERVFAIL.
   */
  readonly dnsUpstreams?: readonly string[];
  /** The swarm's key rotation period if this host becomes the leader (swarmkit's 12 h otherwise). */
  readonly keyRotationInterval?: Duration;
  /** NetworkDB's port: 7946 when `managementPort` is set (address mode), else any free port. */
  readonly gossipPort?: number;
  /** Shorter swarm heartbeats (tests); swarmkit's 5 s otherwise. */
  readonly heartbeatPeriod?: Duration;
  /** Builds a container's stack (the real one unless a test stands one in). */
  readonly createStack?: (options: { clock: Clock; rng: Rng; drops: DropCounters }) => NetStack;
}

interface PlannedLeg {
  readonly network: HostNetwork;
  readonly ip: Ipv4Addr;
  /** Whether the host allocated `ip` (and releases it with the container). */
  readonly allocated: boolean;
}

export class Host {
  readonly name: string;
  readonly clock: Clock;
  readonly drops = new DropCounters();
  readonly counters = new HostCounters(this.drops);
  readonly #underlay: Underlay;
  readonly #vtep: Vtep;
  /** Encrypted overlays' SAs, one set per remote VTEP. */
  readonly #ipsec: IpsecSaDatabase;
  readonly #networks: Networks;
  /** The Engine API this host serves (swarm membership now; networks and services next). */
  readonly daemon: Daemon;
  readonly #containers = new Map<string, Container>();
  readonly #rng: Rng;
  readonly #options: HostOptions;
  #nextIfIndex = FIRST_VETH_IFINDEX;
  readonly #listeners = new Set<RuntimeListener>();
  /** Each leg's endpoint ID, by container and network name. */
  readonly #endpointIds = new Map<string, string>();
  #underlayCapture: { readonly capture: UnderlayCapture; readonly path: string; readonly dir: string } | undefined;
  readonly #dnsExposures: DnsExposure[] = [];
  readonly #upstreams: readonly Upstream[];
  /** Answers for a container outside any swarm network: no records, so SERVFAIL for every name. */
  readonly #noRecords: EmbeddedDns;
  #closed: Promise<void> | undefined;

  constructor(options: HostOptions) {
    this.#options = options;
    this.name = options.name;
    this.clock = options.clock;
    this.#underlay = options.underlay;
    this.#rng = Rng.derive(options.seed, options.name);
    const upstreams = options.dnsUpstreams ?? [];
    if (upstreams.length > MAX_UPSTREAMS) throw new InvalidArgumentError(`at most ${MAX_UPSTREAMS} DNS upstreams, got ${upstreams.length}`);
    this.#upstreams = upstreams.map(parseUpstream);
    this.#noRecords = new EmbeddedDns({ stackOf: () => undefined, recordsFor: () => [], rng: Rng.derive(options.seed, `${options.name}/dns`), drops: this.drops, upstreams: this.#upstreams });
    this.#vtep = new Vtep({ underlay: options.underlay, drops: this.drops, counters: this.counters });
    this.#ipsec = new IpsecSaDatabase(options.underlay.local.address);
    this.#vtep.ipsec = this.#ipsec;
    this.#networks = new Networks({ drops: this.drops, vtep: this.#vtep, local: this.underlayEndpoint });
    const { address, port } = this.underlayEndpoint;
    this.daemon = new Daemon({
      hostname: options.name,
      address,
      managementPort: options.managementPort ?? 0,
      dataPathPort: port,
      clock: options.clock,
      rng: Rng.derive(options.seed, `${options.name}/daemon`),
      id: this.#rng.hex(64),
      runtime: this.#localRuntime(),
      ...(options.heartbeatPeriod !== undefined ? { heartbeatPeriod: options.heartbeatPeriod } : {}),
      gossipPort: options.gossipPort ?? (options.managementPort ? GOSSIP_PORT : 0),
      drops: this.drops,
      ...(this.#upstreams.length > 0 ? { dnsUpstreams: this.#upstreams } : {}),
      ...(options.keyRotationInterval !== undefined ? { keyRotationInterval: options.keyRotationInterval } : {}),
    });
  }

  /** One Engine API call (the `docker` command layer's only way in). */
  engine<M extends EngineMethod>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> {
    this.#assertOpen();
    return this.daemon.call(method, params);
  }

  get underlayEndpoint(): UnderlayEndpointInfo {
    const { address, port } = this.#underlay.local;
    return { address, port };
  }

  createNetwork(spec: NetworkSpec): NetworkInfo {
    this.#assertOpen();
    const info = this.#networks.create(spec);
    this.#emit((l) => l.networkAdded?.(info));
    return info;
  }

  removeNetwork(name: string): void {
    this.#assertOpen();
    const info = this.#networks.get(name).info;
    this.#networks.remove(name);
    this.#emit((l) => l.networkRemoved?.(info));
  }

  /** The endpoints (container legs) on one network, as the network agent publishes them. */
  endpointsOn(network: string): RuntimeEndpoint[] {
    const out: RuntimeEndpoint[] = [];
    for (const c of this.#containers.values()) for (const leg of c.legs) if (leg.network.info.name === network) out.push(this.#endpoint(c.name, leg));
    return out;
  }

  addPeer(spec: PeerSpec): { ignored: boolean } {
    this.#assertOpen();
    return { ignored: this.#networks.addPeer(spec) };
  }

  removePeer(spec: PeerSpec): { ignored: boolean } {
    this.#assertOpen();
    return { ignored: this.#networks.removePeer(spec) };
  }

  async createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    if (!Array.isArray(spec.networks) || spec.networks.length === 0) throw new InvalidArgumentError('a container needs at least one network');
    return (await this.#createContainer(spec)).info();
  }

  /** The data plane as the daemon drives it (tests drive an executor with it directly). */
  get runtime(): LocalRuntime {
    return this.#localRuntime();
  }

  #localRuntime(): LocalRuntime {
    return {
      createContainer: (spec) => this.#createContainer(spec),
      removeContainer: (name) => this.removeContainer(name),
      subscribe: (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
      ensureNetwork: (spec) => (this.#networks.has(spec.name) ? this.#networks.get(spec.name).info : this.createNetwork(spec)),
      releaseNetwork: (name) => {
        if (!this.#networks.has(name) || this.#networks.get(name).endpoints > 0 || this.#networks.get(name).peers === undefined) return false;
        this.removeNetwork(name);
        return true;
      },
      hasNetwork: (name) => this.#networks.has(name),
      stackOf: (name) => this.#containers.get(name)?.stack,
      setIpsecKeys: (keys) => void this.#ipsec.setKeys(keys),
      endpoints: (name) => (this.#networks.has(name) ? this.#networks.get(name).endpoints : 0),
      addPeer: (spec) => void this.#networks.addPeer(spec),
      removePeer: (spec) => void this.#networks.removePeer(spec),
      connect: (name, leg) => this.#connect(name, leg),
      disconnect: (name, network) => this.#disconnect(name, network),
    };
  }

  /**
   * `docker network connect`: a new veth into the network's bridge, the next ethN, its address
   * allocated here on local bridges or given (overlays); an overlay brings a docker_gwbridge leg
   * along if the container has none yet. The default route stays where it was, as Linux keeps it.
   */
  #connect(name: string, wanted: RuntimeLeg): Container {
    this.#assertOpen();
    const container = this.#container(name);
    if (container.legs.some((l) => l.network.info.name === wanted.network)) {
      throw new SwarmnetError('already-exists', `container ${name} is already attached to network ${wanted.network}`);
    }
    const planned = this.#planLegs({ name, networks: [wanted] });
    try {
      for (const leg of planned) {
        if (container.legs.some((l) => l.network === leg.network)) {
          if (leg.allocated) leg.network.allocator?.release(leg.ip);
          continue;
        }
        const index = this.#nextIfIndex;
        this.#nextIfIndex += 2;
        const config = { name: `eth${container.legs.length}`, index, peerIndex: index + 1, mac: macFromIpv4(leg.ip), mtu: leg.network.info.mtu, address: leg.ip, prefixLength: leg.network.subnet.prefixLength };
        container.plug(leg.network, config, `veth${this.#rng.hex(7)}`);
        this.#endpointUp(container, container.legs[container.legs.length - 1]!);
      }
    } catch (error) {
      for (const leg of planned) if (leg.allocated && !container.legs.some((l) => l.config.address === leg.ip && l.network === leg.network)) leg.network.allocator?.release(leg.ip);
      throw error;
    }
    return container;
  }

  /** `docker network disconnect`: the leg goes, and with it a host-allocated address. */
  async #disconnect(name: string, network: string): Promise<boolean> {
    this.#assertOpen();
    const leg = await this.#container(name).unplug(network);
    if (leg === undefined) return false;
    this.#endpointDown(name, leg);
    leg.network.allocator?.release(leg.config.address);
    return true;
  }

  async #createContainer(spec: RuntimeContainerSpec): Promise<Container> {
    this.#assertOpen();
    if (typeof spec.name !== 'string' || !CONTAINER_NAME.test(spec.name)) {
      throw new InvalidArgumentError(`Invalid container name (${String(spec.name)}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    if (this.#containers.has(spec.name)) throw new SwarmnetError('already-exists', `Conflict. The container name "/${spec.name}" is already in use`);
    if (this.#containers.size >= MAX_CONTAINERS_PER_HOST) throw new SwarmnetError('limit', `a host runs at most ${MAX_CONTAINERS_PER_HOST} containers`);
    if (!Array.isArray(spec.networks)) throw new InvalidArgumentError('a container needs a list of networks');
    const legs = this.#planLegs(spec);
    const id = spec.id ?? this.#rng.hex(64);
    const rng = Rng.derive(this.#options.seed, `${this.name}/${spec.name}`);
    const createStack = this.#options.createStack ?? createNetStack;
    const container = new Container({
      name: spec.name,
      id,
      hostname: spec.hostname ?? id.slice(0, 12),
      libc: spec.libc ?? 'musl',
      stack: createStack({ clock: this.clock, rng, drops: this.drops }),
      clock: this.clock,
      rng,
      programs: this.#options.programs ?? PROGRAMS,
      ...(this.#upstreams.length > 0 ? { hostNameservers: this.#upstreams.map((u) => u.address) } : {}),
      ...spec.process,
    });
    try {
      legs.forEach((leg, i) => {
        const index = this.#nextIfIndex;
        this.#nextIfIndex += 2;
        const mtu = leg.network.info.mtu;
        container.attach(
          leg.network,
          { name: `eth${i}`, index, peerIndex: index + 1, mac: macFromIpv4(leg.ip), mtu, address: leg.ip, prefixLength: leg.network.subnet.prefixLength },
          `veth${this.#rng.hex(7)}`,
        );
      });
      const gw = container.legs.find((l) => l.network.info.name === GWBRIDGE_NETWORK) ?? container.legs.find((l) => l.network.info.driver === 'bridge');
      if (gw !== undefined) container.stack.addRoute({ destination: 0, prefixLength: 0, gateway: gw.network.gateway, device: gw.config.name });
      if (this.#underlayCapture !== undefined) await container.captureStart(this.#underlayCapture.dir, this.name, this.clock);
    } catch (error) {
      await container.close();
      for (const leg of legs) if (leg.allocated) leg.network.allocator?.release(leg.ip);
      throw error;
    }
    this.#containers.set(spec.name, container);
    for (const leg of container.legs) this.#endpointUp(container, leg);
    return container;
  }

  /** Addresses for each requested network, plus the docker_gwbridge leg an overlay implies. */
  #planLegs(spec: RuntimeContainerSpec): PlannedLeg[] {
    const legs: PlannedLeg[] = [];
    const release = () => legs.forEach((l) => l.allocated && l.network.allocator?.release(l.ip));
    try {
      for (const wanted of spec.networks) {
        const network = this.#networks.get(wanted.network);
        if (legs.some((l) => l.network === network)) throw new InvalidArgumentError(`container ${spec.name} is already attached to network ${wanted.network}`);
        if (wanted.ip === undefined) {
          if (network.allocator === undefined) throw new InvalidArgumentError(`an address is required on overlay network ${wanted.network}`);
          legs.push({ network, ip: network.allocator.allocate(), allocated: true });
          continue;
        }
        const ip = parseIpv4Address(wanted.ip);
        if (!contains(network.subnet, ip) || ip === network.gateway) {
          throw new InvalidArgumentError(`invalid address ${wanted.ip}: it does not belong to any of this network's subnets or is the gateway`);
        }
        network.allocator?.claim(ip);
        legs.push({ network, ip, allocated: network.allocator !== undefined });
      }
      if (legs.some((l) => l.network.peers !== undefined) && !legs.some((l) => l.network.info.name === GWBRIDGE_NETWORK)) {
        const gwbridge = this.#networks.get(GWBRIDGE_NETWORK);
        legs.push({ network: gwbridge, ip: gwbridge.allocator!.allocate(), allocated: true });
      }
    } catch (error) {
      release();
      throw error;
    }
    return legs;
  }

  async removeContainer(name: string): Promise<void> {
    this.#assertOpen();
    const container = this.#container(name);
    this.#containers.delete(name);
    await container.close();
    for (const leg of container.legs) {
      this.#endpointDown(name, leg);
      leg.network.allocator?.release(leg.config.address);
    }
  }

  #endpoint(container: string, leg: ContainerLeg): RuntimeEndpoint {
    const key = `${container}\u0000${leg.network.info.name}`;
    let id = this.#endpointIds.get(key);
    if (id === undefined) {
      id = this.#rng.hex(64);
      this.#endpointIds.set(key, id);
    }
    return { id, container, network: leg.network.info, ip: formatIpv4(leg.config.address), mac: formatMac(leg.config.mac) };
  }

  #endpointUp(container: Container, leg: ContainerLeg): void {
    const endpoint = this.#endpoint(container.name, leg);
    this.#emit((l) => l.endpointAdded?.(endpoint));
  }

  #endpointDown(container: string, leg: ContainerLeg): void {
    const endpoint = this.#endpoint(container, leg);
    this.#endpointIds.delete(`${container}\u0000${leg.network.info.name}`);
    this.#emit((l) => l.endpointRemoved?.(endpoint));
  }

  #emit(fn: (listener: RuntimeListener) => void): void {
    for (const l of this.#listeners) {
      try {
        fn(l);
      } catch {
        /* a listener's failure never undoes the data plane's change */
      }
    }
  }

  async exec(spec: ExecSpec): Promise<ExecResult> {
    this.#assertOpen();
    return this.#container(spec.container).exec(spec.argv, spec.timeoutMs);
  }

  /**
   * Opens real UDP and TCP sockets at a loopback `address:port` answering as `container`'s
   * embedded DNS does (`@expose-dns`, `dig @ADDR -p PORT NAME`). Closed with the host.
   */
  async exposeDns(container: string, address: string, port: number): Promise<{ address: string; port: number }> {
    this.#assertOpen();
    this.#container(container);
    const exposure = await DnsExposure.open(address, port, (query, transport) => {
      if (!this.#containers.has(container)) return Promise.resolve(undefined);
      return this.daemon.answerDns(container, query, transport) ?? this.#noRecords.answer(container, query, transport);
    });
    this.#dnsExposures.push(exposure);
    return { address: exposure.address, port: exposure.port };
  }

  stats(): HostStats {
    const { framesIn, framesOut, bytesIn, bytesOut } = this.counters;
    return {
      host: this.name,
      underlay: this.underlayEndpoint,
      counters: { framesIn, framesOut, bytesIn, bytesOut },
      drops: this.drops.snapshot(),
      interfaces: [...this.#containers.values()].flatMap((c) => c.interfaceStats()),
    };
  }

  /** Captures the underlay into `<dir>/<host>-underlay.pcap` and every container interface into
   * `<dir>/<host>-<container>-<iface>.pcap` (containers created later too). */
  async captureStart(dir: string): Promise<CaptureInfo> {
    this.#assertOpen();
    if (this.#underlayCapture !== undefined) throw new SwarmnetError('already-exists', `host ${this.name} is already capturing into ${this.#underlayCapture.dir}`);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${this.name}-underlay.pcap`);
    const capture = await UnderlayCapture.open(path, { clock: this.clock });
    this.#underlayCapture = { capture, path, dir };
    this.#vtep.setCapture(capture);
    const files = [path];
    for (const c of this.#containers.values()) files.push(...(await c.captureStart(dir, this.name, this.clock)));
    return { files };
  }

  async captureStop(): Promise<CaptureInfo> {
    const current = this.#underlayCapture;
    if (current === undefined) return { files: [] };
    this.#underlayCapture = undefined;
    this.#vtep.setCapture(undefined);
    const files = [current.path];
    // Encrypted overlays: Wireshark's esp_sa table for every SA this host used.
    const sas = this.#ipsec.records();
    if (sas.length > 0) {
      const keyFile = join(current.dir, `${this.name}-esp_sa`);
      await writeFile(keyFile, sas.map((r) => `${espSaLine(r)}\n`).join(''));
      files.push(keyFile);
    }
    for (const c of this.#containers.values()) {
      if (c.capturingLoopback) files.push(join(current.dir, `${this.name}-${c.name}-lo.pcap`));
      files.push(...c.legs.filter((l) => l.capture !== undefined).map((l) => join(current.dir, `${this.name}-${c.name}-${l.config.name}.pcap`)));
      await c.captureStop();
    }
    await current.capture.close();
    return { files };
  }

  /**
   * Stops every container, closes captures, networks and the underlay socket. Idempotent.
   * `abrupt`: the host crashed — nothing says goodbye on the network (no gossip leave).
   */
  close(options: { readonly abrupt?: boolean } = {}): Promise<void> {
    return (this.#closed ??= this.#close(options.abrupt ?? false));
  }

  async #close(abrupt: boolean): Promise<void> {
    for (const e of this.#dnsExposures.splice(0)) await e.close();
    await this.daemon.close(abrupt);
    for (const c of this.#containers.values()) await c.close();
    this.#containers.clear();
    await this.captureStop();
    this.#networks.close();
    await this.#underlay.close();
  }

  #container(name: string): Container {
    const c = this.#containers.get(name);
    if (c === undefined) throw new SwarmnetError('no-such-container', `No such container: ${name}`);
    return c;
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) throw new SwarmnetError('host-closed', `host ${this.name} is shut down`);
  }
}
