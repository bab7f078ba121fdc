/**
 * `docker ps | exec | attach | start | stop | kill | rm | logs | inspect` and the `container`
 * management group — cli `cli/command/container/` (`list.go`, `exec.go`, `attach.go`,
 * `start.go`, `stop.go`, `kill.go`, `rm.go`, `logs.go`, `inspect.go`, `cmd.go`) and the top-level
 * `docker inspect` (cli `cli/command/system/inspect.go`, which tries each object type in turn).
 * `run` and `create` are in container-run.ts.
 *
 * Interactive commands (`exec -i`, `attach`) read the session's input to its end and hand it to
 * the daemon in one piece, then print what the process printed and exit with its status.
 */
import { EngineApiError, type ContainerListFilters } from '../host/engine-api.js';
import { exactArgs, minArgs, noArgs, StatusError, type CommandDef, type RunContext } from './command.js';
import { CONTAINER_HEADER, containerListFormat, containerRowContext } from './container-format.js';
import { createCommand, finishProcess, readAllInput, runCommand } from './container-run.js';
import { errorMessageOf } from './errors.js';
import { boolKind, filterKind, intKind, listKind, stringKind } from './flags.js';
import { formatList, inspectObjects, type Inspected } from './format.js';
import { showHelp } from './help.js';
import { typedNetwork } from './network-format.js';
import { FORMAT_HELP, INSPECT_FORMAT_HELP } from './node.js';
import { typedNode } from './node-format.js';
import { envListKind } from './service-opts.js';
import { toGoStruct } from './service-typed.js';

const listFlags = [
  { name: 'all', shorthand: 'a', usage: 'Show all containers (default shows just running)', kind: boolKind() },
  { name: 'filter', shorthand: 'f', usage: 'Filter output based on conditions provided', kind: filterKind() },
  { name: 'format', usage: FORMAT_HELP, kind: stringKind() },
  { name: 'last', shorthand: 'n', usage: 'Show n last created containers (includes all states)', kind: intKind(64, -1) },
  { name: 'latest', shorthand: 'l', usage: 'Show the latest created container (includes all states)', kind: boolKind() },
  { name: 'no-trunc', usage: "Don't truncate output", kind: boolKind() },
  { name: 'quiet', shorthand: 'q', usage: 'Only display container IDs', kind: boolKind() },
  { name: 'size', shorthand: 's', usage: 'Display total file sizes', kind: boolKind() },
];

async function listContainers(ctx: RunContext): Promise<void> {
  const fl = ctx.flags;
  const filters = fl.get<ContainerListFilters>('filter');
  const last = fl.bool('latest') ? 1 : fl.number('last');
  const all = fl.bool('all') || last > 0;
  let containers = await ctx.engine.call('containerList', { ...(all ? { all } : {}), ...(Object.keys(filters).length > 0 ? { filters } : {}) });
  containers = [...containers].sort((a, b) => b.Created - a.Created);
  if (last > 0) containers = containers.slice(0, last);
  const format = containerListFormat(fl.string('format') || 'table', fl.bool('quiet'));
  const now = ctx.now();
  ctx.stdout(formatList(format, containers.map((c) => containerRowContext(c, !fl.bool('no-trunc'), now)), CONTAINER_HEADER));
}

const LS_ALIASES = 'docker container ls, docker container list, docker container ps, docker ps';

const listCommand: CommandDef = {
  use: 'ls [OPTIONS]',
  aliases: ['list', 'ps'],
  aliasesText: LS_ALIASES,
  short: 'List containers',
  args: noArgs,
  flags: listFlags,
  run: listContainers,
};

/** `docker ps`: the same command at the top level. */
const psCommand: CommandDef = { ...listCommand, use: 'ps [OPTIONS]', aliases: undefined, categoryTop: '3' };

