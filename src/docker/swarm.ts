/**
 * `docker swarm init | join | join-token | leave | update` — cli `cli/command/swarm/` (`cmd.go`,
 * `init.go`, `join.go`, `join_token.go`, `leave.go`, `update.go`, `opts.go`): the same flags, help
 * texts and output, talking to the daemon through `swarmInit`, `swarmJoin`, `swarmInspect`,
 * `swarmUpdate`, `swarmLeave`, `nodeInspect` and `info`.
 *
 * Options the emulated daemon cannot honour (autolock, external CAs, a separate data-path address,
 * raft / dispatcher / CA tuning) are declared with their real help but refused when given.
 * `swarm ca`, `swarm unlock` and `swarm unlock-key` are not implemented.
 */
import type { NodeAvailability, SwarmInitRequest, SwarmJoinRequest } from '../host/engine-api.js';
import { exactArgs, noArgs, StatusError, type CommandDef, type RunContext } from './command.js';
import { errorMessageOf } from './errors.js';
import {
  boolKind,
  durationKind,
  intKind,
  ipNetSliceKind,
  nodeAddrKind,
  stringKind,
  uintKind,
  type FlagDef,
  type FlagKind,
  type FlagValues,
} from './flags.js';
import { showHelp } from './help.js';

const NS_PER_SECOND = 1e9;
const NS_PER_HOUR = 3600 * NS_PER_SECOND;

const noSpec = 'swarmnet cannot set swarm spec values yet; the defaults apply';

/** cli `opts.go` flags shared by `init` and `update`. */
const specFlags: readonly FlagDef[] = [
  { name: 'task-history-limit', usage: 'Task history retention limit', kind: intKind(64, 5), unsupported: noSpec },
  { name: 'dispatcher-heartbeat', usage: 'Dispatcher heartbeat period (ns|us|ms|s|m|h)', kind: durationKind(5 * NS_PER_SECOND), unsupported: noSpec },
  { name: 'max-snapshots', usage: 'Number of additional Raft snapshots to retain', kind: uintKind(64, 0), unsupported: noSpec },
  { name: 'snapshot-interval', usage: 'Number of log entries between Raft snapshots', kind: uintKind(64, 10000), unsupported: noSpec },
  { name: 'cert-expiry', usage: 'Validity period for node certificates (ns|us|ms|s|m|h)', kind: durationKind(90 * 24 * NS_PER_HOUR), unsupported: noSpec },
  {
    name: 'external-ca',
    usage: 'Specifications of one or more certificate signing endpoints',
    kind: opaqueKind('external-ca'),
    unsupported: 'the emulated swarm CA signs every certificate itself',
  },
];

/** A value swarmnet only records (its flag is refused when given). */
function opaqueKind(type: string): FlagKind<string> {
  return { type, initial: '', defValue: '', zeroDefault: true, set: (_prev, text) => ({ ok: true, value: text }) };
}

const listenAddrFlag: FlagDef = { name: 'listen-addr', usage: 'Listen address (format: "<ip|interface>[:port]")', kind: nodeAddrKind() };
const advertiseAddrFlag: FlagDef = { name: 'advertise-addr', usage: 'Advertised address (format: "<ip|interface>[:port]")', kind: stringKind() };
const dataPathAddrFlag: FlagDef = {
  name: 'data-path-addr',
  usage: 'Address or interface to use for data path traffic (format: "<ip|interface>")',
  kind: stringKind(),
  unsupported: 'data-path traffic uses the advertise address',
};
const availabilityFlag: FlagDef = { name: 'availability', usage: 'Availability of the node ("active", "pause", "drain")', kind: stringKind('active') };
const autolockUnsupported = 'manager autolocking (unlock keys) is not emulated';

/** cli `runInit`/`runJoin`: `--availability` is checked, and sent, only when given. */
function withAvailability(flags: FlagValues): { Availability?: NodeAvailability } {
  if (!flags.changed('availability')) return {};
  const given = flags.string('availability');
  const a = given.toLowerCase();
  if (a === 'active' || a === 'pause' || a === 'drain') return { Availability: a };
  throw new StatusError(`invalid availability "${given}", only active, pause and drain are supported`);
}

const initCommand: CommandDef = {
  use: 'init [OPTIONS]',
  short: 'Initialize a swarm',
  swarm: '',
  args: noArgs,
  flags: [
    listenAddrFlag,
    advertiseAddrFlag,
    dataPathAddrFlag,
    {
      name: 'data-path-port',
      usage: 'Port number to use for data path traffic (1024 - 49151). If no value is set or is set to 0, the default port (4789) is used.',
      kind: uintKind(32),
    },
    { name: 'force-new-cluster', usage: 'Force create a new cluster from current state', kind: boolKind() },
    { name: 'autolock', usage: 'Enable manager autolocking (requiring an unlock key to start a stopped manager)', kind: boolKind(), unsupported: autolockUnsupported },
    availabilityFlag,
    { name: 'default-addr-pool', usage: 'default address pool in CIDR format', kind: ipNetSliceKind() },
    { name: 'default-addr-pool-mask-length', usage: 'default address pool subnet mask length', kind: uintKind(32, 24) },
    ...specFlags,
  ],
  run: async (ctx) => {
    const { flags, engine } = ctx;
    const request: SwarmInitRequest = {
      ListenAddr: flags.string('listen-addr'),
      AdvertiseAddr: flags.string('advertise-addr'),
      DataPathPort: flags.number('data-path-port'),
      DefaultAddrPool: flags.list('default-addr-pool'),
      SubnetSize: flags.number('default-addr-pool-mask-length'),
      ForceNewCluster: flags.bool('force-new-cluster'),
      ...withAvailability(flags),
    };
    let nodeId: string;
    try {
      nodeId = await engine.call('swarmInit', request);
    } catch (e) {
      const text = errorMessageOf(e);
      if (text.includes('could not choose an IP address to advertise') || text.includes("could not find the system's IP address")) {
        throw new StatusError(`${text} - specify one with --advertise-addr`);
      }
      throw e;
    }
    ctx.stdout(`Swarm initialized: current node (${nodeId}) is now a manager.\n\n`);
    await printJoinCommand(ctx, nodeId, 'worker');
    ctx.stdout("To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.\n");
  },
};

