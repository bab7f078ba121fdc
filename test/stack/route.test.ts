import { describe, expect, it } from 'vitest';
import { directedBroadcast, networkOf, prefixMask, RouteTable } from '../../src/stack/route.js';
import { ip } from './helpers.js';

function table(): RouteTable {
  const t = new RouteTable();
  t.add({ destination: ip('10.0.0.0'), prefixLength: 24, device: 'eth0', source: ip('10.0.0.4') });
  t.add({ destination: ip('172.18.0.0'), prefixLength: 16, device: 'eth2', source: ip('172.18.0.3') });
  t.add({ destination: 0, prefixLength: 0, gateway: ip('172.18.0.1'), device: 'eth2' });
  t.add({ destination: ip('10.0.1.0'), prefixLength: 24, device: 'eth1', source: ip('10.0.1.2') });
  t.add({ destination: ip('10.0.0.0'), prefixLength: 8, device: 'eth1' });
  return t;
}

describe('route lookup (longest prefix)', () => {
  const cases: [string, string][] = [
    ['10.0.0.9', 'eth0'],
    ['10.0.1.200', 'eth1'],
    ['10.7.7.7', 'eth1'],
    ['172.18.5.5', 'eth2'],
    ['8.8.8.8', 'eth2'],
  ];
  for (const [dst, device] of cases) {
    it(`${dst} → ${device}`, () => {
      const r = table().lookup(ip(dst));
      expect(r?.device, `got ${r?.device}, want ${device}`).toBe(device);
    });
  }

  it('has no route without a default', () => {
    const t = new RouteTable();
    t.add({ destination: ip('10.0.0.0'), prefixLength: 24, device: 'eth0' });
    expect(t.lookup(ip('10.0.1.1'))).toBeUndefined();
  });

  it('keeps the first of two equal prefixes', () => {
    const t = new RouteTable();
    t.add({ destination: ip('10.0.0.0'), prefixLength: 24, device: 'eth0' });
    t.add({ destination: ip('10.0.0.0'), prefixLength: 24, device: 'eth1' });
    expect(t.lookup(ip('10.0.0.1'))?.device).toBe('eth0');
  });

  it('lists in FIB order: default first, then by network, longer prefix first', () => {
    expect(table().list().map((r) => `${r.destination >>> 24}/${r.prefixLength} ${r.device}`)).toEqual([
      '0/0 eth2',
      '10/24 eth0',
      '10/8 eth1',
      '10/24 eth1',
      '172/16 eth2',
    ]);
  });

  it('refuses host bits, duplicates and bad prefixes; removes by device', () => {
    const t = table();
    expect(() => t.add({ destination: ip('10.0.0.1'), prefixLength: 24, device: 'eth0' })).toThrow(/host bits/);
    expect(() => t.add({ destination: ip('10.0.0.0'), prefixLength: 24, device: 'eth0' })).toThrow(/exists/);
    expect(() => t.add({ destination: 0, prefixLength: 33, device: 'eth0' })).toThrow(/prefix length/);
    t.removeDevice('eth2');
    expect(t.lookup(ip('8.8.8.8'))).toBeUndefined();
    expect(t.list()).toHaveLength(3);
  });
});

describe('prefix arithmetic', () => {
  it('masks, networks and broadcasts', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(networkOf(ip('172.18.0.3'), 16)).toBe(ip('172.18.0.0'));
    expect(directedBroadcast(ip('10.0.0.4'), 24)).toBe(ip('10.0.0.255'));
    expect(directedBroadcast(ip('10.0.0.4'), 31)).toBe(-1);
  });
});
