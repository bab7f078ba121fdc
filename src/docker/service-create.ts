/**
 * `docker service create` flags and the service spec they build — cli
 * `cli/command/service/create.go` and `service/opts.go` (`addServiceFlags`, `ToService`,
 * `ToServiceMode`, `updateConfig`, `ToRestartPolicy`, `ToEndpointSpec`). The flag table declares
 * every flag docker 28 offers (same names, shorthands, types and help texts); the ones swarmnet
 * cannot honour carry `unsupported`, so giving one is refused instead of silently ignored.
 *
 * The client checks only what the cli checks (flag syntax, mode/replicas combinations); names,
 * networks and ports are validated by the daemon, whose refusals print as docker prints them.
 */
import type { EngineNetworkAttachmentConfig, EnginePortConfig, EngineServiceSpec, EngineUpdateConfig } from '../host/engine-api.js';
import { StatusError } from './command.js';
import { boolKind, intKind, listKind, stringKind, uintKind, type FlagDef, type FlagKind, type FlagValues } from './flags.js';
import {
  envListKind,
  networkKind,
  optionalDurationKind,
  optionalFloatKind,
  optionalUintKind,
  portKind,
  shlexKind,
} from './service-opts.js';

const NS_PER_SECOND = 1_000_000_000;

/** swarmkit `api/defaults` for update and rollback configs. */
export const DEFAULT_UPDATE_CONFIG: EngineUpdateConfig = {
  Parallelism: 1,
  FailureAction: 'pause',
  Monitor: 5 * NS_PER_SECOND,
  MaxFailureRatio: 0,
  Order: 'stop-first',
};

const notEmulated = (what: string): string => `swarmnet does not emulate ${what}`;

/** A value type swarmnet does not model, shown under docker's type name. */
const opaqueKind = (type: string): FlagKind<readonly string[]> => ({ ...listKind(), type });

const f = (name: string, usage: string, kind: FlagKind, extra: Partial<FlagDef> = {}): FlagDef => ({ name, usage, kind, ...extra });
const unsupported = (name: string, usage: string, kind: FlagKind, what: string, shorthand?: string): FlagDef =>
  f(name, usage, kind, { unsupported: notEmulated(what), ...(shorthand !== undefined ? { shorthand } : {}) });

