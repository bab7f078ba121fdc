/**
 * The errors of the manager's IPAM (`ipam.ts`, `ipam-config.ts`) and the IPv4 text forms it
 * accepts. Every message is Docker's own text, quoted from the file named beside it; the few that
 * Docker has no text for start with `swarmnet:`.
 *
 * An `IpamError` says which program would have printed it (`source`), so the docker command layer
 * can add what that program adds (`Error response from daemon: `, swarmkit's gRPC
 * `rpc error: code = InvalidArgument desc = `), and its moby errdefs class (`kind`), which sets
 * the Engine API status (400, 403, 404, 500, 503).
 */
import { IPv4, IPv4CidrRange, IPv4Prefix } from 'ip-num';
import { SwarmnetError } from '../util/errors.js';

// moby `daemon/libnetwork/ipamapi/contract.go`: the IPAM driver contract's well-known errors.
export const ERR_INVALID_POOL = 'invalid address pool';
export const ERR_INVALID_SUBPOOL = 'invalid address subpool';
export const ERR_NO_AVAILABLE_IPS = 'no available addresses on this pool';
export const ERR_IP_ALREADY_ALLOCATED = 'Address already in use';
export const ERR_IP_OUT_OF_RANGE = 'requested address is out of range';
export const ERR_POOL_OVERLAP = 'Pool overlaps with other one on this address space';
export const ERR_BAD_POOL = 'address space does not contain specified address pool';
export const ERR_NO_MORE_SUBNETS = 'all predefined address pools have been fully subnetted';

/** moby errdefs class of an error (sets the Engine API status code). */
export type IpamErrorKind = 'invalid-parameter' | 'forbidden' | 'not-found' | 'unavailable' | 'internal';

/** The program whose text this is. */
export type IpamErrorSource = 'cli' | 'daemon' | 'swarmkit' | 'libnetwork' | 'swarmnet';

export type IpamErrorCode =
  | 'invalid-pool'
  | 'invalid-subpool'
  | 'no-available-ips'
  | 'ip-already-allocated'
  | 'ip-out-of-range'
  | 'pool-overlap'
  | 'bad-pool'
  | 'no-more-subnets'
  | 'invalid-address'
  | 'invalid-ipam-config'
  | 'invalid-default-addr-pool'
  | 'reserved-address'
  | 'not-supported';

export class IpamError extends SwarmnetError {
  constructor(
    override readonly code: IpamErrorCode,
    message: string,
    readonly kind: IpamErrorKind,
    readonly source: IpamErrorSource,
  ) {
    super(code, message);
    this.name = 'IpamError';
  }

  /** The same error with `prefix` in front, as Go's `fmt.Errorf("…: %v", err)` wraps one. */
  wrap(prefix: string, kind: IpamErrorKind = this.kind): IpamError {
    return new IpamError(this.code, `${prefix}${this.message}`, kind, this.source);
  }
}

const ipamapi = (code: IpamErrorCode, message: string, kind: IpamErrorKind): IpamError => new IpamError(code, message, kind, 'libnetwork');

/** The `ipamapi` errors, each with the errdefs class `contract.go` gives it. */
export const ipamErrors = {
  invalidPool: () => ipamapi('invalid-pool', ERR_INVALID_POOL, 'invalid-parameter'),
  invalidSubPool: () => ipamapi('invalid-subpool', ERR_INVALID_SUBPOOL, 'invalid-parameter'),
  noAvailableIps: () => ipamapi('no-available-ips', ERR_NO_AVAILABLE_IPS, 'unavailable'),
  ipAlreadyAllocated: () => ipamapi('ip-already-allocated', ERR_IP_ALREADY_ALLOCATED, 'forbidden'),
  ipOutOfRange: () => ipamapi('ip-out-of-range', ERR_IP_OUT_OF_RANGE, 'invalid-parameter'),
  poolOverlap: () => ipamapi('pool-overlap', ERR_POOL_OVERLAP, 'forbidden'),
  badPool: () => ipamapi('bad-pool', ERR_BAD_POOL, 'invalid-parameter'),
  noMoreSubnets: () => ipamapi('no-more-subnets', ERR_NO_MORE_SUBNETS, 'invalid-parameter'),
} as const;

const unparsable = (what: string) => (text: string) =>
  new IpamError('invalid-ipam-config', `ipam configuration: invalid ${what} ${text}`, 'invalid-parameter', 'swarmkit');
/** swarmkit `manager/controlapi/network.go` `validateIPAMConfiguration`: a value that does not parse. */
export const invalidSubnet = unparsable('subnet');
export const invalidRange = unparsable('range');
export const invalidGateway = unparsable('gateway');

// ---------------------------------------------------------------------------------------------
// IPv4 text forms

/** The longest IPv4 prefix length. */
export const IPV4_BITS = 32;
/** An IPv4 octet as Go's `netip.ParseAddr` accepts it: decimal 0..255, no leading zero. */
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const DOTTED_QUAD = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
/** A prefix length as `netip.ParsePrefix` accepts one for IPv4: 0..32, no leading zero. */
const PREFIX_BITS = /^(?:3[0-2]|[12]?[0-9])$/;

/** IPv6 is out of the emulator's scope: everything it carries is IPv4. */
function refuseIpv6(text: string): void {
  if (text.includes(':')) throw new IpamError('not-supported', `swarmnet: IPv6 is not supported: ${text}`, 'invalid-parameter', 'swarmnet');
}

/** A dotted-quad IPv4 address, or undefined when `text` is none (IPv6 throws `not-supported`). */
export function parseIpv4(text: string): IPv4 | undefined {
  refuseIpv6(text);
  return DOTTED_QUAD.test(text) ? IPv4.fromDecimalDottedString(text) : undefined;
}

/**
 * `a.b.c.d/n`, or undefined. The range keeps the address as typed, host bits and all (its
 * `toCidrString()` is the text), as Go's `netip.ParsePrefix` does; `masked` drops them.
 */
export function parseIpv4Cidr(text: string): IPv4CidrRange | undefined {
  refuseIpv6(text);
  const slash = text.indexOf('/');
  if (slash < 0 || !DOTTED_QUAD.test(text.slice(0, slash)) || !PREFIX_BITS.test(text.slice(slash + 1))) return undefined;
  return IPv4CidrRange.fromCidr(text);
}

/** `parseIpv4Cidr`, throwing `error(text)` when `text` is no CIDR. */
export function cidrOrThrow(text: string, error: (text: string) => IpamError): IPv4CidrRange {
  const range = parseIpv4Cidr(text);
  if (range === undefined) throw error(text);
  return range;
}

/** The range with its host bits cleared (Go `netip.Prefix.Masked`). */
export function masked(range: IPv4CidrRange): IPv4CidrRange {
  return new IPv4CidrRange(range.getFirst(), range.cidrPrefix);
}

/** The aligned `/bits` block holding address `value`. */
export function blockOf(value: number, bits: number): IPv4CidrRange {
  return masked(new IPv4CidrRange(IPv4.fromNumber(value), IPv4Prefix.fromNumber(BigInt(bits))));
}

export const prefixLength = (range: IPv4CidrRange): number => Number(range.cidrPrefix.getValue());
export const firstOf = (range: IPv4CidrRange): number => Number(range.getFirst().getValue());
export const lastOf = (range: IPv4CidrRange): number => Number(range.getLast().getValue());
export const ipv4String = (value: number): string => IPv4.fromNumber(value).toString();
