/**
 * The control protocol between the cluster (main thread) and one emulated host, carried on one
 * MessagePort per host. It is a control channel only: commands, stats, capture control and
 * shutdown — never a message per packet (packets cross the underlay sockets).
 *
 * - Requests: `{ id, type, params }`; `id` is chosen by the client and echoed in the response.
 * - Responses: `{ id, ok: true, value }` or `{ id, ok: false, error: { code, message } }`.
 * - Events from the host (no `id`): `{ event: 'ready', host, underlay }` once the host's data-path
 *   socket is bound, `{ event: 'fatal', host, error }` when the host runtime failed.
 *
 * Addresses cross the port as text: IPv4 dotted (`10.0.1.2`), MACs colon-separated lower-case
 * hex (`02:42:0a:00:01:02`). Text survives structured clone and JSON alike (the same protocol
 * will later run over a socket to a host in its own OS process) and reads well in logs; inside
 * the host they become numbers (src/wire/address.ts) once, at the edge.
 */
import type { DropReason } from '../util/drop.js';
import type { InterfaceCounters } from '../stack/types.js';
import type { EngineMethod } from './engine-api.js';

/** Bumped when a message shape changes incompatibly. */
export const CONTROL_PROTOCOL_VERSION = 1;

/** The subset of Node's `MessagePort` both ends use (a `MessagePort`, or a test double). */
export interface ControlPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  close(): void;
}

export interface UnderlayEndpointInfo {
  /** Loopback IPv4, dotted. */
  readonly address: string;
  readonly port: number;
}

export type NetworkDriver = 'overlay' | 'bridge';

export interface NetworkSpec {
  readonly name: string;
  readonly driver: NetworkDriver;
  /** VXLAN network identifier (overlay only), 1..2^24−1. */
  readonly vni?: number;
  /** Network address, dotted (`10.0.1.0`). */
  readonly subnet: string;
  readonly prefixLength: number;
  /** Gateway address, dotted (`10.0.1.1`): the bridge's own address. */
  readonly gateway: string;
  /** Container interface MTU in bytes; default 1450 on overlays, 1500 on bridges. */
  readonly mtu?: number;
  /** A swarm overlay's network ID (64 hex): its NetworkDB network. */
  readonly id?: string;
  /** `--opt encrypted`: VXLAN sealed in ESP between hosts. */
  readonly encrypted?: boolean;
}

export interface NetworkInfo extends Required<Omit<NetworkSpec, 'id' | 'encrypted'>> {
  readonly vni: number;
  readonly id?: string;
  readonly encrypted?: boolean;
}

/** A remote endpoint as the overlay_peer_table carries it (reference §1.5). */
export interface PeerSpec {
  readonly network: string;
  readonly ip: string;
  readonly mac: string;
  readonly vtepAddress: string;
  readonly vtepPort: number;
}

export interface ContainerNetworkSpec {
  readonly network: string;
  /** Dotted; required on overlays (the cluster's IPAM owns them), allocated by the host on bridges. */
  readonly ip?: string;
}

export interface ContainerSpec {
  readonly name: string;
  /** Defaults to the container's 12-hex short ID, as Docker does. */
  readonly hostname?: string;
  readonly libc?: 'musl' | 'glibc';
  readonly networks: readonly ContainerNetworkSpec[];
}

export interface InterfaceInfo {
  /** `eth0` … */
  readonly name: string;
  /** Container-side interface index (`80` in `80: eth0@if81`). */
  readonly index: number;
  /** Host-side veth peer index (`81`). */
  readonly peerIndex: number;
  readonly mac: string;
  readonly ip: string;
  readonly prefixLength: number;
  readonly mtu: number;
  readonly network: string;
}

export interface ContainerInfo {
  readonly name: string;
  /** 64 lower-case hex characters, like a Docker container ID. */
  readonly id: string;
  readonly hostname: string;
  readonly libc: 'musl' | 'glibc';
  readonly interfaces: readonly InterfaceInfo[];
}

