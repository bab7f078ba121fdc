import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { taskName } from '../../src/swarm/task-naming.js';
import { ServiceBench, serviceSpec } from './services-support.js';

let bench: ServiceBench;
beforeEach(() => {
  bench = new ServiceBench();
});
afterEach(() => bench.close());

const perNode = (tasks: { node_id: string }[]): number[] => {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.node_id, (counts.get(t.node_id) ?? 0) + 1);
  return [...counts.values()].sort((a, b) => b - a);
};

describe('replicated services', () => {
  it('spreads 5 replicas over 3 nodes 2/2/1, through NEW → PENDING → ASSIGNED', () => {
    for (const id of ['node-a', 'node-b', 'node-c']) bench.addNode(id);
    const id = bench.create({ name: 'web', replicas: 5 });
    const tasks = bench.tasks(id);
    expect(tasks.map((t) => t.slot)).toEqual([1, 2, 3, 4, 5]);
    expect(tasks.every((t) => t.status.state === 'ASSIGNED' && t.status.message === 'scheduler assigned task to node')).toBe(true);
    expect(perNode(tasks)).toEqual([2, 2, 1]);
    expect(taskName(tasks[0]!)).toBe(`web.1.${tasks[0]!.id}`);
  });

  it('leaves tasks PENDING with swarmkit\'s explanation when no node can take them', () => {
    bench.addNode('node-a', { availability: 'DRAIN' });
    bench.addNode('node-b', { state: 'DOWN' });
    const id = bench.create({ name: 'web', replicas: 1 });
    const [task] = bench.tasks(id);
    expect(task!.status.state).toBe('PENDING');
    expect(task!.status.message).toBe('pending task scheduling');
    expect(task!.status.err).toBe('no suitable node (2 nodes not available for new tasks)');
    bench.setNode('node-a', { availability: 'ACTIVE' });
    bench.settle();
    expect(bench.tasks(id)[0]!.node_id).toBe('node-a');
  });

  it('scales up into the lowest free slots and down from the highest (desired REMOVE, then deleted once stopped)', () => {
    bench.addNode('node-a');
    const id = bench.create({ name: 'web', replicas: 2 });
    bench.report('RUNNING');
    const service = bench.store.service(id)!;
    bench.control.UpdateService({ service_id: id, service_version: service.meta.version, spec: { ...service.spec, replicated: { replicas: 4 } } });
    bench.settle();
    expect(bench.runnable(id).map((t) => t.slot)).toEqual([1, 2, 3, 4]);
    bench.report('RUNNING');
    const again = bench.store.service(id)!;
    expect(again.update_status).toBeNull(); // replicas alone do not start an update
    bench.control.UpdateService({ service_id: id, service_version: again.meta.version, spec: { ...again.spec, replicated: { replicas: 1 } } });
    bench.settle();
    expect(bench.tasks(id).filter((t) => t.desired_state === 'REMOVE').map((t) => t.slot)).toEqual([2, 3, 4]);
    bench.stopRequested();
    expect(bench.tasks(id).map((t) => t.slot)).toEqual([1]);
  });

  it('restarts an ended task in its slot after the restart delay (desired READY until then)', () => {
    bench.addNode('node-a');
    const id = bench.create({ name: 'web', replicas: 1 });
    bench.report('RUNNING');
    const first = bench.tasks(id)[0]!;
    bench.store.updateTask(first.id, (t) => ({ ...t, status: { ...t.status, state: 'FAILED', err: 'task: non-zero exit (1)' } }));
    bench.settle();
    const replacement = bench.tasks(id).find((t) => t.id !== first.id)!;
    expect(bench.store.task(first.id)!.desired_state).toBe('SHUTDOWN');
    expect(replacement.slot).toBe(1);
    expect(replacement.desired_state).toBe('READY');
    bench.advance(4_999);
    expect(bench.store.task(replacement.id)!.desired_state).toBe('READY');
    bench.advance(1);
    expect(bench.store.task(replacement.id)!.desired_state).toBe('RUNNING');
  });

  it('a replacement rejected during its restart delay is restarted only when the delay is over (no tight loop)', () => {
    bench.addNode('node-a');
    const id = bench.create({ name: 'bad', replicas: 1 });
    const reject = () => {
      const live = bench.tasks(id).find((t) => t.desired_state === 'READY' || t.desired_state === 'RUNNING')!;
      bench.store.updateTask(live.id, (t) => ({ ...t, status: { ...t.status, state: 'REJECTED', err: 'No such image: nosuch:latest' } }));
      bench.settle();
    };
    reject(); // the first task: replaced at once, desired READY for 5 s
    expect(bench.tasks(id)).toHaveLength(2);
    reject(); // the replacement fails while it waits: no new task yet
    expect(bench.tasks(id)).toHaveLength(2);
    bench.advance(4_999);
    expect(bench.tasks(id)).toHaveLength(2);
    bench.advance(1);
    expect(bench.tasks(id)).toHaveLength(3);
  });

  it('does not restart under condition none', () => {
    bench.addNode('node-a');
    const spec = serviceSpec({ name: 'job', replicas: 1 });
    spec.task.restart = { condition: 'NONE', delay: null, max_attempts: 0, window: null };
    const { service } = bench.control.CreateService({ spec });
    bench.settle();
    bench.report('RUNNING');
    bench.report('COMPLETE', () => true);
    for (const t of bench.tasks(service.id)) bench.store.updateTask(t.id, (x) => ({ ...x, status: { ...x.status, state: 'COMPLETE' } }));
    bench.advance(10_000);
    expect(bench.tasks(service.id)).toHaveLength(1);
    expect(bench.tasks(service.id)[0]!.desired_state).toBe('SHUTDOWN');
  });

  it('moves tasks off a drained node at once, and off a node that went down after the delay', () => {
    bench.addNode('node-a');
    bench.addNode('node-b');
    const id = bench.create({ name: 'web', replicas: 2 });
    bench.report('RUNNING');
    bench.setNode('node-a', { availability: 'DRAIN' });
    bench.settle();
    expect(bench.runnable(id).every((t) => t.node_id === 'node-b')).toBe(true);
    // No restart delay when draining, but the replacement waits for the old task to stop.
    expect(bench.runnable(id).filter((t) => t.desired_state === 'READY')).toHaveLength(1);
    bench.stopRequested();
    expect(bench.runnable(id).every((t) => t.desired_state === 'RUNNING')).toBe(true);
    bench.report('RUNNING');
    bench.setNode('node-a', { availability: 'ACTIVE' });
    bench.setNode('node-b', { state: 'DOWN' });
    bench.settle();
    const moved = bench.runnable(id);
    expect(moved.every((t) => t.node_id === 'node-a' && t.desired_state === 'READY')).toBe(true);
    bench.advance(5_000);
    expect(bench.runnable(id).every((t) => t.desired_state === 'RUNNING')).toBe(true);
  });

  it('replaces the tasks of a removed node at once and marks them ORPHANED', () => {
    bench.addNode('node-a');
    bench.addNode('node-b');
    const id = bench.create({ name: 'web', replicas: 2 });
    bench.report('RUNNING');
    const lost = bench.tasks(id).find((t) => t.node_id === 'node-b')!;
    bench.store.removeNode('node-b');
    bench.settle();
    expect(bench.store.task(lost.id)).toMatchObject({ desired_state: 'SHUTDOWN', status: { state: 'ORPHANED' } });
    expect(bench.runnable(id).map((t) => t.node_id)).toEqual(['node-a', 'node-a']);
  });

  it('keeps at most task_history_retention_limit tasks per slot', () => {
    bench.addNode('node-a');
    const id = bench.create({ name: 'flaky', replicas: 1 });
    for (let round = 0; round < 8; round++) {
      bench.advance(5_000);
      bench.report('RUNNING');
      for (const t of bench.tasks(id)) if (t.status.state === 'RUNNING') bench.store.updateTask(t.id, (x) => ({ ...x, status: { ...x.status, state: 'FAILED' } }));
      bench.settle();
    }
    expect(bench.tasks(id).length).toBe(5);
    expect(bench.runnable(id)).toHaveLength(1);
  });
});

