/**
 * `docker node ls | inspect | promote | demote | update | rm` — cli `cli/command/node/` (`cmd.go`,
 * `list.go`, `inspect.go`, `promote.go`, `demote.go`, `update.go`, `remove.go`): same flags, help
 * texts and output, through the daemon's `nodeList`, `nodeInspect`, `nodeUpdate`, `nodeRemove`
 * and `info`. `self` names the node the command runs on (cli `Reference`, via `info`).
 * Manager-only refusals come from the daemon. `node ps` prints the shared task table (task-format.ts).
 */
import type { EngineTask, NodeAvailability, NodeListFilters, NodeRole, NodeSpec, SwarmInfo, SwarmNode, TaskListFilters } from '../host/engine-api.js';
import { exactArgs, minArgs, noArgs, StatusError, type CommandDef, type RunContext } from './command.js';
import { errorMessageOf } from './errors.js';
import { boolKind, filterKind, listKind, stringKind } from './flags.js';
import { formatList, inspectObjects } from './format.js';
import { showHelp } from './help.js';
import { naturalCompare } from './sortorder.js';
import { NODE_HEADER, nodeListFormat, nodeRowContext, prettyNode, typedNode } from './node-format.js';
import { IdResolver, printTasks } from './task-format.js';

/** cli `flags.FormatHelp`. */
export const FORMAT_HELP = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

/** cli `flags.InspectFormatHelp`. */
export const INSPECT_FORMAT_HELP = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

/** cli `node.Reference`: `self` is this node's ID from `/info`. */
export async function nodeReference(ctx: RunContext, ref: string): Promise<string> {
  if (ref !== 'self') return ref;
  const info = await ctx.engine.call('info', {});
  if (info.Swarm.NodeID === '') {
    // Not a manager (or not in a swarm): a swarm call gives the precise daemon error.
    await ctx.engine.call('nodeList', {});
    throw new StatusError('node ID not found in /info');
  }
  return info.Swarm.NodeID;
}

const listCommand: CommandDef = {
  use: 'ls [OPTIONS]',
  aliases: ['list'],
  short: 'List nodes in the swarm',
  args: noArgs,
  flags: [
    { name: 'quiet', shorthand: 'q', usage: 'Only display IDs', kind: boolKind() },
    { name: 'format', usage: FORMAT_HELP, kind: stringKind() },
    { name: 'filter', shorthand: 'f', usage: 'Filter output based on conditions provided', kind: filterKind() },
  ],
  run: async (ctx) => {
    const quiet = ctx.flags.bool('quiet');
    const filters = ctx.flags.get<NodeListFilters>('filter');
    const nodes = await ctx.engine.call('nodeList', Object.keys(filters).length > 0 ? { filters } : {});
    // Only a non-empty, non-quiet listing needs /info (for the `*` self marker).
    let swarm: SwarmInfo | undefined;
    if (nodes.length > 0 && !quiet) swarm = (await ctx.engine.call('info', {})).Swarm;
    const sorted = [...nodes].sort((a, b) => naturalCompare(a.Description.Hostname, b.Description.Hostname));
    const format = nodeListFormat(ctx.flags.string('format') || 'table', quiet);
    ctx.stdout(formatList(format, sorted.map((n) => nodeRowContext(n, swarm)), NODE_HEADER));
  },
};

const inspectCommand: CommandDef = {
  use: 'inspect [OPTIONS] self|NODE [NODE...]',
  short: 'Display detailed information on one or more nodes',
  args: minArgs(1),
  flags: [
    { name: 'format', shorthand: 'f', usage: INSPECT_FORMAT_HELP, kind: stringKind() },
    { name: 'pretty', usage: 'Print the information in a human friendly format', kind: boolKind() },
  ],
  run: async (ctx) => {
    const format = ctx.flags.bool('pretty') ? 'pretty' : ctx.flags.string('format');
    const get = async (ref: string): Promise<SwarmNode> => ctx.engine.call('nodeInspect', { id: await nodeReference(ctx, ref) });
    if (format.startsWith('pretty') && format !== 'pretty') {
      throw new StatusError('cannot supply extra formatting options to the pretty template');
    }
    if (format !== 'pretty') {
      await inspectObjects(ctx.stdout, ctx.args, format, async (ref) => {
        const node = await get(ref);
        return { typed: typedNode(node), raw: node };
      });
      return;
    }
    // The pretty form stops at the first failure and then prints nothing (cli `Context.Write`).
    let text = '';
    for (const ref of ctx.args) {
      try {
        text += prettyNode(await get(ref));
      } catch (e) {
        throw new StatusError(errorMessageOf(e));
      }
    }
    ctx.stdout(text);
  },
};

/** cli `updateNodes`: inspect, change the spec, update with the inspected version, report. */
async function updateNodes(
  ctx: RunContext,
  refs: readonly string[],
  merge: (node: SwarmNode) => NodeSpec | 'unchanged',
  success: (ref: string) => void,
): Promise<void> {
  for (const ref of refs) {
    const node = await ctx.engine.call('nodeInspect', { id: ref });
    const spec = merge(node);
    if (spec === 'unchanged') continue;
    await ctx.engine.call('nodeUpdate', { id: node.ID, version: node.Version.Index, spec });
    success(ref);
  }
}

