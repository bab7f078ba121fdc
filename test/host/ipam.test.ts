import { describe, expect, it } from 'vitest';
import { broadcastOf, contains, defaultGateway, parseCidr, SerialIpAllocator } from '../../src/host/ipam.js';
import { formatIpv4, parseIpv4Address } from '../../src/wire/address.js';

const ip = parseIpv4Address;

describe('parseCidr', () => {
  it('parses a network and its derived addresses', () => {
    const s = parseCidr('10.0.1.0/24');
    expect(s).toEqual({ network: ip('10.0.1.0'), prefixLength: 24 });
    expect(formatIpv4(defaultGateway(s))).toBe('10.0.1.1');
    expect(formatIpv4(broadcastOf(s))).toBe('10.0.1.255');
    expect(contains(s, ip('10.0.1.77'))).toBe(true);
    expect(contains(s, ip('10.0.2.1'))).toBe(false);
  });

  it.each([['10.0.1.5/24', /host bits set/], ['10.0.1.0', /invalid CIDR/], ['10.0.1.0/33', /prefix length/], ['10.0.1.0/4', /prefix length/], ['10.0.1/24', /invalid IPv4/]])(
    'refuses %s',
    (text, message) => {
      expect(() => parseCidr(text)).toThrow(message);
    },
  );
});

describe('SerialIpAllocator', () => {
  it('hands out addresses serially from .2, skipping reserved ones, and does not reuse a released one at once', () => {
    const s = parseCidr('10.0.1.0/29'); // hosts .1 .. .6
    const a = new SerialIpAllocator(s, [ip('10.0.1.1')]);
    expect([a.allocate(), a.allocate()].map(formatIpv4)).toEqual(['10.0.1.2', '10.0.1.3']);
    a.release(ip('10.0.1.2'));
    expect(formatIpv4(a.allocate())).toBe('10.0.1.4');
    a.claim(ip('10.0.1.5'));
    expect(formatIpv4(a.allocate())).toBe('10.0.1.6');
    // wraps to the first free one
    expect(formatIpv4(a.allocate())).toBe('10.0.1.2');
    expect(() => a.allocate()).toThrow(/no available IPv4 addresses/);
  });

  it('refuses a claimed address twice and addresses outside the host range', () => {
    const a = new SerialIpAllocator(parseCidr('10.0.1.0/24'));
    a.claim(ip('10.0.1.9'));
    expect(() => a.claim(ip('10.0.1.9'))).toThrow(/already in use/);
    expect(() => a.claim(ip('10.0.1.0'))).toThrow(/not a host address/);
    expect(() => a.claim(ip('10.0.1.255'))).toThrow(/not a host address/);
    expect(() => a.claim(ip('10.0.2.3'))).toThrow(/not a host address/);
  });
});
