/**
 * The manager's control loop: allocator → orchestrator → scheduler passes (task-allocator.ts,
 * orchestrator.ts, scheduler.ts) run after every store change until nothing changes, as
 * swarmkit's components react to each other's store events. Changes coalesce: many writes in one
 * turn of the event loop cost one reconciliation. The loop is bounded (`MAX_PASSES`); if it has
 * not settled by then it yields to the event loop and continues on the next turn.
 */
import type { Clock } from '../util/clock.js';
import type { NetworkAllocator } from './network-allocator.js';
import { Orchestrator } from './orchestrator.js';
import { PortAllocator } from './port-allocator.js';
import { Scheduler } from './scheduler.js';
import type { ClusterStore } from './store.js';
import { TaskAllocator } from './task-allocator.js';

/** Passes per reconciliation before yielding to the event loop. */
export const MAX_PASSES = 50;

export interface ReconcilerOptions {
  readonly store: ClusterStore;
  readonly clock: Clock;
  readonly networks: NetworkAllocator;
  readonly newId: () => string;
}

export class Reconciler {
  readonly allocator: TaskAllocator;
  readonly orchestrator: Orchestrator;
  readonly scheduler: Scheduler;
  readonly #unsubscribe: () => void;
  #running = false;
  #scheduled = false;
  #closed = false;
  #yield: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ReconcilerOptions) {
    this.allocator = new TaskAllocator(options.store, options.networks, new PortAllocator());
    this.orchestrator = new Orchestrator({ store: options.store, clock: options.clock, newId: options.newId, wake: () => this.schedule() });
    this.scheduler = new Scheduler(options.store);
    this.#unsubscribe = options.store.subscribe(() => {
      if (!this.#running) this.schedule();
    });
  }

  /** Reconciles at the end of this turn of the event loop (once, however often it is asked). */
  schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.reconcileNow();
    });
  }

  /** Runs passes until the store settles (bounded); true when it settled. */
  reconcileNow(): boolean {
    if (this.#closed || this.#running) return false;
    this.#running = true;
    try {
      for (let pass = 0; pass < MAX_PASSES; pass += 1) {
        const wrote = [this.allocator.pass(), this.orchestrator.pass(), this.scheduler.pass(), this.allocator.pass()].some(Boolean);
        if (!wrote) return true;
      }
    } finally {
      this.#running = false;
    }
    this.#yield ??= setTimeout(() => {
      this.#yield = undefined;
      this.reconcileNow();
    }, 0);
    return false;
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    this.orchestrator.close();
    if (this.#yield) clearTimeout(this.#yield);
  }
}
