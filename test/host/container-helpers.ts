/**
 * Builds a Container for the lifecycle and shell tests: a scripted stack (no legs), the real
 * program table, a ManualClock, and a fixed wall-clock epoch so log timestamps are stable.
 */
import { Container, type ContainerOptions } from '../../src/host/container.js';
import { IMAGES } from '../../src/host/images.js';
import { PROGRAMS } from '../../src/host/programs/index.js';
import { ManualClock, ms } from '../../src/util/clock.js';
import { Rng } from '../../src/util/rng.js';
import { FakeStack } from './programs/fake-stack.js';

export const CONTAINER_ID = '3f2a9c1e7b5d'.padEnd(64, '0');
/** 2024-05-01T12:00:00Z */
export const EPOCH_MS = Date.UTC(2024, 4, 1, 12, 0, 0);

export function makeContainer(options: Partial<ContainerOptions> = {}): { container: Container; clock: ManualClock; exits: number[] } {
  const clock = new ManualClock();
  const exits: number[] = [];
  const container = new Container({
    name: 'c',
    id: CONTAINER_ID,
    hostname: '3f2a9c1e7b5d',
    image: IMAGES.alpine,
    stack: new FakeStack(clock),
    clock,
    rng: new Rng(1),
    programs: PROGRAMS,
    epochMs: EPOCH_MS,
    onExit: (code) => exits.push(code),
    ...options,
  });
  return { container, clock, exits };
}

/** Lets pending promise chains and setImmediate callbacks run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Advances the clock in `steps` steps of `stepMs`, flushing between them. */
export async function advance(clock: ManualClock, stepMs: number, steps = 1): Promise<void> {
  for (let i = 0; i < steps; i++) {
    clock.advance(ms(stepMs));
    await flush();
  }
}
