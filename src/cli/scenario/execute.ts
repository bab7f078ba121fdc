/**
 * One attempt of one step: fill its placeholders, run it through the `ScenarioTarget` (or
 * `/bin/sh`, or the clock), and check its expectations against the result. The runner repeats
 * attempts until they pass; the shell makes exactly one and prints it. Nothing here prints.
 */
import { fillTemplate } from './placeholders.js';
import type { RunSh } from './sh.js';
import type { CheckedStep, Step } from './steps.js';
import type { CommandOutput, ScenarioTarget } from './target.js';

/** What executing a step needs; every piece injectable. */
export interface StepDeps {
  readonly target: ScenarioTarget;
  /** Splits a filled `docker …` line into words (`splitCommandLine`). */
  readonly split: (line: string) => string[];
  /** Runs `@sh` commands. */
  readonly sh: RunSh;
  /** Time limit of one `@sh` run, in milliseconds. */
  readonly shTimeoutMs: number;
  /** Waits `ms` milliseconds (`@sleep`), on the injected clock. */
  readonly sleep: (ms: number) => Promise<void>;
}

/** An unmet expectation or a step that could not run, with the line to blame. */
export interface Failure {
  readonly line: number;
  readonly message: string;
}

export interface Execution {
  /** The step as written, placeholders filled as far as they could be (`manager$ docker …`). */
  readonly echo: string;
  /** The command's result; absent for @sleep/@kill and when the command never ran. */
  readonly output?: CommandOutput;
  /** Why the step could not run (a lookup, the target or the splitter failed). */
  readonly error?: Failure;
}

export interface Attempt extends Execution {
  /** Empty if the attempt passed. */
  readonly failures: readonly Failure[];
}

/** Runs `step` once, without judging its output. Never rejects. */
export async function executeStep(step: Step, deps: StepDeps): Promise<Execution> {
  switch (step.kind) {
    case 'sleep':
      try {
        await deps.sleep(step.seconds * 1000);
        return { echo: `@sleep ${step.seconds}` };
      } catch (err) {
        return { echo: `@sleep ${step.seconds}`, error: { line: step.line, message: messageOf(err) } };
      }
    case 'kill': {
      let host = step.host.source;
      try {
        host = await fillTemplate(step.host, deps.target);
        await deps.target.kill(host);
        return { echo: `@kill ${host}` };
      } catch (err) {
        return { echo: `@kill ${host}`, error: { line: step.line, message: messageOf(err) } };
      }
    }
    case 'expose-dns': {
      let container = step.container.source;
      const at = step.address.source;
      try {
        container = await fillTemplate(step.container, deps.target);
        const colon = at.lastIndexOf(':');
        const bound = await deps.target.exposeDns(container, at.slice(0, colon), Number(at.slice(colon + 1)));
        return { echo: `@expose-dns ${container} ${bound.address}:${bound.port}` };
      } catch (err) {
        return { echo: `@expose-dns ${container} ${at}`, error: { line: step.line, message: messageOf(err) } };
      }
    }
    case 'sh': {
      let command = step.command.source;
      try {
        command = await fillTemplate(step.command, deps.target);
        return { echo: `@sh ${command}`, output: await deps.sh(command, { timeoutMs: deps.shTimeoutMs }) };
      } catch (err) {
        return { echo: `@sh ${command}`, error: { line: step.line, message: messageOf(err) } };
      }
    }
    case 'docker': {
      let host = step.host.source;
      let command = step.command.source;
      try {
        host = await fillTemplate(step.host, deps.target);
        command = await fillTemplate(step.command, deps.target);
        // The parser checked the first word is `docker`; the target takes what follows it.
        const argv = deps.split(command).slice(1);
        const stdin: string[] = [];
        for (const line of step.stdin) stdin.push(await fillTemplate(line, deps.target));
        return { echo: `${host}$ ${command}`, output: await deps.target.docker(host, argv, stdin) };
      } catch (err) {
        return { echo: `${host}$ ${command}`, error: { line: step.line, message: messageOf(err) } };
      }
    }
  }
}

/**
 * The expectations of `step` that `output` fails, in line order. Without an `exit N` line the
 * step must exit 0 — blamed on the step's own line.
 */
export async function checkOutput(step: CheckedStep, output: CommandOutput, target: ScenarioTarget): Promise<Failure[]> {
  const failures: Failure[] = [];
  const combined = output.stdout + output.stderr;
  const exit = step.expectations.find((e) => e.kind === 'exit');
  if (exit === undefined && output.exitCode !== 0) {
    failures.push({ line: step.line, message: `expected exit code 0, got ${output.exitCode}` });
  }
  for (const e of step.expectations) {
    if (e.kind === 'exit') {
      if (output.exitCode !== e.code) failures.push({ line: e.line, message: `expected exit code ${e.code}, got ${output.exitCode}` });
      continue;
    }
    let text: string;
    try {
      text = await fillTemplate(e.text, target);
    } catch (err) {
      failures.push({ line: e.line, message: messageOf(err) });
      continue;
    }
    if (combined.includes(text) !== (e.kind === 'contains')) {
      const verb = e.kind === 'contains' ? 'to contain' : 'not to contain';
      failures.push({ line: e.line, message: `expected output ${verb} ${JSON.stringify(text)}` });
    }
  }
  return failures;
}

/** One attempt: execute, then check. */
export async function attemptStep(step: Step, deps: StepDeps): Promise<Attempt> {
  const run = await executeStep(step, deps);
  if (run.error !== undefined) return { ...run, failures: [run.error] };
  if (run.output === undefined || (step.kind !== 'docker' && step.kind !== 'sh')) return { ...run, failures: [] };
  return { ...run, failures: await checkOutput(step, run.output, deps.target) };
}

/** The message of whatever was thrown (an `Error` or not). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
