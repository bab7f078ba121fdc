/**
 * The text forms `docker network` prints (Go's IP syntax it reads is in netip.ts):
 *
 * - the `network ls` table and the fields a `--format` template sees (cli
 *   `cli/command/network/formatter.go`);
 * - the typed view `network inspect --format` runs against first (moby
 *   `api/types/network.Inspect`), before docker's raw-map fallback.
 *
 * Addresses inside the typed view stay the strings the daemon sent (as the v28 API types had
 * them), so a template prints `10.0.0.0/24` either way; only Go's zero values differ (`""` here,
 * `invalid Prefix` in a cli built on `netip` types).
 */
import type { NetworkResource } from '../host/engine-api.js';
import { goQuote, type GoParse } from './golang.js';
import { GoStruct, GoTime } from './template.js';

// ---------------------------------------------------------------------------------------------
// network ls

/** cli `defaultNetworkTableFormat`. */
export const DEFAULT_NETWORK_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** cli `formatWrite` header context. */
export const NETWORK_HEADER: Readonly<Record<string, string>> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

/** cli `newFormat`: `table` is the default table (IDs only with `-q`); `raw` the key: value form. */
export function networkListFormat(source: string, quiet: boolean): string {
  switch (source) {
    case 'table':
      return quiet ? '{{.ID}}' : DEFAULT_NETWORK_TABLE;
    case 'raw':
      return quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
    default:
      return source;
  }
}

/** moby `stringid.TruncateID`: drop an `algo:` prefix, keep 12 characters. */
export function truncateID(id: string): string {
  const colon = id.indexOf(':');
  const bare = colon >= 0 ? id.slice(colon + 1) : id;
  return bare.length > 12 ? bare.slice(0, 12) : bare;
}

/**
 * cli `networkContext`: one `network ls` row as a template sees it. (Its `Label "key"` method
 * is not offered: swarmnet's templates call no methods with arguments.)
 */
export function networkRowContext(n: NetworkResource, trunc: boolean): GoStruct {
  const labels = n.Labels ?? {};
  return new GoStruct('*network.networkContext', {
    ID: trunc ? truncateID(n.Id) : n.Id,
    Name: n.Name,
    Driver: n.Driver,
    Scope: n.Scope,
    IPv4: String(n.EnableIPv4),
    IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal),
    Labels: n.Labels === null ? '' : Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(','),
    CreatedAt: new GoTime(n.Created).toString(),
  });
}

// ---------------------------------------------------------------------------------------------
// network inspect

/** A Go nil map: prints `map[]`, ranges over nothing, encodes as `null`. */
function nilMap(): Record<string, unknown> {
  return Object.defineProperty({}, 'toJSON', { value: () => null, enumerable: false });
}

/** A Go nil slice: prints `[]`, encodes as `null`. */
function nilSlice(): unknown[] {
  return Object.defineProperty([], 'toJSON', { value: () => null, enumerable: false });
}

type Shape =
  | 'map'
  | 'slice'
  | 'time'
  | { readonly struct: string; readonly fields: Readonly<Record<string, Shape>>; readonly each?: 'slice' | 'map' };

const struct = (name: string, fields: Readonly<Record<string, Shape>> = {}, each?: 'slice' | 'map'): Shape => ({ struct: name, fields, each });

/** moby `api/types/network` field shapes, by JSON key (anything unlisted is a plain value). */
const INSPECT_SHAPE = {
  Created: 'time',
  IPAM: struct('network.IPAM', {
    Options: 'map',
    Config: struct('network.IPAMConfig', { AuxiliaryAddresses: 'map' }, 'slice'),
  }),
  ConfigFrom: struct('network.ConfigReference'),
  Options: 'map',
  Labels: 'map',
  Peers: struct('network.PeerInfo', {}, 'slice'),
  Containers: struct('network.EndpointResource', {}, 'map'),
  Services: struct('network.ServiceInfo', { Ports: 'slice', Tasks: struct('network.Task', { Info: 'map' }, 'slice') }, 'map'),
  Status: struct('network.Status'),
} as const satisfies Readonly<Record<string, Shape>>;

/** Go field names whose JSON key differs. */
const GO_FIELD_NAMES: Readonly<Record<string, string>> = { Id: 'ID', AuxiliaryAddresses: 'AuxAddress' };

/**
 * Fields the wire form may omit, with their Go zero values, so the typed pass finds them; a
 * `complete` list is the struct's whole field order (Go prints a struct's fields in that order).
 */
const OMITTED: Readonly<Record<string, { readonly zeros: readonly (readonly [string, () => unknown])[]; readonly complete?: boolean }>> = {
  'network.Inspect': { zeros: [['Peers', nilSlice], ['Services', nilMap], ['Status', () => null]] },
  'network.IPAMConfig': {
    zeros: [['Subnet', () => ''], ['IPRange', () => ''], ['Gateway', () => ''], ['AuxiliaryAddresses', nilMap]],
    complete: true,
  },
};

function typed(v: unknown, shape: Shape | undefined): unknown {
  if (shape === undefined) return v;
  if (shape === 'time') return typeof v === 'string' ? new GoTime(v) : v;
  if (shape === 'map') return v === null || v === undefined ? nilMap() : v;
  if (shape === 'slice') return v === null || v === undefined ? nilSlice() : v;
  if (shape.each === 'slice') {
    return Array.isArray(v) ? v.map((e) => typed(e, { ...shape, each: undefined })) : nilSlice();
  }
  if (shape.each === 'map') {
    if (v === null || v === undefined || typeof v !== 'object') return nilMap();
    const one = { ...shape, each: undefined };
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, typed(e, one)]));
  }
  if (v === null || typeof v !== 'object') return v === undefined ? null : v;
  return toStruct(v as Record<string, unknown>, shape.struct, shape.fields);
}

function toStruct(raw: Record<string, unknown>, typeName: string, shapes: Readonly<Record<string, Shape>>): GoStruct {
  const zeros = new Map(OMITTED[typeName]?.zeros ?? []);
  const keys = [...Object.keys(raw), ...[...zeros.keys()].filter((k) => !Object.hasOwn(raw, k))];
  if (OMITTED[typeName]?.complete === true) {
    const order = [...zeros.keys()];
    const rank = (k: string): number => (order.includes(k) ? order.indexOf(k) : order.length);
    keys.sort((a, b) => rank(a) - rank(b));
  }
  const fields: Record<string, unknown> = {};
  for (const key of keys) {
    fields[GO_FIELD_NAMES[key] ?? key] = Object.hasOwn(raw, key) ? typed(raw[key], shapes[key]) : zeros.get(key)!();
  }
  return new GoStruct(typeName, fields, raw);
}

/**
 * The typed view of an inspected network (moby `network.Inspect`, which embeds `network.Network`):
 * Go field names (`ID`, `AuxAddress`), `Created` a `time.Time`, maps and slices that are nil
 * print as `map[]` / `[]` and encode as `null`, and fields the JSON omitted exist.
 */
export function typedNetwork(raw: NetworkResource): GoStruct {
  const top = toStruct(raw as unknown as Record<string, unknown>, 'network.Inspect', INSPECT_SHAPE);
  const { Containers: _c, Services: _s, Status: _st, ...network } = top.fields;
  const { Containers: _rc, Services: _rs, Status: _rst, ...rawNetwork } = raw as unknown as Record<string, unknown>;
  return new GoStruct('network.Inspect', { ...top.fields, Network: new GoStruct('network.Network', network, rawNetwork) }, raw);
}
