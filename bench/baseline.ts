/**
 * The same-run baseline for the forwarding benchmarks: raw `dgram` between two worker threads on
 * loopback, with UDP payloads of the sizes the emulated path puts on the underlay (inner frame +
 * 8-byte VXLAN header), so each emulated figure can be reported as a ratio to it.
 */
import { Worker } from 'node:worker_threads';
import type { PeerConfig } from './threads/dgram-peer.js';

const PEER = new URL('./threads/dgram-peer.js', import.meta.url);

export interface FloodResult {
  /** Datagrams the sink received per second of flood. */
  readonly packetsPerSec: number;
  /** Payload bits per second delivered. */
  readonly bitsPerSec: number;
  /** Fraction of sent datagrams that never arrived. */
  readonly loss: number;
  readonly sent: number;
  readonly received: number;
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
  await new Promise((r) => setTimeout(r, 50)); // let the last datagrams land
  sink.worker.postMessage({ type: 'report' });
  const { packets, bytes } = await sink.next<{ packets: number; bytes: number }>('report');
  await Promise.all([sink.worker.terminate(), flood.worker.terminate()]);
  return floodResult(sent, packets, bytes, durationMs);
}

/** A flood's figures from what was sent, what arrived (datagrams and payload bytes), and for how long. */
export function floodResult(sent: number, received: number, bytes: number, durationMs: number): FloodResult {
  return {
    packetsPerSec: (received * 1000) / durationMs,
    bitsPerSec: (bytes * 8 * 1000) / durationMs,
    loss: sent === 0 ? 0 : 1 - received / sent,
    sent,
    received,
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
