/**
 * The swarm's address management (libnetwork's default IPAM as swarmkit drives it:
 * moby `daemon/libnetwork/ipams/defaultipam`, `ipamutils`; reference docker-overlay-facts.md §6):
 *
 * - `AddressPools`: the cluster's default pools (`--default-addr-pool`, 10.0.0.0/8) cut into
 *   subnets of `--default-addr-pool-mask-length` (24). Subnets are handed out in order, skipping
 *   any that overlaps one in use (a user's `--subnet` included): `ingress` gets 10.0.0.0/24 at
 *   `swarm init`, the first user overlay 10.0.1.0/24.
 * - `SubnetAllocator`: addresses inside one subnet, serially as libnetwork's bitmap with its
 *   rolling pointer hands them out — increasing order, a released address not reused until the
 *   pointer wraps — never the network or broadcast address, the gateway (`.1` by default)
 *   reserved first, `--ip-range` narrowing what is handed out, `--aux-address` kept out.
 *
 * CIDR maths through ip-num; addresses cross the API as dotted strings.
 */
import { IPv4, IPv4CidrRange } from 'ip-num';

/** A refusal with libnetwork's wording; the allocator shows it to the user. */
export class IpamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpamError';
  }
}

/** Largest subnet swarmnet allocates addresses in (a /16: 65 536 addresses, one bitmap each). */
export const MIN_ALLOCATABLE_PREFIX = 16;

interface Range {
  readonly first: number;
  readonly last: number;
}

function parseCidr(cidr: string): { range: Range; prefix: number; text: string } {
  let r: IPv4CidrRange;
  try {
    r = IPv4CidrRange.fromCidr(cidr.trim());
  } catch {
    throw new IpamError(`invalid CIDR address: ${cidr}`);
  }
  // Host bits are masked off, as libnetwork does: 10.0.1.7/24 is 10.0.1.0/24.
  const first = Number(r.getFirst().getValue());
  const prefix = Number(r.cidrPrefix.getValue());
  const size = 2 ** (32 - prefix);
  return { range: { first, last: first + size - 1 }, prefix, text: `${IPv4.fromNumber(BigInt(first)).toString()}/${prefix}` };
}

const overlaps = (a: Range, b: Range) => a.first <= b.last && b.first <= a.last;
const ipText = (n: number) => IPv4.fromNumber(BigInt(n)).toString();
function ipValue(text: string, what: string): number {
  try {
    return Number(IPv4.fromString(text.trim()).getValue());
  } catch {
    throw new IpamError(`invalid ${what}: ${text}`);
  }
}

export class AddressPools {
  readonly #pools: { range: Range; size: number }[];
  readonly #inUse = new Map<string, Range>();

