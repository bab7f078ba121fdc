/**
 * How `docker service` prints services — cli `cli/command/service/formatter.go`: the `service ls`
 * table (`defaultServiceTableFormat`, `serviceContext`: MODE, REPLICAS from the daemon's
 * ServiceStatus, IMAGE without its digest, PORTS with ingress ranges merged) and
 * `service inspect --pretty` (`serviceInspectPrettyTemplate`, reproduced line by line below with
 * its literal tabs and trailing spaces; reference §4.7 pins the common case byte for byte).
 */
import type { EnginePortConfig, EngineService, EngineUpdateConfig } from '../host/engine-api.js';
import { formatGoDuration } from './golang.js';
import { truncateID } from './network-format.js';
import { familiarImage } from './task-format.js';
import { GoStruct } from './template.js';
import { bytesSize, humanDuration } from './units.js';

/** cli `defaultServiceTableFormat`. */
export const DEFAULT_SERVICE_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}';

export const SERVICE_HEADER: Readonly<Record<string, string>> = {
  ID: 'ID',
  Name: 'NAME',
  Mode: 'MODE',
  Replicas: 'REPLICAS',
  Image: 'IMAGE',
  Ports: 'PORTS',
};

/** cli `NewListFormat`. */
export function serviceListFormat(source: string, quiet: boolean): string {
  switch (source) {
    case 'table':
      return quiet ? '{{.ID}}' : DEFAULT_SERVICE_TABLE;
    case 'raw':
      return quiet ? 'id: {{.ID}}' : 'id: {{.ID}}\\nname: {{.Name}}\\nmode: {{.Mode}}\\nreplicas: {{.Replicas}}\\nimage: {{.Image}}\\nports: {{.Ports}}\\n';
    default:
      return source;
  }
}

export function serviceMode(s: EngineService): string {
  if (s.Spec.Mode.Global !== undefined) return 'global';
  if (s.Spec.Mode.Replicated !== undefined) return 'replicated';
  return '';
}

/** cli `serviceContext.Ports`: ingress ports only, sorted, consecutive ones merged into ranges. */
export function servicePorts(ports: readonly EnginePortConfig[] | undefined): string {
  if (ports === undefined) return '';
  const sorted = [...ports].sort((a, b) =>
    a.Protocol === b.Protocol ? (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0) : a.Protocol < b.Protocol ? -1 : 1,
  );
  const out: string[] = [];
  let pr = { pStart: 0, pEnd: 0, tStart: 0, tEnd: 0, protocol: '' };
  const text = (r: typeof pr): string => {
    const pub = r.pEnd > r.pStart ? `${r.pStart}-${r.pEnd}` : `${r.pStart}`;
    const tgt = r.tEnd > r.tStart ? `${r.tStart}-${r.tEnd}` : `${r.tStart}`;
    return `*:${pub}->${tgt}/${r.protocol}`;
  };
  // Go subtracts uint32s: a smaller port wraps around to a huge difference.
  const gap = (a: number, b: number): number => (a - b) >>> 0;
  for (const p of sorted) {
    if (p.PublishMode !== 'ingress') continue;
    const published = p.PublishedPort ?? 0;
    const isRange = pr.tEnd !== pr.tStart;
    const overlaps = p.TargetPort <= pr.tEnd;
    if (p.Protocol !== pr.protocol || gap(published, pr.pEnd) > 1 || gap(p.TargetPort, pr.tEnd) > 1 || (isRange && overlaps)) {
      if (pr.pStart > 0) out.push(text(pr));
      pr = { pStart: published, pEnd: published, tStart: p.TargetPort, tEnd: p.TargetPort, protocol: p.Protocol };
      continue;
    }
    pr.pEnd = published;
    pr.tEnd = p.TargetPort;
  }
  if (pr.pStart > 0) out.push(text(pr));
  return out.join(', ');
}

/** cli `serviceContext`: one `service ls` row. */
export function serviceRowContext(s: EngineService): GoStruct {
  const status = s.ServiceStatus;
  const running = status?.RunningTasks ?? 0;
  const desired = status?.DesiredTasks ?? 0;
  const max = serviceMode(s) === 'replicated' ? (s.Spec.TaskTemplate.Placement?.MaxReplicas ?? 0) : 0;
  return new GoStruct('*service.serviceContext', {
    ID: truncateID(s.ID),
    Name: s.Spec.Name ?? '',
    Mode: serviceMode(s),
    Replicas: max > 0 ? `${running}/${desired} (max ${max} per node)` : `${running}/${desired}`,
    Image: familiarImage(s.Spec.TaskTemplate.ContainerSpec?.Image ?? ''),
    Ports: servicePorts(s.Endpoint.Ports),
  });
}

/** Go `%v` of a float32 such as a max failure ratio (`0`, `0.2`). */
const goFloat = (x: number): string => String(Math.fround(x) === x ? x : Number(x.toPrecision(7)));

function updateLines(kind: 'Update' | 'Rollback', c: EngineUpdateConfig | undefined): string {
  if (c === undefined) return '';
  let s = `\n${kind}Config:\n Parallelism:\t${c.Parallelism}`;
  if ((c.Delay ?? 0) > 0) s += `\n Delay:\t\t${formatGoDuration(c.Delay!)}`;
  s += `\n On failure:\t${c.FailureAction ?? ''}`;
  if ((c.Monitor ?? 0) > 0) s += `\n Monitoring Period: ${formatGoDuration(c.Monitor!)}`;
  s += `\n Max failure ratio: ${goFloat(c.MaxFailureRatio)}`;
  s += `\n ${kind} order:${kind === 'Update' ? '      ' : '    '}${c.Order ?? ''}`;
  return s;
}

