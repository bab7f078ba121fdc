/**
 * NetworkDB's protobuf messages (networkdb-schema.ts) as protobufjs types, and the table payloads
 * `PeerRecord` and `EndpointRecord`. Encoders take plain objects with the .proto's snake_case
 * names; decoders never throw at their caller — malformed bytes are a `Drop`. Lamport times are
 * uint64 on the wire and numbers here: one tick per event keeps them far below 2^53.
 */
import protobuf from 'protobufjs';
import { drop, ok, type Result } from '../util/drop.js';
import { AGENT_PROTO, NETWORKDB_PROTO, OVERLAY_PROTO } from './networkdb-schema.js';

export const OVERLAY_PEER_TABLE = 'overlay_peer_table';
export const ENDPOINT_TABLE = 'endpoint_table';
/** moby `message.go`: a compound's header and each part's overhead, for size budgets. */
export const NDB_COMPOUND_HEADER_OVERHEAD = 5;
export const NDB_COMPOUND_OVERHEAD = 4;
/** Most parts one compound (or bulk sync) may hold. */
export const MAX_NDB_COMPOUND_MESSAGES = 65_536;
/** Largest NetworkDB message accepted (memberlist's stream limit). */
export const MAX_NDB_MESSAGE_BYTES = 20 * 1024 * 1024;

const root = new protobuf.Root();
protobuf.parse(NETWORKDB_PROTO, root, { keepCase: true });
protobuf.parse(OVERLAY_PROTO, root, { keepCase: true });
protobuf.parse(AGENT_PROTO, root, { keepCase: true });
root.resolveAll();

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, arrays: true, bytes: Array };
const type = (name: string) => root.lookupType(name);
const GOSSIP = type('networkdb.GossipMessage');
const COMPOUND = type('networkdb.CompoundMessage');

export type NdbMessageTypeName = 'NETWORK_EVENT' | 'TABLE_EVENT' | 'PUSH_PULL' | 'BULK_SYNC' | 'COMPOUND' | 'NODE_EVENT';
const INNER: Record<NdbMessageTypeName, string> = {
  NETWORK_EVENT: 'networkdb.NetworkEvent',
  TABLE_EVENT: 'networkdb.TableEvent',
  PUSH_PULL: 'networkdb.NetworkPushPull',
  BULK_SYNC: 'networkdb.BulkSyncMessage',
  COMPOUND: 'networkdb.CompoundMessage',
  NODE_EVENT: 'networkdb.NodeEvent',
};

export interface NdbNodeEvent {
  type: 'INVALID' | 'JOIN' | 'LEAVE';
  l_time: number;
  node_name: string;
}
export interface NdbNetworkEvent extends NdbNodeEvent {
  network_id: string;
}
export interface NdbNetworkEntry {
  network_id: string;
  l_time: number;
  node_name: string;
  leaving: boolean;
}
export interface NdbNetworkPushPull {
  l_time: number;
  networks: NdbNetworkEntry[];
  node_name: string;
}
export interface NdbTableEvent {
  type: 'INVALID' | 'CREATE' | 'UPDATE' | 'DELETE';
  l_time: number;
  node_name: string;
  network_id: string;
  table_name: string;
  key: string;
  value: Uint8Array;
  residual_reap_time: number;
}
export interface NdbBulkSyncMessage {
  l_time: number;
  unsolicited: boolean;
  node_name: string;
  networks: string[];
  payload: Uint8Array;
}
export interface NdbPeerRecord {
  endpoint_ip: string;
  endpoint_mac: string;
  tunnel_endpoint_ip: string;
  /** swarmnet's field 1000 (port mode); 0 when absent. */
  swarmnet_tunnel_endpoint_port?: number;
}
export interface NdbPortConfig {
  name: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  target_port: number;
  published_port: number;
}
export interface NdbEndpointRecord {
  name: string;
  service_name: string;
  service_id: string;
  virtual_ip: string;
  endpoint_ip: string;
  ingress_ports: NdbPortConfig[];
  aliases: string[];
  task_aliases: string[];
  service_disabled: boolean;
}

export type NdbDecoded =
  | { readonly type: 'NODE_EVENT'; readonly event: NdbNodeEvent }
  | { readonly type: 'NETWORK_EVENT'; readonly event: NdbNetworkEvent }
  | { readonly type: 'TABLE_EVENT'; readonly event: NdbTableEvent }
  | { readonly type: 'PUSH_PULL'; readonly event: NdbNetworkPushPull }
  | { readonly type: 'BULK_SYNC'; readonly event: NdbBulkSyncMessage }
  | { readonly type: 'COMPOUND'; readonly messages: Uint8Array[] };

