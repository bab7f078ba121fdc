/**
 * Validation of one IPAM configuration of `docker network create -d overlay --subnet … --gateway …
 * --ip-range … --aux-address name=ip`, with each program's checks and texts, in the order a user
 * meets them:
 *
 * 1. the cli (docker/cli `cli/command/network/create.go`, `createIPAMConfig`): a gateway or range
 *    needs a subnet; the range, the gateway and each aux address must lie inside it. `--ip-range`
 *    is a pflag `ipNet`, read with Go's `net.ParseCIDR`, so its host bits are already gone;
 * 2. the engine (moby `daemon/network.go`, `validateIpamConfig`), before it hands a swarm network
 *    to the manager: no host bits in the subnet, a range no wider than the subnet, every problem
 *    listed under `invalid network config:`;
 * 3. the manager (swarmkit `manager/controlapi/network.go`, `validateIPAMConfiguration`).
 *
 * The cli's checks across several `--subnet`s (`multiple overlapping subnet configuration is not
 * supported`, …) and its flag-syntax messages live with the command (`src/docker/network.ts`); a
 * value that does not parse gets swarmkit's text here (`ipam configuration: invalid subnet x`).
 */
import { InvalidArgumentError } from '../util/errors.js';
import { cidrOrThrow, invalidGateway, invalidRange, invalidSubnet, IpamError, masked, parseIpv4, prefixLength } from './ipam-errors.js';

/** The flags of one configuration, as typed; empty strings count as absent. */
export interface NetworkIpamOptions {
  readonly subnet?: string | undefined;
  readonly gateway?: string | undefined;
  readonly ipRange?: string | undefined;
  readonly auxAddresses?: Readonly<Record<string, string>>;
  /** The network's name, for libnetwork's message about an unparsable aux address. */
  readonly networkName?: string;
}

/** A configuration past every check, for `AddressPools.requestPool` and `SubnetAllocator`. */
export interface NetworkIpamRequest {
  /** Absent: a subnet from the default pools; `0.0.0.0/n`: a `/n` from them. */
  readonly subnet?: string;
  readonly gateway?: string;
  /** Masked (the cli reads it with `net.ParseCIDR`). */
  readonly ipRange?: string;
  /** Empty values dropped, as the cli drops them. */
  readonly auxAddresses: Readonly<Record<string, string>>;
}

/** One entry of the Engine API's `IPAM.Config`, as the engine and the manager validate it. */
export interface DaemonIpamConfig {
  readonly subnet: string;
  readonly ipRange?: string | undefined;
  readonly gateway?: string | undefined;
  readonly auxAddresses?: Readonly<Record<string, string>>;
}

const cli = (message: string) => new IpamError('invalid-ipam-config', message, 'invalid-parameter', 'cli');

/** libnetwork `network.go` `ipamAllocateVersion` (the only program with a text for it). */
export const unparsableAux = (name: string, value: string, networkName = '') =>
  new IpamError('invalid-address', `non parsable secondary ip address (${name}:${value}) passed for network ${networkName}`, 'invalid-parameter', 'libnetwork');

const given = (value: string | undefined): value is string => value !== undefined && value !== '';

export function parseNetworkIpamOptions(options: NetworkIpamOptions): NetworkIpamRequest {
  const subnetText = given(options.subnet) ? options.subnet : undefined;
  const subnet = subnetText === undefined ? undefined : cidrOrThrow(subnetText, invalidSubnet);
  const range = given(options.ipRange) ? masked(cidrOrThrow(options.ipRange, invalidRange)) : undefined;
  const gatewayText = given(options.gateway) ? options.gateway : undefined;
  const gateway = gatewayText === undefined ? undefined : parseIpv4(gatewayText);
  if (gatewayText !== undefined && gateway === undefined) throw invalidGateway(gatewayText);
  const aux = Object.entries(options.auxAddresses ?? {}).filter(([, v]) => v !== '');
  for (const [name, value] of aux) if (parseIpv4(value) === undefined) throw unparsableAux(name, value, options.networkName);

  // 1. docker/cli `createIPAMConfig`.
  if (subnet === undefined && (range !== undefined || gateway !== undefined)) {
    throw cli('every ip-range or gateway must have a corresponding subnet');
  }
  if (range !== undefined && !subnet!.contains(range.getFirst())) throw cli(`no matching subnet for range ${range.toCidrString()}`);
  if (gateway !== undefined && !subnet!.contains(gateway)) throw cli(`no matching subnet for gateway ${gatewayText}`);
  for (const [, value] of aux) {
    if (subnet === undefined || !subnet.contains(parseIpv4(value)!)) throw cli(`no matching subnet for aux-address ${value}`);
  }

  const request: NetworkIpamRequest = {
    ...(subnetText !== undefined ? { subnet: subnetText } : {}),
    ...(gatewayText !== undefined ? { gateway: gatewayText } : {}),
    ...(range !== undefined ? { ipRange: range.toCidrString() } : {}),
    auxAddresses: Object.fromEntries(aux),
  };
  if (subnetText !== undefined) {
    const config = { ...request, subnet: subnetText };
    validateIpamConfig([config]); // 2. the engine
    validateIpamConfiguration(config); // 3. the manager
  }
  return request;
}

