/**
 * The tutorials' service-discovery steps on three real host threads: names answered by the
 * embedded DNS (127.0.0.11 in every container) from the gossiped endpoint_table.
 *
 * - on a user overlay, a task pings another task, on another host, by its task name;
 * - `nslookup` shows the service's VIP, `tasks.<svc>` every task, a dnsrr service its tasks, and
 *   a scaled-down task leaves DNS;
 * - standalone containers on an attachable overlay ping each other by name across hosts;
 * - on the default bridge and on ingress alone, names do not resolve (`bad address`);
 * - a service's VIP answers ping and balances UDP flows over the tasks (the lb-<net> sandbox);
 * - names the swarm does not know go to the hosts' upstream server (a loopback stand-in here that
 *   knows `upstream.test`, answers NXDOMAIN for `nosuch.example` and SERVFAIL for `broken.test`);
 * - a task's resolver exposed on real loopback sockets answers Debian's `dig` (UDP and TCP):
 *   A, empty AAAA, PTR, NXDOMAIN, SERVFAIL (dig is required under CI=true, else that test is
 *   skipped).
 */
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';
import { dissect, field, fieldValues, protocols, tsharkAvailable } from '../support/tshark.js';
import { eventually, stopAndCheckClean } from './support.js';

const HOSTS = ['host1', 'host2', 'host3'] as const;
let cluster: Cluster;
let resourcesBefore: string[];
let upstream: Socket;

/** The hosts' upstream DNS: a loopback server with three names of its own. */
async function startUpstream(): Promise<number> {
  upstream = createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const name = q.questions?.[0]?.name ?? '';
    const rcode = name === 'upstream.test' ? 0 : name === 'broken.test' ? 2 : 3; // NOERROR, SERVFAIL, NXDOMAIN
    const answers = name === 'upstream.test' && q.questions?.[0]?.type === 'A' ? [{ type: 'A' as const, name, ttl: 60, data: '127.0.0.99' }] : [];
    upstream.send(dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode, questions: q.questions, answers } as dnsPacket.Packet), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  return upstream.address().port;
}

