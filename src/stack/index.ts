/**
 * `stack/`: the emulated container IP stack (Ethernet, ARP and the neighbour cache, IPv4 with
 * fragmentation and reassembly, ICMP, UDP, loopback). Its public surface: `createNetStack` and the
 * boundary types of types.ts, plus the named limits and defaults a caller may want to show.
 */
export * from './types.js';
export { createNetStack, STACK_INTERFACES_MAX, type NetStackOptions } from './stack.js';
export { LOOPBACK_ADDRESS, LOOPBACK_BACKLOG_MAX, LOOPBACK_CONFIG, LOOPBACK_MTU } from './loopback.js';
export { DEFAULT_TTL } from './ipv4-output.js';
export {
  ARP_MCAST_SOLICIT,
  ARP_RETRANS_TIME,
  ARP_UCAST_SOLICIT,
  NEIGHBOUR_FAILED_HOLD,
  NEIGHBOUR_QUEUE_MAX,
  NEIGHBOUR_REACHABLE_TIME,
  NEIGHBOUR_TABLE_MAX,
} from './neighbour.js';
export { REASSEMBLY_MEMORY_MAX, REASSEMBLY_TIMEOUT } from './reassembly.js';
export { EPHEMERAL_PORT_MAX, EPHEMERAL_PORT_MIN, UDP_SOCKETS_MAX } from './udp.js';
export { ROUTE_TABLE_MAX, directedBroadcast, networkOf, prefixMask } from './route.js';
