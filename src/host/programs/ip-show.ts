/**
 * The listings of busybox `ip`, from the container stack's interfaces and routes:
 * - `ip addr` / `ip link`: libiproute/ipaddress.c `ipaddr_list_or_flush`, `print_linkinfo`,
 *   `print_addrinfo` — links in ifindex order (netlink dump order), each followed by its
 *   addresses; `state …` only under musl (the field is compiled `#ifdef IFF_DORMANT`, which
 *   glibc's headers lack: docker-cli-outputs.md §7.3); `qlen 1000` (veth and lo txqueuelen);
 *   `@ifN` + `M-DOWN` for a veth whose peer lives in another namespace.
 * - `ip route`: libiproute/iproute.c `print_route` over the main table, in the kernel's FIB dump
 *   order (by destination, longer prefix first); ` src X ` with its leading and trailing spaces.
 * No inet6 lines: Docker disables IPv6 in containers not attached to an IPv6 network (the real
 * swarm-container paste in §7.3 shows lo with 127.0.0.1/8 only).
 */
import type { RouteConfig, StackInterface } from '../../stack/types.js';
import { formatIpv4, formatMac } from '../../wire/address.js';
import { indexInSubstrings } from './args.js';
import { AppletError } from './busybox.js';
import { broadcastAddress, netmask } from './format.js';
import type { ProgramContext } from './types.js';

/** `preferred_family`: unset, `-4`, `-6`, `-0` (link layer). */
export type AddressFamily = 'unspec' | 'inet' | 'inet6' | 'packet';

export interface ShowOptions {
  readonly family: AddressFamily;
  /** `-o`: one line per record, `\` where a newline was. */
  readonly oneline: boolean;
}

/** Linux `RT_SCOPE_*` (rt_names.c `rtnl_rtscope_tab`). */
const SCOPES: Readonly<Record<string, number>> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const SCOPE_NAMES: Readonly<Record<number, string>> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };
/** Docker's veths and lo keep Linux's default txqueuelen. */
const TX_QUEUE_LEN = 1000;

/** NEXT_ARG() of libiproute/utils.c. */
function nextArg(argv: readonly string[], i: number): string {
  const next = argv[i + 1];
  if (next === undefined) throw new AppletError('command line is not complete, try "help"');
  return next;
}

/** `rtnl_rtscope_a2n`, or undefined for `all` (no scope filter). */
function parseScope(text: string): number | undefined {
  if (text in SCOPES) return SCOPES[text];
  if (/^[0-9]+$/.test(text) && Number(text) <= 255) return Number(text);
  if (text === 'all') return undefined;
  throw new AppletError(`invalid argument '${text}' to 'scope'`);
}

function notEmulated(what: string): AppletError {
  return new AppletError(`'${what}' is not emulated by swarmnet`);
}

function addressScope(iface: StackInterface): number {
  return iface.config.address >>> 24 === 127 ? SCOPES.host : SCOPES.global;
}

/** `ip addr [show|list] [dev] IFACE [scope S] [up]` (and `ip link` with family `packet`). */
export function listAddresses(ctx: ProgramContext, argv: readonly string[], show: ShowOptions): number {
  let device: string | undefined;
  let scope: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const key = ['to', 'scope', 'up', 'label', 'dev'].indexOf(argv[i]); // index_in_strings: exact
    if (key === 0 || key === 3) throw notEmulated(`ip addr ${argv[i]}`);
    if (key === 1) scope = parseScope(nextArg(argv, i++));
    else if (key === 2) continue; // every emulated interface is up
    else {
      let name = argv[i];
      if (key === 4) name = nextArg(argv, i++);
      if (device !== undefined) throw new AppletError(`either "dev" is duplicate, or "${name}" is garbage`);
      device = name;
    }
  }
  const interfaces = [...ctx.stack.interfaces()].sort((a, b) => a.config.index - b.config.index);
  let shown = interfaces;
  if (device !== undefined) {
    shown = interfaces.filter((i) => i.config.name === device);
    if (shown.length === 0) throw new AppletError(`can't find device '${device}'`);
  }
  const wantAddress = (i: StackInterface) => (show.family === 'unspec' || show.family === 'inet') && (scope === undefined || addressScope(i) === scope);
  // With a network family set, links without a matching address are left out entirely.
  if (show.family === 'inet' || show.family === 'inet6') shown = shown.filter(wantAddress);
  let out = '';
  const lineBreak = show.oneline ? '\\' : '\n';
  for (const iface of shown) {
    if (!(show.oneline && show.family !== 'packet')) out += linkInfo(iface, interfaces, show, ctx.libc, lineBreak);
    if (show.family !== 'packet' && wantAddress(iface)) out += addressInfo(iface, show, lineBreak);
  }
  ctx.stdout.write(out);
  return 0;
}

