/**
 * Tab completion for an interactive shell: given the words typed so far (without or with the
 * leading `docker`) and the partial word under the cursor, the candidates for that word —
 * subcommand names, flags (`--name`, and `-x` unless the partial starts with `--`), and values of
 * flags and arguments that take one of a few fixed words (`--availability active|pause|drain`,
 * `--role`, `--log-level`, `--filter` keys, `swarm join-token worker|manager`). Modelled on
 * cobra's `__complete` (vendored `completions.go`) without asking the daemon, so node names are
 * not offered. Pure and synchronous; candidates come back sorted.
 */
import type { Command } from './command.js';
import { findCommand } from './docker.js';
import type { FlagDef } from './flags.js';

/** Fixed values of flags, by flag name (cli `RegisterFlagCompletionFunc` lists). */
const FLAG_VALUES: Readonly<Record<string, readonly string[]>> = {
  availability: ['active', 'pause', 'drain'],
  role: ['worker', 'manager'],
  'log-level': ['debug', 'info', 'warn', 'error', 'fatal'],
  filter: ['id=', 'label=', 'membership=', 'name=', 'node.label=', 'role='],
};

/** Fixed values of flags whose values depend on the command, by command path (before FLAG_VALUES). */
const COMMAND_FLAG_VALUES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'docker network ls': { filter: ['dangling=', 'driver=', 'id=', 'label=', 'name=', 'scope=', 'type='] },
};

/** Fixed values of the first positional argument, by command path. */
const ARG_VALUES: Readonly<Record<string, readonly string[]>> = {
  'docker swarm join-token': ['worker', 'manager'],
};

const takesValue = (f: FlagDef | undefined): f is FlagDef => f !== undefined && f.kind.noOptDefVal === undefined;

export function completeDocker(words: readonly string[], partial: string): string[] {
  const typed = words[0] === 'docker' ? words.slice(1) : words;
  let cmd: Command = findCommand([]).cmd;
  let pending: FlagDef | undefined;
  let dashDash = false;
  const positional: string[] = [];
  for (const w of typed) {
    if (pending !== undefined) {
      pending = undefined;
      continue;
    }
    if (!dashDash && w === '--') {
      dashDash = true;
      continue;
    }
    if (!dashDash && w.startsWith('-') && w.length > 1 && !w.includes('=')) {
      const flag = w.startsWith('--')
        ? cmd.allFlags.find((f) => f.name === w.slice(2))
        : cmd.allFlags.find((f) => f.shorthand === w[w.length - 1]);
      if (takesValue(flag)) pending = flag;
      continue;
    }
    if (!dashDash && w.startsWith('-')) continue;
    const child = positional.length === 0 ? cmd.findChild(w) : undefined;
    if (child !== undefined && child.def.hidden !== true) cmd = child;
    else if (child !== undefined && cmd.parent === undefined && w === 'help') cmd = child;
    else positional.push(w);
  }

  const matching = (candidates: readonly string[], prefix = ''): string[] =>
    [...new Set(candidates.map((c) => prefix + c))].filter((c) => c.startsWith(partial)).sort();

  const valuesOf = (flag: string): readonly string[] => COMMAND_FLAG_VALUES[cmd.path]?.[flag] ?? FLAG_VALUES[flag] ?? [];
  if (pending !== undefined) return matching(valuesOf(pending.name));
  if (!dashDash && partial.startsWith('--') && partial.includes('=')) {
    const name = partial.slice(2, partial.indexOf('='));
    return matching(valuesOf(name), `--${name}=`);
  }
  if (!dashDash && partial.startsWith('-')) {
    const visible = cmd.allFlags.filter((f) => f.hidden !== true);
    const long = visible.map((f) => `--${f.name}`);
    const short = partial.startsWith('--') ? [] : visible.flatMap((f) => (f.shorthand !== undefined ? [`-${f.shorthand}`] : []));
    return matching([...long, ...short]);
  }
  if (cmd.def.use.startsWith('help ')) {
    // `docker help node <TAB>`: the subcommands of the path typed after `help`.
    const target = findCommand(positional).cmd;
    return matching(visibleChildren(target));
  }
  if (cmd.hasSubcommands && positional.length === 0) return matching(visibleChildren(cmd));
  if (positional.length === 0) return matching(ARG_VALUES[cmd.path] ?? []);
  return [];
}

function visibleChildren(cmd: Command): string[] {
  return cmd.children.filter((c) => c.def.hidden !== true).map((c) => c.name);
}
