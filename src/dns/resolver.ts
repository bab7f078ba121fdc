/**
 * The embedded DNS server's answers (moby `daemon/libnetwork/resolver.go` `handleQuery` and
 * `sandbox_dns_unix.go`; reference docker-overlay-facts.md §5): a query from a container is
 * answered from the records of the networks that container is on, in its network order.
 *
 * - A: every address of the name, shuffled per query, TTL 600. AAAA or MX for a name known only
 *   with IPv4: NOERROR and no answer (moby answers so that clients do not go on to the upstreams).
 * - PTR (`d.c.b.a.in-addr.arpa`): `<name>.<network>`.
 * - Anything not known here, and other types (TXT, CNAME …), are for the upstream servers
 *   (`forward`); without one, SERVFAIL.
 * - Class other than IN, or opcode other than QUERY: NOTIMP; a message that is not a query or
 *   carries no question: FORMERR; bytes that do not parse are dropped (the caller counts them).
 * - UDP answers larger than 512 octets (or the client's EDNS0 size) are cut to the header and
 *   question with the TC bit set, as moby's `truncateResp` does.
 */
import type { DnsAnswer, DnsMessage, DecodedDnsMessage, DnsQuestion } from '../wire/dns.js';
import { dnsLen, DNS_MAX_UDP_MESSAGE, DnsFlag, DnsRcode, emitDns } from '../wire/dns.js';
import type { Rng } from '../util/rng.js';
import { canonical, type NetworkRecords } from './records.js';

/** moby `respTTL`: 600 s. */
export const DNS_TTL = 600;
/** The largest UDP answer a client may ask for through EDNS0 (moby caps at 4096). */
export const MAX_EDNS_UDP_SIZE = 4096;

export type ResolverAnswer = { readonly kind: 'reply'; readonly bytes: Uint8Array } | { readonly kind: 'forward'; readonly question: DnsQuestion };


function reply(query: DecodedDnsMessage, rcode: number, answers: DnsAnswer[] = [], extraFlags = 0): DnsMessage {
  // The query's opcode and RD, RA (moby sets RecursionAvailable), and the rcode; QR comes with type "response".
  const flags = ((query.flags ?? 0) & 0x7900 & ~DnsFlag.TC) | DnsFlag.RA | extraFlags | rcode;
  return { id: query.id, type: 'response', flags, questions: query.questions, answers };
}

function encode(message: DnsMessage): Uint8Array {
  const out = new Uint8Array(dnsLen(message));
  emitDns(message, out, 0);
  return out;
}

/** The UDP size the client accepts: 512, or its EDNS0 OPT size up to MAX_EDNS_UDP_SIZE. */
function udpLimit(query: DecodedDnsMessage): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  const size = opt?.udpPayloadSize ?? 0;
  return size > DNS_MAX_UDP_MESSAGE ? Math.min(size, MAX_EDNS_UDP_SIZE) : DNS_MAX_UDP_MESSAGE;
}

/** `d.c.b.a.in-addr.arpa` → `a.b.c.d`, or undefined. */
function reverseAddress(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(canonical(name));
  return m ? `${m[4]}.${m[3]}.${m[2]}.${m[1]}` : undefined;
}

/**
 * Answers one parsed query for a container whose networks' records are `networks` (in the
 * container's order). `transport` decides the size limit (TCP answers are never truncated).
 */
export function answerQuery(query: DecodedDnsMessage, networks: readonly NetworkRecords[], rng: Rng, transport: 'udp' | 'tcp' = 'udp'): ResolverAnswer {
  if (query.type !== 'query' || query.questions === undefined || query.questions.length !== 1) {
    return { kind: 'reply', bytes: encode(reply(query, DnsRcode.FORMERR)) };
  }
  if (query.opcode !== 'QUERY') return { kind: 'reply', bytes: encode(reply(query, DnsRcode.NOTIMP)) };
  const q = query.questions[0]!;
  if (q.class !== 'IN') return { kind: 'reply', bytes: encode(reply(query, DnsRcode.NOTIMP)) };
  const name = canonical(q.name);
  let message: DnsMessage | undefined;
  if (q.type === 'PTR') {
    const ip = reverseAddress(name);
    const target = ip === undefined ? undefined : networks.map((n) => n.reverse(ip)).find((x) => x !== undefined);
    if (target !== undefined) message = reply(query, DnsRcode.NOERROR, [{ type: 'PTR', name: q.name, class: 'IN', ttl: DNS_TTL, data: target }]);
  } else {
    const addresses = networks.map((n) => n.lookup(name)).find((x) => x !== undefined);
    if (addresses !== undefined) {
      if (q.type === 'A') {
        const shuffled = rng.shuffle([...addresses]);
        message = reply(query, DnsRcode.NOERROR, shuffled.map((ip) => ({ type: 'A', name: q.name, class: 'IN', ttl: DNS_TTL, data: ip })));
      } else if (q.type === 'AAAA' || q.type === 'MX') {
        // A name we know with IPv4 only (overlays have IPv6 off), or moby's implicit MX.
        message = reply(query, DnsRcode.NOERROR, []);
      }
    }
  }
  if (message === undefined) return { kind: 'forward', question: q };
  let bytes = encode(message);
  if (transport === 'udp' && bytes.length > udpLimit(query)) bytes = encode({ ...message, answers: [], flags: (message.flags ?? 0) | DnsFlag.TC });
  return { kind: 'reply', bytes };
}

/** SERVFAIL for a query nobody upstream answered. */
export function servfail(query: DecodedDnsMessage): Uint8Array {
  return encode(reply(query, DnsRcode.SERVFAIL));
}

/** REFUSED when too many queries already wait on upstreams. */
export function refused(query: DecodedDnsMessage): Uint8Array {
  return encode(reply(query, DnsRcode.REFUSED));
}