/** print_linkinfo. */
function linkInfo(iface: StackInterface, all: readonly StackInterface[], show: ShowOptions, libc: 'musl' | 'glibc', lineBreak: string): string {
  const c = iface.config;
  const loopback = c.name === 'lo';
  let out = `${c.index}: ${c.name}`;
  let peerDown = false;
  // IFLA_LINK is absent when the link is its own (lo); a veth names its peer's index, which
  // ll_index_to_name prints as `ifN` when no interface here has it.
  if (c.peerIndex === 0) out += ': ';
  else {
    const peer = all.find((i) => i.config.index === c.peerIndex);
    out += `@${peer === undefined ? `if${c.peerIndex}` : peer.config.name}: `;
    peerDown = peer === undefined;
  }
  out += loopback ? '<LOOPBACK,UP,LOWER_UP' : '<BROADCAST,MULTICAST,UP,LOWER_UP';
  out += `${peerDown ? ',M-DOWN' : ''}> mtu ${c.mtu} qdisc noqueue `;
  if (libc === 'musl') out += `state ${loopback ? 'UNKNOWN' : 'UP'} `;
  out += `qlen ${TX_QUEUE_LEN}`;
  if (show.family === 'unspec' || show.family === 'packet') {
    out += loopback
      ? `${lineBreak}    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00`
      : `${lineBreak}    link/ether ${formatMac(c.mac)} brd ff:ff:ff:ff:ff:ff`;
  }
  return `${out}\n`;
}

/** print_addrinfo: permanent addresses (no `dynamic`), labelled with the interface name. */
function addressInfo(iface: StackInterface, show: ShowOptions, lineBreak: string): string {
  const c = iface.config;
  const scope = addressScope(iface);
  let out = show.oneline ? `${c.index}: ${c.name}` : '';
  out += `    inet ${formatIpv4(c.address)}/${c.prefixLength} `;
  // Docker (vishvananda/netlink AddrAdd) sets the broadcast for prefixes shorter than /31;
  // the kernel's own 127.0.0.1/8 on lo has none.
  if (scope === SCOPES.global && c.prefixLength < 31) out += `brd ${formatIpv4(broadcastAddress(c.address, c.prefixLength))} `;
  out += `scope ${SCOPE_NAMES[scope]} ${c.name}`;
  return `${out}${lineBreak}       valid_lft forever preferred_lft forever\n`;
}

/** `get_prefix`: `default`/`all`/`any` (no filter, as busybox with no family set) or `A.B.C.D[/N]`. */
function parsePrefix(text: string): { address: number; length: number } | undefined {
  if (text === 'default' || text === 'all' || text === 'any') return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
  const octets = m?.slice(1, 5).map(Number);
  const length = m?.[5] === undefined ? 32 : Number(m[5]);
  if (m === null || octets!.some((o) => o > 255) || length > 32) {
    throw new AppletError(`an inet prefix is expected rather than "${text}"`);
  }
  return { address: octets!.reduce((a, o) => a * 256 + o, 0), length };
}

