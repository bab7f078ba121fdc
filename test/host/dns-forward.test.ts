import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { forwardDns, parseUpstream } from '../../src/host/dns-forward.js';

let sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets) s.close();
  sockets = [];
});

/** A loopback server that answers every query with `rcode` (or never, when undefined). */
async function server(rcode: number | undefined): Promise<{ address: string; port: number; seen: number[] }> {
  const s = createSocket('udp4');
  sockets.push(s);
  const seen: number[] = [];
  s.on('message', (msg, rinfo) => {
    seen.push(msg.length);
    if (rcode === undefined) return;
    const reply = Buffer.from(msg);
    reply[2] = 0x81;
    reply[3] = 0x80 | rcode;
    s.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { address: '127.0.0.1', port: s.address().port, seen };
}

const QUERY = Uint8Array.from([0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x78, 0, 0, 1, 0, 1]);

describe('forwarding to the host’s upstreams (moby forwardExtDNS)', () => {
  it('accepts only loopback servers, with port 53 by default', () => {
    expect(parseUpstream('127.0.0.53')).toEqual({ address: '127.0.0.53', port: 53 });
    expect(parseUpstream('127.1.2.3:5353')).toEqual({ address: '127.1.2.3', port: 5353 });
    for (const bad of ['8.8.8.8', '192.168.99.1:53', '127.0.0.1:0', '127.0.0.256', 'localhost']) expect(() => parseUpstream(bad), bad).toThrow(/loopback/);
  });

  it('moves on past SERVFAIL and silence, relays NXDOMAIN as it came, in order', async () => {
    const silent = await server(undefined);
    const failing = await server(2);
    const nx = await server(3);
    const never = await server(0);
    const reply = await forwardDns(QUERY, [silent, failing, nx, never], 200);
    expect(reply && reply[3]! & 0x0f).toBe(3);
    expect([silent.seen.length, failing.seen.length, nx.seen.length, never.seen.length]).toEqual([1, 1, 1, 0]);
    expect(await forwardDns(QUERY, [failing], 200)).toBeUndefined();
  });
});
