/**
 * Time, injected. Every protocol timer (ARP retries, reassembly timeouts, ping intervals, later
 * memberlist probes and key rotation) goes through a `Clock`, so tests run on a manual clock and
 * the CLI can scale real time (`--time-scale 3600` turns a 12-hour rotation into 12 s). Only the
 * host runtime constructs a real clock.
 *
 * Instants and durations are distinct branded types, both in milliseconds (fractional: the real
 * clock has sub-microsecond resolution), so an instant cannot be passed where a duration belongs.
 */

/** A point in time on one clock, in milliseconds since that clock's origin. */
export type Instant = number & { readonly __brand: 'Instant' };
/** A length of time in milliseconds. */
export type Duration = number & { readonly __brand: 'Duration' };

export const ms = (n: number): Duration => n as Duration;
export const seconds = (n: number): Duration => (n * 1000) as Duration;
export const instant = (n: number): Instant => n as Instant;

export function elapsed(from: Instant, to: Instant): Duration {
  return (to - from) as Duration;
}

export function after(at: Instant, d: Duration): Instant {
  return (at + d) as Instant;
}

/** A pending timer; `cancel` is idempotent. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): Instant;
  /** Runs `fn` once, `delay` from now (in this clock's time). */
  setTimer(delay: Duration, fn: () => void): Timer;
  /** A promise resolved `delay` from now; rejected with the signal's reason when aborted. */
  sleep(delay: Duration, signal?: AbortSignal): Promise<void>;
}

/**
 * Wall time, optionally sped up: with `scale` 3600 one real second is one emulated hour. Timers
 * are unref'd so a forgotten one never holds a process open; owners cancel theirs on shutdown.
 */
export class RealClock implements Clock {
  readonly #origin = performance.now();

  constructor(readonly scale = 1) {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`time scale must be a positive number: ${scale}`);
  }

  now(): Instant {
    return ((performance.now() - this.#origin) * this.scale) as Instant;
  }

  setTimer(delay: Duration, fn: () => void): Timer {
    // Node's timers round to whole milliseconds and may fire a little before performance.now()
    // has moved the full delay; re-arm for the remainder so a timer never fires early on this
    // clock's own time line (callers compare against now()).
    const deadline = this.now() + Math.max(0, delay);
    let handle: NodeJS.Timeout;
    const arm = (realMs: number) => {
      handle = setTimeout(() => {
        const left = deadline - this.now();
        if (left > 0) arm(Math.max(1, left / this.scale));
        else fn();
      }, realMs);
      handle.unref();
    };
    arm(Math.max(0, delay / this.scale));
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(delay: Duration, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delay, signal);
  }
}

/** A clock that moves only when told to: deterministic tests of every timer. */
export class ManualClock implements Clock {
  #now = 0;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  now(): Instant {
    return this.#now as Instant;
  }

  setTimer(delay: Duration, fn: () => void): Timer {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, delay), fn });
    return { cancel: () => this.#timers.delete(id) };
  }

  sleep(delay: Duration, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delay, signal);
  }

  /** Number of timers not yet fired or cancelled. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward by `d`, firing due timers in deadline order (ties in creation order).
   * Timers set by a firing timer fire too if they fall due within the step.
   */
  advance(d: Duration): void {
    const end = this.#now + d;
    for (;;) {
      let nextId = -1;
      let nextAt = Infinity;
      for (const [id, t] of this.#timers) {
        if (t.at <= end && (t.at < nextAt || (t.at === nextAt && id < nextId))) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId < 0) break;
      const t = this.#timers.get(nextId)!;
      this.#timers.delete(nextId);
      this.#now = Math.max(this.#now, t.at);
      t.fn();
    }
    this.#now = end;
  }
}

function sleepOn(clock: Clock, delay: Duration, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(signal!.reason);
    };
    const timer = clock.setTimer(delay, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
