/**
 * Runs a parsed scenario against a `ScenarioTarget` and prints it like a tutorial transcript:
 * each step echoed, its output, `✗ line N: …` for what failed, and `N steps, M failed` at the
 * end. Retry and timing rules are those of the FORMAT in `parse.ts`; time comes from an injected
 * clock so tests run a 10 s retry loop instantly.
 */
import type { Clock, Duration } from '../../util/clock.js';
import { splitCommandLine } from './docker-cli.js';
import { attemptStep, type Attempt, type StepDeps } from './execute.js';
import { runSh, SH_TIMEOUT_MS, type RunSh } from './sh.js';
import type { Scenario, Step } from './steps.js';
import type { CommandOutput, ScenarioTarget } from './target.js';

/** How long a step with expectations is retried, from its first attempt (`--timeout`). */
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
/** Longest `--timeout` accepted: an hour; anything longer is surely a unit mistake. */
export const MAX_STEP_TIMEOUT_MS = 3_600_000;
/** Pause between two attempts of a step: short next to convergence, long enough not to spin. */
export const RETRY_PAUSE_MS = 250;

/** The part of `Clock` the runner uses. */
export type ScenarioClock = Pick<Clock, 'now' | 'sleep'>;

/**
 * Wall time for real runs. Its timers are ref'd on purpose (unlike `RealClock`'s): a scenario
 * that is only waiting — `@sleep 5` before any host runs — must keep the process alive.
 */
export const wallClock: ScenarioClock = {
  now: () => performance.now() as ReturnType<Clock['now']>,
  sleep: (delay: Duration) => new Promise<void>((resolve) => setTimeout(resolve, delay)),
};

export interface RunDeps {
  readonly target: ScenarioTarget;
  /** Receives the transcript, in pieces (each ends with a newline). */
  readonly write: (text: string) => void;
  readonly clock?: ScenarioClock;
  readonly split?: (line: string) => string[];
  readonly sh?: RunSh;
}

export interface RunOptions {
  /** Retry budget of a step with expectations, in milliseconds (default 10 s). */
  readonly timeoutMs?: number;
  /** Pause between attempts, in milliseconds (default 250). */
  readonly pauseMs?: number;
  /** Time limit of one `@sh` run, in milliseconds (default 30 s). */
  readonly shTimeoutMs?: number;
  /** Stop at the first failed step; the rest count as not run. */
  readonly failFast?: boolean;
}

export interface RunReport {
  readonly steps: number;
  readonly passed: number;
  readonly failed: number;
  readonly notRun: number;
  /** 0 if every step passed, else 1: what `swarmnet run` exits with. */
  readonly exitCode: 0 | 1;
}

export async function runScenario(scenario: Scenario, deps: RunDeps, options: RunOptions = {}): Promise<RunReport> {
  const clock = deps.clock ?? wallClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const pauseMs = options.pauseMs ?? RETRY_PAUSE_MS;
  const stepDeps: StepDeps = {
    target: deps.target,
    split: deps.split ?? splitCommandLine,
    sh: deps.sh ?? runSh,
    shTimeoutMs: options.shTimeoutMs ?? SH_TIMEOUT_MS,
    sleep: (delay) => clock.sleep(delay as Duration),
  };
  const write = deps.write;
  let passed = 0;
  let failed = 0;
  for (const step of scenario.steps) {
    if (options.failFast === true && failed > 0) break;
    // A sleep is announced before it starts, so a long one doesn't look like a hang.
    if (step.kind === 'sleep') write(`@sleep ${step.seconds}\n`);
    const { attempt, attempts, elapsedMs } = await withRetries(step, stepDeps, clock, timeoutMs, pauseMs);
    if (step.kind !== 'sleep') write(`${attempt.echo}\n`);
    if (attempt.output !== undefined) writeOutput(write, attempt.output);
    if (attempt.failures.length === 0) {
      passed++;
      continue;
    }
    failed++;
    for (const f of attempt.failures) write(`✗ line ${f.line}: ${f.message}\n`);
    if (attempts > 1) write(`  gave up after ${formatSeconds(elapsedMs)} s (${attempts} attempts)\n`);
  }
  const steps = scenario.steps.length;
  const notRun = steps - passed - failed;
  write(`\n${steps} ${steps === 1 ? 'step' : 'steps'}, ${failed} failed${notRun > 0 ? `, ${notRun} not run` : ''}\n`);
  return { steps, passed, failed, notRun, exitCode: failed === 0 && notRun === 0 ? 0 : 1 };
}

/** True if the step is retried: it carries at least one expectation. */
export function isRetried(step: Step): boolean {
  return (step.kind === 'docker' || step.kind === 'sh') && step.expectations.length > 0;
}

/**
 * Attempts `step` until it passes, or — if it is retried at all — until the budget is spent
 * (the last attempt may start a moment past it on a real clock: a full budget beats one
 * attempt fewer). The attempt count is bounded by the budget over the pause whatever the clock
 * does, so a clock that never advances cannot spin forever.
 */
async function withRetries(
  step: Step,
  deps: StepDeps,
  clock: ScenarioClock,
  timeoutMs: number,
  pauseMs: number,
): Promise<{ attempt: Attempt; attempts: number; elapsedMs: number }> {
  const start = clock.now();
  const maxAttempts = isRetried(step) ? Math.floor(timeoutMs / Math.max(1, pauseMs)) + 1 : 1;
  for (let attempts = 1; ; attempts++) {
    const attempt = await attemptStep(step, deps);
    const elapsedMs = clock.now() - start;
    if (attempt.failures.length === 0 || attempts >= maxAttempts || elapsedMs >= timeoutMs) {
      return { attempt, attempts, elapsedMs };
    }
    await clock.sleep(pauseMs as Duration);
  }
}

/** Writes a command's stdout then stderr, each ending with a newline. */
export function writeOutput(write: (text: string) => void, output: CommandOutput): void {
  for (const text of [output.stdout, output.stderr]) {
    if (text !== '') write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
