/**
 * A scripted NetStack for the userland tests: fixed interfaces and routes, and an ICMP echo
 * socket whose replies a test scripts per request (delay, ttl, duplicates, send errors) on the
 * test's ManualClock. Also builds a ProgramContext that records stdout/stderr and drives a
 * program to its exit with bounded clock steps.
 */
import type {
  EchoReply,
  IcmpEchoSocket,
  InterfaceConfig,
  NetStack,
  RouteConfig,
  SendOptions,
  SendResult,
  StackInterface,
} from '../../../src/stack/types.js';
import { ManualClock, ms, type Clock } from '../../../src/util/clock.js';
import { Rng } from '../../../src/util/rng.js';
import { macFromIpv4, parseIpv4Address } from '../../../src/wire/address.js';
import type { Program, ProgramContext, ProgramInput } from '../../../src/host/programs/types.js';

/** The ProgramContext fields a program that does no I/O beyond stdout/stderr gets in a test:
 * stdin at EOF, an empty environment, no files, no other programs, signals recorded. */
export function quietContextExtras(clock: Clock, files: Readonly<Record<string, string>> = {}, stdin: ProgramInput = { readLine: async () => null }) {
  const handlers = new Map<string, () => void>();
  const stopOn = new Set<string>();
  return {
    handlers,
    stopOn,
    extras: {
      stdin,
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: 'a1b2c3d4e5f6', HOME: '/root' },
      isPid1: false,
      tty: false,
      signals: { on: (name: string, handler: () => void) => void handlers.set(name, handler), stopOn: (name: string) => void stopOn.add(name) },
      readFile: (path: string) => (Object.hasOwn(files, path) ? files[path] : undefined),
      hasProgram: () => false,
      spawn: async () => 127,
      exec: async () => 127,
      now: () => new Date(1_700_000_000_000 + clock.now()),
    },
  };
}

export const ip4 = parseIpv4Address;

export const LOOPBACK: InterfaceConfig = { name: 'lo', index: 1, peerIndex: 0, mac: 0, mtu: 65536, address: ip4('127.0.0.1'), prefixLength: 8 };

export function overlayInterface(name: string, index: number, peerIndex: number, address: string, prefixLength: number, mtu = 1450): InterfaceConfig {
  return { name, index, peerIndex, mac: macFromIpv4(ip4(address)), mtu, address: ip4(address), prefixLength };
}

export interface SentEcho {
  readonly to: number;
  readonly identifier: number;
  readonly sequence: number;
  readonly payload: Uint8Array;
  readonly options: SendOptions | undefined;
  readonly at: number;
}

/** What to do with one echo request: a send error, or replies after delays (ms). */
export type EchoScript = (request: SentEcho) => SendResult | { delays: readonly number[]; ttl?: number; identifier?: number; sync?: boolean };

export class FakeEchoSocket implements IcmpEchoSocket {
  readonly sent: SentEcho[] = [];
  closed = false;
  #onReply: (reply: EchoReply) => void = () => {};

  constructor(
    private readonly clock: Clock,
    private readonly script: EchoScript,
  ) {}

  send(address: number, identifier: number, sequence: number, payload: Uint8Array, options?: SendOptions): SendResult {
    const request: SentEcho = { to: address, identifier, sequence, payload: payload.slice(), options, at: this.clock.now() };
    this.sent.push(request);
    const plan = this.script(request);
    if (typeof plan === 'string') return plan;
    for (const delay of plan.delays) {
      const reply: EchoReply = {
        from: address,
        ttl: plan.ttl ?? 64,
        identifier: plan.identifier ?? identifier,
        sequence,
        payload: request.payload,
      };
      if (plan.sync) this.#onReply(reply);
      else this.clock.setTimer(ms(delay), () => !this.closed && this.#onReply(reply));
    }
    return 'ok';
  }

  onReply(handler: (reply: EchoReply) => void): void {
    this.#onReply = handler;
  }

  onError(): void {}

  close(): void {
    this.closed = true;
  }
}

export class FakeStack implements NetStack {
  readonly sockets: FakeEchoSocket[] = [];

  constructor(
    readonly clock: Clock,
    private readonly configs: readonly InterfaceConfig[] = [LOOPBACK],
    private readonly routeList: readonly RouteConfig[] = [],
    private readonly script: EchoScript = () => ({ delays: [] }),
  ) {}

  interfaces(): readonly StackInterface[] {
    return this.configs.map((config) => ({
      config,
      counters: { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, rxDropped: 0, txDropped: 0 },
      receiveFrame: () => {},
    }));
  }

  routes(): readonly RouteConfig[] {
    return this.routeList;
  }

  openIcmpEcho(): IcmpEchoSocket {
    const socket = new FakeEchoSocket(this.clock, this.script);
    this.sockets.push(socket);
    return socket;
  }
  addAddress(): never {
    throw new Error('not in the fake stack');
  }
  removeAddress(): never {
    throw new Error('not in the fake stack');
  }
  setUdpInterceptor(): void {}
  tapLoopback(): void {}

  addInterface(): StackInterface {
    throw new Error('not in the fake');
  }
  removeInterface(): void {
    throw new Error('not in the fake');
  }
  addRoute(): void {
    throw new Error('not in the fake');
  }
  openUdp(): never {
    throw new Error('not in the fake');
  }
  close(): void {}
}

export interface Run {
  readonly ctx: ProgramContext;
  readonly clock: ManualClock;
  readonly abort: AbortController;
  /** Signals the program registered with `signals.stopOn`. */
  readonly stopOn: ReadonlySet<string>;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  libc?: 'musl' | 'glibc';
  stack?: (clock: ManualClock) => NetStack;
  names?: Readonly<Record<string, string>>;
  hostname?: string;
}

export function makeRun(argv: readonly string[], options: RunOptions = {}): Run {
  const clock = new ManualClock();
  const abort = new AbortController();
  const { extras, stopOn } = quietContextExtras(clock);
  const run: Run = {
    clock,
    abort,
    stopOn,
    stdout: '',
    stderr: '',
    ctx: {
      argv,
      stdout: { write: (t) => void (run.stdout += t) },
      stderr: { write: (t) => void (run.stderr += t) },
      stack: options.stack?.(clock) ?? new FakeStack(clock),
      clock,
      rng: new Rng(7),
      libc: options.libc ?? 'musl',
      hostname: options.hostname ?? 'a1b2c3d4e5f6',
      signal: abort.signal,
      resolve: async (name) => (options.names?.[name] === undefined ? undefined : ip4(options.names[name])),
      ...extras,
    },
  };
  return run;
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `program` to its exit, advancing the manual clock by `stepMs` between checks (at most
 * `maxSteps` steps), and optionally calling `at(elapsedMs)` before each step.
 */
export async function drive(program: Program, run: Run, stepMs = 1000, maxSteps = 100, at?: (elapsedMs: number) => void): Promise<number> {
  let exit: number | undefined;
  let failure: unknown;
  program(run.ctx).then(
    (code) => (exit = code),
    (e) => (failure = e),
  );
  for (let step = 0; step <= maxSteps; step++) {
    await flush();
    if (failure !== undefined) throw failure;
    if (exit !== undefined) return exit;
    at?.(run.clock.now());
    await flush();
    if (exit !== undefined) return exit;
    run.clock.advance(ms(stepMs));
  }
  throw new Error(`program still running after ${maxSteps} steps of ${stepMs} ms; stdout so far:\n${run.stdout}`);
}