function encodeAs(name: string, value: object): Uint8Array {
  const t = type(name);
  return t.encode(t.fromObject(value as Record<string, unknown>)).finish();
}

/** protobufjs gives bytes as number arrays with `bytes: Array`; back to Uint8Array. */
function bytesField(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? v : Uint8Array.from((v as number[] | undefined) ?? []);
}

function decodeAs<T>(name: string, bytes: Uint8Array): Result<T> {
  if (bytes.length > MAX_NDB_MESSAGE_BYTES) return drop('too-large', 0, bytes.length);
  try {
    const t = type(name);
    return ok(t.toObject(t.decode(bytes), TO_OBJECT) as T);
  } catch {
    return drop('malformed', 0);
  }
}

/** moby `encodeMessage`: the inner message, wrapped in a GossipMessage of `messageType`. */
export function encodeGossip(messageType: NdbMessageTypeName, inner: object): Uint8Array {
  return GOSSIP.encode(GOSSIP.fromObject({ type: messageType, data: encodeAs(INNER[messageType], inner) })).finish();
}

/** moby `makeCompoundMessage`: several GossipMessages in one. */
export function encodeCompound(messages: readonly Uint8Array[]): Uint8Array {
  const data = COMPOUND.encode(COMPOUND.fromObject({ messages: messages.map((Payload) => ({ Payload })) })).finish();
  return GOSSIP.encode(GOSSIP.fromObject({ type: 'COMPOUND', data })).finish();
}

/** One GossipMessage and what it carries (compound parts left encoded for the caller). */
export function decodeGossip(bytes: Uint8Array): Result<NdbDecoded> {
  const outer = decodeAs<{ type: string; data: number[] }>('networkdb.GossipMessage', bytes);
  if (!outer.ok) return outer;
  const data = bytesField(outer.value.data);
  switch (outer.value.type) {
    case 'NODE_EVENT': {
      const e = decodeAs<NdbNodeEvent>(INNER.NODE_EVENT, data);
      return e.ok ? ok({ type: 'NODE_EVENT', event: e.value }) : e;
    }
    case 'NETWORK_EVENT': {
      const e = decodeAs<NdbNetworkEvent>(INNER.NETWORK_EVENT, data);
      return e.ok ? ok({ type: 'NETWORK_EVENT', event: e.value }) : e;
    }
    case 'TABLE_EVENT': {
      const e = decodeAs<NdbTableEvent>(INNER.TABLE_EVENT, data);
      return e.ok ? ok({ type: 'TABLE_EVENT', event: { ...e.value, value: bytesField(e.value.value) } }) : e;
    }
    case 'PUSH_PULL': {
      const e = decodeAs<NdbNetworkPushPull>(INNER.PUSH_PULL, data);
      return e.ok ? ok({ type: 'PUSH_PULL', event: e.value }) : e;
    }
    case 'BULK_SYNC': {
      const e = decodeAs<NdbBulkSyncMessage>(INNER.BULK_SYNC, data);
      return e.ok ? ok({ type: 'BULK_SYNC', event: { ...e.value, payload: bytesField(e.value.payload) } }) : e;
    }
    case 'COMPOUND': {
      const e = decodeAs<{ messages: { Payload: number[] }[] }>(INNER.COMPOUND, data);
      if (!e.ok) return e;
      if (e.value.messages.length > MAX_NDB_COMPOUND_MESSAGES) return drop('too-large', 0, e.value.messages.length);
      return ok({ type: 'COMPOUND', messages: e.value.messages.map((m) => bytesField(m.Payload)) });
    }
    default:
      return drop('unsupported', 0, typeof outer.value.type === 'number' ? outer.value.type : undefined);
  }
}

export function encodePeerRecord(r: NdbPeerRecord): Uint8Array {
  return encodeAs('overlay.PeerRecord', r);
}

export function decodePeerRecord(bytes: Uint8Array): Result<NdbPeerRecord> {
  return decodeAs<NdbPeerRecord>('overlay.PeerRecord', bytes);
}

export function encodeEndpointRecord(r: NdbEndpointRecord): Uint8Array {
  return encodeAs('libnetwork.EndpointRecord', r);
}

export function decodeEndpointRecord(bytes: Uint8Array): Result<NdbEndpointRecord> {
  return decodeAs<NdbEndpointRecord>('libnetwork.EndpointRecord', bytes);
}
