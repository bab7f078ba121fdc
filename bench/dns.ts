/**
 * The DNS section of `npm run bench`: the embedded DNS as `@expose-dns` serves it (real UDP on
 * loopback, the resolver of a container on a network with a service of 3 tasks) beside a bare
 * dns-packet server on the same terms (decode the query, encode one A answer) — the cost of
 * swarmnet's checked codec, record lookup and shuffling over the minimum any DNS server pays.
 * One client asks `web` A over and over: queries per second at a window of 64 in flight, and
 * p50/p99 latency one query at a time.
 */
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { NetworkRecords } from '../src/dns/records.js';
import { DnsExposure } from '../src/host/dns-exposure.js';
import { EmbeddedDns } from '../src/host/embedded-dns.js';
import { DropCounters } from '../src/util/drop.js';
import { Rng } from '../src/util/rng.js';
import type { Section } from './report.js';

const QUERY = dnsPacket.encode({ id: 1, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web', class: 'IN' }] });

interface Measured {
  readonly qps: number;
  readonly p50us: number;
  readonly p99us: number;
}

/** A bare server: dns-packet decode, one A answer, encode. */
async function bareServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const s = createSocket('udp4');
  s.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const answer = dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [{ type: 'A', name: 'web', ttl: 600, data: '10.0.1.2' }] });
    s.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

/** swarmnet's embedded DNS behind DnsExposure, for one container on `mynet`. */
async function swarmnetServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const records = new NetworkRecords('mynet', [1, 2, 3].map((i) => ({ name: `web.${i}.task${i}`, serviceName: 'web', virtualIp: '10.0.1.2', endpointIp: `10.0.1.${i + 2}`, aliases: [], taskAliases: [], disabled: false })));
  const dns = new EmbeddedDns({ stackOf: () => undefined, recordsFor: () => [records], rng: new Rng(1), drops: new DropCounters() });
  const exposure = await DnsExposure.open('127.0.0.1', 0, (q, t) => dns.answer('c', q, t));
  return { port: exposure.port, close: () => exposure.close() };
}

async function measure(port: number, durationMs: number, rounds: number): Promise<Measured> {
  const client: Socket = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
  const query = Buffer.from(QUERY);
  // Throughput: keep 64 queries in flight for durationMs.
  let answered = 0;
  let sent = 0;
  const end = performance.now() + durationMs;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const onMessage = () => {
      answered++;
      if (performance.now() < end) {
        sent++;
        client.send(query, port, '127.0.0.1');
      } else if (answered === sent) {
        client.off('message', onMessage);
        resolve();
      }
    };
    client.on('message', onMessage);
    for (let i = 0; i < 64; i++, sent++) client.send(query, port, '127.0.0.1');
    setTimeout(() => {
      client.off('message', onMessage);
      resolve();
    }, durationMs + 2000).unref();
  });
  const qps = (answered * 1000) / (performance.now() - started);
  // Latency: one at a time.
  const rtts: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      client.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      client.send(query, port, '127.0.0.1');
    });
    rtts.push((performance.now() - t0) * 1000);
  }
  await new Promise<void>((r) => client.close(() => r()));
  rtts.sort((a, b) => a - b);
  return { qps, p50us: rtts[Math.floor(rtts.length * 0.5)]!, p99us: rtts[Math.floor(rtts.length * 0.99)]! };
}

export async function dnsSection(options: { durationMs: number; rounds: number }, progress: (line: string) => void): Promise<Section> {
  progress('dns: bare dns-packet server');
  const bare = await bareServer();
  const base = await measure(bare.port, options.durationMs, options.rounds);
  await bare.close();
  progress('dns: swarmnet embedded DNS via @expose-dns');
  const ours = await swarmnetServer();
  const mine = await measure(ours.port, options.durationMs, options.rounds);
  await ours.close();
  const table = [
    ['server', 'queries/s', 'p50 µs', 'p99 µs', 'vs baseline (queries/s)'],
    ['bare dns-packet echo', base.qps.toFixed(0), base.p50us.toFixed(0), base.p99us.toFixed(0), '(baseline)'],
    ['swarmnet embedded DNS', mine.qps.toFixed(0), mine.p50us.toFixed(0), mine.p99us.toFixed(0), `${(mine.qps / base.qps).toFixed(2)} ×`],
  ];
  return {
    name: 'dns: embedded resolver through @expose-dns',
    note: 'One client on loopback asks "web A" (a service with a VIP and 3 tasks): 64 in flight for queries/s, then one at a time for latency. Baseline: a bare dns-packet server answering one A record, same run.',
    rows: [
      { name: 'bare', ...base },
      { name: 'swarmnet', ...mine, ratio: mine.qps / base.qps },
    ],
    table,
  };
}
