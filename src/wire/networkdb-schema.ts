/**
 * The .proto text of Docker's gossip payloads, with moby's package names, message names and field
 * numbers (wire protocol: append only; gogoproto options dropped, they change Go code, not bytes):
 *
 * - `networkdb` — `daemon/libnetwork/networkdb/networkdb.proto`: every NetworkDB message is a
 *   `GossipMessage` wrapping one of the others;
 * - `overlay` — `drivers/overlay/overlay.proto`: `PeerRecord`, the value of `overlay_peer_table`;
 * - `libnetwork` — `agent.proto`: `EndpointRecord`, the value of `endpoint_table`.
 *
 * The one swarmnet addition is `PeerRecord.swarmnet_tunnel_endpoint_port` (field 1000), documented
 * where it stands. `swarmnet proto DIR` writes these files for Wireshark.
 */

export const NETWORKDB_PROTO = `syntax = "proto3";

package networkdb;

// What a GossipMessage carries.
enum MessageType {
  INVALID = 0;
  NETWORK_EVENT = 1;
  TABLE_EVENT = 2;
  PUSH_PULL = 3;
  BULK_SYNC = 4;
  COMPOUND = 5;
  NODE_EVENT = 6;
}

// The envelope of every NetworkDB message.
message GossipMessage {
  MessageType type = 1;
  bytes data = 2;
}

// A node joining or leaving the cluster (networkClock time).
message NodeEvent {
  enum Type {
    INVALID = 0;
    JOIN = 1;
    LEAVE = 2;
  }
  Type type = 1;
  uint64 l_time = 2;
  string node_name = 3;
}

// A node joining or leaving a network (networkClock time).
message NetworkEvent {
  enum Type {
    INVALID = 0;
    JOIN = 1;
    LEAVE = 2;
  }
  Type type = 1;
  uint64 l_time = 2;
  string node_name = 3;
  string network_id = 4;
}

// One (node, network) membership in a push/pull.
message NetworkEntry {
  string network_id = 1;
  uint64 l_time = 2;
  string node_name = 3;
  bool leaving = 4;
}

// NetworkDB's user state in memberlist's push/pull.
message NetworkPushPull {
  uint64 l_time = 1;
  repeated NetworkEntry networks = 2;
  string node_name = 3;
}

// A table entry created, updated or deleted (tableClock time).
message TableEvent {
  enum Type {
    INVALID = 0;
    CREATE = 1;
    UPDATE = 2;
    DELETE = 3;
  }
  Type type = 1;
  uint64 l_time = 2;
  string node_name = 3;
  string network_id = 4;
  string table_name = 5;
  string key = 6;
  bytes value = 7;
  // Seconds a tombstone has left to live.
  int32 residual_reap_time = 8;
}

// Whole networks' tables over TCP (payload: an encoded COMPOUND GossipMessage).
message BulkSyncMessage {
  uint64 l_time = 1;
  bool unsolicited = 2;
  string node_name = 3;
  repeated string networks = 4;
  bytes payload = 5;
}

// Several GossipMessages in one.
message CompoundMessage {
  message SimpleMessage {
    bytes Payload = 1;
  }
  repeated SimpleMessage messages = 1;
}
`;

export const OVERLAY_PROTO = `syntax = "proto3";

package overlay;

// The value of overlay_peer_table: one remote endpoint and where its VXLAN tunnel ends.
message PeerRecord {
  // CIDR, e.g. 10.0.1.5/24.
  string endpoint_ip = 1;
  string endpoint_mac = 2;
  string tunnel_endpoint_ip = 3;
  // swarmnet's extension: in port mode every host's VXLAN port differs, so the record names it.
  // Field 1000 is far from moby's numbers; a real Docker peer skips it as an unknown field. Left
  // out (0) in address mode, where every host uses the swarm's data-path port.
  uint32 swarmnet_tunnel_endpoint_port = 1000;
}
`;

export const AGENT_PROTO = `syntax = "proto3";

package libnetwork;

// The value of endpoint_table: what the embedded DNS serves.
message EndpointRecord {
  string name = 1;
  string service_name = 2;
  string service_id = 3;
  string virtual_ip = 4;
  string endpoint_ip = 5;
  repeated PortConfig ingress_ports = 6;
  repeated string aliases = 7;
  repeated string task_aliases = 8;
  bool service_disabled = 9;
}

message PortConfig {
  enum Protocol {
    TCP = 0;
    UDP = 1;
    SCTP = 2;
  }
  string name = 1;
  Protocol protocol = 2;
  uint32 target_port = 3;
  uint32 published_port = 4;
}
`;
