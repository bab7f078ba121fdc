/**
 * Command-line flags as docker parses them: a reimplementation of `github.com/spf13/pflag` v1.0.10
 * (vendored by docker/cli; `flag.go` `parseArgs` / `parseLongArg` / `parseSingleShortArg`,
 * `errors.go`) plus the value types docker's swarm and node commands use (pflag `bool.go`,
 * `string.go`, `uint32.go`, `duration.go`, `ipnet_slice.go`; cli `opts/opts.go` `ListOpts`,
 * `FilterOpt`; cli `cli/command/swarm/opts.go` `NodeAddrOption`).
 *
 * Accepted forms: `--flag value`, `--flag=value`, `-f value`, `-fvalue`, `-f=value`, combined
 * shorthands `-qf value`, bool flags bare or with `=true|false`, repeated flags (lists append), `--`
 * ending the flags, and positional arguments anywhere unless `interspersed` is off. Errors carry
 * pflag's exact text (`unknown flag: --foo`, `unknown shorthand flag: 'x' in -x`, `flag needs an
 * argument: --filter`, `invalid argument "x" for "-f, --filter" flag: …`, `bad flag syntax: ---x`).
 * Parsing never throws.
 */
import {
  formatGoDuration,
  goQuote,
  parseGoBool,
  parseGoDuration,
  parseGoInt,
  parseGoUint,
  type GoParse,
} from './golang.js';

/** A value type: pflag's `Value` (`Set`, `Type`) plus what usage printing needs. */
export interface FlagKind<T = unknown> {
  /** pflag `Value.Type()`, shown in usage (`string`, `uint32`, `filter`, `node-addr` …). */
  readonly type: string;
  readonly initial: T;
  /** `DefValue`: the default as `Value.String()` prints it. */
  readonly defValue: string;
  /** pflag `defaultIsZeroValue()`: when true, usage shows no `(default …)`. */
  readonly zeroDefault: boolean;
  /** Value taken when the flag is given without one (`"true"` for bools). */
  readonly noOptDefVal?: string;
  /** Applies one occurrence; `changed` tells whether an earlier occurrence already set it. */
  set(previous: T, text: string, changed: boolean): GoParse<T>;
}

export interface FlagDef {
  readonly name: string;
  /** One letter, or absent. */
  readonly shorthand?: string;
  readonly usage: string;
  readonly kind: FlagKind;
  /** Left out of usage (docker's `--help` is hidden). */
  readonly hidden?: boolean;
  /** pflag `ShorthandDeprecated`: using the shorthand prints `Flag shorthand -h has been deprecated, <this>`. */
  readonly shorthandDeprecated?: string;
  /** Set when swarmnet cannot honour the flag: a value other than the default is refused with this reason. */
  readonly unsupported?: string;
}

const ok = <T>(value: T): GoParse<T> => ({ ok: true, value });
const bad = <T>(error: string): GoParse<T> => ({ ok: false, error });

export const boolKind = (initial = false): FlagKind<boolean> => ({
  type: 'bool',
  initial,
  defValue: String(initial),
  zeroDefault: !initial,
  noOptDefVal: 'true',
  set: (_prev, text) => parseGoBool(text),
});

export const stringKind = (initial = ''): FlagKind<string> => ({
  type: 'string',
  initial,
  defValue: initial,
  zeroDefault: initial === '',
  set: (_prev, text) => ok(text),
});

export const uintKind = (bits: 32 | 64, initial = 0): FlagKind<number> => ({
  type: `uint${bits}`,
  initial,
  defValue: String(initial),
  zeroDefault: initial === 0,
  set: (_prev, text) => parseGoUint(text, bits),
});

export const intKind = (bits: 32 | 64, initial = 0): FlagKind<number> => ({
  type: `int${bits}`,
  initial,
  defValue: String(initial),
  zeroDefault: initial === 0,
  set: (_prev, text) => parseGoInt(text, bits),
});

/** Go `time.Duration` in nanoseconds. */
export const durationKind = (initialNs = 0): FlagKind<number> => ({
  type: 'duration',
  initial: initialNs,
  defValue: formatGoDuration(initialNs),
  zeroDefault: initialNs === 0,
  set: (_prev, text) => parseGoDuration(text),
});

/** cli `opts.ListOpts` without a validator: each occurrence appends (`--label-add a=b --label-add c`). */
export const listKind = (): FlagKind<readonly string[]> => ({
  type: 'list',
  initial: [],
  defValue: '',
  zeroDefault: true,
  set: (prev, text) => ok([...prev, text]),
});

