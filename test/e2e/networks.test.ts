/**
 * Swarm networks end to end (real host threads and 2377): the predefined networks, `ingress` with
 * every node's ingress-sbox endpoint, overlays created on the manager with subnets and VNIs
 * allocated in order, lazy listing on workers, and Docker's refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';
import { EngineApiError, type NetworkResource } from '../../src/host/engine-api.js';
import { stopAndCheckClean } from './support.js';

let cluster: Cluster;
let resourcesBefore: string[];

const list = async (host: string) => cluster.host(host).engine.call('networkList', {});
const byName = (networks: NetworkResource[], name: string) => networks.find((n) => n.Name === name);

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineApiError);
  return (error as EngineApiError).message;
}

beforeAll(async () => {
  resourcesBefore = process.getActiveResourcesInfo();
  cluster = await Cluster.start({ hosts: ['manager', 'worker-1', 'outsider'], mode: 'address' });
  await cluster.host('manager').engine.call('swarmInit', {});
  const { JoinTokens } = await cluster.host('manager').engine.call('swarmInspect', {});
  await cluster.host('worker-1').engine.call('swarmJoin', { RemoteAddrs: [`${cluster.host('manager').underlay.address}:2377`], JoinToken: JoinTokens.Worker });
}, 30_000);

afterAll(async () => {
  await stopAndCheckClean(cluster, resourcesBefore);
}, 30_000);

describe('swarm networks', () => {
  it('a host outside any swarm has bridge, host and none; a swarm node also docker_gwbridge and ingress', async () => {
    expect((await list('outsider')).map((n) => n.Name).sort()).toEqual(['bridge', 'host', 'none']);
    const manager = await list('manager');
    expect(manager.map((n) => [n.Name, n.Driver, n.Scope]).sort()).toEqual([
      ['bridge', 'bridge', 'local'],
      ['docker_gwbridge', 'bridge', 'local'],
      ['host', 'host', 'local'],
      ['ingress', 'overlay', 'swarm'],
      ['none', 'null', 'local'],
    ]);
    const ingress = byName(manager, 'ingress')!;
    expect(ingress.Id).toMatch(/^[0-9a-z]{25}$/);
    expect(ingress.Ingress).toBe(true);
    expect(ingress.IPAM.Config).toEqual([{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }]);
    expect(ingress.Options).toEqual({ 'com.docker.network.driver.overlay.vxlanid_list': '4096' });
    expect(Object.keys(ingress.Containers!)).toEqual(['ingress-sbox']);
    expect(ingress.Containers!['ingress-sbox']).toMatchObject({ Name: 'ingress-endpoint', IPv4Address: '10.0.0.2/24', MacAddress: '02:42:0a:00:00:02' });
    // The worker has the same ingress (same ID), with its own endpoint on it.
    const workerIngress = byName(await list('worker-1'), 'ingress')!;
    expect(workerIngress.Id).toBe(ingress.Id);
    expect(workerIngress.Containers!['ingress-sbox']!.IPv4Address).toBe('10.0.0.3/24');
  });

  it('overlays get the next /24 and VNI; workers do not list them until they use them', async () => {
    const { Id } = await cluster.host('manager').engine.call('networkCreate', { Name: 'my-net', Driver: 'overlay', Attachable: true });
    expect(Id).toMatch(/^[0-9a-z]{25}$/);
    const net = await cluster.host('manager').engine.call('networkInspect', { id: 'my-net' });
    expect(net).toMatchObject({ Name: 'my-net', Id, Scope: 'swarm', Driver: 'overlay', Attachable: true, Ingress: false, Containers: null });
    expect(net.IPAM.Config).toEqual([{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
    expect(net.Options!['com.docker.network.driver.overlay.vxlanid_list']).toBe('4097');
    expect((await cluster.host('manager').engine.call('networkInspect', { id: Id.slice(0, 12) })).Id).toBe(Id);
    expect(byName(await list('worker-1'), 'my-net')).toBeUndefined();
    const mtu = await cluster.host('manager').engine.call('networkCreate', {
      Name: 'custom',
      Driver: 'overlay',
      IPAM: { Config: [{ Subnet: '10.20.0.0/16', Gateway: '10.20.0.254' }] },
      Options: { 'com.docker.network.driver.mtu': '1200' },
    });
    const custom = await cluster.host('manager').engine.call('networkInspect', { id: mtu.Id });
    expect(custom.IPAM.Config).toEqual([{ Subnet: '10.20.0.0/16', Gateway: '10.20.0.254' }]);
    expect(custom.Options).toEqual({ 'com.docker.network.driver.mtu': '1200', 'com.docker.network.driver.overlay.vxlanid_list': '4098' });
  });

  it('refusals carry Docker\'s wording', async () => {
    const manager = cluster.host('manager').engine;
    expect(await refusal(cluster.host('worker-1').engine.call('networkCreate', { Name: 'x', Driver: 'overlay' }))).toBe(
      'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.',
    );
    expect(await refusal(manager.call('networkCreate', { Name: 'my-net', Driver: 'overlay' }))).toBe('network with name my-net already exists');
    const ingressId = byName(await list('manager'), 'ingress')!.Id;
    expect(await refusal(manager.call('networkCreate', { Name: 'ingress2', Driver: 'overlay', Ingress: true }))).toBe(
      `rpc error: code = AlreadyExists desc = ingress network (${ingressId}) is already present`,
    );
    expect(await refusal(manager.call('networkCreate', { Name: 'host', Driver: 'overlay' }))).toBe('host is a pre-defined network and cannot be created');
    expect(await refusal(manager.call('networkCreate', { Name: 'bridge' }))).toBe('operation is not permitted on predefined bridge network');
    expect(await refusal(manager.call('networkRemove', { id: 'bridge' }))).toBe('bridge is a pre-defined network and cannot be removed');
    expect(await refusal(manager.call('networkInspect', { id: 'nosuch' }))).toBe('network nosuch not found');
    expect(await refusal(manager.call('networkCreate', { Name: 'bad-mtu', Driver: 'overlay', Options: { 'com.docker.network.driver.mtu': 'big' } }))).toMatch(/^invalid MTU "big"/);
    expect(await refusal(manager.call('networkCreate', { Name: 'clash', Driver: 'overlay', IPAM: { Config: [{ Subnet: '10.0.1.0/24' }] } }))).toMatch(/^rpc error: code = InvalidArgument desc = /);
  });

  it('removing a network frees its name; the next overlay does not reuse its VNI at once', async () => {
    await cluster.host('manager').engine.call('networkRemove', { id: 'my-net' });
    expect(byName(await list('manager'), 'my-net')).toBeUndefined();
    const again = await cluster.host('manager').engine.call('networkCreate', { Name: 'my-net', Driver: 'overlay' });
    const net = await cluster.host('manager').engine.call('networkInspect', { id: again.Id });
    expect(net.Options!['com.docker.network.driver.overlay.vxlanid_list']).toBe('4099');
  });
});
