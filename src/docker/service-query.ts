/**
 * `docker service ls | ps | inspect | logs` — cli `cli/command/service/` (`list.go`, `ps.go`,
 * `inspect.go`, `logs.go`): what they ask the daemon (`serviceList` with `status`, `taskList`
 * filtered by service IDs, `serviceInspect` with `insertDefaults`, `serviceLogs`), how they name
 * things (service and node names through an `IdResolver`) and how they print.
 */
import { EngineApiError, type EngineService, type ServiceListFilters, type TaskListFilters } from '../host/engine-api.js';
import { minArgs, exactArgs, noArgs, StatusError, type CommandDef } from './command.js';
import { errorMessageOf } from './errors.js';
import { boolKind, filterKind, stringKind } from './flags.js';
import { formatList, inspectObjects } from './format.js';
import { truncateID } from './network-format.js';
import { FORMAT_HELP, INSPECT_FORMAT_HELP, nodeReference } from './node.js';
import { naturalLess } from './sortorder.js';
import { prettyService, SERVICE_HEADER, serviceListFormat, serviceRowContext } from './service-format.js';
import { IdResolver, printTasks } from './task-format.js';
import { toGoStruct } from './service-typed.js';

export const listCommand: CommandDef = {
  use: 'ls [OPTIONS]',
  aliases: ['list'],
  short: 'List services',
  args: noArgs,
  flags: [
    { name: 'quiet', shorthand: 'q', usage: 'Only display IDs', kind: boolKind() },
    { name: 'format', usage: FORMAT_HELP, kind: stringKind() },
    { name: 'filter', shorthand: 'f', usage: 'Filter output based on conditions provided', kind: filterKind() },
  ],
  run: async (ctx) => {
    const filters = ctx.flags.get<ServiceListFilters>('filter');
    // cli: task counts are asked for only when they will be shown.
    const quiet = ctx.flags.bool('quiet');
    const services = await ctx.engine.call('serviceList', { ...(Object.keys(filters).length > 0 ? { filters } : {}), status: !quiet });
    const sorted = [...services].sort((a, b) => (naturalLess(a.Spec.Name ?? '', b.Spec.Name ?? '') ? -1 : naturalLess(b.Spec.Name ?? '', a.Spec.Name ?? '') ? 1 : 0));
    const format = serviceListFormat(ctx.flags.string('format') || 'table', quiet);
    ctx.stdout(formatList(format, sorted.map(serviceRowContext), SERVICE_HEADER));
  },
};

export const psCommand: CommandDef = {
  use: 'ps [OPTIONS] SERVICE [SERVICE...]',
  short: 'List the tasks of one or more services',
  args: minArgs(1),
  flags: [
    { name: 'quiet', shorthand: 'q', usage: 'Only display task IDs', kind: boolKind() },
    { name: 'no-trunc', usage: 'Do not truncate output', kind: boolKind() },
    { name: 'no-resolve', usage: 'Do not map IDs to Names', kind: boolKind() },
    { name: 'filter', shorthand: 'f', usage: 'Filter output based on conditions provided', kind: filterKind() },
    { name: 'format', usage: 'Pretty-print tasks using a Go template', kind: stringKind() },
  ],
  run: async (ctx) => {
    const refs = ctx.args;
    const byId = await ctx.engine.call('serviceList', { filters: { id: refs } });
    const byName = await ctx.engine.call('serviceList', { filters: { name: refs } });
    const ids: string[] = [];
    const notFound: string[] = [];
    for (const ref of refs) {
      const found = byId.find((s) => s.ID.startsWith(ref)) ?? byName.find((s) => s.Spec.Name === ref);
      if (found === undefined) notFound.push(`no such service: ${ref}`);
      else ids.push(found.ID);
    }
    if (ids.length === 0) throw new StatusError(notFound.join('\n'));
    const filters: Record<string, readonly string[]> = { ...ctx.flags.get<TaskListFilters>('filter'), service: ids };
    if (filters.node !== undefined) filters.node = await Promise.all(filters.node.map((n) => nodeReference(ctx, n)));
    const tasks = await ctx.engine.call('taskList', { filters });
    const quiet = ctx.flags.bool('quiet');
    const text = await printTasks(tasks, new IdResolver(ctx.engine, ctx.flags.bool('no-resolve')), {
      format: ctx.flags.string('format') || 'table',
      quiet,
      // cli: quiet implies --no-trunc.
      trunc: !quiet && !ctx.flags.bool('no-trunc'),
      now: ctx.now(),
    });
    ctx.stdout(text);
    if (notFound.length > 0) throw new StatusError(notFound.join('\n'));
  },
};

