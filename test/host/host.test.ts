import { afterEach, describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../src/dataplane/index.js';
import { Host } from '../../src/host/host.js';
import { EXEC_KILL_GRACE_MS } from '../../src/host/container.js';
import { ManualClock, ms } from '../../src/util/clock.js';
import { macFromIpv4, parseIpv4Address } from '../../src/wire/address.js';
import { EtherType } from '../../src/wire/ethernet.js';
import { ethernetFrame } from '../support/frames.js';
import { RecordingStack, TEST_PROGRAMS, type RecordingInterface } from './fixtures.js';

const ip = parseIpv4Address;
const OVERLAY = { name: 'ov', driver: 'overlay' as const, vni: 4097, subnet: '10.0.1.0', prefixLength: 24, gateway: '10.0.1.1' };

let hosts: Host[] = [];
afterEach(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  hosts = [];
});

function makeHosts(n: number) {
  const network = new MemoryNetwork();
  const clock = new ManualClock();
  const stacks = new Map<string, RecordingStack>();
  const made: Host[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `h${i}`;
    made.push(
      new Host({
        name,
        underlay: network.attach(`127.5.5.${i}`, 4789),
        clock,
        seed: 7,
        programs: TEST_PROGRAMS,
        createStack: () => {
          const s = new RecordingStack();
          stacks.set(`${name}/${[...stacks.keys()].filter((k) => k.startsWith(`${name}/`)).length}`, s);
          return s;
        },
      }),
    );
  }
  hosts.push(...made);
  const stackOf = (host: Host, k: number) => stacks.get(`${host.name}/${k}`)!;
  return { network, clock, hosts: made, stackOf };
}

