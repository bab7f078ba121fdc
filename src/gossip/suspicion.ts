/**
 * One suspicion timer (hashicorp/memberlist `suspicion.go`, Lifeguard): a suspect node is declared
 * dead when the timer fires. Independent confirmations from other members (up to `k`) shorten the
 * timeout logarithmically from `max` towards `min`; with nobody to confirm (`k < 1`) it is `min`.
 * The accuser itself never counts as a confirmation.
 */
import { elapsed, type Clock, type Duration, type Instant, type Timer } from '../util/clock.js';
import { remainingSuspicionTime } from './config.js';

export class Suspicion {
  readonly #clock: Clock;
  readonly #k: number;
  readonly #min: Duration;
  readonly #max: Duration;
  readonly #start: Instant;
  readonly #confirmations = new Set<string>();
  readonly #onTimeout: (confirmations: number) => void;
  #n = 0;
  #timer: Timer | undefined;

  constructor(options: { clock: Clock; from: string; k: number; min: Duration; max: Duration; onTimeout: (confirmations: number) => void }) {
    this.#clock = options.clock;
    this.#k = options.k;
    this.#min = options.min;
    this.#max = options.max;
    this.#onTimeout = options.onTimeout;
    this.#confirmations.add(options.from);
    this.#start = options.clock.now();
    this.#arm(options.k < 1 ? options.min : options.max);
  }

  /** Confirmations counted so far. */
  get confirmations(): number {
    return this.#n;
  }

  /**
   * A further accusation from `from`. Returns true when it was new (the caller re-gossips it so
   * other members hear the confirmation too).
   */
  confirm(from: string): boolean {
    if (this.#n >= this.#k || this.#confirmations.has(from) || this.#timer === undefined) return false;
    this.#confirmations.add(from);
    this.#n += 1;
    const remaining = remainingSuspicionTime(this.#n, this.#k, elapsed(this.#start, this.#clock.now()), this.#min, this.#max);
    this.#timer.cancel();
    this.#arm(remaining);
    return true;
  }

  /** The node refuted or was declared dead some other way. */
  cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #arm(delay: Duration): void {
    this.#timer = this.#clock.setTimer(Math.max(0, delay) as Duration, () => {
      this.#timer = undefined;
      this.#onTimeout(this.#n);
    });
  }
}
