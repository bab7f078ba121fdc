/**
 * One emulated Docker host: its composition (`Host`), containers, networks, the control
 * protocol it serves, and the piscina task (`worker.ts`, loaded by file name, not from here).
 */
export { Host, MAX_CONTAINERS_PER_HOST, FIRST_VETH_IFINDEX, type HostOptions } from './host.js';
export { Container, DEFAULT_EXEC_TIMEOUT_MS, EXEC_KILL_GRACE_MS, EXIT_NOT_FOUND, MAX_EXEC_OUTPUT_CHARS } from './container.js';
export {
  Networks,
  PREDEFINED_BRIDGES,
  BRIDGE_NETWORK,
  GWBRIDGE_NETWORK,
  DEFAULT_OVERLAY_MTU,
  DEFAULT_BRIDGE_MTU,
  MAX_NETWORKS_PER_HOST,
  type HostNetwork,
} from './networks.js';
export { ControlServer } from './control-server.js';
export * from './control.js';
export { SerialIpAllocator, AddressPoolExhaustedError, parseCidr, makeSubnet, defaultGateway, formatSubnet, type Subnet } from './ipam.js';
