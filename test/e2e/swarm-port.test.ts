/**
 * Swarm management in port mode (every host on 127.0.0.1): 2377 is a stand-in port chosen at
 * `swarm init`, advertised in the join command, and a joined manager's stand-in reaches the
 * leader's node list.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';
import { stopAndCheckClean } from './support.js';

let cluster: Cluster;
let resourcesBefore: string[];

beforeAll(async () => {
  resourcesBefore = process.getActiveResourcesInfo();
  cluster = await Cluster.start({ hosts: ['manager', 'worker-1', 'manager-2'], mode: 'port' });
}, 30_000);

afterAll(async () => {
  await stopAndCheckClean(cluster, resourcesBefore);
}, 30_000);

it('init prints a join command for the stand-in port; a worker and a manager join through it', async () => {
  const init = await cluster.host('manager').docker(['swarm', 'init']);
  expect(init.exitCode).toBe(0);
  const join = /docker swarm join --token (SWMTKN-\S+) (127\.0\.0\.1:(\d+))\n/.exec(init.stdout);
  expect(join).not.toBeNull();
  const [, workerToken, managerAddr, port] = join!;
  expect(Number(port)).not.toBe(2377);
  expect((await cluster.host('worker-1').docker(['swarm', 'join', '--token', workerToken!, managerAddr!])).stdout).toBe('This node joined a swarm as a worker.\n');
  const managerToken = (await cluster.host('manager').docker('swarm join-token -q manager')).stdout.trim();
  expect((await cluster.host('manager-2').docker(['swarm', 'join', '--token', managerToken, managerAddr!])).stdout).toBe('This node joined a swarm as a manager.\n');
  const ls = (await cluster.host('manager-2').docker('node ls --format "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"')).stdout;
  expect(ls.split('\n').filter(Boolean).sort()).toEqual(['manager Ready Leader', 'manager-2 Ready Reachable', 'worker-1 Ready ']);
  const self = JSON.parse((await cluster.host('manager').docker('node inspect self')).stdout) as { ManagerStatus: { Addr: string } }[];
  expect(self[0]!.ManagerStatus.Addr).toBe(managerAddr);
});
