/**
 * `docker network create` (Engine API `NetworkCreateRequest`) → swarmkit `NetworkSpec`, as moby's
 * `daemon/cluster/convert/network.go` `BasicNetworkCreateToGRPC` converts it.
 */
import type { PbNetworkSpec } from '../wire/swarmkit.js';
import type { NetworkCreateRequest } from './engine-api.js';

export function networkSpec(request: NetworkCreateRequest): PbNetworkSpec {
  return {
    annotations: { name: request.Name, labels: { ...(request.Labels ?? {}) } },
    driver_config: { name: request.Driver || 'overlay', options: { ...(request.Options ?? {}) } },
    ipv6_enabled: request.EnableIPv6 === true,
    internal: request.Internal === true,
    ipam: {
      driver: { name: request.IPAM?.Driver || 'default', options: { ...(request.IPAM?.Options ?? {}) } },
      configs: (request.IPAM?.Config ?? []).map((c) => ({
        family: 'IPV4',
        subnet: c.Subnet ?? '',
        range: c.IPRange ?? '',
        gateway: c.Gateway ?? '',
        reserved: { ...(c.AuxiliaryAddresses ?? {}) },
      })),
    },
    attachable: request.Attachable === true,
    ingress: request.Ingress === true,
  };
}
