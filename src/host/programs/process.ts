/**
 * Emulated processes: one running program with its ProgramContext, its signal dispositions and
 * its children (what the shell spawns). The container (src/host/container.ts) owns the processes
 * and decides what reaches whom; this file keeps the Linux rules in one place:
 *
 * - a signal with a handler (`signals.on`) calls it; one registered with `signals.stopOn` aborts
 *   `ctx.signal` and the program ends itself (ping's SIGINT → statistics);
 * - otherwise the default action: SIGCHLD/SIGWINCH/SIGURG/SIGCONT are ignored, every other signal
 *   terminates the process with 128+n — except in PID 1, where the kernel drops signals that have
 *   no handler (SIGKILL excepted, as it comes from outside the PID namespace);
 * - a terminated process prints nothing more: its streams are cut at once, and `ctx.signal` aborts
 *   so that the program's timers and sockets are released.
 * `interrupt()` is the older "stop request" of `exec` with a timeout: abort `ctx.signal` (and the
 * children's) and let programs wind down themselves.
 */
import type { NetStack } from '../../stack/types.js';
import type { Clock } from '../../util/clock.js';
import type { Rng } from '../../util/rng.js';
import type { Program, ProgramContext, ProgramInput, ProgramOutput, SpawnIo } from './types.js';

/** Linux signal numbers (x86-64) by name: `docker kill -s` and 128+n exit codes. */
export const SIGNAL_NUMBERS: Readonly<Record<string, number>> = Object.freeze({
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
  SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
});

/** Signals whose default action is to do nothing (SIGSTOP/SIGTSTP: stopping is not emulated). */
const IGNORED_BY_DEFAULT = new Set(['SIGCHLD', 'SIGWINCH', 'SIGURG', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

/**
 * moby `signal.ParseSignal`: a number, or a name with or without `SIG`, any case. Throws Docker's
 * `Invalid signal: X` otherwise.
 */
export function parseSignal(text: string): string {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    const name = Object.keys(SIGNAL_NUMBERS).find((k) => SIGNAL_NUMBERS[k] === n);
    if (name !== undefined) return name;
    throw new Error(`Invalid signal: ${text}`);
  }
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (!Object.hasOwn(SIGNAL_NUMBERS, name)) throw new Error(`Invalid signal: ${text}`);
  return name;
}

/** Standard input that is at end-of-file from the start (`/dev/null`). */
export const NULL_INPUT: ProgramInput = { readLine: async () => null };

/**
 * Lines queued for a program (the attached input of `docker run -i` / `docker attach`). A read
 * waits for a line or the end; `onRead` lets a terminal echo what the program consumed.
 */
export class InputQueue implements ProgramInput {
  readonly #lines: string[] = [];
  #ended = false;
  #waiter: ((line: string | null) => void) | undefined;

  constructor(private readonly onRead: (line: string | null) => void = () => {}) {}

  /** True while a read is pending with nothing to give it. */
  get waiting(): boolean {
    return this.#waiter !== undefined;
  }

  get pending(): number {
    return this.#lines.length;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(line: string): void {
    if (this.#ended) return;
    this.#lines.push(line);
    this.#deliver();
  }

  end(): void {
    this.#ended = true;
    this.#deliver();
  }

  readLine(): Promise<string | null> {
    return new Promise((resolve) => {
      // A second concurrent reader replaces the first, as only one process owns a terminal read.
      this.#waiter = resolve;
      this.#deliver();
    });
  }

  #deliver(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    if (this.#lines.length > 0) {
      this.#waiter = undefined;
      const line = this.#lines.shift()!;
      this.onRead(line);
      waiter(line);
    } else if (this.#ended) {
      this.#waiter = undefined;
      this.onRead(null);
      waiter(null);
    }
  }
}

/** What a process needs from its container. */
export interface ProcessHost {
  readonly stack: NetStack;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly libc: 'musl' | 'glibc';
  readonly hostname: string;
  resolve(name: string): Promise<number | undefined>;
  readFile(path: string): string | undefined;
  lookup(name: string): Program | undefined;
  now(): Date;
  /** Every process alive in the container (so a container stop reaches all of them). */
  readonly processes: Set<Process>;
  /** Called on every write, read or spawn: lets an attach tell a busy process from an idle one. */
  activity(): void;
}

export interface ProcessIo extends SpawnIo {
  readonly tty: boolean;
  readonly isPid1: boolean;
}

/** Exit status of a process ended by `signal` (128 + n), as a shell and `docker wait` report it. */
export function signalExitCode(signal: string): number {
  return 128 + (SIGNAL_NUMBERS[signal] ?? 0);
}

export class Process {
  readonly argv: readonly string[];
  readonly exited: Promise<number>;
  #exitCode: number | undefined;
  #alive = true;
  readonly #abort = new AbortController();
  readonly #handlers = new Map<string, () => void>();
  readonly #stopOn = new Set<string>();
  readonly #children = new Set<Process>();
  readonly #io: ProcessIo;
  readonly #host: ProcessHost;
  #finish!: (code: number) => void;
  #fail!: (error: unknown) => void;

