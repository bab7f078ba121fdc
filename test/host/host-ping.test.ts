/**
 * The host with the real stack and busybox programs over an in-memory underlay, on a manual
 * clock: the whole walk of one ping (DESIGN.md) without threads or sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../src/dataplane/index.js';
import { Host } from '../../src/host/host.js';
import type { ExecResult } from '../../src/host/control.js';
import { ManualClock, ms } from '../../src/util/clock.js';

const OVERLAY = { name: 'ov', driver: 'overlay' as const, vni: 4097, subnet: '10.0.1.0', prefixLength: 24, gateway: '10.0.1.1' };

let hosts: Host[] = [];
afterEach(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  hosts = [];
});

async function twoHosts() {
  const network = new MemoryNetwork();
  const clock = new ManualClock();
  const h1 = new Host({ name: 'manager', underlay: network.attach('127.7.7.1', 4789), clock, seed: 3 });
  const h2 = new Host({ name: 'worker-1', underlay: network.attach('127.7.7.2', 4789), clock, seed: 3 });
  hosts.push(h1, h2);
  for (const h of [h1, h2]) h.createNetwork(OVERLAY);
  await h1.createContainer({ name: 'a', networks: [{ network: 'ov', ip: '10.0.1.2' }] });
  await h2.createContainer({ name: 'b', networks: [{ network: 'ov', ip: '10.0.1.3' }] });
  h1.addPeer({ network: 'ov', ip: '10.0.1.3', mac: '02:42:0a:00:01:03', vtepAddress: '127.7.7.2', vtepPort: 4789 });
  h2.addPeer({ network: 'ov', ip: '10.0.1.2', mac: '02:42:0a:00:01:02', vtepAddress: '127.7.7.1', vtepPort: 4789 });
  return { network, clock, h1, h2 };
}

/** Runs an exec to completion, moving the manual clock in small steps (bounded). */
async function run(network: MemoryNetwork, clock: ManualClock, exec: Promise<ExecResult>, stepMs = 50, maxSteps = 2000): Promise<ExecResult> {
  let result: ExecResult | undefined;
  let failure: unknown;
  void exec.then((r) => (result = r), (e: unknown) => (failure = e));
  for (let i = 0; i < maxSteps && result === undefined && failure === undefined; i++) {
    await network.idle();
    await new Promise((r) => setImmediate(r));
    clock.advance(ms(stepMs));
  }
  if (failure !== undefined) throw failure;
  if (result === undefined) throw new Error(`exec did not finish within ${maxSteps} steps`);
  return result;
}

describe('a ping across two hosts (in-memory underlay, manual clock)', () => {
  it('gets busybox output and every reply, with no ARP crossing the tunnel', async () => {
    const { network, clock, h1, h2 } = await twoHosts();
    const r = await run(network, clock, h1.exec({ container: 'a', argv: ['ping', '-c', '2', '-i', '0.2', '10.0.1.3'] }));
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      /^PING 10\.0\.1\.3 \(10\.0\.1\.3\): 56 data bytes\n64 bytes from 10\.0\.1\.3: seq=0 ttl=64 time=\d+\.\d{3} ms\n64 bytes from 10\.0\.1\.3: seq=1 ttl=64 time=\d+\.\d{3} ms\n\n--- 10\.0\.1\.3 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min\/avg\/max = [\d.]+\/[\d.]+\/[\d.]+ ms\n$/,
    );
    // two echo requests out, two replies back: exactly four datagrams crossed (no ARP, no flood)
    expect(h1.stats().counters).toMatchObject({ framesOut: 2, framesIn: 2 });
    expect(h2.stats().counters).toMatchObject({ framesOut: 2, framesIn: 2 });
    expect(h1.stats().drops).toEqual({});
  });

  it('pings a container on the same host through the bridge, never the tunnel', async () => {
    const { network, clock, h1 } = await twoHosts();
    await h1.createContainer({ name: 'c', networks: [{ network: 'ov', ip: '10.0.1.4' }] });
    const r = await run(network, clock, h1.exec({ container: 'a', argv: ['ping', '-c', '1', '10.0.1.4'] }));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('1 packets transmitted, 1 packets received, 0% packet loss');
    expect(h1.stats().counters).toMatchObject({ framesOut: 0, framesIn: 0 });
  });

  it('shows the interfaces and routes Docker gives an overlay container', async () => {
    const { network, clock, h1 } = await twoHosts();
    const routes = await run(network, clock, h1.exec({ container: 'a', argv: ['ip', 'route'] }));
    expect(routes).toEqual({
      stdout: 'default via 172.18.0.1 dev eth1 \n10.0.1.0/24 dev eth0 scope link  src 10.0.1.2 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.2 \n',
      stderr: '',
      exitCode: 0,
    });
    const addr = await run(network, clock, h1.exec({ container: 'a', argv: ['ip', 'addr', 'show'] }));
    expect(addr.stdout).toContain('10: eth0@if11: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1450');
    expect(addr.stdout).toContain('    inet 10.0.1.2/24 brd 10.0.1.255 scope global eth0\n');
    expect(addr.stdout).toContain('12: eth1@if13: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500');
  });

  it('a peer that was never programmed is unreachable: 100% loss, and the ARP is not flooded', async () => {
    const { network, clock, h1 } = await twoHosts();
    const r = await run(network, clock, h1.exec({ container: 'a', argv: ['ping', '-c', '1', '-W', '1', '10.0.1.99'] }));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('PING 10.0.1.99 (10.0.1.99): 56 data bytes\n\n--- 10.0.1.99 ping statistics ---\n1 packets transmitted, 0 packets received, 100% packet loss\n');
    expect(h1.stats().counters).toMatchObject({ framesOut: 0 });
  });
});