async function docker(host: string, command: string, expectExit = 0): Promise<string> {
  const r = await cluster.host(host).docker(command);
  if (r.exitCode !== expectExit) throw new Error(`${host}$ docker ${command}: exit ${r.exitCode} (want ${expectExit}): ${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Running tasks of `service` as `name.slot.id` → host. */
async function tasksOf(service: string, count: number): Promise<Map<string, string>> {
  return eventually(`${count} running tasks of ${service}`, async () => {
    const out = await docker('host1', `service ps ${service} --no-trunc --filter desired-state=running --format "{{.Name}}.{{.ID}} {{.Node}} {{.CurrentState}}"`);
    const rows = out.trim().split('\n').filter((l) => l.includes(' Running'));
    return rows.length === count ? new Map(rows.map((l) => l.split(' ') as [string, string])) : undefined;
  });
}

beforeAll(async () => {
  resourcesBefore = process.getActiveResourcesInfo();
  const upstreamPort = await startUpstream();
  cluster = await Cluster.start({ hosts: HOSTS, mode: 'address', heartbeatPeriodMs: 250, dnsUpstreams: [`127.0.0.1:${upstreamPort}`] });
  await docker('host1', 'swarm init');
  const token = (await docker('host1', 'swarm join-token -q worker')).trim();
  for (const h of HOSTS.slice(1)) await docker(h, `swarm join --token ${token} ${cluster.host('host1').underlay.address}:2377`);
  await docker('host1', 'network create -d overlay --attachable my_overlay');
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => upstream.close(() => r()));
  await stopAndCheckClean(cluster, resourcesBefore);
}, 60_000);

describe('service discovery by the embedded DNS', () => {
  it('a task pings a task on another host by its task name (the tutorials’ ping servico.N.<id>)', async () => {
    await docker('host1', 'service create --detach --name servico --replicas 3 --network my_overlay alpine sleep 3600');
    const tasks = await tasksOf('servico', 3);
    const [[fromTask, fromHost], [toTask]] = [...tasks].filter(([, h], i, all) => all.findIndex(([, x]) => x === h) === i) as [string, string][];
    const out = await eventually('the name to resolve', async () => {
      const r = await cluster.host(fromHost).docker(`exec ${fromTask} ping -c 2 ${toTask}`);
      return r.exitCode === 0 ? r.stdout : undefined;
    });
    expect(out).toMatch(new RegExp(`^PING ${toTask.replace(/\./g, '\\.')} \\(10\\.0\\.1\\.\\d+\\): 56 data bytes\\n64 bytes from 10\\.0\\.1\\.\\d+: seq=0 ttl=64`));
    expect(out).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
  });

  it('nslookup: the service’s VIP, tasks.<service> every task; a scaled-down task leaves DNS', async () => {
    const tasks = await tasksOf('servico', 3);
    const [task, host] = [...tasks][0]!;
    const vip = (await docker('host1', 'service inspect servico --format "{{range .Endpoint.VirtualIPs}}{{.Addr}}{{end}}"')).trim().split('/')[0]!;
    const service = await docker(host, `exec ${task} nslookup servico`);
    expect(service).toBe(`Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tservico\nAddress: ${vip}\n\nNon-authoritative answer:\n\n`);
    const all = await eventually('tasks.servico to list 3 tasks', async () => {
      const out = await docker(host, `exec ${task} nslookup tasks.servico`);
      return (out.match(/Address: 10\./g) ?? []).length === 3 ? out : undefined;
    });
    expect(all).toMatch(/^Server:\t\t127\.0\.0\.11\nAddress:\t127\.0\.0\.11:53\n\nNon-authoritative answer:\n(Name:\ttasks\.servico\nAddress: 10\.0\.1\.\d+\n){3}\n/);
    await docker('host1', 'service scale --detach servico=2');
    await eventually('tasks.servico to list 2 tasks', async () => {
      const left = await tasksOf('servico', 2);
      const [t, h] = [...left][0]!;
      const out = await docker(h, `exec ${t} nslookup tasks.servico`);
      return (out.match(/Address: 10\./g) ?? []).length === 2 ? out : undefined;
    });
  });

  it('a dnsrr service resolves to its tasks’ addresses; unknown names fail', async () => {
    await docker('host1', 'service create --detach --name rr --endpoint-mode dnsrr --replicas 2 --network my_overlay alpine sleep 3600');
    const tasks = await tasksOf('rr', 2);
    const [task, host] = [...tasks][0]!;
    const out = await eventually('rr to resolve to 2 tasks', async () => {
      const o = await docker(host, `exec ${task} nslookup rr`);
      return (o.match(/Address: 10\./g) ?? []).length === 2 ? o : undefined;
    });
    expect(out).toContain('Name:\trr\n');
    const unknown = await docker(host, `exec ${task} nslookup nosuch`, 1);
    expect(unknown).toBe("Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find nosuch: NXDOMAIN\n\n** server can't find nosuch: NXDOMAIN\n\n");
    expect(await docker(host, `exec ${task} ping -c 1 nosuch`, 1)).toBe("ping: bad address 'nosuch'\n");
    const [other] = [...tasks].find(([t]) => t !== task)!;
    const ip = (await docker(host, `exec ${task} nslookup ${other}`)).match(/Address: (10\.[0-9.]+)/)![1]!;
    expect(await docker(host, `exec ${task} getent hosts ${other}`)).toBe(`${ip.padEnd(16)}  ${other}\n`);
    expect(await docker(host, `exec ${task} getent hosts nosuch`, 2)).toBe('');
    // Forwarded to the host's upstream and relayed as it answered.
    expect(await docker(host, `exec ${task} nslookup upstream.test`)).toContain('Name:\tupstream.test\nAddress: 127.0.0.99\n');
    expect(await docker(host, `exec ${task} nslookup broken.test`, 1)).toContain("** server can't find broken.test: SERVFAIL");
    expect(await docker(host, `exec ${task} cat /etc/resolv.conf`)).toContain('# ExtServers: [host(127.0.0.1)]');
  });

  it('standalone containers on an attachable overlay ping each other by name across hosts', async () => {
    await docker('host1', 'run -dit --name container01-alpine --network my_overlay alpine');
    await docker('host2', 'run -dit --name container02-alpine --network my_overlay alpine');
    for (const [host, from, to] of [
      ['host1', 'container01-alpine', 'container02-alpine'],
      ['host2', 'container02-alpine', 'container01-alpine'],
    ] as const) {
      const out = await eventually(`${from} to ping ${to}`, async () => {
        const r = await cluster.host(host).docker(`exec ${from} ping -c 2 ${to}`);
        return r.exitCode === 0 ? r.stdout : undefined;
      });
      expect(out).toMatch(new RegExp(`^PING ${to} \\(10\\.0\\.1\\.\\d+\\): 56 data bytes\\n`));
    }
  });

  it('on the default bridge and on ingress alone, names do not resolve', async () => {
    await docker('host3', 'run -dit --name b1 alpine');
    await docker('host3', 'run -dit --name b2 alpine');
    expect(await docker('host3', 'exec b1 ping -c 1 b2', 1)).toBe("ping: bad address 'b2'\n");
    await docker('host1', 'service create --detach --name web --replicas 2 --publish 8080:80 alpine sleep 3600');
    const tasks = await tasksOf('web', 2);
    const [[a, host], [b]] = [...tasks] as [string, string][];
    expect(await docker(host, `exec ${a} ping -c 1 ${b}`, 1)).toBe(`ping: bad address '${b}'\n`);
  });

  it('the service VIP answers ping, and UDP flows to it are balanced round-robin over the tasks (lb-<net>, IPVS NAT)', async () => {
    await docker('host1', 'service create --detach --name echo --replicas 2 --network my_overlay alpine swarmnet-perf echo 7');
    const tasks = await tasksOf('echo', 2);
    await docker('host1', 'run -dit --name lbclient --network my_overlay alpine');
    const vip = (await docker('host1', 'service inspect echo --format "{{range .Endpoint.VirtualIPs}}{{.Addr}}{{end}}"')).trim().split('/')[0]!;
    const ping = await eventually('the VIP to answer', async () => {
      const r = await cluster.host('host1').docker('exec lbclient ping -c 2 echo');
      return r.exitCode === 0 ? r.stdout : undefined;
    });
    expect(ping).toContain(`PING echo (${vip}): 56 data bytes\n64 bytes from ${vip}: seq=0 ttl=64`);
    const received = async () => {
      let total = 0;
      const per: number[] = [];
      for (const [name, host] of tasks) {
        const stats = await cluster.host(host).stats();
        const n = stats.interfaces.find((i) => i.container === name && i.interface === 'eth0')!.counters.rxPackets;
        per.push(n);
        total += n;
      }
      return { total, per };
    };
    const before = await received();
    // Two flows (each pingpong is one socket): round-robin sends one to each task.
    for (let i = 0; i < 2; i++) {
      const out = await docker('host1', `exec lbclient swarmnet-perf pingpong ${vip} 7 64 10`);
      expect(JSON.parse(out).rtts).toHaveLength(10);
    }
    const after = await received();
    expect(after.per[0]! - before.per[0]!).toBeGreaterThanOrEqual(10);
    expect(after.per[1]! - before.per[1]!).toBeGreaterThanOrEqual(10);
  });

  it.skipIf(!tsharkAvailable())('tshark reads the DNS a container sends to 127.0.0.11 over lo: query and answer, nothing malformed', async () => {
    const tasks = await tasksOf('servico', 2);
    const [task, host] = [...tasks][0]!;
    const dir = mkdtempSync(join(tmpdir(), 'swarmnet-dns-pcap-'));
    try {
      await cluster.host(host).captureStart(dir);
      await docker(host, `exec ${task} nslookup servico`);
      const { files } = await cluster.host(host).captureStop();
      const lo = files.find((f) => f.endsWith(`${task}-lo.pcap`))!;
      const packets = await dissect(lo);
      const dns = packets.filter((p) => protocols(p).endsWith(':dns'));
      expect(dns.length).toBeGreaterThanOrEqual(4); // A and AAAA, each query and response
      expect(fieldValues(dns[0]!, 'ip.dst')).toContain('127.0.0.11');
      expect(dns.some((p) => field(p, 'dns.qry.name') === 'servico' && fieldValues(p, 'dns.a').length === 1)).toBe(true);
      for (const p of packets) expect(JSON.stringify(p)).not.toMatch(/malformed|_ws\.expert/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const digAvailable = existsSync('/usr/bin/dig');
  if (!digAvailable && process.env.CI === 'true') throw new Error('CI=true but dig not found: install Debian\'s dnsutils');

  it.skipIf(!digAvailable)('a task’s resolver on real sockets answers dig: A, empty AAAA, PTR, NXDOMAIN, SERVFAIL, over UDP and TCP', async () => {
    const tasks = await tasksOf('servico', 2);
    const [task, host] = [...tasks][0]!;
    const vip = (await docker('host1', 'service inspect servico --format "{{range .Endpoint.VirtualIPs}}{{.Addr}}{{end}}"')).trim().split('/')[0]!;
    const { address, port } = await cluster.host(host).exposeDns(task, '127.0.0.1', 0);
    const dig = async (...args: string[]) => (await promisify(execFile)('dig', [`@${address}`, '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 20_000 })).stdout;
    const a = await dig('servico', 'A');
    expect(a).toContain('status: NOERROR');
    expect(a).toMatch(new RegExp(`\\nservico\\.\\s+600\\s+IN\\s+A\\s+${vip.replace(/\./g, '\\.')}\\n`));
    expect(a).toContain('flags: qr rd ra;');
    const aaaa = await dig('servico', 'AAAA');
    expect(aaaa).toContain('status: NOERROR');
    expect(aaaa).toContain('ANSWER: 0');
    const mine = [...tasks].find(([t]) => t === task)!;
    const ip = (await docker(host, `exec ${mine[0]} hostname -i`)).trim();
    expect(await dig('-x', ip, '+short')).toBe(`${task}.my_overlay.\n`);
    expect(await dig('nosuch.example', 'A')).toContain('status: NXDOMAIN');
    expect(await dig('broken.test', 'A')).toContain('status: SERVFAIL');
    const tcp = await dig('+tcp', 'tasks.servico', 'A');
    expect(tcp.match(/\sIN\s+A\s+10\.0\.1\.\d+/g)).toHaveLength(2);
  });
});
