/**
 * `runDocker(argv, engine)`: one `docker …` invocation against an emulated daemon, returning what
 * the real CLI would have printed and its exit status. Mirrors cli `cmd/docker/docker.go`
 * (`runDocker`, `newDockerCommand`), cli `cli/cobra.go` (`HandleGlobalFlags`, `FlagErrorFunc`) and
 * cobra's `ExecuteC` / `Traverse` / `execute`:
 *
 * 1. global flags are parsed up to the first non-flag (`docker -D node ls`);
 * 2. the command is found by walking subcommand names, each level parsing the flags seen before
 *    the next name (`Traverse`);
 * 3. the command's own flags are parsed anywhere among its arguments; a flag error prints
 *    `<err>\n\nUsage:  <use line>\n\nRun '<path> --help' for more information` and exits 125;
 * 4. `--help`/`-h` prints help to stdout (exit 0; `-h` first prints pflag's deprecation notice);
 *    a management command without a subcommand prints its help to stderr (exit 0);
 * 5. arguments are checked (cli `required.go` texts, exit 1), then the command runs.
 *
 * Failures print `err.Error()` and a newline to stderr; daemon refusals (`EngineApiError`) print
 * as `Error response from daemon: <message>`. `runDocker` never throws.
 */
import { EngineApiError, type EngineApi } from '../host/engine-api.js';
import { CLIENT_GIT_COMMIT, CLIENT_VERSION } from './client-version.js';
import { Command, StatusError, type CommandDef, type RunContext } from './command.js';
import { ConnectError, errorMessageOf } from './errors.js';
import { boolKind, listKind, parseFlags, stringKind, type FlagDef } from './flags.js';
import { helpText, showHelp } from './help.js';
import { containerCommand, TOP_LEVEL_CONTAINER_COMMANDS } from './container.js';
import { infoCommand } from './info.js';
import { networkCommand } from './network.js';
import { nodeCommand } from './node.js';
import { serviceCommand } from './service.js';
import { swarmCommand } from './swarm.js';

export interface DockerResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface DockerOptions {
  /** The client's clock (for `… ago` columns). Defaults to the real clock. */
  readonly now?: () => Date;
  /**
   * The user's input, one line per call (without its newline), null once there is none — what
   * prompts such as `network rm`'s ingress warning read. Defaults to no input (a closed stdin),
   * which answers every prompt with its default (no).
   */
  readonly stdin?: () => Promise<string | null>;
  /** Waits `ms` milliseconds (progress displays poll with it). Defaults to a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** cli `config.Dir()` for root, shown as the `--config` default. */
const CONFIG_DIR = '/root/.docker';

const notHere = 'swarmnet runs each command against the emulated host it was typed on';

/** cli `cli/flags/options.go` `InstallFlags`, plus the root's `--version` and cobra's `--help`. */
const GLOBAL_FLAGS: readonly FlagDef[] = [
  { name: 'config', usage: 'Location of client config files', kind: stringKind(CONFIG_DIR) },
  { name: 'debug', shorthand: 'D', usage: 'Enable debug mode', kind: boolKind() },
  {
    name: 'log-level',
    shorthand: 'l',
    usage: 'Set the logging level ("debug", "info", "warn", "error", "fatal")',
    kind: stringKind('info'),
  },
  { name: 'tls', usage: 'Use TLS; implied by --tlsverify', kind: boolKind(), unsupported: 'the emulated daemons listen without TLS' },
  { name: 'tlsverify', usage: 'Use TLS and verify the remote', kind: boolKind(), unsupported: 'the emulated daemons listen without TLS' },
  { name: 'tlscacert', usage: 'Trust certs signed only by this CA', kind: stringKind(`${CONFIG_DIR}/ca.pem`), unsupported: 'the emulated daemons listen without TLS' },
  { name: 'tlscert', usage: 'Path to TLS certificate file', kind: stringKind(`${CONFIG_DIR}/cert.pem`), unsupported: 'the emulated daemons listen without TLS' },
  { name: 'tlskey', usage: 'Path to TLS key file', kind: stringKind(`${CONFIG_DIR}/key.pem`), unsupported: 'the emulated daemons listen without TLS' },
  { name: 'host', shorthand: 'H', usage: 'Daemon socket to connect to', kind: listKind(), unsupported: notHere },
  {
    name: 'context',
    shorthand: 'c',
    usage: 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "docker context use")',
    kind: stringKind(),
  },
  { name: 'version', shorthand: 'v', usage: 'Print version information and quit', kind: boolKind() },
];

