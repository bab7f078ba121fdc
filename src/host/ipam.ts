/**
 * Subnets and serial address allocation, as Docker's IPAM hands out addresses: the gateway is
 * the first usable address, and later addresses are allocated **serially** — the next free one
 * after the last handed out, wrapping — so a released address is not reused at once (moby
 * `daemon/libnetwork/ipams/defaultipam`, bitmap `SetAnyInRange(…, serial=true)`; reference
 * docker-overlay-facts.md §1.6). Pure: no I/O, shared by the host (local bridges) and the
 * cluster (overlays, until the manager's IPAM lands).
 */
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import { formatIpv4, parseIpv4Address, type Ipv4Addr } from '../wire/address.js';

export interface Subnet {
  readonly network: Ipv4Addr;
  readonly prefixLength: number;
}

/** Smallest network that still has a usable host address besides the gateway. */
export const MAX_PREFIX_LENGTH = 30;
/** Largest: a /8 (Docker refuses anything wider for a local pool as well). */
export const MIN_PREFIX_LENGTH = 8;

export function netmask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffff_ffff << (32 - prefixLength)) >>> 0;
}

export function broadcastOf(subnet: Subnet): Ipv4Addr {
  return (subnet.network | (~netmask(subnet.prefixLength) >>> 0)) >>> 0;
}

export function contains(subnet: Subnet, ip: Ipv4Addr): boolean {
  return ((ip & netmask(subnet.prefixLength)) >>> 0) === subnet.network;
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatIpv4(subnet.network)}/${subnet.prefixLength}`;
}

/** Checks a network address and prefix (host bits must be zero). */
export function makeSubnet(network: Ipv4Addr, prefixLength: number): Subnet {
  if (!Number.isInteger(prefixLength) || prefixLength < MIN_PREFIX_LENGTH || prefixLength > MAX_PREFIX_LENGTH) {
    throw new InvalidArgumentError(`subnet prefix length must be ${MIN_PREFIX_LENGTH}..${MAX_PREFIX_LENGTH}: ${prefixLength}`);
  }
  if (((network & netmask(prefixLength)) >>> 0) !== network) {
    throw new InvalidArgumentError(`invalid subnet ${formatIpv4(network)}/${prefixLength}: host bits set`);
  }
  return { network, prefixLength };
}

/** Parses `10.0.1.0/24`. */
export function parseCidr(text: string): Subnet {
  const slash = text.indexOf('/');
  if (slash < 0 || !/^[0-9]{1,2}$/.test(text.slice(slash + 1))) {
    throw new InvalidArgumentError(`invalid CIDR address: ${JSON.stringify(text)}`);
  }
  return makeSubnet(parseIpv4Address(text.slice(0, slash)), Number(text.slice(slash + 1)));
}

/** The first usable address (`.1` of a /24): Docker's default gateway. */
export function defaultGateway(subnet: Subnet): Ipv4Addr {
  return (subnet.network + 1) >>> 0;
}

/** No address left in a subnet. */
export class AddressPoolExhaustedError extends SwarmnetError {
  constructor(subnet: Subnet) {
    super('pool-exhausted', `no available IPv4 addresses on this network's address pools: ${formatSubnet(subnet)}`);
    this.name = 'AddressPoolExhaustedError';
  }
}

/**
 * Hands out host addresses of one subnet serially, never the network, broadcast or reserved
 * (gateway) addresses. The used set is bounded by the subnet's size.
 */
export class SerialIpAllocator {
  readonly #used = new Set<Ipv4Addr>();
  readonly #first: Ipv4Addr;
  readonly #last: Ipv4Addr;
  /** The last address handed out; allocation continues after it. */
  #cursor: Ipv4Addr;

  constructor(
    readonly subnet: Subnet,
    reserved: readonly Ipv4Addr[] = [],
  ) {
    this.#first = (subnet.network + 1) >>> 0;
    this.#last = (broadcastOf(subnet) - 1) >>> 0;
    this.#cursor = (this.#first - 1) >>> 0;
    for (const ip of reserved) this.claim(ip);
  }

  get size(): number {
    return this.#used.size;
  }

  has(ip: Ipv4Addr): boolean {
    return this.#used.has(ip);
  }

  /** Marks `ip` used; throws if it is outside the subnet's host range or already used. */
  claim(ip: Ipv4Addr): void {
    if (ip < this.#first || ip > this.#last) {
      throw new InvalidArgumentError(`address ${formatIpv4(ip)} is not a host address of ${formatSubnet(this.subnet)}`);
    }
    if (this.#used.has(ip)) {
      throw new SwarmnetError('address-in-use', `Address already in use: ${formatIpv4(ip)}`);
    }
    this.#used.add(ip);
  }

  /** The next free address after the last one handed out, wrapping. */
  allocate(): Ipv4Addr {
    const span = this.#last - this.#first + 1;
    for (let i = 1; i <= span; i++) {
      const ip = (this.#first + ((this.#cursor - this.#first + i) % span)) >>> 0;
      if (!this.#used.has(ip)) {
        this.#used.add(ip);
        this.#cursor = ip;
        return ip;
      }
    }
    throw new AddressPoolExhaustedError(this.subnet);
  }

  release(ip: Ipv4Addr): void {
    this.#used.delete(ip);
  }
}
