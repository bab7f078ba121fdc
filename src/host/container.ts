/**
 * One container: its own network stack (src/stack/), one veth per network into that network's
 * bridge, a hostname, the files Docker writes (container-files.ts), and its processes: the main
 * process (PID 1, `start`) whose life is the container's (`created` → `running` → `exited`), and
 * `exec`'d programs beside it. Processes follow Linux signal rules (programs/process.ts): `stop`
 * sends the image's stop signal and SIGKILLs after the grace, so `sleep`/`sh` as PID 1 (no
 * handler) take the whole grace and exit 137, while nginx exits 0 at once.
 *
 * Environment (moby `CreateDaemonEnvironment` + runc's HOME): `PATH`, `HOSTNAME`, `TERM=xterm`
 * with a tty, then the image's and `--env` entries replacing or appending, `HOME=/root` if unset.
 * With a tty (`-t`) stderr merges into stdout and the terminal echoes each input line as the
 * program reads it (so a transcript reads `/ # echo hi` ⏎ `hi`); output keeps `\n` line ends.
 *
 * A veth is two relays: the stack transmits into `toBridge` (→ the bridge port's ingress) and
 * the bridge delivers into `toStack` (→ the stack interface). Each relay is one extra call on the
 * frame path; it exists so that a capture can be spliced in and out at run time (both directions
 * into one pcap per interface, as `tcpdump -i eth0` in the container would see them).
 */
