/**
 * The orchestrators (swarmkit `manager/orchestrator/{replicated,global,restart,taskreaper}`):
 * they turn services into tasks and keep them there.
 *
 * - Replicated: slots 1..N, one runnable task each. Scaling up fills the lowest free slots;
 *   scaling down gives the highest slots desired state REMOVE. Slots are counted when the
 *   service's spec changes (as swarmkit reconciles on service events), so a task that ended under
 *   restart condition `none` stays ended until the next `docker service update`.
 * - Global: one task per node that takes new tasks (slot 0, the node named at creation); tasks on
 *   nodes that are drained, down or gone are shut down.
 * - Restarts (`restart.Supervisor`): a runnable task that ended, or whose node went DOWN, was
 *   drained or removed, gets desired SHUTDOWN and — per its restart policy (ANY by default,
 *   `on-failure`, `none`, `max_attempts`) — a replacement in its slot with desired READY, started
 *   (desired RUNNING) after the restart delay (5 s; none when draining) and, if the old task may
 *   still be running, once it has stopped. An agent prepares a READY task without starting it.
 * - Updates: `updater.ts`.
 * - Task reaper: tasks with desired REMOVE are deleted once they stopped (or never reached a
 *   node); each slot keeps at most `task_history_retention_limit` tasks (5), oldest dead first.
 */
import { after, ms, type Clock, type Instant, type Timer } from '../util/clock.js';
import type { PbService, PbTask } from '../wire/swarmkit.js';
import { acceptsNewTasks } from './scheduler.js';
import { DEFAULT_RESTART_POLICY } from './service-defaults.js';
import type { ClusterStore } from './store.js';
import { hasEnded, isRunnable, isTaskDead, stateAfter, stateValue } from './task-naming.js';
import { durationMs, Updater } from './updater.js';

/** `orchestrator.NewTask`'s first status message. */
export const CREATED_MESSAGE = 'created';
/** The cluster default when the spec carries none. */
export const DEFAULT_TASK_HISTORY = 5;

export interface OrchestratorOptions {
  readonly store: ClusterStore;
  readonly clock: Clock;
  readonly newId: () => string;
  /** Asks for another reconciliation soon (a timer fired). */
  readonly wake: () => void;
}

interface Delayed {
  readonly until: Instant;
  /** The task that must stop first, if it may still be running. */
  readonly waitFor: string | undefined;
}

export class Orchestrator {
  readonly #options: OrchestratorOptions;
  readonly #seenSpec = new Map<string, number>();
  readonly #delayed = new Map<string, Delayed>();
  readonly #restarts = new Map<string, number>();
  readonly #timers = new Map<Instant, Timer>();
  readonly #updater: Updater;

