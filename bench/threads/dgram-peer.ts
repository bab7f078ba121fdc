/**
 * The baseline's two ends, each in its own worker thread: raw `dgram` with nothing emulated —
 * what the emulated path is measured against, written as a careful raw-socket program would be and
 * on the same terms as the emulated path (udp-underlay.ts, programs/perf.ts):
 * - `sink`: counts datagrams for the flood, with the times of the first and the last, and reports
 *   once `SINK_IDLE_MS` pass without one (as `swarmnet-perf sink` does); `echo`: sends every
 *   datagram back (ping-pong).
 * - `flood`: sends datagrams of one size as fast as the socket takes them, for a duration, in
 *   bursts of 64 per event-loop turn (the emulated flood's pacing), on a connected socket: the
 *   emulated underlay sends on a connected socket per peer, and an unconnected send pays Node's
 *   per-send address lookup (a nextTick) and the kernel's route lookup — measured here at ~1.2 µs
 *   of a ~6.4 µs send, a handicap the baseline should not carry.
 * - `pingpong`: sends one datagram, waits for its echo, records the round trip; N times
 *   (connected as well).
 * Every socket gets the same 4 MiB receive buffer as the underlay's data-path socket.
 */
import { createSocket } from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';

export interface PeerConfig {
  readonly role: 'sink' | 'echo' | 'flood' | 'pingpong';
  readonly address: string;
  readonly targetPort?: number;
  readonly size?: number;
  readonly durationMs?: number;
  readonly rounds?: number;
}

const RECEIVE_BUFFER = 4 * 1024 * 1024;
/** Datagrams sent per turn of the event loop before yielding (lets errors and closes run). */
const BURST = 64;
/** The sink reports once this long passed without a datagram (`swarmnet-perf sink`'s default). */
const SINK_IDLE_MS = 500;
/** How often the sink checks for idleness once asked to report. */
const SINK_POLL_MS = 20;

const cfg = workerData as PeerConfig;
const port = parentPort!;
const sock = createSocket('udp4');
sock.on('error', (e) => port.postMessage({ type: 'error', message: String(e) }));

sock.bind(0, cfg.address, () => {
  sock.setRecvBufferSize(RECEIVE_BUFFER);
  if (cfg.role === 'sink') runSink();
  else if (cfg.role === 'echo') runEcho();
  else if (cfg.role === 'flood') runFlood();
  else runPingPong();
});

function runSink(): void {
  let packets = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  sock.on('message', (m) => {
    last = performance.now();
    if (packets === 0) first = last;
    packets++;
    bytes += m.length;
  });
  // Datagrams still queued in the receive buffer when the flood ends are counted too, as the
  // emulated sink counts them: report only after SINK_IDLE_MS without one.
  const report = () => {
    if (packets === 0 || performance.now() - last < SINK_IDLE_MS) {
      setTimeout(report, SINK_POLL_MS);
      return;
    }
    port.postMessage({ type: 'report', packets, bytes, firstMs: first, lastMs: last });
    sock.close();
    port.close();
  };
  port.on('message', (msg: { type: string }) => {
    if (msg.type === 'report') report();
  });
  port.postMessage({ type: 'ready', port: sock.address().port });
}

function runEcho(): void {
  sock.on('message', (m, rinfo) => sock.send(m, rinfo.port, rinfo.address));
  port.on('message', (msg: { type: string }) => {
    if (msg.type === 'stop') {
      sock.close();
      port.close();
    }
  });
  port.postMessage({ type: 'ready', port: sock.address().port });
}

function runFlood(): void {
  const payload = Buffer.alloc(cfg.size!, 0x5a);
  sock.connect(cfg.targetPort!, cfg.address, () => {
    const start = performance.now();
    const end = start + cfg.durationMs!;
    let sent = 0;
    const burst = () => {
      for (let i = 0; i < BURST; i++) sock.send(payload);
      sent += BURST;
      if (performance.now() < end) setImmediate(burst);
      else {
        // Sends the socket could not take at once wait in libuv's queue; closing now would cancel
        // them. One more send with a callback fires after everything queued before it.
        sock.send(payload, () => {
          port.postMessage({ type: 'done', sent: sent + 1, elapsedMs: performance.now() - start });
          sock.close();
          port.close();
        });
      }
    };
    burst();
  });
}

function runPingPong(): void {
  const payload = Buffer.alloc(cfg.size!, 0x5a);
  const rtts: number[] = [];
  let t0 = 0;
  const next = () => {
    if (rtts.length === cfg.rounds) {
      port.postMessage({ type: 'done', rtts });
      sock.close();
      port.close();
      return;
    }
    t0 = performance.now();
    sock.send(payload);
  };
  sock.on('message', () => {
    rtts.push(performance.now() - t0);
    next();
  });
  sock.connect(cfg.targetPort!, cfg.address, next);
}
