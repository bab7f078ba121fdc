/**
 * `docker service create | update | scale | rollback | rm` and the `service` group — cli
 * `cli/command/service/` (`cmd.go`, `create.go`, `update.go`, `scale.go`, `rollback.go`,
 * `remove.go`, `helpers.go` `WaitOnService`): same flags, help texts and output, through the
 * daemon's `serviceCreate`, `serviceInspect`, `serviceUpdate` and `serviceRemove`. The read-only
 * commands (`ls`, `ps`, `inspect`, `logs`) are in service-query.ts.
 *
 * Without `--detach` the commands wait for convergence with the non-terminal progress display
 * (service-progress.ts); `--quiet` waits without printing it.
 */
import { minArgs, exactArgs, noArgs, StatusError, type CommandDef, type RunContext } from './command.js';
import { errorMessageOf } from './errors.js';
import { boolKind } from './flags.js';
import { showHelp } from './help.js';
import { CREATE_FLAGS, serviceSpecFrom } from './service-create.js';
import { serviceProgress } from './service-progress.js';
import { inspectCommand, listCommand, logsCommand, psCommand } from './service-query.js';
import { UPDATE_FLAGS, updatedSpec } from './service-update.js';
import { parseGoUint } from './golang.js';
import { resolveServiceImage } from './service-image.js';

const DETACH_FLAG = { name: 'detach', shorthand: 'd', usage: 'Exit immediately instead of waiting for the service to converge', kind: boolKind() };

/** cli `WaitOnService`: the progress display on stdout, or nothing with `quiet`. */
export function waitOnService(ctx: RunContext, ref: string, quiet: boolean): Promise<void> {
  const out = quiet ? () => undefined : ctx.stdout;
  return serviceProgress(ctx.engine, ref, out, { now: () => ctx.now().getTime(), sleep: ctx.sleep });
}

/** Daemon warnings, one per line on stderr (cli `Fprintln(dockerCLI.Err(), warning)`). */
function printWarnings(ctx: RunContext, warnings: readonly string[] | undefined): void {
  for (const w of warnings ?? []) ctx.stderr(`${w}\n`);
}

const createCommand: CommandDef = {
  use: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new service',
  args: minArgs(1),
  interspersed: false,
  flags: CREATE_FLAGS,
  run: async (ctx) => {
    let spec = serviceSpecFrom(ctx.flags, ctx.args[0], ctx.args.slice(1));
    let warnings: string[] = [];
    if (!ctx.flags.bool('no-resolve-image')) ({ spec, warnings } = await resolveServiceImage(ctx.engine, spec));
    const created = await ctx.engine.call('serviceCreate', { spec });
    printWarnings(ctx, [...warnings, ...(created.Warnings ?? [])]);
    ctx.stdout(`${created.ID}\n`);
    if (ctx.flags.bool('detach')) return;
    await waitOnService(ctx, created.ID, ctx.flags.bool('quiet'));
  },
};

const updateCommand: CommandDef = {
  use: 'update [OPTIONS] SERVICE',
  short: 'Update a service',
  args: exactArgs(1),
  flags: UPDATE_FLAGS,
  run: async (ctx) => {
    const ref = ctx.args[0];
    const service = await ctx.engine.call('serviceInspect', { id: ref });
    const rollback = ctx.flags.bool('rollback');
    if (rollback) {
      const others = UPDATE_FLAGS.some((d) => !['rollback', 'detach', 'quiet'].includes(d.name) && ctx.flags.changed(d.name));
      if (others) throw new StatusError('other flags may not be combined with --rollback');
    }
    let spec = rollback ? service.Spec : await updatedSpec(ctx.engine, service, ctx.flags);
    // cli `service update`: the registry is asked only when --image changes.
    let warnings: string[] = [];
    if (!rollback && ctx.flags.changed('image') && !ctx.flags.bool('no-resolve-image')) ({ spec, warnings } = await resolveServiceImage(ctx.engine, spec));
    const result = await ctx.engine.call('serviceUpdate', {
      id: service.ID,
      version: service.Version.Index,
      spec,
      ...(rollback ? { rollback: 'previous' as const } : {}),
    });
    printWarnings(ctx, [...warnings, ...(result.Warnings ?? [])]);
    ctx.stdout(`${ref}\n`);
    if (ctx.flags.bool('detach')) return;
    await waitOnService(ctx, ref, ctx.flags.bool('quiet'));
  },
};

