/**
 * Task names and the state comparisons every manager component makes (swarmkit `api/naming` and
 * the `TaskState` ordering). swarmkit leaves `task.annotations.name` empty and derives the name
 * `<service>.<slot>.<taskID>` (global tasks: `<service>.<nodeID>.<taskID>`) wherever one is shown,
 * so the daemon, the CLI and the control API's name filters all use `taskName`.
 */
import { TASK_STATE_VALUES, type PbTask, type TaskStateName } from '../wire/swarmkit.js';

/** `naming.Task`. */
export function taskName(task: Pick<PbTask, 'annotations' | 'service_annotations' | 'slot' | 'node_id' | 'id'>): string {
  if (task.annotations?.name) return task.annotations.name;
  const slot = task.slot ? String(task.slot) : task.node_id;
  return `${task.service_annotations?.name ?? ''}.${slot}.${task.id}`;
}

export function stateValue(state: TaskStateName): number {
  return TASK_STATE_VALUES[state] ?? 0;
}

/** `a > b` in swarmkit's task-state order. */
export function stateAfter(a: TaskStateName, b: TaskStateName): boolean {
  return stateValue(a) > stateValue(b);
}

/** Desired to run (READY counts: a replacement waiting for its restart delay). */
export function isRunnable(task: PbTask): boolean {
  return !stateAfter(task.desired_state, 'RUNNING');
}

/** The allocator's `taskDead`: asked to stop and stopped. Its addresses can go back. */
export function isTaskDead(task: PbTask): boolean {
  return stateAfter(task.desired_state, 'RUNNING') && stateAfter(task.status.state, 'RUNNING');
}

/** Has ended (or never will run): the status is past RUNNING. */
export function hasEnded(task: PbTask): boolean {
  return stateAfter(task.status.state, 'RUNNING');
}

/** Holds resources on its node: not dead, and not a stopped task that never reached the node. */
export function isActiveOnNode(task: PbTask): boolean {
  if (task.node_id === '' || isTaskDead(task)) return false;
  return !(stateAfter(task.desired_state, 'RUNNING') && stateValue(task.status.state) < stateValue('ASSIGNED'));
}
