/**
 * Services end to end on three real host threads (2377 between them, VXLAN on 4789): the
 * tutorials' nginx service with five replicas on a user overlay — spread 2/2/1, the overlay
 * appearing on workers only with their tasks and with the manager's ID, tasks on different hosts
 * pinging each other across the tunnel — then a rolling move to another network that leaves the
 * first one empty, scaling down and up, Docker's refusals for removing networks in use, a drained
 * worker whose tasks move away, and a killed worker whose tasks are rescheduled.
 *
 * Heartbeats are shortened (a killed host is Down after three of them) and the restart delay is
 * 100 ms instead of swarmkit's 5 s so the test stays short; everything else is swarmkit's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';
import { EngineApiError, type EngineServiceSpec, type EngineTask } from '../../src/host/engine-api.js';
import { eventually, stopAndCheckClean } from './support.js';

const HOSTS = ['manager', 'worker-1', 'worker-2'] as const;
const HEARTBEAT_MS = 250;
const RESTART_DELAY_NS = 100e6;

let cluster: Cluster;
let resourcesBefore: string[];
const engine = (host: string) => cluster.host(host).engine;
const manager = () => engine('manager');


async function hostOfNode(): Promise<Map<string, string>> {
  const nodes = await manager().call('nodeList', {});
  return new Map(nodes.map((n) => [n.ID, n.Description.Hostname]));
}

/** The service's tasks meant to run, once exactly `count` of them run. */
function running(service: string, count: number, extra: (tasks: EngineTask[]) => boolean = () => true): Promise<EngineTask[]> {
  return eventually(`${count} running tasks of ${service}`, async () => {
    const tasks = await manager().call('taskList', { filters: { service: [service], 'desired-state': ['running'] } });
    const up = tasks.filter((t) => t.Status.State === 'running');
    return up.length === count && tasks.length === count && extra(up) ? up : undefined;
  });
}

async function perHost(tasks: readonly EngineTask[]): Promise<Record<string, number>> {
  const hosts = await hostOfNode();
  const counts: Record<string, number> = {};
  for (const t of tasks) counts[hosts.get(t.NodeID!)!] = (counts[hosts.get(t.NodeID!)!] ?? 0) + 1;
  return counts;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineApiError);
  return (error as EngineApiError).message;
}

const NGINX: EngineServiceSpec = {
  Name: 'container-nginx',
  TaskTemplate: {
    ContainerSpec: { Image: 'nginx' },
    Networks: [{ Target: 'nginx-net' }],
    RestartPolicy: { Condition: 'any', Delay: RESTART_DELAY_NS },
    ForceUpdate: 0,
  },
  Mode: { Replicated: { Replicas: 5 } },
  EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 80, PublishMode: 'ingress' }] },
};

beforeAll(async () => {
  resourcesBefore = process.getActiveResourcesInfo();
  cluster = await Cluster.start({ hosts: HOSTS, mode: 'address', heartbeatPeriodMs: HEARTBEAT_MS });
  await manager().call('swarmInit', {});
  const { JoinTokens } = await manager().call('swarmInspect', {});
  for (const worker of HOSTS.slice(1)) {
    await engine(worker).call('swarmJoin', { RemoteAddrs: [`${cluster.host('manager').underlay.address}:2377`], JoinToken: JoinTokens.Worker });
  }
  await manager().call('networkCreate', { Name: 'nginx-net', Driver: 'overlay' });
}, 60_000);

afterAll(async () => {
  await stopAndCheckClean(cluster, resourcesBefore);
}, 60_000);