export interface ExecSpec {
  readonly container: string;
  readonly argv: readonly string[];
  /** On the host's clock (emulated ms): the program's abort signal fires after this long. */
  readonly timeoutMs?: number;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface InterfaceStats {
  readonly container: string;
  readonly interface: string;
  readonly network: string;
  readonly counters: Readonly<InterfaceCounters>;
}

export interface HostStats {
  readonly host: string;
  readonly underlay: UnderlayEndpointInfo;
  /** The data plane's host counters (frames and bytes in/out of the underlay …). */
  readonly counters: Readonly<Record<string, number>>;
  /** Every drop on this host (bridges, VTEP, container stacks), by reason; zero counts omitted. */
  readonly drops: Partial<Record<DropReason, number>>;
  readonly interfaces: readonly InterfaceStats[];
}

export interface CaptureInfo {
  /** Every pcap file being written. */
  readonly files: readonly string[];
}

/** One remote endpoint of an overlay, as this host learnt it from `overlay_peer_table`. */
export interface GossipPeerRecord {
  /** The endpoint ID (the table key). */
  readonly key: string;
  /** The NetworkDB node that owns the record. */
  readonly owner: string;
  readonly endpointIp: string;
  readonly endpointMac: string;
  readonly tunnelEndpointIp: string;
}

/** NetworkDB's state on one host: membership, keys, and each local overlay's table. */
export interface GossipInfo {
  /** This host's NetworkDB node name (12 hex, new per start). */
  readonly node: string;
  readonly address: string;
  readonly port: number;
  /** The gossip keys in use, hex, primary first. */
  readonly keys: readonly string[];
  readonly members: readonly { readonly name: string; readonly address: string; readonly port: number; readonly state: string; readonly incarnation: number }[];
  readonly networks: readonly {
    readonly id: string;
    readonly name: string;
    readonly peers: readonly string[];
    readonly records: readonly GossipPeerRecord[];
    /** `endpoint_table`: the DNS names on this network, local and remote. */
    readonly endpoints: readonly { readonly key: string; readonly owner: string; readonly name: string; readonly serviceName: string; readonly virtualIp: string; readonly endpointIp: string; readonly aliases: readonly string[] }[];
  }[];
  readonly stats: { readonly packetsIn: number; readonly packetsOut: number; readonly bytesIn: number; readonly bytesOut: number; readonly staleEvents: number };
}

/** Request type → params and result. */
export interface ControlRequests {
  createNetwork: { params: NetworkSpec; result: NetworkInfo };
  removeNetwork: { params: { readonly name: string }; result: null };
  /** `{ ignored: true }` when the peer's VTEP is this host (reference §1.5: local endpoints are
   * not programmed into the vxlan device). */
  addPeer: { params: PeerSpec; result: { readonly ignored: boolean } };
  removePeer: { params: PeerSpec; result: { readonly ignored: boolean } };
  createContainer: { params: ContainerSpec; result: ContainerInfo };
  removeContainer: { params: { readonly name: string }; result: null };
  exec: { params: ExecSpec; result: ExecResult };
  stats: { params: Record<string, never>; result: HostStats };
  /** NetworkDB as this host sees it (null before the host is in a swarm with keys). */
  gossip: { params: Record<string, never>; result: GossipInfo | null };
  /** IPsec keys outside a swarm (library, bench): `key` as hex, `lamportTime` the tag. */
  setIpsecKeys: { params: { readonly keys: readonly { readonly key: string; readonly lamportTime: number }[] }; result: null };
  /** The container's embedded DNS on real UDP+TCP sockets at a loopback ADDR:PORT (port 0: any). */
  exposeDns: { params: { readonly container: string; readonly address: string; readonly port: number }; result: { readonly address: string; readonly port: number } };
  captureStart: { params: { readonly dir: string }; result: CaptureInfo };
  captureStop: { params: Record<string, never>; result: CaptureInfo };
  /** One Engine API call (src/host/engine-api.ts); a daemon refusal is an error with code
   * `engine:<HTTP status>` and the daemon's message. */
  engine: { params: { readonly method: EngineMethod; readonly params: unknown }; result: unknown };
  /** Stops every container, closes sockets and captures; the host task then returns. */
  shutdown: { params: Record<string, never>; result: null };
  /** Fault injection: the host runtime fails as a bug would, so that the cluster's handling of a
   * dying host can be exercised. Never answered: the request is rejected by the failure. */
  crash: { params: { readonly message: string }; result: null };
}

export type RequestType = keyof ControlRequests;
export type RequestParams<K extends RequestType> = ControlRequests[K]['params'];
export type RequestResult<K extends RequestType> = ControlRequests[K]['result'];

export const REQUEST_TYPES: readonly RequestType[] = [
  'createNetwork',
  'removeNetwork',
  'addPeer',
  'removePeer',
  'createContainer',
  'removeContainer',
  'exec',
  'stats',
  'gossip',
  'exposeDns',
  'setIpsecKeys',
  'captureStart',
  'captureStop',
  'engine',
  'shutdown',
  'crash',
];

export type ControlRequest = {
  [K in RequestType]: { readonly id: number; readonly type: K; readonly params: RequestParams<K> };
}[RequestType];

export interface ControlErrorInfo {
  /** A stable code (`invalid-argument`, `no-such-container`, `already-exists` …). */
  readonly code: string;
  readonly message: string;
}

export type ControlResponse =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ControlErrorInfo };

