/**
 * A real cluster in address mode: three host threads, each with its own UDP socket on
 * 127.A.B.N:4789, one overlay, containers on two hosts, pings through real VXLAN on loopback.
 * One cluster for the whole file (2-core machine); the crash test runs last.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, type HostFailure } from '../../src/cluster/index.js';
import { readPcap } from '../../src/wire/pcap.js';
import { complaints, dissect, field, protocols, tsharkAvailable } from '../support/tshark.js';
import { expectPingOutput, stopAndCheckClean } from './support.js';

const linux = process.platform === 'linux';
let cluster: Cluster;
let resourcesBefore: string[];
const failures: HostFailure[] = [];

describe.runIf(linux)('cluster in address mode', () => {
  beforeAll(async () => {
    resourcesBefore = process.getActiveResourcesInfo();
    cluster = await Cluster.start({ hosts: ['manager', 'worker-1', 'victim'], onHostFailure: (f) => failures.push(f) });
    await cluster.createOverlay({ name: 'my-overlay', vni: 4097, subnet: '10.0.1.0/24' });
    await cluster.runContainer('manager', { name: 'a', network: 'my-overlay' });
    await cluster.runContainer('worker-1', { name: 'b', network: 'my-overlay' });
    await cluster.runContainer('manager', { name: 'c', network: 'my-overlay' });
  });

  afterAll(async () => {
    if (cluster) await stopAndCheckClean(cluster, resourcesBefore);
  });

  it('captures the underlay (real VXLAN on 4789) and the container interface to pcap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarmnet-e2e-capture-'));
    try {
      const started = await cluster.captureStart(dir);
      expect(started).toContain(join(dir, 'manager-underlay.pcap'));
      expect(started).toContain(join(dir, 'manager-a-eth0.pcap'));
      const r = await cluster.exec('manager', 'a', ['ping', '-c', '1', '10.0.1.3']);
      expect(r.exitCode).toBe(0);
      const stopped = await cluster.captureStop();
      expect(stopped.sort()).toEqual(started.sort());
      const records = (path: string) => {
        const pcap = readPcap(readFileSync(path));
        if (!pcap.ok) throw new Error(`${path}: ${pcap.reason}`);
        const all = [...pcap.value.records];
        expect(all.filter((rec) => !rec.ok)).toEqual([]);
        return all.length;
      };
      expect(records(join(dir, 'manager-underlay.pcap'))).toBe(2); // echo request out, reply in
      expect(records(join(dir, 'worker-1-underlay.pcap'))).toBe(2);
      // the echo request and reply (and the ARP exchange with the local proxy, if not cached yet)
      expect(records(join(dir, 'manager-a-eth0.pcap'))).toBeGreaterThanOrEqual(2);
      if (tsharkAvailable()) {
        const packets = await dissect(join(dir, 'manager-underlay.pcap'));
        expect(packets.map(protocols)).toEqual(['eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data', 'eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data']);
        expect(packets.map((p) => [field(p, 'udp.dstport'), field(p, 'vxlan.vni'), field(p, 'icmp.type')])).toEqual([
          ['4789', '4097', '8'],
          [String(cluster.host('manager').underlay.port), '4097', '0'],
        ]);
        expect(packets.flatMap(complaints)).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives host N the loopback address 127.A.B.N and the real VXLAN port', () => {
    const endpoints = cluster.hosts.map((h) => cluster.host(h).underlay);
    const block = /^127\.(\d+)\.(\d+)\.1$/.exec(endpoints[0].address);
    expect(block).not.toBeNull();
    expect(endpoints).toEqual([1, 2, 3].map((n) => ({ address: `127.${block![1]}.${block![2]}.${n}`, port: 4789 })));
    expect(cluster.mode).toBe('address');
  });

  it('pings a container on another host by IP through VXLAN', async () => {
    const r = await cluster.exec('manager', 'a', ['ping', '-c', '2', '-i', '0.2', '10.0.1.3']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expectPingOutput(r.stdout, '10.0.1.3', 2);
    const back = await cluster.exec('worker-1', 'b', ['ping', '-c', '1', '10.0.1.2']);
    expectPingOutput(back.stdout, '10.0.1.2', 1);
  });

  it('pings a container on the same host through the bridge, not the tunnel', async () => {
    const before = (await cluster.stats()).manager.counters.framesOut;
    const r = await cluster.exec('manager', 'a', ['ping', '-c', '1', '10.0.1.4']);
    expectPingOutput(r.stdout, '10.0.1.4', 1);
    expect((await cluster.stats()).manager.counters.framesOut).toBe(before);
  });

  it('reports a host whose runtime throws, and the other hosts keep working', async () => {
    const crashed = await cluster.host('victim').request('crash', { message: 'injected failure' }).catch((e: unknown) => e);
    expect((crashed as Error).message).toBe('host "victim": crash failed: host failed: injected failure');
    expect(failures.map((f) => [f.host, f.error.message])).toEqual([['victim', 'injected failure']]);
    expect(cluster.host('victim').state).toBe('failed');
    await expect(cluster.host('victim').stats()).rejects.toThrow(/host "victim": stats failed: host failed: injected failure/);
    const r = await cluster.exec('worker-1', 'b', ['ping', '-c', '1', '10.0.1.2']);
    expectPingOutput(r.stdout, '10.0.1.2', 1);
    expect(Object.keys(await cluster.stats())).toEqual(['manager', 'worker-1']);
  });
});