/**
 * cli `serviceInspectPrettyTemplate` for one service. `networkNames` maps network IDs to names
 * (cli `resolveNetworks`); `now` dates the update status.
 */
export function prettyService(s: EngineService, networkNames: ReadonlyMap<string, string>, now: Date): string {
  const spec = s.Spec;
  const task = spec.TaskTemplate;
  const cs = task.ContainerSpec;
  let out = `\nID:\t\t${s.ID}\nName:\t\t${spec.Name ?? ''}`;
  const labels = spec.Labels ?? {};
  if (Object.keys(labels).length > 0) {
    out += '\nLabels:';
    for (const k of Object.keys(labels).sort()) out += `\n ${k}${labels[k] !== '' ? `=${labels[k]}` : ''}`;
  }
  out += '\nService Mode:';
  if (spec.Mode.Global !== undefined) out += '\tGlobal';
  else if (spec.Mode.Replicated !== undefined) {
    out += '\tReplicated';
    if (spec.Mode.Replicated.Replicas !== undefined) out += `\n Replicas:\t${spec.Mode.Replicated.Replicas}`;
  }
  const us = s.UpdateStatus;
  if (us !== undefined && us.State !== '') {
    const ago = (t: string): string => `${humanDuration(Math.max(0, now.getTime() - Date.parse(t)) * 1e6)} ago`;
    out += `\nUpdateStatus:\n State:\t\t${us.State}`;
    if (us.StartedAt !== undefined) out += `\n Started:\t${ago(us.StartedAt)}`;
    if (us.State === 'completed' && us.CompletedAt !== undefined) out += `\n Completed:\t${ago(us.CompletedAt)}`;
    out += `\n Message:\t${us.Message}`;
  }
  out += '\nPlacement:';
  const constraints = task.Placement?.Constraints ?? [];
  if (constraints.length > 0) out += `\n Constraints:\t[${constraints.join(' ')}]`;
  if ((task.Placement?.MaxReplicas ?? 0) > 0) out += `\n Max Replicas Per Node:   ${task.Placement!.MaxReplicas}`;
  out += updateLines('Update', spec.UpdateConfig);
  out += updateLines('Rollback', spec.RollbackConfig);
  out += `\nContainerSpec:\n Image:\t\t${cs?.Image ?? ''}`;
  if ((cs?.Args ?? []).length > 0) out += `\n Args:\t\t${cs!.Args!.map((a) => `${a} `).join('')}`;
  if ((cs?.Env ?? []).length > 0) out += `\n Env:\t\t${cs!.Env!.map((e) => `${e} `).join('')}`;
  if ((cs?.Dir ?? '') !== '') out += `\n Dir:\t\t${cs!.Dir}`;
  if (cs?.Init !== undefined && cs.Init !== null) out += `\n Init:\t\t${cs.Init}`;
  if ((cs?.User ?? '') !== '') out += `\n User: ${cs!.User}`;
  if (task.LogDriver !== undefined) {
    out += '\nLog Driver:';
    if (task.LogDriver.Name !== '') out += `\n Name:\t\t${task.LogDriver.Name}`;
    const opts = task.LogDriver.Options ?? {};
    if (Object.keys(opts).length > 0) {
      out += '\n LogOpts:';
      for (const k of Object.keys(opts).sort()) out += `\n  ${k}${opts[k] !== '' ? `:       ${opts[k]}` : ''}`;
    }
    out += '\n';
  }
  if (task.Resources !== undefined) {
    out += '\nResources:';
    const res = task.Resources.Reservations as { NanoCPUs?: number; MemoryBytes?: number } | undefined;
    const lim = task.Resources.Limits as { NanoCPUs?: number; MemoryBytes?: number; Pids?: number } | undefined;
    if (res !== undefined && ((res.NanoCPUs ?? 0) > 0 || (res.MemoryBytes ?? 0) > 0)) {
      out += '\n Reservations:';
      if ((res.NanoCPUs ?? 0) > 0) out += `\n  CPU:\t\t${res.NanoCPUs! / 1e9}`;
      if ((res.MemoryBytes ?? 0) > 0) out += `\n  Memory:\t${bytesSize(res.MemoryBytes!)}`;
    }
    if (lim !== undefined && ((lim.NanoCPUs ?? 0) > 0 || (lim.MemoryBytes ?? 0) > 0 || (lim.Pids ?? 0) > 0)) {
      out += '\n Limits:';
      if ((lim.NanoCPUs ?? 0) > 0) out += `\n  CPU:\t\t${lim.NanoCPUs! / 1e9}`;
      if ((lim.MemoryBytes ?? 0) > 0) out += `\n  Memory:\t${bytesSize(lim.MemoryBytes!)}`;
    }
    if ((lim?.Pids ?? 0) > 0) out += `\n  PIDs:\t\t${lim!.Pids}`;
  }
  const networks = (task.Networks ?? []).map((n) => networkNames.get(n.Target) ?? n.Target);
  if (networks.length > 0) out += `\nNetworks:${networks.map((n) => ` ${n}`).join('')} `;
  out += `\nEndpoint Mode:\t${spec.EndpointSpec?.Mode ?? ''}`;
  const ports = s.Endpoint.Ports ?? [];
  if (ports.length > 0) {
    out += '\nPorts:';
    for (const p of ports) {
      out += `\n PublishedPort = ${p.PublishedPort ?? 0}\n  Protocol = ${p.Protocol}\n  TargetPort = ${p.TargetPort}\n  PublishMode = ${p.PublishMode}`;
    }
    out += ' ';
  }
  return `${out}\n`;
}
