/**
 * `docker run` and `docker create` — cli `cli/command/container/run.go`, `create.go` and the
 * container flags of `opts.go`: the request they build (`containerCreate`), the pull fallback's
 * `Unable to find image '…' locally` line, `docker run`'s own error form (`docker: <err>` + `Run
 * 'docker run --help' for more information`, exit 125, or 126/127 when the command cannot be
 * executed) and the foreground run: start, attach with the session's input when `-i`, print what
 * the process printed, exit with its status.
 *
 * A foreground process that neither ends nor reads its input (a server) leaves the command once it
 * has printed what it will, with status 0 — as if the user had detached — so a scenario step
 * never hangs on `docker run nginx`.
 */
import { EngineApiError, type ContainerCreateRequest, type EngineNetworkAttachmentConfig } from '../host/engine-api.js';
import { minArgs, StatusError, type CommandDef, type RunContext } from './command.js';
import { errorMessageOf } from './errors.js';
import { boolKind, intKind, listKind, stringKind, type FlagDef, type FlagKind } from './flags.js';
import { keyValueMap } from './service-create.js';
import { envListKind, networkKind } from './service-opts.js';

const notEmulated = (what: string): string => `swarmnet does not emulate ${what}`;
const f = (name: string, usage: string, kind: FlagKind, extra: Partial<FlagDef> = {}): FlagDef => ({ name, usage, kind, ...extra });
const no = (name: string, usage: string, kind: FlagKind, what: string, shorthand?: string): FlagDef =>
  f(name, usage, kind, { unsupported: notEmulated(what), ...(shorthand !== undefined ? { shorthand } : {}) });
const opaque = (type: string): FlagKind<readonly string[]> => ({ ...listKind(), type });

/** cli `addFlags` (container options shared by `run` and `create`), the ones a swarm lab uses and the common rest. */
const CONTAINER_FLAGS: readonly FlagDef[] = [
  f('name', 'Assign a name to the container', stringKind()),
  f('pull', 'Pull image before running ("always", "missing", "never")', stringKind('missing')),
  f('quiet', 'Suppress the pull output', boolKind(), { shorthand: 'q' }),
  no('platform', 'Set platform if server is multi-platform capable', stringKind(), 'other platforms'),
  f('disable-content-trust', 'Skip image verification', boolKind(true)),
  f('interactive', 'Keep STDIN open even if not attached', boolKind(), { shorthand: 'i' }),
  f('tty', 'Allocate a pseudo-TTY', boolKind(), { shorthand: 't' }),
  f('env', 'Set environment variables', envListKind(), { shorthand: 'e' }),
  no('env-file', 'Read in a file of environment variables', listKind(), 'client-side files'),
  f('entrypoint', 'Overwrite the default ENTRYPOINT of the image', stringKind()),
  f('hostname', 'Container host name', stringKind(), { shorthand: 'h' }),
  f('network', 'Connect a container to a network', networkKind()),
  f('network-alias', 'Add network-scoped alias for the container', listKind()),
  f('ip', 'IPv4 address (e.g., 172.30.100.104)', stringKind()),
  f('label', 'Set meta data on a container', listKind(), { shorthand: 'l' }),
  no('publish', "Publish a container's port(s) to the host", listKind(), 'published container ports', 'p'),
  no('publish-all', 'Publish all exposed ports to random ports', boolKind(), 'published container ports', 'P'),
  no('expose', 'Expose a port or a range of ports', listKind(), 'exposed ports'),
  f('user', 'Username or UID (format: <name|uid>[:<group|gid>])', stringKind(), { shorthand: 'u' }),
  f('workdir', 'Working directory inside the container', stringKind(), { shorthand: 'w' }),
  no('restart', 'Restart policy to apply when a container exits', stringKind('no'), 'restart policies'),
  no('privileged', 'Give extended privileges to this container', boolKind(), 'privileged containers'),
  no('cap-add', 'Add Linux capabilities', listKind(), 'Linux capabilities'),
  no('cap-drop', 'Drop Linux capabilities', listKind(), 'Linux capabilities'),
  no('volume', 'Bind mount a volume', listKind(), 'volumes', 'v'),
  no('mount', 'Attach a filesystem mount to the container', opaque('mount'), 'mounts'),
  no('dns', 'Set custom DNS servers', listKind(), 'custom DNS servers'),
  no('add-host', 'Add a custom host-to-IP mapping (host:ip)', listKind(), 'extra hosts entries'),
  f('init', 'Run an init inside the container that forwards signals and reaps processes', boolKind()),
  no('memory', 'Memory limit', opaque('bytes'), 'resource limits', 'm'),
  no('cpus', 'Number of CPUs', opaque('decimal'), 'resource limits'),
  no('cidfile', 'Write the container ID to the file', stringKind(), 'client-side files'),
  no('read-only', "Mount the container's root filesystem as read only", boolKind(), 'read-only root filesystems'),
  no('stop-signal', 'Signal to stop the container', stringKind(), 'custom stop signals'),
  no('stop-timeout', 'Timeout (in seconds) to stop a container', intKind(64), 'custom stop timeouts'),
];

