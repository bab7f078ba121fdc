/**
 * `docker service update` flags and the spec change they make — cli
 * `cli/command/service/update.go` (`newUpdateCommand`, `updateService`, `updateEnvironment`,
 * `updateNetworks`, `updatePorts`, `updateLabels`): the service is read, its spec changed field by
 * field for each flag given, and sent back with the version read (the daemon refuses a stale one).
 */
import type { EngineApi, EngineNetworkAttachmentConfig, EnginePortConfig, EngineService, EngineServiceSpec } from '../host/engine-api.js';
import { StatusError } from './command.js';
import { boolKind, listKind, stringKind, type FlagDef, type FlagKind, type FlagValues } from './flags.js';
import { keyValueMap, networkAttachments, restartPolicyFrom, SERVICE_FLAGS, updateConfigFrom } from './service-create.js';
import { envListKind, networkKind, portKind, shlexKind } from './service-opts.js';

const notEmulated = (what: string): string => `swarmnet does not emulate ${what}`;
const opaqueKind = (type: string): FlagKind<readonly string[]> => ({ ...listKind(), type });
const f = (name: string, usage: string, kind: FlagKind, unsupported?: string): FlagDef => ({
  name,
  usage,
  kind,
  ...(unsupported !== undefined ? { unsupported: notEmulated(unsupported) } : {}),
});

/** cli `newUpdateCommand` flags: the shared service flags plus the add/remove pairs. */
export const UPDATE_FLAGS: readonly FlagDef[] = [
  ...SERVICE_FLAGS,
  f('image', 'Service image tag', stringKind()),
  f('args', 'Service command args', shlexKind()),
  f('rollback', 'Rollback to previous specification', boolKind()),
  f('force', 'Force update even if no changes require it', boolKind()),
  f('env-rm', 'Remove an environment variable', listKind()),
  f('group-rm', 'Remove a previously added supplementary user group from the container', listKind(), 'supplementary groups'),
  f('label-rm', 'Remove a label by its key', listKind()),
  f('container-label-rm', 'Remove a container label by its key', listKind()),
  f('mount-rm', 'Remove a mount by its target path', listKind(), 'mounts'),
  f('publish-rm', 'Remove a published port by its target port', portKind()),
  f('constraint-rm', 'Remove a constraint', listKind()),
  f('dns-rm', 'Remove a custom DNS server', listKind(), 'custom DNS servers'),
  f('dns-option-rm', 'Remove a DNS option', listKind(), 'DNS options'),
  f('dns-search-rm', 'Remove a DNS search domain', listKind(), 'DNS search domains'),
  f('host-rm', 'Remove a custom host-to-IP mapping ("host:ip")', listKind(), 'extra hosts entries'),
  f('label-add', 'Add or update a service label', listKind()),
  f('container-label-add', 'Add or update a container label', listKind()),
  f('env-add', 'Add or update an environment variable', envListKind()),
  f('secret-rm', 'Remove a secret', listKind(), 'secrets'),
  f('secret-add', 'Add or update a secret on a service', opaqueKind('secret'), 'secrets'),
  f('config-rm', 'Remove a configuration file', listKind(), 'configs'),
  f('config-add', 'Add or update a config file on a service', opaqueKind('config'), 'configs'),
  f('mount-add', 'Add or update a mount on a service', opaqueKind('mount'), 'mounts'),
  f('constraint-add', 'Add or update a placement constraint', listKind()),
  f('placement-pref-add', 'Add a placement preference', opaqueKind('pref'), 'placement preferences'),
  f('placement-pref-rm', 'Remove a placement preference', opaqueKind('pref'), 'placement preferences'),
  f('network-add', 'Add a network', networkKind()),
  f('network-rm', 'Remove a network', listKind()),
  f('publish-add', 'Add or update a published port', portKind()),
  f('group-add', 'Add an additional supplementary user group to the container', listKind(), 'supplementary groups'),
  f('dns-add', 'Add or update a custom DNS server', listKind(), 'custom DNS servers'),
  f('dns-option-add', 'Add or update a DNS option', listKind(), 'DNS options'),
  f('dns-search-add', 'Add or update a custom DNS search domain', listKind(), 'DNS search domains'),
  f('host-add', 'Add a custom host-to-IP mapping ("host:ip")', listKind(), 'extra hosts entries'),
  f('init', 'Use an init inside each service container to forward signals and reap processes', boolKind()),
  f('sysctl-add', 'Add or update a Sysctl option', listKind(), 'sysctls'),
  f('sysctl-rm', 'Remove a Sysctl option', listKind(), 'sysctls'),
  f('ulimit-add', 'Add or update a ulimit option', opaqueKind('ulimit'), 'ulimits'),
  f('ulimit-rm', 'Remove a ulimit option', listKind(), 'ulimits'),
  f('oom-score-adj', "Tune host's OOM preferences (-1000 to 1000) ", { ...listKind(), type: 'int64' }, 'OOM score adjustment'),
  f('generic-resource-rm', 'Remove a Generic resource', listKind(), 'generic resources'),
  f('generic-resource-add', 'Add a Generic resource', listKind(), 'generic resources'),
];