describe('global services', () => {
  it('runs one task per eligible node, slot 0, and follows nodes joining and draining', () => {
    bench.addNode('node-a');
    bench.addNode('node-b', { availability: 'DRAIN' });
    const id = bench.create({ name: 'agent', global: true });
    expect(bench.runnable(id).map((t) => [t.slot, t.node_id])).toEqual([[0, 'node-a']]);
    expect(taskName(bench.runnable(id)[0]!)).toBe(`agent.node-a.${bench.runnable(id)[0]!.id}`);
    bench.addNode('node-c');
    bench.setNode('node-b', { availability: 'ACTIVE' });
    bench.settle();
    expect(bench.runnable(id).map((t) => t.node_id)).toEqual(['node-a', 'node-b', 'node-c']);
    bench.setNode('node-a', { availability: 'DRAIN' });
    bench.settle();
    expect(bench.runnable(id).map((t) => t.node_id)).toEqual(['node-b', 'node-c']);
  });
});

describe('rolling updates', () => {
  it('replaces one slot at a time, stop-first, and completes after the monitor period', () => {
    bench.addNode('node-a');
    bench.addNode('node-b');
    const id = bench.create({ name: 'web', replicas: 3 });
    bench.report('RUNNING');
    const old = new Set(bench.tasks(id).map((t) => t.id));
    const service = bench.store.service(id)!;
    const spec = { ...service.spec, task: { ...service.spec.task, container: { ...service.spec.task.container!, image: 'nginx:1.27' } } };
    bench.control.UpdateService({ service_id: id, service_version: service.meta.version, spec });
    bench.settle();
    const order: number[] = [];
    for (let step = 0; step < 3; step++) {
      expect(bench.store.service(id)!.update_status).toMatchObject({ state: 'UPDATING', message: 'update in progress' });
      const stopping = bench.tasks(id).filter((t) => old.has(t.id) && t.desired_state === 'SHUTDOWN' && t.status.state === 'RUNNING');
      expect(stopping).toHaveLength(1);
      const fresh = bench.tasks(id).filter((t) => !old.has(t.id) && t.status.state !== 'RUNNING');
      expect(fresh).toHaveLength(1);
      expect(fresh[0]!.desired_state).toBe('READY'); // stop-first: waits for the old one
      order.push(fresh[0]!.slot);
      bench.stopRequested();
      expect(bench.store.task(fresh[0]!.id)!.desired_state).toBe('RUNNING');
      bench.report('RUNNING');
    }
    expect(order).toEqual([1, 2, 3]);
    expect(bench.store.service(id)!.update_status!.state).toBe('UPDATING');
    bench.advance(5_000);
    expect(bench.store.service(id)!.update_status).toMatchObject({ state: 'COMPLETED', message: 'update completed' });
    expect(bench.runnable(id).every((t) => t.spec.container!.image === 'nginx:1.27')).toBe(true);
  });

  it('keeps the spread through a rolling update: a stopping task no longer weighs on its node', () => {
    bench.addNode('node-a');
    bench.addNode('node-b');
    const id = bench.create({ name: 'web', replicas: 2 });
    bench.report('RUNNING');
    expect(perNode(bench.runnable(id))).toEqual([1, 1]);
    const service = bench.store.service(id)!;
    const spec = { ...service.spec, task: { ...service.spec.task, container: { ...service.spec.task.container!, image: 'nginx:1.27' } } };
    bench.control.UpdateService({ service_id: id, service_version: service.meta.version, spec });
    bench.settle();
    for (let step = 0; step < 2; step++) {
      bench.stopRequested();
      bench.report('RUNNING');
    }
    const fresh = bench.runnable(id).filter((t) => t.spec.container!.image === 'nginx:1.27');
    expect(fresh).toHaveLength(2);
    expect(perNode(fresh)).toEqual([1, 1]);
  });

  it('pauses when a replacement fails', () => {
    bench.addNode('node-a');
    const id = bench.create({ name: 'web', replicas: 2 });
    bench.report('RUNNING');
    const service = bench.store.service(id)!;
    bench.control.UpdateService({ service_id: id, service_version: service.meta.version, spec: { ...service.spec, task: { ...service.spec.task, force_update: 1 } } });
    bench.settle();
    bench.stopRequested();
    const fresh = bench.runnable(id).find((t) => t.spec.force_update === 1)!;
    bench.store.updateTask(fresh.id, (t) => ({ ...t, status: { ...t.status, state: 'FAILED' } }));
    bench.settle();
    expect(bench.store.service(id)!.update_status).toMatchObject({ state: 'PAUSED', message: `update paused due to failure or early termination of task ${fresh.id}` });
  });
});