/** Runs `op` on each argument, echoing it on success; failures are collected (exit 1). */
async function eachContainer(ctx: RunContext, op: (ref: string) => Promise<void>): Promise<void> {
  const errors: string[] = [];
  for (const ref of ctx.args) {
    try {
      await op(ref);
      ctx.stdout(`${ref}\n`);
    } catch (e) {
      errors.push(errorMessageOf(e));
    }
  }
  if (errors.length > 0) throw new StatusError(errors.join('\n'));
}

const execCommand: CommandDef = {
  use: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  aliasesText: 'docker container exec, docker exec',
  categoryTop: '2',
  args: minArgs(2),
  interspersed: false,
  flags: [
    { name: 'detach', shorthand: 'd', usage: 'Detached mode: run command in the background', kind: boolKind(), unsupported: 'background exec sessions' },
    { name: 'detach-keys', usage: 'Override the key sequence for detaching a container', kind: stringKind(), unsupported: 'detach keys' },
    { name: 'env', shorthand: 'e', usage: 'Set environment variables', kind: envListKind() },
    { name: 'env-file', usage: 'Read in a file of environment variables', kind: listKind(), unsupported: 'client-side files' },
    { name: 'interactive', shorthand: 'i', usage: 'Keep STDIN open even if not attached', kind: boolKind() },
    { name: 'privileged', usage: 'Give extended privileges to the command', kind: boolKind(), unsupported: 'privileged exec' },
    { name: 'tty', shorthand: 't', usage: 'Allocate a pseudo-TTY', kind: boolKind() },
    { name: 'user', shorthand: 'u', usage: 'Username or UID (format: "<name|uid>[:<group|gid>]")', kind: stringKind(), unsupported: 'users' },
    { name: 'workdir', shorthand: 'w', usage: 'Working directory inside the container', kind: stringKind() },
  ],
  run: async (ctx) => {
    const [ref, ...cmd] = ctx.args;
    // cli: the container is inspected first, so a missing one fails before any input is read.
    const container = await ctx.engine.call('containerInspect', { id: ref });
    const stdin = await readAllInput(ctx, ctx.flags.bool('interactive'));
    const workdir = ctx.flags.string('workdir');
    const output = await ctx.engine.call('containerExec', {
      id: container.Id,
      cmd,
      tty: ctx.flags.bool('tty'),
      stdin,
      env: ctx.flags.list('env'),
      ...(workdir !== '' ? { workdir } : {}),
    });
    finishProcess(ctx, output, ctx.flags.bool('tty'));
  },
};

const attachCommand: CommandDef = {
  use: 'attach [OPTIONS] CONTAINER',
  short: 'Attach local standard input, output, and error streams to a running container',
  aliasesText: 'docker container attach, docker attach',
  args: exactArgs(1),
  flags: [
    { name: 'detach-keys', usage: 'Override the key sequence for detaching a container', kind: stringKind(), unsupported: 'detach keys' },
    { name: 'no-stdin', usage: 'Do not attach STDIN', kind: boolKind() },
    { name: 'sig-proxy', usage: 'Proxy all received signals to the process', kind: boolKind(true) },
  ],
  run: async (ctx) => {
    const container = await ctx.engine.call('containerInspect', { id: ctx.args[0] });
    if (!container.State.Running) throw new StatusError('You cannot attach to a stopped container, start it first');
    const stdin = await readAllInput(ctx, !ctx.flags.bool('no-stdin') && container.Config.OpenStdin);
    const output = await ctx.engine.call('containerAttach', { id: container.Id, stdin });
    finishProcess(ctx, output, container.Config.Tty);
  },
};

const startCommand: CommandDef = {
  use: 'start [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  aliasesText: 'docker container start, docker start',
  args: minArgs(1),
  flags: [
    { name: 'attach', shorthand: 'a', usage: 'Attach STDOUT/STDERR and forward signals', kind: boolKind(), unsupported: 'attaching on start; use docker attach' },
    { name: 'detach-keys', usage: 'Override the key sequence for detaching a container', kind: stringKind(), unsupported: 'detach keys' },
    { name: 'interactive', shorthand: 'i', usage: "Attach container's STDIN", kind: boolKind(), unsupported: 'attaching on start; use docker attach' },
  ],
  run: (ctx) => eachContainer(ctx, async (id) => void (await ctx.engine.call('containerStart', { id }))),
};

