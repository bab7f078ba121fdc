/**
 * What the daemon's container layer (daemon-containers.ts) and the task executor (executor.ts) ask
 * of the host's data plane: containers with legs on local networks, overlays created lazily from a
 * task's allocated network (and removed when their last local endpoint goes), and the overlay peer
 * tables. The host (host.ts) implements it; tests may stand one in. It is the line between "what
 * Docker decided" (names, IDs, addresses, labels: the daemon) and "what Linux does" (veths,
 * bridges, VTEPs: the host), as moby's daemon sits over libnetwork and containerd.
 */
import type { Container, ContainerOptions } from './container.js';
import type { NetworkInfo, NetworkSpec, PeerSpec } from './control.js';
import type { NetStack } from '../stack/types.js';
import type { IpsecKey } from '../crypto/docker-ipsec.js';

/** The process-related options a container takes (image, env, tty, onExit …), as the runtime defines them. */
export type ContainerProcessOptions = Omit<ContainerOptions, 'name' | 'id' | 'hostname' | 'libc' | 'stack' | 'clock' | 'rng' | 'programs'>;

export interface RuntimeLeg {
  /** The data plane's network name (`bridge`, `docker_gwbridge`, an overlay's name). */
  readonly network: string;
  /** Dotted; required on overlays (the swarm allocated it), allocated by the host on bridges when absent. */
  readonly ip?: string;
}

export interface RuntimeContainerSpec {
  /** 64 hex; the host generates one when absent. */
  readonly id?: string;
  /** Docker's container name (unique on the host). */
  readonly name: string;
  /** Defaults to the container's 12-hex short ID. */
  readonly hostname?: string;
  readonly libc?: 'musl' | 'glibc';
  /** In interface order; a docker_gwbridge leg is added after an overlay leg. Empty: only `lo`. */
  readonly networks: readonly RuntimeLeg[];
  /** Image, env, tty, exit callback … (absent for a sandbox with no process, e.g. an LB endpoint). */
  readonly process?: ContainerProcessOptions;
}

/** One container leg, as the network agent publishes it (moby's endpoint). */
export interface RuntimeEndpoint {
  /** 64 hex, new per leg (moby's endpoint ID, the key of its NetworkDB records). */
  readonly id: string;
  readonly container: string;
  readonly network: NetworkInfo;
  readonly ip: string;
  readonly mac: string;
}

/** What happens in the data plane that the daemon's network agent publishes over gossip. */
export interface RuntimeListener {
  networkAdded?(network: NetworkInfo): void;
  networkRemoved?(network: NetworkInfo): void;
  endpointAdded?(endpoint: RuntimeEndpoint): void;
  endpointRemoved?(endpoint: RuntimeEndpoint): void;
}

export interface LocalRuntime {
  /** Hears of networks and endpoints coming and going; returns the unsubscribe. */
  subscribe(listener: RuntimeListener): () => void;
  createContainer(spec: RuntimeContainerSpec): Promise<Container>;
  /** Unplugs and closes the container and releases its host-allocated addresses. */
  removeContainer(name: string): Promise<void>;
  /** Creates the overlay in the data plane unless it exists already (same name). */
  ensureNetwork(spec: NetworkSpec): NetworkInfo;
  /** Removes an overlay with no endpoints left; true when removed. */
  releaseNetwork(name: string): boolean;
  hasNetwork(name: string): boolean;
  /** The swarm's `networking:ipsec` keys (encrypted overlays' SAs follow them). */
  setIpsecKeys(keys: readonly IpsecKey[]): void;
  /** A container's network stack (the embedded DNS binds 127.0.0.11:53 in it). */
  stackOf(name: string): NetStack | undefined;
  /** Endpoints (container legs) on a network. */
  endpoints(name: string): number;
  addPeer(spec: PeerSpec): void;
  removePeer(spec: PeerSpec): void;
  /** Plugs a running or created container into one more network (`docker network connect`). */
  connect(name: string, leg: RuntimeLeg): Container;
  /** Unplugs it from a network; false when it had no leg there. */
  disconnect(name: string, network: string): Promise<boolean>;
}
