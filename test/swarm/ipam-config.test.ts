/**
 * `docker network create --subnet/--gateway/--ip-range/--aux-address` checks, in the order the cli,
 * the engine and the manager make them, with each one's text (docker/cli `network/create.go`,
 * moby `daemon/network.go`, swarmkit `manager/controlapi/network.go`).
 */
import { describe, expect, it } from 'vitest';
import {
  parseNetworkIpamOptions,
  validateIpamConfig,
  validateIpamConfiguration,
  type DaemonIpamConfig,
  type NetworkIpamOptions,
} from '../../src/swarm/ipam-config.js';
import { IpamError } from '../../src/swarm/ipam-errors.js';
import { caught } from './ipam-support.js';

const refusal = (run: () => unknown) => caught(run, IpamError);

describe('parseNetworkIpamOptions', () => {
  it.each<[string, NetworkIpamOptions, object]>([
    ['nothing: a subnet from the pools', {}, { auxAddresses: {} }],
    ['empty flags count as absent', { subnet: '', gateway: '', ipRange: '', auxAddresses: { a: '' } }, { auxAddresses: {} }],
    ['a subnet', { subnet: '10.11.0.0/16' }, { subnet: '10.11.0.0/16', auxAddresses: {} }],
    [
      'everything',
      { subnet: '10.11.0.0/16', gateway: '10.11.0.2', ipRange: '10.11.5.0/24', auxAddresses: { router: '10.11.0.3' } },
      { subnet: '10.11.0.0/16', gateway: '10.11.0.2', ipRange: '10.11.5.0/24', auxAddresses: { router: '10.11.0.3' } },
    ],
    ['the range masked as pflag reads it', { subnet: '10.11.0.0/16', ipRange: '10.11.5.9/24' }, { subnet: '10.11.0.0/16', ipRange: '10.11.5.0/24', auxAddresses: {} }],
    ['a size from the pools', { subnet: '0.0.0.0/20' }, { subnet: '0.0.0.0/20', auxAddresses: {} }],
  ])('accepts %s', (_, options, want) => {
    expect(parseNetworkIpamOptions(options)).toEqual(want);
  });

  it.each<[string, NetworkIpamOptions, string, string]>([
    // docker/cli createIPAMConfig
    ['a gateway without subnet', { gateway: '10.0.0.1' }, 'every ip-range or gateway must have a corresponding subnet', 'cli'],
    ['a range without subnet', { ipRange: '10.0.0.0/28' }, 'every ip-range or gateway must have a corresponding subnet', 'cli'],
    ['an aux address without subnet', { auxAddresses: { a: '10.0.0.5' } }, 'no matching subnet for aux-address 10.0.0.5', 'cli'],
    ['a range outside the subnet', { subnet: '10.0.1.0/24', ipRange: '10.0.2.0/25' }, 'no matching subnet for range 10.0.2.0/25', 'cli'],
    ['a gateway outside the subnet', { subnet: '10.0.1.0/24', gateway: '10.0.2.1' }, 'no matching subnet for gateway 10.0.2.1', 'cli'],
    ['an aux address outside the subnet', { subnet: '10.0.1.0/24', auxAddresses: { a: '10.0.2.1' } }, 'no matching subnet for aux-address 10.0.2.1', 'cli'],
    // moby daemon/network.go validateIpamConfig
    ['host bits in the subnet', { subnet: '10.0.1.1/24' }, 'invalid network config:\ninvalid subnet 10.0.1.1/24: it should be 10.0.1.0/24', 'daemon'],
    [
      'a range wider than the subnet',
      { subnet: '10.0.0.0/24', ipRange: '10.0.0.0/16' },
      'invalid network config:\ninvalid ip-range 10.0.0.0/16: CIDR block is bigger than its parent subnet 10.0.0.0/24',
      'daemon',
    ],
    [
      'two problems at once',
      { subnet: '10.0.0.9/24', ipRange: '10.0.0.0/16' },
      'invalid network config:\n* invalid subnet 10.0.0.9/24: it should be 10.0.0.0/24\n* invalid ip-range 10.0.0.0/16: CIDR block is bigger than its parent subnet 10.0.0.9/24',
      'daemon',
    ],
    // values that do not parse
    ['a subnet that is no CIDR', { subnet: '10.0.1.0' }, 'ipam configuration: invalid subnet 10.0.1.0', 'swarmkit'],
    ['a subnet with a leading zero', { subnet: '10.0.01.0/24' }, 'ipam configuration: invalid subnet 10.0.01.0/24', 'swarmkit'],
    ['a range that is no CIDR', { subnet: '10.0.1.0/24', ipRange: '10.0.1.0/x' }, 'ipam configuration: invalid range 10.0.1.0/x', 'swarmkit'],
    ['a gateway that is no address', { subnet: '10.0.1.0/24', gateway: '10.0.1.256' }, 'ipam configuration: invalid gateway 10.0.1.256', 'swarmkit'],
    ['an aux address that is no address', { subnet: '10.0.1.0/24', auxAddresses: { a: 'b' }, networkName: 'web' }, 'non parsable secondary ip address (a:b) passed for network web', 'libnetwork'],
    ['IPv6', { subnet: '2001:db8::/64' }, 'swarmnet: IPv6 is not supported: 2001:db8::/64', 'swarmnet'],
  ])('refuses %s', (_, options, message, source) => {
    const e = refusal(() => parseNetworkIpamOptions(options));
    expect(e.message, `got ${JSON.stringify(e.message)}, want ${JSON.stringify(message)}`).toBe(message);
    expect(e.source, `got source ${e.source}, want ${source}`).toBe(source);
    expect(e.kind).toBe('invalid-parameter');
  });
});

