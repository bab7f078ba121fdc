/**
 * The embedded DNS's upstream forwarding (moby `resolver.go` `forwardExtDNS`; reference
 * docker-overlay-facts.md §5.4): a query nobody on the container's networks answers goes to the
 * host's nameservers in order, at most 3, each once with a 4 s timeout. SERVFAIL, REFUSED or no
 * answer move on to the next; any other answer (NXDOMAIN included) is relayed unmodified. All
 * failing, the caller answers SERVFAIL.
 *
 * swarmnet sends nothing beyond 127.0.0.0/8: only loopback upstreams are ever contacted (the
 * emulated hosts' default nameserver, a LAN address, never is).
 */
import { createSocket } from 'node:dgram';
import { DnsRcode } from '../wire/dns.js';

/** moby `maxExtDNS`. */
export const MAX_UPSTREAMS = 3;
/** moby `extIOTimeout`. */
export const UPSTREAM_TIMEOUT_MS = 4000;

export interface Upstream {
  readonly address: string;
  readonly port: number;
}

/** `127.x.y.z` or `127.x.y.z:port` (53 by default); throws for anything off loopback. */
export function parseUpstream(text: string): Upstream {
  const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3})(?::(\d{1,5}))?$/.exec(text);
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  if (m === null || m[1]!.split('.').some((o) => Number(o) > 255) || port < 1 || port > 65535) {
    throw new RangeError(`a DNS upstream must be a loopback address (127.0.0.0/8) with an optional port, e.g. 127.0.0.53:5353: ${text}`);
  }
  return { address: m[1]!, port };
}

/** One try at one server: its answer, or undefined on timeout or a socket error. */
function ask(upstream: Upstream, query: Uint8Array, timeoutMs: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const id = (query[0]! << 8) | query[1]!;
    const done = (value: Uint8Array | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    timer.unref();
    socket.on('error', () => done(undefined));
    socket.on('message', (msg) => {
      if (msg.length >= 12 && ((msg[0]! << 8) | msg[1]!) === id) done(new Uint8Array(msg));
    });
    socket.send(query, upstream.port, upstream.address, (error) => {
      if (error) done(undefined);
    });
  });
}

/** The first usable upstream answer, relayed as is; undefined when every server failed. */
export async function forwardDns(query: Uint8Array, upstreams: readonly Upstream[], timeoutMs = UPSTREAM_TIMEOUT_MS): Promise<Uint8Array | undefined> {
  for (const upstream of upstreams.slice(0, MAX_UPSTREAMS)) {
    if (!upstream.address.startsWith('127.')) continue;
    const reply = await ask(upstream, query, timeoutMs);
    if (reply === undefined) continue;
    const rcode = reply[3]! & 0x0f;
    if (rcode === DnsRcode.SERVFAIL || rcode === DnsRcode.REFUSED) continue;
    return reply;
  }
  return undefined;
}
