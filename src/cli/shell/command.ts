/**
 * `swarmnet shell`: parse the flags, start a cluster of the chosen hosts through the injected
 * `connect` (the same one `swarmnet run` uses), run the prompt on stdin/stdout, and stop the
 * cluster when the user leaves.
 */
import { parseFlags, parseHostList, invalidFlag, USAGE_EXIT_CODE } from '../scenario/args.js';
import { CLUSTER_FLAG_SPEC, CLUSTER_FLAGS_USAGE, clusterFlags } from '../scenario/cluster-flags.js';
import { withCluster, type Connect, type Io } from '../scenario/command.js';
import { defaultHistoryFile } from './history.js';
import { runShell, type ShellOptions } from './shell.js';

/** The hosts of the Docker overlay tutorials, started when `--hosts` is not given. */
export const DEFAULT_SHELL_HOSTS: readonly string[] = ['manager', 'worker-1', 'worker-2'];

export interface ShellCommandDeps extends Pick<ShellOptions, 'terminal' | 'split' | 'completeDocker' | 'sh' | 'clock'> {
  readonly connect: Connect;
  /** Default: process.stdin / process.stdout. */
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  /** Home directory for `--history` (default: the user's). */
  readonly home?: string;
}

export const SHELL_USAGE = `
Usage:  swarmnet shell [OPTIONS]

Type docker commands against an emulated cluster, host by host

Options:
  -h, --help               Print usage
      --history            Keep command history in ~/.swarmnet_history
      --hosts list         Hosts to start, in order; the first is current
                           (default manager,worker-1,worker-2)
${CLUSTER_FLAGS_USAGE}`.trimStart();

const SHELL_FLAGS = { '--history': 'switch', '--hosts': 'value', '-h': 'switch', '--help': 'switch', ...CLUSTER_FLAG_SPEC } as const;

export async function shellCommand(argv: readonly string[], io: Io, deps: ShellCommandDeps): Promise<number> {
  const parsed = parseFlags(argv, SHELL_FLAGS, 'shell');
  if (!parsed.ok) {
    io.stderr(parsed.message);
    return USAGE_EXIT_CODE;
  }
  const { flags, positional } = parsed;
  if (flags.has('--help') || flags.has('-h')) {
    io.stdout(`\n${SHELL_USAGE}`);
    return 0;
  }
  if (positional.length > 0) {
    io.stderr(`"swarmnet shell" accepts no arguments.\nSee 'swarmnet shell --help'.\n`);
    return 1;
  }
  let hosts: readonly string[] = DEFAULT_SHELL_HOSTS;
  const hostsFlag = flags.get('--hosts');
  if (typeof hostsFlag === 'string') {
    const list = parseHostList(hostsFlag);
    if (typeof list === 'string') {
      io.stderr(invalidFlag('shell', '--hosts', hostsFlag, list));
      return USAGE_EXIT_CODE;
    }
    hosts = list;
  }

  const cluster = clusterFlags(flags, 'shell');
  if (typeof cluster === 'string') {
    io.stderr(cluster);
    return USAGE_EXIT_CODE;
  }

  return withCluster(io, deps.connect, hosts, cluster, (target) =>
    runShell({
      target,
      hosts,
      input: deps.input ?? process.stdin,
      output: deps.output ?? process.stdout,
      terminal: deps.terminal,
      historyFile: flags.has('--history') ? defaultHistoryFile(deps.home) : undefined,
      split: deps.split,
      completeDocker: deps.completeDocker,
      sh: deps.sh,
      clock: deps.clock,
    }),
  );
}
