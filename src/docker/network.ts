/**
 * `docker network create | ls | inspect | rm` — cli `cli/command/network/` (`cmd.go`, `create.go`,
 * `list.go`, `inspect.go`, `remove.go`; `opts/opts.go` for the option types): the same flags,
 * help texts and output, through the daemon's `networkCreate`, `networkList`, `networkInspect`
 * and `networkRemove`.
 *
 * The client checks only what the cli checks (its IPAM assembly, label syntax, flag syntax);
 * everything else — drivers, scopes, IPv6, config-only networks — goes to the daemon as the cli
 * sends it, and the daemon refuses what it cannot emulate. `network rm` asks before removing the
 * ingress network, reading the answer from the session's input (none: the answer is no).
 * `network connect` / `disconnect` pass the container reference to the daemon; `prune` asks first
 * (same input rules as `rm`) and lists what the daemon removed.
 */
import { EngineApiError, type IpamConfig, type NetworkCreateRequest, type NetworkListFilters, type NetworkResource } from '../host/engine-api.js';
import { exactArgs, minArgs, noArgs, StatusError, type CommandDef } from './command.js';
import { errorMessageOf } from './errors.js';
import { boolKind, filterKind, intKind, listKind, stringKind, type FlagKind } from './flags.js';
import { formatList, inspectObjects } from './format.js';
import type { GoParse } from './golang.js';
import { showHelp } from './help.js';
import { NETWORK_HEADER, networkListFormat, networkRowContext, typedNetwork } from './network-format.js';
import {
  addrFromIP,
  addrString,
  ipNetContains,
  ipNetString,
  ipString,
  parseAddr,
  parseCIDR,
  parseIP,
  parsePrefix,
  prefixString,
  toPrefix,
  type GoAddr,
  type GoIPNet,
  type GoPrefix,
} from './netip.js';
import { FORMAT_HELP, INSPECT_FORMAT_HELP } from './node.js';
import { naturalCompare } from './sortorder.js';

// ---------------------------------------------------------------------------------------------
// Option types (pflag `stringSlice`, `ipSlice`, `ipNetSlice`; cli `opts.MapOpts`, `ListOpts`)

const ok = <T>(value: T): GoParse<T> => ({ ok: true, value });
const bad = <T>(error: string): GoParse<T> => ({ ok: false, error });

/** Go `strings.TrimSpace`. */
const goTrimSpace = (s: string): string =>
  s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');

/** Go's `encoding/csv` column: the 1-based byte position of `index` in `text`. */
const csvColumn = (text: string, index: number): number => Buffer.byteLength(text.slice(0, index)) + 1;

/** pflag `readAsCSV`: one `encoding/csv` record (quoted fields, `""` escapes), with Go's errors. */
export function readCSV(text: string): GoParse<string[]> {
  if (text === '') return ok([]);
  const fields: string[] = [];
  const quoteError = (index: number): GoParse<string[]> =>
    bad(`parse error on line 1, column ${csvColumn(text, index)}: extraneous or missing " in quoted-field`);
  let pos = 0;
  for (;;) {
    if (text[pos] !== '"') {
      const comma = text.indexOf(',', pos);
      const field = comma < 0 ? text.slice(pos) : text.slice(pos, comma);
      const quote = field.indexOf('"');
      if (quote >= 0) return bad(`parse error on line 1, column ${csvColumn(text, pos + quote)}: bare " in non-quoted-field`);
      fields.push(field);
      if (comma < 0) return ok(fields);
      pos = comma + 1;
      continue;
    }
    let value = '';
    pos++;
    for (;;) {
      const quote = text.indexOf('"', pos);
      if (quote < 0) return quoteError(text.length);
      value += text.slice(pos, quote);
      pos = quote + 1;
      if (text[pos] === '"') {
        value += '"';
        pos++;
        continue;
      }
      if (pos === text.length) {
        fields.push(value);
        return ok(fields);
      }
      if (text[pos] !== ',') return quoteError(quote);
      fields.push(value);
      pos++;
      break;
    }
  }
}

/** pflag `stringSlice` (usage type `strings`): comma-separated; the first use replaces the default. */
const stringSliceKind = (): FlagKind<readonly string[]> => ({
  type: 'stringSlice',
  initial: [],
  defValue: '[]',
  zeroDefault: true,
  set: (prev, text, changed) => {
    const r = readCSV(text);
    return r.ok ? ok(changed ? [...prev, ...r.value] : r.value) : r;
  },
});

