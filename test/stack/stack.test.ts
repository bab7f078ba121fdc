import { afterEach, describe, expect, it } from 'vitest';
import type { EchoReply, IcmpErrorReport, NetStack, UdpSocket } from '../../src/stack/index.js';
import { ARP_MCAST_SOLICIT, NEIGHBOUR_QUEUE_MAX } from '../../src/stack/index.js';
import { ManualClock, seconds } from '../../src/util/clock.js';
import { MAC_BROADCAST, macFromIpv4 } from '../../src/wire/address.js';
import { ArpOperation, parseArp } from '../../src/wire/arp.js';
import { EtherType, parseEthernet } from '../../src/wire/ethernet.js';
import { IcmpType, parseIcmp } from '../../src/wire/icmp.js';
import { IpProtocol } from '../../src/wire/ipv4.js';
import { ipv4Frame, ipv4Header, pingPayload } from '../support/frames.js';
import { attach, cable, etherTypeOf, ip, ipv4Of, makeStack, type TestStack } from './helpers.js';

let clock: ManualClock;
const open: NetStack[] = [];

function stack(seed: number): TestStack {
  const s = makeStack(clock, seed);
  open.push(s.stack);
  return s;
}

/** Two stacks on 10.0.0.0/24 joined by a cable: A = .2, B = .3. */
function pair(mtu = 1500) {
  clock = clock ?? new ManualClock();
  const a = stack(1);
  const b = stack(2);
  const ea = attach(a.stack, 'eth0', 10, '10.0.0.2', 24, mtu);
  const eb = attach(b.stack, 'eth0', 20, '10.0.0.3', 24, mtu);
  cable(ea, eb);
  return { a, b, ea, eb };
}

function udp(s: NetStack, options?: { address?: number; port?: number }): UdpSocket {
  const sock = s.openUdp(options);
  if (typeof sock === 'string') throw new Error(`openUdp: got ${sock}, want a socket`);
  return sock;
}

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  expect(clock.pending, 'timers left pending after close').toBe(0);
  clock = new ManualClock();
});

clock = new ManualClock();

describe('interfaces and routes', () => {
  it('has lo first, and a connected route per interface', () => {
    const { a } = pair();
    const [lo, eth0] = a.stack.interfaces();
    expect(lo.config).toEqual({ name: 'lo', index: 1, peerIndex: 0, mac: 0, mtu: 65536, address: ip('127.0.0.1'), prefixLength: 8 });
    expect(eth0.config.name).toBe('eth0');
    a.stack.addRoute({ destination: 0, prefixLength: 0, gateway: ip('10.0.0.1'), device: 'eth0' });
    expect(a.stack.routes()).toEqual([
      { destination: 0, prefixLength: 0, gateway: ip('10.0.0.1'), device: 'eth0' },
      { destination: ip('10.0.0.0'), prefixLength: 24, device: 'eth0', source: ip('10.0.0.2') },
    ]);
  });

  it('refuses duplicate names, unknown devices and bad MTUs', () => {
    const { a } = pair();
    expect(() => attach(a.stack, 'eth0', 30, '10.0.1.2', 24)).toThrow(/already exists/);
    expect(() => a.stack.addRoute({ destination: 0, prefixLength: 0, gateway: 1, device: 'eth9' })).toThrow(/Cannot find device/);
    expect(() => attach(a.stack, 'eth1', 31, '10.0.1.2', 24, 67)).toThrow(/MTU/);
  });

  it('removeInterface takes its routes along', () => {
    const { a } = pair();
    attach(a.stack, 'eth1', 12, '172.18.0.3', 16);
    a.stack.addRoute({ destination: 0, prefixLength: 0, gateway: ip('172.18.0.1'), device: 'eth1' });
    a.stack.removeInterface('eth1');
    expect(a.stack.routes().map((r) => r.device)).toEqual(['eth0']);
    expect(a.stack.interfaces().map((i) => i.config.name)).toEqual(['lo', 'eth0']);
  });
});

