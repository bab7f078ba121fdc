/**
 * swarmkit's protobuf messages on 2377 (package `docker.swarmkit.v1`), as protobufjs types.
 *
 * The schema (swarmkit-schema.ts) is the subset of swarmkit's .proto files that swarmnet's manager
 * and agent exchange, with swarmkit's names and field numbers: a real swarmkit peer decodes what we
 * send and we decode what it sends (proto3 parsers skip unknown fields).
 *
 * Decoding is bounded by `MAX_SWARMKIT_MESSAGE_BYTES` (grpc-go's default receive limit); values
 * come back as plain objects with 64-bit integers as numbers and enums as their proto names.
 */
import protobuf from 'protobufjs';
import { GOOGLE_SCHEMA, SWARMKIT_SCHEMA } from './swarmkit-schema.js';

/** grpc-go's `defaultServerMaxReceiveMessageSize` (4 MiB): larger messages are refused. */
export const MAX_SWARMKIT_MESSAGE_BYTES = 4 * 1024 * 1024;

export const SWARMKIT_PACKAGE = 'docker.swarmkit.v1';

const root = new protobuf.Root();
protobuf.parse(GOOGLE_SCHEMA, root, { keepCase: true });
protobuf.parse(SWARMKIT_SCHEMA, root, { keepCase: true });
root.resolveAll();

/** How decoded messages look: snake_case field names as in the .proto, uint64/int64 as numbers,
 * enums as names, bytes as Uint8Array, unset scalars at their proto3 defaults. */
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, arrays: true, objects: true };

export function swarmkitType(name: string): protobuf.Type {
  return root.lookupType(`${SWARMKIT_PACKAGE}.${name}`);
}

export function swarmkitService(name: string): protobuf.Service {
  return root.lookupService(`${SWARMKIT_PACKAGE}.${name}`);
}

export class SwarmkitDecodeError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(`${type}: ${message}`);
    this.name = 'SwarmkitDecodeError';
  }
}

/** Encodes a plain object (snake_case keys, enums by name or number) as `type`. */
export function encodeSwarmkit(typeName: string, value: object): Uint8Array {
  const type = swarmkitType(typeName);
  return type.encode(type.fromObject(value as Record<string, unknown>)).finish();
}

/** Decodes bytes from a peer; throws `SwarmkitDecodeError` on malformed or oversized input. */
export function decodeSwarmkit<T>(typeName: string, bytes: Uint8Array): T {
  if (bytes.length > MAX_SWARMKIT_MESSAGE_BYTES) {
    throw new SwarmkitDecodeError(typeName, `message of ${bytes.length} bytes exceeds ${MAX_SWARMKIT_MESSAGE_BYTES}`);
  }
  const type = swarmkitType(typeName);
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (error) {
    throw new SwarmkitDecodeError(typeName, error instanceof Error ? error.message : String(error));
  }
  return type.toObject(message, TO_OBJECT) as T;
}

// ---- Typed views of the messages swarmnet reads (snake_case as decoded). ----

export type NodeRoleName = 'WORKER' | 'MANAGER';
export type NodeStateName = 'UNKNOWN' | 'DOWN' | 'READY' | 'DISCONNECTED';
export type AvailabilityName = 'ACTIVE' | 'PAUSE' | 'DRAIN';
export type MembershipName = 'PENDING' | 'ACCEPTED';
export type ReachabilityName = 'UNKNOWN' | 'UNREACHABLE' | 'REACHABLE';
export type IssuanceStateName = 'UNKNOWN' | 'RENEW' | 'PENDING' | 'ISSUED' | 'FAILED' | 'ROTATE';

export interface PbTimestamp {
  seconds: number;
  nanos: number;
}

export interface PbMeta {
  version: { index: number };
  created_at: PbTimestamp;
  updated_at: PbTimestamp;
}

export interface PbNodeSpec {
  annotations: { name: string; labels: Record<string, string> };
  desired_role: NodeRoleName;
  membership: MembershipName;
  availability: AvailabilityName;
}

export interface PbNodeDescription {
  hostname: string;
  platform: { architecture: string; os: string };
  resources: { nano_cpus: number; memory_bytes: number };
  engine: { engine_version: string; labels: Record<string, string>; plugins: { type: string; name: string }[] };
  tls_info: { trust_root: Uint8Array; cert_issuer_subject: Uint8Array; cert_issuer_public_key: Uint8Array };
  fips: boolean;
}

export interface PbNode {
  id: string;
  meta: PbMeta;
  spec: PbNodeSpec;
  description: PbNodeDescription | null;
  status: { state: NodeStateName; message: string; addr: string };
  manager_status: { raft_id: number; addr: string; leader: boolean; reachability: ReachabilityName } | null;
  certificate: { role: NodeRoleName; csr: Uint8Array; status: { state: IssuanceStateName; err: string }; certificate: Uint8Array; cn: string };
  role: NodeRoleName;
  /** The node's own endpoints: on `ingress`, its load-balancer address (`ingress-sbox`). */
  attachments: PbNetworkAttachment[];
  VXLANUDPPort: number;
}