describe('a replicated service on a user overlay', () => {
  let serviceId: string;

  it('spreads five replicas 2/2/1 and the workers see nginx-net only with their tasks, with the manager’s ID', async () => {
    const names = async (host: string) => (await engine(host).call('networkList', {})).map((n) => `${n.Name} ${n.Id}`);
    const netId = (await manager().call('networkInspect', { id: 'nginx-net' })).Id;
    expect(await names('worker-1')).not.toContain(`nginx-net ${netId}`);
    serviceId = (await manager().call('serviceCreate', { spec: NGINX })).ID;
    const tasks = await running('container-nginx', 5);
    expect(Object.values(await perHost(tasks)).sort()).toEqual([1, 2, 2]);
    for (const worker of HOSTS.slice(1)) expect(await names(worker)).toContain(`nginx-net ${netId}`);
    const slots = tasks.map((t) => t.Slot).sort();
    expect(slots).toEqual([1, 2, 3, 4, 5]);
    // Each host's inspect lists its own task containers (and its load balancer), no others.
    const hosts = await hostOfNode();
    const onWorker1 = tasks.filter((t) => hosts.get(t.NodeID!) === 'worker-1');
    const inspect = await engine('worker-1').call('networkInspect', { id: 'nginx-net' });
    const endpoints = Object.values(inspect.Containers ?? {}).map((c) => c.Name);
    for (const t of onWorker1) expect(endpoints).toContain(`container-nginx.${t.Slot}.${t.ID}`);
    expect(endpoints).toContain('nginx-net-endpoint');
    expect(endpoints.filter((n) => n.startsWith('container-nginx.'))).toHaveLength(onWorker1.length);
  }, 60_000);

  it('gives every task an address on nginx-net and on ingress, and a VIP on both', async () => {
    const service = await manager().call('serviceInspect', { id: 'container-nginx' });
    expect(service.Endpoint.VirtualIPs).toHaveLength(2);
    expect(service.Endpoint.Ports).toEqual([{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 80, PublishMode: 'ingress' }]);
    const tasks = await running('container-nginx', 5);
    for (const t of tasks) expect(t.NetworksAttachments?.map((a) => a.Network.Spec.Name)).toEqual(['ingress', 'nginx-net']);
  }, 30_000);

  it('tasks on different hosts ping each other by IP across the overlay', async () => {
    const tasks = await running('container-nginx', 5);
    const hosts = await hostOfNode();
    const from = tasks.find((t) => hosts.get(t.NodeID!) === 'worker-1')!;
    const to = tasks.find((t) => hosts.get(t.NodeID!) === 'worker-2')!;
    const ip = to.NetworksAttachments!.find((a) => a.Network.Spec.Name === 'nginx-net')!.Addresses[0]!.split('/')[0]!;
    const ping = await eventually('a ping across the overlay', async () => {
      const r = await engine('worker-1').call('containerExec', { id: `container-nginx.${from.Slot}.${from.ID}`, cmd: ['ping', '-c', '2', ip], stdin: null });
      return r.exitCode === 0 ? r : undefined;
    });
    expect(ping.stdout).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
  }, 30_000);

  it('update --network-add nginx-net-2 --network-rm nginx-net moves every task and leaves nginx-net empty', async () => {
    await manager().call('networkCreate', { Name: 'nginx-net-2', Driver: 'overlay' });
    const service = await manager().call('serviceInspect', { id: serviceId });
    const spec: EngineServiceSpec = { ...service.Spec, TaskTemplate: { ...service.Spec.TaskTemplate, Networks: [{ Target: 'nginx-net-2' }] } };
    await manager().call('serviceUpdate', { id: serviceId, version: service.Version.Index, spec });
    await running('container-nginx', 5, (tasks) => tasks.every((t) => t.NetworksAttachments?.some((a) => a.Network.Spec.Name === 'nginx-net-2')));
    const old = await eventually('nginx-net empty on the manager', async () => {
      const inspect = await manager().call('networkInspect', { id: 'nginx-net' });
      return Object.keys(inspect.Containers ?? {}).length === 0 ? inspect : undefined;
    });
    expect(old.Name).toBe('nginx-net');
    // The workers let go of nginx-net once their last endpoint on it is gone.
    for (const worker of HOSTS.slice(1)) {
      await eventually(`${worker} dropping nginx-net`, async () => {
        const names = (await engine(worker).call('networkList', {})).map((n) => n.Name);
        return names.includes('nginx-net') ? undefined : names;
      });
    }
  }, 60_000);

  it('scales to 3 and back to 5', async () => {
    const scale = async (replicas: number) => {
      const s = await manager().call('serviceInspect', { id: serviceId });
      await manager().call('serviceUpdate', { id: serviceId, version: s.Version.Index, spec: { ...s.Spec, Mode: { Replicated: { Replicas: replicas } } } });
      return running('container-nginx', replicas);
    };
    expect((await scale(3)).map((t) => t.Slot).sort()).toEqual([1, 2, 3]);
    expect((await scale(5)).map((t) => t.Slot).sort()).toEqual([1, 2, 3, 4, 5]);
  }, 60_000);

  it('refuses to remove a network a service uses, and ingress while a service publishes on it', async () => {
    const net = await manager().call('networkInspect', { id: 'nginx-net-2' });
    expect(await refusal(manager().call('networkRemove', { id: 'nginx-net-2' }))).toBe(
      `rpc error: code = FailedPrecondition desc = network ${net.Id} is in use by service ${serviceId}`,
    );
    expect(await refusal(manager().call('networkRemove', { id: 'ingress' }))).toBe(
      `rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service ${serviceId} depends on it`,
    );
    await manager().call('networkRemove', { id: 'nginx-net' });
    // prune takes only what nothing uses: not nginx-net-2 (the service's), not ingress.
    await manager().call('networkCreate', { Name: 'spare', Driver: 'overlay' });
    expect(await manager().call('networkPrune', {})).toEqual({ NetworksDeleted: ['spare'] });
    expect(await engine('worker-1').call('networkPrune', {})).toEqual({ NetworksDeleted: [] });
  }, 30_000);

  it('moves the tasks of a drained worker to the other nodes', async () => {
    const node = await manager().call('nodeInspect', { id: 'worker-2' });
    await manager().call('nodeUpdate', { id: node.ID, version: node.Version.Index, spec: { ...node.Spec, Availability: 'drain' } });
    const tasks = await running('container-nginx', 5, (up) => up.every((t) => t.NodeID !== node.ID));
    expect(Object.keys(await perHost(tasks)).sort()).toEqual(['manager', 'worker-1']);
    const again = await manager().call('nodeInspect', { id: 'worker-2' });
    await manager().call('nodeUpdate', { id: again.ID, version: again.Version.Index, spec: { ...again.Spec, Availability: 'active' } });
  }, 60_000);

  it('service logs gathers every task’s output through the manager’s log broker', async () => {
    const spec: EngineServiceSpec = {
      Name: 'talker',
      TaskTemplate: { ContainerSpec: { Image: 'alpine', Args: ['sh', '-c', 'echo hello from $HOSTNAME; sleep 1d'] }, ForceUpdate: 0 },
      Mode: { Replicated: { Replicas: 2 } },
    };
    const { ID } = await manager().call('serviceCreate', { spec });
    const tasks = await running('talker', 2);
    const lines = await eventually('both tasks’ lines', async () => {
      const got = await manager().call('serviceLogs', { id: 'talker' });
      return got.filter((l) => l.Line.startsWith('hello from ')).length === 2 ? got : undefined;
    });
    expect(new Set(lines.map((l) => l.NodeID)).size).toBe(2);
    for (const t of tasks) expect(lines.find((l) => l.TaskID === t.ID && l.Stream === 'stdout')?.TaskName).toBe(`talker.${t.Slot}.${t.ID}`);
    // Also from a worker that is not a manager: refused as Docker refuses it.
    expect(await refusal(engine('worker-2').call('serviceLogs', { id: 'talker' }))).toContain('This node is not a swarm manager.');
    await manager().call('serviceRemove', { id: ID });
  }, 60_000);

  it('reschedules the tasks of a killed worker', async () => {
    const node = await manager().call('nodeInspect', { id: 'worker-1' });
    await cluster.kill('worker-1');
    await eventually('worker-1 down', async () => ((await manager().call('nodeInspect', { id: node.ID })).Status.State === 'down' ? true : undefined));
    const tasks = await running('container-nginx', 5, (up) => up.every((t) => t.NodeID !== node.ID));
    expect(Object.keys(await perHost(tasks)).sort()).toEqual(['manager', 'worker-2']);
    await manager().call('serviceRemove', { id: serviceId });
    await eventually('the service gone', async () => ((await manager().call('serviceList', {})).length === 0 ? true : undefined));
  }, 60_000);
});
