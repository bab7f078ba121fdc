/**
 * memberlist on real loopback sockets: what a hostile or broken peer can send over UDP and TCP
 * is counted by reason and dropped; the node keeps its state and keeps answering.
 */
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { ms, RealClock, seconds } from '../../src/util/clock.js';
import { Rng } from '../../src/util/rng.js';
import { MemberlistKeyring } from '../../src/crypto/memberlist-keyring.js';
import { Memberlist } from '../../src/gossip/memberlist.js';
import { SocketTransport } from '../../src/gossip/socket-transport.js';
import { encodeMessage, encodePushPull, makeCompound, wrapStream } from '../../src/wire/memberlist.js';

const fast = { probeInterval: ms(200), probeTimeout: ms(100), indirectChecks: 3, suspicionMult: 4, suspicionMaxTimeoutMult: 6, retransmitMult: 4, gossipNodes: 3, gossipInterval: ms(50), gossipToTheDeadTime: seconds(30), pushPullInterval: seconds(30), tcpTimeout: ms(500), awarenessMaxMultiplier: 8, udpBufferSize: 1400, deadNodeReap: seconds(30) };

let nodes: Memberlist[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function node(name: string, keyring?: MemberlistKeyring): Promise<Memberlist> {
  const m = new Memberlist({ name, transport: await SocketTransport.bind('127.0.0.1', 0), clock: new RealClock(), rng: Rng.derive(3, name), timing: fast, ...(keyring ? { keyring } : {}) });
  nodes.push(m);
  m.start();
  return m;
}

async function tcp(port: number, chunks: Uint8Array[], endAfter = true): Promise<void> {
  await new Promise<void>((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      for (const c of chunks) s.write(c);
      if (endAfter) s.end();
    });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    setTimeout(() => s.destroy(), 2000).unref();
  });
}

async function udp(port: number, packets: Uint8Array[]): Promise<void> {
  const s = createSocket('udp4');
  for (const p of packets) await new Promise<void>((r) => s.send(p, port, '127.0.0.1', () => r()));
  s.close();
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('memberlist on real sockets, under bad input', () => {
  it('truncated, oversized and garbage TCP streams and UDP packets are counted and change nothing', async () => {
    const a = await node('aaaaaaaaaaaa');
    const b = await node('bbbbbbbbbbbb');
    await b.join([a.local]);
    await until(() => a.members().length === 2);
    const before = a.drops.snapshot();
    const pushPull = wrapStream(encodePushPull({ join: true, states: [], userState: new Uint8Array(0) }), { compress: false });
    await tcp(a.local.port, [pushPull.subarray(0, 3)]); // cut short, then closed
    await tcp(a.local.port, [Uint8Array.of(0x06, 0x82, 0xa4, 0x4a, 0x6f, 0x69, 0x6e, 0xc3, 0xa5, 0x4e, 0x6f, 0x64, 0x65, 0x73, 0xce, 0xff, 0xff, 0xff, 0xff)]); // 4 billion nodes
    await tcp(a.local.port, [Uint8Array.of(0x0a, 0x7f, 0xff, 0xff, 0xff)]); // encrypted, 2 GiB claimed
    await tcp(a.local.port, [Uint8Array.of(0x42, 0x42, 0x42)]);
    await udp(a.local.port, [
      Uint8Array.of(0x07, 0xff, 0x00, 0x10), // compound claiming 255 parts
      Uint8Array.of(0x0c, 1, 2, 3, 4, 0x00), // bad CRC
      Uint8Array.of(0x09, 0x82, 0xa4, 0x41, 0x6c, 0x67, 0x6f, 0x07, 0xa3, 0x42, 0x75, 0x66, 0xa0), // unknown compression algorithm
      makeCompound([encodeMessage({ type: 'ping', body: { seqNo: 1, node: 'somebody-else' } })]), // not for us
      Uint8Array.of(0x00, 0xde, 0xff, 0xff), // map16 claiming 65535 entries
    ]);
    await until(() => a.drops.total() >= Object.values(before).reduce((x, y) => x + (y ?? 0), 0) + 8);
    const after = a.drops.snapshot();
    for (const reason of ['truncated', 'too-large', 'bad-checksum', 'unsupported', 'not-for-us'] as const) expect(after[reason] ?? 0, reason).toBeGreaterThan(before[reason] ?? 0);
    expect(a.members().map((m) => m.name).sort()).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
    // Still answering: a third node joins through it.
    const c = await node('cccccccccccc');
    await c.join([a.local]);
    await until(() => a.members().length === 3 && b.members().length === 3);
  });

  it('key rotation as Docker does it keeps the cluster talking while nodes rotate one by one', async () => {
    const [k1, k2, k3, k4] = [1, 2, 3, 4].map((n) => new Uint8Array(16).fill(n)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    // Before: keys k1 < k2 < k3, primary the second-oldest (k2).
    const ra = new MemberlistKeyring([k1, k2, k3], k2);
    const rb = new MemberlistKeyring([k1, k2, k3], k2);
    const a = await node('rrrrrrrrrrra', ra);
    const b = await node('rrrrrrrrrrrb', rb);
    await b.join([a.local]);
    await until(() => a.members().length === 2);
    // a rotates first (k1 dropped, k4 added, primary k3); b has not heard yet.
    ra.setKeys(k3, [k2, k3, k4]);
    const c = await node('rrrrrrrrrrrc', new MemberlistKeyring([k2, k3, k4], k3));
    await c.join([b.local]); // c seals with k3, which b still accepts
    await until(() => a.members().length === 3 && b.members().length === 3 && c.members().length === 3);
    rb.setKeys(k3, [k2, k3, k4]);
    await new Promise((r) => setTimeout(r, 1000));
    for (const m of [a, b, c]) expect(m.members().map((x) => x.state)).toEqual(['alive', 'alive', 'alive']);
  });
});
