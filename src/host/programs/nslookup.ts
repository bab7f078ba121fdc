/**
 * busybox `nslookup` (networking/nslookup.c, the "big" variant Alpine builds; reference
 * docker-cli-outputs.md §7.2): the server named in /etc/resolv.conf (or the second operand),
 * then for a name an A and an AAAA query — or for an IPv4 address a PTR query — each reply
 * printed as it comes:
 *
 *   Server:\t\t127.0.0.11 / Address:\t127.0.0.11:53 / blank
 *   per reply: `Non-authoritative answer:` (Docker never sets AA), `Name:\t<name>` +
 *   `Address: <ip>` per record (PTR: `<reversed>.in-addr.arpa\tname = <target>`), blank;
 *   a failed query: `** server can't find <name>: <RCODE>` + blank; no reply at all:
 *   `;; connection timed out; no servers could be reached` + blank.
 * Exit 1 when a query failed or nothing answered, else 0. Queries go out only to loopback
 * servers (swarmnet sends nothing beyond 127.0.0.0/8): any other server is a timeout.
 */
import { queryDns, nameservers, type QueryResult } from '../../stack/resolver-client.js';
import { isLoopbackAddress } from '../../stack/route.js';
import { formatDnsRcode } from '../../wire/dns.js';
import { inetAton } from './args.js';
import { defineApplet, UsageError } from './busybox.js';
import type { ProgramContext } from './types.js';

const NSLOOKUP_USAGE =
  '[-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n' +
  '\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any';

export const nslookup = defineApplet('nslookup', NSLOOKUP_USAGE, async (ctx) => {
  const operands = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  if (operands.length < 1 || operands.length > 2) throw new UsageError();
  const host = operands[0]!;
  const server = operands[1] ?? nameservers(ctx.readFile('/etc/resolv.conf') ?? '')[0] ?? '127.0.0.1';
  ctx.stdout.write(`Server:\t\t${server}\nAddress:\t${server}:53\n\n`);
  const address = inetAton(server);
  const literal = inetAton(host);
  const queries: { name: string; type: 'A' | 'AAAA' | 'PTR' }[] =
    literal !== undefined ? [{ name: `${host.split('.').reverse().join('.')}.in-addr.arpa`, type: 'PTR' }] : [{ name: host, type: 'A' }, { name: host, type: 'AAAA' }];
  let failed = false;
  for (const q of queries) {
    const r: QueryResult = address !== undefined && isLoopbackAddress(address) ? await queryDns(ctx.stack, address, q.name, q.type, ctx.clock, ctx.rng) : { ok: false, error: 'timeout' };
    if (ctx.signal.aborted) return 130;
    if (!r.ok) {
      ctx.stdout.write(';; connection timed out; no servers could be reached\n\n');
      return 1;
    }
    if (r.rcode !== 0) {
      failed = true;
      ctx.stdout.write(`** server can't find ${q.name}: ${formatDnsRcode(r.rcode)}\n\n`);
      continue;
    }
    printAnswers(ctx, q.name, r.answers);
  }
  return failed ? 1 : 0;
});

function printAnswers(ctx: ProgramContext, name: string, answers: Extract<QueryResult, { ok: true }>['answers']): void {
  let text = 'Non-authoritative answer:\n';
  for (const a of answers) {
    if (a.type === 'A' || a.type === 'AAAA') text += `Name:\t${a.name}\nAddress: ${a.data}\n`;
    else if (a.type === 'PTR') text += `${name}\tname = ${a.data}\n`;
  }
  ctx.stdout.write(`${text}\n`);
}
