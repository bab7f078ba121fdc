/**
 * The flags `swarmnet run` and `swarmnet shell` share about the cluster they start: captures,
 * the seed, the underlay addressing mode and the clock's speed. Parsed here, honoured by the
 * `connect` the caller injects.
 */
import { invalidFlag } from './args.js';

export interface ClusterFlags {
  /** `--pcap DIR`: per-host underlay and per-interface captures, as in the demo. */
  readonly pcapDir?: string;
  /** `--seed N`: every host's RNG derives from it, so a run can be repeated. */
  readonly seed?: number;
  /** `--mode address|port`. */
  readonly mode?: 'address' | 'port';
  /** `--time-scale X`: emulated seconds per real second (heartbeats, key rotation). */
  readonly timeScale?: number;
}

export const CLUSTER_FLAG_SPEC = { '--pcap': 'value', '--seed': 'value', '--mode': 'value', '--time-scale': 'value' } as const;

export const CLUSTER_FLAGS_USAGE = `      --mode string        Underlay addressing: "address" (a loopback
                           address per host, real ports; default on
                           Linux) or "port" (127.0.0.1, stand-in ports)
      --pcap dir           Write per-host underlay and per-interface
                           pcap captures into dir
      --seed int           Seed for every host's random choices (IDs,
                           jitter), so a run can be repeated (default 1)
      --time-scale float   Emulated seconds per real second (default 1)
`;

/** Reads the cluster flags out of parsed flags; a bad value gives the usage error text. */
export function clusterFlags(flags: ReadonlyMap<string, string | true>, command: string): ClusterFlags | string {
  const out: { -readonly [K in keyof ClusterFlags]: ClusterFlags[K] } = {};
  const pcap = flags.get('--pcap');
  if (typeof pcap === 'string') {
    if (pcap === '') return invalidFlag(command, '--pcap', pcap, 'expected a directory');
    out.pcapDir = pcap;
  }
  const seed = flags.get('--seed');
  if (typeof seed === 'string') {
    const n = Number(seed);
    if (!/^-?\d+$/.test(seed) || !Number.isSafeInteger(n)) return invalidFlag(command, '--seed', seed, 'expected an integer');
    out.seed = n;
  }
  const mode = flags.get('--mode');
  if (typeof mode === 'string') {
    if (mode !== 'address' && mode !== 'port') return invalidFlag(command, '--mode', mode, 'expected "address" or "port"');
    out.mode = mode;
  }
  const scale = flags.get('--time-scale');
  if (typeof scale === 'string') {
    const n = Number(scale);
    if (scale.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1_000_000) return invalidFlag(command, '--time-scale', scale, 'expected a number above 0 and up to 1000000');
    out.timeScale = n;
  }
  return out;
}
