/**
 * Test doubles for the scenario runner and the shell: a scripted `ScenarioTarget`, a clock that
 * jumps forward whenever someone sleeps on it, and stand-ins for `src/docker/`'s functions.
 */
import { ManualClock, type Duration, type Instant } from '../../../src/util/clock.js';
import type { ScenarioClock } from '../../../src/cli/scenario/index.js';
import type { CommandOutput, ScenarioTarget } from '../../../src/cli/scenario/index.js';

export const ok = (stdout = '', stderr = ''): CommandOutput => ({ stdout, stderr, exitCode: 0 });
export const exited = (exitCode: number, stdout = '', stderr = ''): CommandOutput => ({ stdout, stderr, exitCode });

export interface DockerCall {
  readonly host: string;
  readonly argv: readonly string[];
  /** The step's `< TEXT` lines (empty when none). */
  readonly stdin?: readonly string[];
}

/** `docker` answers come from `respond`, called with the call and its 0-based index. */
export class FakeTarget implements ScenarioTarget {
  readonly calls: DockerCall[] = [];
  readonly killed: string[] = [];
  addresses: Record<string, string> = { manager: '127.42.7.1', 'worker-1': '127.42.7.2', 'worker-2': '127.42.7.3' };
  tokens: Partial<Record<'worker' | 'manager', string>> = {};
  tasks = new Map<string, { container: string; host: string; addresses?: Record<string, string> }>();
  killError: Error | undefined;

  constructor(public respond: (call: DockerCall, index: number) => CommandOutput | Promise<CommandOutput> = () => ok()) {}

  async docker(host: string, argv: readonly string[], stdin: readonly string[] = []): Promise<CommandOutput> {
    const call = stdin.length > 0 ? { host, argv: [...argv], stdin: [...stdin] } : { host, argv: [...argv] };
    this.calls.push(call);
    return this.respond(call, this.calls.length - 1);
  }

  address(host: string): string {
    const a = this.addresses[host];
    if (a === undefined) throw new Error(`no such host: ${host}`);
    return a;
  }

  async joinToken(role: 'worker' | 'manager'): Promise<string> {
    const t = this.tokens[role];
    if (t === undefined) throw new Error('This node is not a swarm manager.');
    return t;
  }

  async task(service: string, slot: number): Promise<{ container: string; host: string; addresses?: Record<string, string> }> {
    const t = this.tasks.get(`${service}.${slot}`);
    if (t === undefined) throw new Error(`no such task: ${service}.${slot}`);
    return t;
  }

  async kill(host: string): Promise<void> {
    if (this.killError !== undefined) throw this.killError;
    this.killed.push(host);
  }

  readonly exposed: { container: string; address: string; port: number }[] = [];

  async exposeDns(container: string, address: string, port: number): Promise<{ address: string; port: number }> {
    this.exposed.push({ container, address, port });
    return { address, port };
  }
}

/**
 * A `ManualClock` that advances by exactly the requested delay whenever the code under test
 * sleeps on it, so a 10 s retry loop runs instantly and deterministically.
 */
export function jumpingClock(): ScenarioClock & { readonly manual: ManualClock; readonly sleeps: number[] } {
  const manual = new ManualClock();
  const sleeps: number[] = [];
  return {
    manual,
    sleeps,
    now: (): Instant => manual.now(),
    sleep: async (d: Duration) => {
      sleeps.push(d);
      manual.advance(d);
    },
  };
}

/** A stand-in for `splitCommandLine`: blanks separate words, single quotes group, an odd quote throws. */
export function fakeSplit(line: string): string[] {
  if ((line.match(/'/g) ?? []).length % 2 === 1) throw new Error('unterminated quote');
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** Collects everything written. */
export function capture(): { write: (text: string) => void; readonly text: () => string } {
  let out = '';
  return { write: (t) => void (out += t), text: () => out };
}