const stopCommand: CommandDef = {
  use: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  aliasesText: 'docker container stop, docker stop',
  args: minArgs(1),
  flags: [
    { name: 'signal', shorthand: 's', usage: 'Signal to send to the container', kind: stringKind(), unsupported: 'custom stop signals' },
    { name: 'timeout', shorthand: 't', usage: 'Seconds to wait before killing the container', kind: intKind(64) },
  ],
  run: (ctx) => {
    const timeout = ctx.flags.changed('timeout') ? { timeout: ctx.flags.number('timeout') } : {};
    return eachContainer(ctx, async (id) => void (await ctx.engine.call('containerStop', { id, ...timeout })));
  },
};

const killCommand: CommandDef = {
  use: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  aliasesText: 'docker container kill, docker kill',
  args: minArgs(1),
  flags: [{ name: 'signal', shorthand: 's', usage: 'Signal to send to the container', kind: stringKind() }],
  run: (ctx) => {
    const signal = ctx.flags.string('signal');
    return eachContainer(ctx, async (id) => void (await ctx.engine.call('containerKill', { id, ...(signal !== '' ? { signal } : {}) })));
  },
};

const removeCommand: CommandDef = {
  use: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  aliases: ['remove'],
  aliasesText: 'docker container rm, docker container remove, docker rm',
  short: 'Remove one or more containers',
  args: minArgs(1),
  flags: [
    { name: 'force', shorthand: 'f', usage: 'Force the removal of a running container (uses SIGKILL)', kind: boolKind() },
    { name: 'link', shorthand: 'l', usage: 'Remove the specified link', kind: boolKind(), unsupported: 'legacy links' },
    { name: 'volumes', shorthand: 'v', usage: 'Remove anonymous volumes associated with the container', kind: boolKind() },
  ],
  run: (ctx) => eachContainer(ctx, async (id) => void (await ctx.engine.call('containerRemove', { id, force: ctx.flags.bool('force') }))),
};

/** Lines of a log text, keeping only the last `tail` when asked. */
function tailLines(text: string, tail: number | undefined): string {
  if (tail === undefined || text === '') return text;
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return tail === 0 ? '' : `${lines.slice(-tail).join('\n')}\n`;
}

const logsCommand: CommandDef = {
  use: 'logs [OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  aliasesText: 'docker container logs, docker logs',
  args: exactArgs(1),
  flags: [
    { name: 'details', usage: 'Show extra details provided to logs', kind: boolKind(), unsupported: 'swarmnet logs carry no details' },
    { name: 'follow', shorthand: 'f', usage: 'Follow log output', kind: boolKind(), unsupported: 'a scenario step reads what was logged so far' },
    { name: 'since', usage: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)', kind: stringKind(), unsupported: 'swarmnet logs carry no timestamps' },
    { name: 'tail', shorthand: 'n', usage: 'Number of lines to show from the end of the logs', kind: stringKind('all') },
    { name: 'timestamps', shorthand: 't', usage: 'Show timestamps', kind: boolKind(), unsupported: 'swarmnet logs carry no timestamps' },
    { name: 'until', usage: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)', kind: stringKind(), unsupported: 'swarmnet logs carry no timestamps' },
  ],
  run: async (ctx) => {
    const tailText = ctx.flags.string('tail');
    const tail = /^[0-9]+$/.test(tailText) ? Number(tailText) : undefined;
    const logs = await ctx.engine.call('containerLogs', { id: ctx.args[0], ...(tail !== undefined ? { tail } : {}) });
    ctx.stdout(tailLines(logs.stdout, tail));
    ctx.stderr(tailLines(logs.stderr, tail));
  },
};

