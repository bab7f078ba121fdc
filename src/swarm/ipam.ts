/**
 * The swarm manager's address allocation, pure (no I/O), as the leader's default IPAM does it —
 * the public surface of `ipam-pools.ts` (the cluster's subnets), `ipam-config.ts` (validation of
 * `--subnet/--gateway/--ip-range/--aux-address`) and, here, the addresses inside one subnet.
 * Sources (read, not copied): moby `daemon/libnetwork/ipams/defaultipam/allocator.go`,
 * `internal/addrset/addrset.go`, `bitmap/sequence.go`, `network.go` (`ipamAllocateVersion`) and
 * the manager's allocator `daemon/libnetwork/cnmallocator/networkallocator.go` (formerly swarmkit
 * `manager/allocator/cnmallocator/`). Reference: docker-overlay-facts.md §6.
 *
 * `SubnetAllocator` — one network's subnet: the network and broadcast addresses are never handed
 * out (except in a /31 or /32, RFC 3021, which reserve nothing), the gateway is reserved first (the
 * first free address of the range unless `--gateway` names one), then each `--aux-address`. Task,
 * VIP and load-balancer addresses are allocated **serially**, as the manager asks
 * (`setIPAMSerialAlloc`): the scan goes on after the last address handed out, so a released
 * address comes back only when the scan wraps. `--ip-range` limits what is handed out dynamically;
 * a requested address need only be inside the subnet.
 *
 * Deliberate differences, each a libnetwork oddity no user would want reproduced:
 * - swarmkit's manager reserves no `--aux-address` (only each node's libnetwork does, where a task
 *   given such an address then fails to start); here they are reserved at the manager, with the
 *   node's messages;
 * - reserved addresses (network, broadcast, gateway, aux) cannot be released one by one: they go
 *   with the allocator (libnetwork would clear the bit and hand the address out later).
 */
import type { IPv4CidrRange } from 'ip-num';
import { cidrOrThrow, firstOf, IPV4_BITS, IpamError, ipamErrors, invalidRange, invalidSubnet, ipv4String, lastOf, masked, parseIpv4, prefixLength } from './ipam-errors.js';
import { SerialBitmap } from './serial-bitmap.js';

export { IpamError, type IpamErrorCode, type IpamErrorKind, type IpamErrorSource } from './ipam-errors.js';
export { AddressPools, DEFAULT_ADDRESS_POOL, DEFAULT_SUBNET_SIZE, GLOBAL_ADDRESS_SPACE, MAX_SUBNET_SIZE } from './ipam-pools.js';
export { parseNetworkIpamOptions, type NetworkIpamOptions, type NetworkIpamRequest } from './ipam-config.js';

/** Below this many host bits a subnet is a point-to-point link (RFC 3021): nothing reserved. */
const MIN_HOST_BITS_WITH_RESERVED = 2;

export interface SubnetOptions {
  /** `--gateway`; absent: the first free address of the range. */
  readonly gateway?: string | undefined;
  /** `--ip-range`: dynamic allocation stays inside it. */
  readonly ipRange?: string | undefined;
  /** `--aux-address name=ip`, reserved after the gateway in this order. */
  readonly auxAddresses?: Readonly<Record<string, string>>;
  /** Serial allocation: swarm always (the default), local bridges never. */
  readonly serial?: boolean;
  /** The network's name, for libnetwork's message about an unparsable auxiliary address. */
  readonly networkName?: string;
}

/** What a reserved address is reserved as. */
export type ReservedRole = 'network' | 'broadcast' | 'gateway' | `aux:${string}`;

export class SubnetAllocator {
  /** The subnet, masked (libnetwork's `RequestPool` drops host bits). */
  readonly subnet: string;
  readonly gateway: string;
  /** The dynamic range when narrower than the subnet, masked. */
  readonly ipRange: string | undefined;
  readonly auxAddresses: Readonly<Record<string, string>>;
  readonly serial: boolean;
  readonly #range: IPv4CidrRange;
  readonly #base: number;
  readonly #bitmap: SerialBitmap;
  /** Dynamic allocation bounds, as ordinals from the subnet's first address. */
  readonly #start: number = 0;
  readonly #end: number;
  readonly #reserved = new Map<number, ReservedRole>();

