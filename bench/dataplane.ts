/**
 * The forwarding path (mirrors src/dataplane/): container to container across two emulated hosts
 * — container stack → veth → bridge → VTEP → UDP 4789 → VTEP → bridge → veth → container stack —
 * against raw `dgram` between two worker threads measured in the same run, with the UDP payload
 * sizes the emulated path puts on the underlay (inner frame + 8-byte VXLAN header).
 *
 * Traffic starts and ends in the containers (`swarmnet-perf` flood/sink/echo/pingpong), so no
 * message crosses threads per packet; the cluster only starts and collects the runs.
 */
import { randomBytes } from 'node:crypto';
import { Cluster } from '../src/cluster/index.js';
import { dgramFlood, dgramRoundTrip, floodResult, percentiles, type FloodResult, type RoundTripResult } from './baseline.js';
import type { Section } from './report.js';

/** Inner Ethernet frame sizes: minimum, typical, full overlay MTU (1450-byte IP would be 1464). */
export const FRAME_SIZES = [64, 512, 1450] as const;
/** Ethernet 14 + IPv4 20 + UDP 8 inside the frame. */
const INNER_HEADERS = 42;
const VXLAN_HEADER = 8;
const SINK_PORT = 9000;
const WARMUP_FLOOD_MS = 1000;
/** Round trips run before the measured ones (their times are dropped). */
const WARMUP_ROUNDS = 3000;
const ECHO_PORT = 7;

export interface ForwardingOptions {
  readonly floodMs: number;
  readonly rounds: number;
  /** Baseline and emulated runs alternate this many times; the medians are reported. On a shared
   * 2-core machine single runs swing by ±15 %. */
  readonly repeats: number;
}

/** The run with the median `key` (the lower middle one for an even count). */
function median<T>(runs: readonly T[], key: (run: T) => number): T {
  return [...runs].sort((a, b) => key(a) - key(b))[(runs.length - 1) >> 1];
}

interface FloodRow {
  readonly frame: number;
  readonly baseline: FloodResult;
  readonly emulated: FloodResult;
  readonly ratio: number;
}

/** The two containers a measurement runs between: `from` on host a, `to` on host b. */
interface Pair {
  readonly from: string;
  readonly to: string;
}
const PLAIN: Pair = { from: 'ca', to: 'cb' };
const ENCRYPTED: Pair = { from: 'ea', to: 'eb' };

async function emulatedFlood(cluster: Cluster, dstIp: string, payload: number, floodMs: number, pair: Pair = PLAIN): Promise<FloodResult> {
  const sinkRun = cluster.exec('b', pair.to, ['swarmnet-perf', 'sink', String(SINK_PORT), '500'], { timeoutMs: floodMs + 30_000 });
  await new Promise((r) => setTimeout(r, 200)); // the sink binds before the flood starts
  const floodRun = await cluster.exec('a', pair.from, ['swarmnet-perf', 'flood', dstIp, String(SINK_PORT), String(payload), String(floodMs)]);
  const sunk = await sinkRun;
  if (floodRun.exitCode !== 0 || sunk.exitCode !== 0) throw new Error(`perf run failed: ${floodRun.stderr}${sunk.stderr}`);
  const { sent } = JSON.parse(floodRun.stdout) as { sent: number };
  const { packets, bytes, firstMs, lastMs } = JSON.parse(sunk.stdout) as { packets: number; bytes: number; firstMs: number; lastMs: number };
  // Over the sink's window, as the baseline is counted (baseline.ts FloodResult).
  return floodResult(sent, packets, bytes, lastMs - firstMs);
}

