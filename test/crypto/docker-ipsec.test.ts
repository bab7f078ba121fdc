import { describe, expect, it } from 'vitest';
import { dockerSpi, ipsecKeyOrder, PeerSas, type IpsecKey } from '../../src/crypto/docker-ipsec.js';
import { parseIpv4Address } from '../../src/wire/address.js';

const ip = parseIpv4Address;
const key = (tag: number): IpsecKey => ({ key: new Uint8Array(16).fill(tag & 0xff), lamportTime: tag });

describe('Docker’s IPsec SAs (moby drivers/overlay/encryption.go)', () => {
  it('SPI = FNV-1a-32(src as 16 bytes ‖ tag u32 BE ‖ dst as 16 bytes): the reference’s worked example', () => {
    expect(dockerSpi(ip('192.168.1.10'), ip('192.168.1.11'), 65001).toString(16)).toBe('48bb57a4');
    expect(dockerSpi(ip('192.168.1.11'), ip('192.168.1.10'), 65001)).not.toBe(dockerSpi(ip('192.168.1.10'), ip('192.168.1.11'), 65001));
  });

  it('sends with the second-oldest key and accepts all three', () => {
    expect(ipsecKeyOrder([key(3), key(1), key(2)]).map((k) => k.lamportTime)).toEqual([2, 1, 3]);
    const local = ip('127.0.0.1');
    const remote = ip('127.0.0.2');
    const sas = new PeerSas(local, remote);
    const changes = sas.update([key(1), key(2), key(3)]);
    expect(changes.filter((c) => c.op === 'add-inbound').map((c) => c.tag).sort()).toEqual([1, 2, 3]);
    expect(sas.outbound!.sa.spi).toBe(dockerSpi(local, remote, 2));
    for (const t of [1, 2, 3]) expect(sas.inbound(dockerSpi(remote, local, t))).toBeDefined();
  });

  it('a rotation adds the new inbound SA, switches the outbound SA, then drops the oldest — in that order', () => {
    const local = ip('127.0.0.1');
    const remote = ip('127.0.0.2');
    const sas = new PeerSas(local, remote);
    sas.update([key(1), key(2), key(3)]);
    const changes = sas.update([key(2), key(3), key(4)]);
    expect(changes.map((c) => `${c.op}:${c.tag}`)).toEqual(['add-inbound:4', 'remove-outbound:2', 'add-outbound:3', 'remove-inbound:0']);
    expect(changes.at(-1)!.spi).toBe(dockerSpi(remote, local, 1));
    expect(sas.outbound!.sa.spi).toBe(dockerSpi(local, remote, 3));
    expect(sas.inboundSpis.sort()).toEqual([2, 3, 4].map((t) => dockerSpi(remote, local, t)).sort());
  });

  it('a sender one rotation behind is still accepted: its primary is an accept-only key here', () => {
    const a = ip('127.0.0.1');
    const b = ip('127.0.0.2');
    const ahead = new PeerSas(b, a); // b, rotated
    ahead.update([key(2), key(3), key(4)]);
    const behind = new PeerSas(a, b); // a, not yet
    behind.update([key(1), key(2), key(3)]);
    const out = new Uint8Array(200);
    const n = behind.outbound!.seal(17, Uint8Array.of(1, 2, 3, 4), out, 0);
    const spi = (out[0]! << 24) | (out[1]! << 16) | (out[2]! << 8) | out[3]!;
    const opened = ahead.inbound(spi >>> 0)!.open(out.subarray(0, n));
    expect(opened.ok).toBe(true);
  });
});