/** cli `addServiceFlags`: the flags `create` and `update` share. */
export const SERVICE_FLAGS: readonly FlagDef[] = [
  f('detach', 'Exit immediately instead of waiting for the service to converge', boolKind(), { shorthand: 'd' }),
  f('quiet', 'Suppress progress output', boolKind(), { shorthand: 'q' }),
  f('workdir', 'Working directory inside the container', stringKind(), { shorthand: 'w' }),
  f('user', 'Username or UID (format: <name|uid>[:<group|gid>])', stringKind(), { shorthand: 'u' }),
  unsupported('credential-spec', 'Credential spec for managed service account (Windows only)', opaqueKind('credential-spec'), 'Windows credential specs'),
  f('hostname', 'Container hostname', stringKind()),
  f('entrypoint', 'Overwrite the default ENTRYPOINT of the image', shlexKind()),
  unsupported('cap-add', 'Add Linux capabilities', listKind(), 'Linux capabilities'),
  unsupported('cap-drop', 'Drop Linux capabilities', listKind(), 'Linux capabilities'),
  unsupported('limit-cpu', 'Limit CPUs', opaqueKind('decimal'), 'resource limits'),
  unsupported('limit-memory', 'Limit Memory', opaqueKind('bytes'), 'resource limits'),
  unsupported('reserve-cpu', 'Reserve CPUs', opaqueKind('decimal'), 'resource reservations'),
  unsupported('reserve-memory', 'Reserve Memory', opaqueKind('bytes'), 'resource reservations'),
  unsupported('limit-pids', 'Limit maximum number of processes (default 0 = unlimited)', intKind(64), 'resource limits'),
  f('stop-grace-period', 'Time to wait before force killing a container (ns|us|ms|s|m|h) (default 10s)', optionalDurationKind()),
  f('replicas', 'Number of tasks', optionalUintKind()),
  unsupported('max-concurrent', 'Number of job tasks to run concurrently (default equal to --replicas)', optionalUintKind(), 'job services'),
  f('replicas-max-per-node', 'Maximum number of tasks per node (default 0 = unlimited)', uintKind(64)),
  f('restart-condition', 'Restart when condition is met ("none", "on-failure", "any") (default "any")', stringKind()),
  f('restart-delay', 'Delay between restart attempts (ns|us|ms|s|m|h) (default 5s)', optionalDurationKind()),
  f('restart-max-attempts', 'Maximum number of restarts before giving up', optionalUintKind()),
  f('restart-window', 'Window used to evaluate the restart policy (ns|us|ms|s|m|h)', optionalDurationKind()),
  f('update-parallelism', 'Maximum number of tasks updated simultaneously (0 to update all at once)', uintKind(64, 1)),
  f('update-delay', 'Delay between updates (ns|us|ms|s|m|h) (default 0s)', optionalDurationKind()),
  f('update-monitor', 'Duration after each task update to monitor for failure (ns|us|ms|s|m|h) (default 5s)', optionalDurationKind()),
  f('update-failure-action', 'Action on update failure ("pause", "continue", "rollback") (default "pause")', stringKind()),
  f('update-max-failure-ratio', 'Failure rate to tolerate during an update (default 0)', optionalFloatKind()),
  f('update-order', 'Update order ("start-first", "stop-first") (default "stop-first")', stringKind()),
  f('rollback-parallelism', 'Maximum number of tasks rolled back simultaneously (0 to roll back all at once)', uintKind(64, 1)),
  f('rollback-delay', 'Delay between task rollbacks (ns|us|ms|s|m|h) (default 0s)', optionalDurationKind()),
  f('rollback-monitor', 'Duration after each task rollback to monitor for failure (ns|us|ms|s|m|h) (default 5s)', optionalDurationKind()),
  f('rollback-failure-action', 'Action on rollback failure ("pause", "continue") (default "pause")', stringKind()),
  f('rollback-max-failure-ratio', 'Failure rate to tolerate during a rollback (default 0)', optionalFloatKind()),
  f('rollback-order', 'Rollback order ("start-first", "stop-first") (default "stop-first")', stringKind()),
  f('endpoint-mode', 'Endpoint mode (vip or dnsrr)', stringKind('vip')),
  f('with-registry-auth', 'Send registry authentication details to swarm agents', boolKind()),
  f('no-resolve-image', 'Do not query the registry to resolve image digest and supported platforms', boolKind()),
  f('log-driver', 'Logging driver for service', stringKind()),
  f('log-opt', 'Logging driver options', listKind()),
  unsupported('health-cmd', 'Command to run to check health', stringKind(), 'health checks'),
  unsupported('health-interval', 'Time between running the check (ms|s|m|h)', optionalDurationKind(), 'health checks'),
  unsupported('health-timeout', 'Maximum time to allow one check to run (ms|s|m|h)', optionalDurationKind(), 'health checks'),
  unsupported('health-retries', 'Consecutive failures needed to report unhealthy', intKind(64), 'health checks'),
  unsupported('health-start-period', 'Start period for the container to initialize before counting retries towards unstable (ms|s|m|h)', optionalDurationKind(), 'health checks'),
  unsupported('health-start-interval', 'Time between running the check during the start period (ms|s|m|h)', optionalDurationKind(), 'health checks'),
  unsupported('no-healthcheck', 'Disable any container-specified HEALTHCHECK', boolKind(), 'health checks'),
  f('tty', 'Allocate a pseudo-TTY', boolKind(), { shorthand: 't' }),
  unsupported('read-only', "Mount the container's root filesystem as read only", boolKind(), 'read-only root filesystems'),
  unsupported('stop-signal', 'Signal to stop the container', stringKind(), 'custom stop signals'),
  unsupported('isolation', 'Service container isolation mode', stringKind(), 'isolation modes'),
];

