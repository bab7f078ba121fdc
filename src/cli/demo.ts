/**
 * `swarmnet demo` (`npm run demo`): the loopback demo, as a user would type it. Three hosts —
 * manager, worker-1, worker-2 — each in its own thread with its own sockets; `docker swarm init`
 * on the manager and `docker swarm join` on the workers (over 2377), `docker network create -d
 * overlay demo-net`, `docker service create --replicas 3 --network demo-net alpine sleep 1d`
 * (one task per node: the scheduler spreads them), then every task pings the two others by IP
 * with busybox's `ping -c 3` through `docker exec`, across VXLAN. Exits 0 only if every ping got
 * all its replies.
 */
import { parseArgs } from 'node:util';
import { Cluster } from '../cluster/index.js';
import type { ExecResult } from '../host/control.js';
import type { EngineTask } from '../host/engine-api.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const HOSTS = ['manager', 'worker-1', 'worker-2'] as const;
const NETWORK = 'demo-net';
const SERVICE = 'demo';
const PING_COUNT = 3;
/** How long the tasks get to start on a freshly joined cluster (real time). */
const CONVERGE_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

export const DEMO_HELP = `
Usage:  swarmnet demo [OPTIONS]

Start three emulated hosts (manager, worker-1, worker-2) on loopback, make them a
swarm, create the overlay network ${NETWORK} and a 3-replica alpine service on it,
and ping every task from every other across the VXLAN overlay.

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
export function parsePingSummary(from: string, to: string, r: Pick<ExecResult, 'stdout'> & { readonly exitCode: number | null }): PingSummary {
  const counts = /(\d+) packets transmitted, (\d+) packets received, (?:\d+ duplicates, )?(\d+)% packet loss/.exec(r.stdout);
  const rtt = /round-trip min\/avg\/max = ([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(r.stdout);
  return {
    from,
    to,
    transmitted: counts ? Number(counts[1]) : 0,
    received: counts ? Number(counts[2]) : 0,
    lossPercent: counts ? Number(counts[3]) : 100,
    rttMs: rtt ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) } : null,
    exitCode: r.exitCode ?? -1,
  };
}

interface DemoTask {
  readonly host: string;
  readonly name: string;
  readonly ip: string;
  readonly mac: string;
}

/** The running tasks of the demo service, once there is one per host (bounded wait). */
async function runningTasks(cluster: Cluster): Promise<DemoTask[]> {
  const manager = cluster.host('manager').engine;
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  for (;;) {
    const [tasks, nodes] = await Promise.all([
      manager.call('taskList', { filters: { service: [SERVICE], 'desired-state': ['running'] } }),
      manager.call('nodeList', {}),
    ]);
    const running = tasks.filter((t) => t.Status.State === 'running');
    if (running.length === HOSTS.length) {
      const hostOf = new Map(nodes.map((n) => [n.ID, n.Description.Hostname]));
      return running
        .map((t) => demoTask(t, hostOf.get(t.NodeID ?? '') ?? '?'))
        .sort((a, b) => HOSTS.indexOf(a.host as (typeof HOSTS)[number]) - HOSTS.indexOf(b.host as (typeof HOSTS)[number]));
    }
    if (Date.now() > deadline) throw new Error(`the ${SERVICE} service did not converge: ${running.length} of ${HOSTS.length} tasks running`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function demoTask(t: EngineTask, host: string): DemoTask {
  const attachment = t.NetworksAttachments?.find((a) => a.Network.Spec.Name === NETWORK);
  const ip = attachment?.Addresses[0]?.split('/')[0] ?? '';
  const mac = `02:42:${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`;
  return { host, name: `${SERVICE}.${t.Slot}.${t.ID}`, ip, mac };
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
    /** Runs a docker command on a host, echoing it and its output like a terminal would. */
    const docker = async (host: string, command: string, options: { quiet?: boolean } = {}) => {
      const r = await cluster.host(host).docker(command);
      if (!options.quiet) say(`\n${host}$ docker ${command}\n${r.stdout}${r.stderr}`);
      if (r.exitCode !== 0) throw new Error(`docker ${command} on ${host} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
      return r;
    };
    const manager = cluster.host('manager');
    await docker('manager', `swarm init --advertise-addr ${manager.underlay.address}`);
    const token = (await docker('manager', 'swarm join-token -q worker', { quiet: true })).stdout.trim();
    // 2377 in address mode; the stand-in port in port mode: the manager says which.
    const managerAddr = (await manager.engine.call('info', {})).Swarm.RemoteManagers?.[0]?.Addr ?? `${manager.underlay.address}:2377`;
    for (const worker of HOSTS.slice(1)) await docker(worker, `swarm join --token ${token} ${managerAddr}`);
    await docker('manager', `network create -d overlay ${NETWORK}`);
    await docker('manager', `service create --detach --name ${SERVICE} --replicas ${HOSTS.length} --network ${NETWORK} alpine sleep 1d`);
    io.stderr(`waiting for ${HOSTS.length} tasks…\n`);
    const tasks = await runningTasks(cluster);
    await docker('manager', `service ps ${SERVICE}`);

    // Every task pings the two others, one after the other; the three run side by side.
    const transcripts = await Promise.all(
      tasks.map(async (src) => {
        const runs: { text: string; summary: PingSummary }[] = [];
        for (const dst of tasks) {
          if (dst === src) continue;
          const command = `exec ${src.name} ping -c ${PING_COUNT} ${dst.ip}`;
          const r = await cluster.host(src.host).docker(command);
          runs.push({ text: `\n${src.host}$ docker ${command}\n${r.stdout}${r.stderr}`, summary: parsePingSummary(src.name, dst.ip, r) });
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
            hosts: HOSTS.map((name) => ({ name, underlay: cluster.host(name).underlay })),
            containers: tasks.map((t) => ({ name: t.name, host: t.host, ip: t.ip, mac: t.mac })),
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