describe('Host composition', () => {
  it('wires an overlay container like Docker: eth0 on the overlay, eth1 on docker_gwbridge, default via 172.18.0.1', async () => {
    const { hosts: [h], stackOf } = makeHosts(1);
    const net = h.createNetwork(OVERLAY);
    expect(net).toEqual({ ...OVERLAY, mtu: 1450 });
    const info = await h.createContainer({ name: 'web', networks: [{ network: 'ov', ip: '10.0.1.2' }] });
    expect(info.id).toMatch(/^[0-9a-f]{64}$/);
    expect(info.hostname).toBe(info.id.slice(0, 12));
    expect(info.libc).toBe('musl');
    expect(info.interfaces).toEqual([
      { name: 'eth0', index: 10, peerIndex: 11, mac: '02:42:0a:00:01:02', ip: '10.0.1.2', prefixLength: 24, mtu: 1450, network: 'ov' },
      { name: 'eth1', index: 12, peerIndex: 13, mac: '02:42:ac:12:00:02', ip: '172.18.0.2', prefixLength: 16, mtu: 1500, network: 'docker_gwbridge' },
    ]);
    const routes = stackOf(h, 0).routes();
    expect(routes.find((r) => r.prefixLength === 0)).toEqual({ destination: 0, prefixLength: 0, gateway: ip('172.18.0.1'), device: 'eth1' });

    // the next container gets the next gwbridge address and the next indices
    const second = await h.createContainer({ name: 'db', hostname: 'db-host', libc: 'glibc', networks: [{ network: 'ov', ip: '10.0.1.3' }] });
    expect(second.hostname).toBe('db-host');
    expect(second.interfaces.map((i) => [i.name, i.index, i.peerIndex, i.ip])).toEqual([
      ['eth0', 14, 15, '10.0.1.3'],
      ['eth1', 16, 17, '172.18.0.3'],
    ]);
  });

  it('gives a container only on `bridge` its default route via 172.17.0.1, allocating serially from .2', async () => {
    const { hosts: [h], stackOf } = makeHosts(1);
    const a = await h.createContainer({ name: 'a', networks: [{ network: 'bridge' }] });
    expect(a.interfaces).toEqual([{ name: 'eth0', index: 10, peerIndex: 11, mac: '02:42:ac:11:00:02', ip: '172.17.0.2', prefixLength: 16, mtu: 1500, network: 'bridge' }]);
    expect(stackOf(h, 0).routes().find((r) => r.prefixLength === 0)).toEqual({ destination: 0, prefixLength: 0, gateway: ip('172.17.0.1'), device: 'eth0' });
    await h.removeContainer('a');
    expect(stackOf(h, 0).closed).toBe(true);
    // serial: a released address is not reused at once
    const b = await h.createContainer({ name: 'b', networks: [{ network: 'bridge' }] });
    expect(b.interfaces[0].ip).toBe('172.17.0.3');
  });

  it('refuses bad requests with stable codes and Docker wording', async () => {
    const { hosts: [h] } = makeHosts(1);
    h.createNetwork(OVERLAY);
    const code = async (p: Promise<unknown> | (() => unknown)) => {
      try {
        await (typeof p === 'function' ? p() : p);
      } catch (e) {
        return [(e as { code: string }).code, (e as Error).message];
      }
      return ['no error'];
    };
    expect(await code(() => h.createNetwork(OVERLAY))).toEqual(['already-exists', 'network with name ov already exists']);
    expect(await code(() => h.createNetwork({ ...OVERLAY, name: 'ov2' }))).toEqual(['already-exists', 'could not assign vxlan id 4097: in use by network ov']);
    expect(await code(() => h.removeNetwork('bridge'))).toEqual(['forbidden', 'bridge is a pre-defined network and cannot be removed']);
    expect(await code(h.createContainer({ name: 'x', networks: [{ network: 'nope', ip: '10.0.1.2' }] }))).toEqual(['no-such-network', 'network nope not found']);
    expect((await code(h.createContainer({ name: 'x', networks: [{ network: 'ov' }] })))[1]).toMatch(/address is required on overlay/);
    expect((await code(h.createContainer({ name: 'x', networks: [{ network: 'ov', ip: '10.0.2.2' }] })))[1]).toMatch(/does not belong/);
    expect((await code(h.createContainer({ name: '-x', networks: [{ network: 'bridge' }] })))[1]).toMatch(/Invalid container name/);
    await h.createContainer({ name: 'x', networks: [{ network: 'ov', ip: '10.0.1.2' }] });
    expect(await code(h.createContainer({ name: 'x', networks: [{ network: 'bridge' }] }))).toEqual(['already-exists', 'Conflict. The container name "/x" is already in use']);
    expect(await code(() => h.removeNetwork('ov'))).toEqual(['in-use', 'error while removing network: network ov has active endpoints']);
    expect(await code(h.exec({ container: 'nope', argv: ['echo'] }))).toEqual(['no-such-container', 'No such container: nope']);
    // a failed create leaves no address behind: the gwbridge allocation continues serially
    const y = await h.createContainer({ name: 'y', networks: [{ network: 'ov', ip: '10.0.1.3' }] });
    expect(y.interfaces[1].ip).toBe('172.18.0.3');
  });

  it('ignores a peer whose VTEP is this host and programs the others', () => {
    const { hosts: [h] } = makeHosts(1);
    h.createNetwork(OVERLAY);
    const peer = { network: 'ov', ip: '10.0.1.9', mac: '02:42:0a:00:01:09', vtepAddress: '127.5.5.1', vtepPort: 4789 };
    expect(h.addPeer(peer)).toEqual({ ignored: true });
    expect(h.addPeer({ ...peer, vtepAddress: '127.5.5.2' })).toEqual({ ignored: false });
    expect(h.removePeer({ ...peer, vtepAddress: '127.5.5.2' })).toEqual({ ignored: false });
    expect(() => h.addPeer({ ...peer, network: 'bridge' })).toThrow(/not an overlay/);
  });

  it('carries a unicast frame container → bridge → VTEP → underlay → VTEP → bridge → container', async () => {
    const { network, hosts: [h1, h2], stackOf } = makeHosts(2);
    for (const h of [h1, h2]) h.createNetwork(OVERLAY);
    await h1.createContainer({ name: 'a', networks: [{ network: 'ov', ip: '10.0.1.2' }] });
    await h2.createContainer({ name: 'b', networks: [{ network: 'ov', ip: '10.0.1.3' }] });
    h1.addPeer({ network: 'ov', ip: '10.0.1.3', mac: '02:42:0a:00:01:03', vtepAddress: '127.5.5.2', vtepPort: 4789 });
    const a = stackOf(h1, 0).ifaces[0] as RecordingInterface;
    const b = stackOf(h2, 0).ifaces[0] as RecordingInterface;
    const frame = ethernetFrame(macFromIpv4(ip('10.0.1.3')), macFromIpv4(ip('10.0.1.2')), EtherType.IPV4, new Uint8Array(46).fill(7));
    a.transmit(frame);
    await network.idle();
    expect(b.frames).toHaveLength(1);
    expect([...b.frames[0]]).toEqual([...frame]);
    expect(h1.stats().counters).toMatchObject({ framesOut: 1, framesIn: 0 });
    expect(h2.stats().counters).toMatchObject({ framesIn: 1, bytesIn: 8 + frame.length });
    // h2 has no peer entry for a: the reply direction is not programmed and is dropped, not flooded
    b.transmit(ethernetFrame(macFromIpv4(ip('10.0.1.2')), macFromIpv4(ip('10.0.1.3')), EtherType.IPV4, new Uint8Array(46)));
    await network.idle();
    expect(a.frames).toHaveLength(0);
    expect(h2.stats().drops).toEqual({ 'no-fdb-entry': 1 });
    const stats = h2.stats();
    expect(stats.host).toBe('h2');
    expect(stats.underlay).toEqual({ address: '127.5.5.2', port: 4789 });
    expect(stats.interfaces.map((i) => [i.container, i.interface, i.network, i.counters.rxPackets, i.counters.txPackets])).toEqual([
      ['b', 'eth0', 'ov', 1, 1],
      ['b', 'eth1', 'docker_gwbridge', 0, 0],
    ]);
  });
});

