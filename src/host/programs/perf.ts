/**
 * `swarmnet-perf` — swarmnet's own measurement tool (not a busybox applet), run inside emulated
 * containers by `npm run bench` so the measured traffic starts and ends in container stacks and
 * crosses the full forwarding path, with no message between threads per packet.
 *
 *   swarmnet-perf sink PORT [IDLE_MS]            count UDP datagrams until IDLE_MS (default 500)
 *                                                pass without one after the first; print JSON
 *   swarmnet-perf flood IP PORT SIZE MS          send SIZE-byte datagrams as fast as the stack
 *                                                takes them for MS; print JSON
 *   swarmnet-perf echo PORT                      send every datagram back until stopped
 *   swarmnet-perf pingpong IP PORT SIZE ROUNDS   one datagram out, its echo back, ROUNDS times;
 *                                                print round trips (ms) as JSON
 *
 * Times come from the container's clock. Output is one JSON object on stdout.
 */
import { parseIpv4Address } from '../../wire/address.js';
import { ms } from '../../util/clock.js';
import type { Program, ProgramContext } from './types.js';

/** Datagrams sent per turn of the event loop before yielding, so the receive path runs too. */
const FLOOD_BURST = 64;
const MAX_SIZE = 65_507;
const MAX_ROUNDS = 1_000_000;

class PerfUsage extends Error {}

function int(text: string | undefined, what: string, min: number, max: number): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < min || n > max) throw new PerfUsage(`swarmnet-perf: bad ${what}: ${text ?? '(missing)'}`);
  return n;
}

function address(text: string | undefined): number {
  try {
    return parseIpv4Address(text ?? '');
  } catch {
    throw new PerfUsage(`swarmnet-perf: bad address: ${text ?? '(missing)'}`);
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function sink(ctx: ProgramContext, port: number, idleMs: number): Promise<number> {
  const sock = ctx.stack.openUdp({ port });
  if (typeof sock === 'string') throw new PerfUsage(`swarmnet-perf: bind: ${sock}`);
  let packets = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  sock.onMessage((payload) => {
    // One clock read per datagram (a few tens of ns here), as the baseline's sink does.
    last = ctx.clock.now();
    if (packets === 0) first = last;
    packets++;
    bytes += payload.length;
  });
  try {
    // Poll for idleness rather than re-arming a timer per datagram.
    for (;;) {
      await ctx.clock.sleep(ms(Math.min(100, idleMs)), ctx.signal).catch(() => undefined);
      if (ctx.signal.aborted || (packets > 0 && ctx.clock.now() - last >= idleMs)) break;
    }
  } finally {
    sock.close();
  }
  ctx.stdout.write(`${JSON.stringify({ packets, bytes, firstMs: first, lastMs: last })}\n`);
  return 0;
}

async function flood(ctx: ProgramContext, dst: number, port: number, size: number, durationMs: number): Promise<number> {
  const sock = ctx.stack.openUdp();
  if (typeof sock === 'string') throw new PerfUsage(`swarmnet-perf: socket: ${sock}`);
  const payload = new Uint8Array(size).fill(0x5a);
  let sent = 0;
  let refused = 0;
  const start = ctx.clock.now();
  try {
    while (ctx.clock.now() - start < durationMs && !ctx.signal.aborted) {
      for (let i = 0; i < FLOOD_BURST; i++) {
        if (sock.send(payload, dst, port) === 'ok') sent++;
        else refused++;
      }
      await yieldToLoop();
    }
  } finally {
    sock.close();
  }
  ctx.stdout.write(`${JSON.stringify({ sent, refused, elapsedMs: ctx.clock.now() - start })}\n`);
  return 0;
}

async function echo(ctx: ProgramContext, port: number): Promise<number> {
  const sock = ctx.stack.openUdp({ port });
  if (typeof sock === 'string') throw new PerfUsage(`swarmnet-perf: bind: ${sock}`);
  let echoed = 0;
  sock.onMessage((payload, from, fromPort) => {
    if (sock.send(payload, from, fromPort) === 'ok') echoed++;
  });
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  sock.close();
  ctx.stdout.write(`${JSON.stringify({ echoed })}\n`);
  return 0;
}

async function pingpong(ctx: ProgramContext, dst: number, port: number, size: number, rounds: number): Promise<number> {
  const sock = ctx.stack.openUdp();
  if (typeof sock === 'string') throw new PerfUsage(`swarmnet-perf: socket: ${sock}`);
  const payload = new Uint8Array(size).fill(0x5a);
  const rtts: number[] = [];
  let sentAt = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const next = () => {
        if (rtts.length === rounds || ctx.signal.aborted) return resolve();
        sentAt = ctx.clock.now();
        const r = sock.send(payload, dst, port);
        if (r !== 'ok') reject(new PerfUsage(`swarmnet-perf: send: ${r}`));
      };
      sock.onMessage(() => {
        rtts.push(ctx.clock.now() - sentAt);
        next();
      });
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      next();
    });
  } finally {
    sock.close();
  }
  ctx.stdout.write(`${JSON.stringify({ rtts })}\n`);
  return rtts.length === rounds ? 0 : 1;
}

export const swarmnetPerf: Program = async (ctx) => {
  const [, mode, ...args] = ctx.argv;
  try {
    switch (mode) {
      case 'sink':
        return await sink(ctx, int(args[0], 'port', 1, 65535), args[1] === undefined ? 500 : int(args[1], 'idle ms', 1, 60_000));
      case 'flood':
        return await flood(ctx, address(args[0]), int(args[1], 'port', 1, 65535), int(args[2], 'size', 0, MAX_SIZE), int(args[3], 'duration ms', 1, 600_000));
      case 'echo':
        return await echo(ctx, int(args[0], 'port', 1, 65535));
      case 'pingpong':
        return await pingpong(ctx, address(args[0]), int(args[1], 'port', 1, 65535), int(args[2], 'size', 0, MAX_SIZE), int(args[3], 'rounds', 1, MAX_ROUNDS));
      default:
        throw new PerfUsage('usage: swarmnet-perf sink PORT [IDLE_MS] | flood IP PORT SIZE MS | echo PORT | pingpong IP PORT SIZE ROUNDS');
    }
  } catch (e) {
    if (!(e instanceof PerfUsage)) throw e;
    ctx.stderr.write(`${e.message}\n`);
    return 2;
  }
};
