/**
 * How `docker ps` prints containers — cli `cli/command/formatter/container.go`
 * (`defaultContainerTableFormat`, `ContainerContext`): ID cut to 12, COMMAND quoted and cut to 20
 * columns with `…`, CREATED as `<human duration> ago`, STATUS as the daemon words it, PORTS as
 * `DisplayablePorts`, NAMES without the API's leading slash. Reference §5.1.
 */
import type { ContainerSummary } from '../host/engine-api.js';
import { truncateID } from './network-format.js';
import { ellipsis, familiarImage } from './task-format.js';
import { GoStruct } from './template.js';
import { humanDuration } from './units.js';

/** cli `defaultContainerTableFormat`. */
export const DEFAULT_CONTAINER_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** COMMAND is cut to this many columns unless `--no-trunc`. */
const COMMAND_COLUMNS = 20;

export const CONTAINER_HEADER: Readonly<Record<string, string>> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
};

/** cli `NewContainerFormat` for `table`, `raw` and `-q`. */
export function containerListFormat(source: string, quiet: boolean): string {
  switch (source) {
    case 'table':
      return quiet ? '{{.ID}}' : DEFAULT_CONTAINER_TABLE;
    case 'raw':
      return quiet
        ? 'container_id: {{.ID}}'
        : 'container_id: {{.ID}}\\nimage: {{.Image}}\\ncommand: {{.Command}}\\ncreated_at: {{.CreatedAt}}\\nstate: {{- pad .State 1 0}}\\nstatus: {{- pad .Status 1 0}}\\nnames: {{.Names}}\\nlabels: {{- pad .Labels 1 0}}\\nports: {{- pad .Ports 1 0}}\\n';
    default:
      return source;
  }
}

/** cli `DisplayablePorts` (without range merging): `80/tcp`, `0.0.0.0:8080->80/tcp`. */
export function displayablePorts(ports: ContainerSummary['Ports']): string {
  const shown = ports.map((p) => {
    if (p.PublicPort === undefined || p.PublicPort === 0) return `${p.PrivatePort}/${p.Type}`;
    const ip = p.IP ?? '';
    const host = ip.includes(':') ? `[${ip}]` : ip;
    return `${host}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`;
  });
  return [...new Set(shown)].join(', ');
}

/** Go `time.Unix(…).String()` in UTC: `2026-08-20 10:00:00 +0000 UTC`. */
function unixTimeString(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}

/** cli `ContainerContext`: one `docker ps` row. */
export function containerRowContext(c: ContainerSummary, trunc: boolean, now: Date): GoStruct {
  let names = c.Names.map((n) => n.replace(/^\//, ''));
  // cli: truncated output hides link names (`other/alias`).
  if (trunc) names = names.filter((n) => !n.includes('/')).slice(0, 1);
  const command = trunc ? ellipsis(c.Command, COMMAND_COLUMNS) : c.Command;
  const labels = Object.entries(c.Labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const since = Math.max(0, now.getTime() - c.Created * 1000) * 1e6;
  return new GoStruct('*formatter.ContainerContext', {
    ID: trunc ? truncateID(c.Id) : c.Id,
    Names: names.join(','),
    Image: trunc ? familiarImage(c.Image) : c.Image,
    Command: `"${command}"`,
    CreatedAt: unixTimeString(c.Created),
    RunningFor: `${humanDuration(since)} ago`,
    Ports: displayablePorts(c.Ports),
    State: c.State,
    Status: c.Status,
    Size: '0B',
    Labels: labels,
    Mounts: '',
    LocalVolumes: '0',
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
  });
}
