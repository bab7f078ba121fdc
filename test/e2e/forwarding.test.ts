/**
 * Forwarding end to end, with real host threads and real VXLAN sockets on loopback: the overlay
 * MTU exactly filled, fragmentation and reassembly by the container stacks, PMTU discovery at the
 * VTEP on a misconfigured overlay (container MTU 1500 over a 1500-byte underlay), unknown MACs
 * and garbage on the VXLAN port counted as drops. One cluster of two hosts in address mode for
 * the whole file (2-core machine); `npm run build` must have run (dist/ holds the host worker).
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, type HostFailure } from '../../src/cluster/index.js';
import type { DropReason } from '../../src/util/drop.js';
import { macFromIpv4, formatMac, parseIpv4Address } from '../../src/wire/address.js';
import { parseEthernet } from '../../src/wire/ethernet.js';
import { IpProtocol, Ipv4Packet, parseIpv4 } from '../../src/wire/ipv4.js';
import { readPcap } from '../../src/wire/pcap.js';
import { parseUdp } from '../../src/wire/udp.js';
import { emitVxlanHeader, parseVxlan, VXLAN_UDP_PORT } from '../../src/wire/vxlan.js';
import { expectOk } from '../support/codec.js';
import { complaints, dissect, field, fieldValues, tsharkAvailable } from '../support/tshark.js';
import { stopAndCheckClean } from './support.js';

const linux = process.platform === 'linux';
const OVERLAY = { name: 'fwd-net', vni: 4097, subnet: '10.0.1.0/24' };
/** Like `docker network create -d overlay -o com.docker.network.driver.mtu=1500`: too big for VXLAN. */
const BAD_MTU_OVERLAY = { name: 'bad-mtu', vni: 4098, subnet: '10.0.2.0/24', mtu: 1500 };

let cluster: Cluster;
let resourcesBefore: string[];
const failures: HostFailure[] = [];
/** Container IPs by name. */
const ips: Record<string, string> = {};

/** One inner packet seen on the underlay: the outer UDP payload length and the inner IPv4 header. */
interface Tunnelled {
  readonly outerIpLength: number;
  readonly vni: number;
  readonly inner: Ipv4Packet;
}

/** Every record of a pcap, checked to be well-formed. */
function pcapRecords(path: string): Uint8Array[] {
  const pcap = expectOk(readPcap(readFileSync(path)), path);
  return [...pcap.records].map((r) => expectOk(r, `${path} record`).data);
}

/** Decodes an underlay capture down to the inner IPv4 header, with the wire codecs. */
function tunnelled(path: string): Tunnelled[] {
  return pcapRecords(path).map((data) => {
    const outer = expectOk(parseIpv4(expectOk(parseEthernet(data)).payload), 'outer IPv4');
    const udp = expectOk(parseUdp(outer.payload, outer.src, outer.dst), 'outer UDP');
    const vxlan = expectOk(parseVxlan(udp.payload), 'VXLAN');
    const inner = expectOk(Ipv4Packet.checked(expectOk(parseEthernet(vxlan.payload), 'inner Ethernet').payload), 'inner IPv4');
    return { outerIpLength: 20 + 8 + udp.payload.length, vni: vxlan.vni, inner };
  });
}

/**
 * Captures every host into a fresh directory while `traffic` runs, stops (which flushes the pcap
 * files), then hands the directory to `check`; the directory is removed afterwards.
 */
