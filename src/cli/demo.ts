/**
 * `swarmnet demo` (`npm run demo`): the loopback demo. Three hosts — manager, worker-1, worker-2 —
 * each in its own thread with its own sockets, an overlay `demo-net` (VNI 4097, 10.0.1.0/24,
 * gateway 10.0.1.1), one container per host, and every container pinging the two others by IP
 * with busybox's `ping -c 3`. Exits 0 only if every ping got all its replies.
 */
import { parseArgs } from 'node:util';
import { Cluster } from '../cluster/index.js';
import type { ExecResult } from '../host/control.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const HOSTS = ['manager', 'worker-1', 'worker-2'] as const;
const NETWORK = { name: 'demo-net', vni: 4097, subnet: '10.0.1.0/24', gateway: '10.0.1.1' } as const;
const PING_COUNT = 3;

export const DEMO_HELP = `
Usage:  swarmnet demo [OPTIONS]

Start three emulated hosts (manager, worker-1, worker-2) on loopback, create the
overlay network demo-net (VNI ${NETWORK.vni}, ${NETWORK.subnet}), run one container per
host, and ping every container from every other across the VXLAN overlay.

Options:
      --json          Print a machine-readable summary instead of the transcript
      --mode string   Underlay addressing: "address" (127.A.B.N, real ports) or
                      "port" (127.0.0.1, one port per host) (default "address")
      --pcap string   Write underlay and container-interface captures to this directory
      --seed int      Seed for every host's randomness (default 1)
  -h, --help          Print usage
`.trimStart();

interface PingSummary {
  readonly from: string;
  readonly to: string;
  readonly transmitted: number;
  readonly received: number;
  readonly lossPercent: number;
  readonly rttMs: { readonly min: number; readonly avg: number; readonly max: number } | null;
  readonly exitCode: number;
}

/** Reads busybox ping's statistics block (reference §7.1) back into numbers. */
export function parsePingSummary(from: string, to: string, r: ExecResult): PingSummary {
  const counts = /(\d+) packets transmitted, (\d+) packets received, (?:\d+ duplicates, )?(\d+)% packet loss/.exec(r.stdout);
  const rtt = /round-trip min\/avg\/max = ([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(r.stdout);
  return {
    from,
    to,
    transmitted: counts ? Number(counts[1]) : 0,
    received: counts ? Number(counts[2]) : 0,
    lossPercent: counts ? Number(counts[3]) : 100,
    rttMs: rtt ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) } : null,
    exitCode: r.exitCode,
  };
}

export async function demo(argv: readonly string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        json: { type: 'boolean', default: false },
        mode: { type: 'string', default: 'address' },
        pcap: { type: 'string' },
        seed: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.stderr(`${(e as Error).message.replace(/^.*?: /, '')}\nSee 'swarmnet demo --help'.\n`);
    return 125;
  }
  if (values.help) {
    io.stdout(DEMO_HELP);
    return 0;
  }
  if (values.mode !== 'address' && values.mode !== 'port') {
    io.stderr(`invalid argument "${values.mode}" for "--mode" flag: must be "address" or "port"\nSee 'swarmnet demo --help'.\n`);
    return 125;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    io.stderr(`invalid argument "${values.seed}" for "--seed" flag: must be an integer 0..4294967295\nSee 'swarmnet demo --help'.\n`);
    return 125;
  }

  const say = values.json ? () => {} : io.stdout;
  io.stderr(`starting ${HOSTS.length} hosts (${values.mode} mode)…\n`);
  const cluster = await Cluster.start({
    hosts: HOSTS,
    mode: values.mode,
    seed,
    ...(values.pcap !== undefined ? { pcapDir: values.pcap } : {}),
  });
  try {
    await cluster.createOverlay(NETWORK);
    const containers: { host: string; name: string; ip: string; mac: string; underlay: { address: string; port: number } }[] = [];
    for (const host of HOSTS) {
      const info = await cluster.runContainer(host, { name: `alpine-${host}`, network: NETWORK.name });
      const eth0 = info.interfaces.find((i) => i.network === NETWORK.name)!;
      containers.push({ host, name: info.name, ip: eth0.ip, mac: eth0.mac, underlay: cluster.host(host).underlay });
    }

    say(`Overlay ${NETWORK.name}: VNI ${NETWORK.vni}, subnet ${NETWORK.subnet}, gateway ${NETWORK.gateway}\n\n`);
    const w = Math.max(...containers.map((c) => c.name.length));
    say(`${'HOST'.padEnd(10)}${'UNDERLAY (VXLAN)'.padEnd(22)}${'CONTAINER'.padEnd(w + 3)}ADDRESS\n`);
    for (const c of containers) {
      say(`${c.host.padEnd(10)}${`${c.underlay.address}:${c.underlay.port}`.padEnd(22)}${c.name.padEnd(w + 3)}${c.ip}\n`);
    }

    // Every container pings the two others, one after the other; the three run side by side.
    const transcripts = await Promise.all(
      containers.map(async (src) => {
        const runs: { text: string; summary: PingSummary }[] = [];
        for (const dst of containers) {
          if (dst === src) continue;
          const argv = ['ping', '-c', String(PING_COUNT), dst.ip];
          const r = await cluster.exec(src.host, src.name, argv);
          runs.push({
            text: `\n${src.host}$ docker exec ${src.name} ${argv.join(' ')}\n${r.stdout}${r.stderr}`,
            summary: parsePingSummary(src.name, dst.ip, r),
          });
        }
        return runs;
      }),
    );
    const runs = transcripts.flat();
    for (const r of runs) say(r.text);

    const ok = runs.filter((r) => r.summary.exitCode === 0 && r.summary.received === PING_COUNT).length;
    const captures = values.pcap !== undefined ? await cluster.captureStop() : [];
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          {
            network: NETWORK,
            mode: values.mode,
            hosts: containers.map((c) => ({ name: c.host, underlay: c.underlay })),
            containers: containers.map((c) => ({ name: c.name, host: c.host, ip: c.ip, mac: c.mac })),
            pings: runs.map((r) => r.summary),
            captures,
            ok: ok === runs.length,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      say(`\n${ok}/${runs.length} pings got all ${PING_COUNT} replies across the overlay.\n`);
      if (captures.length > 0) say(`Captures:\n${captures.map((f) => `  ${f}\n`).join('')}`);
    }
    return ok === runs.length ? 0 : 1;
  } finally {
    await cluster.stop();
  }
}
