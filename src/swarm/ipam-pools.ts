/**
 * The cluster's subnets (libnetwork's global address space), pure: the default pools
 * (`--default-addr-pool`, default `10.0.0.0/8`) cut into `/--default-addr-pool-mask-length`
 * subnets (default 24), and every subnet in use. Sources (read, not copied): moby
 * `daemon/libnetwork/ipams/defaultipam/{allocator,address_space}.go`, `ipamutils/utils.go`,
 * `internal/netiputil`, `ipbits`, `daemon/cluster/listen_addr.go` (`validateDefaultAddrPool`),
 * `daemon/libnetwork/cnmallocator/drivers_ipam.go`; swarmkit `manager/controlapi/cluster.go`.
 *
 * `allocateSubnet` hands out the lowest free subnet, pools in address order — `ingress` gets
 * 10.0.0.0/24 at `swarm init`, the first user overlay 10.0.1.0/24, … — skipping any that overlaps
 * a subnet in use, the user's `--subnet`s included, so a released subnet is the first candidate
 * again. That is moby ≥ 27's linear allocator (`allocatePredefinedPool`, the tests check it against
 * a literal port); up to moby 26 a rolling start index skipped released subnets, and exhaustion
 * read `could not find an available, non-overlapping IPv4 address pool among the defaults to
 * assign to the network` where it now reads `all predefined address pools have been fully
 * subnetted`.
 *
 * One deliberate difference: a `--subnet` overlapping one in use is always refused; libnetwork
 * skips the check when `--ip-range` is given too (moby issue #46756), letting two networks share
 * addresses.
 */
import type { IPv4CidrRange } from 'ip-num';
import { InvalidArgumentError } from '../util/errors.js';
import { blockOf, cidrOrThrow, firstOf, IPV4_BITS, IpamError, ipamErrors, invalidSubnet, lastOf, masked, prefixLength } from './ipam-errors.js';

/** swarmkit `inbuiltDefaultAddressPool`, moby `ipamutils` `globalScopeDefaultNetworks`. */
export const DEFAULT_ADDRESS_POOL = '10.0.0.0/8';
/** swarmkit `inbuiltSubnetSize`; also what moby's `validateDefaultAddrPool` reads 0 as. */
export const DEFAULT_SUBNET_SIZE = 24;
/** moby `validateDefaultAddrPool`: /29 leaves 8 addresses, the least an overlay can work with. */
export const MAX_SUBNET_SIZE = 29;
/** libnetwork `defaultipam` `globalAddressSpace`: the address space of swarm-scoped pools. */
export const GLOBAL_ADDRESS_SPACE = 'GlobalDefault';

/** Go `net.ParseCIDR`'s text, which the cli prints for a bad `--default-addr-pool`. */
const invalidCidr = (text: string) => new IpamError('invalid-default-addr-pool', `invalid CIDR address: ${text}`, 'invalid-parameter', 'cli');

/** Sort order of libnetwork `netiputil.PrefixCompare`: by address, then the wider prefix first. */
function compareRanges(a: IPv4CidrRange, b: IPv4CidrRange): number {
  return firstOf(a) - firstOf(b) || prefixLength(a) - prefixLength(b);
}

/** The cluster's subnets: the default pools and every subnet in use (libnetwork `addrSpace`). */
export class AddressPools {
  /** The pools, masked, in address order, a pool inside an earlier one dropped (`newAddrSpace`). */
  readonly pools: readonly string[];
  /** The size of the subnets cut from the pools. */
  readonly maskLength: number;
  readonly #predefined: readonly IPv4CidrRange[];
  /** Subnets in use, masked, in `compareRanges` order. */
  readonly #allocated: IPv4CidrRange[] = [];

  /**
   * `pools`: the `--default-addr-pool` values; none: `10.0.0.0/8` in /24s, whatever `maskLength`
   * says (libnetwork `defaultipam.Register`; moby's `validateDefaultAddrPool` does not even look at
   * the mask length then). `maskLength`: `--default-addr-pool-mask-length`, 0 meaning 24.
   */
  constructor(pools: readonly string[] = [], maskLength = 0) {
    if (pools.length === 0) {
      this.maskLength = DEFAULT_SUBNET_SIZE;
    } else {
      if (!Number.isInteger(maskLength) || maskLength < 0) {
        throw new InvalidArgumentError(`default address pool mask length must be an unsigned integer: ${maskLength}`);
      }
      this.maskLength = maskLength === 0 ? DEFAULT_SUBNET_SIZE : maskLength;
      if (this.maskLength > MAX_SUBNET_SIZE) {
        throw new IpamError('invalid-default-addr-pool', `subnet size is out of range: ${this.maskLength}`, 'invalid-parameter', 'daemon');
      }
    }
    const ranges = (pools.length > 0 ? pools : [DEFAULT_ADDRESS_POOL]).map((text) => {
      const range = cidrOrThrow(text, invalidCidr);
      if (this.maskLength < prefixLength(range)) {
        throw new IpamError(
          'invalid-default-addr-pool',
          `invalid CIDR: ${JSON.stringify(text)}. Subnet size is too small for pool: ${this.maskLength}`,
          'invalid-parameter',
          'daemon',
        );
      }
      return masked(range);
    });
    ranges.sort(compareRanges);
    // A pool overlapping the last one kept lies inside it (sorted, aligned): drop it, or the
    // search would find the outer pool full and then carve the same addresses from the inner one.
    const kept: IPv4CidrRange[] = [];
    for (const r of ranges) if (kept.length === 0 || !kept[kept.length - 1]!.isOverlapping(r)) kept.push(r);
    this.#predefined = kept;
    this.pools = kept.map((r) => r.toCidrString());
  }