describe('ARP and echo', () => {
  it('resolves the neighbour, then echoes', () => {
    const { a, ea, eb } = pair();
    const sock = a.stack.openIcmpEcho();
    const replies: EchoReply[] = [];
    sock.onReply((r) => replies.push({ ...r, payload: new Uint8Array(r.payload) }));
    expect(sock.send(ip('10.0.0.3'), 0x1234, 1, pingPayload())).toBe('ok');

    const [arp, request] = ea.out.tap;
    expect(etherTypeOf(arp)).toBe(EtherType.ARP);
    const arpEth = parseEthernet(arp);
    if (!arpEth.ok) throw new Error('bad ARP frame');
    expect(arpEth.value.dst).toBe(MAC_BROADCAST);
    const arpRepr = parseArp(arpEth.value.payload);
    expect(arpRepr.ok && arpRepr.value).toMatchObject({ operation: ArpOperation.REQUEST, senderIp: ip('10.0.0.2'), targetIp: ip('10.0.0.3'), targetMac: 0 });
    const req = ipv4Of(request);
    expect(req).toMatchObject({ src: ip('10.0.0.2'), dst: ip('10.0.0.3'), ttl: 64, dontFragment: true, identification: 0, protocol: IpProtocol.ICMP });

    // B answered ARP, learnt A from the request (no ARP of its own), and replied.
    expect(eb.out.tap.map(etherTypeOf)).toEqual([EtherType.ARP, EtherType.IPV4]);
    const reply = ipv4Of(eb.out.tap[1]);
    expect(reply.dontFragment).toBe(false);
    expect(replies).toEqual([{ from: ip('10.0.0.3'), ttl: 64, identifier: 0x1234, sequence: 1, payload: pingPayload() }]);

    expect(sock.send(ip('10.0.0.3'), 0x1234, 2, pingPayload())).toBe('ok');
    expect(ea.out.tap.map(etherTypeOf)).toEqual([EtherType.ARP, EtherType.IPV4, EtherType.IPV4]);
    expect(replies.map((r) => r.sequence)).toEqual([1, 2]);
    expect(ea.iface.counters).toMatchObject({ txPackets: 3, rxPackets: 3, rxDropped: 0, txDropped: 0 });
  });

  it('revalidates a stale neighbour with a unicast request after 30 s', () => {
    const { a, ea } = pair();
    const sock = a.stack.openIcmpEcho();
    sock.send(ip('10.0.0.3'), 1, 1, pingPayload());
    clock.advance(seconds(31));
    const before = ea.out.tap.length;
    sock.send(ip('10.0.0.3'), 1, 2, pingPayload());
    const sent = ea.out.tap.slice(before);
    expect(sent.map(etherTypeOf)).toEqual([EtherType.ARP, EtherType.IPV4]);
    const eth = parseEthernet(sent[0]);
    expect(eth.ok && eth.value.dst).toBe(macFromIpv4(ip('10.0.0.3')));
  });

  it('pings its own address and 127.0.0.1 over lo, without touching eth0', () => {
    const { a, ea } = pair();
    const sock = a.stack.openIcmpEcho();
    const from: number[] = [];
    sock.onReply((r) => from.push(r.from));
    expect(sock.send(ip('10.0.0.2'), 7, 1, pingPayload())).toBe('ok');
    expect(sock.send(ip('127.0.0.1'), 7, 2, pingPayload())).toBe('ok');
    expect(from).toEqual([ip('10.0.0.2'), ip('127.0.0.1')]);
    expect(ea.out.tap).toHaveLength(0);
    expect(a.stack.interfaces()[0].counters).toMatchObject({ txPackets: 4, rxPackets: 4 });
  });

  it('answers on a subnet with no router, and has no route off it', () => {
    clock = new ManualClock();
    const c = stack(3);
    const d = stack(4);
    const ec = attach(c.stack, 'eth0', 2, '192.168.5.10', 24);
    const ed = attach(d.stack, 'eth0', 2, '192.168.5.11', 24);
    cable(ec, ed);
    const sock = c.stack.openIcmpEcho();
    let replies = 0;
    sock.onReply(() => replies++);
    expect(sock.send(ip('192.168.5.11'), 9, 1, pingPayload())).toBe('ok');
    expect(replies).toBe(1);
    expect(sock.send(ip('10.9.9.9'), 9, 2, pingPayload())).toBe('ENETUNREACH');
    expect(udp(c.stack).send(new Uint8Array(4), ip('10.9.9.9'), 53)).toBe('ENETUNREACH');
    expect(c.drops.get('no-route')).toBe(2);
  });

  it('sends to the gateway MAC for off-subnet destinations', () => {
    const { a, ea } = pair();
    a.stack.addRoute({ destination: 0, prefixLength: 0, gateway: ip('10.0.0.3'), device: 'eth0' });
    a.stack.openIcmpEcho().send(ip('8.8.8.8'), 1, 1, pingPayload());
    const arp = parseArp(parseEthernet(ea.out.tap[0]).ok ? ea.out.tap[0].subarray(14) : new Uint8Array());
    expect(arp.ok && arp.value.targetIp).toBe(ip('10.0.0.3'));
    const eth = parseEthernet(ea.out.tap[1]);
    expect(eth.ok && eth.value.dst).toBe(macFromIpv4(ip('10.0.0.3')));
    expect(ipv4Of(ea.out.tap[1]).dst).toBe(ip('8.8.8.8'));
  });
});

