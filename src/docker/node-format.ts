/**
 * How `docker node` prints nodes — cli `cli/command/node/formatter.go`: the `node ls` table
 * (`defaultNodeTableFormat`, the `nodeContext` fields a `--format` template can use) and
 * `node inspect --pretty` (`nodeInspectPrettyTemplate`, reproduced line by line below with its
 * literal tabs; the cli testdata `node-inspect-pretty.*.golden` files pin it down).
 */
import type { SwarmInfo, SwarmNode, TLSInfo } from '../host/engine-api.js';
import { prettyPrint } from './format.js';
import { goTimeString } from './golang.js';
import { GoStruct, GoTime } from './template.js';
import { bytesSize } from './units.js';

/** cli `defaultNodeTableFormat`: the `*` marks the node the command ran on. */
export const DEFAULT_NODE_TABLE =
  'table {{.ID}} {{if .Self}}*{{else}} {{ end }}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}\t{{.EngineVersion}}';

/** cli `formatWrite` header context. */
export const NODE_HEADER: Readonly<Record<string, string>> = {
  ID: 'ID',
  Self: '',
  Hostname: 'HOSTNAME',
  Status: 'STATUS',
  Availability: 'AVAILABILITY',
  ManagerStatus: 'MANAGER STATUS',
  EngineVersion: 'ENGINE VERSION',
  TLSStatus: 'TLS STATUS',
};

/** cli `newFormat`: `table` is the default table (or IDs only with `-q`); `raw` the key: value form. */
export function nodeListFormat(source: string, quiet: boolean): string {
  switch (source) {
    case 'table':
      return quiet ? '{{.ID}}' : DEFAULT_NODE_TABLE;
    case 'raw':
      return quiet
        ? 'node_id: {{.ID}}'
        : 'node_id: {{.ID}}\\nhostname: {{.Hostname}}\\nstatus: {{.Status}}\\navailability: {{.Availability}}\\nmanager_status: {{.ManagerStatus}}\\n';
    default:
      return source;
  }
}

const emptyTLS = (t: TLSInfo | undefined): boolean =>
  t === undefined || (t.TrustRoot === '' && t.CertIssuerSubject === '' && t.CertIssuerPublicKey === '');

/** cli `nodeContext`: one `node ls` row as a template sees it. */
export function nodeRowContext(node: SwarmNode, swarm: SwarmInfo | undefined): GoStruct {
  let managerStatus = '';
  if (node.ManagerStatus !== undefined) managerStatus = node.ManagerStatus.Leader === true ? 'Leader' : node.ManagerStatus.Reachability;
  const cluster = swarm?.Cluster?.TLSInfo;
  const own = node.Description.TLSInfo;
  let tlsStatus = 'Unknown';
  if (!emptyTLS(cluster) && !emptyTLS(own)) {
    const same = own.TrustRoot === cluster!.TrustRoot && own.CertIssuerSubject === cluster!.CertIssuerSubject && own.CertIssuerPublicKey === cluster!.CertIssuerPublicKey;
    tlsStatus = same ? 'Ready' : 'Needs Rotation';
  }
  return new GoStruct('*node.nodeContext', {
    ID: node.ID,
    Self: node.ID === (swarm?.NodeID ?? ''),
    Hostname: node.Description.Hostname,
    Status: prettyPrint(node.Status.State),
    Availability: prettyPrint(node.Spec.Availability),
    ManagerStatus: prettyPrint(managerStatus),
    TLSStatus: tlsStatus,
    EngineVersion: node.Description.Engine.EngineVersion,
  });
}

/** Map-typed fields of the Engine API structs (everything else is a struct). */
const MAP_FIELDS = new Set(['Labels']);

/**
 * The typed view `docker node inspect --format` first runs against (moby `swarm.Node`): nested
 * objects are structs, `CreatedAt`/`UpdatedAt` are `time.Time`, an absent `ManagerStatus` is a
 * nil pointer, and empty optional strings exist.
 */
