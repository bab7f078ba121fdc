/**
 * `docker exec` of one program beside a container's main process, and the small pieces attach
 * shares with it. Kept out of container.ts so the lifecycle reads on its own.
 *
 * An exec's stdin is the given text (lines, then EOF) or /dev/null; with a tty stderr merges into
 * stdout and input lines are echoed as the program reads them. After `timeoutMs` (host clock) the
 * program is asked to stop (`ctx.signal`, as Ctrl-C would); one still running EXEC_KILL_GRACE_MS
 * later is killed (137). A program that throws is a swarmnet bug: a `program-failed` error.
 */
import { ms } from '../util/clock.js';
import { SwarmnetError } from '../util/errors.js';
import type { ExecResult } from './control.js';
import { OutputBuffer } from './programs/output.js';
import { InputQueue, NULL_INPUT, Process, type ProcessHost } from './programs/process.js';
import type { Program, ProgramInput } from './programs/types.js';

/** Exec without `timeoutMs`: the program's signal fires after this long (host clock). */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
/** After the signal fired, how long a program gets to print and exit before it is killed. */
export const EXEC_KILL_GRACE_MS = 2_000;
/** Exit status of a killed program (128 + SIGKILL), as a shell reports it. */
export const EXIT_KILLED = 137;

export interface ExecOptions {
  /** Input lines for the program, then EOF; null/absent: stdin is /dev/null. */
  readonly stdin?: string | null;
  readonly tty?: boolean;
  readonly env?: readonly string[];
  readonly timeoutMs?: number;
}

export interface AttachOptions {
  /** Wait until PID 1 exits or this long (host clock) instead of returning when it goes idle. */
  readonly timeoutMs?: number;
}

/** Splits attached input into lines (a final newline ends the last line, it does not add one). */
export function inputLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export async function runExec(
  host: ProcessHost,
  program: Program,
  argv: readonly string[],
  opts: ExecOptions & { readonly timeoutMs: number },
  env: Readonly<Record<string, string>>,
  containerName: string,
): Promise<ExecResult> {
  const clock = host.clock;
  const tty = opts.tty === true;
  const stdout = new OutputBuffer();
  const stderr = tty ? stdout : new OutputBuffer();
  let stdin: ProgramInput = NULL_INPUT;
  if (opts.stdin !== undefined && opts.stdin !== null) {
    const queue = new InputQueue((line) => tty && line !== null && stdout.write(`${line}\n`));
    for (const line of inputLines(opts.stdin)) queue.push(line);
    queue.end();
    stdin = queue;
  }
  const process = new Process(host, program, argv, { stdout, stderr, stdin, env, tty, isPid1: false });
  const timeout = clock.setTimer(ms(opts.timeoutMs), () => process.interrupt());
  let killTimer: { cancel(): void } | undefined;
  const armKill = () => process.alive && (killTimer = clock.setTimer(ms(EXEC_KILL_GRACE_MS), () => process.terminate(EXIT_KILLED)));
  process.signal.addEventListener('abort', armKill, { once: true });
  try {
    const exitCode = await process.exited;
    return { stdout: stdout.text(), stderr: tty ? '' : stderr.text(), exitCode };
  } catch (error) {
    throw new SwarmnetError('program-failed', `${argv[0]} in container ${containerName} threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    timeout.cancel();
    killTimer?.cancel();
  }
}