async function emulatedRoundTrip(cluster: Cluster, dstIp: string, payload: number, rounds: number, echoPort: number, pair: Pair = PLAIN): Promise<RoundTripResult> {
  // Each run gets its own echo port: an echo program runs until the cluster stops.
  const echoRun = cluster.exec('b', pair.to, ['swarmnet-perf', 'echo', String(echoPort)], { timeoutMs: 120_000 });
  await new Promise((r) => setTimeout(r, 200));
  const total = rounds + WARMUP_ROUNDS;
  const r = await cluster.exec('a', pair.from, ['swarmnet-perf', 'pingpong', dstIp, String(echoPort), String(payload), String(total)]);
  if (r.exitCode !== 0) throw new Error(`pingpong failed: ${r.stderr}`);
  const { rtts } = JSON.parse(r.stdout) as { rtts: number[] };
  const warm = rtts.slice(WARMUP_ROUNDS);
  void echoRun.catch(() => undefined); // ends with the cluster
  return { ...percentiles(warm), rounds: warm.length };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const kpps = (x: number) => `${(x / 1000).toFixed(1)} k/s`;
const gbps = (x: number) => `${(x / 1e9).toFixed(3)}`;

export async function forwardingSections(opts: ForwardingOptions, progress: (line: string) => void): Promise<Section[]> {
  progress('starting 2 hosts for the forwarding benchmark');
  const cluster = await Cluster.start({ hosts: ['a', 'b'] });
  const floods: FloodRow[] = [];
  let rtt: { baseline: RoundTripResult; emulated: RoundTripResult };
  const encrypted: { frame: number; baseline: FloodResult; encrypted: FloodResult; plain: FloodResult | undefined }[] = [];
  let encryptedRtt: { baseline: RoundTripResult; encrypted: RoundTripResult };
  try {
    await cluster.createOverlay({ name: 'bench-net', vni: 4097, subnet: '10.0.1.0/24' });
    await cluster.runContainer('a', { name: 'ca', network: 'bench-net' });
    const cb = await cluster.runContainer('b', { name: 'cb', network: 'bench-net' });
    const dstIp = cb.interfaces.find((i) => i.network === 'bench-net')!.ip;
    // ARP, and the forwarding path's code brought to its optimised tiers, outside the
    // measurements: the baseline's few lines of JS are hot at once, the emulated path is not.
    await cluster.exec('a', 'ca', ['ping', '-c', '3', '-i', '0.1', dstIp]);
    progress('warming up the emulated path');
    await emulatedFlood(cluster, dstIp, 470, WARMUP_FLOOD_MS);

    for (const frame of FRAME_SIZES) {
      const baselines: FloodResult[] = [];
      const emulateds: FloodResult[] = [];
      for (let i = 0; i < opts.repeats; i++) {
        progress(`flood ${frame} B frames, run ${i + 1}/${opts.repeats}: baseline, then emulated`);
        const b = await dgramFlood(frame + VXLAN_HEADER, opts.floodMs);
        const e = await emulatedFlood(cluster, dstIp, frame - INNER_HEADERS, opts.floodMs);
        baselines.push(b);
        emulateds.push(e);
        progress(`  baseline ${kpps(b.packetsPerSec)} (loss ${pct(b.loss)}), emulated ${kpps(e.packetsPerSec)} (loss ${pct(e.loss)}): ${(e.packetsPerSec / b.packetsPerSec).toFixed(3)}`);
      }
      const baseline = median(baselines, (r) => r.packetsPerSec);
      const emulated = median(emulateds, (r) => r.packetsPerSec);
      floods.push({ frame, baseline, emulated, ratio: emulated.packetsPerSec / baseline.packetsPerSec });
    }
    const pingFrame = 98; // a busybox ping's frame: 56 data + 8 ICMP + 20 IPv4 + 14 Ethernet
    const baselineRtts: RoundTripResult[] = [];
    const emulatedRtts: RoundTripResult[] = [];
    for (let i = 0; i < opts.repeats; i++) {
      progress(`round trip, run ${i + 1}/${opts.repeats}: baseline, then emulated`);
      baselineRtts.push(await dgramRoundTrip(pingFrame + VXLAN_HEADER, opts.rounds));
      emulatedRtts.push(await emulatedRoundTrip(cluster, dstIp, pingFrame - INNER_HEADERS, opts.rounds, ECHO_PORT + i));
    }
    rtt = { baseline: median(baselineRtts, (r) => r.p50Ms), emulated: median(emulatedRtts, (r) => r.p50Ms) };

    // The same through an encrypted overlay (ESP in UDP, native-free), beside a dgram baseline
    // carrying the sealed datagram's size. Frames stop at the encrypted MTU (1424 + 14).
    progress('encrypted overlay: keys and containers');
    await cluster.setIpsecKeys([1, 2, 3].map((lamportTime) => ({ key: randomBytes(16).toString('hex'), lamportTime })));
    await cluster.createOverlay({ name: 'bench-enc', vni: 4098, subnet: '10.0.2.0/24', encrypted: true });
    await cluster.runContainer('a', { name: ENCRYPTED.from, network: 'bench-enc' });
    const eb = await cluster.runContainer('b', { name: ENCRYPTED.to, network: 'bench-enc' });
    const encIp = eb.interfaces.find((i) => i.network === 'bench-enc')!.ip;
    await cluster.exec('a', ENCRYPTED.from, ['ping', '-c', '3', '-i', '0.1', encIp]);
    await emulatedFlood(cluster, encIp, 470, WARMUP_FLOOD_MS, ENCRYPTED);
    for (const frame of FRAME_SIZES.map((f) => Math.min(f, ENCRYPTED_MAX_FRAME))) {
      progress(`encrypted flood ${frame} B frames`);
      const b = await dgramFlood(espDatagram(frame), opts.floodMs);
      const e = await emulatedFlood(cluster, encIp, frame - INNER_HEADERS, opts.floodMs, ENCRYPTED);
      const plain = floods.find((f) => f.frame === frame)?.emulated;
      encrypted.push({ frame, baseline: b, encrypted: e, plain });
    }
    progress('encrypted round trip');
    encryptedRtt = {
      baseline: await dgramRoundTrip(espDatagram(pingFrame), opts.rounds),
      encrypted: await emulatedRoundTrip(cluster, encIp, pingFrame - INNER_HEADERS, opts.rounds, ECHO_PORT + 100, ENCRYPTED),
    };
  } finally {
    await cluster.stop();
  }

  const floodSection: Section = {
    name: 'forwarding: one-way UDP flood, container to container across two hosts',
    note:
      'Baseline: raw dgram between two worker threads on a connected socket, payload = inner frame + 8 (what the ' +
      'VTEP sends). Emulated: swarmnet-perf flood → sink through both hosts. Both: bursts of 64 sends per event-loop ' +
      'turn, 4 MiB receive buffer, packets/s = datagrams received over the sink\'s first-to-last window. Gbit/s ' +
      'counts inner UDP payload. Runs alternate; each side shows its median run. Target ≥ 0.8 × baseline packets/s.',
    rows: floods.map((f) => ({
      frameBytes: f.frame,
      baseline: f.baseline,
      emulated: f.emulated,
      ratio: f.ratio,
    })),
    table: [
      ['inner frame', 'baseline pkt/s', 'baseline loss', 'emulated pkt/s', 'Gbit/s', 'emulated loss', 'ratio'],
      ...floods.map((f) => [
        `${f.frame} B`,
        kpps(f.baseline.packetsPerSec),
        pct(f.baseline.loss),
        kpps(f.emulated.packetsPerSec),
        gbps(f.emulated.bitsPerSec),
        pct(f.emulated.loss),
        `${f.ratio.toFixed(3)} × baseline`,
      ]),
    ],
  };
  const ratio50 = rtt.emulated.p50Ms / rtt.baseline.p50Ms;
  const rttSection: Section = {
    name: 'forwarding: UDP ping-pong round trip across two hosts (98-byte frames)',
    note:
      'Back-to-back request/echo. Baseline: raw dgram between two worker threads. Runs alternate; each side shows ' +
      'its median run. Target: emulated p50 ≤ 1.3 × baseline p50.',
    rows: [{ baseline: rtt.baseline, emulated: rtt.emulated, p50Ratio: ratio50 }],
    table: [
      ['path', 'p50 ms', 'p99 ms', 'rounds', 'p50 vs baseline'],
      ['baseline dgram', rtt.baseline.p50Ms.toFixed(3), rtt.baseline.p99Ms.toFixed(3), String(rtt.baseline.rounds), ''],
      ['emulated', rtt.emulated.p50Ms.toFixed(3), rtt.emulated.p99Ms.toFixed(3), String(rtt.emulated.rounds), `${ratio50.toFixed(2)} ×`],
    ],
  };
  const encryptedSection: Section = {
    name: 'forwarding: encrypted overlay (ESP in UDP, native-free), container to container across two hosts',
    note:
      'The flood and the 98-byte round trip through an --opt encrypted overlay (AES-128-GCM, 8-byte ICV). Baseline: raw dgram ' +
      'carrying the sealed datagram\'s size (frame + VXLAN + inner UDP + ESP), same run; "plain" is the unencrypted ' +
      'overlay above. Frames are capped at the encrypted MTU (1424 + 14).',
    rows: [...encrypted.map((r) => ({ frameBytes: r.frame, baseline: r.baseline, encrypted: r.encrypted, plain: r.plain ?? null })), { roundTrip: encryptedRtt }],
    table: [
      ['inner frame', 'baseline pkt/s', 'encrypted pkt/s', 'loss', 'vs baseline', 'vs plain'],
      ...encrypted.map((r) => [
        `${r.frame} B`,
        kpps(r.baseline.packetsPerSec),
        kpps(r.encrypted.packetsPerSec),
        pct(r.encrypted.loss),
        `${(r.encrypted.packetsPerSec / r.baseline.packetsPerSec).toFixed(3)} ×`,
        r.plain ? `${(r.encrypted.packetsPerSec / r.plain.packetsPerSec).toFixed(3)} ×` : '–',
      ]),
      [
        'round trip p50',
        `${encryptedRtt.baseline.p50Ms.toFixed(3)} ms`,
        `${encryptedRtt.encrypted.p50Ms.toFixed(3)} ms`,
        '',
        `${(encryptedRtt.encrypted.p50Ms / encryptedRtt.baseline.p50Ms).toFixed(2)} × (time)`,
        `${(encryptedRtt.encrypted.p50Ms / rtt.emulated.p50Ms).toFixed(2)} × (time)`,
      ],
    ],
  };
  return [floodSection, rttSection, encryptedSection];
}

/** The largest frame an encrypted overlay carries unfragmented: MTU 1424 + Ethernet. */
const ENCRYPTED_MAX_FRAME = 1424 + 14;

/** Bytes of the UDP payload the native-free transport sends for a `frame`-byte inner frame. */
function espDatagram(frame: number): number {
  const inner = 8 + 8 + frame; // inner UDP + VXLAN + frame
  const padded = Math.ceil((inner + 2) / 4) * 4; // ESP trailer: pad to 4, pad length, next header
  return 4 + 4 + 8 + padded + 8; // SPI, sequence, IV, ciphertext, 8-byte ICV
}