/** Only `run` has these (cli `NewRunCommand`). */
const RUN_FLAGS: readonly FlagDef[] = [
  f('detach', 'Run container in background and print container ID', boolKind(), { shorthand: 'd' }),
  no('detach-keys', 'Override the key sequence for detaching a container', stringKind(), 'detach keys'),
  f('rm', 'Automatically remove the container and its associated anonymous volumes when it exits', boolKind()),
  f('sig-proxy', 'Proxy received signals to the process', boolKind(true)),
  ...CONTAINER_FLAGS,
];

/** `docker run`'s error form (cli `withHelp(err, "run")`). */
const withHelp = (message: string, code: number): StatusError =>
  new StatusError(`docker: ${message}\n\nRun 'docker run --help' for more information`, code);

/** cli `toStatusError`: 127 when the command is missing, 126 when it cannot run, else 125. */
function startFailure(message: string): StatusError {
  if (/executable file not found|no such file or directory/.test(message)) return withHelp(message, 127);
  if (/permission denied|is a directory/.test(message)) return withHelp(message, 126);
  return withHelp(message, 125);
}

/** `busybox` → `busybox:latest`, as `reference.ParseNormalizedNamed` + `TagNameOnly` show it. */
export function familiarTagged(image: string): string {
  if (image.includes('@')) return image;
  const slash = image.lastIndexOf('/');
  return image.indexOf(':', slash + 1) >= 0 ? image : `${image}:latest`;
}