describe('Host exec', () => {
  it('runs a program with the container context and returns its output and exit code', async () => {
    const { hosts: [h] } = makeHosts(1);
    await h.createContainer({ name: 'c', hostname: 'box', networks: [{ network: 'bridge' }] });
    expect(await h.exec({ container: 'c', argv: ['echo', 'hi', 'there'] })).toEqual({ stdout: 'hi there @box musl\n', stderr: '', exitCode: 0 });
    expect(await h.exec({ container: 'c', argv: ['fail'] })).toEqual({ stdout: '', stderr: 'fail: no\n', exitCode: 3 });
  });

  it('fails an unknown program like docker exec (exit 127)', async () => {
    const { hosts: [h] } = makeHosts(1);
    await h.createContainer({ name: 'c', networks: [{ network: 'bridge' }] });
    expect(await h.exec({ container: 'c', argv: ['curl', '-s', 'x'] })).toEqual({
      stdout: '',
      stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown\n',
      exitCode: 127,
    });
    // prototype names are not programs
    expect((await h.exec({ container: 'c', argv: ['constructor'] })).exitCode).toBe(127);
  });

  it('aborts the program signal after timeoutMs on the host clock, and abandons a program that ignores it', async () => {
    const { clock, hosts: [h] } = makeHosts(1);
    await h.createContainer({ name: 'c', networks: [{ network: 'bridge' }] });
    const waiting = h.exec({ container: 'c', argv: ['wait'], timeoutMs: 500 });
    clock.advance(ms(499));
    await Promise.resolve();
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    clock.advance(ms(1));
    expect(await waiting).toEqual({ stdout: 'waiting\n', stderr: '', exitCode: 130 });

    const stuck = h.exec({ container: 'c', argv: ['stuck'], timeoutMs: 100 });
    clock.advance(ms(100));
    clock.advance(ms(EXEC_KILL_GRACE_MS));
    expect(await stuck).toEqual({ stdout: '', stderr: '', exitCode: 137 });
    expect(clock.pending).toBe(0);
  });

  it('reports a program that throws as a failed request, not a host failure', async () => {
    const { hosts: [h] } = makeHosts(1);
    await h.createContainer({ name: 'c', networks: [{ network: 'bridge' }] });
    await expect(h.exec({ container: 'c', argv: ['throws'] })).rejects.toMatchObject({ code: 'program-failed', message: 'throws in container c threw: program bug' });
  });

  it('stops running programs when the container is removed, and refuses work once closed', async () => {
    const { hosts: [h] } = makeHosts(1);
    await h.createContainer({ name: 'c', networks: [{ network: 'bridge' }] });
    const waiting = h.exec({ container: 'c', argv: ['wait'] });
    await h.removeContainer('c');
    expect((await waiting).exitCode).toBe(130);
    await h.close();
    expect(() => h.createNetwork({ ...OVERLAY })).toThrow(/shut down/);
  });
});