/** cli `printJoinCommand`: the address is the node's own `ManagerStatus.Addr`. */
async function printJoinCommand(ctx: RunContext, nodeId: string, role: 'worker' | 'manager'): Promise<void> {
  const node = await ctx.engine.call('nodeInspect', { id: nodeId });
  const swarm = await ctx.engine.call('swarmInspect', {});
  if (node.ManagerStatus === undefined) return;
  const token = role === 'worker' ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager;
  ctx.stdout(
    `To add a ${role} to this swarm, run the following command:\n\n    docker swarm join --token ${token} ${node.ManagerStatus.Addr}\n\n`,
  );
}

const joinCommand: CommandDef = {
  use: 'join [OPTIONS] HOST:PORT',
  short: 'Join a swarm as a node and/or manager',
  swarm: '',
  args: exactArgs(1),
  flags: [
    listenAddrFlag,
    advertiseAddrFlag,
    dataPathAddrFlag,
    { name: 'token', usage: 'Token for entry into the swarm', kind: stringKind() },
    availabilityFlag,
  ],
  run: async (ctx) => {
    const { flags, engine } = ctx;
    const request: SwarmJoinRequest = {
      JoinToken: flags.string('token'),
      ListenAddr: flags.string('listen-addr'),
      AdvertiseAddr: flags.string('advertise-addr'),
      RemoteAddrs: [ctx.args[0]],
      ...withAvailability(flags),
    };
    await engine.call('swarmJoin', request);
    const info = await engine.call('info', {});
    ctx.stdout(info.Swarm.ControlAvailable ? 'This node joined a swarm as a manager.\n' : 'This node joined a swarm as a worker.\n');
  },
};

const joinTokenCommand: CommandDef = {
  use: 'join-token [OPTIONS] (worker|manager)',
  short: 'Manage join tokens',
  swarm: 'manager',
  args: exactArgs(1),
  flags: [
    { name: 'rotate', usage: 'Rotate join token', kind: boolKind() },
    { name: 'quiet', shorthand: 'q', usage: 'Only display token', kind: boolKind() },
  ],
  run: async (ctx) => {
    const role = ctx.args[0];
    if (role !== 'worker' && role !== 'manager') throw new StatusError(`unknown role ${role}`);
    const quiet = ctx.flags.bool('quiet');
    if (ctx.flags.bool('rotate')) {
      const before = await ctx.engine.call('swarmInspect', {});
      await ctx.engine.call('swarmUpdate', {
        version: before.Version.Index,
        rotateWorkerToken: role === 'worker',
        rotateManagerToken: role === 'manager',
      });
      if (!quiet) ctx.stdout(`Successfully rotated ${role} join token.\n\n`);
    }
    // Inspected again: a rotation changed the tokens.
    const swarm = await ctx.engine.call('swarmInspect', {});
    if (quiet) {
      ctx.stdout(`${role === 'worker' ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager}\n`);
      return;
    }
    const info = await ctx.engine.call('info', {});
    await printJoinCommand(ctx, info.Swarm.NodeID, role);
  },
};

const leaveCommand: CommandDef = {
  use: 'leave [OPTIONS]',
  short: 'Leave the swarm',
  swarm: 'active',
  args: noArgs,
  flags: [{ name: 'force', shorthand: 'f', usage: 'Force this node to leave the swarm, ignoring warnings', kind: boolKind() }],
  run: async (ctx) => {
    await ctx.engine.call('swarmLeave', { force: ctx.flags.bool('force') });
    ctx.stdout('Node left the swarm.\n');
  },
};

const updateCommand: CommandDef = {
  use: 'update [OPTIONS]',
  short: 'Update the swarm',
  swarm: 'manager',
  args: noArgs,
  flags: [{ name: 'autolock', usage: 'Change manager autolocking setting (true|false)', kind: boolKind(), unsupported: autolockUnsupported }, ...specFlags],
  // cli: without any flag, `swarm update` prints its help.
  wantsHelp: (ctx) => ctx.flags.count === 0,
  run: async (ctx) => {
    // Every flag is refused before this runs (no spec reaches the daemon yet); cli `runUpdate`.
    const swarm = await ctx.engine.call('swarmInspect', {});
    await ctx.engine.call('swarmUpdate', { version: swarm.Version.Index });
    ctx.stdout('Swarm updated.\n');
  },
};

export const swarmCommand: CommandDef = {
  use: 'swarm',
  short: 'Manage Swarm',
  swarm: '',
  args: noArgs,
  subcommands: [initCommand, joinCommand, joinTokenCommand, updateCommand, leaveCommand],
  run: showHelp,
};