/** cli `SetupRootCommand`: `--help` is persistent, hidden, and its `-h` is deprecated. */
const HELP_FLAG: FlagDef = { name: 'help', shorthand: 'h', usage: 'Print usage', kind: boolKind(), hidden: true, shorthandDeprecated: 'use --help' };

/** cli `cli/cobra.go` `helpCommand`: `docker help node ls` (never listed). */
const helpCommand: CommandDef = {
  use: 'help [command]',
  short: 'Help about the command',
  hidden: true,
  run: async (ctx) => {
    const { cmd, rest } = findCommand(ctx.args);
    if (rest.length > 0) throw new StatusError(`unknown help topic: ${rest.join(' ')}`);
    ctx.stdout(await helpText(cmd, ctx.engine));
  },
};

/** The commands swarmnet implements, as `docker` registers them. */
export const DOCKER_COMMANDS: readonly CommandDef[] = [
  containerCommand,
  ...TOP_LEVEL_CONTAINER_COMMANDS,
  infoCommand,
  networkCommand,
  nodeCommand,
  serviceCommand,
  swarmCommand,
];

const ROOT: CommandDef = {
  use: 'docker [OPTIONS] COMMAND [ARG...]',
  short: 'A self-sufficient runtime for containers',
  flags: GLOBAL_FLAGS,
  persistentFlags: [HELP_FLAG],
  subcommands: [...DOCKER_COMMANDS, helpCommand],
  run: async (ctx) => {
    if (ctx.args.length === 0) return showHelp(ctx);
    throw new StatusError(`docker: unknown command: docker ${ctx.args[0]}\n\nRun 'docker --help' for more information`);
  },
};

/** logrus `ParseLevel` names. */
const LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'warning', 'info', 'debug', 'trace'];

/** Buffers both streams. */
class Output {
  stdout = '';
  stderr = '';
}

export async function runDocker(argv: readonly string[], engine: EngineApi, options: DockerOptions = {}): Promise<DockerResult> {
  const out = new Output();
  let exitCode: number;
  try {
    const input = {
      now: options.now ?? (() => new Date()),
      readLine: options.stdin ?? (async () => null),
      sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    };
    exitCode = await dispatch(new Command(ROOT), argv, guarded(engine), out, input);
  } catch (e) {
    const message = errorMessageOf(e);
    if (message !== '') out.stderr += `${message}\n`;
    exitCode = e instanceof StatusError ? e.exitCode : 1;
  }
  return { stdout: out.stdout, stderr: out.stderr, exitCode };
}

/** Daemon transport failures become `error during connect`; refusals pass through. */
function guarded(engine: EngineApi): EngineApi {
  return {
    call: async (method, params) => {
      try {
        return await engine.call(method, params);
      } catch (e) {
        if (e instanceof EngineApiError) throw e;
        throw new ConnectError(e instanceof Error ? e.message : String(e));
      }
    },
  };
}

/** cli `FlagErrorFunc`. */
function flagError(cmd: Command, err: string): StatusError {
  return new StatusError(`${err}\n\nUsage:  ${cmd.useLine}\n\nRun '${cmd.path} --help' for more information`, 125);
}

