/**
 * The task table `docker service ps` and `docker node ps` share — cli `cli/command/task/print.go`
 * (`Print`, `generateTaskNames`, the sort and the ` \_ ` history indent) and `task/formatter.go`
 * (`taskContext`: columns `ID NAME IMAGE NODE DESIRED STATE CURRENT STATE ERROR PORTS`).
 *
 * Names and node names come from the daemon through an `IdResolver` as the cli's `idresolver`
 * does (service ID → service name, node ID → hostname, cached per command; `--no-resolve` keeps
 * the IDs). CURRENT STATE is `<State> <human duration> ago` measured on the client's clock.
 */
import type { EngineApi, EngineTask } from '../host/engine-api.js';
import { formatList, prettyPrint } from './format.js';
import { truncateID } from './network-format.js';
import { naturalLess } from './sortorder.js';
import { displayWidth } from './tabwriter.js';
import { GoStruct } from './template.js';
import { humanDuration } from './units.js';

/** cli `defaultTaskTableFormat`. */
export const DEFAULT_TASK_TABLE =
  'table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}';

/** cli `maxErrLength`: ERROR is cut to this many columns unless `--no-trunc`. */
const MAX_ERROR_COLUMNS = 30;

export const TASK_HEADER: Readonly<Record<string, string>> = {
  ID: 'ID',
  Name: 'NAME',
  Image: 'IMAGE',
  Node: 'NODE',
  DesiredState: 'DESIRED STATE',
  CurrentState: 'CURRENT STATE',
  Error: 'ERROR',
  Ports: 'PORTS',
};

/** cli `newTaskFormat`. */
export function taskListFormat(source: string, quiet: boolean): string {
  switch (source) {
    case 'table':
      return quiet ? '{{.ID}}' : DEFAULT_TASK_TABLE;
    case 'raw':
      return quiet
        ? 'id: {{.ID}}'
        : 'id: {{.ID}}\\nname: {{.Name}}\\nimage: {{.Image}}\\nnode: {{.Node}}\\ndesired_state: {{.DesiredState}}\\ncurrent_state: {{.CurrentState}}\\nerror: {{.Error}}\\nports: {{.Ports}}\\n';
    default:
      return source;
  }
}

/** cli `formatter.Ellipsis`: at most `max` display columns, the last one `…` when cut. */
export function ellipsis(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (displayWidth(out + ch) > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * The image as the table shows it: `reference.FamiliarString` of the name and tag without the
 * digest when the reference has a tag (`nginx:latest@sha256:…` → `nginx:latest`); other forms as
 * they are.
 */
export function familiarImage(image: string): string {
  const at = image.indexOf('@');
  const named = at < 0 ? image : image.slice(0, at);
  const slash = named.lastIndexOf('/');
  const hasTag = named.indexOf(':', slash + 1) >= 0;
  if (!hasTag) return image;
  return named.replace(/^docker\.io\/(library\/)?/, '').replace(/^index\.docker\.io\/(library\/)?/, '');
}

/** cli `idresolver.IDResolver`: names for IDs, one daemon call per distinct ID. */
export class IdResolver {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly engine: EngineApi,
    private readonly noResolve = false,
  ) {}

  async node(id: string | undefined): Promise<string> {
    if (id === undefined || id === '') return '';
    return this.lookup(`node:${id}`, id, async () => (await this.engine.call('nodeInspect', { id })).Description.Hostname);
  }

  async service(id: string): Promise<string> {
    return this.lookup(`service:${id}`, id, async () => (await this.engine.call('serviceInspect', { id })).Spec.Name ?? id);
  }

  private async lookup(key: string, id: string, fetch: () => Promise<string>): Promise<string> {
    if (this.noResolve) return id;
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    // cli `idresolver.get`: a lookup that fails shows the ID.
    let name: string;
    try {
      name = (await fetch()) || id;
    } catch {
      name = id;
    }
    this.cache.set(key, name);
    return name;
  }
}

export interface TaskTableOptions {
  readonly format: string;
  readonly quiet: boolean;
  readonly trunc: boolean;
  readonly now: Date;
}

/** cli `task.Print`: the tasks named, sorted, resolved and formatted. */
export async function printTasks(tasks: readonly EngineTask[], resolver: IdResolver, o: TaskTableOptions): Promise<string> {
  const named: { task: EngineTask; name: string }[] = [];
  for (const task of tasks) {
    const service = await resolver.service(task.ServiceID);
    const slot = task.Slot ?? 0;
    named.push({ task, name: slot !== 0 ? `${service}.${slot}` : `${service}.${task.NodeID ?? ''}` });
  }
  // sort.Stable: by name (natural), then newest first.
  const sorted = named
    .map((n, i) => ({ ...n, i }))
    .sort((a, b) => {
      if (a.name !== b.name) return naturalLess(a.name, b.name) ? -1 : 1;
      const newer = Date.parse(b.task.CreatedAt) - Date.parse(a.task.CreatedAt);
      return newer !== 0 ? (newer < 0 ? -1 : 1) : a.i - b.i;
    });
  const format = taskListFormat(o.format, o.quiet);
  const indent = format.startsWith('table') ? ' \\_ ' : '';
  const rows: GoStruct[] = [];
  let previous = '';
  for (const { task, name } of sorted) {
    const shown = name === previous ? indent + name : name;
    previous = name;
    rows.push(taskRowContext(task, shown, await resolver.node(task.NodeID), o.trunc, o.now));
  }
  return formatList(format, rows, TASK_HEADER);
}

/** cli `taskContext`. */
export function taskRowContext(task: EngineTask, name: string, node: string, trunc: boolean, now: Date): GoStruct {
  const since = Math.max(0, now.getTime() - Date.parse(task.Status.Timestamp)) * 1e6;
  let error = task.Status.Err ?? '';
  if (trunc) error = ellipsis(error, MAX_ERROR_COLUMNS);
  const image = task.Spec.ContainerSpec?.Image ?? '';
  const ports = (task.Status.PortStatus.Ports ?? []).map((p) => `*:${p.PublishedPort ?? 0}->${p.TargetPort}/${p.Protocol}`);
  return new GoStruct('*task.taskContext', {
    ID: trunc ? truncateID(task.ID) : task.ID,
    Name: name,
    Image: trunc ? familiarImage(image) : image,
    Node: node,
    DesiredState: prettyPrint(task.DesiredState),
    CurrentState: `${prettyPrint(task.Status.State)} ${humanDuration(since).toLowerCase()} ago`,
    Error: error === '' ? '' : `"${error}"`,
    Ports: ports.join(','),
  });
}
