/**
 * Gossip end to end on four real host threads: NetworkDB on 7946 (encrypted with the swarm's
 * gossip keys) is the only source of the overlays' FDB and neighbour entries.
 *
 * - Two tasks on two workers ping each other: each worker learnt the other's endpoint from the
 *   other's `overlay_peer_table` record; the drained manager and the idle worker, with no endpoint
 *   on the overlay, never receive those records (lazy participation).
 * - A third task on the idle worker: its record reaches the other two within seconds.
 * - `docker network inspect` shows NetworkDB's Peers.
 * - A real hashicorp/memberlist node given the swarm's gossip keys joins and is listed by every
 *   host, and lists them all (skipped outside CI when Go is missing).
 * - The manager is killed: the workers declare it failed and the pings between tasks go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';
import type { GossipInfo } from '../../src/host/control.js';
import type { EngineTask } from '../../src/host/engine-api.js';
import { killAllMlpeers, MlPeer, mlpeerAvailable } from '../support/mlpeer.js';
import { eventually, expectPingOutput, stopAndCheckClean } from './support.js';

const HOSTS = ['manager', 'worker-1', 'worker-2', 'worker-3'] as const;

let cluster: Cluster;
let resourcesBefore: string[];
const engine = (host: string) => cluster.host(host).engine;
/** A docker command on the manager; its failure fails the test with docker's own words. */
async function docker(command: string): Promise<string> {
  const r = await cluster.host('manager').docker(command);
  if (r.exitCode !== 0) throw new Error(`docker ${command}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}
const gossip = async (host: string): Promise<GossipInfo> => {
  const info = await cluster.host(host).gossip();
  if (info === null) throw new Error(`${host} has no NetworkDB yet`);
  return info;
};


async function runningTasks(count: number): Promise<EngineTask[]> {
  return eventually(`${count} running tasks`, async () => {
    const tasks = await engine('manager').call('taskList', { filters: { service: ['pinger'], 'desired-state': ['running'] } });
    const up = tasks.filter((t) => t.Status.State === 'running');
    return up.length === count ? up : undefined;
  });
}

const records = (info: GossipInfo, network: string) => info.networks.find((n) => n.name === network)?.records.map((r) => r.endpointIp).sort() ?? [];
const taskIp = (t: EngineTask) => t.NetworksAttachments![0]!.Addresses[0]!;

async function pingTask(fromHost: string, from: EngineTask, to: EngineTask): Promise<string> {
  const ip = taskIp(to).split('/')[0]!;
  const r = await engine(fromHost).call('containerExec', { id: `pinger.${from.Slot}.${from.ID}`, cmd: ['ping', '-c', '2', ip], stdin: null });
  expect(r.exitCode).toBe(0);
  expectPingOutput(r.stdout, ip, 2);
  return ip;
}

let tasks: EngineTask[];
const hostOf = new Map<string, string>();

beforeAll(async () => {
  resourcesBefore = process.getActiveResourcesInfo();
  cluster = await Cluster.start({ hosts: HOSTS, mode: 'address', heartbeatPeriodMs: 250 });
  await engine('manager').call('swarmInit', {});
  const { JoinTokens } = await engine('manager').call('swarmInspect', {});
  for (const worker of HOSTS.slice(1)) {
    await engine(worker).call('swarmJoin', { RemoteAddrs: [`${cluster.host('manager').underlay.address}:2377`], JoinToken: JoinTokens.Worker });
  }
  for (const n of await engine('manager').call('nodeList', {})) hostOf.set(n.ID, n.Description.Hostname);
  await docker('node update --availability drain manager');
  await docker('node update --availability drain worker-3');
  await docker('network create --driver overlay --attachable gossipnet');
  await docker('service create --detach --name pinger --replicas 2 --network gossipnet alpine sleep 3600');
  tasks = await runningTasks(2);
}, 90_000);

afterAll(async () => {
  killAllMlpeers();
  await stopAndCheckClean(cluster, resourcesBefore);
}, 60_000);

describe('gossip drives the overlays', () => {
  it('every host runs NetworkDB with the swarm’s three gossip keys, and all list each other', async () => {
    const infos = await Promise.all(HOSTS.map(gossip));
    for (const info of infos) {
      expect(info.node).toMatch(/^[0-9a-f]{12}$/);
      expect(info.port).toBe(7946);
      expect(info.keys).toHaveLength(3);
      expect(info.keys).toEqual(infos[0]!.keys);
    }
    const names = infos.map((i) => i.node).sort();
    for (const host of HOSTS) {
      await eventually(`${host} to list every host alive`, async () => {
        const alive = (await gossip(host)).members.filter((m) => m.state === 'alive').map((m) => m.name).sort();
        return JSON.stringify(alive) === JSON.stringify(names) ? alive : undefined;
      });
    }
  });

  it('tasks on two workers ping each other through peers learnt from gossip; hosts off the overlay get no records', async () => {
    const [a, b] = tasks as [EngineTask, EngineTask];
    const hostA = hostOf.get(a.NodeID!)!;
    const hostB = hostOf.get(b.NodeID!)!;
    expect([hostA, hostB].sort()).toEqual(['worker-1', 'worker-2']);
    await eventually('both workers to hold both records', async () => {
      const [ia, ib] = await Promise.all([gossip(hostA), gossip(hostB)]);
      const want = [taskIp(a), taskIp(b)];
      return records(ia, 'gossipnet').filter((ip) => want.includes(ip)).length === 2 && records(ib, 'gossipnet').filter((ip) => want.includes(ip)).length === 2 ? true : undefined;
    });
    await pingTask(hostA, a, b);
    await pingTask(hostB, b, a);
    // endpoint_table: both tasks' DNS records, with the service's VIP, on both workers.
    const svc = await engine('manager').call('serviceInspect', { id: 'pinger' });
    const vip = svc.Endpoint!.VirtualIPs!.find((v) => v.NetworkID === a.NetworksAttachments![0]!.Network.ID)!.Addr.split('/')[0];
    await eventually('the endpoint records on worker-1', async () => ((await gossip('worker-1')).networks.find((n) => n.name === 'gossipnet')!.endpoints.length === 2 ? true : undefined), 5000);
    const named = (await gossip('worker-1')).networks.find((n) => n.name === 'gossipnet')!.endpoints;
    expect(named.map((r) => r.name).sort()).toEqual([`pinger.${a.Slot}.${a.ID}`, `pinger.${b.Slot}.${b.ID}`].sort());
    for (const r of named) expect(r).toMatchObject({ serviceName: 'pinger', virtualIp: vip });
    expect(named.map((r) => r.endpointIp).sort()).toEqual([taskIp(a), taskIp(b)].map((x) => x.split('/')[0]).sort());
    for (const idle of ['manager', 'worker-3']) {
      const info = await gossip(idle);
      expect(info.networks.find((n) => n.name === 'gossipnet')).toBeUndefined();
    }
  });

  it('docker network inspect shows the NetworkDB peers of the overlay', async () => {
    const [w1, w2] = await Promise.all([gossip('worker-1'), gossip('worker-2')]);
    const inspected = await engine('worker-1').call('networkInspect', { id: 'gossipnet' });
    expect((inspected.Peers ?? []).map((p) => p.Name).sort()).toEqual([w1.node, w2.node].sort());
    expect((inspected.Peers ?? []).map((p) => p.IP).sort()).toEqual([cluster.host('worker-1').underlay.address, cluster.host('worker-2').underlay.address].sort());
  });

  it('a new task’s record reaches every host on the overlay within seconds, and no other', async () => {
    await docker('node update --availability active worker-3');
    await docker('service scale --detach pinger=3');
    const three = await runningTasks(3);
    // Scaling adds a task and leaves the two running ones alone.
    expect(three.filter((t) => tasks.some((x) => x.ID === t.ID))).toHaveLength(2);
    const added = three.find((t) => hostOf.get(t.NodeID!) === 'worker-3')!;
    await eventually(
      'the new record on worker-1 and worker-2',
      async () => ((await Promise.all(['worker-1', 'worker-2'].map(gossip))).every((i) => records(i, 'gossipnet').includes(taskIp(added))) ? true : undefined),
      10_000,
    );
    expect((await gossip('manager')).networks.find((n) => n.name === 'gossipnet')).toBeUndefined();
    const first = three.find((t) => hostOf.get(t.NodeID!) === 'worker-1')!;
    await pingTask('worker-3', added, first);
    tasks = three;
  });

  it.skipIf(!mlpeerAvailable())('a real memberlist node given the swarm’s gossip keys joins, and every host lists it', async () => {
    const info = await gossip('manager');
    const keys = info.keys.map((k) => Uint8Array.from(Buffer.from(k, 'hex')));
    const go = await MlPeer.start({ name: 'gopeer0cafe0', keys, join: [`${info.address}:${info.port}`] });
    const all = await go.membersUntil((alive) => alive.length === HOSTS.length + 1, 15_000);
    const names = (await Promise.all(HOSTS.map(gossip))).map((i) => i.node);
    expect(all).toEqual([...names, 'gopeer0cafe0'].sort());
    for (const host of HOSTS) {
      await eventually(`${host} to list the Go peer`, async () => ((await gossip(host)).members.some((m) => m.name === 'gopeer0cafe0' && m.state === 'alive') ? true : undefined), 10_000);
    }
    await go.leave();
    for (const host of HOSTS) {
      await eventually(`${host} to see the Go peer leave`, async () => ((await gossip(host)).members.find((m) => m.name === 'gopeer0cafe0')?.state === 'left' ? true : undefined), 5000);
    }
  }, 40_000);

  it('with the manager killed, the workers declare it failed and task pings go on', async () => {
    const managerNode = (await gossip('worker-1')).members.find((m) => m.address === cluster.host('manager').underlay.address)!.name;
    await cluster.kill('manager');
    await eventually(
      'the workers to declare the manager failed',
      async () => ((await Promise.all(['worker-1', 'worker-2', 'worker-3'].map(gossip))).every((i) => i.members.find((m) => m.name === managerNode)?.state === 'dead') ? true : undefined),
      20_000,
    );
    const by = (host: string) => tasks.find((t) => hostOf.get(t.NodeID!) === host)!;
    await pingTask('worker-1', by('worker-1'), by('worker-2'));
    await pingTask('worker-2', by('worker-2'), by('worker-3'));
    await pingTask('worker-3', by('worker-3'), by('worker-1'));
  }, 40_000);
});
