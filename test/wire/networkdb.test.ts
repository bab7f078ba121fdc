import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeEndpointRecord, decodeGossip, decodePeerRecord, encodeCompound, encodeEndpointRecord, encodeGossip, encodePeerRecord } from '../../src/wire/networkdb.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => Buffer.from(s).toString('hex');

describe('NetworkDB messages (moby networkdb.proto field numbers)', () => {
  it('a NodeEvent JOIN wrapped in a GossipMessage, byte for byte', () => {
    const bytes = encodeGossip('NODE_EVENT', { type: 'JOIN', l_time: 5, node_name: 'a1b2c3d4e5f6' });
    // GossipMessage{type(1)=NODE_EVENT 6, data(2)=NodeEvent{type(1)=1, l_time(2)=5, node_name(3)}}
    expect(hex(bytes)).toBe(`0806` + `1212` + `0801` + `1005` + `1a0c${ascii('a1b2c3d4e5f6')}`);
    expect(decodeGossip(bytes)).toEqual({ ok: true, value: { type: 'NODE_EVENT', event: { type: 'JOIN', l_time: 5, node_name: 'a1b2c3d4e5f6' } } });
  });

  it('a TableEvent DELETE carries its residual reap time (field 8)', () => {
    const event = { type: 'DELETE', l_time: 300, node_name: 'n1', network_id: 'net', table_name: 'overlay_peer_table', key: 'ep', value: Uint8Array.of(1, 2), residual_reap_time: 1800 } as const;
    const bytes = encodeGossip('TABLE_EVENT', event);
    expect(hex(bytes.subarray(0, 2))).toBe('0802');
    expect(hex(bytes)).toContain(`40${'88'}0e`); // field 8 varint 1800 = 0x88 0x0e
    const back = decodeGossip(bytes);
    expect(back).toEqual({ ok: true, value: { type: 'TABLE_EVENT', event: { ...event, value: Uint8Array.of(1, 2) } } });
  });

  it('compound messages nest whole GossipMessages', () => {
    const a = encodeGossip('NODE_EVENT', { type: 'LEAVE', l_time: 9, node_name: 'x' });
    const b = encodeGossip('NETWORK_EVENT', { type: 'JOIN', l_time: 10, node_name: 'x', network_id: 'n' });
    const c = encodeCompound([a, b]);
    expect(hex(c.subarray(0, 2))).toBe('0805');
    const back = decodeGossip(c);
    expect(back.ok && back.value.type === 'COMPOUND' && back.value.messages.map(hex)).toEqual([hex(a), hex(b)]);
  });

  it('PeerRecord: moby’s three strings, and swarmnet’s port (field 1000) only when set', () => {
    const plain = encodePeerRecord({ endpoint_ip: '10.0.1.5/24', endpoint_mac: '02:42:0a:00:01:05', tunnel_endpoint_ip: '127.0.0.2' });
    expect(hex(plain)).toBe(`0a0b${ascii('10.0.1.5/24')}1211${ascii('02:42:0a:00:01:05')}1a09${ascii('127.0.0.2')}`);
    const withPort = encodePeerRecord({ endpoint_ip: '10.0.1.5/24', endpoint_mac: '02:42:0a:00:01:05', tunnel_endpoint_ip: '127.0.0.1', swarmnet_tunnel_endpoint_port: 40001 });
    expect(hex(withPort).endsWith('c03e' + 'c1b802')).toBe(true); // tag (1000 << 3) varint, then 40001
    expect(decodePeerRecord(withPort)).toMatchObject({ ok: true, value: { tunnel_endpoint_ip: '127.0.0.1', swarmnet_tunnel_endpoint_port: 40001 } });
  });

  it('EndpointRecord round-trips with its ports and aliases', () => {
    const r = {
      name: 'web.1.abc',
      service_name: 'web',
      service_id: 'sid',
      virtual_ip: '10.0.1.2',
      endpoint_ip: '10.0.1.3',
      ingress_ports: [{ name: '', protocol: 'TCP' as const, target_port: 80, published_port: 8080 }],
      aliases: ['w'],
      task_aliases: ['abc123'],
      service_disabled: true,
    };
    expect(decodeEndpointRecord(encodeEndpointRecord(r))).toEqual({ ok: true, value: r });
  });

  it('refuses unknown and malformed messages without throwing', () => {
    expect(decodeGossip(Uint8Array.of(0x08, 0x09))).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(decodeGossip(Uint8Array.of(0x08, 0x06, 0x12, 0x80))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(decodeGossip(new Uint8Array(0))).toMatchObject({ ok: false, reason: 'unsupported' }); // INVALID
  });

  test.prop([fc.uint8Array({ maxLength: 200 })])('decoders never throw on arbitrary bytes', (bytes) => {
    expect(() => decodeGossip(bytes)).not.toThrow();
    expect(() => decodePeerRecord(bytes)).not.toThrow();
    expect(() => decodeEndpointRecord(bytes)).not.toThrow();
  });
});