/** The `int64` type prints as `int` in usage; `intKind(64)` already says `int64`, which help renames. */
export const CREATE_FLAGS: readonly FlagDef[] = [
  f('mode', 'Service mode ("replicated", "global", "replicated-job", "global-job")', stringKind('replicated')),
  f('name', 'Service name', stringKind()),
  ...SERVICE_FLAGS,
  f('label', 'Service labels', listKind(), { shorthand: 'l' }),
  f('container-label', 'Container labels', listKind()),
  f('env', 'Set environment variables', envListKind(), { shorthand: 'e' }),
  unsupported('env-file', 'Read in a file of environment variables', listKind(), 'client-side files'),
  unsupported('mount', 'Attach a filesystem mount to the service', opaqueKind('mount'), 'mounts'),
  f('constraint', 'Placement constraints', listKind()),
  unsupported('placement-pref', 'Add a placement preference', opaqueKind('pref'), 'placement preferences'),
  f('network', 'Network attachments', networkKind()),
  unsupported('secret', 'Specify secrets to expose to the service', opaqueKind('secret'), 'secrets'),
  unsupported('config', 'Specify configurations to expose to the service', opaqueKind('config'), 'configs'),
  f('publish', 'Publish a port as a node port', portKind(), { shorthand: 'p' }),
  unsupported('group', 'Set one or more supplementary user groups for the container', listKind(), 'supplementary groups'),
  unsupported('dns', 'Set custom DNS servers', listKind(), 'custom DNS servers'),
  unsupported('dns-option', 'Set DNS options', listKind(), 'DNS options'),
  unsupported('dns-search', 'Set custom DNS search domains', listKind(), 'DNS search domains'),
  unsupported('host', 'Set one or more custom host-to-IP mappings (host:ip)', listKind(), 'extra hosts entries'),
  f('init', 'Use an init inside each service container to forward signals and reap processes', boolKind()),
  unsupported('sysctl', 'Sysctl options', listKind(), 'sysctls'),
  unsupported('ulimit', 'Ulimit options', opaqueKind('ulimit'), 'ulimits'),
  unsupported('oom-score-adj', "Tune host's OOM preferences (-1000 to 1000) ", intKind(64), 'OOM score adjustment'),
  unsupported('generic-resource', 'User defined resources', listKind(), 'generic resources'),
];

