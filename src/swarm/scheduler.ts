/**
 * The scheduler (swarmkit `manager/scheduler`): places PENDING tasks on nodes.
 *
 * A node can take new tasks when it is READY and its availability is ACTIVE (`ReadyFilter`;
 * managers too, unless drained). Among those, a task goes where its service has the fewest
 * active tasks, then where the fewest tasks run at all, ties broken by node ID — so 5 replicas on
 * 3 nodes end 2/2/1 (swarmkit's `nodeInfo` spread). Tasks that already name a node (global
 * services) are checked against that node only; a network attachment only needs its node READY
 * (the container is already there, drained or not). The task becomes ASSIGNED
 * with `scheduler assigned task to node`; when nothing fits it stays PENDING and its `err` says
 * why, as swarmkit writes it: `no suitable node (2 nodes not available for new tasks)`.
 * A PENDING task that is no longer wanted becomes SHUTDOWN here: no agent ever had it.
 */
import type { PbNode, PbTask } from '../wire/swarmkit.js';
import type { ClusterStore } from './store.js';
import { isRunnable, isTaskDead, stateAfter } from './task-naming.js';

export const ASSIGNED_MESSAGE = 'scheduler assigned task to node';

/** `ReadyFilter`. */
export function acceptsNewTasks(node: PbNode): boolean {
  return node.status.state === 'READY' && node.spec.availability === 'ACTIVE';
}

/** `ReadyFilter.Explain`. */
function notAvailable(count: number): string {
  return count === 1 ? '1 node not available for new tasks' : `${count} nodes not available for new tasks`;
}

/**
 * A task weighs on its node's load while it is meant to run there (`nodeInfo.addTask`: desired
 * state up to COMPLETE) and has not ended. A task being shut down no longer counts, so a rolling
 * update's replacement can land where the task it replaces is still stopping.
 */
function countsOnNode(task: PbTask): boolean {
  return task.node_id !== '' && !isTaskDead(task) && !stateAfter(task.desired_state, 'COMPLETE');
}

export class Scheduler {
  constructor(private readonly store: ClusterStore) {}

  pass(): boolean {
    let wrote = false;
    const pending = this.store.tasks
      .filter((t) => t.status.state === 'PENDING' || (t.status.state === 'NEW' && !isRunnable(t)))
      .sort((a, b) => a.service_id.localeCompare(b.service_id) || a.slot - b.slot || a.id.localeCompare(b.id));
    if (pending.length === 0) return false;
    const nodes = [...this.store.nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const perNode = new Map<string, PbTask[]>();
    for (const t of this.store.tasks) if (countsOnNode(t)) perNode.set(t.node_id, [...(perNode.get(t.node_id) ?? []), t]);
    for (const task of pending) {
      if (!isRunnable(task)) {
        this.store.putTask({ ...task, status: { ...task.status, state: 'SHUTDOWN', err: '', timestamp: this.store.now() } });
        wrote = true;
        continue;
      }
      const candidates = task.node_id ? nodes.filter((n) => n.id === task.node_id) : nodes;
      // A standalone container's attachment goes where the container already is: READY suffices.
      const eligible = candidates.filter((n) => (task.spec.attachment ? n.status.state === 'READY' : acceptsNewTasks(n)));
      if (eligible.length === 0) {
        const ineligible = candidates.length;
        const err = ineligible === 0 ? 'no suitable node' : `no suitable node (${notAvailable(ineligible)})`;
        if (task.status.err !== err) {
          this.store.putTask({ ...task, status: { ...task.status, err, timestamp: this.store.now() } });
          wrote = true;
        }
        continue;
      }
      const load = (n: PbNode): [number, number] => {
        const tasks = perNode.get(n.id) ?? [];
        return [tasks.filter((t) => t.service_id === task.service_id).length, tasks.length];
      };
      let best = eligible[0]!;
      for (const n of eligible.slice(1)) {
        const [s, all] = load(n);
        const [bs, ball] = load(best);
        if (s < bs || (s === bs && all < ball)) best = n;
      }
      const assigned = this.store.putTask({
        ...task,
        node_id: best.id,
        status: { ...task.status, state: 'ASSIGNED', message: ASSIGNED_MESSAGE, err: '', timestamp: this.store.now() },
      });
      perNode.set(best.id, [...(perNode.get(best.id) ?? []), assigned]);
      wrote = true;
    }
    return wrote;
  }
}
