/**
 * The log broker (swarmkit `manager/logbroker/broker.go`): how `docker service logs` reaches the
 * output of tasks on every node, over 2377 only.
 *
 * - Every node keeps a `LogBroker.ListenSubscriptions` stream open (its agent does, beside its
 *   session). A subscription is pushed down it as a `SubscriptionMessage` (selector + options).
 * - The node answers with `LogBroker.PublishLogs` — a client stream of `PublishLogsMessage`s for
 *   that subscription, the last one with `close` — carrying its matching tasks' output.
 * - `Logs.SubscribeLogs` (managers only) opens a subscription for a selector and streams the
 *   messages back. Only the non-follow form is served: the subscription goes to the nodes that
 *   hold matching tasks, and ends when each of them has closed its publication (or the deadline
 *   passes — a node that does not answer is left out, as swarmkit leaves out unreachable ones).
 *
 * Everything is bounded: subscriptions at once, messages kept per subscription, and the wait.
 */
import type { ServerReadableStream, ServerWritableStream, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { PbLogMessage, PbLogSelector, PbLogSubscriptionOptions, PbSubscriptionMessage } from '../wire/swarmkit.js';
import { authorizeCaller, type AuthorizationContext } from './authorize.js';
import type { CallSpec } from './grpc-client.js';
import { MANAGER_ROLE, rpcError, WORKER_ROLE } from './rpc.js';
import type { ClusterStore } from './store.js';
import { isTaskDead } from './task-naming.js';

/** Subscriptions open at once (a `docker service logs` each). */
export const MAX_SUBSCRIPTIONS = 64;
/** Log messages kept per subscription; later ones are dropped (and the caller is told). */
export const MAX_MESSAGES_PER_SUBSCRIPTION = 100_000;
/** How long a subscription waits for the nodes to publish (real milliseconds). */
export const SUBSCRIPTION_WAIT_MS = 5_000;

/** The manager-side call a daemon that is not the leader makes (`docker service logs`). */
export const LOGS_CALLS = {
  SubscribeLogs: { service: 'Logs', method: 'SubscribeLogs', requestType: 'SubscribeLogsRequest', responseType: 'SubscribeLogsMessage' },
} as const satisfies Record<string, CallSpec>;

interface Subscription {
  readonly id: string;
  readonly messages: PbLogMessage[];
  /** Nodes that have not closed their publication yet. */
  readonly waiting: Set<string>;
  done: () => void;
}

export class LogBroker {
  readonly #listeners = new Map<string, ServerWritableStream<unknown, PbSubscriptionMessage>>();
  readonly #subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly store: ClusterStore,
    private readonly newId: () => string,
  ) {}

  /** Opens a non-follow subscription and resolves with every message the nodes published. */
  async subscribe(selector: PbLogSelector, options: PbLogSubscriptionOptions): Promise<PbLogMessage[]> {
    if (options.follow) throw rpcError(status.UNIMPLEMENTED, 'swarmnet: following logs (--follow) is not supported');
    if (this.#subscriptions.size >= MAX_SUBSCRIPTIONS) throw rpcError(status.RESOURCE_EXHAUSTED, 'too many log subscriptions');
    const nodes = this.#nodesFor(selector);
    const id = this.newId();
    const subscription: Subscription = { id, messages: [], waiting: new Set(), done: () => {} };
    const finished = new Promise<void>((resolve) => (subscription.done = resolve));
    this.#subscriptions.set(id, subscription);
    try {
      for (const nodeId of nodes) {
        const listener = this.#listeners.get(nodeId);
        if (!listener) continue;
        subscription.waiting.add(nodeId);
        listener.write({ id, selector, options, close: false });
      }
      if (subscription.waiting.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, SUBSCRIPTION_WAIT_MS)))]);
        clearTimeout(timer);
      }
      for (const nodeId of nodes) this.#listeners.get(nodeId)?.write({ id, selector: null, options: null, close: true });
      return subscription.messages.sort((a, b) => stamp(a) - stamp(b));
    } finally {
      this.#subscriptions.delete(id);
    }
  }

  /** Nodes that hold (or held) a task the selector names. */
  #nodesFor(selector: PbLogSelector): Set<string> {
    const nodes = new Set<string>(selector.node_ids ?? []);
    for (const task of this.store.tasks) {
      if (task.node_id === '' || (isTaskDead(task) && task.status.container == null)) continue;
      if (selector.service_ids?.includes(task.service_id) || selector.task_ids?.includes(task.id)) nodes.add(task.node_id);
    }
    return nodes;
  }

  /** grpc-js handlers for `LogBroker` (every node) and `Logs` (managers). */
  handlers(auth: AuthorizationContext): { broker: UntypedServiceImplementation; logs: UntypedServiceImplementation } {
    return {
      broker: {
        ListenSubscriptions: (call: ServerWritableStream<unknown, PbSubscriptionMessage>) => {
          let nodeId: string;
          try {
            nodeId = authorizeCaller(call, auth, [WORKER_ROLE, MANAGER_ROLE]).nodeId;
          } catch (error) {
            call.destroy(error as Error);
            return;
          }
          this.#listeners.get(nodeId)?.end();
          this.#listeners.set(nodeId, call);
          const forget = () => {
            if (this.#listeners.get(nodeId) === call) this.#listeners.delete(nodeId);
          };
          call.on('cancelled', forget);
          call.on('error', forget);
          call.on('close', forget);
        },
        PublishLogs: (call: ServerReadableStream<{ subscription_id: string; messages: PbLogMessage[]; close: boolean }, unknown>, callback: sendUnaryData<unknown>) => {
          let nodeId: string;
          try {
            nodeId = authorizeCaller(call, auth, [WORKER_ROLE, MANAGER_ROLE]).nodeId;
          } catch (error) {
            callback(error as Error);
            return;
          }
          call.on('data', (message: { subscription_id: string; messages: PbLogMessage[]; close: boolean }) => this.#publish(nodeId, message));
          call.on('end', () => callback(null, {}));
          call.on('error', () => undefined);
        },
      },
      logs: {
        SubscribeLogs: (call: ServerWritableStream<{ selector: PbLogSelector | null; options: PbLogSubscriptionOptions | null }, unknown>) => {
          try {
            authorizeCaller(call, auth, [MANAGER_ROLE]);
          } catch (error) {
            call.destroy(error as Error);
            return;
          }
          const { selector, options } = call.request;
          this.subscribe(selector ?? { service_ids: [], node_ids: [], task_ids: [] }, options ?? { streams: [], follow: false, tail: 0, since: null }).then(
            (messages) => {
              call.write({ messages });
              call.end();
            },
            (error: unknown) => call.destroy(error as Error),
          );
        },
      },
    };
  }

  /** A node's publication: only for subscriptions sent to it, and bounded. */
  #publish(nodeId: string, message: { subscription_id: string; messages: PbLogMessage[]; close: boolean }): void {
    const subscription = this.#subscriptions.get(message.subscription_id);
    if (!subscription || !subscription.waiting.has(nodeId)) return;
    for (const m of message.messages ?? []) {
      if (subscription.messages.length >= MAX_MESSAGES_PER_SUBSCRIPTION) break;
      // A node speaks only for itself (swarmkit checks the context against the publisher).
      if (m.context?.node_id !== nodeId) continue;
      subscription.messages.push(m);
    }
    if (message.close) {
      subscription.waiting.delete(nodeId);
      if (subscription.waiting.size === 0) subscription.done();
    }
  }

  close(): void {
    for (const listener of this.#listeners.values()) listener.end();
    this.#listeners.clear();
    for (const s of this.#subscriptions.values()) s.done();
  }
}

function stamp(m: PbLogMessage): number {
  return m.timestamp ? m.timestamp.seconds * 1000 + m.timestamp.nanos / 1e6 : 0;
}
