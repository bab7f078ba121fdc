import { describe, expect, it } from 'vitest';
import { NetworkRecords, type DnsEndpoint } from '../../src/dns/records.js';
import { answerQuery, DNS_TTL } from '../../src/dns/resolver.js';
import { Rng } from '../../src/util/rng.js';
import { dnsLen, emitDns, parseDns, parseDnsUdp, type DnsMessage } from '../../src/wire/dns.js';
import { parseIpv4Address } from '../../src/wire/address.js';
import { IpProtocol } from '../../src/wire/ipv4.js';
import { udpDatagram } from '../support/frames.js';
import { dissectIpv4, field, fieldValues, ipv4Wrap, protocols, tsharkAvailable } from '../support/tshark.js';

const task = (name: string, ip: string, extra: Partial<DnsEndpoint> = {}): DnsEndpoint => ({ name, serviceName: 'web', virtualIp: '10.0.1.2', endpointIp: ip, aliases: ['www'], taskAliases: [], disabled: false, ...extra });
const mynet = new NetworkRecords('mynet', [
  task('web.1.aaa', '10.0.1.3', { taskAliases: ['c0ffee000001'] }),
  task('web.2.bbb', '10.0.1.4'),
  task('web.3.ccc', '10.0.1.5', { disabled: true }),
  { name: 'db.1.ddd', serviceName: 'db', virtualIp: '<nil>', endpointIp: '10.0.1.6', aliases: [], taskAliases: [], disabled: false },
  { name: 'db.2.eee', serviceName: 'db', virtualIp: '<nil>', endpointIp: '10.0.1.7', aliases: [], taskAliases: [], disabled: false },
  { name: 'container01-alpine', serviceName: '', virtualIp: '<nil>', endpointIp: '10.0.1.8', aliases: [], taskAliases: ['pal'], disabled: false },
]);

function ask(name: string, type: string, options: { cls?: string; edns?: number } = {}) {
  const message: DnsMessage = {
    id: 0x1234,
    type: 'query',
    flags: 0x0100,
    questions: [{ name, type: type as 'A', class: (options.cls ?? 'IN') as 'IN' }],
    ...(options.edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: options.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] } : {}),
  } as DnsMessage;
  const bytes = new Uint8Array(dnsLen(message));
  emitDns(message, bytes, 0);
  const parsed = parseDns(bytes);
  if (!parsed.ok) throw new Error('bad test query');
  const a = answerQuery(parsed.value, [mynet], new Rng(1));
  if (a.kind === 'forward') return { forward: true as const };
  const r = parseDnsUdp(a.bytes);
  if (!r.ok) throw new Error('bad reply');
  return { forward: false as const, rcode: r.value.rcode, flags: r.value.flags ?? 0, answers: (r.value.answers ?? []).map((x) => ({ type: x.type, data: (x as { data: unknown }).data, ttl: (x as { ttl?: number }).ttl })), bytes: a.bytes };
}