  constructor(pools: readonly string[], subnetSize: number) {
    this.#pools = pools.map((p) => {
      const { range, prefix } = parseCidr(p);
      if (subnetSize < prefix) throw new IpamError(`invalid pool request: the subnet size /${subnetSize} is larger than the pool ${p}`);
      return { range, size: 2 ** (32 - subnetSize) };
    });
  }

  /** The next free subnet of the pools, in order. */
  allocateSubnet(): string {
    for (const pool of this.#pools) {
      for (let first = pool.range.first; first + pool.size - 1 <= pool.range.last; first += pool.size) {
        const candidate = { first, last: first + pool.size - 1 };
        if ([...this.#inUse.values()].some((r) => overlaps(r, candidate))) continue;
        const text = `${ipText(first)}/${32 - Math.log2(pool.size)}`;
        this.#inUse.set(text, candidate);
        return text;
      }
    }
    throw new IpamError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  }

  /** A user's `--subnet`: refused when it overlaps a subnet in use. */
  reserveSubnet(cidr: string): string {
    const { range, text } = parseCidr(cidr);
    if ([...this.#inUse.values()].some((r) => overlaps(r, range))) throw new IpamError('invalid pool request: Pool overlaps with other one on this address space');
    this.#inUse.set(text, range);
    return text;
  }

  releaseSubnet(cidr: string): void {
    this.#inUse.delete(parseCidr(cidr).text);
  }
}

export interface SubnetOptions {
  readonly gateway?: string | undefined;
  readonly ipRange?: string | undefined;
  readonly auxAddresses?: Readonly<Record<string, string>>;
}

export class SubnetAllocator {
  readonly gateway: string;
  readonly #range: Range;
  readonly #taken = new Set<number>();
  /** libnetwork's rolling pointer: the next search starts after the last address handed out. */
  #next: number;

  constructor(subnet: string, options: SubnetOptions = {}) {
    const { range: net, prefix } = parseCidr(subnet);
    if (prefix < MIN_ALLOCATABLE_PREFIX) throw new IpamError(`swarmnet: subnets larger than /${MIN_ALLOCATABLE_PREFIX} are not supported: ${subnet}`);
    // /31 and /32 have no network and broadcast addresses to keep out (RFC 3021).
    const usable: Range = prefix >= 31 ? net : { first: net.first + 1, last: net.last - 1 };
    this.#range = usable;
    if (options.ipRange !== undefined) {
      const { range } = parseCidr(options.ipRange);
      if (range.first < net.first || range.last > net.last) throw new IpamError(`invalid ip-range ${options.ipRange}: not within subnet ${subnet}`);
      this.#range = { first: Math.max(range.first, usable.first), last: Math.min(range.last, usable.last) };
    }
    const gateway = options.gateway !== undefined ? ipValue(options.gateway, 'gateway') : usable.first;
    if (gateway < net.first || gateway > net.last) throw new IpamError(`invalid gateway ${options.gateway}: not within subnet ${subnet}`);
    this.gateway = ipText(gateway);
    this.#taken.add(gateway);
    for (const [name, ip] of Object.entries(options.auxAddresses ?? {})) {
      const value = ipValue(ip, `auxiliary address ${name}`);
      if (value < net.first || value > net.last) throw new IpamError(`invalid auxiliary address ${name}=${ip}: not within subnet ${subnet}`);
      this.#taken.add(value);
    }
    this.#next = this.#range.first;
  }

  /** The next free address (or `preferred`), dotted. */
  allocate(preferred?: string): string {
    if (preferred !== undefined) {
      const value = ipValue(preferred, 'address');
      if (value < this.#range.first || value > this.#range.last) throw new IpamError(`requested address ${preferred} is out of the network's range`);
      if (this.#taken.has(value)) throw new IpamError(`Address already in use`);
      this.#taken.add(value);
      return preferred.trim();
    }
    const size = this.#range.last - this.#range.first + 1;
    for (let i = 0; i < size; i++) {
      const candidate = this.#range.first + ((this.#next - this.#range.first + i) % size);
      if (this.#taken.has(candidate)) continue;
      this.#taken.add(candidate);
      this.#next = candidate + 1 > this.#range.last ? this.#range.first : candidate + 1;
      return ipText(candidate);
    }
    throw new IpamError('no available IPv4 addresses on this network\'s address pools');
  }

  release(ip: string): void {
    this.#taken.delete(ipValue(ip, 'address'));
  }

  has(ip: string): boolean {
    return this.#taken.has(ipValue(ip, 'address'));
  }
}

/**
 * The `--subnet/--gateway/--ip-range/--aux-address` combination of one IPAM config, checked the
 * way docker/cli's `createIPAMConfig` and libnetwork check it.
 */
export function parseNetworkIpamOptions(options: {
  subnet?: string | undefined;
  gateway?: string | undefined;
  ipRange?: string | undefined;
  auxAddresses?: Readonly<Record<string, string>>;
}): { subnet?: string; gateway?: string; ipRange?: string; auxAddresses: Record<string, string> } {
  const aux = { ...(options.auxAddresses ?? {}) };
  if (options.subnet === undefined) {
    if (options.gateway !== undefined) throw new IpamError('gateway specified without subnet');
    if (options.ipRange !== undefined) throw new IpamError('ip-range specified without subnet');
    if (Object.keys(aux).length > 0) throw new IpamError('aux-address specified without subnet');
    return { auxAddresses: aux };
  }
  const subnet = parseCidr(options.subnet).text;
  // Validates everything against the subnet (throws with the reason).
  new SubnetAllocator(subnet, { gateway: options.gateway, ipRange: options.ipRange, auxAddresses: aux });
  return {
    subnet,
    ...(options.gateway !== undefined ? { gateway: options.gateway.trim() } : {}),
    ...(options.ipRange !== undefined ? { ipRange: parseCidr(options.ipRange).text } : {}),
    auxAddresses: aux,
  };
}