  constructor(options: OrchestratorOptions) {
    this.#options = options;
    this.#updater = new Updater({
      store: options.store,
      clock: options.clock,
      wakeAt: (at) => this.#wakeAt(at),
      replace: (service, old, startNow) => this.#replacement(service, old, startNow ? undefined : { until: options.clock.now(), waitFor: old.id }),
    });
  }

  close(): void {
    for (const timer of this.#timers.values()) timer.cancel();
    this.#timers.clear();
  }

  /** One reconciliation; true when it changed the store. */
  pass(): boolean {
    const { store } = this.#options;
    let wrote = false;
    for (const service of store.services) {
      const specIndex = service.spec_version?.index ?? 0;
      if (service.spec.global) wrote = this.#reconcileGlobal(service) || wrote;
      else if (this.#seenSpec.get(service.id) !== specIndex) {
        this.#seenSpec.set(service.id, specIndex);
        wrote = this.#reconcileReplicated(service) || wrote;
      }
      wrote = this.#restartTasks(service) || wrote;
      wrote = this.#promoteDelayed(service) || wrote;
      wrote = this.#updater.step(store.service(service.id) ?? service) || wrote;
    }
    for (const id of this.#seenSpec.keys()) {
      if (!store.service(id)) {
        this.#seenSpec.delete(id);
        this.#updater.forget(id);
      }
    }
    return this.#reap() || wrote;
  }

  #reconcileReplicated(service: PbService): boolean {
    const { store } = this.#options;
    const wanted = service.spec.replicated?.replicas ?? 0;
    const running = new Map<number, PbTask[]>();
    for (const t of store.tasksOfService(service.id)) if (isRunnable(t)) running.set(t.slot, [...(running.get(t.slot) ?? []), t]);
    let wrote = false;
    if (running.size < wanted) {
      let slot = 1;
      for (let missing = wanted - running.size; missing > 0; slot += 1) {
        if (running.has(slot)) continue;
        store.putTask(this.#newTask(service, slot, ''));
        missing -= 1;
        wrote = true;
      }
    } else if (running.size > wanted) {
      const highest = [...running.keys()].sort((a, b) => b - a).slice(0, running.size - wanted);
      for (const slot of highest) for (const t of running.get(slot)!) store.putTask({ ...t, desired_state: 'REMOVE' });
      wrote = true;
    }
    return wrote;
  }

  #reconcileGlobal(service: PbService): boolean {
    const { store } = this.#options;
    const tasks = store.tasksOfService(service.id);
    let wrote = false;
    for (const node of store.nodes) {
      if (!acceptsNewTasks(node)) continue;
      if (tasks.some((t) => t.node_id === node.id && isRunnable(t))) continue;
      store.putTask(this.#newTask(service, 0, node.id));
      wrote = true;
    }
    return wrote;
  }

  /** Ended tasks and tasks on lost or drained nodes: shut down, and replaced per the policy. */
  #restartTasks(service: PbService): boolean {
    const { store } = this.#options;
    let wrote = false;
    for (const task of store.tasksOfService(service.id)) {
      if (!isRunnable(task)) continue;
      const node = task.node_id ? store.node(task.node_id) : undefined;
      const nodeLost = task.node_id !== '' && (!node || node.status.state === 'DOWN' || node.spec.availability === 'DRAIN');
      if (!hasEnded(task) && !nodeLost) continue;
      if (service.spec.global && nodeLost) {
        store.putTask({ ...task, desired_state: 'SHUTDOWN' });
        wrote = true;
        continue;
      }
      // swarmkit `Restart`: a task still inside its own restart delay (it failed while being
      // prepared, e.g. its image does not exist) is restarted only once that delay has passed,
      // so a task that cannot start fails every 5 s instead of in a tight loop.
      const pending = this.#delayed.get(task.id);
      if (pending && this.#options.clock.now() < pending.until) {
        this.#wakeAt(pending.until);
        continue;
      }
      this.#restart(service, task);
      wrote = true;
    }
    return wrote;
  }

  /** `restart.Supervisor.Restart`. */
  #restart(service: PbService, task: PbTask): void {
    const { store, clock } = this.#options;
    store.putTask({ ...task, desired_state: 'SHUTDOWN' });
    this.#delayed.delete(task.id);
    const policy = task.spec.restart ?? DEFAULT_RESTART_POLICY;
    if (policy.condition === 'NONE') return;
    if (policy.condition === 'ON_FAILURE' && task.status.state === 'COMPLETE') return;
    const key = `${service.id}/${task.slot}/${task.slot ? '' : task.node_id}`;
    const restarts = this.#restarts.get(key) ?? 0;
    if (policy.max_attempts > 0 && restarts >= policy.max_attempts) return;
    this.#restarts.set(key, restarts + 1);
    const node = task.node_id ? store.node(task.node_id) : undefined;
    if (service.spec.global && (!node || !acceptsNewTasks(node))) return;
    const drained = node?.spec.availability === 'DRAIN';
    const delay = drained ? 0 : durationMs(policy.delay, DEFAULT_RESTART_POLICY.delay);
    const waitStop = !(node?.status.state === 'DOWN' || !node || hasEnded(task));
    this.#replacement(service, task, { until: after(clock.now(), ms(delay)), waitFor: waitStop ? task.id : undefined });
  }

  /** A new task in `old`'s slot (global: on its node); held at READY when `delayed` is given. */
  #replacement(service: PbService, old: PbTask, delayed: Delayed | undefined): PbTask {
    const task = this.#newTask(service, old.slot, service.spec.global ? old.node_id : '');
    if (!delayed) return this.#options.store.putTask(task);
    this.#delayed.set(task.id, delayed);
    this.#wakeAt(delayed.until);
    return this.#options.store.putTask({ ...task, desired_state: 'READY' });
  }

  #promoteDelayed(service: PbService): boolean {
    const { store, clock } = this.#options;
    let wrote = false;
    for (const task of store.tasksOfService(service.id)) {
      if (task.desired_state !== 'READY') continue;
      const delayed = this.#delayed.get(task.id);
      if (delayed) {
        if (clock.now() < delayed.until) continue;
        const old = delayed.waitFor ? store.task(delayed.waitFor) : undefined;
        const oldNode = old?.node_id ? store.node(old.node_id) : undefined;
        if (old && !hasEnded(old) && old.node_id !== '' && oldNode && oldNode.status.state !== 'DOWN') continue;
      }
      this.#delayed.delete(task.id);
      store.putTask({ ...task, desired_state: 'RUNNING' });
      wrote = true;
    }
    return wrote;
  }

  /** The task reaper, and the cleanup of tasks whose service or node is gone. */
  #reap(): boolean {
    const { store } = this.#options;
    let wrote = false;
    const limit = store.cluster.spec.orchestration?.task_history_retention_limit || DEFAULT_TASK_HISTORY;
    const slots = new Map<string, PbTask[]>();
    for (const task of store.tasks) {
      if (task.service_id && !store.service(task.service_id) && stateValue(task.desired_state) < stateValue('REMOVE')) {
        store.putTask({ ...task, desired_state: 'REMOVE' });
        wrote = true;
        continue;
      }
      if (task.node_id && !store.node(task.node_id) && !hasEnded(task)) {
        store.putTask({ ...task, status: { ...task.status, state: 'ORPHANED', message: 'node removed from the swarm', timestamp: store.now() } });
        wrote = true;
        continue;
      }
      const neverRan = stateValue(task.status.state) < stateValue('ASSIGNED');
      if (task.desired_state === 'REMOVE' && (neverRan || stateValue(task.status.state) >= stateValue('COMPLETE'))) {
        store.removeTask(task.id);
        wrote = true;
        continue;
      }
      if (!task.service_id) continue;
      const key = `${task.service_id}/${task.slot}/${task.slot ? '' : task.node_id}`;
      slots.set(key, [...(slots.get(key) ?? []), task]);
    }
    for (const tasks of slots.values()) {
      if (tasks.length <= limit) continue;
      const removable = tasks
        .filter((t) => isTaskDead(t) || (stateAfter(t.desired_state, 'RUNNING') && stateValue(t.status.state) < stateValue('ASSIGNED')))
        .sort((a, b) => createdOrder(a) - createdOrder(b) || a.meta.version.index - b.meta.version.index);
      for (const t of removable.slice(0, tasks.length - limit)) {
        store.removeTask(t.id);
        wrote = true;
      }
    }
    return wrote;
  }

  #newTask(service: PbService, slot: number, nodeId: string): Omit<PbTask, 'meta'> {
    const { store } = this.#options;
    return {
      id: this.#options.newId(),
      spec: service.spec.task,
      service_id: service.id,
      slot,
      node_id: nodeId,
      annotations: { name: '', labels: {} },
      service_annotations: service.spec.annotations,
      status: { timestamp: store.now(), state: 'NEW', message: CREATED_MESSAGE, err: '', port_status: null, applied_by: '', applied_at: null },
      desired_state: 'RUNNING',
      networks: [],
      endpoint: null,
      log_driver: service.spec.task.log_driver ?? null,
      spec_version: service.spec_version,
    };
  }

  #wakeAt(at: Instant): void {
    const { clock } = this.#options;
    if (this.#timers.has(at)) return;
    const timer = clock.setTimer(ms(Math.max(0, at - clock.now())), () => {
      this.#timers.delete(at);
      this.#options.wake();
    });
    this.#timers.set(at, timer);
  }
}

function createdOrder(task: PbTask): number {
  return task.meta.created_at.seconds * 1e3 + task.meta.created_at.nanos / 1e6;
}