async function dispatch(
  root: Command,
  argv: readonly string[],
  engine: EngineApi,
  out: Output,
  { now, readLine, sleep }: Pick<RunContext, 'now' | 'readLine' | 'sleep'>,
): Promise<number> {
  // HandleGlobalFlags: root flags up to the first command word; its notices go to stderr.
  const globals = parseFlags(root.allFlags, argv, false);
  if (!globals.ok) throw flagError(root, globals.error);
  out.stderr += globals.warnings.join('');
  // The default context is the emulated host's own daemon; no other context exists.
  const context = globals.flags.string('context');
  if (context !== '' && context !== 'default') throw new StatusError(`swarmnet does not support --context ${context}: ${notHere}`);
  const logLevel = globals.flags.string('log-level');
  if (logLevel !== '' && !LOG_LEVELS.includes(logLevel.toLowerCase())) {
    throw new StatusError(`Unable to parse logging level: ${logLevel}`);
  }

  const found = traverse(root, globals.args);
  if ('error' in found) throw new StatusError(found.error);
  const { cmd, args, help } = found;

  const parsed = parseFlags(cmd.allFlags, args, cmd.def.interspersed ?? true);
  if (!parsed.ok) throw flagError(cmd, parsed.error);
  out.stdout += parsed.warnings.join('');
  // Global flags were parsed into the same flag objects cobra later reads (`docker --help node`).
  const flags = cmd === root ? parsed.flags.over(globals.flags) : parsed.flags;
  const ctx: RunContext = {
    command: cmd,
    args: parsed.args,
    flags,
    engine,
    stdout: (s) => (out.stdout += s),
    stderr: (s) => (out.stderr += s),
    readLine,
    now,
    sleep,
    debug: globals.flags.bool('debug'),
  };
  if (help || flags.bool('help') || globals.flags.bool('help')) {
    out.stdout += await helpText(cmd, engine);
    return 0;
  }
  if (cmd === root && flags.bool('version')) {
    out.stdout += `Docker version ${CLIENT_VERSION}, build ${CLIENT_GIT_COMMIT}\n`;
    return 0;
  }
  const argError = cmd.def.args?.(cmd, parsed.args);
  if (argError !== undefined) throw new StatusError(argError);
  if (cmd.def.wantsHelp?.(ctx) === true) {
    out.stdout += await helpText(cmd, engine);
    return 0;
  }
  for (const [values, defs] of [
    [globals.flags, root.allFlags],
    [flags, cmd.allFlags],
  ] as const) {
    for (const def of defs) {
      // Setting such an option to its default is harmless (`--autolock=false`), anything else is not.
      const different = JSON.stringify(values.get(def.name)) !== JSON.stringify(def.kind.initial);
      if (def.unsupported !== undefined && values.changed(def.name) && different) {
        throw new StatusError(`swarmnet does not support --${def.name}: ${def.unsupported}`);
      }
    }
  }
  await (cmd.def.run ?? showHelp)(ctx);
  return 0;
}

/**
 * cobra `Traverse`: descends through subcommand names, parsing each level's flags that precede
 * the next name. A flag without `=` that the level does not know as a bool is taken to consume the
 * following word, as cobra does.
 */
function traverse(
  cmd: Command,
  args: readonly string[],
  help = false,
): { cmd: Command; args: readonly string[]; help: boolean } | { error: string } {
  const flags: string[] = [];
  let inFlag = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const local = cmd.localFlags;
    if (arg.startsWith('--') && !arg.includes('=')) {
      const f = local.find((d) => d.name === arg.slice(2));
      inFlag = f?.kind.noOptDefVal === undefined;
      flags.push(arg);
      continue;
    }
    if (arg.startsWith('-') && !arg.includes('=') && arg.length === 2) {
      const f = local.find((d) => d.shorthand === arg[1]);
      if (f?.kind.noOptDefVal === undefined) {
        inFlag = true;
        flags.push(arg);
        continue;
      }
    }
    if (inFlag) {
      inFlag = false;
      flags.push(arg);
      continue;
    }
    if ((arg.length >= 3 && arg.startsWith('--')) || (arg.length >= 2 && arg[0] === '-' && arg[1] !== '-')) {
      flags.push(arg);
      continue;
    }
    const next = cmd.findChild(arg);
    if (next === undefined) return { cmd, args, help };
    const parsed = parseFlags(cmd.allFlags, flags, true);
    if (!parsed.ok) return { error: parsed.error };
    // `--help` is one persistent flag object in cobra: set at any level, it stays set.
    return traverse(next, args.slice(i + 1), help || parsed.flags.bool('help'));
  }
  return { cmd, args, help };
}

/** For `docker help [command]` and completion: the command a word path names, and what is left. */
export function findCommand(words: readonly string[]): { cmd: Command; rest: readonly string[] } {
  let cmd = new Command(ROOT);
  let i = 0;
  for (; i < words.length; i++) {
    const next = cmd.findChild(words[i]);
    if (next === undefined) break;
    cmd = next;
  }
  return { cmd, rest: words.slice(i) };
}

