/**
 * The cluster: main-thread orchestration of emulated hosts (one piscina thread each), their
 * underlay addressing and typed control handles.
 */
export { Cluster, MAX_CLUSTER_HOSTS, HOST_READY_TIMEOUT_MS, HOST_SHUTDOWN_TIMEOUT_MS, resolveHostWorker } from './cluster.js';
export type { ClusterOptions, HostFailure, OverlaySpec, RunContainerSpec } from './cluster.js';
export { HostHandle, HostRequestError, HostTimeoutError, HostUnavailableError, DEFAULT_REQUEST_TIMEOUT_MS, type HostState } from './host-handle.js';
export {
  DEFAULT_DATA_PATH_PORT,
  MIN_DATA_PATH_PORT,
  MAX_DATA_PATH_PORT,
  claimAddressBlock,
  defaultUnderlayMode,
  validateDataPathPort,
  type AddressBlock,
  type UnderlayMode,
} from './addressing.js';
export type {
  ContainerInfo,
  ExecResult,
  HostStats,
  InterfaceInfo,
  InterfaceStats,
  NetworkInfo,
  UnderlayEndpointInfo,
} from '../host/control.js';