  constructor(subnet: string, options: SubnetOptions = {}) {
    this.serial = options.serial ?? true;
    this.#range = masked(cidrOrThrow(subnet, invalidSubnet));
    this.subnet = this.#range.toCidrString();
    this.#base = firstOf(this.#range);
    const hostBits = IPV4_BITS - prefixLength(this.#range);
    this.#bitmap = new SerialBitmap(2 ** hostBits);
    this.#end = this.#bitmap.bits - 1;

    if (options.ipRange !== undefined && options.ipRange !== '') {
      const child = masked(cidrOrThrow(options.ipRange, invalidRange));
      // allocator.go: a range wider than its subnet means the whole subnet (networks from before
      // moby 24 were created like that); one equal to it is no range at all.
      if (prefixLength(child) >= prefixLength(this.#range)) {
        if (!this.#range.contains(child)) {
          // addrset.go `AddAnyInRange`; libnetwork finds out only at the first allocation.
          throw new IpamError('invalid-subpool', `add-any, range '${child.toCidrString()}' is not in subnet '${this.subnet}'`, 'internal', 'libnetwork');
        }
        if (prefixLength(child) > prefixLength(this.#range)) {
          this.#start = firstOf(child) - this.#base;
          this.#end = lastOf(child) - this.#base;
          this.ipRange = child.toCidrString();
        }
      }
    }

    // allocator.go `newPoolData`: network and broadcast addresses, except on a /31 or /32.
    if (hostBits >= MIN_HOST_BITS_WITH_RESERVED) {
      this.#reserve(0, 'network');
      this.#reserve(this.#bitmap.bits - 1, 'broadcast');
    }

    // network.go `ipamAllocateVersion`: the gateway first, then the auxiliary addresses.
    const gatewayText = options.gateway ?? '';
    if (gatewayText !== '' && parseIpv4(gatewayText) === undefined) {
      // network.go `IpamConf.Validate`.
      throw new IpamError('invalid-address', `invalid gateway address ${gatewayText} in Ipam configuration`, 'invalid-parameter', 'libnetwork');
    }
    let gateway: number;
    try {
      gateway = gatewayText === '' ? this.#allocateDynamic() : this.#allocateRequested(gatewayText);
    } catch (e) {
      throw e instanceof IpamError ? e.wrap(`failed to allocate gateway (${gatewayText}): `, 'internal') : e;
    }
    this.#reserved.set(gateway, 'gateway');
    this.gateway = ipv4String(this.#base + gateway);

    const aux: Record<string, string> = {};
    for (const [name, text] of Object.entries(options.auxAddresses ?? {})) {
      const ip = parseIpv4(text);
      if (ip === undefined) {
        const message = `non parsable secondary ip address (${name}:${text}) passed for network ${options.networkName ?? ''}`;
        throw new IpamError('invalid-address', message, 'invalid-parameter', 'libnetwork');
      }
      if (!this.#range.contains(ip)) {
        const message = `auxiliary address: (${name}:${text}) must belong to the master pool: ${this.subnet}`;
        throw new IpamError('ip-out-of-range', message, 'forbidden', 'libnetwork');
      }
      const ordinal = Number(ip.getValue()) - this.#base;
      if (this.#bitmap.set(ordinal) !== undefined) {
        throw ipamErrors.ipAlreadyAllocated().wrap(`failed to allocate secondary ip address (${name}:${text}): `, 'internal');
      }
      this.#reserved.set(ordinal, `aux:${name}`);
      aux[name] = ip.toString();
    }
    this.auxAddresses = aux;
  }

  /** Addresses taken, reserved ones included (libnetwork's `IPsInUse`). */
  get inUse(): number {
    return this.#bitmap.ones;
  }

  /**
   * An address for an endpoint (task, VIP, node load balancer): `preferred` if given and free
   * (`Address already in use` otherwise; `requested address is out of range` outside the subnet),
   * else the next free one of the range, serially (`no available addresses on this pool`).
   */
  allocate(preferred?: string): string {
    // cnmallocator: an empty address asks for any address.
    const ordinal = preferred === undefined || preferred === '' ? this.#allocateDynamic() : this.#allocateRequested(preferred);
    return ipv4String(this.#base + ordinal);
  }

  /**
   * libnetwork `ReleaseAddress`: frees `ip`; false if it was not in use. Outside the subnet:
   * `requested address is out of range`. A reserved address throws (see the module doc).
   */
  release(ip: string): boolean {
    const ordinal = this.#ordinalOf(ip, 'invalid address');
    const role = this.#reserved.get(ordinal);
    if (role !== undefined) {
      throw new IpamError('reserved-address', `swarmnet: ${ip} is reserved in ${this.subnet} (${role}) and cannot be released`, 'forbidden', 'swarmnet');
    }
    const was = this.#bitmap.isSet(ordinal);
    this.#bitmap.unset(ordinal);
    return was;
  }

  /** Whether `ip` is taken (allocated or reserved); false outside the subnet. */
  has(ip: string): boolean {
    const ordinal = this.#ordinalInside(ip);
    return ordinal !== undefined && this.#bitmap.isSet(ordinal);
  }

  /** What `ip` is reserved as, if it is. */
  reservedAs(ip: string): ReservedRole | undefined {
    const ordinal = this.#ordinalInside(ip);
    return ordinal === undefined ? undefined : this.#reserved.get(ordinal);
  }

  #allocateDynamic(): number {
    const ordinal = this.#bitmap.setAnyInRange(this.#start, this.#end, this.serial);
    if (ordinal === undefined) throw ipamErrors.noAvailableIps();
    return ordinal;
  }

  #allocateRequested(text: string): number {
    const ordinal = this.#ordinalOf(text, 'invalid preferred address');
    if (this.#bitmap.set(ordinal) !== undefined) throw ipamErrors.ipAlreadyAllocated();
    return ordinal;
  }

  /** `text`'s ordinal in the subnet; unparsable or outside: the IPAM's errors. */
  #ordinalOf(text: string, invalid: 'invalid preferred address' | 'invalid address'): number {
    const ip = parseIpv4(text);
    // allocator.go `RequestAddress` / `ReleaseAddress` given something that is no address.
    if (ip === undefined) throw new IpamError('invalid-address', `${invalid}: ${text}`, 'invalid-parameter', 'libnetwork');
    if (!this.#range.contains(ip)) throw ipamErrors.ipOutOfRange();
    return Number(ip.getValue()) - this.#base;
  }

  #ordinalInside(text: string): number | undefined {
    const ip = parseIpv4(text);
    return ip !== undefined && this.#range.contains(ip) ? Number(ip.getValue()) - this.#base : undefined;
  }

  #reserve(ordinal: number, role: ReservedRole): void {
    this.#bitmap.set(ordinal);
    this.#reserved.set(ordinal, role);
  }
}

/**
 * The manager's allocation of one endpoint address on a network with several subnets
 * (cnmallocator `allocateNetworkIPs` / `allocateVIP`): each subnet in turn; a full subnet, or a
 * `preferred` address outside it, moves on to the next; any other failure stops.
 */
export function allocateNetworkAddress(subnets: readonly SubnetAllocator[], preferred?: string, purpose: 'endpoint' | 'vip' = 'endpoint'): string {
  const vip = purpose === 'vip';
  for (const subnet of subnets) {
    try {
      return subnet.allocate(preferred);
    } catch (e) {
      if (!(e instanceof IpamError)) throw e;
      if (e.code === 'no-available-ips' || e.code === 'ip-out-of-range') continue;
      throw e.wrap(vip ? 'could not allocate VIP from IPAM: ' : 'could not allocate IP from IPAM: ', 'internal');
    }
  }
  const message = vip ? 'could not find an available IP while allocating VIP' : 'could not find an available IP';
  throw new IpamError('no-available-ips', message, 'internal', 'swarmkit');
}