  /** Subnets in use, in address order. */
  get allocated(): readonly string[] {
    return this.#allocated.map((r) => r.toCidrString());
  }

  /**
   * libnetwork `RequestPool` in the global address space: no `subnet` allocates one from the
   * pools, `0.0.0.0/n` a `/n` from them; any other subnet is reserved. Returns it, masked.
   */
  requestPool(subnet?: string, ipRange?: string): string {
    let size: number | undefined;
    if (subnet !== undefined && subnet !== '') {
      const range = cidrOrThrow(subnet, invalidSubnet);
      if (!subnet.startsWith('0.0.0.0/')) return this.reserveSubnet(subnet);
      size = prefixLength(range) > 0 ? prefixLength(range) : undefined;
    }
    if (ipRange !== undefined && ipRange !== '') {
      // allocator.go `RequestPool`: a sub-pool needs a pool (which reads "" by then).
      const where = `address space ${JSON.stringify(GLOBAL_ADDRESS_SPACE)} pool "" subpool ${JSON.stringify(ipRange)}`;
      throw ipamErrors.invalidSubPool().wrap(`failed to parse pool request for ${where}: `, 'internal');
    }
    return this.allocateSubnet(size);
  }

  /**
   * The lowest free `/size` (default: the mask length) of the first pool that has one
   * (`allocatePredefinedPool`). Pools narrower than `size` are skipped; none left: `invalid address
   * pool`. All taken: `all predefined address pools have been fully subnetted`.
   */
  allocateSubnet(size: number = this.maskLength): string {
    if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError(`subnet size must be 1..${IPV4_BITS}: ${size}`);
    const pools = this.#predefined.filter((p) => prefixLength(p) <= size && size <= IPV4_BITS);
    if (pools.length === 0) throw ipamErrors.invalidPool();
    for (const pool of pools) {
      const found = this.#firstFree(pool, size);
      if (found !== undefined) {
        this.#insert(found);
        return found.toCidrString();
      }
    }
    throw ipamErrors.noMoreSubnets();
  }

  /** A user's `--subnet` (host bits dropped): refused if it overlaps a subnet in use. */
  reserveSubnet(cidr: string): string {
    const range = masked(cidrOrThrow(cidr, invalidSubnet));
    if (this.#allocated.some((a) => a.isOverlapping(range))) {
      // allocator.go `RequestPool`: `ForbiddenErrorf("invalid pool request: %v", err)`.
      throw ipamErrors.poolOverlap().wrap('invalid pool request: ');
    }
    this.#insert(range);
    return range.toCidrString();
  }

  /** libnetwork `ReleasePool`: the subnet must be in use, exactly. */
  releaseSubnet(cidr: string): void {
    const range = masked(cidrOrThrow(cidr, invalidSubnet));
    const i = this.#allocated.findIndex((a) => compareRanges(a, range) === 0);
    if (i < 0) throw ipamErrors.badPool();
    this.#allocated.splice(i, 1);
  }

  /** First fit: walk the subnets in use in address order, jumping past each one in the way. */
  #firstFree(pool: IPv4CidrRange, bits: number): IPv4CidrRange | undefined {
    let candidate: IPv4CidrRange | undefined = blockOf(firstOf(pool), bits);
    for (const used of this.#allocated) {
      if (lastOf(used) < firstOf(candidate)) continue;
      if (lastOf(candidate) < firstOf(used)) break;
      // `used` overlaps the candidate: the next aligned block after `used` is the next candidate.
      const after = lastOf(used) + 1;
      if (after > lastOf(pool)) return undefined;
      const block = blockOf(after, bits);
      candidate = firstOf(block) === after ? block : block.nextRange();
      if (candidate === undefined || !pool.contains(candidate)) return undefined;
    }
    return candidate;
  }

  #insert(range: IPv4CidrRange): void {
    const i = this.#allocated.findIndex((a) => compareRanges(a, range) > 0);
    this.#allocated.splice(i < 0 ? this.#allocated.length : i, 0, range);
  }
}