export function typedNode(node: SwarmNode): GoStruct {
  const typed = toStruct(node, 'swarm.Node') as GoStruct;
  // Fields the wire form omits when empty still exist on the Go struct.
  const spec = typed.fields.Spec as GoStruct;
  const status = typed.fields.Status as GoStruct;
  const description = typed.fields.Description as GoStruct;
  const engine = description.fields.Engine as GoStruct;
  const manager = typed.fields.ManagerStatus as GoStruct | undefined;
  return new GoStruct(
    typed.typeName,
    {
      ...typed.fields,
      Spec: new GoStruct(spec.typeName, { Name: '', ...spec.fields }, node.Spec),
      Status: new GoStruct(status.typeName, { Message: '', ...status.fields }, node.Status),
      Description: new GoStruct(
        description.typeName,
        { ...description.fields, Engine: new GoStruct(engine.typeName, { Labels: {}, ...engine.fields }, node.Description.Engine) },
        node.Description,
      ),
      ManagerStatus: manager === undefined ? null : new GoStruct(manager.typeName, { Leader: false, ...manager.fields }, node.ManagerStatus),
    },
    node,
  );
}

function toStruct(v: unknown, typeName: string, key = ''): unknown {
  if (Array.isArray(v)) return v.map((e) => toStruct(e, typeName));
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'string' && (key === 'CreatedAt' || key === 'UpdatedAt')) return new GoTime(v);
    return v;
  }
  if (MAP_FIELDS.has(key)) return v;
  const fields: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(v)) fields[k] = toStruct(e, `swarm.${k}`, k);
  return new GoStruct(typeName, fields, v);
}

/** ` - key=value` lines, keys sorted as Go's template `range` over a map sorts them. */
function labelLines(labels: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(labels ?? {})
    .sort()
    .map((k) => `\n - ${k}${labels![k] !== '' ? `=${labels![k]}` : ''}`)
    .join('');
}

/** cli `nodeInspectPrettyTemplate` for one node, ending in a newline. */
export function prettyNode(node: SwarmNode): string {
  const d = node.Description;
  let s = `ID:\t\t\t${node.ID}`;
  if ((node.Spec.Name ?? '') !== '') s += `\nName:\t\t\t${node.Spec.Name}`;
  if (Object.keys(node.Spec.Labels ?? {}).length > 0) s += `\nLabels:${labelLines(node.Spec.Labels)}`;
  s += `\nHostname:              \t${d.Hostname}`;
  s += `\nJoined at:             \t${prettyPrint(goTimeString(node.CreatedAt))}`;
  s += `\nStatus:\n State:\t\t\t${prettyPrint(node.Status.State)}`;
  if ((node.Status.Message ?? '') !== '') s += `\n Message:              \t${prettyPrint(node.Status.Message!)}`;
  s += `\n Availability:         \t${prettyPrint(node.Spec.Availability)}`;
  if (node.Status.Addr !== '') s += `\n Address:\t\t${node.Status.Addr}`;
  const ms = node.ManagerStatus;
  if (ms !== undefined) {
    s += `\nManager Status:\n Address:\t\t${ms.Addr}\n Raft Status:\t\t${prettyPrint(ms.Reachability)}`;
    s += ms.Leader === true ? '\n Leader:\t\tYes' : '\n Leader:\t\tNo';
  }
  s += `\nPlatform:\n Operating System:\t${d.Platform.OS}\n Architecture:\t\t${d.Platform.Architecture}`;
  // Go's integer division of NanoCPUs by 1e9.
  s += `\nResources:\n CPUs:\t\t\t${Math.trunc(d.Resources.NanoCPUs / 1e9)}`;
  s += `\n Memory:\t\t${d.Resources.MemoryBytes === 0 ? '' : bytesSize(d.Resources.MemoryBytes)}`;
  const plugins = new Map<string, string[]>();
  for (const p of d.Engine.Plugins) plugins.set(p.Type, [...(plugins.get(p.Type) ?? []), p.Name]);
  if (plugins.size > 0) {
    s += '\nPlugins:';
    for (const type of [...plugins.keys()].sort()) s += `\n ${type}:\t\t${plugins.get(type)!.join(', ')}`;
  }
  s += `\nEngine Version:\t\t${d.Engine.EngineVersion}`;
  if (Object.keys(d.Engine.Labels ?? {}).length > 0) s += `\nEngine Labels:${labelLines(d.Engine.Labels)}`;
  if (!emptyTLS(d.TLSInfo)) {
    s += `\nTLS Info:\n TrustRoot:\n${d.TLSInfo.TrustRoot}\n Issuer Subject:\t${d.TLSInfo.CertIssuerSubject}\n Issuer Public Key:\t${d.TLSInfo.CertIssuerPublicKey}`;
  }
  return `${s}\n`;
}
