/**
 * `docker … --help` text: cli `cli/cobra.go` `usageTemplate` rendered for a `Command`, with flag
 * lines from pflag `FlagUsagesWrapped` (vendored `flag.go`), wrapped at 79 columns as docker does
 * when it cannot read a terminal size (`defaultTermWidth` 80, minus one).
 *
 * Layout: `Usage:  <use line>` (or `<path> [OPTIONS] COMMAND` for a command with subcommands), the
 * description, `Aliases:`, `Options:` (non-root commands), then for the root `Common Commands:`,
 * and for any command with children `Management Commands:`, `Swarm Commands:`, `Commands:`; the
 * root's own flags under `Global Options:`; `Run '<path> COMMAND --help' …`; the root's guides
 * link. Subcommands whose cli `swarm` annotation the node does not satisfy are hidden, as docker
 * hides them from the swarm status it learns from the daemon (`hideUnsupportedFeatures`).
 */
import type { EngineApi, LocalNodeState } from '../host/engine-api.js';
import type { Command, RunContext } from './command.js';
import type { FlagDef } from './flags.js';
import { goQuote } from './golang.js';
import { naturalCompare } from './sortorder.js';

/** Usage lines are wrapped to this many columns (cli `wrappedFlagUsages` with no terminal). */
export const HELP_COLUMNS = 79;

/** What the daemon's `/_ping` tells the CLI about swarm (cli `ServerInfo().SwarmStatus`). */
export interface SwarmStatus {
  readonly nodeState: LocalNodeState;
  readonly controlAvailable: boolean;
}

/** cli root `additionalHelp` annotation. */
const ADDITIONAL_HELP = 'For more help on how to use Docker, head to https://docs.docker.com/go/guides/';

/** cli `hideUnsupportedFeatures` `notSwarmStatus`: unknown status hides nothing. */
function hiddenBySwarm(cmd: Command, status: SwarmStatus | undefined): boolean {
  if (status === undefined) return false;
  switch (cmd.def.swarm) {
    case 'manager':
      return !status.controlAvailable;
    case 'active':
      return status.nodeState === 'inactive';
    default:
      return false;
  }
}

/** cobra `IsAvailableCommand`. */
function available(cmd: Command, status: SwarmStatus | undefined): boolean {
  if (cmd.def.hidden === true || hiddenBySwarm(cmd, status)) return false;
  return cmd.def.run !== undefined || cmd.children.some((c) => available(c, status));
}

const visibleFlags = (flags: readonly FlagDef[]): FlagDef[] => flags.filter((f) => f.hidden !== true);

/** Go `%-*s`. */
const rpad = (s: string, n: number): string => s.padEnd(n);

/** The help text for `cmd` (ends with one newline). */
export function renderHelp(cmd: Command, status?: SwarmStatus): string {
  const isRoot = cmd.parent === undefined;
  const flags = visibleFlags(cmd.allFlags);
  let out = 'Usage:';
  if (!cmd.hasSubcommands) out += `  ${cmd.useLine}`;
  else out += `  ${cmd.path}${flags.length > 0 ? ' [OPTIONS]' : ''} COMMAND`;
  out += `\n\n${(cmd.def.long ?? cmd.def.short).trim()}`;

  if (cmd.def.aliasesText !== undefined) {
    out += `\n\nAliases:\n  ${cmd.def.aliasesText}`;
  } else if ((cmd.def.aliases ?? []).length > 0) {
    const parentPath = cmd.parent === undefined ? '' : `${cmd.parent.path} `;
    out += `\n\nAliases:\n  ${[cmd.path, ...(cmd.def.aliases ?? []).map((a) => parentPath + a)].join(', ')}`;
  }
  if (!isRoot && flags.length > 0) out += `\n\nOptions:\n${flagUsages(flags, HELP_COLUMNS).trimEnd()}`;

  const children = cmd.children.filter((c) => available(c, status));
  const row = (c: Command): string => `\n  ${rpad(`${c.name} `, c.namePadding + 1)}${c.def.short}`;
  if (isRoot) {
    const top = children
      .filter((c) => c.def.categoryTop !== undefined)
      .sort((a, b) => naturalCompare(a.def.categoryTop!, b.def.categoryTop!));
    if (top.length > 0) out += `\n\nCommon Commands:${top.map(row).join('')}`;
  }
  const management = children.filter((c) => c.hasSubcommands);
  const plain = management.filter((c) => c.def.swarm === undefined);
  const swarm = management.filter((c) => c.def.swarm !== undefined);
  if (plain.length > 0) out += `\n\nManagement Commands:${plain.map(row).join('')}`;
  if (swarm.length > 0) out += `\n\nSwarm Commands:${swarm.map(row).join('')}`;
  const operations = children.filter((c) => !c.hasSubcommands && !(isRoot && c.def.categoryTop !== undefined));
  if (operations.length > 0) {
    out += `\n\nCommands:${operations.map((c) => `\n  ${rpad(c.name, c.namePadding)} ${c.def.short}`).join('')}`;
  }
  if (isRoot && flags.length > 0) out += `\n\nGlobal Options:\n${flagUsages(flags, HELP_COLUMNS).trimEnd()}`;
  if (cmd.hasSubcommands) out += `\n\nRun '${cmd.path} COMMAND --help' for more information on a command.`;
  if (isRoot) out += `\n\n${ADDITIONAL_HELP}`;
  return `${out}\n`;
}

