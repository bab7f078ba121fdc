/**
 * The manager's networking keys (swarmkit `manager/keymanager/keymanager.go`, reference
 * docker-overlay-facts.md §4.1): 3 keys of 16 bytes per subsystem (`networking:gossip`,
 * `networking:ipsec`), AES_128_GCM, each tagged with a Lamport time. The clock starts at a random
 * skew in [0, 65535] and ticks once per allocated key; the first allocation makes 3 gossip keys
 * then 3 ipsec keys. Every rotation period (12 h) each subsystem drops its oldest key and gains a
 * new one. The dispatcher pushes the keys to every node in its session messages.
 *
 * Key bytes come from the OS CSPRNG (they protect traffic), never from the seeded RNG, which
 * only draws the Lamport skew. Pure state plus one timer on the injected clock; `onRotate` tells the owner to persist and push.
 */
import { randomBytes } from 'node:crypto';
import { seconds, type Clock, type Duration, type Timer } from '../util/clock.js';
import type { Rng } from '../util/rng.js';

export const SUBSYSTEM_GOSSIP = 'networking:gossip';
export const SUBSYSTEM_IPSEC = 'networking:ipsec';
export const KEY_SUBSYSTEMS = [SUBSYSTEM_GOSSIP, SUBSYSTEM_IPSEC] as const;
/** `DefaultKeyLen`. */
export const NETWORK_KEY_BYTES = 16;
/** `keyringSize`: keys kept per subsystem. */
export const KEYRING_SIZE = 3;
/** `DefaultKeyRotationInterval`. */
export const KEY_ROTATION_INTERVAL: Duration = seconds(12 * 60 * 60);
/** `genSkew` draws the clock's start below this. */
export const LAMPORT_SKEW_LIMIT = 65_536;

export interface NetworkKey {
  readonly subsystem: string;
  readonly algorithm: 'AES_128_GCM';
  readonly key: Uint8Array;
  readonly lamportTime: number;
}

export class KeyManager {
  #keys: NetworkKey[] = [];
  #lamport: number;
  #timer: Timer | undefined;
  constructor(rng: Rng) {
    this.#lamport = rng.int(0, LAMPORT_SKEW_LIMIT - 1);
    for (const subsystem of KEY_SUBSYSTEMS) {
      for (let i = 0; i < KEYRING_SIZE; i++) this.#keys.push(this.#allocate(subsystem));
    }
  }

  /** Every key, in allocation (Lamport) order. */
  get keys(): readonly NetworkKey[] {
    return this.#keys;
  }

  get lamportClock(): number {
    return this.#lamport;
  }

  /** Drops each subsystem's oldest key and appends a new one (swarmkit `rotateKey`). */
  rotate(): void {
    for (const subsystem of KEY_SUBSYSTEMS) {
      const oldest = this.#keys.filter((k) => k.subsystem === subsystem).reduce((a, b) => (b.lamportTime < a.lamportTime ? b : a));
      this.#keys = this.#keys.filter((k) => k !== oldest);
      this.#keys.push(this.#allocate(subsystem));
    }
  }

  /** Rotates every `interval` on `clock` until `stop`, calling `onRotate` after each rotation. */
  start(clock: Clock, onRotate: () => void, interval: Duration = KEY_ROTATION_INTERVAL): void {
    this.stop();
    const arm = () => {
      this.#timer = clock.setTimer(interval, () => {
        this.rotate();
        onRotate();
        arm();
      });
    };
    arm();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #allocate(subsystem: string): NetworkKey {
    this.#lamport += 1;
    return { subsystem, algorithm: 'AES_128_GCM', key: new Uint8Array(randomBytes(NETWORK_KEY_BYTES)), lamportTime: this.#lamport };
  }
}
