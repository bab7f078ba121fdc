/**
 * The manager's network allocator (swarmkit `manager/allocator/network.go` over libnetwork's
 * default IPAM and the overlay driver's VNI manager): per network a subnet (from the cluster's
 * default pools, or the user's `--subnet`), its gateway, an address allocator for everything that
 * gets an address on it (node load-balancer endpoints, VIPs, tasks), and a VXLAN ID.
 */
import type { PbNetworkSpec } from '../wire/swarmkit.js';
import { GrpcCode, GrpcStatusError } from './grpc-client.js';
import { AddressPools, SubnetAllocator, parseNetworkIpamOptions, IpamError } from './ipam.js';
import { OVERLAY_VXLAN_ID_LIST, parseVxlanIdList, VniAllocator, VniError } from './vni.js';

export interface NetworkAllocation {
  readonly subnet: string;
  readonly gateway: string;
  readonly range?: string;
  readonly reserved: Record<string, string>;
  readonly vni: number;
}

interface Allocated {
  readonly subnet: string;
  /** Whether the subnet came from the default pools (and goes back to them). */
  readonly fromPool: boolean;
  readonly addresses: SubnetAllocator;
  readonly vni: number;
}

export class NetworkAllocator {
  readonly #pools: AddressPools;
  readonly #vnis = new VniAllocator();
  readonly #networks = new Map<string, Allocated>();

  constructor(options: { readonly pools: readonly string[]; readonly subnetSize: number }) {
    this.#pools = new AddressPools(options.pools, options.subnetSize);
  }

  allocate(networkId: string, spec: PbNetworkSpec): NetworkAllocation {
    const config = spec.ipam?.configs?.[0];
    const requestedVni = spec.driver_config?.options?.[OVERLAY_VXLAN_ID_LIST];
    return failuresAsStatus(() => {
      const ipam = parseNetworkIpamOptions({
        subnet: config?.subnet || undefined,
        gateway: config?.gateway || undefined,
        ipRange: config?.range || undefined,
        auxAddresses: config?.reserved ?? {},
      });
      const fromPool = ipam.subnet === undefined;
      const subnet = fromPool ? this.#pools.allocateSubnet() : this.#pools.reserveSubnet(ipam.subnet!);
      let vni: number;
      try {
        if (requestedVni === undefined) vni = this.#vnis.allocate();
        else {
          const vnis = parseVxlanIdList(requestedVni);
          if (vnis.length !== 1) throw new VniError('invalid-vxlan-id', `swarmnet: one VXLAN ID per network (got ${requestedVni})`);
          vni = this.#vnis.reserve(vnis[0]!);
        }
      } catch (error) {
        this.#pools.releaseSubnet(subnet);
        throw error;
      }
      const addresses = new SubnetAllocator(subnet, { gateway: ipam.gateway, ipRange: ipam.ipRange, auxAddresses: ipam.auxAddresses });
      this.#networks.set(networkId, { subnet, fromPool, addresses, vni });
      return {
        subnet,
        gateway: addresses.gateway,
        ...(ipam.ipRange !== undefined ? { range: ipam.ipRange } : {}),
        reserved: { ...ipam.auxAddresses },
        vni,
      };
    });
  }

  /** An address on the network in CIDR form (`10.0.0.2/24`). */
  allocateAddress(networkId: string, preferred?: string): string {
    const network = this.#network(networkId);
    const prefix = network.subnet.split('/')[1];
    return failuresAsStatus(() => `${network.addresses.allocate(preferred)}/${prefix}`);
  }

  releaseAddress(networkId: string, cidrAddress: string): void {
    const network = this.#networks.get(networkId);
    if (!network) return;
    network.addresses.release(cidrAddress.split('/')[0]!);
  }

  release(networkId: string): void {
    const network = this.#networks.get(networkId);
    if (!network) return;
    this.#networks.delete(networkId);
    this.#pools.releaseSubnet(network.subnet);
    this.#vnis.release(network.vni);
  }

  #network(networkId: string): Allocated {
    const network = this.#networks.get(networkId);
    if (!network) throw new GrpcStatusError(GrpcCode.NotFound, `network ${networkId} not found`);
    return network;
  }
}

/** IPAM and VNI refusals reach the user as swarmkit's allocator reports them. */
function failuresAsStatus<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof IpamError || error instanceof VniError) throw new GrpcStatusError(GrpcCode.InvalidArgument, error.message);
    throw error;
  }
}
