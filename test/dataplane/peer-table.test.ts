import { describe, expect, it } from 'vitest';
import { PEER_TABLE_MAX_ENTRIES, PeerTable, type Peer } from '../../src/dataplane/peer-table.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { macFromIpv4 } from '../../src/wire/address.js';
import { ip } from './fixtures.js';

const A = '127.1.2.1';
const B = '127.1.2.2';
const C = '127.1.2.3';

function peer(addr: string, vtepAddress: string, mac = macFromIpv4(ip(addr)), vtepPort = 4789): Peer {
  return { ip: ip(addr), mac, vtepAddress, vtepPort };
}

describe('PeerTable', () => {
  it('programs a neighbour entry and an FDB entry for each peer, and removes both', () => {
    const t = new PeerTable();
    expect(t.add(peer('10.0.1.3', A))).toBe('added');
    expect(t.add(peer('10.0.1.4', B))).toBe('added');
    expect(t.size).toBe(2);
    expect(t.macForIp(ip('10.0.1.3'))).toBe(macFromIpv4(ip('10.0.1.3')));
    expect(t.vtepForMac(macFromIpv4(ip('10.0.1.4')))).toEqual({ address: B, port: 4789 });
    expect(t.remove(peer('10.0.1.3', A))).toBe(true);
    expect(t.macForIp(ip('10.0.1.3'))).toBeUndefined();
    expect(t.vtepForMac(macFromIpv4(ip('10.0.1.3')))).toBeUndefined();
    expect(t.size).toBe(1);
    expect(t.remove(peer('10.0.1.3', A))).toBe(false);
  });

  it('hands out the same VTEP object for every MAC behind one VTEP (no allocation per lookup)', () => {
    const t = new PeerTable();
    t.add(peer('10.0.1.3', A));
    t.add(peer('10.0.1.4', A));
    expect(t.vtepForMac(macFromIpv4(ip('10.0.1.3')))).toBe(t.vtepForMac(macFromIpv4(ip('10.0.1.4'))));
  });

  it('ignores a repeated add of the same entry: one remove takes it away', () => {
    const t = new PeerTable();
    expect(t.add(peer('10.0.1.3', A))).toBe('added');
    expect(t.add(peer('10.0.1.3', A))).toBe('duplicate');
    expect(t.size).toBe(1);
    t.remove(peer('10.0.1.3', A));
    expect(t.macForIp(ip('10.0.1.3'))).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('programs only the first of duplicate IPs and restores the next on delete (moby peerdb)', () => {
    const t = new PeerTable();
    const first = peer('10.0.1.3', A);
    const second = peer('10.0.1.3', B); // the task moved to host B before A's entry was withdrawn
    t.add(first);
    t.add(second);
    const mac = macFromIpv4(ip('10.0.1.3'));
    expect(t.size).toBe(2);
    expect(t.vtepForMac(mac)?.address, 'got the newer duplicate programmed, want the first').toBe(A);
    expect(t.programmed()).toEqual([first]);
    expect(t.remove(first)).toBe(true);
    expect(t.vtepForMac(mac)?.address, 'the next entry is restored').toBe(B);
    expect(t.macForIp(ip('10.0.1.3'))).toBe(mac);
    expect(t.remove(second)).toBe(true);
    expect(t.vtepForMac(mac)).toBeUndefined();
    expect(t.list()).toEqual([]);
  });

  it('removing a duplicate that was never programmed leaves the programmed one alone', () => {
    const t = new PeerTable();
    const mac = macFromIpv4(ip('10.0.1.3'));
    t.add(peer('10.0.1.3', A));
    t.add(peer('10.0.1.3', B));
    t.remove(peer('10.0.1.3', B));
    expect(t.vtepForMac(mac)?.address).toBe(A);
    expect(t.macForIp(ip('10.0.1.3'))).toBe(mac);
  });

  it('restores a duplicate with a different MAC into the neighbour table', () => {
    const t = new PeerTable();
    const otherMac = 0x02_42_aa_bb_cc_dd;
    t.add(peer('10.0.1.3', A));
    t.add(peer('10.0.1.3', B, otherMac));
    t.remove(peer('10.0.1.3', A));
    expect(t.macForIp(ip('10.0.1.3'))).toBe(otherMac);
    expect(t.vtepForMac(otherMac)?.address).toBe(B);
    expect(t.vtepForMac(macFromIpv4(ip('10.0.1.3')))).toBeUndefined();
  });

  it('reference-counts the FDB entry per (VTEP, MAC): it stays until its last IP goes', () => {
    const t = new PeerTable();
    const shared = 0x02_42_0a_00_01_63;
    t.add(peer('10.0.1.3', A, shared));
    t.add(peer('10.0.2.3', A, shared)); // a second subnet's address on the same endpoint MAC
    t.remove(peer('10.0.1.3', A, shared));
    expect(t.vtepForMac(shared)?.address).toBe(A);
    t.remove(peer('10.0.2.3', A, shared));
    expect(t.vtepForMac(shared)).toBeUndefined();
  });

  it('a MAC programmed towards two VTEPs uses the newest, and falls back when it goes', () => {
    const t = new PeerTable();
    const mac = 0x02_42_0a_00_01_63;
    t.add(peer('10.0.1.3', A, mac));
    t.add(peer('10.0.1.4', C, mac));
    expect(t.vtepForMac(mac)?.address).toBe(C);
    t.remove(peer('10.0.1.4', C, mac));
    expect(t.vtepForMac(mac)?.address).toBe(A);
  });

  it('tells VTEPs apart by port (port mode: every host on 127.0.0.1)', () => {
    const t = new PeerTable();
    t.add(peer('10.0.1.3', '127.0.0.1', undefined, 40001));
    t.add(peer('10.0.1.3', '127.0.0.1', undefined, 40002));
    expect(t.size).toBe(2);
    t.remove(peer('10.0.1.3', '127.0.0.1', undefined, 40001));
    expect(t.vtepForMac(macFromIpv4(ip('10.0.1.3')))).toEqual({ address: '127.0.0.1', port: 40002 });
  });

  it('refuses entries beyond its bound instead of growing', () => {
    const t = new PeerTable();
    for (let i = 0; i < PEER_TABLE_MAX_ENTRIES; i++) t.add({ ip: 0x0a00_0000 + i, mac: 0x0242_0a00_0000 + i, vtepAddress: A, vtepPort: 4789 });
    expect(t.add(peer('10.9.9.9', B))).toBe('table-full');
    expect(t.size).toBe(PEER_TABLE_MAX_ENTRIES);
  });

  it.each([
    ['an IP out of range', { ip: 2 ** 32 }],
    ['a MAC out of range', { mac: -1 }],
    ['a VTEP that is not dotted IPv4', { vtepAddress: 'host-b' }],
    ['a VTEP port of 0', { vtepPort: 0 }],
    ['a VTEP port of 70000', { vtepPort: 70_000 }],
  ])('throws InvalidArgumentError for %s', (_what, change) => {
    const t = new PeerTable();
    expect(() => t.add({ ...peer('10.0.1.3', A), ...change })).toThrow(InvalidArgumentError);
  });
});
