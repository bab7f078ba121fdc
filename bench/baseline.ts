/**
 * The same-run baseline for the forwarding benchmarks: raw `dgram` between two worker threads on
 * loopback, with UDP payloads of the sizes the emulated path puts on the underlay (inner frame +
 * 8-byte VXLAN header), so each emulated figure can be reported as a ratio to it.
 */
import { Worker } from 'node:worker_threads';
import type { PeerConfig } from './threads/dgram-peer.js';

const PEER = new URL('./threads/dgram-peer.js', import.meta.url);

export interface FloodResult {
  /**
   * Datagrams the sink received per second, over the sink's own window (first to last datagram
   * received): the rate at the receiver, counted the same way for the baseline and the emulated
   * path, whichever end is the bottleneck.
   */
  readonly packetsPerSec: number;
  /** Payload bits per second delivered. */
  readonly bitsPerSec: number;
  /** Fraction of sent datagrams that never arrived. */
  readonly loss: number;
  readonly sent: number;
  readonly received: number;
  /** The sink's window, ms: first to last datagram received. */
  readonly windowMs: number;
}

export interface RoundTripResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rounds: number;
}

function start(cfg: PeerConfig): { worker: Worker; next: <T>(type: string) => Promise<T> } {
  const worker = new Worker(PEER, { workerData: cfg });
  const waiting = new Map<string, (msg: unknown) => void>();
  const early = new Map<string, unknown>();
  worker.on('message', (msg: { type: string; message?: string }) => {
    if (msg.type === 'error') throw new Error(`baseline ${cfg.role}: ${msg.message}`);
    const w = waiting.get(msg.type);
    if (w) {
      waiting.delete(msg.type);
      w(msg);
    } else early.set(msg.type, msg);
  });
  const next = <T>(type: string) =>
    new Promise<T>((resolve) => {
      if (early.has(type)) {
        resolve(early.get(type) as T);
        early.delete(type);
      } else waiting.set(type, resolve as (m: unknown) => void);
    });
  return { worker, next };
}

/** Floods `size`-byte datagrams from one thread to another for `durationMs`. */
export async function dgramFlood(size: number, durationMs: number): Promise<FloodResult> {
  const sink = start({ role: 'sink', address: '127.0.0.1' });
  const { port } = await sink.next<{ port: number }>('ready');
  const flood = start({ role: 'flood', address: '127.0.0.1', targetPort: port, size, durationMs });
  const { sent } = await flood.next<{ sent: number }>('done');
  // The sink answers once it has been idle for a while, so datagrams still in its buffer count.
  sink.worker.postMessage({ type: 'report' });
  const { packets, bytes, firstMs, lastMs } = await sink.next<{ packets: number; bytes: number; firstMs: number; lastMs: number }>('report');
  await Promise.all([sink.worker.terminate(), flood.worker.terminate()]);
  return floodResult(sent, packets, bytes, lastMs - firstMs);
}

/**
 * A flood's figures from what was sent, what arrived (datagrams and payload bytes), and the
 * sink's window (first to last datagram received, ms).
 */
export function floodResult(sent: number, received: number, bytes: number, windowMs: number): FloodResult {
  const perSec = windowMs > 0 ? 1000 / windowMs : 0;
  return {
    packetsPerSec: received * perSec,
    bitsPerSec: bytes * 8 * perSec,
    loss: sent === 0 ? 0 : 1 - received / sent,
    sent,
    received,
    windowMs,
  };
}

/** One datagram out, its echo back, `rounds` times, between two threads. */
export async function dgramRoundTrip(size: number, rounds: number): Promise<RoundTripResult> {
  const echo = start({ role: 'echo', address: '127.0.0.1' });
  const { port } = await echo.next<{ port: number }>('ready');
  const client = start({ role: 'pingpong', address: '127.0.0.1', targetPort: port, size, rounds });
  const { rtts } = await client.next<{ rtts: number[] }>('done');
  echo.worker.postMessage({ type: 'stop' });
  await Promise.all([echo.worker.terminate(), client.worker.terminate()]);
  return { ...percentiles(rtts), rounds };
}

export function percentiles(samples: readonly number[]): { p50Ms: number; p99Ms: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}
