/**
 * `getent hosts NAME…` as Alpine's musl-utils `getent` (NetBSD's getent) prints it: for each key,
 * `gethostbyname2(name, AF_INET6)` and then `gethostbyname(name)` — so an AAAA query, then an A
 * query, to the resolv.conf server — and one line per host found: the first address padded to 16
 * columns, two spaces, the name (`%-16s  %s`). An IPv4 literal is looked up in reverse (PTR).
 * Exit 0 when every key was found, 2 (`RV_NOTFOUND`) otherwise; 1 for an unknown database.
 * Only the `hosts` database is emulated.
 */
import { nameservers, queryDns } from '../../stack/resolver-client.js';
import { isLoopbackAddress } from '../../stack/route.js';
import { inetAton } from './args.js';
import type { Program } from './types.js';

const RV_USAGE = 1;
const RV_NOTFOUND = 2;

export const getent: Program = async (ctx) => {
  const [database, ...keys] = ctx.argv.slice(1);
  if (database === undefined) {
    ctx.stderr.write('Usage: getent [-s config] database [key ...]\n');
    return RV_USAGE;
  }
  if (database !== 'hosts') {
    ctx.stderr.write(`Unknown database: ${database}\n`);
    return RV_USAGE;
  }
  const server = inetAton(nameservers(ctx.readFile('/etc/resolv.conf') ?? '')[0] ?? '127.0.0.1');
  let status = 0;
  for (const key of keys) {
    const line = server !== undefined && isLoopbackAddress(server) ? await lookup(ctx, server, key) : undefined;
    if (line === undefined) status = RV_NOTFOUND;
    else ctx.stdout.write(`${line}\n`);
  }
  return status;
};

async function lookup(ctx: Parameters<Program>[0], server: number, key: string): Promise<string | undefined> {
  const literal = inetAton(key);
  if (literal !== undefined) {
    const r = await queryDns(ctx.stack, server, `${key.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR', ctx.clock, ctx.rng);
    const name = r.ok && r.rcode === 0 ? r.answers.find((a) => a.type === 'PTR') : undefined;
    return name === undefined || name.type !== 'PTR' ? undefined : `${key.padEnd(16)}  ${name.data}`;
  }
  for (const type of ['AAAA', 'A'] as const) {
    const r = await queryDns(ctx.stack, server, key, type, ctx.clock, ctx.rng);
    if (!r.ok) return undefined;
    const found = r.rcode === 0 ? r.answers.find((a) => a.type === type) : undefined;
    if (found !== undefined && (found.type === 'A' || found.type === 'AAAA')) return `${found.data.padEnd(16)}  ${key}`;
  }
  return undefined;
}
