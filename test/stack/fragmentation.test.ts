import { afterEach, describe, expect, it } from 'vitest';
import type { IcmpErrorReport, NetStack, UdpSocket } from '../../src/stack/index.js';
import { REASSEMBLY_TIMEOUT } from '../../src/stack/index.js';
import { buildFragmentFrames, fragmentDataSize } from '../../src/stack/fragment.js';
import { ManualClock, seconds } from '../../src/util/clock.js';
import { macFromIpv4 } from '../../src/wire/address.js';
import { EtherType } from '../../src/wire/ethernet.js';
import { parseIcmp } from '../../src/wire/icmp.js';
import { IpProtocol } from '../../src/wire/ipv4.js';
import { udpDatagram } from '../support/frames.js';
import { attach, cable, etherTypeOf, ip, ipv4Of, makeStack } from './helpers.js';

let clock = new ManualClock();
const open: NetStack[] = [];

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  expect(clock.pending, 'timers left pending after close').toBe(0);
  clock = new ManualClock();
});

/** Two stacks on an overlay-like subnet with MTU 1450: A = 10.0.1.2, B = 10.0.1.3. */
function pair(mtu = 1450) {
  const a = makeStack(clock, 11);
  const b = makeStack(clock, 12);
  open.push(a.stack, b.stack);
  const ea = attach(a.stack, 'eth0', 5, '10.0.1.2', 24, mtu);
  const eb = attach(b.stack, 'eth0', 7, '10.0.1.3', 24, mtu);
  cable(ea, eb);
  return { a, b, ea, eb };
}

function udp(s: NetStack, port?: number): UdpSocket {
  const sock = s.openUdp({ port });
  if (typeof sock === 'string') throw new Error(`openUdp: got ${sock}`);
  return sock;
}

function pattern(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
}

/** Fragments of a UDP datagram A→B as A's stack would cut them (dst MAC filled in for B). */
function fragmentsAtoB(payload: Uint8Array, identification: number, mtu = 1450): Uint8Array[] {
  const src = ip('10.0.1.2');
  const dst = ip('10.0.1.3');
  const l4 = udpDatagram({ srcPort: 40000, dstPort: 7000, payload }, src, dst);
  const frames = buildFragmentFrames(l4, mtu, { identification, ttl: 64, protocol: IpProtocol.UDP, src, dst }, macFromIpv4(src));
  for (const f of frames) f.set([0x02, 0x42, 10, 0, 1, 3], 0);
  return frames;
}

describe('fragmentation', () => {
  it('cuts a 1472-byte UDP payload for MTU 1450 and B reassembles it', () => {
    const { a, b, ea } = pair();
    const server = udp(b.stack, 7000);
    const got: Uint8Array[] = [];
    server.onMessage((p) => got.push(new Uint8Array(p)));
    const payload = pattern(1472);
    expect(udp(a.stack).send(payload, ip('10.0.1.3'), 7000)).toBe('ok');
    const datagrams = ea.out.tap.filter((f) => etherTypeOf(f) === EtherType.IPV4).map(ipv4Of);
    expect(datagrams.map((d) => [d.fragmentOffset, d.payload.length, d.moreFragments, d.dontFragment])).toEqual([
      [0, 1424, true, false],
      [1424, 1480 - 1424, false, false],
    ]);
    expect(datagrams[0].identification).toBe(datagrams[1].identification);
    for (const f of ea.out.tap) expect(f.length).toBeLessThanOrEqual(14 + 1450);
    expect(got).toEqual([payload]);
    expect(b.drops.total()).toBe(0);
  });

  it('sends a datagram that fits with DF (pmtu want)', () => {
    const { a, ea } = pair();
    udp(a.stack).send(pattern(1422), ip('10.0.1.3'), 7000);
    const d = ipv4Of(ea.out.tap.find((f) => etherTypeOf(f) === EtherType.IPV4)!);
    expect([d.dontFragment, d.moreFragments, d.payload.length]).toEqual([true, false, 1430]);
  });

  it("'do' refuses 1500 bytes with EMSGSIZE and a frag-needed report carrying the MTU", () => {
    const { a, ea } = pair();
    const sock = udp(a.stack);
    const errors: IcmpErrorReport[] = [];
    sock.onError((e) => errors.push(e));
    expect(sock.send(pattern(1500), ip('10.0.1.3'), 7000, { pmtu: 'do' })).toBe('EMSGSIZE');
    expect(errors).toEqual([{ from: ip('10.0.1.2'), type: 3, code: 4, mtu: 1450, originalDestination: ip('10.0.1.3') }]);
    expect(a.drops.get('frag-needed')).toBe(1);
    expect(ea.out.tap).toHaveLength(0);

    const ping = a.stack.openIcmpEcho();
    const pingErrors: IcmpErrorReport[] = [];
    ping.onError((e) => pingErrors.push(e));
    expect(ping.send(ip('10.0.1.3'), 1, 1, pattern(1500), { pmtu: 'do' })).toBe('EMSGSIZE');
    expect(pingErrors.map((e) => e.mtu)).toEqual([1450]);
  });

  it('refuses datagrams beyond 65535 bytes', () => {
    const { a } = pair();
    expect(udp(a.stack).send(new Uint8Array(65508), ip('10.0.1.3'), 7000)).toBe('EMSGSIZE');
  });

  it('reassembles fragments arriving out of order, and ignores an exact duplicate', () => {
    const { b, eb } = pair();
    const got: number[] = [];
    udp(b.stack, 7000).onMessage((p) => got.push(p.length));
    const frames = fragmentsAtoB(pattern(3000), 77);
    expect(frames).toHaveLength(3);
    const nic = b.stack.interfaces()[1];
    nic.receiveFrame(frames[2]);
    nic.receiveFrame(frames[0]);
    nic.receiveFrame(frames[0]);
    nic.receiveFrame(frames[1]);
    expect(got).toEqual([3000]);
    expect(b.drops.get('fragment-overlap')).toBe(1);
    expect(eb.out.tap).toHaveLength(0);
  });
});

