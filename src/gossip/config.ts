/**
 * memberlist's configuration as Docker runs it, and the pure arithmetic memberlist derives from it
 * (hashicorp/memberlist `config.go` `DefaultLANConfig`, `util.go`; reference docker-overlay-facts.md
 * §3.4). Durations are on the injected clock, so `--time-scale` speeds every timer up together.
 */
import { ms, seconds, type Duration } from '../util/clock.js';

/** The port Docker's NetworkDB binds (it never sets memberlist's `BindPort`). */
export const GOSSIP_PORT = 7946;

/** memberlist's protocol version range; Docker speaks 2 (`ProtocolVersion2Compatible`). */
export const PROTOCOL_VERSION_MIN = 1;
export const PROTOCOL_VERSION_MAX = 5;
export const PROTOCOL_VERSION = 2;

export interface MemberlistTiming {
  readonly probeInterval: Duration;
  readonly probeTimeout: Duration;
  readonly indirectChecks: number;
  readonly suspicionMult: number;
  readonly suspicionMaxTimeoutMult: number;
  readonly retransmitMult: number;
  readonly gossipNodes: number;
  readonly gossipInterval: Duration;
  readonly gossipToTheDeadTime: Duration;
  readonly pushPullInterval: Duration;
  readonly tcpTimeout: Duration;
  readonly awarenessMaxMultiplier: number;
  /** Largest UDP payload memberlist builds (Docker sets it from its 1400-byte packet buffer). */
  readonly udpBufferSize: number;
  /** How long a dead node stays in the member list before it is reaped (`GossipToTheDeadTime`
   * governs gossip to it; memberlist's reclaim is the same order). */
  readonly deadNodeReap: Duration;
}

/** `memberlist.DefaultLANConfig()`: what Docker runs. */
export const LAN_TIMING: MemberlistTiming = Object.freeze({
  probeInterval: seconds(1),
  probeTimeout: ms(500),
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  retransmitMult: 4,
  gossipNodes: 3,
  gossipInterval: ms(200),
  gossipToTheDeadTime: seconds(30),
  pushPullInterval: seconds(30),
  tcpTimeout: seconds(10),
  awarenessMaxMultiplier: 8,
  udpBufferSize: 1400,
  deadNodeReap: seconds(30),
});

/**
 * `suspicionTimeout`: the minimum time a suspect has to refute, `mult × max(1, log10 n) × interval`
 * (memberlist keeps three decimals of the node scale).
 */
export function suspicionTimeout(suspicionMult: number, n: number, interval: Duration): Duration {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  return ((suspicionMult * Math.trunc(nodeScale * 1000) * interval) / 1000) as Duration;
}

/**
 * `remainingSuspicionTime` (Lifeguard): with `n` of `k` expected confirmations the timeout falls
 * logarithmically from `max` towards `min`; the time already spent is taken off.
 */
export function remainingSuspicionTime(n: number, k: number, elapsedMs: Duration, min: Duration, max: Duration): Duration {
  const frac = Math.log(n + 1) / Math.log(k + 1);
  const raw = max / 1000 - frac * (max / 1000 - min / 1000);
  const timeout = Math.max(min, Math.floor(1000 * raw));
  return (timeout - elapsedMs) as Duration;
}

/** `retransmitLimit`: how many times a broadcast is sent, `mult × ceil(log10(n + 1))`. */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1));
}

/** `pushPullScale`: above 32 nodes the push/pull interval grows with log2 of the size. */
export function pushPullScale(interval: Duration, n: number): Duration {
  const threshold = 32;
  if (n <= threshold) return interval;
  const multiplier = Math.ceil(Math.log2(n) - Math.log2(threshold)) + 1;
  return (multiplier * interval) as Duration;
}

/**
 * memberlist's `awareness` (Lifeguard local health): a score in [0, max − 1] that rises when this
 * node misses probes or must refute, and scales its probe interval and timeout by `score + 1`.
 */
export class Awareness {
  #score = 0;
  constructor(readonly max: number) {}

  get score(): number {
    return this.#score;
  }

  applyDelta(delta: number): void {
    this.#score = Math.min(this.max - 1, Math.max(0, this.#score + delta));
  }

  scaleTimeout(timeout: Duration): Duration {
    return (timeout * (this.#score + 1)) as Duration;
  }
}