async function withCapture(traffic: () => Promise<void>, check: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'swarmnet-e2e-forwarding-'));
  try {
    await cluster.captureStart(dir);
    try {
      await traffic();
    } finally {
      await cluster.captureStop();
    }
    await check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function drops(host: string): Promise<Partial<Record<DropReason, number>>> {
  return (await cluster.host(host).stats()).drops;
}

function delta(before: Partial<Record<DropReason, number>>, after: Partial<Record<DropReason, number>>, reason: DropReason): number {
  return (after[reason] ?? 0) - (before[reason] ?? 0);
}

/** busybox's statistics line for `sent` requests and `received` replies. */
function statistics(sent: number, received: number): string {
  const loss = Math.round(((sent - received) * 100) / sent);
  return `${sent} packets transmitted, ${received} packets received, ${loss}% packet loss`;
}

describe.runIf(linux)('forwarding across hosts', () => {
  beforeAll(async () => {
    resourcesBefore = process.getActiveResourcesInfo();
    cluster = await Cluster.start({ hosts: ['manager', 'worker'], mode: 'address', onHostFailure: (f) => failures.push(f) });
    await cluster.createOverlay(OVERLAY);
    await cluster.createOverlay(BAD_MTU_OVERLAY);
    const run = async (host: string, name: string, network: string) => {
      const info = await cluster.runContainer(host, { name, network });
      ips[name] = info.interfaces.find((i) => i.network === network)!.ip;
    };
    await run('manager', 'a', OVERLAY.name);
    await run('worker', 'b', OVERLAY.name);
    await run('manager', 'c', BAD_MTU_OVERLAY.name);
    await run('worker', 'd', BAD_MTU_OVERLAY.name);
  });

  afterAll(async () => {
    if (cluster) await stopAndCheckClean(cluster, resourcesBefore);
    expect(failures).toEqual([]);
  });

  it('carries a ping of exactly the overlay MTU (1422 + 8 + 20 = 1450) as one frame each way', async () => {
    const ping = async () => {
      const r = await cluster.exec('manager', 'a', ['ping', '-c', '1', '-s', '1422', ips.b]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`1430 bytes from ${ips.b}: seq=0 ttl=64`);
      expect(r.stdout).toContain(statistics(1, 1));
      expect(r.exitCode).toBe(0);
    };
    await withCapture(ping, (dir) => {
      const seen = tunnelled(join(dir, 'manager-underlay.pcap'));
      // The request out and the reply in: one datagram each, 1500 bytes of outer IPv4 — the underlay MTU.
      expect(seen.map((t) => [t.vni, t.outerIpLength, t.inner.totalLength, t.inner.isFragment, t.inner.dontFragment])).toEqual([
        [OVERLAY.vni, 1500, 1450, false, true],
        [OVERLAY.vni, 1500, 1450, false, false], // Linux answers echo from a socket that sets no DF
      ]);
      expect(seen.map((t) => [t.inner.src, t.inner.dst])).toEqual([
        [parseIpv4Address(ips.a), parseIpv4Address(ips.b)],
        [parseIpv4Address(ips.b), parseIpv4Address(ips.a)],
      ]);
    });
  });

  it('fragments a 1472-byte ping on the 1450 overlay and reassembles it on the far side', async () => {
    const before = await drops('worker');
    const ping = async () => {
      const r = await cluster.exec('manager', 'a', ['ping', '-c', '2', '-s', '1472', ips.b]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`1480 bytes from ${ips.b}: seq=0 ttl=64`);
      expect(r.stdout).toContain(`1480 bytes from ${ips.b}: seq=1 ttl=64`);
      expect(r.stdout).toContain(statistics(2, 2));
      expect(r.exitCode).toBe(0);
    };
    await withCapture(ping, (dir) => {
      const seen = tunnelled(join(dir, 'manager-underlay.pcap'));
      // Each 1500-byte datagram (request and reply) crosses as two fragments: 1424 + 56 data bytes.
      const fragments = seen.map((t) => [t.inner.src === parseIpv4Address(ips.a) ? 'out' : 'in', t.inner.fragmentOffset, t.inner.moreFragments, t.inner.totalLength]);
      const pair = (dirn: string) => [
        [dirn, 0, true, 1444],
        [dirn, 1424, false, 76],
      ];
      expect(fragments).toEqual([...pair('out'), ...pair('in'), ...pair('out'), ...pair('in')]);
      expect(seen.every((t) => !t.inner.dontFragment && t.outerIpLength <= 1500)).toBe(true);
      // Both fragments of one datagram share its identification.
      expect(seen[0].inner.identification).toBe(seen[1].inner.identification);
      expect(seen.map((t) => t.inner.protocol)).toEqual(seen.map(() => IpProtocol.ICMP));
    });
    const after = await drops('worker');
    expect(delta(before, after, 'reassembly-timeout')).toBe(0);
    expect(delta(before, after, 'fragment-overlap')).toBe(0);
  });

  it('answers an overlay with container MTU 1500 with Fragmentation Needed (MTU 1450) at the VTEP', async () => {
    const before = await drops('manager');
    const framesOut = (await cluster.host('manager').stats()).counters.framesOut;
    const ping = async () => {
      const r = await cluster.exec('manager', 'c', ['ping', '-c', '1', '-W', '1', '-s', '1472', ips.d]);
      expect(r.stdout).toContain(statistics(1, 0));
      expect(r.exitCode).toBe(1);
      expect(delta(before, await drops('manager'), 'frag-needed')).toBe(1);
      expect((await cluster.host('manager').stats()).counters.framesOut, 'the 1514-byte DF frame never left').toBe(framesOut);
    };
    await withCapture(ping, async (dir) => {
      const frames = pcapRecords(join(dir, 'manager-c-eth0.pcap'));
      expect(frames.length).toBeGreaterThanOrEqual(2); // the request out, the error back (and maybe ARP)
      if (tsharkAvailable()) {
        const packets = await dissect(join(dir, 'manager-c-eth0.pcap'));
        const errors = packets.filter((p) => field(p, 'frame.protocols').includes(':icmp') && fieldValues(p, 'icmp.type')[0] === '3');
        expect(errors).toHaveLength(1);
        const e = errors[0];
        expect([field(e, 'icmp.code'), field(e, 'icmp.mtu'), field(e, 'ip.src'), field(e, 'ip.dst')]).toEqual(['4', '1450', ips.d, ips.c]);
        expect([field(e, 'eth.src'), field(e, 'eth.dst')]).toEqual([formatMac(macFromIpv4(parseIpv4Address(ips.d))), formatMac(macFromIpv4(parseIpv4Address(ips.c)))]);
        expect(packets.flatMap(complaints)).toEqual([]);
      }
    });
  });

  it('counts a frame for a MAC the peer table no longer knows as no-fdb-entry', async () => {
    const first = await cluster.exec('manager', 'a', ['ping', '-c', '1', ips.b]);
    expect(first.exitCode).toBe(0); // a's neighbour cache now holds b's MAC
    const peer = {
      network: OVERLAY.name,
      ip: ips.b,
      mac: formatMac(macFromIpv4(parseIpv4Address(ips.b))),
      vtepAddress: cluster.host('worker').underlay.address,
      vtepPort: cluster.host('worker').underlay.port,
    };
    expect(await cluster.host('manager').removePeer(peer)).toEqual({ ignored: false });
    try {
      const before = await drops('manager');
      const r = await cluster.exec('manager', 'a', ['ping', '-c', '1', '-W', '1', ips.b]);
      expect(r.stdout).toContain(statistics(1, 0));
      expect(r.exitCode).toBe(1);
      expect(delta(before, await drops('manager'), 'no-fdb-entry')).toBeGreaterThanOrEqual(1);
    } finally {
      await cluster.host('manager').addPeer(peer);
    }
    const again = await cluster.exec('manager', 'a', ['ping', '-c', '1', ips.b]);
    expect(again.exitCode).toBe(0);
  });

  it('counts garbage on the VXLAN port by reason, survives it, and still forwards', async () => {
    const target = cluster.host('worker').underlay;
    expect(target.port).toBe(VXLAN_UDP_PORT);
    const header = (vni: number) => {
      const h = Buffer.alloc(8);
      emitVxlanHeader(vni, h, 0);
      return h;
    };
    const noIFlag = header(OVERLAY.vni);
    noIFlag[0] = 0;
    const frame = Buffer.alloc(60, 0x5a);
    // Fixed "random" bytes, so the run is repeatable: flags byte 0x93 has no I bit (bad-flags).
    const random = Buffer.from('93c1e07f5b2a9d4e16f80c3b7a52e9d1046fb8a3c25e71d90a3f6c84e2b17d59', 'hex');
    const garbage: [Buffer, DropReason][] = [
      [random, 'bad-flags'],
      [Buffer.from([0x08, 0x00, 0x00]), 'truncated'],
      [Buffer.concat([noIFlag, frame]), 'bad-flags'],
      [Buffer.concat([header(0xabcdef), frame]), 'unknown-vni'],
    ];
    const before = await cluster.host('worker').stats();
    const socket = createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, '127.0.0.1', () => resolve());
      });
      for (const [datagram] of garbage) {
        await new Promise<void>((resolve, reject) => socket.send(datagram, target.port, target.address, (err) => (err ? reject(err) : resolve())));
      }
    } finally {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
    // The host reads its socket on its own thread: ask (bounded) until all four were counted.
    let after = await cluster.host('worker').stats();
    for (let i = 0; i < 50 && after.counters.framesIn < before.counters.framesIn + garbage.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await cluster.host('worker').stats();
    }
    expect(after.counters.framesIn - before.counters.framesIn).toBe(garbage.length);
    for (const reason of ['truncated', 'bad-flags', 'unknown-vni'] as const) {
      expect(delta(before.drops, after.drops, reason), reason).toBe(garbage.filter(([, r]) => r === reason).length);
    }
    expect(cluster.host('worker').state).toBe('running');
    const r = await cluster.exec('manager', 'a', ['ping', '-c', '1', ips.b]);
    expect(r.stdout).toContain(statistics(1, 1));
    expect(r.exitCode).toBe(0);
  });
});
