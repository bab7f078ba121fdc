/**
 * busybox `hostname` (networking/hostname.c): prints ctx.hostname; `-s` short (up to the first
 * dot); `-f`, `-d`, `-i` look the name up as gethostbyname does in a container, i.e. in the
 * /etc/hosts Docker writes (`<container IP>\t<hostname>`): the canonical name is the hostname
 * itself and its address is the container's first non-loopback interface address. Setting the
 * name fails as in a container without CAP_SYS_ADMIN; there are no files for `-F`.
 */
import { formatIpv4 } from '../../wire/address.js';
import { getopt } from './args.js';
import { AppletError, defineApplet, UsageError } from './busybox.js';
import { strerror } from './strerror.js';

const HOSTNAME_USAGE =
  '[-sidf] [HOSTNAME | -F FILE]\n\nShow or set hostname or DNS domain name\n' +
  '\n\t-s\tShort' +
  '\n\t-i\tAddresses for the hostname' +
  '\n\t-d\tDNS domain name' +
  '\n\t-f\tFully qualified domain name' +
  '\n\t-F FILE\tUse FILE\'s content as hostname';

export const hostname = defineApplet('hostname', HOSTNAME_USAGE, async (ctx) => {
  const parsed = getopt(ctx.argv, 'dfisF:v', ctx.libc, 'hostname');
  if (parsed.error !== undefined) {
    ctx.stderr.write(parsed.error);
    throw new UsageError();
  }
  const has = (o: string) => parsed.options.some((p) => p.option === o);
  const name = ctx.hostname;
  const dot = name.indexOf('.');
  const short = dot < 0 ? name : name.slice(0, dot);
  if (has('d') || has('f') || has('i')) {
    if (has('f')) ctx.stdout.write(`${name}\n`);
    else if (has('s')) ctx.stdout.write(`${short}\n`);
    else if (has('d')) {
      if (dot >= 0) ctx.stdout.write(`${name.slice(dot + 1)}\n`);
    } else {
      const address = ctx.stack
        .interfaces()
        .filter((i) => i.config.name !== 'lo')
        .sort((a, b) => a.config.index - b.config.index)[0]?.config.address;
      // No hosts entry: xgethostbyname → bb_herror_msg_and_die("%s", name).
      if (address === undefined) throw new AppletError(`${name}: Unknown host`);
      ctx.stdout.write(`${formatIpv4(address)}\n`);
    }
  } else if (has('s')) ctx.stdout.write(`${short}\n`);
  else if (has('F')) {
    const file = [...parsed.options].reverse().find((p) => p.option === 'F')!.value!;
    throw new AppletError(`can't open '${file}': ${strerror('ENOENT', ctx.libc)}`);
  } else if (parsed.operands.length > 0) throw new AppletError(`sethostname: ${strerror('EPERM', ctx.libc)}`);
  else ctx.stdout.write(`${name}\n`);
  return 0;
});
