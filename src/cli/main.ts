/**
 * The `swarmnet` command. Subcommands arrive with the issues that build them; this file only
 * dispatches, prints help and versions, and refuses unknown input with Docker's wording.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Cluster } from '../cluster/index.js';
import { ClusterTarget } from './cluster-target.js';
import { demo } from './demo.js';
import { protoCommand } from './proto.js';
import type { ClusterFlags } from './scenario/cluster-flags.js';
import { runCommand, type TargetSession } from './scenario/index.js';
import { shellCommand } from './shell/index.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const HELP = `
Usage:  swarmnet [OPTIONS] COMMAND

A packet-level emulator of Docker Swarm overlay networking: real VXLAN,
gossip and ESP bytes between emulated hosts on loopback sockets.

Options:
  -h, --help       Print usage
  -v, --version    Print version information and quit

Commands:
  demo             Three hosts pinging each other across a VXLAN overlay
  help             Print usage
  proto            Write the .proto files of 2377's messages, for Wireshark
  run              Run a scenario file (docker commands per host, with
                   expectations) against an emulated cluster
  shell            Type docker commands on an emulated cluster's hosts
  version          Show the swarmnet version

Run 'swarmnet COMMAND --help' for more information on a command.
`.trimStart();

/** The version in swarmnet's package.json, found by walking up from this file (src/ or dist/src/). */
function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const candidate = new URL('package.json', dir);
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'swarmnet') return pkg.version;
    }
    if (dir.pathname === '/') throw new Error('swarmnet: package.json not found');
  }
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(HELP);
    return 0;
  }
  if (command === '-v' || command === '--version') {
    io.stdout(`swarmnet version ${packageVersion()}\n`);
    return 0;
  }
  if (command === 'demo') return demo(rest, io);
  if (command === 'proto') return protoCommand(rest, io);
  if (command === 'run') return runCommand(rest, io, { connect: startCluster });
  if (command === 'shell') return shellCommand(rest, io, { connect: startCluster });
  if (command === 'version') {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout('\nUsage:  swarmnet version\n\nShow the swarmnet version\n');
      return 0;
    }
    if (rest.length > 0) return refuseArgs(io, 'version', rest[0]);
    io.stdout(`swarmnet version ${packageVersion()}\nnode ${process.version}\n`);
    return 0;
  }
  if (command.startsWith('-')) {
    io.stderr(`unknown flag: ${command}\nSee 'swarmnet --help'.\n`);
    return 125;
  }
  io.stderr(`swarmnet: '${command}' is not a swarmnet command.\nSee 'swarmnet --help'\n`);
  return 1;
}

function refuseArgs(io: Io, command: string, arg: string): number {
  const isFlag = arg.startsWith('-');
  io.stderr(isFlag ? `unknown flag: ${arg}\nSee 'swarmnet ${command} --help'.\n` : `"swarmnet ${command}" accepts no arguments.\nSee 'swarmnet ${command} --help'.\n`);
  return isFlag ? 125 : 1;
}

/** Starts a cluster of `hosts` for `run` and `shell`, seen through its docker command lines. */
async function startCluster(hosts: readonly string[], flags: ClusterFlags): Promise<TargetSession> {
  if (hosts.length === 0) throw new Error('the scenario names no host (write HOST$ docker …, or pass --hosts)');
  const cluster = await Cluster.start({
    hosts,
    ...(flags.mode !== undefined ? { mode: flags.mode } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.timeScale !== undefined ? { timeScale: flags.timeScale } : {}),
    ...(flags.pcapDir !== undefined ? { pcapDir: flags.pcapDir } : {}),
  });
  return {
    target: new ClusterTarget(cluster),
    close: async () => {
      if (flags.pcapDir !== undefined) await cluster.captureStop().catch(() => undefined);
      await cluster.stop();
    },
  };
}