/** Help for `cmd`, hiding what the node's swarm status rules out (status unknown: hide nothing). */
export async function helpText(cmd: Command, engine: EngineApi): Promise<string> {
  let status: SwarmStatus | undefined;
  try {
    const info = await engine.call('info', {});
    status = { nodeState: info.Swarm.LocalNodeState, controlAvailable: info.Swarm.ControlAvailable };
  } catch {
    status = undefined;
  }
  return renderHelp(cmd, status);
}

/** cli `command.ShowHelp(dockerCLI.Err())`: a management command run bare prints help to stderr. */
export async function showHelp(ctx: RunContext): Promise<void> {
  ctx.stderr(await helpText(ctx.command, ctx.engine));
}

/** pflag `UnquoteUsage`: a back-quoted word in the usage names the value, else the type does. */
function unquoteUsage(flag: FlagDef): [name: string, usage: string] {
  const usage = flag.usage;
  const start = usage.indexOf('`');
  if (start >= 0) {
    const end = usage.indexOf('`', start + 1);
    if (end >= 0) {
      const name = usage.slice(start + 1, end);
      return [name, usage.slice(0, start) + name + usage.slice(end + 1)];
    }
  }
  const renamed: Readonly<Record<string, string>> = {
    bool: '',
    boolfunc: '',
    func: 'value',
    float64: 'float',
    int64: 'int',
    uint64: 'uint',
    stringSlice: 'strings',
    intSlice: 'ints',
    uintSlice: 'uints',
    boolSlice: 'bools',
  };
  return [renamed[flag.kind.type] ?? flag.kind.type, usage];
}

/** pflag `FlagUsagesWrapped`: one line per visible flag, sorted by name, descriptions aligned. */
export function flagUsages(flags: readonly FlagDef[], columns: number): string {
  const lines: string[] = [];
  let maxlen = 0;
  const sorted = visibleFlags(flags).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const flag of sorted) {
    let line =
      flag.shorthand !== undefined && flag.shorthandDeprecated === undefined
        ? `  -${flag.shorthand}, --${flag.name}`
        : `      --${flag.name}`;
    const [varname, usage] = unquoteUsage(flag);
    if (varname !== '') line += ` ${varname}`;
    const noOpt = flag.kind.noOptDefVal;
    if (noOpt !== undefined) {
      if (flag.kind.type === 'string') line += `[="${noOpt}"]`;
      else if (flag.kind.type === 'bool') line += noOpt === 'true' ? '' : `[=${noOpt}]`;
      else line += `[=${noOpt}]`;
    }
    line += '\0';
    maxlen = Math.max(maxlen, line.length);
    line += usage;
    if (!flag.kind.zeroDefault) {
      line += flag.kind.type === 'string' ? ` (default ${goQuote(flag.kind.defValue)})` : ` (default ${flag.kind.defValue})`;
    }
    lines.push(line);
  }
  let out = '';
  for (const line of lines) {
    const sidx = line.indexOf('\0');
    // Go's Println puts a space between its three operands; the padding is `maxlen - sidx` more.
    out += `${line.slice(0, sidx)} ${' '.repeat(maxlen - sidx)} ${wrap(maxlen + 2, columns, line.slice(sidx + 1))}\n`;
  }
  return out;
}

/** pflag `wrapN`: the first line of at most `i` (+`slop`) bytes, broken at a blank, and the rest. */
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

/** pflag `wrap`: `s` wrapped to width `w`, continuation lines indented by `i`. */
function wrap(i: number, w: number, s: string): string {
  if (w === 0) return s.replaceAll('\n', `\n${' '.repeat(i)}`);
  let width = w - i;
  let r = '';
  if (width < 24) {
    i = 16;
    width = w - i;
    r += `\n${' '.repeat(i)}`;
  }
  if (width < 24) return s.replaceAll('\n', r);
  const slop = 5;
  width -= slop;
  const indent = (t: string): string => t.replaceAll('\n', `\n${' '.repeat(i)}`);
  let [line, rest] = wrapN(width, slop, s);
  r += indent(line);
  while (rest !== '') {
    [line, rest] = wrapN(width, slop, rest);
    r += `\n${' '.repeat(i)}${indent(line)}`;
  }
  return r;
}