export interface PbNetworkAttachment {
  network: PbNetwork | null;
  /** CIDR notation, `10.0.0.2/24`. */
  addresses: string[];
  aliases: string[];
  driver_attachment_opts: Record<string, string>;
}

export interface PbEncryptionKey {
  subsystem: string;
  algorithm: 'AES_128_GCM';
  key: Uint8Array;
  lamport_time: number;
}

export interface PbClusterSpec {
  annotations: { name: string; labels: Record<string, string> };
  orchestration: { task_history_retention_limit: number };
  raft: {
    snapshot_interval: number;
    keep_old_snapshots: number;
    log_entries_for_slow_followers: number;
    heartbeat_tick: number;
    election_tick: number;
  };
  dispatcher: { heartbeat_period: PbTimestamp };
  ca_config: { node_cert_expiry: PbTimestamp; force_rotate: number };
  encryption_config: { auto_lock_managers: boolean };
}

export interface PbCluster {
  id: string;
  meta: PbMeta;
  spec: PbClusterSpec;
  root_ca: { ca_cert: Uint8Array; ca_cert_hash: string; join_tokens: { worker: string; manager: string } };
  network_bootstrap_keys: PbEncryptionKey[];
  encryption_key_lamport_clock: number;
  defaultAddressPool: string[];
  subnetSize: number;
  VXLANUDPPort: number;
}

export interface PbWeightedPeer {
  peer: { node_id: string; addr: string };
  weight: number;
}

export interface PbSessionMessage {
  session_id: string;
  node: PbNode | null;
  managers: PbWeightedPeer[];
  network_bootstrap_keys: PbEncryptionKey[];
  RootCA: Uint8Array;
  /** swarmnet's extension (field 1000): managers' gossip endpoints not on 7946 (port mode). */
  swarmnet_gossip_peers: PbSwarmnetGossipPeer[];
}

export interface PbSwarmnetGossipPeer {
  node_id: string;
  /** `ip:port` of the manager's NetworkDB. */
  addr: string;
}

export interface PbDriver {
  name: string;
  options: Record<string, string>;
}

export interface PbIpamConfig {
  family: 'UNKNOWN' | 'IPV4' | 'IPV6';
  subnet: string;
  range: string;
  gateway: string;
  reserved: Record<string, string>;
}

export interface PbIpamOptions {
  driver: PbDriver | null;
  configs: PbIpamConfig[];
}

export interface PbNetworkSpec {
  annotations: { name: string; labels: Record<string, string> };
  driver_config: PbDriver | null;
  ipv6_enabled: boolean;
  internal: boolean;
  ipam: PbIpamOptions | null;
  attachable: boolean;
  ingress: boolean;
  network?: string;
}

export interface PbNetwork {
  id: string;
  meta: PbMeta;
  spec: PbNetworkSpec;
  /** The driver's allocation (`com.docker.network.driver.overlay.vxlanid_list`). */
  driver_state: PbDriver | null;
  /** The allocated subnets and gateways. */
  ipam: PbIpamOptions | null;
  pending_delete: boolean;
}

export type TaskStateName =
  | 'NEW'
  | 'PENDING'
  | 'ASSIGNED'
  | 'ACCEPTED'
  | 'PREPARING'
  | 'READY'
  | 'STARTING'
  | 'RUNNING'
  | 'COMPLETE'
  | 'SHUTDOWN'
  | 'FAILED'
  | 'REJECTED'
  | 'REMOVE'
  | 'ORPHANED';

/** swarmkit's numeric task states: order matters (`state > RUNNING` is terminal). */
export const TASK_STATE_VALUES: Readonly<Record<TaskStateName, number>> = {
  NEW: 0,
  PENDING: 64,
  ASSIGNED: 192,
  ACCEPTED: 256,
  PREPARING: 320,
  READY: 384,
  STARTING: 448,
  RUNNING: 512,
  COMPLETE: 576,
  SHUTDOWN: 640,
  FAILED: 704,
  REJECTED: 768,
  REMOVE: 800,
  ORPHANED: 832,
};

export interface PbAnnotations {
  name: string;
  labels: Record<string, string>;
}

export interface PbNetworkAttachmentConfig {
  /** Network ID (swarmkit resolves names to IDs before storing). */
  target: string;
  aliases: string[];
  addresses: string[];
  driver_attachment_opts: Record<string, string>;
}

export interface PbPortConfig {
  name: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  target_port: number;
  published_port: number;
  publish_mode: 'INGRESS' | 'HOST';
}

export interface PbContainerSpec {
  image: string;
  labels: Record<string, string>;
  command: string[];
  args: string[];
  env: string[];
  dir: string;
  user: string;
  stop_grace_period: PbTimestamp | null;
  tty: boolean;
  hostname: string;
  hosts: string[];
  open_stdin: boolean;
  read_only: boolean;
  stop_signal: string;
}