/** The key of `KEY=value` (or of a bare `KEY`). */
const envKey = (entry: string): string => (entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry);

/** cli `updateEnvironment`: adds replace entries with the same key; removals go by key. */
function updateEnv(current: readonly string[], add: readonly string[], remove: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const e of current) byKey.set(envKey(e), e);
  for (const e of add) byKey.set(envKey(e), e);
  for (const k of remove) byKey.delete(envKey(k));
  return [...byKey.values()];
}

function updateLabels(current: Readonly<Record<string, string>> | undefined, add: readonly string[], remove: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...(current ?? {}), ...keyValueMap(add) };
  for (const k of remove) delete out[k];
  return out;
}

/** cli `portConfigToString`. */
const portKey = (p: EnginePortConfig): string => `${p.PublishedPort ?? 0}:${p.TargetPort}/${p.Protocol}/${p.PublishMode}`;

/** cli `updatePorts`: removals match target port, protocol and mode; the result is sorted. */
function updatePorts(current: readonly EnginePortConfig[], add: readonly EnginePortConfig[], remove: readonly EnginePortConfig[]): EnginePortConfig[] {
  const set = new Map<string, EnginePortConfig>();
  for (const p of current) set.set(portKey(p), p);
  const out = [...set.values()].filter(
    (p) => !remove.some((r) => r.Protocol === p.Protocol && r.TargetPort === p.TargetPort && r.PublishMode === p.PublishMode),
  );
  for (const p of add) if (!set.has(portKey(p))) out.push(p);
  return out.sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
}

/** cli `updateNetworks`: removals and additions resolved to network IDs through the daemon. */
async function updateNetworks(engine: EngineApi, current: readonly EngineNetworkAttachmentConfig[], flags: FlagValues): Promise<EngineNetworkAttachmentConfig[]> {
  const removeIds = new Set<string>();
  for (const ref of new Set(flags.list('network-rm'))) removeIds.add((await engine.call('networkInspect', { id: ref })).Id);
  const existing = new Set<string>();
  const out: EngineNetworkAttachmentConfig[] = [];
  for (const n of current) {
    if (removeIds.has(n.Target)) continue;
    out.push(n);
    existing.add(n.Target);
  }
  for (const n of networkAttachments(flags.get<readonly EngineNetworkAttachmentConfig[]>('network-add'))) {
    const id = (await engine.call('networkInspect', { id: n.Target })).Id;
    if (existing.has(id)) throw new StatusError(`service is already attached to network ${n.Target}`);
    out.push({ ...n, Target: id });
    existing.add(id);
  }
  return out.sort((a, b) => (a.Target < b.Target ? -1 : a.Target > b.Target ? 1 : 0));
}

