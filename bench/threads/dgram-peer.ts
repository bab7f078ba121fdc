/**
 * The baseline's two ends, each in its own worker thread: raw `dgram` with nothing emulated —
 * what the emulated path is measured against. Roles:
 * - `sink`: counts datagrams for the flood; `echo`: sends every datagram back (ping-pong).
 * - `flood`: sends datagrams of one size as fast as the socket takes them, for a duration.
 * - `pingpong`: sends one datagram, waits for its echo, records the round trip; N times.
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
  sock.on('message', (m) => {
    packets++;
    bytes += m.length;
  });
  port.on('message', (msg: { type: string }) => {
    if (msg.type === 'report') {
      port.postMessage({ type: 'report', packets, bytes });
      sock.close();
      port.close();
    }
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
  const end = performance.now() + cfg.durationMs!;
  let sent = 0;
  const burst = () => {
    for (let i = 0; i < BURST; i++) sock.send(payload, cfg.targetPort!, cfg.address);
    sent += BURST;
    if (performance.now() < end) setImmediate(burst);
    else {
      // Sends the socket could not take at once wait in libuv's queue; closing now would cancel
      // them. One more send with a callback fires after everything queued before it.
      sock.send(payload, cfg.targetPort!, cfg.address, () => {
        port.postMessage({ type: 'done', sent: sent + 1 });
        sock.close();
        port.close();
      });
    }
  };
  burst();
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
    sock.send(payload, cfg.targetPort!, cfg.address);
  };
  sock.on('message', () => {
    rtts.push(performance.now() - t0);
    next();
  });
  next();
}
