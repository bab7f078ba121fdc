/**
 * A real cluster in port mode (the portable layout): every host on 127.0.0.1 with a port of its
 * own, reported in its `ready` event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';
import { expectPingOutput, stopAndCheckClean } from './support.js';

let cluster: Cluster;
let resourcesBefore: string[];

describe('cluster in port mode', () => {
  beforeAll(async () => {
    resourcesBefore = process.getActiveResourcesInfo();
    cluster = await Cluster.start({ hosts: ['manager', 'worker-1'], mode: 'port', seed: 42 });
  });

  afterAll(async () => {
    if (cluster) await stopAndCheckClean(cluster, resourcesBefore);
  });

  it('binds every host on 127.0.0.1 with its own port', () => {
    const endpoints = cluster.hosts.map((h) => cluster.host(h).underlay);
    expect(endpoints.map((e) => e.address)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(new Set(endpoints.map((e) => e.port)).size).toBe(2);
    expect(endpoints.every((e) => e.port > 0)).toBe(true);
  });

  it('runs containers with serially allocated overlay addresses and pings across hosts', async () => {
    await cluster.createOverlay({ name: 'ov', vni: 4098, subnet: '10.0.1.0/24' });
    const a = await cluster.runContainer('manager', { name: 'a', network: 'ov' });
    const b = await cluster.runContainer('worker-1', { name: 'b', network: 'ov' });
    expect(a.interfaces.map((i) => [i.name, i.ip, i.mac, i.mtu])).toEqual([
      ['eth0', '10.0.1.2', '02:42:0a:00:01:02', 1450],
      ['eth1', '172.18.0.2', '02:42:ac:12:00:02', 1500],
    ]);
    expect(b.interfaces[0].ip).toBe('10.0.1.3');
    const r = await cluster.exec('worker-1', 'b', ['ping', '-c', '2', '-i', '0.2', '10.0.1.2']);
    expect(r.exitCode).toBe(0);
    expectPingOutput(r.stdout, '10.0.1.2', 2);
    const stats = await cluster.stats();
    expect(stats['worker-1'].counters).toMatchObject({ framesOut: 2, framesIn: 2 });
    expect(stats['worker-1'].drops).toEqual({});
  });

  it('answers an unknown program like docker exec', async () => {
    expect(await cluster.exec('manager', 'a', ['curl', 'http://b/'])).toEqual({
      stdout: '',
      stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown\n',
      exitCode: 127,
    });
  });
});