export const inspectCommand: CommandDef = {
  use: 'inspect [OPTIONS] SERVICE [SERVICE...]',
  short: 'Display detailed information on one or more services',
  args: minArgs(1),
  flags: [
    { name: 'format', shorthand: 'f', usage: INSPECT_FORMAT_HELP, kind: stringKind() },
    { name: 'pretty', usage: 'Print the information in a human friendly format', kind: boolKind() },
  ],
  run: async (ctx) => {
    const format = ctx.flags.string('format');
    const pretty = ctx.flags.bool('pretty');
    if (pretty && format !== '') throw new StatusError('--format is incompatible with human friendly format');
    // cli `getRef`: a missing service is the client's own error, not the daemon's.
    const get = async (ref: string): Promise<EngineService> => {
      try {
        return await ctx.engine.call('serviceInspect', { id: ref, insertDefaults: true });
      } catch (e) {
        if (e instanceof EngineApiError && e.status === 404) throw new StatusError(`Error: no such service: ${ref}`);
        throw e;
      }
    };
    if (!pretty) {
      await inspectObjects(ctx.stdout, ctx.args, format, async (ref) => {
        const service = await get(ref);
        return { typed: toGoStruct(service, 'swarm.Service'), raw: service };
      });
      return;
    }
    let text = '';
    for (const ref of ctx.args) {
      let service: EngineService;
      try {
        service = await get(ref);
      } catch (e) {
        throw new StatusError(errorMessageOf(e));
      }
      const names = new Map<string, string>();
      for (const n of service.Spec.TaskTemplate.Networks ?? []) {
        try {
          const network = await ctx.engine.call('networkInspect', { id: n.Target });
          names.set(network.Id, network.Name);
        } catch {
          // cli `resolveNetworks`: an unresolvable network shows its ID.
        }
      }
      text += `${prettyService(service, names, ctx.now())}\n`;
    }
    ctx.stdout(text);
  },
};

/** cli `getMaxLength`: digits of a slot number, for aligning the `|` of log prefixes. */
const digits = (n: number): number => String(n).length;

export const logsCommand: CommandDef = {
  use: 'logs [OPTIONS] SERVICE|TASK',
  short: 'Fetch the logs of a service or task',
  args: exactArgs(1),
  flags: [
    { name: 'no-resolve', usage: 'Do not map IDs to Names in output', kind: boolKind() },
    { name: 'no-trunc', usage: 'Do not truncate output', kind: boolKind() },
    { name: 'raw', usage: 'Do not neatly format logs', kind: boolKind() },
    { name: 'no-task-ids', usage: 'Do not include task IDs in output', kind: boolKind() },
    { name: 'follow', shorthand: 'f', usage: 'Follow log output', kind: boolKind(), unsupported: 'a scenario step reads what was logged so far' },
    {
      name: 'since',
      usage: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
      kind: stringKind(),
      unsupported: 'swarmnet logs carry no timestamps',
    },
    { name: 'timestamps', shorthand: 't', usage: 'Show timestamps', kind: boolKind(), unsupported: 'swarmnet logs carry no timestamps' },
    { name: 'details', usage: 'Show extra details provided to logs', kind: boolKind(), unsupported: 'swarmnet logs carry no details' },
    { name: 'tail', shorthand: 'n', usage: 'Number of lines to show from the end of the logs', kind: stringKind('all') },
  ],
  run: async (ctx) => {
    const ref = ctx.args[0];
    const service = await ctx.engine.call('serviceInspect', { id: ref }).catch((e: unknown) => {
      if (e instanceof EngineApiError && e.status === 404) throw new StatusError(`no such task or service: ${ref}`);
      throw e;
    });
    if (service.Spec.TaskTemplate.ContainerSpec?.TTY === true && !ctx.flags.bool('raw')) {
      throw new StatusError('tty service logs only supported with --raw');
    }
    const tailText = ctx.flags.string('tail');
    const tail = /^[0-9]+$/.test(tailText) ? Number(tailText) : undefined;
    const lines = await ctx.engine.call('serviceLogs', { id: service.ID, ...(tail !== undefined ? { tail } : {}) });
    const width = digits(service.Spec.Mode.Replicated?.Replicas ?? 1);
    const resolver = new IdResolver(ctx.engine, ctx.flags.bool('no-resolve'));
    const prefixes = new Map<string, string>();
    const prefix = async (taskId: string, nodeId: string): Promise<string> => {
      const cached = prefixes.get(taskId);
      if (cached !== undefined) return cached;
      const task = await ctx.engine.call('taskInspect', { id: taskId });
      const slot = task.Slot ?? 0;
      let name = `${await resolver.service(task.ServiceID)}.${slot}`;
      if (!ctx.flags.bool('no-task-ids')) name += `.${ctx.flags.bool('no-trunc') ? task.ID : truncateID(task.ID)}`;
      const text = `${name}@${await resolver.node(nodeId)}${' '.repeat(Math.max(0, width - digits(slot)))}`;
      prefixes.set(taskId, text);
      return text;
    };
    for (const line of lines) {
      const text = ctx.flags.bool('raw') ? `${line.Line}\n` : `${await prefix(line.TaskID, line.NodeID)}    | ${line.Line}\n`;
      if (line.Stream === 'stderr') ctx.stderr(text);
      else ctx.stdout(text);
    }
  },
};