/** pflag `ipSlice` / `ipNetSlice`: quotes dropped, comma-separated, each item trimmed and parsed. */
function addressSliceKind<T>(type: string, parse: (item: string) => T | undefined, what: string): FlagKind<readonly T[]> {
  return {
    type,
    initial: [],
    defValue: '[]',
    zeroDefault: false, // pflag's defaultIsZeroValue does not know these types: `(default [])` shows
    set: (prev, text, changed) => {
      const out: T[] = [];
      const unquoted = text.replace(/["'`]/g, '');
      for (const item of unquoted === '' ? [] : unquoted.split(',')) {
        const v = parse(goTrimSpace(item));
        if (v === undefined) return bad(`invalid string being converted to ${what}: ${item}`);
        out.push(v);
      }
      return ok(changed ? [...prev, ...out] : out);
    },
  };
}

const ipSliceKind = (): FlagKind<readonly Uint8Array[]> => addressSliceKind('ipSlice', parseIP, 'IP address');
const ipNetSliceKind = (): FlagKind<readonly GoIPNet[]> =>
  addressSliceKind('ipNetSlice', (s) => {
    const r = parseCIDR(s);
    return r.ok ? r.value.net : undefined;
  }, 'CIDR');

/** cli `opts.MapOpts`: `key=value` (`key` alone for an empty value); a repeated key replaces. */
const mapKind = (): FlagKind<Readonly<Record<string, string>>> => ({
  type: 'map',
  initial: {},
  defValue: 'map[]',
  zeroDefault: false,
  set: (prev, text) => ok({ ...prev, ...keyValues([text]) }),
});

/** cli `opts.ListOpts` with `opts.ValidateLabel`. */
const labelListKind = (): FlagKind<readonly string[]> => ({
  type: 'list',
  initial: [],
  defValue: '',
  zeroDefault: true,
  set: (prev, text) => {
    const eq = text.indexOf('=');
    const key = (eq < 0 ? text : text.slice(0, eq)).replace(/^[ \t]+/, '');
    if (key === '') return bad(`invalid label '${text}': empty name`);
    if (/[ \t]/.test(key)) return bad(`label '${key}' contains whitespaces`);
    return ok([...prev, text]);
  },
});

/** cli `opts.ConvertKVStringsToMap`: `k=v`, or `k` alone for an empty value; a later key wins. */
function keyValues(items: readonly string[]): Record<string, string> {
  let out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    // A computed key defines an own property, even `__proto__`.
    out = eq < 0 ? { ...out, [item]: '' } : { ...out, [item.slice(0, eq)]: item.slice(eq + 1) };
  }
  return out;
}

/** moby client `trimID`: the reference the daemon gets; an empty one never leaves the client. */
function trimID(ref: string): string {
  const id = goTrimSpace(ref);
  if (id === '') throw new Error('invalid network name or ID: value is empty');
  return id;
}

// ---------------------------------------------------------------------------------------------
// IPAM configuration (cli `createIPAMConfig`)

export interface IpamOptions {
  readonly driver: string;
  /** As typed (`netip.ParsePrefix` keeps host bits). */
  readonly subnets: readonly string[];
  readonly ipRanges: readonly GoIPNet[];
  /** `net.IP`s, 16 bytes each. */
  readonly gateways: readonly Uint8Array[];
  readonly auxAddresses: Readonly<Record<string, string>>;
  readonly driverOpts: Readonly<Record<string, string>>;
}

export interface IpamRequest {
  readonly Driver: string;
  readonly Options: Readonly<Record<string, string>>;
  readonly Config: readonly IpamConfig[];
}

function must<T>(r: GoParse<T>): T {
  if (!r.ok) throw new StatusError(r.error);
  return r.value;
}

/** cli `subnetMatches`: whether `subnet` (a CIDR) contains `data` (an address or a CIDR's address). */
function subnetMatches(subnet: string, data: string): GoParse<boolean> {
  const s = parseCIDR(subnet);
  if (!s.ok) return bad(`invalid subnet: ${s.error}`);
  if (!data.includes('/')) return ok(ipNetContains(s.value.net, parseIP(data)));
  const d = parseCIDR(data);
  return d.ok ? ok(ipNetContains(s.value.net, d.value.ip)) : bad(d.error);
}

/**
 * cli `createIPAMConfig`: one IPAM config per subnet, each range, gateway and auxiliary address
 * filed under the subnet containing it, with the cli's errors. Configs come in `--subnet` order
 * (the cli collects them in a Go map, so its order is random).
 */
export function createIPAMConfig(o: IpamOptions): IpamRequest {
  if (o.subnets.length < o.ipRanges.length || o.subnets.length < o.gateways.length) {
    throw new StatusError('every ip-range or gateway must have a corresponding subnet');
  }
  interface Pending {
    readonly subnet: GoPrefix;
    ipRange?: GoPrefix;
    gateway?: GoAddr;
    readonly aux: Map<string, GoAddr>;
  }
  const data = new Map<string, Pending>();
  for (const s of o.subnets) {
    for (const k of data.keys()) {
      const inside = must(subnetMatches(s, k));
      const around = must(subnetMatches(k, s));
      if (inside || around) {
        throw new StatusError('multiple overlapping subnet configuration is not supported');
      }
    }
    data.set(s, { subnet: must(parsePrefix(s)), aux: new Map() });
  }
  for (const r of o.ipRanges) {
    const text = ipNetString(r);
    let match = false;
    for (const s of o.subnets) {
      if (!must(subnetMatches(s, text))) continue;
      const d = data.get(s)!;
      if (d.ipRange !== undefined && d.ipRange.bits >= 0) {
        throw new StatusError(`cannot configure multiple ranges (${text}, ${prefixString(d.ipRange)}) on the same subnet (${s})`);
      }
      d.ipRange = toPrefix(r);
      match = true;
    }
    if (!match) throw new StatusError(`no matching subnet for range ${text}`);
  }
  for (const g of o.gateways) {
    const text = ipString(g);
    let match = false;
    for (const s of o.subnets) {
      if (!must(subnetMatches(s, text))) continue;
      const d = data.get(s)!;
      if (d.gateway !== undefined) {
        throw new StatusError(`cannot configure multiple gateways (${text}, ${addrString(d.gateway)}) for the same subnet (${s})`);
      }
      d.gateway = addrFromIP(g);
      match = true;
    }
    if (!match) throw new StatusError(`no matching subnet for gateway ${text}`);
  }
  for (const [name, aa] of Object.entries(o.auxAddresses)) {
    if (aa === '') continue;
    const addr = must(parseAddr(aa));
    let match = false;
    for (const s of o.subnets) {
      if (!must(subnetMatches(s, addrString(addr)))) continue;
      data.get(s)!.aux.set(name, addr);
      match = true;
    }
    if (!match) throw new StatusError(`no matching subnet for aux-address ${aa}`);
  }
  const config = [...data.values()].map(
    (d): IpamConfig => ({
      Subnet: prefixString(d.subnet),
      ...(d.ipRange !== undefined ? { IPRange: prefixString(d.ipRange) } : {}),
      ...(d.gateway !== undefined ? { Gateway: addrString(d.gateway) } : {}),
      ...(d.aux.size > 0 ? { AuxiliaryAddresses: Object.fromEntries([...d.aux].map(([k, a]) => [k, addrString(a)])) } : {}),
    }),
  );
  return { Driver: o.driver, Options: o.driverOpts, Config: config };
}

// ---------------------------------------------------------------------------------------------
// Commands

/**
 * What the cli sends (moby `network.CreateRequest`, in its field order): every field, the
 * optional booleans only when their flag was given, `ConfigFrom` only when named.
 */
export type CreateRequest = NetworkCreateRequest;

const createCommand: CommandDef = {
  use: 'create [OPTIONS] NETWORK',
  short: 'Create a network',
  args: exactArgs(1),
  flags: [
    { name: 'driver', shorthand: 'd', usage: 'Driver to manage the Network', kind: stringKind('bridge') },
    { name: 'opt', shorthand: 'o', usage: 'Set driver specific options', kind: mapKind() },
    { name: 'label', usage: 'Set metadata on a network', kind: labelListKind() },
    { name: 'internal', usage: 'Restrict external access to the network', kind: boolKind() },
    { name: 'ipv4', usage: 'Enable or disable IPv4 address assignment', kind: boolKind(true) },
    { name: 'ipv6', usage: 'Enable or disable IPv6 address assignment', kind: boolKind() },
    { name: 'attachable', usage: 'Enable manual container attachment', kind: boolKind() },
    { name: 'ingress', usage: 'Create swarm routing-mesh network', kind: boolKind() },
    { name: 'scope', usage: "Control the network's scope", kind: stringKind() },
    { name: 'config-only', usage: 'Create a configuration only network', kind: boolKind() },
    { name: 'config-from', usage: 'The network from which to copy the configuration', kind: stringKind() },
    { name: 'ipam-driver', usage: 'IP Address Management Driver', kind: stringKind('default') },
    { name: 'subnet', usage: 'Subnet in CIDR format that represents a network segment', kind: stringSliceKind() },
    { name: 'ip-range', usage: 'Allocate container ip from a sub-range', kind: ipNetSliceKind() },
    { name: 'gateway', usage: 'IPv4 or IPv6 Gateway for the master subnet', kind: ipSliceKind() },
    { name: 'aux-address', usage: 'Auxiliary IPv4 or IPv6 addresses used by Network driver', kind: mapKind() },
    { name: 'ipam-opt', usage: 'Set IPAM driver specific options', kind: mapKind() },
  ],
  run: async (ctx) => {
    const f = ctx.flags;
    const ipam = createIPAMConfig({
      driver: f.string('ipam-driver'),
      subnets: f.list('subnet'),
      ipRanges: f.get<readonly GoIPNet[]>('ip-range'),
      gateways: f.get<readonly Uint8Array[]>('gateway'),
      auxAddresses: f.get<Record<string, string>>('aux-address'),
      driverOpts: f.get<Record<string, string>>('ipam-opt'),
    });
    const configFrom = f.string('config-from');
    const request: CreateRequest = {
      Name: ctx.args[0],
      Driver: f.string('driver'),
      Scope: f.string('scope'),
      ...(f.changed('ipv4') ? { EnableIPv4: f.bool('ipv4') } : {}),
      ...(f.changed('ipv6') ? { EnableIPv6: f.bool('ipv6') } : {}),
      IPAM: ipam,
      Internal: f.bool('internal'),
      Attachable: f.bool('attachable'),
      Ingress: f.bool('ingress'),
      ConfigOnly: f.bool('config-only'),
      ...(configFrom !== '' ? { ConfigFrom: { Network: configFrom } } : {}),
      Options: f.get<Record<string, string>>('opt'),
      Labels: keyValues(f.list('label')),
    };
    const created = await ctx.engine.call('networkCreate', request);
    ctx.stdout(`${created.Id}\n`);
  },
};

const listCommand: CommandDef = {
  use: 'ls [OPTIONS]',
  aliases: ['list'],
  short: 'List networks',
  args: noArgs,
  flags: [
    { name: 'quiet', shorthand: 'q', usage: 'Only display network IDs', kind: boolKind() },
    { name: 'no-trunc', usage: 'Do not truncate the output', kind: boolKind() },
    { name: 'format', usage: FORMAT_HELP, kind: stringKind() },
    { name: 'filter', shorthand: 'f', usage: 'Provide filter values (e.g. "driver=bridge")', kind: filterKind() },
  ],
  run: async (ctx) => {
    // Filter names and values go to the daemon unchecked; it refuses the ones it does not know.
    const filters = ctx.flags.get<NetworkListFilters>('filter');
    const networks = await ctx.engine.call('networkList', Object.keys(filters).length > 0 ? { filters } : {});
    const sorted = [...networks].sort((a, b) => naturalCompare(a.Name, b.Name));
    const format = networkListFormat(ctx.flags.string('format') || 'table', ctx.flags.bool('quiet'));
    const trunc = !ctx.flags.bool('no-trunc');
    ctx.stdout(formatList(format, sorted.map((n) => networkRowContext(n, trunc)), NETWORK_HEADER));
  },
};

const inspectCommand: CommandDef = {
  use: 'inspect [OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  args: minArgs(1),
  flags: [
    { name: 'format', shorthand: 'f', usage: INSPECT_FORMAT_HELP, kind: stringKind() },
    { name: 'verbose', shorthand: 'v', usage: 'Verbose output for diagnostics', kind: boolKind() },
  ],
  run: async (ctx) => {
    const verbose = ctx.flags.bool('verbose') ? { verbose: true } : {};
    await inspectObjects(ctx.stdout, ctx.args, ctx.flags.string('format'), async (ref) => {
      const network = await ctx.engine.call('networkInspect', { id: trimID(ref), ...verbose });
      return { typed: typedNetwork(network), raw: network };
    });
  },
};

/** cli `network/remove.go` `ingressWarning` (one line break inside). */
export const INGRESS_WARNING =
  'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. ' +
  'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\n' +
  'Are you sure you want to continue?';

const removeCommand: CommandDef = {
  use: 'rm NETWORK [NETWORK...]',
  aliases: ['remove'],
  short: 'Remove one or more networks',
  args: minArgs(1),
  flags: [{ name: 'force', shorthand: 'f', usage: 'Do not error if the network does not exist', kind: boolKind() }],
  run: async (ctx) => {
    let status = 0;
    for (const name of ctx.args) {
      // Only a network that inspects as the ingress network is asked about; any failure here
      // leaves the removal to report it.
      let network: NetworkResource | undefined;
      try {
        network = await ctx.engine.call('networkInspect', { id: trimID(name) });
      } catch {
        network = undefined;
      }
      if (network?.Ingress === true) {
        // cli `prompt.Confirm`: one line, trimmed; only `y` or `Y` agrees; no input is a no.
        ctx.stdout(`${INGRESS_WARNING} [y/N] `);
        const line = await ctx.readLine();
        const answer = line === null ? '' : goTrimSpace(line);
        if (answer !== 'y' && answer !== 'Y') continue;
      }
      try {
        await ctx.engine.call('networkRemove', { id: trimID(name) });
      } catch (e) {
        if (ctx.flags.bool('force') && e instanceof EngineApiError && e.status === 404) continue;
        ctx.stderr(`${errorMessageOf(e)}\n`);
        status = 1;
        continue;
      }
      ctx.stdout(`${name}\n`);
    }
    if (status !== 0) throw new StatusError(`exit status ${status}`, status);
  },
};

const connectCommand: CommandDef = {
  use: 'connect [OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  args: exactArgs(2),
  flags: [
    { name: 'ip', usage: 'IPv4 address (e.g., "172.30.100.104")', kind: stringKind() },
    { name: 'ip6', usage: 'IPv6 address (e.g., "2001:db8::33")', kind: stringKind(), unsupported: 'swarmnet networks are IPv4 only' },
    { name: 'link', usage: 'Add link to another container', kind: listKind(), unsupported: 'legacy links' },
    { name: 'alias', usage: 'Add network-scoped alias for the container', kind: listKind() },
    { name: 'link-local-ip', usage: 'Add a link-local address for the container', kind: listKind(), unsupported: 'link-local addresses' },
    { name: 'driver-opt', usage: 'driver options for the network', kind: listKind(), unsupported: 'endpoint driver options' },
    {
      name: 'gw-priority',
      usage: 'Highest gw-priority provides the default gateway. Accepts positive and negative values.',
      kind: intKind(64),
      unsupported: 'gateway priorities',
    },
  ],
  run: async (ctx) => {
    const [network, container] = ctx.args;
    const ip = ctx.flags.string('ip');
    const aliases = ctx.flags.list('alias');
    await ctx.engine.call('networkConnect', {
      id: trimID(network),
      container,
      ...(aliases.length > 0 ? { aliases } : {}),
      ...(ip !== '' ? { ipv4Address: ip } : {}),
    });
  },
};

const disconnectCommand: CommandDef = {
  use: 'disconnect [OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  args: exactArgs(2),
  flags: [{ name: 'force', shorthand: 'f', usage: 'Force the container to disconnect from a network', kind: boolKind() }],
  run: async (ctx) => {
    const [network, container] = ctx.args;
    await ctx.engine.call('networkDisconnect', { id: trimID(network), container, force: ctx.flags.bool('force') });
  },
};

/** cli `network/prune.go` `warning`. */
export const PRUNE_WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

const pruneCommand: CommandDef = {
  use: 'prune [OPTIONS]',
  short: 'Remove all unused networks',
  args: noArgs,
  flags: [
    { name: 'force', shorthand: 'f', usage: 'Do not prompt for confirmation', kind: boolKind() },
    { name: 'filter', usage: 'Provide filter values (e.g. "until=<timestamp>")', kind: filterKind() },
  ],
  run: async (ctx) => {
    if (!ctx.flags.bool('force')) {
      ctx.stdout(`${PRUNE_WARNING} [y/N] `);
      const line = await ctx.readLine();
      const answer = line === null ? '' : goTrimSpace(line);
      // A declined prune is docker's "cancelled" error, which it neither prints nor fails on.
      if (answer !== 'y' && answer !== 'Y') return;
    }
    const filters = ctx.flags.get<NetworkListFilters>('filter');
    const report = await ctx.engine.call('networkPrune', Object.keys(filters).length > 0 ? { filters } : {});
    if (report.NetworksDeleted.length > 0) ctx.stdout(`Deleted Networks:\n${report.NetworksDeleted.map((n) => `${n}\n`).join('')}\n`);
  },
};

export const networkCommand: CommandDef = {
  use: 'network',
  short: 'Manage networks',
  args: noArgs,
  subcommands: [connectCommand, createCommand, disconnectCommand, inspectCommand, listCommand, pruneCommand, removeCommand],
  run: showHelp,
};