describe('ARP failure', () => {
  it('gives up after 3 requests: arp-unresolved, host unreachable, then EHOSTUNREACH for a while', () => {
    const { a, ea } = pair();
    const sock = a.stack.openIcmpEcho();
    const errors: IcmpErrorReport[] = [];
    sock.onError((e) => errors.push(e));
    expect(sock.send(ip('10.0.0.9'), 1, 1, pingPayload())).toBe('ok');
    clock.advance(seconds(1));
    expect(sock.send(ip('10.0.0.9'), 1, 2, pingPayload())).toBe('ok');
    clock.advance(seconds(2));
    const arps = ea.out.tap.filter((f) => etherTypeOf(f) === EtherType.ARP);
    expect(arps).toHaveLength(ARP_MCAST_SOLICIT);
    expect(a.drops.get('arp-unresolved')).toBe(2);
    expect(ea.iface.counters.txDropped).toBe(2);
    expect(errors).toEqual([
      { from: ip('10.0.0.2'), type: 3, code: 1, mtu: 0, originalDestination: ip('10.0.0.9') },
      { from: ip('10.0.0.2'), type: 3, code: 1, mtu: 0, originalDestination: ip('10.0.0.9') },
    ]);
    expect(sock.send(ip('10.0.0.9'), 1, 3, pingPayload())).toBe('EHOSTUNREACH');
    clock.advance(seconds(3));
    expect(sock.send(ip('10.0.0.9'), 1, 4, pingPayload())).toBe('ok');
    expect(ea.out.tap.filter((f) => etherTypeOf(f) === EtherType.ARP)).toHaveLength(ARP_MCAST_SOLICIT + 1);
  });

  it('bounds the queue of a resolving neighbour', () => {
    const { a } = pair();
    const sock = a.stack.openIcmpEcho();
    for (let i = 0; i <= NEIGHBOUR_QUEUE_MAX; i++) sock.send(ip('10.0.0.9'), 1, i, pingPayload(8));
    expect(a.drops.get('queue-full')).toBe(1);
  });
});

