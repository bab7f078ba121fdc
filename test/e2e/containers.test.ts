/**
 * Standalone containers on an attachable overlay, end to end (real host threads, 2377, the
 * manager's ResourceAllocator): the tutorial's `docker run -dit --name container0N-alpine
 * --network test-net alpine` on the manager and on a worker, the two pinging each other by IP
 * across the VXLAN tunnel, the worker listing test-net exactly while its container runs, and
 * Docker's refusal for a network that is not attachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';
import { EngineApiError } from '../../src/host/engine-api.js';
import { stopAndCheckClean } from './support.js';

let cluster: Cluster;
let resourcesBefore: string[];

const engine = (host: string) => cluster.host(host).engine;
const run = async (host: string, name: string, network: string) => {
  const { Id } = await engine(host).call('containerCreate', { name, Image: 'alpine', Tty: true, OpenStdin: true, HostConfig: { NetworkMode: network } });
  await engine(host).call('containerStart', { id: Id });
  return Id;
};

beforeAll(async () => {
  resourcesBefore = process.getActiveResourcesInfo();
  cluster = await Cluster.start({ hosts: ['manager', 'worker-1'], mode: 'address' });
  await engine('manager').call('swarmInit', {});
  const { JoinTokens } = await engine('manager').call('swarmInspect', {});
  await engine('worker-1').call('swarmJoin', { RemoteAddrs: [`${cluster.host('manager').underlay.address}:2377`], JoinToken: JoinTokens.Worker });
  await engine('manager').call('networkCreate', { Name: 'test-net', Driver: 'overlay', Attachable: true });
  await engine('manager').call('networkCreate', { Name: 'closed-net', Driver: 'overlay' });
}, 30_000);

afterAll(async () => {
  await stopAndCheckClean(cluster, resourcesBefore);
}, 30_000);

describe('standalone containers on an attachable overlay', () => {
  it('two hosts ping each other by IP; the worker lists test-net only while its container runs', async () => {
    const names = async (host: string) => (await engine(host).call('networkList', {})).map((n) => n.Name);
    expect(await names('worker-1')).not.toContain('test-net');
    await run('manager', 'container01-alpine', 'test-net');
    await run('worker-1', 'container02-alpine', 'test-net');
    expect(await names('worker-1')).toContain('test-net');
    const worker = await engine('worker-1').call('containerInspect', { id: 'container02-alpine' });
    const ip = worker.NetworkSettings.Networks['test-net']!.IPAddress;
    expect(ip).toMatch(/^10\.0\.1\.\d+$/);
    const inspect = await engine('worker-1').call('networkInspect', { id: 'test-net' });
    expect(inspect.Containers![worker.Id]).toMatchObject({ Name: 'container02-alpine', IPv4Address: `${ip}/24` });
    let ping = { stdout: '', stderr: '', exitCode: null as number | null };
    for (let attempt = 0; attempt < 20 && ping.exitCode !== 0; attempt++) {
      ping = await engine('manager').call('containerExec', { id: 'container01-alpine', cmd: ['ping', '-c', '2', ip], stdin: null });
      if (ping.exitCode !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ping.stdout).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
    await engine('worker-1').call('containerStop', { id: 'container02-alpine', timeout: 1 });
    expect(await names('worker-1')).not.toContain('test-net');
    await engine('worker-1').call('containerRemove', { id: 'container02-alpine' });
    await engine('manager').call('containerRemove', { id: 'container01-alpine', force: true });
  }, 30_000);

  it('network connect plugs a running bridge container into the overlay, disconnect takes it out', async () => {
    const names = async (host: string) => (await engine(host).call('networkList', {})).map((n) => n.Name);
    await run('manager', 'peer', 'test-net');
    await run('worker-1', 'roamer', 'bridge');
    expect(await names('worker-1')).not.toContain('test-net');
    await engine('worker-1').call('networkConnect', { id: 'test-net', container: 'roamer' });
    expect(await names('worker-1')).toContain('test-net');
    const roamer = await engine('worker-1').call('containerInspect', { id: 'roamer' });
    expect(Object.keys(roamer.NetworkSettings.Networks).sort()).toEqual(['bridge', 'test-net']);
    const peer = await engine('manager').call('containerInspect', { id: 'peer' });
    const ip = peer.NetworkSettings.Networks['test-net']!.IPAddress;
    let ping = { stdout: '', stderr: '', exitCode: null as number | null };
    for (let attempt = 0; attempt < 20 && ping.exitCode !== 0; attempt++) {
      ping = await engine('worker-1').call('containerExec', { id: 'roamer', cmd: ['ping', '-c', '1', ip], stdin: null });
      if (ping.exitCode !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ping.stdout).toContain('1 packets transmitted, 1 packets received');
    const again = await engine('worker-1').call('networkConnect', { id: 'test-net', container: 'roamer' }).catch((e: unknown) => e);
    expect((again as EngineApiError).message).toBe('endpoint with name roamer already exists in network test-net');
    await engine('worker-1').call('networkDisconnect', { id: 'test-net', container: 'roamer' });
    expect(await names('worker-1')).not.toContain('test-net');
    const ip2 = await engine('worker-1').call('containerExec', { id: 'roamer', cmd: ['ip', 'addr', 'show'], stdin: null });
    expect(ip2.stdout).not.toContain('10.0.1.');
    const missing = await engine('worker-1').call('networkDisconnect', { id: 'test-net', container: 'roamer' }).catch((e: unknown) => e);
    expect((missing as EngineApiError).message).toBe(`container ${roamer.Id} is not connected to network test-net`);
    await engine('worker-1').call('containerRemove', { id: 'roamer', force: true });
    await engine('manager').call('containerRemove', { id: 'peer', force: true });
  }, 30_000);

  it('a network that is not attachable is refused with Docker’s text', async () => {
    const { Id } = await engine('worker-1').call('containerCreate', { name: 'c3', Image: 'alpine', HostConfig: { NetworkMode: 'closed-net' } });
    const error = await engine('worker-1').call('containerStart', { id: Id }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EngineApiError);
    expect((error as EngineApiError).message).toBe('Could not attach to network closed-net: rpc error: code = PermissionDenied desc = network closed-net not manually attachable');
    await engine('worker-1').call('containerRemove', { id: Id, force: true });
  }, 30_000);
});
