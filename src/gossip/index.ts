/**
 * `gossip/`: the public surface. memberlist (SWIM with Lifeguard) on 7946 and NetworkDB's
 * per-network tables on top, over a transport (real loopback sockets or an in-memory network).
 */
export { GOSSIP_PORT, LAN_TIMING, PROTOCOL_VERSION, pushPullScale, remainingSuspicionTime, retransmitLimit, suspicionTimeout, type MemberlistTiming } from './config.js';
export { Memberlist, type MemberlistDelegate, type MemberlistOptions, type MemberlistStats } from './memberlist.js';
export type { Member, MemberStateName } from './member-state.js';
export { NetworkDB, type NdbNode, type NetworkDBOptions, type NetworkDBStats } from './networkdb.js';
export type { TableEntry, TableWatchEvent } from './table-store.js';
export { SocketTransport } from './socket-transport.js';
export { MemoryGossipNetwork, MemoryTransport } from './memory-transport.js';
export type { GossipAddress, GossipStream, GossipTransport } from './transport.js';