export type HostEvent =
  | { readonly event: 'ready'; readonly host: string; readonly underlay: UnderlayEndpointInfo }
  | { readonly event: 'fatal'; readonly host: string; readonly error: ControlErrorInfo & { readonly stack?: string } };

export function isControlRequest(message: unknown): message is ControlRequest {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { id?: unknown; type?: unknown; params?: unknown };
  return (
    typeof m.id === 'number' &&
    typeof m.type === 'string' &&
    (REQUEST_TYPES as readonly string[]).includes(m.type) &&
    typeof m.params === 'object' &&
    m.params !== null
  );
}

export function isControlResponse(message: unknown): message is ControlResponse {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { id?: unknown; ok?: unknown };
  return typeof m.id === 'number' && typeof m.ok === 'boolean';
}

export function isHostEvent(message: unknown): message is HostEvent {
  if (typeof message !== 'object' || message === null) return false;
  const e = (message as { event?: unknown }).event;
  return e === 'ready' || e === 'fatal';
}

/** An error's stable code and message for a response (`internal` when it carries no code). */
export function errorInfo(error: unknown): ControlErrorInfo {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'internal', message: error.message };
  }
  return { code: 'internal', message: String(error) };
}

/** How the piscina task ended: after `shutdown`, or failed (the same error as the `fatal` event,
 * which may arrive before or after the task's result: they travel on different ports). */
export type HostTaskOutcome = { readonly outcome: 'shutdown' } | { readonly outcome: 'failed'; readonly error: ControlErrorInfo & { readonly stack?: string } };

/** What the piscina task receives (src/host/worker.ts). */
export interface HostTaskConfig {
  readonly name: string;
  /** Loopback address the data-path socket binds (`127.A.B.N`, or `127.0.0.1` in port mode). */
  readonly address: string;
  /** Data-path port; 0 in port mode (the host reports the bound port in `ready`). */
  readonly port: number;
  /** The cluster seed; the host derives its own stream from it and its name. */
  readonly seed: number;
  /** Real-clock speed-up (1 = wall time). */
  readonly timeScale: number;
  /** Cluster-management port: 2377 in address mode, 0 in port mode. */
  readonly managementPort: number;
  /** Swarm heartbeat period in emulated ms (swarmkit's 5000 unless a test shortens it). */
  readonly heartbeatPeriodMs?: number;
  /** The hosts' DNS upstreams (`127.x.y.z[:port]`). */
  readonly dnsUpstreams?: readonly string[];
  /** The swarm's key rotation period in emulated ms (swarmkit's 12 h unless a test shortens it). */
  readonly keyRotationIntervalMs?: number;
}
