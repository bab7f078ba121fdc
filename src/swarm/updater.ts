/**
 * Rolling updates (swarmkit `manager/orchestrator/update/updater.go`): when a service's task spec
 * changes (image, networks, published ports, `--force`), its tasks are replaced slot by slot —
 * `parallelism` at a time (1 by default, 0 = all), waiting for each replacement to run and then
 * `delay` before the next, `stop-first` (the old task stops before its replacement starts) unless
 * the spec says `start-first`. `update_status` goes UPDATING `update in progress` → after the last
 * replacement runs and the `monitor` period (5 s) passes, COMPLETED `update completed` (a
 * rollback: ROLLBACK_STARTED → ROLLBACK_COMPLETED `rollback completed`). A replacement that fails
 * pauses the update (`update paused due to failure or early termination of task …`) unless the
 * failure action is `continue`. A change of replicas alone updates nothing.
 */
import { after, ms, type Clock, type Instant } from '../util/clock.js';
import type { PbService, PbTask, PbTimestamp, PbUpdateConfig } from '../wire/swarmkit.js';
import { DEFAULT_UPDATE_CONFIG } from './service-defaults.js';
import type { ClusterStore } from './store.js';
import { sameJson } from './task-allocator.js';
import { hasEnded, isRunnable } from './task-naming.js';

export const UPDATE_IN_PROGRESS = 'update in progress';
export const UPDATE_COMPLETED = 'update completed';
export const ROLLBACK_COMPLETED = 'rollback completed';

export function durationMs(d: PbTimestamp | null | undefined, fallback: PbTimestamp | null): number {
  const v = d ?? fallback;
  return v ? v.seconds * 1000 + Math.round(v.nanos / 1e6) : 0;
}

/** `IsTaskDirty`: the task runs another spec than its service now asks for. */
export function isTaskDirty(service: PbService, task: PbTask): boolean {
  if (!sameJson(task.spec, service.spec.task)) return true;
  return task.endpoint !== null && !sameJson(task.endpoint.spec ?? null, service.spec.endpoint ?? null);
}

interface UpdateState {
  /** Replacement task ID → the task it replaces (start-first stops that one once it runs). */
  readonly inFlight: Map<string, string>;
  nextAt: Instant;
  monitorUntil: Instant | undefined;
}

export interface UpdaterHost {
  readonly store: ClusterStore;
  readonly clock: Clock;
  /** Schedules another reconciliation at `at`. */
  wakeAt(at: Instant): void;
  /** Creates the replacement of `old` (same slot / node) with the service's current spec. */
  replace(service: PbService, old: PbTask, startNow: boolean): PbTask;
}

export class Updater {
  readonly #states = new Map<string, UpdateState>();

  constructor(private readonly host: UpdaterHost) {}

  forget(serviceId: string): void {
    this.#states.delete(serviceId);
  }

  /** One step of the service's update; true when it wrote to the store. */
  step(service: PbService): boolean {
    const { store, clock } = this.host;
    const status = service.update_status;
    if (status && (status.state === 'PAUSED' || status.state === 'ROLLBACK_PAUSED')) return false;
    const rollback = status?.state === 'ROLLBACK_STARTED';
    const config: PbUpdateConfig = (rollback ? service.spec.rollback : service.spec.update) ?? DEFAULT_UPDATE_CONFIG;
    const tasks = store.tasksOfService(service.id);
    const state = this.#states.get(service.id) ?? { inFlight: new Map<string, string>(), nextAt: clock.now(), monitorUntil: undefined };
    this.#states.set(service.id, state);
    let wrote = false;
    for (const [id, oldId] of state.inFlight) {
      const task = store.task(id);
      if (task && hasEnded(task)) {
        state.inFlight.delete(id);
        if (config.failure_action === 'CONTINUE') continue;
        const message = `update paused due to failure or early termination of task ${id}`;
        store.putService({ ...service, update_status: { ...(status ?? { started_at: store.now(), completed_at: null }), state: rollback ? 'ROLLBACK_PAUSED' : 'PAUSED', message } });
        return true;
      }
      if (!task || task.status.state === 'RUNNING') {
        state.inFlight.delete(id);
        state.nextAt = after(clock.now(), ms(durationMs(config.delay, DEFAULT_UPDATE_CONFIG.delay)));
        const old = store.task(oldId);
        if (old && isRunnable(old)) {
          store.putTask({ ...old, desired_state: 'SHUTDOWN' });
          wrote = true;
        }
      }
    }
    const busySlots = new Set([...state.inFlight.keys()].map((id) => slotKey(store.task(id))));
    const dirty = tasks
      .filter((t) => isRunnable(t) && t.desired_state === 'RUNNING' && isTaskDirty(service, t) && !busySlots.has(slotKey(t)))
      .sort((a, b) => a.slot - b.slot || a.node_id.localeCompare(b.node_id));
    if (dirty.length === 0 && state.inFlight.size === 0) {
      if (!status || (status.state !== 'UPDATING' && status.state !== 'ROLLBACK_STARTED')) return wrote;
      if (state.monitorUntil === undefined) {
        state.monitorUntil = after(clock.now(), ms(durationMs(config.monitor, DEFAULT_UPDATE_CONFIG.monitor)));
        this.host.wakeAt(state.monitorUntil);
        return wrote;
      }
      if (clock.now() < state.monitorUntil) return wrote;
      this.#states.delete(service.id);
      store.putService({
        ...service,
        update_status: { ...status, state: rollback ? 'ROLLBACK_COMPLETED' : 'COMPLETED', message: rollback ? ROLLBACK_COMPLETED : UPDATE_COMPLETED, completed_at: store.now() },
      });
      return true;
    }
    state.monitorUntil = undefined;
    let current = service;
    if (dirty.length > 0 && !status) {
      current = store.putService({ ...service, update_status: { state: 'UPDATING', started_at: store.now(), completed_at: null, message: UPDATE_IN_PROGRESS } });
      wrote = true;
    }
    if (clock.now() < state.nextAt) {
      this.host.wakeAt(state.nextAt);
      return wrote;
    }
    const parallelism = config.parallelism || Number.POSITIVE_INFINITY;
    const startFirst = config.order === 'START_FIRST';
    for (const old of dirty) {
      if (state.inFlight.size >= parallelism) break;
      if (!startFirst) store.putTask({ ...old, desired_state: 'SHUTDOWN' });
      const replacement = this.host.replace(current, old, startFirst);
      state.inFlight.set(replacement.id, old.id);
      wrote = true;
    }
    return wrote;
  }
}

function slotKey(task: PbTask | undefined): string {
  return task ? `${task.slot}/${task.slot ? '' : task.node_id}` : '';
}
