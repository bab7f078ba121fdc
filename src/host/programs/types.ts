/**
 * What a userland program (busybox's ping, ip, hostname, sleep, sh …) sees when it runs in an
 * emulated container: its arguments, environment, stdin/stdout/stderr, the container's stack,
 * clock, RNG and files, a way to run other programs (the shell), and signals. A program resolves
 * to its exit code.
 *
 * Signals follow Linux (src/host/programs/process.ts delivers them): a signal the program has no
 * handler for terminates it (exit 128+n, nothing printed afterwards) — except in PID 1, which
 * ignores it (so `docker stop` of `sleep` or `sh` waits for SIGKILL). `ctx.signal` aborts when the
 * program must wind down: it was terminated, killed, its exec timed out, or it caught a signal
 * registered with `signals.stopOn` (ping's SIGINT handler prints statistics through it).
 */
import type { NetStack } from '../../stack/types.js';
import type { Clock } from '../../util/clock.js';
import type { Rng } from '../../util/rng.js';

export interface ProgramOutput {
  write(text: string): void;
}

export interface ProgramContext {
  /** argv[0] is the program name as invoked (`ping`). */
  readonly argv: readonly string[];
  readonly stdout: ProgramOutput;
  readonly stderr: ProgramOutput;
  readonly stack: NetStack;
  readonly clock: Clock;
  readonly rng: Rng;
  /** The image's C library: musl (alpine) and glibc (busybox:glibc, debian) differ in strerror
   * texts and in what busybox's `ip` prints (`state UP` only under musl). */
  readonly libc: 'musl' | 'glibc';
  /** The container's hostname (its short ID unless `--hostname` set it). */
  readonly hostname: string;
  /** Fires when the program must stop (SIGINT for ping: print statistics, exit). */
  readonly signal: AbortSignal;
  /** Resolves a name to an IPv4 address (the embedded DNS arrives later); undefined = not found. */
  resolve(name: string): Promise<number | undefined>;
  readonly stdin: ProgramInput;
  /** The environment (`KEY` → value), in the order `env` prints it. */
  readonly env: Readonly<Record<string, string>>;
  /** True for the container's main process: unhandled signals are ignored, as for init. */
  readonly isPid1: boolean;
  /** Whether stdin/stdout are a terminal (`docker run -t`, `docker exec -t`). */
  readonly tty: boolean;
  readonly signals: ProgramSignals;
  /** A file in the container (`/etc/hosts` …; relative paths from `/`); undefined = no such file. */
  readFile(path: string): string | undefined;
  /** Whether `name` (`ping`, `/bin/ping`) names a program in the container's PATH. */
  hasProgram(name: string): boolean;
  /** Runs another program in the same container (the shell's commands); its exit code, 127 if
   * `argv[0]` is not a program. It shares this program's fate: it stops when this one does. */
  spawn(argv: readonly string[], io: SpawnIo): Promise<number>;
  /** execve: this process becomes `argv[0]` (PID 1 stays PID 1, signal handlers reset to the
   * defaults, same streams; `env` replaces the environment); resolves to that program's exit
   * code, 127 if `argv[0]` is not a program. The caller returns it as its own. */
  exec(argv: readonly string[], env?: Readonly<Record<string, string>>): Promise<number>;
  /** Wall-clock time (log timestamps such as nginx's). */
  now(): Date;
}

export type Program = (ctx: ProgramContext) => Promise<number>;

/** A program's standard input: whole lines without their newline; null at end of input. A
 * program whose container was started without `-i` reads EOF at once (stdin is /dev/null). */
export interface ProgramInput {
  readLine(): Promise<string | null>;
}

/** `sigaction` for emulated programs. Names are `SIGTERM`-style. */
export interface ProgramSignals {
  /** Calls `handler` on `name` instead of the default action (terminate, or ignore in PID 1). */
  on(name: string, handler: () => void): void;
  /** On `name`, aborts `ctx.signal` and lets the program finish itself (ping's SIGINT). */
  stopOn(name: string): void;
}

/** Where a spawned program's standard streams go (the shell passes its own). */
export interface SpawnIo {
  readonly stdout: ProgramOutput;
  readonly stderr: ProgramOutput;
  readonly stdin: ProgramInput;
  /** The child's environment (the shell's exported variables). */
  readonly env: Readonly<Record<string, string>>;
}