/** cli `runPromote` / `runDemote`: a node already in `role` is reported by ID and skipped. */
function setRole(role: NodeRole, done: (ref: string) => string): (ctx: RunContext) => Promise<void> {
  return (ctx) =>
    updateNodes(
      ctx,
      ctx.args,
      (node) => {
        if (node.Spec.Role !== role) return { ...node.Spec, Role: role };
        ctx.stdout(`Node ${node.ID} is already a ${role}.\n`);
        return 'unchanged';
      },
      (ref) => ctx.stdout(done(ref)),
    );
}

const promoteCommand: CommandDef = {
  use: 'promote NODE [NODE...]',
  short: 'Promote one or more nodes to manager in the swarm',
  args: minArgs(1),
  run: setRole('manager', (ref) => `Node ${ref} promoted to a manager in the swarm.\n`),
};

const demoteCommand: CommandDef = {
  use: 'demote NODE [NODE...]',
  short: 'Demote one or more nodes from manager in the swarm',
  args: minArgs(1),
  run: setRole('worker', (ref) => `Manager ${ref} demoted in the swarm.\n`),
};

/** cli `opts.ConvertKVStringsToMap`: `k=v`, or `k` alone for an empty value. */
function keyValues(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const updateCommand: CommandDef = {
  use: 'update [OPTIONS] NODE',
  short: 'Update a node',
  args: exactArgs(1),
  flags: [
    { name: 'role', usage: 'Role of the node ("worker", "manager")', kind: stringKind() },
    { name: 'availability', usage: 'Availability of the node ("active", "pause", "drain")', kind: stringKind() },
    { name: 'label-add', usage: 'Add or update a node label ("key=value")', kind: listKind() },
    { name: 'label-rm', usage: 'Remove a node label if exists', kind: listKind() },
  ],
  run: (ctx) =>
    updateNodes(
      ctx,
      ctx.args,
      (node) => {
        const f = ctx.flags;
        // The client passes role and availability through unchecked; the daemon validates them.
        const labels: Record<string, string> = { ...node.Spec.Labels, ...keyValues(f.list('label-add')) };
        for (const key of f.list('label-rm')) {
          if (!Object.hasOwn(labels, key)) throw new StatusError(`key ${key} doesn't exist in node's labels`);
          delete labels[key];
        }
        return {
          ...node.Spec,
          Role: f.changed('role') ? (f.string('role') as NodeRole) : node.Spec.Role,
          Availability: f.changed('availability') ? (f.string('availability') as NodeAvailability) : node.Spec.Availability,
          Labels: labels,
        };
      },
      (ref) => ctx.stdout(`${ref}\n`),
    ),
};

const removeCommand: CommandDef = {
  use: 'rm [OPTIONS] NODE [NODE...]',
  aliases: ['remove'],
  short: 'Remove one or more nodes from the swarm',
  args: minArgs(1),
  flags: [{ name: 'force', shorthand: 'f', usage: 'Force remove a node from the swarm', kind: boolKind() }],
  run: async (ctx) => {
    const errors: string[] = [];
    for (const id of ctx.args) {
      try {
        await ctx.engine.call('nodeRemove', { id, force: ctx.flags.bool('force') });
        ctx.stdout(`${id}\n`);
      } catch (e) {
        errors.push(errorMessageOf(e));
      }
    }
    if (errors.length > 0) throw new StatusError(errors.join('\n'));
  },
};

/** cli `node/ps.go`: the tasks on each node named (default `self`), in one table. */
const psCommand: CommandDef = {
  use: 'ps [OPTIONS] [NODE...]',
  short: 'List tasks running on one or more nodes, defaults to current node',
  flags: [
    { name: 'no-trunc', usage: 'Do not truncate output', kind: boolKind() },
    { name: 'no-resolve', usage: 'Do not map IDs to Names', kind: boolKind() },
    { name: 'filter', shorthand: 'f', usage: 'Filter output based on conditions provided', kind: filterKind() },
    { name: 'format', usage: 'Pretty-print tasks using a Go template', kind: stringKind() },
    { name: 'quiet', shorthand: 'q', usage: 'Only display task IDs', kind: boolKind() },
  ],
  run: async (ctx) => {
    const errors: string[] = [];
    const tasks: EngineTask[] = [];
    for (const ref of ctx.args.length > 0 ? ctx.args : ['self']) {
      try {
        const node = await ctx.engine.call('nodeInspect', { id: await nodeReference(ctx, ref) });
        const filters = { ...ctx.flags.get<TaskListFilters>('filter'), node: [node.ID] };
        tasks.push(...(await ctx.engine.call('taskList', { filters })));
      } catch (e) {
        errors.push(errorMessageOf(e));
      }
    }
    if (errors.length === 0 || tasks.length > 0) {
      const resolver = new IdResolver(ctx.engine, ctx.flags.bool('no-resolve'));
      const options = { format: ctx.flags.string('format') || 'table', quiet: ctx.flags.bool('quiet'), trunc: !ctx.flags.bool('no-trunc'), now: ctx.now() };
      ctx.stdout(await printTasks(tasks, resolver, options));
    }
    if (errors.length > 0) throw new StatusError(errors.join('\n'));
  },
};

export const nodeCommand: CommandDef = {
  use: 'node',
  short: 'Manage Swarm nodes',
  swarm: 'manager',
  args: noArgs,
  subcommands: [demoteCommand, inspectCommand, listCommand, promoteCommand, psCommand, removeCommand, updateCommand],
  run: showHelp,
};
