/**
 * busybox `ip` (networking/ip.c + libiproute/): the object dispatch, the common options
 * (`-4`/`-6`/`-0`, `-f FAMILY`, `-o`), `ip address`, `ip link` and `ip route` listings
 * (ip-show.ts) with busybox's keyword abbreviations (`ip a`, `ip r`, `ip a s eth0`) and error
 * texts. Changes (`add`/`del`/`change`/`replace`/`flush`) fail as in a default Docker container,
 * which lacks CAP_NET_ADMIN: `ip: RTNETLINK answers: Operation not permitted`, exit 2.
 * Not emulated (a clear message, exit 1): `ip tunnel`, `ip neigh`, `ip rule`, `ip route get`.
 */
import { indexInSubstrings } from './args.js';
import { AppletError, defineApplet, UsageError } from './busybox.js';
import { listAddresses, listRoutes, type AddressFamily, type ShowOptions } from './ip-show.js';
import { strerror } from './strerror.js';
import type { ProgramContext } from './types.js';

/** ip_trivial_usage + ip_full_usage with every FEATURE_IP_* on (Alpine's configuration). */
const IP_USAGE =
  '[OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]\n\n' +
  'OPTIONS := -f[amily] inet|inet6|link | -o[neline]\n' +
  '\nip addr add|del IFADDR dev IFACE | show|flush [dev IFACE] [to PREFIX]' +
  '\nip route list|flush|add|del|change|append|replace|test ROUTE' +
  '\nip link set IFACE [up|down] [arp on|off] [multicast on|off]\n' +
  '\t[promisc on|off] [mtu NUM] [name NAME] [qlen NUM] [address MAC]\n' +
  '\t[master IFACE | nomaster] [netns PID]' +
  '\nip tunnel add|change|del|show [NAME]\n' +
  '\t[mode ipip|gre|sit] [remote ADDR] [local ADDR] [ttl TTL]' +
  '\nip neigh show|flush [to PREFIX] [dev DEV] [nud STATE]' +
  '\nip rule [list] | add|del SELECTOR ACTION';

/** ip_main's `keywords`, in order (index_in_substrings: `a` → address, `r` → route). */
const OBJECTS = ['address', 'route', 'r', 'link', 'tunnel', 'tunl', 'rule', 'neigh'] as const;

export const ip = defineApplet('ip', IP_USAGE, async (ctx) => {
  const { rest, ...show } = parseCommonArgs(ctx.argv.slice(1));
  const object = rest.length > 0 ? OBJECTS[indexInSubstrings(OBJECTS, rest[0])] : undefined;
  const args = rest.slice(1);
  switch (object) {
    case 'address':
      return ipAddress(ctx, args, show);
    case 'route':
    case 'r':
      return ipRoute(ctx, args, show);
    case 'link':
      return ipLink(ctx, args, show);
    case 'tunnel':
    case 'tunl':
    case 'rule':
    case 'neigh':
      throw new AppletError(`'ip ${object}' is not emulated by swarmnet`);
    default:
      throw new UsageError(); // ip_print_help
  }
});

/** libiproute/ip_parse_common_args.c. */
function parseCommonArgs(argv: readonly string[]): ShowOptions & { rest: readonly string[] } {
  let family: AddressFamily = 'unspec';
  let oneline = false;
  let i = 0;
  for (; i < argv.length; i++) {
    let opt = argv[i];
    if (!opt.startsWith('-')) break;
    opt = opt.slice(1);
    if (opt.startsWith('-')) {
      opt = opt.slice(1);
      if (opt === '') {
        i++;
        break;
      }
    }
    const key = indexInSubstrings(['oneline', 'family', '4', '6', '0'], opt);
    if (key < 0) throw new UsageError();
    if (key === 0) oneline = true;
    else if (key === 1) {
      const name = argv[++i];
      if (name === undefined) throw new UsageError();
      const index = ['inet', 'inet6', 'link'].indexOf(name);
      if (index < 0) throw new AppletError(`invalid argument '${name}' to 'family'`);
      family = (['inet', 'inet6', 'packet'] as const)[index];
    } else family = (['inet', 'inet6', 'packet'] as const)[key - 2];
  }
  return { family, oneline, rest: argv.slice(i) };
}

/** Linux refuses netlink changes without CAP_NET_ADMIN; rtnl_talk fails, the tool exits 2. */
function notPermitted(ctx: ProgramContext): number {
  ctx.stderr.write(`ip: RTNETLINK answers: ${strerror('EPERM', ctx.libc)}\n`);
  return 2;
}

/** libiproute/ipaddress.c `do_ipaddr`. */
function ipAddress(ctx: ProgramContext, argv: readonly string[], show: ShowOptions): number {
  const commands = ['add', 'change', 'chg', 'replace', 'delete', 'list', 'show', 'lst', 'flush'];
  if (argv.length === 0) return listAddresses(ctx, argv, show);
  const cmd = indexInSubstrings(commands, argv[0]);
  if (cmd < 0) throw new AppletError(`invalid argument '${argv[0]}' to 'ip'`);
  if (cmd <= 4) return notPermitted(ctx);
  if (cmd === 8) {
    if (argv.length === 1) throw new AppletError('flush requires an argument');
    return notPermitted(ctx);
  }
  return listAddresses(ctx, argv.slice(1), show);
}

/** libiproute/iplink.c `do_iplink`: listing is `ip addr` restricted to link information. */
function ipLink(ctx: ProgramContext, argv: readonly string[], show: ShowOptions): number {
  const keywords = ['add', 'delete', 'set', 'show', 'lst', 'list'];
  // iplink sets xfunc_error_retval = 2 first: every die below exits 2.
  try {
    if (argv.length === 0) return listAddresses(ctx, argv, { ...show, family: 'packet' });
    const key = indexInSubstrings(keywords, argv[0]);
    if (key < 0) throw new AppletError(`invalid argument '${argv[0]}' to 'ip'`);
    if (key <= 2) return notPermitted(ctx);
    return listAddresses(ctx, argv.slice(1), { ...show, family: 'packet' });
  } catch (e) {
    throw e instanceof AppletError ? new AppletError(e.message, 2) : e;
  }
}

/** libiproute/iproute.c `do_iproute`. */
function ipRoute(ctx: ProgramContext, argv: readonly string[], show: ShowOptions): number {
  const commands = ['a', 'add', 'append', 'change', 'chg', 'delete', 'get', 'list', 'show', 'prepend', 'replace', 'test', 'flush'];
  if (argv.length === 0) return listRoutes(ctx, argv, show);
  const command = commands[indexInSubstrings(commands, argv[0])];
  switch (command) {
    case 'list':
    case 'show':
      return listRoutes(ctx, argv.slice(1), show);
    case 'get':
      throw new AppletError(`'ip route get' is not emulated by swarmnet`);
    case 'flush':
      if (argv.length === 1) throw new AppletError('"ip route flush" requires an argument');
      return notPermitted(ctx);
    case undefined:
      throw new AppletError(`invalid argument '${argv[0]}' to 'ip'`);
    default:
      return notPermitted(ctx);
  }
}
