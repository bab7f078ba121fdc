/**
 * The container's routing table (Linux's `main` table; the `local` table is the stack's set of
 * local addresses, see stack.ts) and the prefix arithmetic the stack shares.
 *
 * Contract:
 * - `lookup(dst)` is a longest-prefix match (RFC 1812 §5.2.4.3); among routes of equal prefix the
 *   first installed wins (Linux keeps the first of equal-metric routes). It allocates nothing.
 * - `list()` is in the order Linux dumps the FIB trie, which is what busybox `ip route` prints
 *   (docker-cli-outputs.md §7.4: `default …` first, then ascending by network): destination
 *   ascending, then longer prefix first (fib_trie.c keeps a leaf's aliases sorted by suffix length).
 * - Routes through a device are removed with the device (Linux flushes them when the address goes).
 * - Bounded: at most ROUTE_TABLE_MAX routes.
 */
import { formatIpv4, type Ipv4Addr } from '../wire/address.js';
import { InvalidArgumentError } from '../util/errors.js';
import type { RouteConfig } from './types.js';

/** Routes a container can hold; Docker installs one per attached network plus the default. */
export const ROUTE_TABLE_MAX = 256;

/** Netmask of a prefix length as a uint32 (`/24` → 0xffffff00; `/0` → 0). */
export function prefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffff_ffff << (32 - prefixLength)) >>> 0;
}

/** The network address of `address/prefixLength`. */
export function networkOf(address: Ipv4Addr, prefixLength: number): Ipv4Addr {
  return (address & prefixMask(prefixLength)) >>> 0;
}

/** The directed broadcast of a subnet (RFC 919 §7), or -1 for /31 and /32 which have none (RFC 3021). */
export function directedBroadcast(address: Ipv4Addr, prefixLength: number): number {
  return prefixLength >= 31 ? -1 : (address | ~prefixMask(prefixLength)) >>> 0;
}

export const LIMITED_BROADCAST: Ipv4Addr = 0xffff_ffff;

/** 127.0.0.0/8 (RFC 1122 §3.2.1.3 (g): internal host loopback). */
export function isLoopbackAddress(ip: Ipv4Addr): boolean {
  return ip >>> 24 === 127;
}

/** 224.0.0.0/4 (RFC 5771). */
export function isMulticastAddress(ip: Ipv4Addr): boolean {
  return ip >>> 28 === 0xe;
}

export function checkPrefixLength(prefixLength: number): void {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new InvalidArgumentError(`prefix length out of range 0..32: ${prefixLength}`);
  }
}

interface RouteEntry {
  readonly route: RouteConfig;
  readonly mask: number;
}

export class RouteTable {
  readonly #entries: RouteEntry[] = [];
  #listed: readonly RouteConfig[] = [];

  add(route: RouteConfig): void {
    checkPrefixLength(route.prefixLength);
    if (networkOf(route.destination, route.prefixLength) !== route.destination >>> 0) {
      // iproute2 refuses these too: "Error: Invalid prefix for given prefix length."
      throw new InvalidArgumentError(`route destination has host bits set for /${route.prefixLength}`);
    }
    if (this.#entries.length >= ROUTE_TABLE_MAX) {
      throw new InvalidArgumentError(`routing table full (${ROUTE_TABLE_MAX} routes)`);
    }
    for (const e of this.#entries) {
      const r = e.route;
      if (r.destination === route.destination && r.prefixLength === route.prefixLength && r.device === route.device) {
        // `ip route add` of an existing route: RTNETLINK answers: File exists.
        throw new InvalidArgumentError(`route already exists: ${describeRoute(route)}`);
      }
    }
    this.#entries.push({ route: { ...route, destination: route.destination >>> 0 }, mask: prefixMask(route.prefixLength) });
    this.#relist();
  }

  removeDevice(device: string): void {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      if (this.#entries[i].route.device === device) this.#entries.splice(i, 1);
    }
    this.#relist();
  }

  /** The best route to `dst`, or undefined (ENETUNREACH). */
  lookup(dst: Ipv4Addr): RouteConfig | undefined {
    let best: RouteEntry | undefined;
    for (let i = 0; i < this.#entries.length; i++) {
      const e = this.#entries[i];
      if (((dst & e.mask) >>> 0) !== e.route.destination) continue;
      if (best === undefined || e.route.prefixLength > best.route.prefixLength) best = e;
    }
    return best?.route;
  }

  /** In FIB dump order (see the module doc); the same array until the table changes. */
  list(): readonly RouteConfig[] {
    return this.#listed;
  }

  #relist(): void {
    const order = this.#entries.map((e, i) => ({ r: e.route, i }));
    order.sort((a, b) => a.r.destination - b.r.destination || b.r.prefixLength - a.r.prefixLength || a.i - b.i);
    this.#listed = Object.freeze(order.map((o) => o.r));
  }
}

function describeRoute(r: RouteConfig): string {
  return `${r.prefixLength === 0 ? 'default' : `${formatIpv4(r.destination)}/${r.prefixLength}`} dev ${r.device}`;
}