/**
 * moby `daemon/network.go` `validateIpamConfig` (IPv4 configurations): every problem of every
 * configuration, one per line under `invalid network config:` (`* ` bullets when more than one:
 * moby `daemon/internal/multierror`). Values must parse: the engine gets them decoded.
 */
export function validateIpamConfig(configs: readonly DaemonIpamConfig[]): void {
  const errors: string[] = [];
  for (const config of configs) {
    const subnet = cidrOrThrow(config.subnet, invalidSubnet);
    const subnetText = subnet.toCidrString();
    const subnetMasked = masked(subnet).toCidrString();
    if (subnetText !== subnetMasked) errors.push(`invalid subnet ${subnetText}: it should be ${subnetMasked}`);
    if (given(config.ipRange)) {
      const range = cidrOrThrow(config.ipRange, invalidRange);
      const rangeText = range.toCidrString();
      if (prefixLength(range) < prefixLength(subnet)) errors.push(`invalid ip-range ${rangeText}: CIDR block is bigger than its parent subnet ${subnetText}`);
      const rangeMasked = masked(range).toCidrString();
      if (rangeText !== rangeMasked) errors.push(`invalid ip-range ${rangeText}: it should be ${rangeMasked}`);
      if (!masked(subnet).isOverlapping(masked(range))) errors.push(`invalid ip-range ${rangeText}: parent subnet ${subnetText} doesn't contain ip-range`);
    }
    const outside = (text: string): boolean => {
      const ip = parseIpv4(text);
      if (ip === undefined) throw new InvalidArgumentError(`not an IPv4 address: ${JSON.stringify(text)}`);
      return !subnet.contains(ip);
    };
    if (given(config.gateway) && outside(config.gateway)) {
      errors.push(`invalid gateway ${config.gateway}: parent subnet ${subnetText} doesn't contain this address`);
    }
    for (const [name, value] of Object.entries(config.auxAddresses ?? {})) {
      if (outside(value)) errors.push(`invalid auxiliary address ${name}: parent subnet ${subnetText} doesn't contain this address`);
    }
  }
  if (errors.length === 0) return;
  const joined = errors.length === 1 ? errors[0]!.trim() : `* ${errors.join('\n* ')}`;
  throw new IpamError('invalid-ipam-config', `invalid network config:\n${joined}`, 'invalid-parameter', 'daemon');
}

/** swarmkit `manager/controlapi/network.go` `validateIPAMConfiguration`. */
export function validateIpamConfiguration(config: DaemonIpamConfig): void {
  const subnet = cidrOrThrow(config.subnet, invalidSubnet);
  if (given(config.ipRange)) {
    cidrOrThrow(config.ipRange, invalidRange);
    // Go `net.ParseCIDR` gives the range's address back as typed (and the subnet masked).
    if (!subnet.contains(parseIpv4(config.ipRange.slice(0, config.ipRange.indexOf('/')))!)) {
      throw swarmkit(`subnet ${config.subnet} does not contain range ${config.ipRange}`);
    }
  }
  if (given(config.gateway)) {
    const ip = parseIpv4(config.gateway);
    if (ip === undefined) throw invalidGateway(config.gateway);
    if (!subnet.contains(ip)) throw swarmkit(`subnet ${config.subnet} does not contain gateway ${config.gateway}`);
  }
}

function swarmkit(message: string): IpamError {
  return new IpamError('invalid-ipam-config', `ipam configuration: ${message}`, 'invalid-parameter', 'swarmkit');
}