const ROUTE_KEYWORDS = ['protocol', 'dev', 'oif', 'iif', 'via', 'table', 'cache', 'from', 'to', 'scope', 'all', 'root', 'match', 'exact', 'main'];

/** `ip route [list|show] [dev IFACE] [table main] [scope S] [[to] [exact] PREFIX]`. */
export function listRoutes(ctx: ProgramContext, argv: readonly string[], show: ShowOptions): number {
  let device: string | undefined;
  let scope: number | undefined;
  let otherTable = false;
  let prefix: { address: number; length: number } | undefined;
  for (let i = 0; i < argv.length; i++) {
    let keyword = ROUTE_KEYWORDS[indexInSubstrings(ROUTE_KEYWORDS, argv[i])];
    if (keyword === 'dev' || keyword === 'oif') device = nextArg(argv, i++);
    else if (keyword === 'scope') scope = parseScope(nextArg(argv, i++));
    else if (keyword === 'table') {
      const table = nextArg(argv, i++);
      const parm = ROUTE_KEYWORDS[indexInSubstrings(ROUTE_KEYWORDS, table)];
      if (parm === 'all' || parm === 'cache') throw notEmulated(`ip route table ${table}`);
      if (parm !== 'main') {
        const id = { default: 253, local: 255 }[table] ?? (/^[0-9]+$/.test(table) ? Number(table) : undefined);
        if (id === undefined) throw new AppletError(`invalid argument '${table}' to 'table'`);
        otherTable = id !== 254; // every emulated route is in the main table
      }
    } else if (keyword === 'protocol' || keyword === 'iif' || keyword === 'via' || keyword === 'from' || keyword === 'cache') {
      throw notEmulated(`ip route ${keyword}`);
    } else {
      // "to" is the default parameter; "to exact" the default match.
      let word = argv[i];
      if (keyword === 'to') {
        word = nextArg(argv, i++);
        keyword = ROUTE_KEYWORDS[indexInSubstrings(ROUTE_KEYWORDS, word)];
      }
      if (keyword === 'root' || keyword === 'match') throw notEmulated(`ip route ${keyword}`);
      if (keyword === 'exact') word = nextArg(argv, i++);
      prefix = parsePrefix(word);
    }
  }
  const names = new Set(ctx.stack.interfaces().map((i) => i.config.name));
  if (device !== undefined && !names.has(device)) throw new AppletError(`can't find device '${device}'`);
  if (show.family === 'inet6' || otherTable) return 0;
  const routes = [...ctx.stack.routes()]
    .filter((r) => device === undefined || r.device === device)
    .filter((r) => scope === undefined || routeScope(r) === scope)
    .filter((r) => prefix === undefined || (r.prefixLength === prefix.length && ((r.destination ^ prefix.address) & netmask(prefix.length)) === 0))
    .sort((a, b) => a.destination - b.destination || b.prefixLength - a.prefixLength);
  ctx.stdout.write(routes.map(formatRoute).join(''));
  return 0;
}

/** Connected routes are `scope link`; routes through a gateway `scope global` (universe). */
function routeScope(r: RouteConfig): number {
  return r.gateway === undefined ? SCOPES.link : SCOPES.global;
}

/** print_route for a unicast main-table IPv4 route. */
export function formatRoute(r: RouteConfig): string {
  let out = r.prefixLength === 0 ? 'default ' : r.prefixLength === 32 ? `${formatIpv4(r.destination)} ` : `${formatIpv4(r.destination)}/${r.prefixLength} `;
  if (r.gateway !== undefined) out += `via ${formatIpv4(r.gateway)} `;
  out += `dev ${r.device} `;
  if (routeScope(r) !== SCOPES.global) out += `scope ${SCOPE_NAMES[routeScope(r)]} `;
  if (r.source !== undefined) out += ` src ${formatIpv4(r.source)} `;
  return `${out}\n`;
}