async function inspectContainer(ctx: RunContext, ref: string): Promise<Inspected> {
  const c = await ctx.engine.call('containerInspect', { id: ref });
  return { typed: toGoStruct(c, 'container.InspectResponse'), raw: c };
}

const containerInspectCommand: CommandDef = {
  use: 'inspect [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  args: minArgs(1),
  flags: [
    { name: 'format', shorthand: 'f', usage: INSPECT_FORMAT_HELP, kind: stringKind() },
    { name: 'size', shorthand: 's', usage: 'Display total file sizes', kind: boolKind() },
  ],
  run: (ctx) => inspectObjects(ctx.stdout, ctx.args, ctx.flags.string('format'), (ref) => inspectContainer(ctx, ref)),
};

/** cli `system/inspect.go` object types swarmnet has, in the order docker tries them. */
const INSPECT_TYPES = ['container', 'network', 'node', 'service', 'task'] as const;

/** Looks `ref` up as each type in turn; only "not found" moves on to the next type. */
async function inspectAny(ctx: RunContext, ref: string, only: string): Promise<Inspected> {
  const getters: Record<(typeof INSPECT_TYPES)[number], () => Promise<Inspected>> = {
    container: () => inspectContainer(ctx, ref),
    network: async () => {
      const n = await ctx.engine.call('networkInspect', { id: ref });
      return { typed: typedNetwork(n), raw: n };
    },
    node: async () => {
      const n = await ctx.engine.call('nodeInspect', { id: ref });
      return { typed: typedNode(n), raw: n };
    },
    service: async () => {
      const s = await ctx.engine.call('serviceInspect', { id: ref, insertDefaults: true });
      return { typed: toGoStruct(s, 'swarm.Service'), raw: s };
    },
    task: async () => {
      const t = await ctx.engine.call('taskInspect', { id: ref });
      return { typed: toGoStruct(t, 'swarm.Task'), raw: t };
    },
  };
  for (const type of INSPECT_TYPES) {
    if (only !== '' && only !== type) continue;
    try {
      return await getters[type]();
    } catch (e) {
      // Swarm types on a non-manager answer 503: docker skips them like a miss.
      if (e instanceof EngineApiError && (e.status === 404 || e.status === 503)) continue;
      throw e;
    }
  }
  throw new StatusError(`Error: No such object: ${ref}`);
}

const topInspectCommand: CommandDef = {
  use: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on Docker objects',
  args: minArgs(1),
  flags: [
    { name: 'format', shorthand: 'f', usage: INSPECT_FORMAT_HELP, kind: stringKind() },
    { name: 'size', shorthand: 's', usage: 'Display total file sizes if the type is container', kind: boolKind() },
    { name: 'type', usage: 'Only inspect objects of the given type', kind: stringKind() },
  ],
  run: async (ctx) => {
    const only = ctx.flags.string('type');
    const known = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];
    if (only !== '' && !known.includes(only)) throw new StatusError(`"${only}" is not a valid value for --type`);
    await inspectObjects(ctx.stdout, ctx.args, ctx.flags.string('format'), (ref) => inspectAny(ctx, ref, only));
  },
};

export const containerCommand: CommandDef = {
  use: 'container',
  short: 'Manage containers',
  args: noArgs,
  subcommands: [attachCommand, createCommand, execCommand, containerInspectCommand, killCommand, logsCommand, listCommand, removeCommand, runCommand, startCommand, stopCommand],
  run: showHelp,
};

/** The container commands docker also offers at the top level. */
export const TOP_LEVEL_CONTAINER_COMMANDS: readonly CommandDef[] = [
  attachCommand,
  createCommand,
  execCommand,
  topInspectCommand,
  killCommand,
  logsCommand,
  psCommand,
  { ...removeCommand, aliases: undefined },
  runCommand,
  startCommand,
  stopCommand,
];
