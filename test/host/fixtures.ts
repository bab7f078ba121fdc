/**
 * Stand-ins for the host tests: a recording NetStack (the host's wiring is tested apart from the
 * real stack) and small programs with known behaviour.
 */
import type { FrameSink } from '../../src/dataplane/link.js';
import type { Program } from '../../src/host/programs/types.js';
import type { InterfaceConfig, InterfaceCounters, NetStack, RouteConfig, StackInterface } from '../../src/stack/types.js';

export class RecordingInterface implements StackInterface {
  readonly frames: Uint8Array[] = [];
  readonly counters: InterfaceCounters = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, rxDropped: 0, txDropped: 0 };
  constructor(
    readonly config: InterfaceConfig,
    readonly link: FrameSink,
  ) {}
  receiveFrame(frame: Uint8Array): void {
    this.counters.rxPackets++;
    this.counters.rxBytes += frame.length;
    this.frames.push(frame);
  }
  /** Transmits a frame towards the bridge, as the stack would. */
  transmit(frame: Uint8Array): void {
    this.counters.txPackets++;
    this.counters.txBytes += frame.length;
    this.link.receiveFrame(frame);
  }
}

export class RecordingStack implements NetStack {
  readonly ifaces: RecordingInterface[] = [];
  readonly routeTable: RouteConfig[] = [];
  closed = false;
  addInterface(config: InterfaceConfig, link: FrameSink): StackInterface {
    const iface = new RecordingInterface(config, link);
    this.ifaces.push(iface);
    this.routeTable.push({ destination: (config.address & (0xffff_ffff << (32 - config.prefixLength))) >>> 0, prefixLength: config.prefixLength, device: config.name, source: config.address });
    return iface;
  }
  removeInterface(name: string): void {
    const i = this.ifaces.findIndex((f) => f.config.name === name);
    if (i >= 0) this.ifaces.splice(i, 1);
  }
  addRoute(route: RouteConfig): void {
    this.routeTable.push(route);
  }
  interfaces(): readonly StackInterface[] {
    return this.ifaces;
  }
  routes(): readonly RouteConfig[] {
    return this.routeTable;
  }
  openUdp(): never {
    throw new Error('not in the recording stack');
  }
  openIcmpEcho(): never {
    throw new Error('not in the recording stack');
  }
  addAddress(): never {
    throw new Error('not in the recording stack');
  }
  removeAddress(): never {
    throw new Error('not in the recording stack');
  }
  setUdpInterceptor(): void {}
  tapLoopback(): void {}
  close(): void {
    this.closed = true;
  }
}

export const TEST_PROGRAMS: Readonly<Record<string, Program>> = {
  /** Prints its arguments and the container's hostname. */
  echo: async (ctx) => {
    ctx.stdout.write(`${ctx.argv.slice(1).join(' ')} @${ctx.hostname} ${ctx.libc}\n`);
    return 0;
  },
  /** Fails with a message on stderr. */
  fail: async (ctx) => {
    ctx.stderr.write('fail: no\n');
    return 3;
  },
  /** Waits for its signal (like ping without -c) and exits 130 then. */
  wait: (ctx) =>
    new Promise((resolve) => {
      ctx.stdout.write('waiting\n');
      ctx.signal.addEventListener('abort', () => resolve(130), { once: true });
    }),
  /** Ignores its signal: the host must give up on it. */
  stuck: () => new Promise<number>(() => {}),
  /** A bug: throws. */
  throws: async () => {
    throw new Error('program bug');
  },
};
