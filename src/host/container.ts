/**
 * One container: its own network stack (src/stack/), one veth per network into that network's
 * bridge, a hostname, and `exec` of userland programs (src/host/programs/) with a
 * `ProgramContext`.
 *
 * A veth is two relays: the stack transmits into `toBridge` (→ the bridge port's ingress) and
 * the bridge delivers into `toStack` (→ the stack interface). Each relay is one extra call on the
 * frame path; it exists so that a capture can be spliced in and out at run time (both directions
 * into one pcap per interface, as `tcpdump -i eth0` in the container would see them).
 */
import type { Bridge } from '../dataplane/bridge.js';
import { InterfaceCapture } from '../dataplane/index.js';
import type { FrameSink } from '../dataplane/link.js';
import type { Program, ProgramContext } from './programs/types.js';
import type { InterfaceConfig, NetStack, StackInterface } from '../stack/types.js';
import { ms, type Clock } from '../util/clock.js';
import { SwarmnetError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { formatIpv4, formatMac, parseIpv4Address } from '../wire/address.js';
import type { ContainerInfo, ExecResult, InterfaceInfo, InterfaceStats } from './control.js';
import type { HostNetwork } from './networks.js';

/** Exec without `timeoutMs`: the program's signal fires after this long (host clock). */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
/** After the signal fired, how long a program gets to print and exit before it is killed. */
export const EXEC_KILL_GRACE_MS = 2_000;
/** Exit status of a killed program (128 + SIGKILL), as a shell reports it. */
export const EXIT_KILLED = 137;
/** docker's exit status when the executable is not found (reference docker-cli-outputs.md §5.2,
 * moby `translateContainerdStartErr`: "set to 127 for container cmd not found/does not exist"). */
export const EXIT_NOT_FOUND = 127;
/** Most programs running at once in one container. */
export const MAX_EXECS_PER_CONTAINER = 64;
/** Most characters kept of one exec's stdout or stderr; the rest is cut (and said so). */
export const MAX_EXEC_OUTPUT_CHARS = 1 << 20;

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
  readonly libc: 'musl' | 'glibc';
  readonly stack: NetStack;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly programs: Readonly<Record<string, Program>>;
}

export class Container {
  readonly name: string;
  readonly id: string;
  readonly hostname: string;
  readonly libc: 'musl' | 'glibc';
  readonly stack: NetStack;
  readonly #legs: ContainerLeg[] = [];
  readonly #running = new Set<AbortController>();
  readonly #options: ContainerOptions;
  #closed = false;

  constructor(options: ContainerOptions) {
    this.#options = options;
    this.name = options.name;
    this.id = options.id;
    this.hostname = options.hostname;
    this.libc = options.libc;
    this.stack = options.stack;
  }

  get legs(): readonly ContainerLeg[] {
    return this.#legs;
  }

  /** Plugs a veth into `network`'s bridge and adds the interface (and its connected route). */
  attach(network: HostNetwork, config: InterfaceConfig, portName: string): ContainerLeg {
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

  /**
   * Runs `argv[0]` from the image's programs. An unknown program fails as `docker exec` does
   * (OCI runtime text, exit 127). The program's signal fires after `timeoutMs` (host clock); a
   * program still running `EXEC_KILL_GRACE_MS` later is abandoned with exit 137.
   */
  async exec(argv: readonly string[], timeoutMs = DEFAULT_EXEC_TIMEOUT_MS): Promise<ExecResult> {
    if (this.#closed) throw new SwarmnetError('not-running', `container ${this.name} is not running`);
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string')) {
      throw new SwarmnetError('invalid-argument', 'exec needs a non-empty argv of strings');
    }
    if (!(timeoutMs > 0)) throw new SwarmnetError('invalid-argument', `exec timeout must be positive: ${timeoutMs}`);
    const program = Object.hasOwn(this.#options.programs, argv[0]) ? this.#options.programs[argv[0]] : undefined;
    if (program === undefined) {
      return {
        stdout: '',
        stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown\n`,
        exitCode: EXIT_NOT_FOUND,
      };
    }
    if (this.#running.size >= MAX_EXECS_PER_CONTAINER) {
      throw new SwarmnetError('limit', `container ${this.name} runs ${MAX_EXECS_PER_CONTAINER} programs already`);
    }
    const { clock, rng } = this.#options;
    const stdout = new OutputBuffer();
    const stderr = new OutputBuffer();
    const abort = new AbortController();
    this.#running.add(abort);
    const timeout = clock.setTimer(ms(timeoutMs), () => abort.abort(new SwarmnetError('timeout', `exec timed out after ${timeoutMs} ms`)));
    let killTimer: { cancel(): void } | undefined;
    const killed = new Promise<number>((resolve) => {
      abort.signal.addEventListener('abort', () => (killTimer = clock.setTimer(ms(EXEC_KILL_GRACE_MS), () => resolve(EXIT_KILLED))), { once: true });
    });
    const ctx: ProgramContext = {
      argv: [...argv],
      stdout,
      stderr,
      stack: this.stack,
      clock,
      rng,
      libc: this.libc,
      hostname: this.hostname,
      signal: abort.signal,
      resolve: async (name) => resolveLiteral(name),
    };
    try {
      // Started synchronously (an async wrapper turns a synchronous throw into a rejection), so the
      // program has its abort listener in place before anything can abort it.
      const run = (async () => program(ctx))();
      const exitCode = await Promise.race([run, killed]);
      return { stdout: stdout.text(), stderr: stderr.text(), exitCode };
    } catch (error) {
      throw new SwarmnetError('program-failed', `${argv[0]} in container ${this.name} threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      timeout.cancel();
      killTimer?.cancel();
      this.#running.delete(abort);
    }
  }

  /** Starts capturing every interface into `<dir>/<host>-<container>-<iface>.pcap`. */
  async captureStart(dir: string, hostName: string, clock: Clock): Promise<string[]> {
    const files: string[] = [];
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

  async captureStop(): Promise<void> {
    await Promise.all(this.#legs.map((leg) => this.#stopLegCapture(leg)));
  }

  async #stopLegCapture(leg: ContainerLeg): Promise<void> {
    const capture = leg.capture;
    if (capture === undefined) return;
    leg.capture = undefined;
    leg.toStack.target = leg.iface;
    leg.toBridge.target = leg.bridgeIngress;
    await capture.close();
  }

  /** Stops programs, unplugs every veth and closes the stack. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const abort of this.#running) abort.abort(new SwarmnetError('stopped', `container ${this.name} stopped`));
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

/** A bounded text sink for a program's stdout or stderr. */
class OutputBuffer {
  #parts: string[] = [];
  #length = 0;
  #cut = false;

  write(text: string): void {
    if (this.#cut) return;
    const room = MAX_EXEC_OUTPUT_CHARS - this.#length;
    if (text.length > room) {
      this.#parts.push(text.slice(0, room), `\n[output cut at ${MAX_EXEC_OUTPUT_CHARS} characters]\n`);
      this.#cut = true;
      this.#length = MAX_EXEC_OUTPUT_CHARS;
      return;
    }
    this.#parts.push(text);
    this.#length += text.length;
  }

  text(): string {
    return this.#parts.join('');
  }
}

/** Names resolve only as dotted IPv4 literals until the embedded DNS lands. */
function resolveLiteral(name: string): number | undefined {
  try {
    return parseIpv4Address(name);
  } catch {
    return undefined;
  }
}
