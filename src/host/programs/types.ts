/**
 * What a userland program (busybox's ping, ip, hostname, sleep …) sees when it runs in an
 * emulated container: its arguments, stdout/stderr, the container's stack, clock and RNG, and an
 * abort signal (Ctrl-C / container stop). A program resolves to its exit code.
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
}

export type Program = (ctx: ProgramContext) => Promise<number>;
