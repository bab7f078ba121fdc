/**
 * The option types of `docker service create|update` and `docker run` whose parsing decides what
 * the daemon is sent: `--publish` (cli `opts/swarmopts/port.go` `PortOpt`, short form through
 * go-connections `nat.ParsePortSpec`), `--network` (cli `opts/network.go` `NetworkOpt`), the
 * optional numbers and durations cli `service/opts.go` keeps unset until given (`Uint64Opt`,
 * `DurationOpt`, `floatValue`), `--env` (cli `opts.ValidateEnv`) and `--args` (`ShlexOpt`).
 *
 * Each kind reproduces the cli's error text, so a bad value reads exactly as docker prints it
 * (`invalid argument "x" for "-p, --publish" flag: invalid containerPort: x`).
 */
import type { EngineNetworkAttachmentConfig, EnginePortConfig } from '../host/engine-api.js';
import type { FlagKind } from './flags.js';
import { formatGoDuration, parseGoDuration, parseGoUint, type GoParse } from './golang.js';
import { readCSV } from './network.js';
import { splitCommandLine } from './shellwords.js';

const ok = <T>(value: T): GoParse<T> => ({ ok: true, value });
const bad = <T>(error: string): GoParse<T> => ({ ok: false, error });

/** Go `regexp.MatchString(`\w+=\w+(,\w+=\w+)*`)` (unanchored): any `word=word` selects the long form. */
const LONG_SYNTAX = /\w+=\w+(,\w+=\w+)*/;

/** go-connections `nat.ParsePortRange`: `80` or `8000-8010`. */
function parsePortRange(text: string): { start: number; end: number } | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (m === null) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return { start, end };
}

/**
 * `nat.ParsePortSpec` + cli `ConvertPortToPortConfig` for the short form
 * `[published:]target[/proto]`: a range maps port by port; no published port lets the manager
 * pick one (ingress). A host IP is refused as the cli refuses it.
 */