/** The repository name as `pull access denied for <name>` shows it. */
const repositoryName = (image: string): string => familiarTagged(image).replace(/[:@].*$/, '').replace(/^(docker\.io\/)?library\//, '');

/** cli `parse` + `createContainer`'s request. */
function createRequest(ctx: RunContext, autoRemove: boolean): ContainerCreateRequest {
  const fl = ctx.flags;
  const networks = fl.get<readonly EngineNetworkAttachmentConfig[]>('network');
  if (networks.length > 1) throw new StatusError('swarmnet does not support connecting to more than one network at create; use docker network connect');
  const network = networks[0];
  const mode = network?.Target ?? 'default';
  const aliases = [...(network?.Aliases ?? []), ...fl.list('network-alias')];
  const ip = fl.string('ip');
  const endpoint = aliases.length > 0 || ip !== '' ? { [mode]: { ...(aliases.length > 0 ? { Aliases: aliases } : {}), ...(ip !== '' ? { IPAMConfig: { IPv4Address: ip } } : {}) } } : undefined;
  const entrypoint = fl.string('entrypoint');
  const name = fl.string('name');
  return {
    ...(name !== '' ? { name } : {}),
    Image: ctx.args[0],
    ...(ctx.args.length > 1 ? { Cmd: ctx.args.slice(1) } : {}),
    ...(fl.changed('entrypoint') ? { Entrypoint: entrypoint === '' ? [] : [entrypoint] } : {}),
    ...(fl.string('hostname') !== '' ? { Hostname: fl.string('hostname') } : {}),
    Env: fl.list('env'),
    Tty: fl.bool('tty'),
    OpenStdin: fl.bool('interactive'),
    Labels: keyValueMap(fl.list('label')),
    HostConfig: { NetworkMode: mode, AutoRemove: autoRemove },
    ...(endpoint !== undefined ? { NetworkingConfig: { EndpointsConfig: endpoint } } : {}),
  };
}

/** cli `createContainer`: a missing image is looked for on a registry, which swarmnet has none of. */
async function create(ctx: RunContext, request: ContainerCreateRequest, onError: (message: string) => StatusError): Promise<string> {
  try {
    const created = await ctx.engine.call('containerCreate', request);
    for (const w of created.Warnings) ctx.stderr(`WARNING: ${w}\n`);
    return created.Id;
  } catch (e) {
    const message = e instanceof EngineApiError ? e.message.trim() : '';
    if (e instanceof EngineApiError && (/^No such image/i.test(message) || message.startsWith('pull access denied'))) {
      ctx.stderr(`Unable to find image '${familiarTagged(request.Image)}' locally\n`);
      const pull = message.startsWith('pull access denied')
        ? message
        : `pull access denied for ${repositoryName(request.Image)}, repository does not exist or may require 'docker login'`;
      throw onError(`Error response from daemon: ${pull}`);
    }
    throw onError(errorMessageOf(e));
  }
}

/** All of the session's input, one line each, or null without `-i`. */
export async function readAllInput(ctx: RunContext, attach: boolean): Promise<string | null> {
  if (!attach) return null;
  let text = '';
  for (let line = await ctx.readLine(); line !== null; line = await ctx.readLine()) text += `${line}\n`;
  return text;
}

/** Prints a process's output (a TTY merges stderr into stdout) and exits with its status. */
export function finishProcess(ctx: RunContext, output: { stdout: string; stderr: string; exitCode: number | null }, tty: boolean): void {
  if (tty) ctx.stdout(output.stdout + output.stderr);
  else {
    ctx.stdout(output.stdout);
    ctx.stderr(output.stderr);
  }
  if (output.exitCode !== null && output.exitCode !== 0) throw new StatusError('', output.exitCode);
}

export const runCommand: CommandDef = {
  use: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  aliasesText: 'docker container run, docker run',
  categoryTop: '1',
  args: minArgs(1),
  interspersed: false,
  flags: RUN_FLAGS,
  run: async (ctx) => {
    const pull = ctx.flags.string('pull');
    if (!['always', 'missing', 'never', ''].includes(pull)) throw withHelp(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`, 125);
    const detach = ctx.flags.bool('detach');
    let request: ContainerCreateRequest;
    try {
      request = createRequest(ctx, ctx.flags.bool('rm'));
    } catch (e) {
      throw withHelp(errorMessageOf(e), 125);
    }
    const id = await create(ctx, request, (m) => withHelp(m, 125));
    if (detach) ctx.stdout(`${id}\n`);
    try {
      await ctx.engine.call('containerStart', { id });
    } catch (e) {
      throw startFailure(errorMessageOf(e));
    }
    if (detach) return;
    const stdin = await readAllInput(ctx, ctx.flags.bool('interactive'));
    const output = await ctx.engine.call('containerAttach', { id, stdin });
    finishProcess(ctx, output, ctx.flags.bool('tty'));
  },
};

export const createCommand: CommandDef = {
  use: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  aliasesText: 'docker container create, docker create',
  args: minArgs(1),
  interspersed: false,
  flags: CONTAINER_FLAGS,
  run: async (ctx) => {
    const id = await create(ctx, createRequest(ctx, false), (m) => new StatusError(m));
    ctx.stdout(`${id}\n`);
  },
};
