/**
 * Validation of `docker swarm init` / `join` addresses and pools, as moby's daemon validates them
 * (`daemon/cluster/listen_addr.go`, `swarm.go`, `daemon/cluster/convert/swarm.go`) — restricted
 * to what an emulated host can honour: it owns one loopback address, and sockets only ever bind
 * or reach 127.0.0.0/8.
 */
import { IPv4CidrRange } from 'ip-num';
import { DEFAULT_MANAGEMENT_PORT } from '../swarm/dispatcher.js';
import { DEFAULT_ADDRESS_POOL, DEFAULT_SUBNET_SIZE } from '../swarm/ipam.js';
import type { AvailabilityName } from '../wire/swarmkit.js';
import { EngineApiError, type SwarmInitRequest } from './engine-api.js';

/** IANA's VXLAN port (RFC 7348 §5), moby `defaultVXLANUDPPort`. */
export const DEFAULT_DATA_PATH_PORT = 4789;

export interface InitSettings {
  readonly listenPort: number;
  readonly availability: AvailabilityName;
  readonly dataPathPort: number;
  readonly defaultAddrPool: readonly string[];
  readonly subnetSize: number;
}

export interface HostAddressing {
  readonly address: string;
  /** 2377, or 0 in port mode. */
  readonly managementPort: number;
  readonly dataPathPort: number;
}

export function parseSwarmInit(request: SwarmInitRequest, host: HostAddressing): InitSettings {
  if (request.ForceNewCluster) throw new EngineApiError('swarmnet: --force-new-cluster is not supported (managers do not replicate their store, so there is no Raft state to recover)', 400);
  let listenPort = host.managementPort;
  for (const [flag, value] of [
    ['advertise', request.AdvertiseAddr],
    ['listen', request.ListenAddr],
  ] as const) {
    if (value === undefined || value === '') continue;
    const { ip, port } = splitAddr(value, flag === 'listen' ? 'invalid listen address' : 'invalid advertise address');
    if (ip !== host.address && !(flag === 'listen' && ip === '0.0.0.0')) {
      throw new EngineApiError(`swarmnet: ${flag} address ${ip} is not an address of this host (it owns ${host.address} only)`, 400);
    }
    if (port !== undefined && host.managementPort !== 0 && port !== host.managementPort) {
      throw new EngineApiError(`swarmnet: this host serves cluster management on port ${host.managementPort}, not ${port}`, 400);
    }
    if (flag === 'listen' && port !== undefined && host.managementPort !== 0) listenPort = port;
  }
  const dataPathPort = request.DataPathPort ?? 0;
  if (dataPathPort !== 0) {
    if (!Number.isInteger(dataPathPort) || dataPathPort < 1024 || dataPathPort > 49151) {
      throw new EngineApiError(`data path port must be in the range 1024 to 49151: ${dataPathPort}`, 400);
    }
    if (dataPathPort !== host.dataPathPort) {
      throw new EngineApiError(
        `swarmnet: this host's VXLAN socket is bound to port ${host.dataPathPort}; start the cluster with --data-path-port ${dataPathPort} to use that port`,
        400,
      );
    }
  }
  const subnetSize = request.SubnetSize ?? 0;
  if (subnetSize !== 0 && (!Number.isInteger(subnetSize) || subnetSize < 1 || subnetSize > 29)) {
    throw new EngineApiError(`invalid subnet size: ${subnetSize}`, 400);
  }
  const pools = (request.DefaultAddrPool ?? []).map((cidr) => {
    if (!isCidr(cidr)) throw new EngineApiError(`invalid CIDR address: ${cidr}`, 400);
    const size = subnetSize || DEFAULT_SUBNET_SIZE;
    const prefix = Number(cidr.split('/')[1]);
    if (prefix > size) throw new EngineApiError(`invalid default address pool ${cidr}: subnet size ${size} is smaller than the pool's prefix /${prefix}`, 400);
    return cidr;
  });
  const availability = (request.Availability ?? 'active').toUpperCase();
  if (availability !== 'ACTIVE' && availability !== 'PAUSE' && availability !== 'DRAIN') {
    throw new EngineApiError(`invalid availability: ${request.Availability}`, 400);
  }
  return {
    listenPort,
    availability,
    dataPathPort: dataPathPort || host.dataPathPort || DEFAULT_DATA_PATH_PORT,
    defaultAddrPool: pools.length > 0 ? pools : [DEFAULT_ADDRESS_POOL],
    subnetSize: subnetSize || DEFAULT_SUBNET_SIZE,
  };
}

/** `HOST[:PORT]` of a manager to join: loopback only (port 2377 when omitted). */
export function parseRemoteAddr(value: string): { host: string; port: number } {
  const { ip, port } = splitAddr(value, 'invalid remote address');
  if (!/^127\./.test(ip)) {
    throw new EngineApiError(`swarmnet: remote address ${ip} is not a loopback address; emulated hosts live on 127.0.0.0/8`, 400);
  }
  return { host: ip, port: port ?? DEFAULT_MANAGEMENT_PORT };
}

function splitAddr(value: string, what: string): { ip: string; port: number | undefined } {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(value.trim());
  if (!match || match[1]!.split('.').some((o) => Number(o) > 255)) {
    throw new EngineApiError(`${what} (${value}): must be an IPv4 address with an optional port`, 400);
  }
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new EngineApiError(`${what} (${value}): invalid port`, 400);
  return { ip: match[1]!, port };
}

function isCidr(value: string): boolean {
  try {
    IPv4CidrRange.fromCidr(value);
    return true;
  } catch {
    return false;
  }
}
