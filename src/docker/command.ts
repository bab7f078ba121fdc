/**
 * The command tree: what cobra (`github.com/spf13/cobra` v1.10.2 `command.go`) gives docker, reduced
 * to what the `docker` command layer needs — names, aliases, use lines, flags inherited from
 * ancestors, argument validators with docker's wording (cli `cli/required.go`), and the status
 * error that carries an exit code (cli `cli/error.go` `StatusError`).
 *
 * A command is declared as a plain `CommandDef` (the shape of a `cobra.Command` literal in the cli
 * source) and instantiated once per run into `Command` nodes with parent links.
 */
import type { EngineApi } from '../host/engine-api.js';
import type { FlagDef, FlagValues } from './flags.js';

/** cli annotation `swarm`: `manager` commands need a manager, `active` a swarm, `''` neither. */
export type SwarmAnnotation = 'manager' | 'active' | '';

export interface CommandDef {
  /** cobra `Use`: the name, then the argument synopsis (`ls [OPTIONS]`). */
  readonly use: string;
  readonly short: string;
  readonly long?: string;
  readonly aliases?: readonly string[];
  /** cli annotation `aliases`: printed instead of the computed `Aliases:` line. */
  readonly aliasesText?: string;
  /** cli annotation `swarm` (its presence also files the command under `Swarm Commands:`). */
  readonly swarm?: SwarmAnnotation;
  /** cli annotation `category-top`: listed under `Common Commands:`, ordered by this value. */
  readonly categoryTop?: string;
  readonly hidden?: boolean;
  /** cobra `Args`; absent accepts anything. */
  readonly args?: ArgsValidator;
  /** Local flags (cobra `Flags()`). */
  readonly flags?: readonly FlagDef[];
  /** pflag `SetInterspersed(false)`: flags end at the first argument (`docker run IMAGE -x`). */
  readonly interspersed?: boolean;
  /** Flags every descendant inherits (cobra `PersistentFlags()`). */
  readonly persistentFlags?: readonly FlagDef[];
  readonly subcommands?: readonly CommandDef[];
  /** cobra `PreRunE` returning `pflag.ErrHelp`: show help instead of running. */
  readonly wantsHelp?: (ctx: RunContext) => boolean;
  readonly run?: (ctx: RunContext) => Promise<void>;
}

/** What a command's `run` gets. */
export interface RunContext {
  readonly command: Command;
  readonly args: readonly string[];
  readonly flags: FlagValues;
  readonly engine: EngineApi;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The next line the user types (without its newline), or null when there is no more input. */
  readonly readLine: () => Promise<string | null>;
  readonly now: () => Date;
  /** Waits `ms` milliseconds on the command's clock (progress polling). */
  readonly sleep: (ms: number) => Promise<void>;
  /** `docker -D`: client debug mode. */
  readonly debug: boolean;
}

/**
 * A failure with the exit code docker would return (cli `StatusError`). An empty message prints
 * nothing; otherwise the message and a newline go to stderr.
 */
export class StatusError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

export class Command {
  readonly name: string;
  readonly children: readonly Command[];
  /** cobra `commandsMaxNameLen`: the longest child name, hidden ones included. */
  readonly maxChildNameLength: number;

  constructor(
    readonly def: CommandDef,
    readonly parent?: Command,
  ) {
    this.name = def.use.split(' ')[0];
    const children = (def.subcommands ?? []).map((d) => new Command(d, this));
    // cobra sorts commands by name (EnableCommandSorting).
    this.children = children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.maxChildNameLength = Math.max(0, ...this.children.map((c) => c.name.length));
  }

  get root(): Command {
    return this.parent === undefined ? this : this.parent.root;
  }

  /** cobra `CommandPath`: `docker node ls`. */
  get path(): string {
    return this.parent === undefined ? this.name : `${this.parent.path} ${this.name}`;
  }

  /** cobra `UseLine` (docker disables `[flags]`): `docker node ls [OPTIONS]`. */
  get useLine(): string {
    return this.parent === undefined ? this.def.use : `${this.parent.path} ${this.def.use}`;
  }

  get hasSubcommands(): boolean {
    return this.children.length > 0;
  }

  /** cobra `NamePadding` for this command's row in its parent's listing. */
  get namePadding(): number {
    return Math.max(11, this.parent?.maxChildNameLength ?? 0);
  }

  /** The child named `name` or aliased so (cobra `findNext`, no prefix matching). */
  findChild(name: string): Command | undefined {
    return this.children.find((c) => c.name === name || (c.def.aliases ?? []).includes(name));
  }

  /** Local flags only (what cobra's `Traverse` sees before persistent flags are merged). */
  get localFlags(): readonly FlagDef[] {
    return [...(this.def.flags ?? []), ...(this.def.persistentFlags ?? [])];
  }

  /**
   * Local flags plus every ancestor's persistent flags (cobra `mergePersistentFlags`): a name
   * already taken locally wins, and an inherited shorthand already in use is dropped.
   */
  get allFlags(): readonly FlagDef[] {
    const out = [...this.localFlags];
    for (let p = this.parent; p !== undefined; p = p.parent) {
      for (const f of p.def.persistentFlags ?? []) {
        if (out.some((o) => o.name === f.name)) continue;
        const clash = f.shorthand !== undefined && out.some((o) => o.shorthand === f.shorthand);
        out.push(clash ? { ...f, shorthand: undefined } : f);
      }
    }
    return out;
  }
}

/** Returns docker's error text when `args` do not fit, else undefined. */
export type ArgsValidator = (cmd: Command, args: readonly string[]) => string | undefined;

const plural = (n: number): string => (n === 1 ? 'argument' : 'arguments');
const bin = (cmd: Command): string => cmd.root.name;

/** cli `NoArgs`; on a command with subcommands an argument is an unknown subcommand. */
export const noArgs: ArgsValidator = (cmd, args) => {
  if (args.length === 0) return undefined;
  if (cmd.hasSubcommands) {
    return `${bin(cmd)}: unknown command: ${cmd.path} ${args[0]}\n\nUsage:  ${cmd.useLine}\n\nRun '${cmd.path} --help' for more information`;
  }
  return `${bin(cmd)}: '${cmd.path}' accepts no arguments\n\nUsage:  ${cmd.useLine}\n\nRun '${cmd.path} --help' for more information`;
};

/** cli `RequiresMinArgs` (its footer says `See`, unlike the others). */
export const minArgs =
  (min: number): ArgsValidator =>
  (cmd, args) =>
    args.length >= min
      ? undefined
      : `${bin(cmd)}: '${cmd.path}' requires at least ${min} ${plural(min)}\n\nUsage:  ${cmd.useLine}\n\nSee '${cmd.path} --help' for more information`;

/** cli `RequiresMaxArgs`. */
export const maxArgs =
  (max: number): ArgsValidator =>
  (cmd, args) =>
    args.length <= max
      ? undefined
      : `${bin(cmd)}: '${cmd.path}' requires at most ${max} ${plural(max)}\n\nUsage:  ${cmd.useLine}\n\nRun '${cmd.path} --help' for more information`;

/** cli `ExactArgs`. */
export const exactArgs =
  (n: number): ArgsValidator =>
  (cmd, args) =>
    args.length === n
      ? undefined
      : `${bin(cmd)}: '${cmd.path}' requires ${n} ${plural(n)}\n\nUsage:  ${cmd.useLine}\n\nRun '${cmd.path} --help' for more information`;

/** Go's `errors.Join` text: the messages, one per line. */
export function joinErrors(messages: readonly string[]): string {
  return messages.join('\n');
}