  constructor(host: ProcessHost, program: Program, argv: readonly string[], io: ProcessIo) {
    this.#host = host;
    this.#io = io;
    this.argv = [...argv];
    this.exited = new Promise<number>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
    // The exit promise is observed by whoever waits; a bug's rejection must not go unhandled.
    this.exited.catch(() => undefined);
    host.processes.add(this);
    const ctx = this.#context(this.argv, io.env);
    // Started synchronously so that the program's abort listeners exist before any signal.
    (async () => program(ctx))().then(
      (code) => this.#end(code),
      (error) => {
        if (!this.#alive) return;
        this.#release();
        this.#fail(error);
      },
    );
  }

  get exitCode(): number | undefined {
    return this.#exitCode;
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Aborts when the program is asked to stop or is ended (its `ctx.signal`). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Delivers `signal` (a name from SIGNAL_NUMBERS) by the rules in the module comment. */
  deliver(signal: string): void {
    if (!this.#alive) return;
    if (signal === 'SIGKILL') return this.terminate(signalExitCode('SIGKILL'));
    const handler = this.#handlers.get(signal);
    if (handler !== undefined) return handler();
    if (this.#stopOn.has(signal)) return this.#abort.abort(new Error(signal));
    if (IGNORED_BY_DEFAULT.has(signal) || this.#io.isPid1) return;
    this.terminate(signalExitCode(signal));
  }

  /** The stop request of an exec timeout: abort `ctx.signal` here and in every descendant. */
  interrupt(): void {
    if (!this.#alive) return;
    this.#abort.abort(new Error('interrupted'));
    for (const child of this.#children) child.interrupt();
  }

  /** Ends the process now with `exitCode`; nothing it prints afterwards is kept. */
  terminate(exitCode: number): void {
    if (!this.#alive) return;
    this.#abort.abort(new Error('terminated'));
    this.#end(exitCode);
  }

  #end(code: number): void {
    if (!this.#alive) return;
    this.#release();
    this.#exitCode = code;
    this.#finish(code);
  }

  #release(): void {
    this.#alive = false;
    this.#host.processes.delete(this);
    // Programs release timers and sockets through their abort listeners.
    if (!this.#abort.signal.aborted) this.#abort.abort(new Error('exited'));
  }

  #gate(out: ProgramOutput): ProgramOutput {
    return {
      write: (text) => {
        if (!this.#alive) return;
        this.#host.activity();
        out.write(text);
      },
    };
  }

  #context(argv: readonly string[], env: Readonly<Record<string, string>>): ProgramContext {
    const host = this.#host;
    const io = this.#io;
    const stdin: ProgramInput = {
      readLine: () => {
        host.activity();
        return io.stdin.readLine();
      },
    };
    return {
      argv,
      stdout: this.#gate(io.stdout),
      stderr: this.#gate(io.stderr),
      stdin,
      env,
      stack: host.stack,
      clock: host.clock,
      rng: host.rng,
      libc: host.libc,
      hostname: host.hostname,
      signal: this.#abort.signal,
      isPid1: io.isPid1,
      tty: io.tty,
      signals: {
        on: (name, handler) => void this.#handlers.set(name, handler),
        stopOn: (name) => void this.#stopOn.add(name),
      },
      resolve: (name) => host.resolve(name),
      readFile: (path) => host.readFile(path),
      hasProgram: (name) => host.lookup(name) !== undefined,
      spawn: (childArgv, childIo) => this.#spawn(childArgv, childIo),
      exec: (newArgv, newEnv) => this.#exec(newArgv, newEnv ?? env),
      now: () => host.now(),
    };
  }

  async #exec(argv: readonly string[], env: Readonly<Record<string, string>>): Promise<number> {
    const program = argv.length === 0 ? undefined : this.#host.lookup(argv[0]);
    if (program === undefined || !this.#alive) return 127;
    this.#handlers.clear();
    this.#stopOn.clear();
    this.#host.activity();
    return program(this.#context([...argv], env));
  }

  async #spawn(argv: readonly string[], io: SpawnIo): Promise<number> {
    // A dead parent cannot fork: its code only runs on until the next await.
    if (!this.#alive) return signalExitCode('SIGKILL');
    const program = argv.length === 0 ? undefined : this.#host.lookup(argv[0]);
    if (program === undefined) return 127;
    this.#host.activity();
    const child = new Process(this.#host, program, argv, { ...io, tty: this.#io.tty, isPid1: false });
    this.#children.add(child);
    // A stop request that reached the parent first reaches the child too.
    if (this.#abort.signal.aborted) child.interrupt();
    try {
      return await child.exited;
    } finally {
      this.#children.delete(child);
    }
  }
}