describe('embedded DNS answers (moby resolver.go)', () => {
  it('task names, aliases and the short ID resolve to the task; case-insensitive; name.network too', () => {
    for (const n of ['web.1.aaa', 'WEB.1.AAA', 'c0ffee000001', 'web.1.aaa.mynet', 'web.1.aaa.']) {
      expect(ask(n, 'A'), n).toMatchObject({ rcode: 'NOERROR', answers: [{ type: 'A', data: '10.0.1.3', ttl: DNS_TTL }] });
    }
  });

  it('a service and its aliases resolve to the VIP; tasks.<service> to every live task; dnsrr to the tasks', () => {
    expect(ask('web', 'A').answers).toEqual([{ type: 'A', data: '10.0.1.2', ttl: 600 }]);
    expect(ask('www', 'A').answers).toEqual([{ type: 'A', data: '10.0.1.2', ttl: 600 }]);
    const tasks = ask('tasks.web', 'A');
    expect(tasks.answers!.map((a) => a.data).sort()).toEqual(['10.0.1.3', '10.0.1.4']); // web.3 is disabled
    expect(ask('db', 'A').answers!.map((a) => a.data).sort()).toEqual(['10.0.1.6', '10.0.1.7']);
    expect(ask('web.3.ccc', 'A')).toEqual({ forward: true });
  });

  it('shuffles multi-address answers per query', () => {
    const orders = new Set<string>();
    const query: DnsMessage = { id: 1, type: 'query', flags: 0x0100, questions: [{ name: 'tasks.web', type: 'A', class: 'IN' }] };
    const bytes = new Uint8Array(dnsLen(query));
    emitDns(query, bytes, 0);
    const parsed = parseDns(bytes);
    const rng = new Rng(7);
    for (let i = 0; i < 20 && parsed.ok; i++) {
      const a = answerQuery(parsed.value, [mynet], rng);
      const r = a.kind === 'reply' ? parseDnsUdp(a.bytes) : undefined;
      if (r?.ok) orders.add((r.value.answers ?? []).map((x) => (x as { data: string }).data).join(','));
    }
    expect(orders.size).toBe(2);
  });

  it('AAAA and MX for a known name: NOERROR, no answer; TXT is for upstream; never AA, always RA', () => {
    for (const t of ['AAAA', 'MX']) {
      const r = ask('web.1.aaa', t);
      expect(r).toMatchObject({ rcode: 'NOERROR', answers: [] });
      expect(r.flags! & 0x0400).toBe(0);
      expect(r.flags! & 0x0080).toBe(0x0080);
    }
    expect(ask('web.1.aaa', 'TXT')).toEqual({ forward: true });
    expect(ask('google.com', 'A')).toEqual({ forward: true });
  });

  it('PTR of a task IP is <name>.<network>; a VIP has none', () => {
    expect(ask('3.1.0.10.in-addr.arpa', 'PTR')).toMatchObject({ rcode: 'NOERROR', answers: [{ type: 'PTR', data: 'web.1.aaa.mynet' }] });
    expect(ask('2.1.0.10.in-addr.arpa', 'PTR')).toEqual({ forward: true });
  });

  it('NOTIMP for another class; TC when the answer exceeds 512 octets without EDNS0, not with it', () => {
    expect(ask('web', 'A', { cls: 'CH' })).toMatchObject({ rcode: 'NOTIMP' });
    const many = new NetworkRecords('big', Array.from({ length: 40 }, (_, i) => task(`t.${i}.x`, `10.0.2.${i + 2}`, { serviceName: 'big', virtualIp: '<nil>' })));
    const q: DnsMessage = { id: 9, type: 'query', flags: 0x0100, questions: [{ name: 'big', type: 'A', class: 'IN' }] };
    const bytes = new Uint8Array(dnsLen(q));
    emitDns(q, bytes, 0);
    const parsed = parseDns(bytes);
    if (!parsed.ok) throw new Error();
    const cut = answerQuery(parsed.value, [many], new Rng(1));
    const r = cut.kind === 'reply' ? parseDnsUdp(cut.bytes) : undefined;
    expect(r?.ok && ((r.value.flags ?? 0) & 0x0200)).toBe(0x0200);
    expect(r?.ok && r.value.answers).toEqual([]);
    const tcp = answerQuery(parsed.value, [many], new Rng(1), 'tcp');
    expect(tcp.kind === 'reply' && parseDns(tcp.bytes).ok && tcp.bytes.length).toBeGreaterThan(512);
  });
});

describe.skipIf(!tsharkAvailable())('tshark reads the embedded DNS answers', () => {
  it('A (shuffled tasks), empty AAAA and PTR decode with nothing malformed', async () => {
    const resolver = parseIpv4Address('127.0.0.11');
    const client = parseIpv4Address('127.0.0.1');
    const datagrams = [['tasks.web', 'A'], ['web.1.aaa', 'AAAA'], ['3.1.0.10.in-addr.arpa', 'PTR']].map(([name, type]) => {
      const r = ask(name!, type!);
      if (r.forward) throw new Error('unexpected forward');
      return ipv4Wrap(IpProtocol.UDP, resolver, client, udpDatagram({ srcPort: 53, dstPort: 40000, payload: r.bytes }, resolver, client));
    });
    const [a, aaaa, ptr] = await dissectIpv4(datagrams);
    expect(protocols(a!)).toBe('raw:ip:udp:dns');
    expect(fieldValues(a!, 'dns.a').sort()).toEqual(['10.0.1.3', '10.0.1.4']);
    expect(field(a!, 'dns.resp.ttl')).toBe('600');
    expect(field(aaaa!, 'dns.count.answers')).toBe('0');
    expect(field(ptr!, 'dns.ptr.domain_name')).toBe('web.1.aaa.mynet');
    for (const p of [a, aaaa, ptr]) expect(JSON.stringify(p)).not.toMatch(/malformed|_ws\.expert/i);
  });
});
