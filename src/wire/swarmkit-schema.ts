/**
 * The .proto text swarmnet speaks on 2377: the subset of swarmkit's
 * `api/{types,specs,objects,ca,dispatcher,control,resource,logbroker}.proto` (package
 * `docker.swarmkit.v1`) that its manager and agents exchange, plus the two google.protobuf
 * well-known types they use. Names, field numbers and types are swarmkit's — they are the wire
 * protocol, append only; fields swarmnet never sets are left out (proto3 parsers skip unknown
 * fields); gogoproto options are dropped (they change Go code generation, not bytes). The one
 * addition is `SessionMessage.swarmnet_gossip_peers` (field 1000), documented where it stands.
 * `swarmkit.ts` compiles this into protobufjs types.
 */

export const GOOGLE_SCHEMA = `
syntax = "proto3";
package google.protobuf;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
`;

export const SWARMKIT_SCHEMA = `
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
enum TaskState {
  NEW = 0; PENDING = 64; ASSIGNED = 192; ACCEPTED = 256; PREPARING = 320; READY = 384;
  STARTING = 448; RUNNING = 512; COMPLETE = 576; SHUTDOWN = 640; FAILED = 704;
  REJECTED = 768; REMOVE = 800; ORPHANED = 832;
}
message NetworkAttachmentConfig {
  string target = 1;
  repeated string aliases = 2;
  repeated string addresses = 3;
  map<string, string> driver_attachment_opts = 4;
}
message RestartPolicy {
  enum RestartCondition { NONE = 0; ON_FAILURE = 1; ANY = 2; }
  RestartCondition condition = 1;
  google.protobuf.Duration delay = 2;
  uint64 max_attempts = 3;
  google.protobuf.Duration window = 4;
}
message Placement {
  repeated string constraints = 1;
  uint64 max_replicas = 4;
}
message UpdateConfig {
  uint64 parallelism = 1;
  google.protobuf.Duration delay = 2;
  enum FailureAction { PAUSE = 0; CONTINUE = 1; ROLLBACK = 2; }
  FailureAction failure_action = 3;
  google.protobuf.Duration monitor = 4;
  float max_failure_ratio = 5;
  enum UpdateOrder { STOP_FIRST = 0; START_FIRST = 1; }
  UpdateOrder order = 6;
}
message PortConfig {
  enum Protocol { TCP = 0; UDP = 1; SCTP = 2; }
  enum PublishMode { INGRESS = 0; HOST = 1; }
  string name = 1;
  Protocol protocol = 2;
  uint32 target_port = 3;
  uint32 published_port = 4;
  PublishMode publish_mode = 5;
}
message ContainerStatus { string container_id = 1; int32 pid = 2; int32 exit_code = 3; }
message PortStatus { repeated PortConfig ports = 1; }
message TaskStatus {
  google.protobuf.Timestamp timestamp = 1;
  TaskState state = 2;
  string message = 3;
  string err = 4;
  oneof runtime_status { ContainerStatus container = 5; }
  PortStatus port_status = 6;
  string applied_by = 7;
  google.protobuf.Timestamp applied_at = 8;
}

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

message ReplicatedService { uint64 replicas = 1; }
message GlobalService {}
message NetworkAttachmentSpec { string container_id = 1; }
message ContainerSpec {
  string image = 1;
  map<string, string> labels = 2;
  repeated string command = 3;
  repeated string args = 4;
  repeated string env = 5;
  string dir = 6;
  string user = 7;
  google.protobuf.Duration stop_grace_period = 9;
  bool tty = 13;
  string hostname = 14;
  repeated string hosts = 17;
  bool open_stdin = 18;
  bool read_only = 19;
  string stop_signal = 20;
}
message TaskSpec {
  oneof runtime {
    NetworkAttachmentSpec attachment = 8;
    ContainerSpec container = 1;
  }
  RestartPolicy restart = 4;
  Placement placement = 5;
  Driver log_driver = 6;
  repeated NetworkAttachmentConfig networks = 7;
  uint64 force_update = 9;
}
message EndpointSpec {
  enum ResolutionMode { VIP = 0; DNSRR = 1; }
  ResolutionMode mode = 1;
  repeated PortConfig ports = 2;
}
message ServiceSpec {
  Annotations annotations = 1;
  TaskSpec task = 2;
  oneof mode {
    ReplicatedService replicated = 3;
    GlobalService global = 4;
  }
  UpdateConfig update = 6;
  UpdateConfig rollback = 9;
  EndpointSpec endpoint = 8;
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
message Endpoint {
  EndpointSpec spec = 1;
  repeated PortConfig ports = 2;
  message VirtualIP { string network_id = 1; string addr = 2; }
  repeated VirtualIP virtual_ips = 3;
}
message UpdateStatus {
  enum UpdateState { UNKNOWN = 0; UPDATING = 1; PAUSED = 2; COMPLETED = 3; ROLLBACK_STARTED = 4; ROLLBACK_PAUSED = 5; ROLLBACK_COMPLETED = 6; }
  UpdateState state = 1;
  google.protobuf.Timestamp started_at = 2;
  google.protobuf.Timestamp completed_at = 3;
  string message = 4;
}
message Service {
  string id = 1;
  Meta meta = 2;
  ServiceSpec spec = 3;
  Endpoint endpoint = 4;
  UpdateStatus update_status = 5;
  ServiceSpec previous_spec = 6;
  bool pending_delete = 7;
  Version spec_version = 10;
  Version previous_spec_version = 11;
}
message Task {
  string id = 1;
  Meta meta = 2;
  TaskSpec spec = 3;
  string service_id = 4;
  uint64 slot = 5;
  string node_id = 6;
  Annotations annotations = 7;
  Annotations service_annotations = 8;
  TaskStatus status = 9;
  TaskState desired_state = 10;
  repeated NetworkAttachment networks = 11;
  Endpoint endpoint = 12;
  Driver log_driver = 13;
  Version spec_version = 14;
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
  repeated SwarmnetGossipPeer swarmnet_gossip_peers = 1000;
}
// swarmnet's extension: in port mode (every host on 127.0.0.1) a manager's NetworkDB is not on
// 7946, so the session tells nodes where to join it. Field 1000 is far from swarmkit's numbers;
// a real swarmkit agent skips it as an unknown field. Only sent for ports other than 7946.
message SwarmnetGossipPeer {
  string node_id = 1;
  string addr = 2;
}
message HeartbeatRequest { string session_id = 1; }
message HeartbeatResponse { google.protobuf.Duration period = 1; }
message UpdateTaskStatusRequest {
  string session_id = 1;
  message TaskStatusUpdate { string task_id = 1; TaskStatus status = 2; }
  repeated TaskStatusUpdate updates = 3;
}
message UpdateTaskStatusResponse {}
message AssignmentsRequest { string session_id = 1; }
message Assignment { oneof item { Task task = 1; } }
message AssignmentChange {
  enum AssignmentAction { UPDATE = 0; REMOVE = 1; }
  Assignment assignment = 1;
  AssignmentAction action = 2;
}
message AssignmentsMessage {
  enum Type { COMPLETE = 0; INCREMENTAL = 1; }
  Type type = 1;
  string applies_to = 2;
  string results_in = 3;
  repeated AssignmentChange changes = 4;
}
service Dispatcher {
  rpc Session(SessionRequest) returns (stream SessionMessage);
  rpc Heartbeat(HeartbeatRequest) returns (HeartbeatResponse);
  rpc UpdateTaskStatus(UpdateTaskStatusRequest) returns (UpdateTaskStatusResponse);
  rpc Assignments(AssignmentsRequest) returns (stream AssignmentsMessage);
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
message GetServiceRequest { string service_id = 1; bool insert_defaults = 2; }
message GetServiceResponse { Service service = 1; }
message CreateServiceRequest { ServiceSpec spec = 1; }
message CreateServiceResponse { Service service = 1; }
message UpdateServiceRequest {
  string service_id = 1;
  Version service_version = 2;
  ServiceSpec spec = 3;
  enum Rollback { NONE = 0; PREVIOUS = 1; }
  Rollback rollback = 4;
}
message UpdateServiceResponse { Service service = 1; }
message RemoveServiceRequest { string service_id = 1; }
message RemoveServiceResponse {}
message ListServicesRequest {
  message Filters {
    repeated string names = 1;
    repeated string id_prefixes = 2;
    map<string, string> labels = 3;
    repeated string name_prefixes = 4;
    repeated string runtimes = 5;
  }
  Filters filters = 1;
}
message ListServicesResponse { repeated Service services = 1; }
message GetTaskRequest { string task_id = 1; }
message GetTaskResponse { Task task = 1; }
message ListTasksRequest {
  message Filters {
    repeated string names = 1;
    repeated string id_prefixes = 2;
    map<string, string> labels = 3;
    repeated string service_ids = 4;
    repeated string node_ids = 5;
    repeated TaskState desired_states = 6 [packed = false];
    repeated string name_prefixes = 7;
    bool up_to_date = 8;
    repeated string runtimes = 9;
  }
  Filters filters = 1;
}
message ListTasksResponse { repeated Task tasks = 1; }
service Control {
  rpc GetService(GetServiceRequest) returns (GetServiceResponse);
  rpc ListServices(ListServicesRequest) returns (ListServicesResponse);
  rpc CreateService(CreateServiceRequest) returns (CreateServiceResponse);
  rpc UpdateService(UpdateServiceRequest) returns (UpdateServiceResponse);
  rpc RemoveService(RemoveServiceRequest) returns (RemoveServiceResponse);
  rpc GetTask(GetTaskRequest) returns (GetTaskResponse);
  rpc ListTasks(ListTasksRequest) returns (ListTasksResponse);
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

// ---- logbroker.proto ----
enum LogStream { LOG_STREAM_UNKNOWN = 0; LOG_STREAM_STDOUT = 1; LOG_STREAM_STDERR = 2; }
message LogSubscriptionOptions {
  repeated LogStream streams = 1 [packed = false];
  bool follow = 2;
  int64 tail = 3;
  google.protobuf.Timestamp since = 4;
}
message LogSelector {
  repeated string service_ids = 1;
  repeated string node_ids = 2;
  repeated string task_ids = 3;
}
message LogContext { string service_id = 1; string node_id = 2; string task_id = 3; }
message LogAttr { string key = 1; string value = 2; }
message LogMessage {
  LogContext context = 1;
  google.protobuf.Timestamp timestamp = 2;
  LogStream stream = 3;
  bytes data = 4;
  repeated LogAttr attrs = 5;
}
message SubscribeLogsRequest { LogSelector selector = 1; LogSubscriptionOptions options = 2; }
message SubscribeLogsMessage { repeated LogMessage messages = 1; }
message ListenSubscriptionsRequest {}
message SubscriptionMessage {
  string id = 1;
  LogSelector selector = 2;
  LogSubscriptionOptions options = 3;
  bool close = 4;
}
message PublishLogsMessage { string subscription_id = 1; repeated LogMessage messages = 2; bool close = 3; }
message PublishLogsResponse {}
service Logs {
  rpc SubscribeLogs(SubscribeLogsRequest) returns (stream SubscribeLogsMessage);
}
service LogBroker {
  rpc ListenSubscriptions(ListenSubscriptionsRequest) returns (stream SubscriptionMessage);
  rpc PublishLogs(stream PublishLogsMessage) returns (PublishLogsResponse);
}

// ---- resource.proto ----
message AttachNetworkRequest { NetworkAttachmentConfig config = 1; string container_id = 2; }
message AttachNetworkResponse { string attachment_id = 1; }
message DetachNetworkRequest { string attachment_id = 1; }
message DetachNetworkResponse {}
service ResourceAllocator {
  rpc AttachNetwork(AttachNetworkRequest) returns (AttachNetworkResponse);
  rpc DetachNetwork(DetachNetworkRequest) returns (DetachNetworkResponse);
}
`;
