/**
 * The dispatcher's task half (swarmkit `manager/dispatcher/dispatcher.go` `Assignments`,
 * `UpdateTaskStatus`): what each node must run, and what it reports back.
 *
 * - `Assignments` streams the node's tasks: every task placed on it (`node_id`) whose status is at
 *   least ASSIGNED, desired states included, so the agent starts, holds (desired READY), stops and
 *   removes them. Every message is `type: COMPLETE` with the full set (a valid swarmkit protocol
 *   choice: the agent drops what is not listed). Changes coalesce — at most one message per turn
 *   of the event loop — and a message identical to the last one is not sent again.
 * - `UpdateTaskStatus` stores the statuses the agent reports, never moving a task backwards; a
 *   report for a task on another node is refused as swarmkit does.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import type { PbAssignmentsMessage, PbNode, PbTask, PbTaskStatus, PbTaskStatusUpdate } from '../wire/swarmkit.js';
import { rpcError } from './rpc.js';
import type { ClusterStore } from './store.js';
import { sameJson } from './task-allocator.js';
import { hasEnded, isActiveOnNode, stateValue } from './task-naming.js';

export interface AssignmentStream {
  write(message: PbAssignmentsMessage): void;
  end(): void;
}

interface Subscriber {
  readonly nodeId: string;
  readonly stream: AssignmentStream;
  last: Omit<PbAssignmentsMessage, 'results_in'> | undefined;
}

export class TaskAssignments {
  readonly #subscribers = new Set<Subscriber>();
  readonly #unsubscribe: () => void;
  #flush: ReturnType<typeof setImmediate> | undefined;
  #sequence = 0;

  constructor(private readonly store: ClusterStore) {
    this.#unsubscribe = store.subscribe((event) => {
      if (event.kind !== 'cluster' && this.#subscribers.size > 0) this.#scheduleFlush();
    });
  }

  /** Starts streaming `nodeId`'s assignments; returns a function that stops it. */
  open(nodeId: string, stream: AssignmentStream): () => void {
    const subscriber: Subscriber = { nodeId, stream, last: undefined };
    this.#subscribers.add(subscriber);
    this.#send(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Ends every stream of a node (its session ended or was replaced). */
  closeNode(nodeId: string): void {
    for (const s of [...this.#subscribers]) {
      if (s.nodeId !== nodeId) continue;
      this.#subscribers.delete(s);
      s.stream.end();
    }
  }

  close(): void {
    this.#unsubscribe();
    if (this.#flush) clearImmediate(this.#flush);
    for (const s of this.#subscribers) s.stream.end();
    this.#subscribers.clear();
  }

  /** `UpdateTaskStatus` for a caller whose session is valid. */
  updateTaskStatus(nodeId: string, updates: readonly PbTaskStatusUpdate[]): void {
    const valid: PbTaskStatusUpdate[] = [];
    for (const u of updates) {
      if (!u.status) continue;
      const task = this.store.task(u.task_id);
      if (!task) continue; // deleted meanwhile
      if (task.node_id !== nodeId) throw rpcError(grpcStatus.PERMISSION_DENIED, 'cannot update a task not assigned this node');
      valid.push(u);
    }
    for (const u of valid) {
      this.store.updateTask(u.task_id, (task) => {
        if (stateValue(u.status.state) < stateValue(task.status.state)) return task;
        const status: PbTaskStatus = { ...u.status, timestamp: u.status.timestamp?.seconds ? u.status.timestamp : this.store.now() };
        return { ...task, status };
      });
    }
  }

  /** The tasks a node is sent: placed on it and at least ASSIGNED. */
  tasksFor(nodeId: string): PbTask[] {
    return this.store.tasksOnNode(nodeId).filter((t) => stateValue(t.status.state) >= stateValue('ASSIGNED'));
  }

  #scheduleFlush(): void {
    this.#flush ??= setImmediate(() => {
      this.#flush = undefined;
      for (const s of this.#subscribers) this.#send(s);
    });
  }

  #send(subscriber: Subscriber): void {
    const body: Omit<PbAssignmentsMessage, 'results_in'> = {
      type: 'COMPLETE',
      applies_to: '',
      changes: this.tasksFor(subscriber.nodeId).map((task) => ({ assignment: { task }, action: 'UPDATE' as const })),
    };
    if (subscriber.last && sameJson(withoutMeta(subscriber.last), withoutMeta(body))) return;
    subscriber.last = body;
    this.#sequence += 1;
    subscriber.stream.write({ ...body, results_in: String(this.#sequence) });
  }
}

/**
 * What decides whether a node must hear again: as swarmkit's `TasksEqualStable`, versions and
 * statuses do not count (the agent reports statuses itself); membership, specs, desired states do.
 */
function withoutMeta(message: Omit<PbAssignmentsMessage, 'results_in'>): unknown {
  return {
    ...message,
    changes: message.changes.map((c) => ({ ...c, assignment: { task: c.assignment.task ? { ...c.assignment.task, meta: undefined, status: undefined } : null } })),
  };
}