/** cli `updateService`: the spec of `service` with every given flag applied. */
export async function updatedSpec(engine: EngineApi, service: EngineService, flags: FlagValues): Promise<EngineServiceSpec> {
  const spec = service.Spec;
  const task = spec.TaskTemplate;
  const cs = task.ContainerSpec ?? { Image: '' };
  const ch = (n: string): boolean => flags.changed(n);
  let mode = spec.Mode;
  if (ch('replicas')) {
    if (mode.Replicated === undefined) throw new StatusError('replicas can only be used with replicated or replicated-job mode');
    mode = { Replicated: { Replicas: flags.get<number>('replicas') } };
  }
  const entrypoint = flags.get<readonly string[] | null>('entrypoint');
  const args = flags.get<readonly string[] | null>('args');
  const stopGrace = flags.get<number | null>('stop-grace-period');
  const constraints = [...(task.Placement?.Constraints ?? []).filter((c) => !flags.list('constraint-rm').includes(c)), ...flags.list('constraint-add')];
  const maxReplicas = ch('replicas-max-per-node') ? flags.number('replicas-max-per-node') : task.Placement?.MaxReplicas;
  const networks = ch('network-add') || ch('network-rm') ? await updateNetworks(engine, task.Networks ?? [], flags) : task.Networks;
  const ports =
    ch('publish-add') || ch('publish-rm')
      ? updatePorts(spec.EndpointSpec?.Ports ?? [], flags.get<readonly EnginePortConfig[]>('publish-add'), flags.get<readonly EnginePortConfig[]>('publish-rm'))
      : spec.EndpointSpec?.Ports;
  const restart = restartPolicyFrom(flags, task.RestartPolicy as Parameters<typeof restartPolicyFrom>[1]);
  const update = updateConfigFrom(flags, 'update', spec.UpdateConfig);
  const rollback = updateConfigFrom(flags, 'rollback', spec.RollbackConfig);
  return {
    ...spec,
    Labels: updateLabels(spec.Labels, flags.list('label-add'), flags.list('label-rm')),
    TaskTemplate: {
      ...task,
      ContainerSpec: {
        ...cs,
        ...(ch('image') ? { Image: flags.string('image') } : {}),
        ...(args !== null ? { Args: args } : {}),
        ...(entrypoint !== null ? { Command: entrypoint } : {}),
        Labels: updateLabels(cs.Labels, flags.list('container-label-add'), flags.list('container-label-rm')),
        Env: updateEnv(cs.Env ?? [], flags.list('env-add'), flags.list('env-rm')),
        ...(ch('hostname') ? { Hostname: flags.string('hostname') } : {}),
        ...(ch('workdir') ? { Dir: flags.string('workdir') } : {}),
        ...(ch('user') ? { User: flags.string('user') } : {}),
        ...(ch('tty') ? { TTY: flags.bool('tty') } : {}),
        ...(ch('init') ? { Init: flags.bool('init') } : {}),
        ...(stopGrace !== null ? { StopGracePeriod: stopGrace } : {}),
      },
      ...(networks !== undefined ? { Networks: networks } : {}),
      ...(restart !== undefined ? { RestartPolicy: restart } : {}),
      Placement: { ...task.Placement, Constraints: constraints, ...(maxReplicas !== undefined ? { MaxReplicas: maxReplicas } : {}) },
      ...(ch('log-driver') ? { LogDriver: { Name: flags.string('log-driver'), Options: keyValueMap(flags.list('log-opt')) } } : {}),
      ForceUpdate: (task.ForceUpdate ?? 0) + (flags.bool('force') ? 1 : 0),
    },
    Mode: mode,
    ...(update !== undefined ? { UpdateConfig: update } : {}),
    ...(rollback !== undefined ? { RollbackConfig: rollback } : {}),
    EndpointSpec: {
      ...spec.EndpointSpec,
      ...(ch('endpoint-mode') ? { Mode: flags.string('endpoint-mode').toLowerCase() as 'vip' | 'dnsrr' } : {}),
      ...(ports !== undefined ? { Ports: ports } : {}),
    },
  };
}