import { lookupA, nameservers } from '../stack/resolver-client.js';
import { isLoopbackAddress } from '../stack/route.js';
import type { Bridge } from '../dataplane/bridge.js';
import { InterfaceCapture } from '../dataplane/index.js';
import type { FrameSink } from '../dataplane/link.js';
import { findProgram } from './programs/index.js';
import { FanOut, LogBuffer, OutputBuffer } from './programs/output.js';
import { InputQueue, NULL_INPUT, parseSignal, Process, type ProcessHost } from './programs/process.js';
import { resolvePath } from './programs/coreutils.js';
import type { Program, ProgramInput } from './programs/types.js';
import type { InterfaceConfig, NetStack, StackInterface } from '../stack/types.js';
import { ms, type Clock } from '../util/clock.js';
import { SwarmnetError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { formatIpv4, formatMac, parseIpv4Address } from '../wire/address.js';
import { DEFAULT_EXEC_TIMEOUT_MS, EXIT_KILLED, inputLines, runExec, type AttachOptions, type ExecOptions } from './container-exec.js';
import { containerFile } from './container-files.js';
import type { ContainerInfo, ExecResult, InterfaceInfo, InterfaceStats } from './control.js';
import type { ProcessOutput } from './engine-api.js';
import { mergeEnv, type Image } from './images.js';
import type { HostNetwork } from './networks.js';

export { MAX_EXEC_OUTPUT_CHARS, MAX_LOG_CHARS } from './programs/output.js';
export { DEFAULT_EXEC_TIMEOUT_MS, EXEC_KILL_GRACE_MS, EXIT_KILLED, type AttachOptions, type ExecOptions } from './container-exec.js';

/** docker's exit status when the executable is not found (reference docker-cli-outputs.md §5.2,
 * moby `translateContainerdStartErr`: "set to 127 for container cmd not found/does not exist"). */
export const EXIT_NOT_FOUND = 127;
/** Exit status recorded when an emulated program throws (a swarmnet bug, shown in the log). */
export const EXIT_PROGRAM_BUG = 255;
/** Most programs running at once in one container. */
export const MAX_EXECS_PER_CONTAINER = 64;
/** Event-loop turns without progress after which an attached PID 1 counts as idle. */
const IDLE_ROUNDS = 3;
/** Bound on the idle check of one attach (event-loop turns), for a program that never idles. */
const MAX_IDLE_CHECKS = 10_000;
/** While PID 1 works through attached input (it has read some, more is queued), the attach
 * waits for it in real time — a `ping` between two lines sleeps a second — up to this long. */
const MAX_ATTACH_INPUT_WAIT_MS = 120_000;
/** How often that wait looks again (real milliseconds). */
const ATTACH_INPUT_POLL_MS = 5;
/** Docker's default PATH (moby `oci.DefaultPathEnv`), before the image's replaces it. */
const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A frame relay whose target can be swapped (capture on/off). */
class Relay implements FrameSink {
  constructor(public target: FrameSink) {}
  receiveFrame(frame: Uint8Array): void {
    this.target.receiveFrame(frame);
  }
}

const DISCONNECTED: FrameSink = { receiveFrame: () => {} };

export interface ContainerLeg {
  readonly network: HostNetwork;
  readonly config: InterfaceConfig;
  readonly iface: StackInterface;
  /** The host-side veth name (the bridge port). */
  readonly portName: string;
  readonly toStack: Relay;
  readonly toBridge: Relay;
  readonly bridgeIngress: FrameSink;
  capture: InterfaceCapture | undefined;
}

export interface ContainerOptions {
  readonly name: string;
  readonly id: string;
  readonly hostname: string;
  /** The image (its libc, env, stop signal, files). Absent: a bare network namespace that is
   * "running" from the start and takes execs without a main process (the control API's
   * `createContainer`, which predates images). */
  readonly image?: Image;
  /** Defaults to the image's, else musl. */
  readonly libc?: 'musl' | 'glibc';
  readonly stack: NetStack;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly programs: Readonly<Record<string, Program>>;
  /** `--env` entries (`KEY=value`), over the image's. */
  readonly env?: readonly string[];
  /** `-t`: a pty, so stderr merges into stdout, input is echoed, `TERM=xterm`. */
  readonly tty?: boolean;
  /** `-i`: stdin stays open for `attach`; without it PID 1 reads EOF at once (/dev/null). */
  readonly openStdin?: boolean;
  /** The main process ended (by itself or by stop/kill), with its exit code. */
  readonly onExit?: (exitCode: number) => void;
  /** Wall-clock ms at host-clock 0 (log timestamps); default: now minus the clock's time. */
  readonly epochMs?: number;
  /** The host's resolv.conf nameservers, for the container's /etc/resolv.conf. */
  readonly hostNameservers?: readonly string[];
}

export type ContainerState = 'created' | 'running' | 'exited';

export class Container {
  readonly name: string;
  readonly id: string;
  readonly hostname: string;
  readonly libc: 'musl' | 'glibc';
  readonly stack: NetStack;
  readonly image: Image | undefined;
  readonly #legs: ContainerLeg[] = [];
  #loCapture: InterfaceCapture | undefined;
  readonly #options: ContainerOptions;
  readonly #processes = new Set<Process>();
  readonly #host: ProcessHost;
  readonly #epochMs: number;
  #closed = false;
  #state: ContainerState;
  #exitCode: number | undefined;
  #startedAt: number | undefined;
  #finishedAt: number | undefined;
  #pid1: Process | undefined;
  #stdin: InputQueue | undefined;
  #activity = 0;
  readonly #logs = { stdout: new LogBuffer(), stderr: new LogBuffer() };
  /** Where PID 1's streams go: the log plus every attached client. */
  readonly #mainOut = new FanOut();
  readonly #mainErr = new FanOut();
  readonly #exitWaiters: ((code: number) => void)[] = [];
  /** Attaches made before `start` (as `docker run` attaches), waiting for PID 1. */
  readonly #startWaiters: (() => void)[] = [];

  constructor(options: ContainerOptions) {
    this.#options = options;
    this.name = options.name;
    this.id = options.id;
    this.hostname = options.hostname;
    this.image = options.image;
    this.libc = options.libc ?? options.image?.libc ?? 'musl';
    this.stack = options.stack;
    this.#state = options.image === undefined ? 'running' : 'created';
    this.#epochMs = options.epochMs ?? Date.now() - options.clock.now();
    // With -t but no -i, PID 1's stdin is still the pty, which never reaches EOF: `docker run -dt
    // alpine` keeps its shell running. Only -i forwards attached input into it.
    if (options.openStdin === true || options.tty === true) this.#stdin = new InputQueue((line) => options.tty === true && line !== null && this.#mainOut.write(`${line}\n`));
    this.#mainOut.sinks.add(this.#logs.stdout);
    this.#mainErr.sinks.add(options.tty === true ? this.#logs.stdout : this.#logs.stderr);
    this.#host = {
      stack: this.stack,
      clock: options.clock,
      rng: options.rng,
      libc: this.libc,
      hostname: this.hostname,
      resolve: async (name) => resolveLiteral(name) ?? (await this.#lookup(name)),
      readFile: (path) => this.readFile(path),
      lookup: (name) => findProgram(options.programs, name),
      now: () => new Date(this.#epochMs + options.clock.now()),
      processes: this.#processes,
      activity: () => void this.#activity++,
    };
  }

  get state(): ContainerState {
    return this.#state;
  }
  get exitCode(): number | undefined {
    return this.#exitCode;
  }
  /** Host clock (ms) when the main process started / ended. */
  get startedAt(): number | undefined {
    return this.#startedAt;
  }
  get finishedAt(): number | undefined {
    return this.#finishedAt;
  }

  get legs(): readonly ContainerLeg[] {
    return this.#legs;
  }

  /** Plugs a veth into `network`'s bridge and adds the interface (and its connected route). */
  plug(network: HostNetwork, config: InterfaceConfig, portName: string): ContainerLeg {
    const toStack = new Relay(DISCONNECTED);
    const toBridge = new Relay(DISCONNECTED);
    const bridge: Bridge = network.bridge;
    const bridgeIngress = bridge.addPort(portName, config.mac, toStack);
    let iface: StackInterface;
    try {
      iface = this.stack.addInterface(config, toBridge);
    } catch (error) {
      bridge.removePort(portName);
      throw error;
    }
    toStack.target = iface;
    toBridge.target = bridgeIngress;
    const leg: ContainerLeg = { network, config, iface, portName, toStack, toBridge, bridgeIngress, capture: undefined };
    this.#legs.push(leg);
    network.endpoints++;
    return leg;
  }

  /**
   * Pulls the veth out of `network`'s bridge and removes the interface with its routes
   * (`docker network disconnect`); the leg, or undefined when the container has none there.
   */
  async unplug(networkName: string): Promise<ContainerLeg | undefined> {
    const i = this.#legs.findIndex((l) => l.network.info.name === networkName);
    if (i < 0) return undefined;
    const leg = this.#legs[i]!;
    await this.#stopLegCapture(leg);
    this.#legs.splice(i, 1);
    leg.network.bridge.removePort(leg.portName);
    this.stack.removeInterface(leg.config.name);
    leg.network.endpoints--;
    return leg;
  }

  /**
   * `attach(network, config, portName)`: the older name of `plug`. `attach(stdin, options)`:
   * `docker attach` — feeds `stdin` (lines, then EOF; ignored without `openStdin`) to PID 1 and
   * returns what PID 1 prints meanwhile. It resolves when PID 1 exits (exitCode set) or, once the
   * input is consumed, when PID 1 goes idle (waits for input or a timer): exitCode null. With
   * `timeoutMs`, it waits for the exit or that long on the host clock instead. Attaching to a
   * `created` container waits for `start` and sees PID 1's first output (a shell's first prompt
   * is written during `start`), as `docker run` attaches before it starts.
   */
  attach(network: HostNetwork, config: InterfaceConfig, portName: string): ContainerLeg;
  attach(stdin: string | null, options?: AttachOptions): Promise<ProcessOutput>;
  attach(first: HostNetwork | string | null, second?: InterfaceConfig | AttachOptions, portName?: string): ContainerLeg | Promise<ProcessOutput> {
    if (first !== null && typeof first === 'object') return this.plug(first, second as InterfaceConfig, portName!);
    return this.#attachMain(first, (second as AttachOptions | undefined) ?? {});
  }

  info(): ContainerInfo {
    return {
      name: this.name,
      id: this.id,
      hostname: this.hostname,
      libc: this.libc,
      interfaces: this.#legs.map(
        (l): InterfaceInfo => ({
          name: l.config.name,
          index: l.config.index,
          peerIndex: l.config.peerIndex,
          mac: formatMac(l.config.mac),
          ip: formatIpv4(l.config.address),
          prefixLength: l.config.prefixLength,
          mtu: l.config.mtu,
          network: l.network.info.name,
        }),
      ),
    };
  }

  interfaceStats(): InterfaceStats[] {
    return this.#legs.map((l) => ({ container: this.name, interface: l.config.name, network: l.network.info.name, counters: { ...l.iface.counters } }));
  }

  /** `/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf` (from the current legs), `/etc/os-release`. */
  /**
   * A name through the container's resolver (/etc/resolv.conf): on a user network that is the
   * embedded DNS at 127.0.0.11, queried with real DNS packets over `lo`. A container only on the
   * default bridge has the host's servers, which are not on loopback: swarmnet never sends beyond
   * 127.0.0.0/8, so there the lookup fails at once (busybox: `bad address`).
   */
  async #lookup(name: string): Promise<number | undefined> {
    const server = nameservers(this.readFile('/etc/resolv.conf') ?? '')[0];
    const address = server === undefined ? undefined : resolveLiteral(server);
    if (address === undefined || !isLoopbackAddress(address)) return undefined;
    const result = await lookupA(this.stack, address, name, this.#options.clock, this.#options.rng);
    return result.ok ? result.addresses[0] : undefined;
  }

  readFile(path: string): string | undefined {
    return containerFile(resolvePath('/', path), {
      hostname: this.hostname,
      legs: this.#legs.map((l) => ({ network: l.network.info.name, address: formatIpv4(l.config.address) })),
      ...(this.#options.hostNameservers === undefined ? {} : { hostNameservers: this.#options.hostNameservers }),
      osRelease: this.image?.osRelease,
    });
  }

  /** The environment of the container's processes, as moby composes it (module comment). */
  #environment(extra: readonly string[], tty: boolean): Record<string, string> {
    const env = mergeEnv([DEFAULT_PATH_ENV, `HOSTNAME=${this.hostname}`, ...(tty ? ['TERM=xterm'] : []), ...(this.image?.env ?? [])], [...(this.#options.env ?? []), ...extra]);
    if (env.HOME === undefined) env.HOME = '/root';
    return env;
  }

  /**
   * Runs `argv` as PID 1 in the background. An unknown program leaves the container exited with
   * 127 and throws Docker's OCI runtime error.
   */
  start(argv: readonly string[]): void {
    if (this.#closed || this.#state !== 'created') throw new SwarmnetError('invalid-state', `container ${this.id} is ${this.#closed ? 'removed' : this.#state}: it can be started once`);
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string')) throw new SwarmnetError('invalid-argument', 'no command specified');
    const clock = this.#options.clock;
    const program = findProgram(this.#options.programs, argv[0]);
    if (program === undefined) {
      this.#state = 'exited';
      this.#exitCode = EXIT_NOT_FOUND;
      this.#finishedAt = clock.now();
      for (const resolve of this.#startWaiters.splice(0)) resolve();
      throw new SwarmnetError('executable-not-found', `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "${argv[0]}": executable file not found in $PATH: unknown`);
    }
    const tty = this.#options.tty === true;
    const stdin: ProgramInput = this.#stdin ?? NULL_INPUT;
    this.#state = 'running';
    this.#startedAt = clock.now();
    const pid1 = new Process(this.#host, program, argv, { stdout: this.#mainOut, stderr: tty ? this.#mainOut : this.#mainErr, stdin, env: this.#environment([], tty), tty, isPid1: true });
    this.#pid1 = pid1;
    for (const resolve of this.#startWaiters.splice(0)) resolve();
    pid1.exited.then(
      (code) => this.#mainExited(code),
      (error) => {
        // A program bug must not take the host down: it shows in the log, the container exits.
        this.#mainErr.write(`swarmnet: ${argv[0]} failed: ${error instanceof Error ? error.message : String(error)}\n`);
        this.#mainExited(EXIT_PROGRAM_BUG);
      },
    );
  }

  #mainExited(code: number): void {
    if (this.#state !== 'running') return;
    this.#state = 'exited';
    this.#exitCode = code;
    this.#finishedAt = this.#options.clock.now();
    this.#stdin?.end();
    // PID 1 gone: the kernel kills every other process of the PID namespace.
    for (const process of [...this.#processes]) process.terminate(EXIT_KILLED);
    for (const resolve of this.#exitWaiters.splice(0)) resolve(code);
    this.#options.onExit?.(code);
  }

  /** Resolves with PID 1's exit code once it has exited. */
  wait(): Promise<number> {
    if (this.#state === 'exited') return Promise.resolve(this.#exitCode!);
    return new Promise((resolve) => this.#exitWaiters.push(resolve));
  }

  #assertMainRunning(): Process {
    if (this.#closed || this.#state !== 'running' || this.#pid1 === undefined) throw new SwarmnetError('not-running', `container ${this.id} is not running`);
    return this.#pid1;
  }

  /** `docker kill`: `signal` (name, `TERM`, or number; default SIGKILL) to PID 1. */
  kill(signal = 'SIGKILL'): void {
    let name: string;
    try {
      name = parseSignal(signal);
    } catch (error) {
      throw new SwarmnetError('invalid-argument', (error as Error).message);
    }
    this.#assertMainRunning().deliver(name);
  }

  /**
   * `docker stop`: the image's stop signal to PID 1, then SIGKILL (exit 137) if it still runs
   * `graceMs` later on the host clock (a negative grace waits forever). No-op unless running.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.#closed || this.#state !== 'running' || this.#pid1 === undefined) return;
    const pid1 = this.#pid1;
    pid1.deliver(this.image?.stopSignal ?? 'SIGTERM');
    if (!pid1.alive) return;
    const timer = graceMs < 0 ? undefined : this.#options.clock.setTimer(ms(graceMs), () => pid1.deliver('SIGKILL'));
    try {
      await pid1.exited.catch(() => undefined);
    } finally {
      timer?.cancel();
    }
  }

  /** Everything PID 1 printed (the latest MAX_LOG_CHARS of each stream; with a tty all in stdout). */
  logs(): { stdout: string; stderr: string } {
    return { stdout: this.#logs.stdout.text(), stderr: this.#logs.stderr.text() };
  }

  async #attachMain(stdin: string | null, options: AttachOptions): Promise<ProcessOutput> {
    const created = this.#state === 'created' && !this.#closed;
    if (!created && (this.#closed || this.#state !== 'running')) {
      throw new SwarmnetError('not-running', 'You cannot attach to a stopped container, start it first');
    }
    const tty = this.#options.tty === true;
    const stdout = new OutputBuffer();
    const stderr = tty ? stdout : new OutputBuffer();
    this.#mainOut.sinks.add(stdout);
    this.#mainErr.sinks.add(stderr);
    const output = (exitCode: number | null): ProcessOutput => ({ stdout: stdout.text(), stderr: tty ? '' : stderr.text(), exitCode });
    let fed = 0;
    try {
      if (stdin !== null && this.#stdin !== undefined && this.#options.openStdin === true) {
        for (const line of inputLines(stdin)) {
          this.#stdin.push(line);
          fed += 1;
        }
        this.#stdin.end();
      }
      if (created) await new Promise<void>((resolve) => this.#startWaiters.push(resolve));
      const pid1 = this.#pid1;
      if (pid1 === undefined) return output(this.#exitCode ?? null);
      const exited = pid1.exited.then((code) => code as number | null, () => EXIT_PROGRAM_BUG);
      let timer: { cancel(): void } | undefined;
      const settled =
        options.timeoutMs === undefined
          ? this.#idle(pid1, fed)
          : new Promise<null>((resolve) => (timer = this.#options.clock.setTimer(ms(options.timeoutMs!), () => resolve(null))));
      await Promise.race([exited, settled]);
      timer?.cancel();
      return output(pid1.alive ? null : (this.#exitCode ?? pid1.exitCode ?? null));
    } finally {
      this.#mainOut.sinks.delete(stdout);
      this.#mainErr.sinks.delete(stderr);
    }
  }

  /**
   * Resolves once `process` has made no progress for IDLE_ROUNDS event-loop turns with its input
   * consumed (it waits for input or for a timer), or it exited; bounded by MAX_IDLE_CHECKS. While
   * it is still reading the `fed` lines of attached input (it took some, more are queued) it is not idle even
   * when it sleeps: the wait then runs in real time, bounded by MAX_ATTACH_INPUT_WAIT_MS.
   */
  async #idle(process: Process, fed: number): Promise<null> {
    let quiet = 0;
    let seen = this.#activity;
    const deadline = Date.now() + MAX_ATTACH_INPUT_WAIT_MS;
    for (let round = 0; round < MAX_IDLE_CHECKS && process.alive; ) {
      const pending = this.#stdin?.pending ?? 0;
      if (pending > 0 && pending < fed && Date.now() < deadline) {
        await new Promise<void>((resolve) => setTimeout(resolve, ATTACH_INPUT_POLL_MS));
        quiet = 0;
        continue;
      }
      round++;
      await new Promise<void>((resolve) => setImmediate(resolve));
      const busy = this.#activity !== seen || pending > 0;
      seen = this.#activity;
      quiet = busy ? 0 : quiet + 1;
      if (quiet >= IDLE_ROUNDS) break;
    }
    return null;
  }

  /**
   * Runs a program beside PID 1 (`docker exec`). `(argv, timeoutMs)` is the older form. An
   * unknown program fails as `docker exec` does (OCI runtime text, exit 127). After `timeoutMs`
   * (host clock) the program is asked to stop (its `ctx.signal`); one still running
   * `EXEC_KILL_GRACE_MS` later is killed (137).
   */
  async exec(argv: readonly string[], options: ExecOptions | number = {}): Promise<ExecResult> {
    const opts: ExecOptions = typeof options === 'number' ? { timeoutMs: options } : options;
    if (this.#closed || this.#state !== 'running') throw new SwarmnetError('not-running', `container ${this.id} is not running`);
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string')) {
      throw new SwarmnetError('invalid-argument', 'exec needs a non-empty argv of strings');
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new SwarmnetError('invalid-argument', `exec timeout must be positive: ${timeoutMs}`);
    const program = findProgram(this.#options.programs, argv[0]);
    if (program === undefined) {
      return {
        stdout: '',
        stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown\n`,
        exitCode: EXIT_NOT_FOUND,
      };
    }
    if (this.#processes.size >= MAX_EXECS_PER_CONTAINER) {
      throw new SwarmnetError('limit', `container ${this.name} runs ${MAX_EXECS_PER_CONTAINER} programs already`);
    }
    return runExec(this.#host, program, argv, { ...opts, timeoutMs }, this.#environment(opts.env ?? [], opts.tty === true), this.name);
  }

  /** Starts capturing every interface into `<dir>/<host>-<container>-<iface>.pcap`. */
  async captureStart(dir: string, hostName: string, clock: Clock): Promise<string[]> {
    const files: string[] = [];
    // `lo` too: the container's DNS queries to 127.0.0.11 travel on it.
    if (this.#loCapture === undefined) {
      const path = `${dir}/${hostName}-${this.name}-lo.pcap`;
      this.#loCapture = await InterfaceCapture.open(path, { clock });
      this.stack.tapLoopback(this.#loCapture.wrap({ receiveFrame: () => undefined }));
      files.push(path);
    }
    for (const leg of this.#legs) {
      if (leg.capture !== undefined) continue;
      const path = `${dir}/${hostName}-${this.name}-${leg.config.name}.pcap`;
      const capture = await InterfaceCapture.open(path, { clock });
      leg.capture = capture;
      leg.toStack.target = capture.wrap(leg.iface);
      leg.toBridge.target = capture.wrap(leg.bridgeIngress);
      files.push(path);
    }
    return files;
  }

  /** Whether `lo` is being captured (captureStart ran). */
  get capturingLoopback(): boolean {
    return this.#loCapture !== undefined;
  }

  async captureStop(): Promise<void> {
    await Promise.all(this.#legs.map((leg) => this.#stopLegCapture(leg)));
    const lo = this.#loCapture;
    this.#loCapture = undefined;
    if (lo !== undefined) {
      this.stack.tapLoopback(undefined);
      await lo.close();
    }
  }

  async #stopLegCapture(leg: ContainerLeg): Promise<void> {
    const capture = leg.capture;
    if (capture === undefined) return;
    leg.capture = undefined;
    leg.toStack.target = leg.iface;
    leg.toBridge.target = leg.bridgeIngress;
    await capture.close();
  }

  /**
   * Kills every process (PID 1 with SIGKILL: exit 137, `onExit` fires; a bare container's execs
   * are asked to stop and wind down or are killed after the exec grace), unplugs every veth and
   * closes the stack. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#pid1?.alive === true) this.#pid1.deliver('SIGKILL');
    this.#closed = true;
    for (const resolve of this.#startWaiters.splice(0)) resolve();
    for (const process of [...this.#processes]) process.interrupt();
    await this.captureStop();
    for (const leg of this.#legs) {
      leg.network.bridge.removePort(leg.portName);
      leg.network.endpoints--;
      leg.toStack.target = DISCONNECTED;
      leg.toBridge.target = DISCONNECTED;
    }
    this.stack.close();
  }
}

/** Names resolve only as dotted IPv4 literals until the embedded DNS lands. */
function resolveLiteral(name: string): number | undefined {
  if (!/^[0-9.]+$/.test(name)) return undefined;
  try {
    return parseIpv4Address(name);
  } catch {
    return undefined;
  }
}
