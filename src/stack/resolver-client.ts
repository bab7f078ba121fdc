/**
 * The container's stub resolver (musl's `res_msend` as busybox's applets reach it through
 * getaddrinfo with AF_INET): an A query over UDP to the nameserver from /etc/resolv.conf, retried
 * at musl's interval, answered by the first reply whose ID and question match. Real DNS bytes
 * cross the container's stack — over `lo` to the embedded server at 127.0.0.11 — so a capture
 * shows them.
 */
import type { Clock, Duration } from '../util/clock.js';
import type { Rng } from '../util/rng.js';
import type { Ipv4Addr } from '../wire/address.js';
import { parseIpv4Address } from '../wire/address.js';
import { DNS_UDP_PORT, dnsLen, DnsRcode, emitDns, parseDnsUdp, type DnsAnswer } from '../wire/dns.js';
import type { NetStack } from './types.js';

/** musl `RR_TIMEOUT`-ish defaults: 5 s in all, 2 attempts (resolv.conf `timeout:5 attempts:2`). */
export const RESOLVER_TIMEOUT: Duration = 5000 as Duration;
export const RESOLVER_ATTEMPTS = 2;

export type LookupResult = { readonly ok: true; readonly addresses: readonly Ipv4Addr[] } | { readonly ok: false; readonly error: 'nxdomain' | 'servfail' | 'nodata' | 'timeout' | 'no-socket' };

/** The `nameserver` lines of a resolv.conf, in order (at most 3, as musl reads them). */
export function nameservers(resolvConf: string): string[] {
  const out: string[] = [];
  for (const line of resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && out.length < 3) out.push(m[1]!);
  }
  return out;
}

/** A reply as a stub resolver sees it: its rcode and answers, or no reply at all. */
export type QueryResult = { readonly ok: true; readonly rcode: number; readonly answers: readonly DnsAnswer[] } | { readonly ok: false; readonly error: 'timeout' | 'no-socket' };

/** Sends one query (`type` for `name`) to `server`:53 through `stack`, retrying as musl does. */
export function queryDns(stack: NetStack, server: Ipv4Addr, name: string, type: 'A' | 'AAAA' | 'PTR', clock: Clock, rng: Rng): Promise<QueryResult> {
  return new Promise((resolve) => {
    const socket = stack.openUdp();
    if (typeof socket === 'string') return resolve({ ok: false, error: 'no-socket' });
    const id = rng.int(0, 0xffff);
    const message = { id, type: 'query' as const, flags: 0x0100, questions: [{ type, class: 'IN' as const, name }] };
    const query = new Uint8Array(dnsLen(message));
    emitDns(message, query, 0);
    let attempts = 0;
    let done = false;
    const finish = (result: QueryResult) => {
      if (done) return;
      done = true;
      timer.cancel();
      socket.close();
      resolve(result);
    };
    const send = () => {
      attempts++;
      socket.send(query, server, DNS_UDP_PORT);
    };
    let timer = clock.setTimer((RESOLVER_TIMEOUT / RESOLVER_ATTEMPTS) as Duration, function retry() {
      if (attempts >= RESOLVER_ATTEMPTS) return finish({ ok: false, error: 'timeout' });
      send();
      timer = clock.setTimer((RESOLVER_TIMEOUT / RESOLVER_ATTEMPTS) as Duration, retry);
    });
    socket.onMessage((payload, from, port) => {
      if (from !== server || port !== DNS_UDP_PORT) return;
      const reply = parseDnsUdp(payload);
      if (!reply.ok || reply.value.id !== id || reply.value.type !== 'response') return;
      const q = reply.value.questions?.[0];
      if (q === undefined || q.name.toLowerCase() !== name.toLowerCase().replace(/\.$/, '')) return;
      finish({ ok: true, rcode: (reply.value.flags ?? 0) & 0x000f, answers: reply.value.answers ?? [] });
    });
    send();
  });
}

/** Looks `name` up as an A record at `server`:53 through `stack`. */
export async function lookupA(stack: NetStack, server: Ipv4Addr, name: string, clock: Clock, rng: Rng): Promise<LookupResult> {
  const r = await queryDns(stack, server, name, 'A', clock, rng);
  if (!r.ok) return r;
  if (r.rcode === DnsRcode.NXDOMAIN) return { ok: false, error: 'nxdomain' };
  if (r.rcode !== DnsRcode.NOERROR) return { ok: false, error: 'servfail' };
  const addresses = r.answers.flatMap((a) => (a.type === 'A' ? [parseIpv4Address(a.data)] : []));
  return addresses.length > 0 ? { ok: true, addresses } : { ok: false, error: 'nodata' };
}
