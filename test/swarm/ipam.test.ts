/**
 * The swarm's subnet, address and VNI allocation: the sequences a Docker swarm produces
 * (reference docker-overlay-facts.md §1.2, §6) and libnetwork's refusals.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { AddressPools, IpamError, parseNetworkIpamOptions, SubnetAllocator } from '../../src/swarm/ipam.js';
import { FIRST_VNI, MAX_VNI, VniAllocator, VniError } from '../../src/swarm/vni.js';

describe('AddressPools', () => {
  it('cuts 10.0.0.0/8 into /24s in order: ingress first, then user overlays', () => {
    const pools = new AddressPools(['10.0.0.0/8'], 24);
    expect([pools.allocateSubnet(), pools.allocateSubnet(), pools.allocateSubnet()]).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
  });

  it('skips subnets a user --subnet holds, and refuses a --subnet overlapping one in use', () => {
    const pools = new AddressPools(['10.0.0.0/8'], 24);
    expect(pools.allocateSubnet()).toBe('10.0.0.0/24');
    expect(pools.reserveSubnet('10.0.1.0/24')).toBe('10.0.1.0/24');
    expect(pools.allocateSubnet()).toBe('10.0.2.0/24');
    expect(() => pools.reserveSubnet('10.0.0.0/16')).toThrow(new IpamError('invalid pool request: Pool overlaps with other one on this address space'));
    expect(pools.reserveSubnet('10.0.3.7/24')).toBe('10.0.3.0/24'); // host bits masked
  });

  it('honours custom pools and mask lengths, and reports exhaustion with libnetwork\'s text', () => {
    const pools = new AddressPools(['10.20.0.0/24'], 26);
    expect([1, 2, 3, 4].map(() => pools.allocateSubnet())).toEqual(['10.20.0.0/26', '10.20.0.64/26', '10.20.0.128/26', '10.20.0.192/26']);
    expect(() => pools.allocateSubnet()).toThrow('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
    pools.releaseSubnet('10.20.0.64/26');
    expect(pools.allocateSubnet()).toBe('10.20.0.64/26');
  });

  it('refuses a malformed pool', () => {
    expect(() => new AddressPools(['10.0.0.0/33'], 24)).toThrow(IpamError);
  });
});

describe('SubnetAllocator', () => {
  it('reserves the gateway .1, then hands out .2, .3 … and does not reuse a released address at once', () => {
    const a = new SubnetAllocator('10.0.1.0/24');
    expect(a.gateway).toBe('10.0.1.1');
    expect([a.allocate(), a.allocate(), a.allocate()]).toEqual(['10.0.1.2', '10.0.1.3', '10.0.1.4']);
    a.release('10.0.1.2');
    expect(a.allocate()).toBe('10.0.1.5');
  });

  it('wraps around and then reuses released addresses; never the network or broadcast address', () => {
    const a = new SubnetAllocator('192.168.5.0/29'); // .1 gateway, .2–.6 usable
    expect([1, 2, 3, 4, 5].map(() => a.allocate())).toEqual(['192.168.5.2', '192.168.5.3', '192.168.5.4', '192.168.5.5', '192.168.5.6']);
    expect(() => a.allocate()).toThrow("no available IPv4 addresses on this network's address pools");
    a.release('192.168.5.3');
    expect(a.allocate()).toBe('192.168.5.3');
  });

  it('takes a chosen gateway, an ip-range and aux addresses', () => {
    const a = new SubnetAllocator('10.11.0.0/16', { gateway: '10.11.0.2', ipRange: '10.11.5.0/30', auxAddresses: { host: '10.11.5.1' } });
    expect(a.gateway).toBe('10.11.0.2');
    // The range's own first address is not the subnet's network address, so it is handed out.
    expect([a.allocate(), a.allocate(), a.allocate()]).toEqual(['10.11.5.0', '10.11.5.2', '10.11.5.3']);
    expect(() => a.allocate()).toThrow(IpamError);
    expect(a.has('10.11.5.1')).toBe(true);
  });

  it('refuses addresses outside the subnet and taken preferred addresses', () => {
    expect(() => new SubnetAllocator('10.0.1.0/24', { gateway: '10.0.2.1' })).toThrow('invalid gateway 10.0.2.1: not within subnet 10.0.1.0/24');
    expect(() => new SubnetAllocator('10.0.1.0/24', { ipRange: '10.0.0.0/16' })).toThrow(/^invalid ip-range/);
    expect(() => new SubnetAllocator('10.0.1.0/24', { auxAddresses: { a: '10.9.9.9' } })).toThrow(/^invalid auxiliary address a=10\.9\.9\.9/);
    const a = new SubnetAllocator('10.0.1.0/24');
    expect(a.allocate('10.0.1.9')).toBe('10.0.1.9');
    expect(() => a.allocate('10.0.1.9')).toThrow('Address already in use');
    expect(() => a.allocate('10.0.1.1')).toThrow('Address already in use');
  });

  test.prop([fc.array(fc.boolean(), { maxLength: 300 })], { numRuns: 200 })('addresses never collide, never leave the range, never hit gateway or aux', (ops) => {
    const a = new SubnetAllocator('10.1.0.0/25', { auxAddresses: { x: '10.1.0.9' } });
    const held: string[] = [];
    for (const allocate of ops) {
      if (allocate || held.length === 0) {
        let ip: string;
        try {
          ip = a.allocate();
        } catch (e) {
          expect(e).toBeInstanceOf(IpamError);
          expect(held.length).toBe(125 - 2); // .1–.126 usable, minus gateway and aux
          continue;
        }
        const last = Number(ip.split('.')[3]);
        expect(last).toBeGreaterThanOrEqual(2);
        expect(last).toBeLessThanOrEqual(126);
        expect(ip).not.toBe('10.1.0.9');
        expect(held).not.toContain(ip);
        held.push(ip);
      } else {
        a.release(held.shift()!);
      }
    }
  });
});

describe('parseNetworkIpamOptions', () => {
  it('needs a subnet for a gateway, range or aux address', () => {
    expect(() => parseNetworkIpamOptions({ gateway: '10.0.0.1' })).toThrow('gateway specified without subnet');
    expect(() => parseNetworkIpamOptions({ ipRange: '10.0.0.0/28' })).toThrow('ip-range specified without subnet');
    expect(parseNetworkIpamOptions({ subnet: '10.11.0.0/16', gateway: '10.11.0.2' })).toEqual({ subnet: '10.11.0.0/16', gateway: '10.11.0.2', auxAddresses: {} });
  });
});

describe('VniAllocator', () => {
  it('hands out 4096, 4097 … and does not reuse a released VNI at once', () => {
    const v = new VniAllocator();
    expect([v.allocate(), v.allocate(), v.allocate()]).toEqual([FIRST_VNI, FIRST_VNI + 1, FIRST_VNI + 2]);
    v.release(FIRST_VNI + 1);
    expect(v.allocate()).toBe(FIRST_VNI + 3);
  });

  it('reserves a user\'s VXLAN ID and refuses bad or taken ones', () => {
    const v = new VniAllocator();
    expect(v.reserve(4097)).toBe(4097);
    expect(v.allocate()).toBe(4096);
    expect(v.allocate()).toBe(4098);
    expect(() => v.reserve(4097)).toThrow(VniError);
    expect(() => v.reserve(0)).toThrow(`invalid VXLAN ID 0: must be 1 to ${MAX_VNI}`);
    expect(() => v.reserve(MAX_VNI + 1)).toThrow(VniError);
  });
});
