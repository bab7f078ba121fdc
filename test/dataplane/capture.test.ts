import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/dataplane/bridge.js';
import { gatheredSum, InterfaceCapture, UnderlayCapture } from '../../src/dataplane/capture.js';
import { HostCounters } from '../../src/dataplane/counters.js';
import { MemoryNetwork } from '../../src/dataplane/memory-network.js';
import { PeerTable } from '../../src/dataplane/peer-table.js';
import { Vtep } from '../../src/dataplane/vtep.js';
import { ManualClock, ms } from '../../src/util/clock.js';
import { DropCounters } from '../../src/util/drop.js';
import { macFromIpv4 } from '../../src/wire/address.js';
import { checksumAdd, checksumFold } from '../../src/wire/checksum.js';
import { readPcap } from '../../src/wire/pcap.js';
import { expectOk } from '../support/codec.js';
import { complaints, dissect, field, fieldValues, protocols, tsharkAvailable } from '../support/tshark.js';
import { arpRequest, echoRequest, ip, Recorder } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'swarmnet-capture-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const VNI = 4097;
const HOST_A = '127.1.2.1';
const HOST_B = '127.1.2.2';
const C_A = ip('10.0.1.3');
const C_B = ip('10.0.1.4');

/**
 * Host A (capturing its underlay and its container's eth0) and host B over a MemoryNetwork; A's
 * container resolves B's container, pings it, and B's container answers.
 */
async function pingAcross() {
  const clock = new ManualClock();
  const underlayPath = join(tmp, 'underlay.pcap');
  const eth0Path = join(tmp, 'eth0.pcap');
  const underlayCapture = await UnderlayCapture.open(underlayPath, { clock });
  const eth0Capture = await InterfaceCapture.open(eth0Path, { clock });
  const net = new MemoryNetwork();
  const hosts = [HOST_A, HOST_B].map((address, i) => {
    const drops = new DropCounters();
    const underlay = net.attach(address, 4789);
    const vtep = new Vtep({ underlay, drops, counters: new HostCounters(drops), capture: i === 0 ? underlayCapture : undefined });
    const bridge = new Bridge({ name: 'br0', mtu: 1450, drops });
    const peers = new PeerTable();
    vtep.attach(VNI, bridge, peers);
    const container = new Recorder();
    const containerIp = i === 0 ? C_A : C_B;
    const sink = i === 0 ? eth0Capture.wrap(container) : container;
    const veth = bridge.addPort('veth0', macFromIpv4(containerIp), sink);
    const eth0 = i === 0 ? eth0Capture.wrap(veth) : veth;
    return { underlay, eth0, container, peers, drops };
  });
  const [a, b] = hosts;
  a.peers.add({ ip: C_B, mac: macFromIpv4(C_B), vtepAddress: HOST_B, vtepPort: 4789 });
  b.peers.add({ ip: C_A, mac: macFromIpv4(C_A), vtepAddress: HOST_A, vtepPort: 4789 });

  a.eth0.receiveFrame(arpRequest(C_A, C_B));
  clock.advance(ms(1));
  a.eth0.receiveFrame(echoRequest(C_A, C_B, 1));
  await net.idle();
  clock.advance(ms(1));
  b.eth0.receiveFrame(echoRequest(C_B, C_A, 1)); // stands in for b's echo reply
  await net.idle();
  await Promise.all([underlayCapture.close(), eth0Capture.close(), a.underlay.close(), b.underlay.close()]);
  return { underlayPath, eth0Path, underlayCapture, eth0Capture, a, b };
}

describe('captures', () => {
  it('write one record per datagram and per frame, timestamped from the clock', async () => {
    const { underlayPath, eth0Path, underlayCapture, eth0Capture } = await pingAcross();
    expect(underlayCapture.packetsWritten).toBe(2);
    expect(eth0Capture.packetsWritten, 'ARP request, proxied reply, echo, echo back').toBe(4);
    const records = [...expectOk(readPcap(new Uint8Array(readFileSync(underlayPath)))).records].map((r) => expectOk(r));
    // 42 outer bytes + 8 VXLAN + 98-byte inner ping frame.
    expect(records.map((r) => r.origLen)).toEqual([148, 148]);
    const t0 = records[0].tsSec * 1e6 + records[0].tsFrac;
    const t1 = records[1].tsSec * 1e6 + records[1].tsFrac;
    expect(t1 - t0, 'the manual clock moved 1 ms between them').toBe(1000);
    expect(expectOk(readPcap(new Uint8Array(readFileSync(eth0Path)))).header.linkType).toBe(1);
  });

  it.runIf(tsharkAvailable())('the underlay pcap dissects cleanly: outer loopback UDP, VXLAN 4097, inner ICMP', async () => {
    const { underlayPath } = await pingAcross();
    const packets = await dissect(underlayPath);
    expect(packets).toHaveLength(2);
    for (const p of packets) {
      expect(complaints(p)).toEqual([]);
      expect(protocols(p)).toBe('eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data');
      expect(field(p, 'vxlan.vni')).toBe(String(VNI));
      expect(field(p, 'udp.dstport')).toBe('4789');
      expect(field(p, 'udp.checksum.status')).toBe('1');
      expect(field(p, 'ip.ttl')).toBe('64');
      expect(field(p, 'ip.flags.df')).toBe('0');
    }
    expect(fieldValues(packets[0], 'ip.src')).toEqual([HOST_A, '10.0.1.3']);
    expect(fieldValues(packets[0], 'ip.dst')).toEqual([HOST_B, '10.0.1.4']);
    expect(fieldValues(packets[1], 'ip.src')).toEqual([HOST_B, '10.0.1.4']);
    expect(fieldValues(packets[1], 'ip.dst')).toEqual([HOST_A, '10.0.1.3']);
    expect(field(packets[0], 'eth.src')).toBe('02:42:7f:01:02:01');
    expect(Number(field(packets[1], 'ip.id'))).toBe(1);
  });

  it.runIf(tsharkAvailable())('the interface pcap shows both directions of the veth in order', async () => {
    const { eth0Path } = await pingAcross();
    const packets = await dissect(eth0Path);
    expect(packets.map((p) => protocols(p))).toEqual([
      'eth:ethertype:arp',
      'eth:ethertype:arp',
      'eth:ethertype:ip:icmp:data',
      'eth:ethertype:ip:icmp:data',
    ]);
    for (const p of packets) expect(complaints(p)).toEqual([]);
    expect(field(packets[1], 'arp.opcode')).toBe('2');
    expect(field(packets[1], 'arp.src.proto_ipv4')).toBe('10.0.1.4');
    expect(field(packets[1], 'arp.src.hw_mac')).toBe('02:42:0a:00:01:04');
    expect(field(packets[3], 'ip.src')).toBe('10.0.1.4');
  });
});

describe('gatheredSum', () => {
  it('sums chunks of odd length as the joined bytes', () => {
    const joined = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
    const chunks = [joined.subarray(0, 3), joined.subarray(3, 4), joined.subarray(4)];
    expect(checksumFold(gatheredSum(chunks))).toBe(checksumFold(checksumAdd(joined, 0, joined.length)));
  });

  fcTest.prop([fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 })])('equals the sum of the joined chunks', (chunks) => {
    const joined = new Uint8Array(Buffer.concat(chunks));
    expect(checksumFold(gatheredSum(chunks)) % 0xffff).toBe(checksumFold(checksumAdd(joined, 0, joined.length)) % 0xffff);
  });
});
