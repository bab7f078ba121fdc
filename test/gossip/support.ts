/** Deterministic gossip clusters on a manual clock and the in-memory transport. */
import { ManualClock, ms, type Duration } from '../../src/util/clock.js';
import { Rng } from '../../src/util/rng.js';
import { MemoryGossipNetwork } from '../../src/gossip/memory-transport.js';

/** Lets queued microtasks and promise chains run (packets, stream bytes, awaits). */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Advances `clock` by `total` in `step`s, flushing delivery between steps. */
export async function run(clock: ManualClock, total: number, step = 50): Promise<void> {
  for (let t = 0; t < total; t += step) {
    clock.advance(ms(Math.min(step, total - t)));
    await flush();
  }
}

/** Steps until `done()` holds; returns the clock time it took, or throws after `limit`. */
export async function runUntil(clock: ManualClock, done: () => boolean, limit: Duration, step = 50): Promise<number> {
  const start = clock.now();
  while (!done()) {
    if (clock.now() - start > limit) throw new Error(`condition not met within ${limit} ms of clock time`);
    clock.advance(ms(step));
    await flush();
  }
  return clock.now() - start;
}

export function world(seed = 1) {
  return { clock: new ManualClock(), network: new MemoryGossipNetwork(), rng: (label: string) => Rng.derive(seed, label) };
}