const rollbackCommand: CommandDef = {
  use: 'rollback [OPTIONS] SERVICE',
  short: 'Revert changes to a service\'s configuration',
  args: exactArgs(1),
  flags: [DETACH_FLAG, { name: 'quiet', shorthand: 'q', usage: 'Suppress progress output', kind: boolKind() }],
  run: async (ctx) => {
    const ref = ctx.args[0];
    const service = await ctx.engine.call('serviceInspect', { id: ref });
    const result = await ctx.engine.call('serviceUpdate', { id: service.ID, version: service.Version.Index, spec: service.Spec, rollback: 'previous' });
    printWarnings(ctx, result.Warnings);
    ctx.stdout(`${ref}\n`);
    if (ctx.flags.bool('detach')) return;
    await waitOnService(ctx, ref, ctx.flags.bool('quiet'));
  },
};

/** cli `scaleArgs`: at least one argument, each `SERVICE=REPLICAS`. */
const scaleArgs: CommandDef['args'] = (cmd, args) => {
  const min = minArgs(1)(cmd, args);
  if (min !== undefined) return min;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0 || eq === arg.length - 1) {
      return `invalid scale specifier '${arg}'.\nSee '${cmd.path} --help'.\n\nUsage:  ${cmd.useLine}\n\n${cmd.def.short}`;
    }
  }
  return undefined;
};

const scaleCommand: CommandDef = {
  use: 'scale SERVICE=REPLICAS [SERVICE=REPLICAS...]',
  short: 'Scale one or multiple replicated services',
  args: scaleArgs,
  flags: [DETACH_FLAG],
  run: async (ctx) => {
    const errors: string[] = [];
    const scaled: string[] = [];
    for (const arg of ctx.args) {
      const eq = arg.indexOf('=');
      const ref = arg.slice(0, eq);
      const text = arg.slice(eq + 1);
      // strconv.ParseUint(s, 10, 64): base 10 only, unlike the flag parser's base 0.
      const replicas = /^[0-9]+$/.test(text) ? parseGoUint(text, 64) : { ok: false as const, error: `strconv.ParseUint: parsing "${text}": invalid syntax` };
      if (!replicas.ok) {
        errors.push(`${ref}: invalid replicas value ${text}: ${replicas.error}`);
        continue;
      }
      try {
        const service = await ctx.engine.call('serviceInspect', { id: ref });
        if (service.Spec.Mode.Replicated === undefined) throw new Error('scale can only be used with replicated or replicated-job mode');
        const spec = { ...service.Spec, Mode: { Replicated: { Replicas: replicas.value } } };
        const result = await ctx.engine.call('serviceUpdate', { id: service.ID, version: service.Version.Index, spec });
        printWarnings(ctx, result.Warnings);
      } catch (e) {
        errors.push(`${ref}: ${errorMessageOf(e)}`);
        continue;
      }
      ctx.stdout(`${ref} scaled to ${replicas.value}\n`);
      scaled.push(ref);
    }
    if (!ctx.flags.bool('detach')) {
      for (const ref of scaled) {
        try {
          await waitOnService(ctx, ref, false);
        } catch (e) {
          errors.push(`${ref}: ${errorMessageOf(e)}`);
        }
      }
    }
    if (errors.length > 0) throw new StatusError(errors.join('\n'));
  },
};

const removeCommand: CommandDef = {
  use: 'rm SERVICE [SERVICE...]',
  aliases: ['remove'],
  short: 'Remove one or more services',
  args: minArgs(1),
  run: async (ctx) => {
    const errors: string[] = [];
    for (const ref of ctx.args) {
      try {
        await ctx.engine.call('serviceRemove', { id: ref });
        ctx.stdout(`${ref}\n`);
      } catch (e) {
        errors.push(errorMessageOf(e));
      }
    }
    if (errors.length > 0) throw new StatusError(errors.join('\n'));
  },
};

export const serviceCommand: CommandDef = {
  use: 'service',
  short: 'Manage Swarm services',
  swarm: 'manager',
  args: noArgs,
  subcommands: [createCommand, inspectCommand, logsCommand, listCommand, psCommand, rollbackCommand, removeCommand, scaleCommand, updateCommand],
  run: showHelp,
};