/** cli `opts.ConvertKVStringsToMap`. */
export function keyValueMap(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const anyChanged = (flags: FlagValues, names: readonly string[]): boolean => names.some((n) => flags.changed(n));

/** cli `updateOptions.updateConfig` / `rollbackConfig`: absent unless one of its flags is given. */
export function updateConfigFrom(flags: FlagValues, prefix: 'update' | 'rollback', base: EngineUpdateConfig = DEFAULT_UPDATE_CONFIG): EngineUpdateConfig | undefined {
  const names = ['parallelism', 'delay', 'monitor', 'failure-action', 'max-failure-ratio', 'order'].map((n) => `${prefix}-${n}`);
  if (!anyChanged(flags, names)) return undefined;
  const c = { ...base } as { -readonly [K in keyof EngineUpdateConfig]: EngineUpdateConfig[K] };
  const ch = (n: string): boolean => flags.changed(`${prefix}-${n}`);
  if (ch('parallelism')) c.Parallelism = flags.number(`${prefix}-parallelism`);
  if (ch('delay')) c.Delay = flags.get<number>(`${prefix}-delay`);
  if (ch('monitor')) c.Monitor = flags.get<number>(`${prefix}-monitor`);
  if (ch('failure-action')) c.FailureAction = flags.string(`${prefix}-failure-action`) as EngineUpdateConfig['FailureAction'];
  if (ch('max-failure-ratio')) c.MaxFailureRatio = flags.get<number>(`${prefix}-max-failure-ratio`);
  if (ch('order')) c.Order = flags.string(`${prefix}-order`) as EngineUpdateConfig['Order'];
  return c;
}

type RestartPolicy = NonNullable<EngineServiceSpec['TaskTemplate']['RestartPolicy']>;

/** cli `ToRestartPolicy`: absent unless a restart flag is given. */
export function restartPolicyFrom(flags: FlagValues, base?: RestartPolicy): RestartPolicy | undefined {
  if (!anyChanged(flags, ['restart-condition', 'restart-delay', 'restart-max-attempts', 'restart-window'])) return undefined;
  const p: { -readonly [K in keyof RestartPolicy]: RestartPolicy[K] } = { ...(base ?? { Condition: 'any', Delay: 5 * NS_PER_SECOND, MaxAttempts: 0 }) };
  if (flags.changed('restart-delay')) p.Delay = flags.get<number>('restart-delay');
  if (flags.changed('restart-condition')) p.Condition = flags.string('restart-condition') as RestartPolicy['Condition'];
  if (flags.changed('restart-max-attempts')) p.MaxAttempts = flags.get<number>('restart-max-attempts');
  if (flags.changed('restart-window')) p.Window = flags.get<number>('restart-window');
  return p;
}

/** cli `ToServiceMode` for the modes swarmnet runs. */
function serviceModeFrom(flags: FlagValues): EngineServiceSpec['Mode'] {
  const mode = flags.string('mode');
  const replicas = flags.get<number | null>('replicas');
  switch (mode) {
    case 'global':
      if (flags.changed('replicas-max-per-node')) throw new StatusError('replicas-max-per-node can only be used with replicated or replicated-job mode');
      if (replicas !== null) throw new StatusError('replicas can only be used with replicated or replicated-job mode');
      return { Global: {} };
    case 'replicated':
      return { Replicated: replicas === null ? {} : { Replicas: replicas } };
    case 'replicated-job':
    case 'global-job':
      throw new StatusError(`swarmnet does not support --mode ${mode}: ${notEmulated('job services')}`);
    default:
      throw new StatusError(`unknown mode: ${mode}, only replicated and global supported`);
  }
}

/** The network attachments as the API takes them (cli `convertNetworks`). */
export function networkAttachments(nets: readonly EngineNetworkAttachmentConfig[]): EngineNetworkAttachmentConfig[] {
  return nets.map((n) => ({ Target: n.Target, ...(n.Aliases !== undefined && n.Aliases.length > 0 ? { Aliases: n.Aliases } : {}), ...(n.DriverOpts !== undefined ? { DriverOpts: n.DriverOpts } : {}) }));
}

/** cli `serviceOptions.ToService`: the spec `docker service create IMAGE ARGS…` sends. */
export function serviceSpecFrom(flags: FlagValues, image: string, args: readonly string[]): EngineServiceSpec {
  const mode = serviceModeFrom(flags);
  const entrypoint = flags.get<readonly string[] | null>('entrypoint');
  const stopGrace = flags.get<number | null>('stop-grace-period');
  const constraints = flags.list('constraint');
  const maxReplicas = flags.number('replicas-max-per-node');
  const networks = flags.get<readonly EngineNetworkAttachmentConfig[]>('network');
  const restart = restartPolicyFrom(flags);
  const update = updateConfigFrom(flags, 'update');
  const rollback = updateConfigFrom(flags, 'rollback');
  const logDriver = flags.string('log-driver');
  return {
    Name: flags.string('name'),
    Labels: keyValueMap(flags.list('label')),
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Labels: keyValueMap(flags.list('container-label')),
        ...(entrypoint !== null ? { Command: entrypoint } : {}),
        ...(args.length > 0 ? { Args: args } : {}),
        Hostname: flags.string('hostname'),
        Env: flags.list('env'),
        Dir: flags.string('workdir'),
        User: flags.string('user'),
        TTY: flags.bool('tty'),
        ...(stopGrace !== null ? { StopGracePeriod: stopGrace } : {}),
        ...(flags.changed('init') ? { Init: flags.bool('init') } : {}),
      },
      Networks: networkAttachments(networks),
      Resources: { Limits: {}, Reservations: {} },
      ...(restart !== undefined ? { RestartPolicy: restart } : {}),
      Placement: { ...(constraints.length > 0 ? { Constraints: constraints } : {}), ...(maxReplicas > 0 ? { MaxReplicas: maxReplicas } : {}) },
      ...(logDriver !== '' ? { LogDriver: { Name: logDriver, Options: keyValueMap(flags.list('log-opt')) } } : {}),
      ForceUpdate: 0,
    },
    Mode: mode,
    ...(update !== undefined ? { UpdateConfig: update } : {}),
    ...(rollback !== undefined ? { RollbackConfig: rollback } : {}),
    EndpointSpec: { Mode: flags.string('endpoint-mode').toLowerCase() as 'vip' | 'dnsrr', Ports: flags.get<readonly EnginePortConfig[]>('publish') },
  };
}