describe('UDP', () => {
  it('exchanges datagrams, with ephemeral ports in 32768..60999', () => {
    const { a, b } = pair();
    const server = udp(a.stack, { port: 5000 });
    const client = udp(b.stack);
    expect(client.port).toBeGreaterThanOrEqual(32768);
    expect(client.port).toBeLessThanOrEqual(60999);
    const got: string[] = [];
    server.onMessage((payload, from, fromPort) => {
      got.push(`server ${Buffer.from(payload).toString()} from ${from === ip('10.0.0.3')}:${fromPort === client.port}`);
      server.send(Buffer.from('pong'), from, fromPort);
    });
    client.onMessage((payload, from, fromPort) => got.push(`client ${Buffer.from(payload).toString()} ${from === ip('10.0.0.2')}:${fromPort}`));
    expect(client.send(Buffer.from('ping'), ip('10.0.0.2'), 5000)).toBe('ok');
    expect(got).toEqual(['server ping from true:true', 'client pong true:5000']);
  });

  it('refuses conflicting binds with EADDRINUSE', () => {
    const { a } = pair();
    udp(a.stack, { port: 53 });
    expect(a.stack.openUdp({ port: 53 })).toBe('EADDRINUSE');
    expect(a.stack.openUdp({ address: ip('127.0.0.11'), port: 53 })).toBe('EADDRINUSE');
    const dns = udp(a.stack, { address: ip('127.0.0.11'), port: 5353 });
    expect(a.stack.openUdp({ port: 5353 })).toBe('EADDRINUSE');
    dns.close();
    expect(typeof a.stack.openUdp({ port: 5353 })).toBe('object');
    expect(a.stack.openUdp({ address: ip('10.9.9.9') })).toBe('EINVAL');
  });

  it('delivers to 127.0.0.11 over lo', () => {
    const { a } = pair();
    const dns = udp(a.stack, { address: ip('127.0.0.11'), port: 53 });
    const client = udp(a.stack);
    const seen: number[] = [];
    dns.onMessage((_p, from) => seen.push(from));
    expect(client.send(new Uint8Array([1, 2, 3]), ip('127.0.0.11'), 53)).toBe('ok');
    expect(seen).toEqual([ip('127.0.0.1')]);
  });

  it('port unreachable reaches the sending socket, remote and local', () => {
    const { a, b } = pair();
    const sock = udp(a.stack);
    const errors: IcmpErrorReport[] = [];
    sock.onError((e) => errors.push(e));
    expect(sock.send(new Uint8Array(10), ip('10.0.0.3'), 9999)).toBe('ok');
    expect(sock.send(new Uint8Array(10), ip('10.0.0.2'), 9999)).toBe('ok');
    expect(errors).toEqual([
      { from: ip('10.0.0.3'), type: IcmpType.DEST_UNREACHABLE, code: 3, mtu: 0, originalDestination: ip('10.0.0.3') },
      { from: ip('10.0.0.2'), type: IcmpType.DEST_UNREACHABLE, code: 3, mtu: 0, originalDestination: ip('10.0.0.2') },
    ]);
    expect(b.drops.get('no-socket')).toBe(1);
    expect(a.drops.get('no-socket')).toBe(1);
  });
});

describe('input policy', () => {
  it('drops frames for other hosts, TCP, and answers unknown protocols with protocol unreachable', () => {
    const { a, b, eb } = pair();
    const to = (dst: string, protocol: number) =>
      ipv4Frame(ipv4Header(ip('10.0.0.2'), ip(dst), protocol), new Uint8Array(12));
    b.stack.interfaces()[1].receiveFrame(to('10.0.0.7', IpProtocol.UDP));
    expect(b.drops.get('not-for-us')).toBe(1);
    b.stack.interfaces()[1].receiveFrame(to('10.0.0.3', IpProtocol.TCP));
    expect(b.drops.get('no-protocol')).toBe(1);
    expect(eb.out.tap).toHaveLength(0);
    // Protocol 99: B needs A's MAC for the ICMP error, so A answers B's ARP over the cable.
    b.stack.interfaces()[1].receiveFrame(to('10.0.0.3', 99));
    expect(b.drops.get('no-protocol')).toBe(2);
    const icmpFrame = eb.out.tap.find((f) => etherTypeOf(f) === EtherType.IPV4)!;
    const icmp = parseIcmp(ipv4Of(icmpFrame).payload);
    expect(icmp.ok && icmp.value).toMatchObject({ kind: 'dest-unreachable', code: 2 });
    expect(a.drops.get('no-socket')).toBe(1); // nobody at A holds a protocol-99 socket
  });

  it('does not answer echo requests sent to a broadcast', () => {
    const { b, eb } = pair();
    const req = new Uint8Array(16);
    req[0] = 8;
    const frame = ipv4Frame(ipv4Header(ip('10.0.0.2'), ip('10.0.0.255'), IpProtocol.ICMP), req);
    frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0);
    b.stack.interfaces()[1].receiveFrame(frame);
    expect(eb.out.tap).toHaveLength(0);
  });
});
