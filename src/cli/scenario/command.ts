/**
 * `swarmnet run FILE`: read and parse the scenario (reporting every `FILE:LINE:` error and
 * running nothing if there is one), start a cluster of its hosts through the injected `connect`,
 * run it, stop the cluster whatever happened, and exit 0 only if every step passed.
 */
import { readFile } from 'node:fs/promises';
import { invalidFlag, parseDuration, parseFlags, parseHostList, USAGE_EXIT_CODE } from './args.js';
import { CLUSTER_FLAG_SPEC, CLUSTER_FLAGS_USAGE, clusterFlags, type ClusterFlags } from './cluster-flags.js';
import { messageOf } from './execute.js';
import { parseScenario, resolveHosts } from './parse.js';
import { MAX_STEP_TIMEOUT_MS, runScenario, type ScenarioClock } from './runner.js';
import type { RunSh } from './sh.js';
import { formatParseError } from './steps.js';
import type { ScenarioTarget } from './target.js';

/** Where a command writes (the same shape as `main.ts`'s `Io`). */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** A running cluster seen as a `ScenarioTarget`, and how to stop it. */
export interface TargetSession {
  readonly target: ScenarioTarget;
  close(): Promise<void>;
}

/** Starts a cluster with exactly these hosts, in this order (the cluster side provides it). */
export type Connect = (hosts: readonly string[], cluster: ClusterFlags) => Promise<TargetSession>;

export interface RunCommandDeps {
  readonly connect: Connect;
  readonly readFile?: (path: string) => Promise<string>;
  readonly clock?: ScenarioClock;
  readonly split?: (line: string) => string[];
  readonly sh?: RunSh;
}

/** Largest scenario file read: far beyond any tutorial, small enough to refuse a wrong file. */
export const MAX_SCENARIO_BYTES = 1 << 20;

export const RUN_USAGE = `
Usage:  swarmnet run [OPTIONS] FILE

Run a scenario file against an emulated cluster: each "HOST$ docker ..."
line runs on that host, and the indented "~ TEXT", "!~ TEXT" and "exit N"
lines under it must hold (retried until they do, or the timeout passes)

Options:
      --fail-fast          Stop at the first failed step
      --hosts list         Hosts to start first, in order, e.g.
                           manager,worker-1,worker-2 (default: the hosts
                           the file names, in order of first mention)
  -h, --help               Print usage
${CLUSTER_FLAGS_USAGE}      --timeout duration   How long a step's expectations may take to
                           hold, e.g. 30s (default 10s)
`.trimStart();

const RUN_FLAGS = { '--fail-fast': 'switch', '--hosts': 'value', '--timeout': 'value', '-h': 'switch', '--help': 'switch', ...CLUSTER_FLAG_SPEC } as const;

export async function runCommand(argv: readonly string[], io: Io, deps: RunCommandDeps): Promise<number> {
  const parsed = parseFlags(argv, RUN_FLAGS, 'run');
  if (!parsed.ok) return usageError(io, parsed.message);
  const { flags, positional } = parsed;
  if (flags.has('--help') || flags.has('-h')) {
    io.stdout(`\n${RUN_USAGE}`);
    return 0;
  }
  if (positional.length !== 1) {
    io.stderr(`"swarmnet run" requires exactly 1 argument.\nSee 'swarmnet run --help'.\n\n${RUN_USAGE.split('\n\n').slice(0, 2).join('\n\n')}\n`);
    return 1;
  }
  let requested: string[] = [];
  const hostsFlag = flags.get('--hosts');
  if (typeof hostsFlag === 'string') {
    const hosts = parseHostList(hostsFlag);
    if (typeof hosts === 'string') return usageError(io, invalidFlag('run', '--hosts', hostsFlag, hosts));
    requested = hosts;
  }
  let timeoutMs: number | undefined;
  const timeoutFlag = flags.get('--timeout');
  if (typeof timeoutFlag === 'string') {
    timeoutMs = parseDuration(timeoutFlag);
    if (timeoutMs === undefined || timeoutMs <= 0 || timeoutMs > MAX_STEP_TIMEOUT_MS) {
      return usageError(io, invalidFlag('run', '--timeout', timeoutFlag, `expected a duration above 0 and up to ${MAX_STEP_TIMEOUT_MS / 60_000}m, e.g. 30s`));
    }
  }

  const cluster = clusterFlags(flags, 'run');
  if (typeof cluster === 'string') return usageError(io, cluster);

  const file = positional[0]!;
  let text: string;
  try {
    text = await (deps.readFile ?? readScenarioFile)(file);
  } catch (err) {
    io.stderr(`swarmnet: ${messageOf(err)}\n`);
    return 1;
  }
  const result = parseScenario(text, { file, split: deps.split });
  if (!result.ok) {
    for (const e of result.errors) io.stderr(`${formatParseError(e)}\n`);
    return 1;
  }

  const hosts = resolveHosts(result.scenario.hosts, requested);
  return withCluster(io, deps.connect, hosts, cluster, async (target) => {
    const report = await runScenario(
      result.scenario,
      { target, write: io.stdout, clock: deps.clock, split: deps.split, sh: deps.sh },
      { timeoutMs, failFast: flags.has('--fail-fast') },
    );
    return report.exitCode;
  });
}

/**
 * Starts a cluster of `hosts`, runs `body` against it and stops the cluster whatever happens.
 * A cluster that cannot start is reported on stderr and gives exit code 1.
 */
export async function withCluster(
  io: Io,
  connect: Connect,
  hosts: readonly string[],
  cluster: ClusterFlags,
  body: (target: ScenarioTarget) => Promise<number>,
): Promise<number> {
  let session: TargetSession;
  try {
    session = await connect(hosts, cluster);
  } catch (err) {
    io.stderr(`swarmnet: cannot start the cluster (${hosts.join(', ')}): ${messageOf(err)}\n`);
    return 1;
  }
  try {
    return await body(session.target);
  } finally {
    await session.close().catch((err: unknown) => io.stderr(`swarmnet: stopping the cluster: ${messageOf(err)}\n`));
  }
}

/** Reads a scenario file, refusing one too large to be a scenario. */
async function readScenarioFile(path: string): Promise<string> {
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `open ${path}: no such file or directory` : `open ${path}: ${err.message}`);
  });
  if (bytes.length > MAX_SCENARIO_BYTES) throw new Error(`${path}: ${bytes.length} bytes is too large for a scenario (limit ${MAX_SCENARIO_BYTES})`);
  return bytes.toString('utf8');
}

function usageError(io: Io, message: string): number {
  io.stderr(message);
  return USAGE_EXIT_CODE;
}