/** cli `opts.FilterOpt`: `name=value`, name lower-cased and both trimmed; repeated names collect values. */
export const filterKind = (): FlagKind<Readonly<Record<string, readonly string[]>>> => ({
  type: 'filter',
  initial: {},
  defValue: '',
  zeroDefault: true,
  set: (prev, text) => {
    if (text === '') return ok(prev);
    const eq = text.indexOf('=');
    if (eq < 0) return bad('bad format of filter (expected name=value)');
    const name = text.slice(0, eq).trim().toLowerCase();
    const value = text.slice(eq + 1).trim();
    const values = prev[name] ?? [];
    return ok({ ...prev, [name]: values.includes(value) ? values : [...values, value] });
  },
});

/**
 * pflag `ipNetSlice`: comma-separated CIDRs, each stored as its network (`10.1.2.3/16` →
 * `10.1.0.0/16`); the first occurrence replaces the default, later ones append.
 */
export const ipNetSliceKind = (): FlagKind<readonly string[]> => ({
  type: 'ipNetSlice',
  initial: [],
  defValue: '[]',
  zeroDefault: false, // pflag's defaultIsZeroValue does not know this type, so `(default [])` shows
  set: (prev, text, changed) => {
    const out: string[] = [];
    for (const raw of text.replace(/["'`]/g, '').split(',')) {
      const cidr = ipv4Network(raw.trim());
      if (cidr === undefined) return bad(`invalid string being converted to CIDR: ${raw}`);
      out.push(cidr);
    }
    return ok(changed ? [...prev, ...out] : out);
  },
});

/** The network of an IPv4 CIDR (`net.ParseCIDR`), or undefined. IPv6 pools are not emulated. */
function ipv4Network(text: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const len = Number(m[5]);
  if (octets.some((o, i) => o > 255 || m[i + 1].length > 1 && m[i + 1].startsWith('0')) || len > 32) return undefined;
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const net = (addr & mask) >>> 0;
  return `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`;
}

/**
 * cli `swarm.NodeAddrOption` (`opts.ParseTCPAddr` against `0.0.0.0:2377`): `host[:port]`, `:port`
 * or `tcp://host:port`; the missing part comes from the default. Interface names pass as hosts.
 */
export const nodeAddrKind = (initial = '0.0.0.0:2377'): FlagKind<string> => ({
  type: 'node-addr',
  initial,
  defValue: initial,
  zeroDefault: false,
  set: (prev, text) => parseTcpAddr(text, prev),
});

function parseTcpAddr(tryAddr: string, defaultAddr: string): GoParse<string> {
  if (tryAddr === '' || tryAddr === 'tcp://') return ok(defaultAddr);
  const addr = tryAddr.startsWith('tcp://') ? tryAddr.slice(6) : tryAddr;
  if (addr.includes('://') || addr === '') return bad(`invalid proto, expected tcp: ${tryAddr}`);
  const [defHost, defPort] = splitHostPort(defaultAddr) ?? ['0.0.0.0', '2377'];
  const withPort = addr.endsWith(']:') ? addr + defPort : addr;
  // Go tries `host:port`, then once more with the default port joined on (`net.JoinHostPort`).
  const joined = withPort.includes(':') ? `[${withPort}]:${defPort}` : `${withPort}:${defPort}`;
  const hp = splitHostPort(withPort) ?? splitHostPort(joined);
  if (hp === undefined) return bad(`invalid bind address format: ${tryAddr}`);
  const host = hp[0] === '' ? defHost : hp[0];
  const port = hp[1] === '' ? defPort : hp[1];
  if (!/^\d+$/.test(port)) return bad(`invalid bind address format: ${tryAddr}`);
  return ok(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
}

/** Go `net.SplitHostPort` for the forms docker accepts, or undefined. */
function splitHostPort(s: string): [string, string] | undefined {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0 || s[end + 1] !== ':') return undefined;
    return [s.slice(1, end), s.slice(end + 2)];
  }
  const colon = s.lastIndexOf(':');
  if (colon < 0 || s.indexOf(':') !== colon) return undefined;
  return [s.slice(0, colon), s.slice(colon + 1)];
}

/** Flag values after parsing, read by name. */
export class FlagValues {
  constructor(
    private readonly values: ReadonlyMap<string, unknown>,
    private readonly changedNames: ReadonlySet<string>,
  ) {}

  get<T>(name: string): T {
    if (!this.values.has(name)) throw new Error(`flag accessed but not defined: ${name}`);
    return this.values.get(name) as T;
  }
  bool(name: string): boolean {
    return this.get<boolean>(name);
  }
  string(name: string): string {
    return this.get<string>(name);
  }
  number(name: string): number {
    return this.get<number>(name);
  }
  list(name: string): readonly string[] {
    return this.get<readonly string[]>(name);
  }
  /** pflag `Changed`: given on the command line (even if to its default). */
  changed(name: string): boolean {
    return this.changedNames.has(name);
  }
  /** pflag `NFlag`: how many distinct flags were given. */
  get count(): number {
    return this.changedNames.size;
  }
  /** These values over `base`: a flag not given here keeps what `base` gave it. */
  over(base: FlagValues): FlagValues {
    const values = new Map(this.values);
    for (const name of base.changedNames) {
      if (!this.changedNames.has(name) && values.has(name)) values.set(name, base.values.get(name));
    }
    return new FlagValues(values, new Set([...base.changedNames, ...this.changedNames]));
  }
}

export type ParseResult =
  | {
      readonly ok: true;
      readonly flags: FlagValues;
      readonly args: readonly string[];
      /** pflag `ArgsLenAtDash`: positional arguments before `--`, or -1. */
      readonly argsLenAtDash: number;
      /** Deprecation notices, in order (each ends in a newline). */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly error: string };

/** pflag `FlagSet.Parse` over `defs` (later definitions of a taken name or shorthand are ignored). */
export function parseFlags(defs: readonly FlagDef[], args: readonly string[], interspersed = true): ParseResult {
  const byName = new Map<string, FlagDef>();
  const byShort = new Map<string, FlagDef>();
  for (const d of defs) {
    if (byName.has(d.name)) continue;
    byName.set(d.name, d);
    if (d.shorthand !== undefined && !byShort.has(d.shorthand)) byShort.set(d.shorthand, d);
  }
  const values = new Map<string, unknown>();
  for (const d of byName.values()) values.set(d.name, d.kind.initial);
  const changed = new Set<string>();
  const warnings: string[] = [];
  const positional: string[] = [];
  let argsLenAtDash = -1;

  const set = (d: FlagDef, value: string): string | undefined => {
    const r = d.kind.set(values.get(d.name), value, changed.has(d.name));
    if (!r.ok) {
      const shown = d.shorthand !== undefined && d.shorthandDeprecated === undefined ? `-${d.shorthand}, --${d.name}` : `--${d.name}`;
      return `invalid argument ${goQuote(value)} for ${goQuote(shown)} flag: ${r.error}`;
    }
    values.set(d.name, r.value);
    changed.add(d.name);
    return undefined;
  };

  let rest = [...args];
  while (rest.length > 0) {
    const s = rest.shift()!;
    if (s.length < 2 || s[0] !== '-') {
      if (!interspersed) {
        positional.push(s, ...rest);
        rest = [];
        break;
      }
      positional.push(s);
      continue;
    }
    if (s[1] === '-') {
      if (s.length === 2) {
        argsLenAtDash = positional.length;
        positional.push(...rest);
        break;
      }
      // --name, --name=value
      const body = s.slice(2);
      if (body[0] === '-' || body[0] === '=') return { ok: false, error: `bad flag syntax: ${s}` };
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const d = byName.get(name);
      if (d === undefined) return { ok: false, error: `unknown flag: --${name}` };
      let value: string;
      if (eq >= 0) value = body.slice(eq + 1);
      else if (d.kind.noOptDefVal !== undefined) value = d.kind.noOptDefVal;
      else if (rest.length > 0) value = rest.shift()!;
      else return { ok: false, error: `flag needs an argument: --${name}` };
      const err = set(d, value);
      if (err !== undefined) return { ok: false, error: err };
      continue;
    }
    // -abc: each letter a shorthand; one taking a value consumes the rest of the word or the next arg.
    let shorthands = s.slice(1);
    while (shorthands.length > 0) {
      const c = shorthands[0];
      const d = byShort.get(c);
      if (d === undefined) return { ok: false, error: `unknown shorthand flag: '${c}' in -${shorthands}` };
      let value: string;
      let next = shorthands.slice(1);
      if (shorthands.length > 2 && shorthands[1] === '=') {
        value = shorthands.slice(2);
        next = '';
      } else if (d.kind.noOptDefVal !== undefined) {
        value = d.kind.noOptDefVal;
      } else if (shorthands.length > 1) {
        value = shorthands.slice(1);
        next = '';
      } else if (rest.length > 0) {
        value = rest.shift()!;
      } else {
        return { ok: false, error: `flag needs an argument: '${c}' in -${shorthands}` };
      }
      if (d.shorthandDeprecated !== undefined) {
        warnings.push(`Flag shorthand -${c} has been deprecated, ${d.shorthandDeprecated}\n`);
      }
      const err = set(d, value);
      if (err !== undefined) return { ok: false, error: err };
      shorthands = next;
    }
  }
  return { ok: true, flags: new FlagValues(values, changed), args: positional, argsLenAtDash, warnings };
}
