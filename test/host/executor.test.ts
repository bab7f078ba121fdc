/**
 * The task executor against a hand-fed assignment source (no gRPC), over real data planes on an
 * in-memory underlay with a manual clock: the task status walk Docker reports, overlays created
 * lazily from the task's allocated network (MTU option → container MTU − 50), swarm labels and
 * names, overlay peers programmed so two task containers on two hosts ping each other, a task
 * failing with `task: non-zero exit (N)`, an unknown image REJECTED, shutdown and removal (the
 * overlay leaves the data plane with its last endpoint).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../src/dataplane/index.js';
import { DaemonContainers } from '../../src/host/daemon-containers.js';
import { Executor } from '../../src/host/executor.js';
import { Host } from '../../src/host/host.js';
import { ManualClock, ms } from '../../src/util/clock.js';
import { Rng } from '../../src/util/rng.js';
import type { PbAssignmentsMessage, PbNetwork, PbTask, PbTaskStatusUpdate, TaskStateName } from '../../src/wire/swarmkit.js';

const NETWORK: PbNetwork = {
  id: 'netid0000000000000000000a',
  meta: { version: { index: 1 }, created_at: { seconds: 0, nanos: 0 }, updated_at: { seconds: 0, nanos: 0 } } as never,
  spec: { annotations: { name: 'test-net', labels: {} }, driver_config: { name: 'overlay', options: { 'com.docker.network.driver.mtu': '1200' } }, ipv6_enabled: false, internal: false, ipam: null, attachable: true, ingress: false },
  driver_state: { name: 'overlay', options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' } },
  ipam: { driver: { name: 'default', options: {} }, configs: [{ family: 'IPV4', subnet: '10.0.1.0/24', range: '', gateway: '10.0.1.1', reserved: {} }] },
  pending_delete: false,
};

function task(id: string, slot: number, address: string, desired: TaskStateName = 'RUNNING', args: string[] = ['sleep', '3600']): PbTask {
  return {
    id,
    meta: {} as never,
    spec: {
      container: { image: 'alpine:latest', labels: {}, command: [], args, env: [], dir: '', user: '', stop_grace_period: null, tty: false, hostname: '', hosts: [], open_stdin: false, read_only: false, stop_signal: '' },
      restart: null,
      placement: null,
      log_driver: null,
      networks: [{ target: NETWORK.id, aliases: ['web'], addresses: [], driver_attachment_opts: {} }],
      force_update: 0,
    },
    service_id: 'serviceid0000000000000000',
    slot,
    node_id: 'node',
    annotations: { name: '', labels: {} },
    service_annotations: { name: 'web', labels: {} },
    status: { timestamp: null, state: 'ASSIGNED', message: 'scheduler assigned task to node', err: '', port_status: null, applied_by: '', applied_at: null },
    desired_state: desired,
    networks: [{ network: NETWORK, addresses: [address], aliases: [], driver_attachment_opts: {} }],
    endpoint: null,
    log_driver: null,
    spec_version: null,
  };
}

const message = (tasks: PbTask[]): PbAssignmentsMessage => ({
  type: 'COMPLETE',
  applies_to: '',
  results_in: '',
  changes: tasks.map((t) => ({ assignment: { task: t }, action: 'UPDATE' })),
});

let hosts: Host[] = [];
let executors: Executor[] = [];
afterEach(async () => {
  await Promise.all(executors.map((e) => e.close()));
  await Promise.all(hosts.map((h) => h.close()));
  hosts = [];
  executors = [];
});

function node(network: MemoryNetwork, clock: ManualClock, name: string, address: string) {
  const host = new Host({ name, underlay: network.attach(address, 4789), clock, seed: 5 });
  const containers = new DaemonContainers({
    runtime: host.runtime,
    rng: Rng.derive(5, `${name}/containers`),
    clock,
    wall: { now: () => clock.now(), wall: (t) => t },
    localNetworkId: () => undefined,
    swarm: () => undefined,
    onEndpointsChanged: () => executor.endpointsChanged(),
  });
  const updates: PbTaskStatusUpdate[] = [];
  const executor: Executor = new Executor({
    containers,
    runtime: host.runtime,
    nodeId: () => `${name}-id`,
    report: (u) => updates.push(...u),
    now: () => new Date(clock.now()),
    attachments: () => [],
  });
  hosts.push(host);
  executors.push(executor);
  const states = (taskId: string) => updates.filter((u) => u.task_id === taskId).map((u) => u.status.state);
  return { host, containers, executor, updates, states };
}

async function settle(network: MemoryNetwork, clock: ManualClock, until: () => boolean, stepMs = 50, maxSteps = 400): Promise<void> {
  for (let i = 0; i < maxSteps && !until(); i++) {
    await network.idle();
    await new Promise((r) => setImmediate(r));
    if (!until()) clock.advance(ms(stepMs));
  }
  expect(until()).toBe(true);
}

describe('executor', () => {
  it('runs tasks through Docker’s states on lazy overlays; task containers on two hosts ping each other', async () => {
    const network = new MemoryNetwork();
    const clock = new ManualClock();
    const a = node(network, clock, 'worker-1', '127.9.0.1');
    const b = node(network, clock, 'worker-2', '127.9.0.2');
    expect(a.host.runtime.hasNetwork('test-net')).toBe(false);
    a.executor.apply(message([task('taskaaaaaaaaaaaaaaaaaaaaa', 1, '10.0.1.3/24')]));
    b.executor.apply(message([task('taskbbbbbbbbbbbbbbbbbbbbb', 2, '10.0.1.4/24')]));
    await settle(network, clock, () => a.states('taskaaaaaaaaaaaaaaaaaaaaa').includes('RUNNING') && b.states('taskbbbbbbbbbbbbbbbbbbbbb').includes('RUNNING'));
    // The peer tables are gossip's to fill (network-agent.ts); here they are programmed by hand.
    a.host.runtime.addPeer({ network: 'test-net', ip: '10.0.1.4', mac: '02:42:0a:00:01:04', vtepAddress: '127.9.0.2', vtepPort: 4789 });
    b.host.runtime.addPeer({ network: 'test-net', ip: '10.0.1.3', mac: '02:42:0a:00:01:03', vtepAddress: '127.9.0.1', vtepPort: 4789 });
    expect(a.states('taskaaaaaaaaaaaaaaaaaaaaa')).toEqual(['ACCEPTED', 'PREPARING', 'READY', 'STARTING', 'RUNNING']);
    const running = a.updates.at(-1)!.status;
    expect(running).toMatchObject({ message: 'started', err: '' });
    const record = a.containers.records[0]!;
    expect(running.container).toEqual({ container_id: record.id, pid: record.pid, exit_code: 0 });
    expect(record.name).toBe('web.1.taskaaaaaaaaaaaaaaaaaaaaa');
    expect(record.config.labels).toMatchObject({
      'com.docker.swarm.node.id': 'worker-1-id',
      'com.docker.swarm.service.name': 'web',
      'com.docker.swarm.task.id': 'taskaaaaaaaaaaaaaaaaaaaaa',
      'com.docker.swarm.task.name': 'web.1.taskaaaaaaaaaaaaaaaaaaaaa',
    });
    const ifaces = record.container.info().interfaces;
    expect(ifaces.map((i) => [i.name, i.network, i.ip, i.mtu])).toEqual([
      ['eth0', 'test-net', '10.0.1.3', 1150],
      ['eth1', 'docker_gwbridge', '172.18.0.2', 1500],
    ]);
    const ping = record.container.exec(['ping', '-c', '2', '10.0.1.4']);
    let out: { stdout: string; exitCode: number } | undefined;
    void ping.then((r) => (out = r));
    await settle(network, clock, () => out !== undefined);
    expect(out!.exitCode).toBe(0);
    expect(out!.stdout).toContain('2 packets received');

    // Desired SHUTDOWN stops it; leaving the assignment set removes it and the lazy overlay.
    a.executor.apply(message([task('taskaaaaaaaaaaaaaaaaaaaaa', 1, '10.0.1.3/24', 'SHUTDOWN')]));
    await settle(network, clock, () => a.states('taskaaaaaaaaaaaaaaaaaaaaa').includes('SHUTDOWN'));
    expect(a.updates.at(-1)!.status.message).toBe('shutdown');
    a.executor.apply(message([]));
    await settle(network, clock, () => a.containers.records.length === 0 && !a.host.runtime.hasNetwork('test-net'));
  });

  it('a task whose PID 1 fails is FAILED with its exit code; an unknown image is REJECTED', async () => {
    const network = new MemoryNetwork();
    const clock = new ManualClock();
    const a = node(network, clock, 'worker-1', '127.9.0.1');
    const bad = { ...task('taskfailfailfailfailfailf', 1, '10.0.1.3/24', 'RUNNING', ['sh', '-c', 'exit 3']) };
    const ghost = task('taskghostghostghostghostg', 2, '10.0.1.5/24');
    ghost.spec.container!.image = 'nosuchimage';
    a.executor.apply(message([bad, ghost]));
    await settle(network, clock, () => a.states(bad.id).includes('FAILED') && a.states(ghost.id).includes('REJECTED'));
    const failed = a.updates.filter((u) => u.task_id === bad.id).at(-1)!.status;
    expect(failed).toMatchObject({ state: 'FAILED', err: 'task: non-zero exit (3)' });
    expect(failed.container?.exit_code).toBe(3);
    const rejected = a.updates.filter((u) => u.task_id === ghost.id).at(-1)!.status;
    expect(rejected).toMatchObject({ state: 'REJECTED', err: 'No such image: nosuchimage:latest', message: 'preparing' });
  });

  it('prepares a task desired READY and starts it only once it is desired RUNNING (swarmkit exec.Do)', async () => {
    const network = new MemoryNetwork();
    const clock = new ManualClock();
    const a = node(network, clock, 'worker-1', '127.9.0.1');
    const waiting = task('taskreadyreadyreadyreadyr', 1, '10.0.1.3/24', 'READY');
    a.executor.apply(message([waiting]));
    await settle(network, clock, () => a.states(waiting.id).includes('READY'));
    for (let i = 0; i < 5; i++) await settle(network, clock, () => true);
    expect(a.states(waiting.id)).toEqual(['ACCEPTED', 'PREPARING', 'READY']);
    expect(a.containers.records[0]!.container.state).toBe('created');
    a.executor.apply(message([{ ...waiting, desired_state: 'RUNNING', status: { ...waiting.status, state: 'READY' } }]));
    await settle(network, clock, () => a.states(waiting.id).includes('RUNNING'));
    expect(a.states(waiting.id)).toEqual(['ACCEPTED', 'PREPARING', 'READY', 'STARTING', 'RUNNING']);
    expect(a.containers.records[0]!.container.state).toBe('running');
  });
});