export interface PbRestartPolicy {
  condition: 'NONE' | 'ON_FAILURE' | 'ANY';
  delay: PbTimestamp | null;
  max_attempts: number;
  window: PbTimestamp | null;
}

export interface PbTaskSpec {
  /** Exactly one of `container` (service tasks) and `attachment` (network attachment tasks). */
  container?: PbContainerSpec | null;
  attachment?: { container_id: string } | null;
  restart: PbRestartPolicy | null;
  placement: { constraints: string[]; max_replicas: number } | null;
  log_driver: PbDriver | null;
  networks: PbNetworkAttachmentConfig[];
  force_update: number;
}

export interface PbUpdateConfig {
  parallelism: number;
  delay: PbTimestamp | null;
  failure_action: 'PAUSE' | 'CONTINUE' | 'ROLLBACK';
  monitor: PbTimestamp | null;
  max_failure_ratio: number;
  order: 'STOP_FIRST' | 'START_FIRST';
}

export interface PbEndpointSpec {
  mode: 'VIP' | 'DNSRR';
  ports: PbPortConfig[];
}

export interface PbServiceSpec {
  annotations: PbAnnotations;
  task: PbTaskSpec;
  /** Exactly one of `replicated` and `global`. */
  replicated?: { replicas: number } | null;
  global?: Record<string, never> | null;
  update: PbUpdateConfig | null;
  rollback: PbUpdateConfig | null;
  endpoint: PbEndpointSpec | null;
}

export interface PbVirtualIp {
  network_id: string;
  /** CIDR, `10.0.1.2/24`. */
  addr: string;
}

export interface PbEndpoint {
  spec: PbEndpointSpec | null;
  /** The ports as allocated (published ports filled in). */
  ports: PbPortConfig[];
  virtual_ips: PbVirtualIp[];
}

export interface PbUpdateStatus {
  state: 'UNKNOWN' | 'UPDATING' | 'PAUSED' | 'COMPLETED' | 'ROLLBACK_STARTED' | 'ROLLBACK_PAUSED' | 'ROLLBACK_COMPLETED';
  started_at: PbTimestamp | null;
  completed_at: PbTimestamp | null;
  message: string;
}

export interface PbService {
  id: string;
  meta: PbMeta;
  spec: PbServiceSpec;
  endpoint: PbEndpoint | null;
  update_status: PbUpdateStatus | null;
  previous_spec: PbServiceSpec | null;
  pending_delete: boolean;
  spec_version: { index: number } | null;
  previous_spec_version: { index: number } | null;
}

export interface PbTaskStatus {
  timestamp: PbTimestamp | null;
  state: TaskStateName;
  message: string;
  err: string;
  container?: { container_id: string; pid: number; exit_code: number } | null;
  port_status: { ports: PbPortConfig[] } | null;
  applied_by: string;
  applied_at: PbTimestamp | null;
}

export interface PbTask {
  id: string;
  meta: PbMeta;
  spec: PbTaskSpec;
  service_id: string;
  /** 1-based for replicated services; 0 for global ones (the node ID names the task). */
  slot: number;
  node_id: string;
  annotations: PbAnnotations;
  service_annotations: PbAnnotations;
  status: PbTaskStatus;
  desired_state: TaskStateName;
  /** The task's addresses per network (filled by the allocator; ingress first when publishing). */
  networks: PbNetworkAttachment[];
  endpoint: PbEndpoint | null;
  log_driver: PbDriver | null;
  spec_version: { index: number } | null;
}

export interface PbAssignmentChange {
  assignment: { task?: PbTask | null };
  action: 'UPDATE' | 'REMOVE';
}

export interface PbAssignmentsMessage {
  type: 'COMPLETE' | 'INCREMENTAL';
  applies_to: string;
  results_in: string;
  changes: PbAssignmentChange[];
}

export interface PbTaskStatusUpdate {
  task_id: string;
  status: PbTaskStatus;
}

export type LogStreamName = 'LOG_STREAM_UNKNOWN' | 'LOG_STREAM_STDOUT' | 'LOG_STREAM_STDERR';

export interface PbLogSelector {
  service_ids: string[];
  node_ids: string[];
  task_ids: string[];
}

export interface PbLogSubscriptionOptions {
  streams: LogStreamName[];
  follow: boolean;
  /** Lines from the end (negative: swarmkit's "all" is -1 … the daemon sends -N for --tail N). */
  tail: number;
  since: PbTimestamp | null;
}

export interface PbLogMessage {
  context: { service_id: string; node_id: string; task_id: string };
  timestamp: PbTimestamp | null;
  stream: LogStreamName;
  data: Uint8Array;
  attrs: { key: string; value: string }[];
}

export interface PbSubscriptionMessage {
  id: string;
  selector: PbLogSelector | null;
  options: PbLogSubscriptionOptions | null;
  close: boolean;
}