describe('reassembly failures', () => {
  it('times out after 30 s: counted, and ICMP time exceeded (code 1) quoting fragment 0', () => {
    const { a, b, eb } = pair();
    const frames = fragmentsAtoB(pattern(2000), 0x4242);
    b.stack.interfaces()[1].receiveFrame(frames[0]);
    clock.advance(seconds(29.9));
    expect(b.drops.get('reassembly-timeout')).toBe(0);
    clock.advance(REASSEMBLY_TIMEOUT);
    expect(b.drops.get('reassembly-timeout')).toBe(1);
    const sent = eb.out.tap.filter((f) => etherTypeOf(f) === EtherType.IPV4).map(ipv4Of);
    expect(sent).toHaveLength(1);
    expect(sent[0].dst).toBe(ip('10.0.1.2'));
    const icmp = parseIcmp(sent[0].payload);
    if (!icmp.ok || icmp.value.kind !== 'time-exceeded') throw new Error('want a time exceeded message');
    expect(icmp.value.code).toBe(1);
    const quoted = icmp.value.payload;
    expect((quoted[4] << 8) | quoted[5]).toBe(0x4242);
    expect(a.drops.get('no-socket')).toBe(1); // A has no socket the quoted UDP came from
  });

  it('sends no time exceeded when fragment 0 never came', () => {
    const { b, eb } = pair();
    b.stack.interfaces()[1].receiveFrame(fragmentsAtoB(pattern(2000), 5)[1]);
    clock.advance(REASSEMBLY_TIMEOUT);
    expect(b.drops.get('reassembly-timeout')).toBe(1);
    expect(eb.out.tap).toHaveLength(0);
  });

  it('drops the whole datagram when fragments overlap', () => {
    const { b } = pair();
    const got: number[] = [];
    udp(b.stack, 7000).onMessage((p) => got.push(p.length));
    const nic = b.stack.interfaces()[1];
    const whole = fragmentsAtoB(pattern(3000), 9, 1450);
    // The same datagram cut for MTU 1000: its second fragment straddles the first cut's boundary.
    const other = fragmentsAtoB(pattern(3000), 9, 1000);
    nic.receiveFrame(whole[0]);
    nic.receiveFrame(other[1]);
    expect(b.drops.get('fragment-overlap')).toBe(2);
    for (const f of whole.slice(1)) nic.receiveFrame(f);
    expect(got).toEqual([]);
    clock.advance(REASSEMBLY_TIMEOUT);
  });

  it('fragment sizes are multiples of 8 that fit the MTU', () => {
    expect(fragmentDataSize(1450)).toBe(1424);
    expect(fragmentDataSize(1500)).toBe(1480);
    expect(fragmentDataSize(68)).toBe(48);
  });
});