export function parseShortPort(raw: string): GoParse<EnginePortConfig[]> {
  const slash = raw.lastIndexOf('/');
  let rest = raw;
  let proto = 'tcp';
  if (slash >= 0) {
    proto = raw.slice(slash + 1).toLowerCase() || 'tcp';
    rest = raw.slice(0, slash);
  }
  const parts = rest.split(':');
  const containerPort = parts[parts.length - 1];
  const hostPort = parts.length >= 2 ? parts[parts.length - 2] : '';
  const ip = parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
  if (containerPort === '') return bad(`no port specified: ${raw}<empty>`);
  if (ip !== '' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip.replace(/^\[|\]$/g, ''))) return bad(`invalid IP address: ${ip}`);
  const target = parsePortRange(containerPort);
  if (target === undefined) return bad(`invalid containerPort: ${containerPort}`);
  let published: { start: number; end: number } | undefined;
  if (hostPort !== '') {
    published = parsePortRange(hostPort);
    if (published === undefined) return bad(`invalid hostPort: ${hostPort}`);
    if (published.end - published.start !== target.end - target.start && target.end !== target.start) {
      return bad(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') return bad(`invalid proto: ${proto}`);
  if (ip !== '') return bad('hostip is not supported');
  const out: EnginePortConfig[] = [];
  const protocol = proto as EnginePortConfig['Protocol'];
  for (let t = target.start; t <= target.end; t++) {
    const i = t - target.start;
    // A single target with a published range publishes every port of the range to it.
    const pubs = published === undefined ? [0] : target.start === target.end ? range(published.start, published.end) : [published.start + i];
    for (const p of pubs) out.push({ Protocol: protocol, TargetPort: t, PublishedPort: p, PublishMode: 'ingress' });
  }
  return ok(out);
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** cli `PortOpt.Set` long form: `published=8080,target=80,protocol=udp,mode=host`. */
export function parseLongPort(value: string): GoParse<EnginePortConfig> {
  const fields = readCSV(value);
  if (!fields.ok) return fields;
  let protocol: EnginePortConfig['Protocol'] = 'tcp';
  let mode: EnginePortConfig['PublishMode'] = 'ingress';
  let target = 0;
  let published = 0;
  for (const field of fields.value) {
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) return bad(`invalid field: ${field}`);
    const key = lower.slice(0, eq);
    const val = lower.slice(eq + 1);
    switch (key) {
      case 'protocol':
        if (val !== 'tcp' && val !== 'udp' && val !== 'sctp') return bad(`invalid protocol value '${val}'`);
        protocol = val;
        break;
      case 'mode':
        if (val !== 'ingress' && val !== 'host') return bad(`invalid publish mode value (${val}): must be either 'ingress' or 'host'`);
        mode = val;
        break;
      case 'target':
      case 'published': {
        const n = parseGoUint(val, 16);
        if (!n.ok) {
          const reason = n.error.replace(/^strconv\.ParseUint: parsing "[^"]*": /, '');
          return bad(`invalid ${key === 'target' ? 'target' : 'published'} port (${val}): value must be an integer: ${reason}`);
        }
        if (key === 'target') target = n.value;
        else published = n.value;
        break;
      }
      default:
        return bad(`invalid field key: ${key}`);
    }
  }
  if (target === 0) return bad("missing mandatory field 'target'");
  return ok({ Protocol: protocol, TargetPort: target, PublishedPort: published, PublishMode: mode });
}

/** cli `PortOpt` (type `port`): each occurrence appends the ports it names. */
export const portKind = (): FlagKind<readonly EnginePortConfig[]> => ({
  type: 'port',
  initial: [],
  defValue: '',
  zeroDefault: true,
  set: (prev, text) => {
    if (LONG_SYNTAX.test(text)) {
      const r = parseLongPort(text);
      return r.ok ? ok([...prev, r.value]) : r;
    }
    const r = parseShortPort(text);
    return r.ok ? ok([...prev, ...r.value]) : r;
  },
});

/** cli `NetworkOpt.Set`: a name, or `name=…,alias=…,driver-opt=k=v` (keys and values lower-cased). */
export function parseNetworkOpt(value: string): GoParse<EngineNetworkAttachmentConfig> {
  if (!LONG_SYNTAX.test(value)) return ok({ Target: value });
  const fields = readCSV(value);
  if (!fields.ok) return fields;
  let target = '';
  const aliases: string[] = [];
  const driverOpts: Record<string, string> = {};
  for (const field of fields.value) {
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) return bad(`invalid field ${field}`);
    const key = lower.slice(0, eq).trim();
    const val = lower.slice(eq + 1).trim();
    switch (key) {
      case 'name':
        target = val;
        break;
      case 'alias':
        aliases.push(val);
        break;
      case 'driver-opt': {
        const e = val.indexOf('=');
        if (e <= 0) return bad('invalid key value pair format in driver options');
        driverOpts[val.slice(0, e).trim()] = val.slice(e + 1).trim();
        break;
      }
      case 'ip':
      case 'ip6':
      case 'mac-address':
      case 'link-local-ip':
      case 'gw-priority':
        return bad(`swarmnet does not support the network option ${key}`);
      default:
        return bad(`invalid field key ${key}`);
    }
  }
  if (target === '') return bad('network name/id is not specified');
  return ok({ Target: target, Aliases: aliases, ...(Object.keys(driverOpts).length > 0 ? { DriverOpts: driverOpts } : {}) });
}

/** cli `NetworkOpt` (type `network`). */
export const networkKind = (): FlagKind<readonly EngineNetworkAttachmentConfig[]> => ({
  type: 'network',
  initial: [],
  defValue: '',
  zeroDefault: true,
  set: (prev, text) => {
    const r = parseNetworkOpt(text);
    return r.ok ? ok([...prev, r.value]) : r;
  },
});

/** cli `opts.ValidateEnv`: `KEY=value` as is; a bare `KEY` stays bare (the client has no such variable). */
export const envListKind = (): FlagKind<readonly string[]> => ({
  type: 'list',
  initial: [],
  defValue: '',
  zeroDefault: true,
  set: (prev, text) => {
    if (text.startsWith('=')) return bad(`invalid environment variable: ${text}`);
    return ok([...prev, text]);
  },
});

/** cli `Uint64Opt` (type `uint`): unset (null) until given. */
export const optionalUintKind = (): FlagKind<number | null> => ({
  type: 'uint',
  initial: null,
  defValue: '',
  zeroDefault: true,
  set: (_prev, text) => parseGoUint(text, 64),
});

/** cli `DurationOpt` (type `duration`): unset (null) until given; nanoseconds. */
export const optionalDurationKind = (): FlagKind<number | null> => ({
  type: 'duration',
  initial: null,
  defValue: '',
  zeroDefault: true,
  set: (_prev, text) => {
    const r = parseGoDuration(text);
    if (!r.ok) return r;
    if (r.value < 0) return bad('duration cannot be negative');
    return r;
  },
});

/** cli `floatValue` (type `float`). */
export const optionalFloatKind = (): FlagKind<number | null> => ({
  type: 'float',
  initial: null,
  defValue: '',
  zeroDefault: true,
  set: (_prev, text) => {
    const n = Number(text);
    return text.trim() === '' || Number.isNaN(n) ? bad(`strconv.ParseFloat: parsing "${text}": invalid syntax`) : ok(n);
  },
});

/** cli `ShlexOpt` (type `command`): the value split as a shell would. */
export const shlexKind = (): FlagKind<readonly string[] | null> => ({
  type: 'command',
  initial: null,
  defValue: '',
  zeroDefault: true,
  set: (_prev, text) => {
    try {
      return ok(splitCommandLine(text));
    } catch (e) {
      return bad(e instanceof Error ? e.message : String(e));
    }
  },
});

/** Go `%v` of a `time.Duration` given in nanoseconds. */
export const durationText = (ns: number): string => formatGoDuration(ns);
