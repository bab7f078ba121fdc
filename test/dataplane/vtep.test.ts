import { afterEach, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/dataplane/bridge.js';
import { HostCounters } from '../../src/dataplane/counters.js';
import { MemoryNetwork } from '../../src/dataplane/memory-network.js';
import { PeerTable } from '../../src/dataplane/peer-table.js';
import type { Underlay } from '../../src/dataplane/underlay.js';
import { Vtep } from '../../src/dataplane/vtep.js';
import { DropCounters } from '../../src/util/drop.js';
import { macFromIpv4 } from '../../src/wire/address.js';
import { parseEthernet } from '../../src/wire/ethernet.js';
import { parseIcmp } from '../../src/wire/icmp.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { emitVxlanHeader } from '../../src/wire/vxlan.js';
import { expectOk } from '../support/codec.js';
import { arpRequest, echoRequest, ip, Recorder } from './fixtures.js';

const VNI = 4097;
const GW = ip('10.0.1.1');

/** One emulated host: an overlay bridge with one container, its peer table and its VTEP. */
function host(net: MemoryNetwork, address: string, containerIp: number) {
  const drops = new DropCounters();
  const counters = new HostCounters(drops);
  const underlay = net.attach(address, 4789);
  const vtep = new Vtep({ underlay, drops, counters });
  const bridge = new Bridge({ name: 'br0', mtu: 1450, gateway: { ip: GW, mac: macFromIpv4(GW) }, drops });
  const peers = new PeerTable();
  vtep.attach(VNI, bridge, peers);
  const container = new Recorder();
  const eth0 = bridge.addPort(`veth-${address}`, macFromIpv4(containerIp), container);
  return { address, drops, counters, underlay, vtep, bridge, peers, container, eth0, ip: containerIp };
}

type Host = ReturnType<typeof host>;

function peerWith(a: Host, b: Host): void {
  a.peers.add({ ip: b.ip, mac: macFromIpv4(b.ip), vtepAddress: b.address, vtepPort: 4789 });
  b.peers.add({ ip: a.ip, mac: macFromIpv4(a.ip), vtepAddress: a.address, vtepPort: 4789 });
}

const opened: Underlay[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((u) => u.close()));
});

function twoHosts(net = new MemoryNetwork()) {
  const a = host(net, '127.1.2.1', ip('10.0.1.3'));
  const b = host(net, '127.1.2.2', ip('10.0.1.4'));
  opened.push(a.underlay, b.underlay);
  peerWith(a, b);
  return { net, a, b };
}

describe('Vtep over a MemoryNetwork', () => {
  it('carries a ping and its reply end to end between two hosts', async () => {
    const { net, a, b } = twoHosts();
    // ARP is answered on host A itself: nothing crosses the underlay for it.
    a.eth0.receiveFrame(arpRequest(a.ip, b.ip));
    expect(a.container.frames).toHaveLength(1);
    expect(a.counters.framesOut).toBe(0);

    const request = echoRequest(a.ip, b.ip, 1);
    a.eth0.receiveFrame(request);
    expect(b.container.frames, 'delivery is asynchronous').toEqual([]);
    await net.idle();
    expect(b.container.frames).toHaveLength(1);
    expect(new Uint8Array(b.container.frames[0])).toEqual(request);

    const reply = echoRequest(b.ip, a.ip, 1); // what b's stack would send back
    b.eth0.receiveFrame(reply);
    await net.idle();
    expect(a.container.frames).toHaveLength(2);
    expect(expectOk(parseEthernet(a.container.frames[1])).src).toBe(macFromIpv4(b.ip));

    expect(a.counters.snapshot()).toEqual({
      framesOut: 1,
      bytesOut: 8 + request.length,
      framesIn: 1,
      bytesIn: 8 + reply.length,
      drops: {},
    });
    expect(b.drops.total()).toBe(0);
  });

  it('counts garbage and unknown-VNI datagrams, and delivers none of them', async () => {
    const { net, b } = twoHosts();
    const stranger = net.attach('127.1.2.9', 4789);
    opened.push(stranger);
    const frame = echoRequest(ip('10.0.1.3'), b.ip);
    const vxlan = (vni: number) => {
      const h = new Uint8Array(8);
      emitVxlanHeader(vni, h, 0);
      return h;
    };
    const noIFlag = vxlan(VNI);
    noIFlag[0] = 0;
    stranger.send([new Uint8Array([8, 0, 0])], b.address, 4789);
    stranger.send([noIFlag, frame], b.address, 4789);
    stranger.send([vxlan(4242), frame], b.address, 4789);
    stranger.send([vxlan(VNI), new Uint8Array(5)], b.address, 4789);
    await net.idle();
    expect(b.container.frames).toEqual([]);
    expect(b.counters.framesIn).toBe(4);
    expect(b.drops.snapshot()).toEqual({ truncated: 2, 'bad-flags': 1, 'unknown-vni': 1 });
  });

  it('detach stops both directions for that VNI', async () => {
    const { net, a, b } = twoHosts();
    b.vtep.detach(VNI);
    a.eth0.receiveFrame(echoRequest(a.ip, b.ip));
    await net.idle();
    expect(b.drops.get('unknown-vni')).toBe(1);
    b.eth0.receiveFrame(echoRequest(b.ip, a.ip));
    expect(b.drops.get('no-fdb-entry'), 'without its vxlan port the bridge has no remote MACs').toBe(1);
    expect(b.vtep.vnis).toEqual([]);
  });

  it('loses what the drop hook drops, and nothing else', async () => {
    const net = new MemoryNetwork();
    let n = 0;
    net.setDropHook(() => n++ % 2 === 0);
    const { a, b } = twoHosts(net);
    for (let seq = 0; seq < 4; seq++) a.eth0.receiveFrame(echoRequest(a.ip, b.ip, seq));
    await net.idle();
    expect(net.dropped).toBe(2);
    const sequences = b.container.frames.map((f) => {
      const icmp = expectOk(parseIcmp(expectOk(parseIpv4(expectOk(parseEthernet(f)).payload)).payload));
      return icmp.kind === 'echo-request' ? icmp.sequence : -1;
    });
    expect(sequences, 'the hook dropped the 1st and 3rd datagrams').toEqual([1, 3]);
    expect(a.counters.framesOut).toBe(4);
    expect(b.counters.framesIn).toBe(2);
  });

  it('counts send-failed when the underlay is closed under it', async () => {
    const { a, b } = twoHosts();
    await a.underlay.close();
    a.eth0.receiveFrame(echoRequest(a.ip, b.ip));
    await new Promise<void>((resolve) => setImmediate(resolve)); // the error is reported asynchronously
    expect(a.drops.get('send-failed')).toBe(1);
  });
});