describe('validateIpamConfig (the engine, for API requests)', () => {
  it.each<[string, DaemonIpamConfig[], string | undefined]>([
    ['a valid configuration', [{ subnet: '10.0.1.0/24', ipRange: '10.0.1.128/25', gateway: '10.0.1.1', auxAddresses: { a: '10.0.1.2' } }], undefined],
    ['a range with host bits', [{ subnet: '10.0.1.0/24', ipRange: '10.0.1.129/25' }], 'invalid network config:\ninvalid ip-range 10.0.1.129/25: it should be 10.0.1.128/25'],
    [
      'a range elsewhere',
      [{ subnet: '10.0.1.0/24', ipRange: '10.0.2.0/25' }],
      "invalid network config:\ninvalid ip-range 10.0.2.0/25: parent subnet 10.0.1.0/24 doesn't contain ip-range",
    ],
    ['a gateway outside', [{ subnet: '10.0.1.0/24', gateway: '10.0.2.1' }], "invalid network config:\ninvalid gateway 10.0.2.1: parent subnet 10.0.1.0/24 doesn't contain this address"],
    [
      'aux addresses outside, across configurations',
      [
        { subnet: '10.0.1.0/24', auxAddresses: { a: '10.0.9.1' } },
        { subnet: '10.0.2.0/24', auxAddresses: { b: '10.0.9.2' } },
      ],
      "invalid network config:\n* invalid auxiliary address a: parent subnet 10.0.1.0/24 doesn't contain this address\n* invalid auxiliary address b: parent subnet 10.0.2.0/24 doesn't contain this address",
    ],
  ])('%s', (_, configs, message) => {
    if (message === undefined) return void expect(() => validateIpamConfig(configs)).not.toThrow();
    const e = refusal(() => validateIpamConfig(configs));
    expect(e.message, `got ${JSON.stringify(e.message)}, want ${JSON.stringify(message)}`).toBe(message);
    expect(e.source).toBe('daemon');
  });
});

describe('validateIpamConfiguration (the manager, for gRPC requests)', () => {
  it.each<[string, DaemonIpamConfig, string | undefined]>([
    ['a valid configuration', { subnet: '10.0.1.0/24', ipRange: '10.0.1.128/25', gateway: '10.0.1.1' }, undefined],
    ['a range elsewhere', { subnet: '10.0.1.0/24', ipRange: '10.0.2.0/25' }, 'ipam configuration: subnet 10.0.1.0/24 does not contain range 10.0.2.0/25'],
    ['a range given by an address inside', { subnet: '10.0.1.0/24', ipRange: '10.0.1.77/16' }, undefined],
    ['a gateway outside', { subnet: '10.0.1.0/24', gateway: '10.0.2.1' }, 'ipam configuration: subnet 10.0.1.0/24 does not contain gateway 10.0.2.1'],
    ['a gateway that is no address', { subnet: '10.0.1.0/24', gateway: 'gw' }, 'ipam configuration: invalid gateway gw'],
    ['a subnet that is no CIDR', { subnet: 'ten' }, 'ipam configuration: invalid subnet ten'],
  ])('%s', (_, config, message) => {
    if (message === undefined) return void expect(() => validateIpamConfiguration(config)).not.toThrow();
    const e = refusal(() => validateIpamConfiguration(config));
    expect(e.message, `got ${JSON.stringify(e.message)}, want ${JSON.stringify(message)}`).toBe(message);
    expect(e.source).toBe('swarmkit');
  });
});
