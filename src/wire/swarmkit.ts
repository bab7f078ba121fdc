/**
 * swarmkit's protobuf messages on 2377 (package `docker.swarmkit.v1`), as protobufjs types.
 *
 * The schema below is the subset of swarmkit `api/{types,specs,objects,ca,dispatcher,control}.proto`
 * that swarmnet's manager and agent exchange: names, field numbers and types are swarmkit's (they
 * are the wire protocol), fields swarmnet never sets are left out (proto3 parsers skip unknown
 * fields, so a real swarmkit peer still decodes what we send and we still decode what it sends).
 * gogoproto options are dropped: they change Go code generation, not bytes.
 *
 * Decoding is bounded by `MAX_SWARMKIT_MESSAGE_BYTES` (grpc-go's default receive limit); values
 * come back as plain objects with 64-bit integers as numbers and enums as their proto names.
 */
import protobuf from 'protobufjs';

/** grpc-go's `defaultServerMaxReceiveMessageSize` (4 MiB): larger messages are refused. */
export const MAX_SWARMKIT_MESSAGE_BYTES = 4 * 1024 * 1024;

const GOOGLE_SCHEMA = `
syntax = "proto3";
package google.protobuf;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
`;

const SWARMKIT_SCHEMA = `
syntax = "proto3";
package docker.swarmkit.v1;

// ---- types.proto ----
message Version { uint64 index = 1; }
message Annotations { string name = 1; map<string, string> labels = 2; }
message Platform { string architecture = 1; string os = 2; }
message PluginDescription { string type = 1; string name = 2; }
message EngineDescription {
  string engine_version = 1;
  map<string, string> labels = 2;
  repeated PluginDescription plugins = 3;
}
message Resources { int64 nano_cpus = 1; int64 memory_bytes = 2; }
message NodeTLSInfo {
  bytes trust_root = 1;
  bytes cert_issuer_subject = 2;
  bytes cert_issuer_public_key = 3;
}
message NodeDescription {
  string hostname = 1;
  Platform platform = 2;
  Resources resources = 3;
  EngineDescription engine = 4;
  NodeTLSInfo tls_info = 5;
  bool fips = 6;
}
message NodeStatus {
  enum State { UNKNOWN = 0; DOWN = 1; READY = 2; DISCONNECTED = 3; }
  State state = 1;
  string message = 2;
  string addr = 3;
}
message RaftMemberStatus {
  enum Reachability { UNKNOWN = 0; UNREACHABLE = 1; REACHABLE = 2; }
}
message ManagerStatus {
  uint64 raft_id = 1;
  string addr = 2;
  bool leader = 3;
  RaftMemberStatus.Reachability reachability = 4;
}
enum NodeRole { WORKER = 0; MANAGER = 1; }
message IssuanceStatus {
  enum State { UNKNOWN = 0; RENEW = 1; PENDING = 2; ISSUED = 3; FAILED = 4; ROTATE = 5; }
  State state = 1;
  string err = 2;
}
message Certificate {
  NodeRole role = 1;
  bytes csr = 2;
  IssuanceStatus status = 3;
  bytes certificate = 4;
  string cn = 5;
}
message EncryptionKey {
  enum Algorithm { AES_128_GCM = 0; }
  string subsystem = 1;
  Algorithm algorithm = 2;
  bytes key = 3;
  uint64 lamport_time = 4;
}
message Peer { string node_id = 1; string addr = 2; }
message WeightedPeer { Peer peer = 1; int64 weight = 2; }
message JoinTokens { string worker = 1; string manager = 2; }
message RootCA {
  bytes ca_cert = 2;
  string ca_cert_hash = 3;
  JoinTokens join_tokens = 4;
}
message CAConfig { google.protobuf.Duration node_cert_expiry = 1; uint64 force_rotate = 5; }
message DispatcherConfig { google.protobuf.Duration heartbeat_period = 1; }
message OrchestrationConfig { int64 task_history_retention_limit = 1; }
message RaftConfig {
  uint64 snapshot_interval = 1;
  uint64 keep_old_snapshots = 2;
  uint64 log_entries_for_slow_followers = 3;
  uint32 heartbeat_tick = 4;
  uint32 election_tick = 5;
}
message EncryptionConfig { bool auto_lock_managers = 1; }
message Driver { string name = 1; map<string, string> options = 2; }
message IPAMConfig {
  enum AddressFamily { UNKNOWN = 0; IPV4 = 4; IPV6 = 6; }
  AddressFamily family = 1;
  string subnet = 2;
  string range = 3;
  string gateway = 4;
  map<string, string> reserved = 5;
}
message IPAMOptions { Driver driver = 1; repeated IPAMConfig configs = 3; }

// ---- specs.proto ----
message NodeSpec {
  enum Membership { PENDING = 0; ACCEPTED = 1; }
  enum Availability { ACTIVE = 0; PAUSE = 1; DRAIN = 2; }
  Annotations annotations = 1;
  NodeRole desired_role = 2;
  Membership membership = 3;
  Availability availability = 4;
}
message ClusterSpec {
  Annotations annotations = 1;
  OrchestrationConfig orchestration = 3;
  RaftConfig raft = 4;
  DispatcherConfig dispatcher = 5;
  CAConfig ca_config = 6;
  EncryptionConfig encryption_config = 8;
}

message NetworkSpec {
  Annotations annotations = 1;
  Driver driver_config = 2;
  bool ipv6_enabled = 3;
  bool internal = 4;
  IPAMOptions ipam = 5;
  bool attachable = 6;
  bool ingress = 7;
  oneof config_from { string network = 8; }
}

// ---- objects.proto ----
message Meta {
  Version version = 1;
  google.protobuf.Timestamp created_at = 2;
  google.protobuf.Timestamp updated_at = 3;
}
message NetworkAttachment {
  Network network = 1;
  repeated string addresses = 2;
  repeated string aliases = 3;
  map<string, string> driver_attachment_opts = 4;
}
message Node {
  string id = 1;
  Meta meta = 2;
  NodeSpec spec = 3;
  NodeDescription description = 4;
  NodeStatus status = 5;
  ManagerStatus manager_status = 6;
  Certificate certificate = 8;
  NodeRole role = 9;
  repeated NetworkAttachment attachments = 10;
  uint32 VXLANUDPPort = 11;
}
message Network {
  string id = 1;
  Meta meta = 2;
  NetworkSpec spec = 3;
  Driver driver_state = 4;
  IPAMOptions ipam = 5;
  bool pending_delete = 6;
}
message Cluster {
  string id = 1;
  Meta meta = 2;
  ClusterSpec spec = 3;
  RootCA root_ca = 4;
  repeated EncryptionKey network_bootstrap_keys = 5;
  uint64 encryption_key_lamport_clock = 6;
  repeated string defaultAddressPool = 11;
  uint32 subnetSize = 12;
  uint32 VXLANUDPPort = 13;
}

// ---- ca.proto ----
message GetRootCACertificateRequest {}
message GetRootCACertificateResponse { bytes certificate = 1; }
message IssueNodeCertificateRequest {
  NodeRole role = 1;
  bytes csr = 2;
  string token = 3;
  NodeSpec.Availability availability = 4;
}
message IssueNodeCertificateResponse {
  string node_id = 1;
  NodeSpec.Membership node_membership = 2;
}
message NodeCertificateStatusRequest { string node_id = 1; }
message NodeCertificateStatusResponse {
  IssuanceStatus status = 1;
  Certificate certificate = 2;
}
service CA {
  rpc GetRootCACertificate(GetRootCACertificateRequest) returns (GetRootCACertificateResponse);
}
service NodeCA {
  rpc IssueNodeCertificate(IssueNodeCertificateRequest) returns (IssueNodeCertificateResponse);
  rpc NodeCertificateStatus(NodeCertificateStatusRequest) returns (NodeCertificateStatusResponse);
}

// ---- dispatcher.proto ----
message SessionRequest { NodeDescription description = 1; string session_id = 2; }
message SessionMessage {
  string session_id = 1;
  Node node = 2;
  repeated WeightedPeer managers = 3;
  repeated EncryptionKey network_bootstrap_keys = 4;
  bytes RootCA = 5;
}
message HeartbeatRequest { string session_id = 1; }
message HeartbeatResponse { google.protobuf.Duration period = 1; }
service Dispatcher {
  rpc Session(SessionRequest) returns (stream SessionMessage);
  rpc Heartbeat(HeartbeatRequest) returns (HeartbeatResponse);
}

// ---- control.proto ----
message GetNodeRequest { string node_id = 1; }
message GetNodeResponse { Node node = 1; }
message ListNodesRequest {
  message Filters {
    repeated string names = 1;
    repeated string id_prefixes = 2;
    map<string, string> labels = 3;
    repeated NodeSpec.Membership memberships = 4 [packed = false];
    repeated NodeRole roles = 5 [packed = false];
    repeated string name_prefixes = 6;
  }
  Filters filters = 1;
}
message ListNodesResponse { repeated Node nodes = 1; }
message UpdateNodeRequest { string node_id = 1; Version node_version = 2; NodeSpec spec = 3; }
message UpdateNodeResponse { Node node = 1; }
message RemoveNodeRequest { string node_id = 1; bool force = 2; }
message RemoveNodeResponse {}
message GetClusterRequest { string cluster_id = 1; }
message GetClusterResponse { Cluster cluster = 1; }
message KeyRotation { bool worker_join_token = 1; bool manager_join_token = 2; bool manager_unlock_key = 3; }
message UpdateClusterRequest {
  string cluster_id = 1;
  Version cluster_version = 2;
  ClusterSpec spec = 3;
  KeyRotation rotation = 4;
}
message UpdateClusterResponse { Cluster cluster = 1; }
message CreateNetworkRequest { NetworkSpec spec = 1; }
message CreateNetworkResponse { Network network = 1; }
message GetNetworkRequest { string name = 1; string network_id = 2; }
message GetNetworkResponse { Network network = 1; }
message ListNetworksRequest {
  message Filters {
    repeated string names = 1;
    repeated string id_prefixes = 2;
    map<string, string> labels = 3;
    repeated string name_prefixes = 4;
  }
  Filters filters = 1;
}
message ListNetworksResponse { repeated Network networks = 1; }
message RemoveNetworkRequest { string name = 1; string network_id = 2; }
message RemoveNetworkResponse {}
service Control {
  rpc GetNode(GetNodeRequest) returns (GetNodeResponse);
  rpc ListNodes(ListNodesRequest) returns (ListNodesResponse);
  rpc UpdateNode(UpdateNodeRequest) returns (UpdateNodeResponse);
  rpc RemoveNode(RemoveNodeRequest) returns (RemoveNodeResponse);
  rpc GetCluster(GetClusterRequest) returns (GetClusterResponse);
  rpc UpdateCluster(UpdateClusterRequest) returns (UpdateClusterResponse);
  rpc GetNetwork(GetNetworkRequest) returns (GetNetworkResponse);
  rpc ListNetworks(ListNetworksRequest) returns (ListNetworksResponse);
  rpc CreateNetwork(CreateNetworkRequest) returns (CreateNetworkResponse);
  rpc RemoveNetwork(RemoveNetworkRequest) returns (RemoveNetworkResponse);
}
`;

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
