/**
 * `npm run demo` end to end: three real host threads, real sockets, a swarm made with docker
 * commands over 2377, a 3-replica service on an overlay, every task pinging the others across
 * VXLAN; then tshark reads the underlay captures and finds VNI 4097 carrying ICMP
 * echo requests and replies, with nothing malformed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaints, dissect, field, fieldValues, protocols, tsharkAvailable } from '../support/tshark.js';

const run = promisify(execFile);
const BIN = new URL('../../dist/src/cli/bin.js', import.meta.url).pathname;

interface DemoSummary {
  ok: boolean;
  mode: string;
  hosts: { name: string; underlay: { address: string; port: number } }[];
  containers: { name: string; host: string; ip: string; mac: string }[];
  pings: { from: string; to: string; transmitted: number; received: number; lossPercent: number; exitCode: number }[];
  captures: string[];
}

describe('swarmnet demo', () => {
  let dir: string;
  let summary: DemoSummary;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'swarmnet-demo-'));
    const { stdout } = await run(process.execPath, [BIN, 'demo', '--json', '--pcap', dir], { timeout: 60_000 });
    summary = JSON.parse(stdout) as DemoSummary;
  }, 70_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs three hosts in address mode, one task of the service on each, on demo-net', () => {
    expect(summary.mode).toBe('address');
    expect(summary.hosts.map((h) => h.name)).toEqual(['manager', 'worker-1', 'worker-2']);
    const [a, b, c] = summary.hosts.map((h) => h.underlay.address);
    expect(a).toMatch(/^127\.\d+\.\d+\.1$/);
    expect(b).toBe(a.replace(/\.1$/, '.2'));
    expect(c).toBe(a.replace(/\.1$/, '.3'));
    expect(summary.hosts.every((h) => h.underlay.port === 4789)).toBe(true);
    expect(summary.containers.map((x) => x.host)).toEqual(['manager', 'worker-1', 'worker-2']);
    const ips = summary.containers.map((x) => x.ip);
    expect(new Set(ips).size).toBe(3);
    for (const x of summary.containers) {
      // The first user overlay gets 10.0.1.0/24 (ingress holds 10.0.0.0/24); MACs are 02:42 + the IP.
      expect(x.ip).toMatch(/^10\.0\.1\.\d+$/);
      expect(x.mac).toBe(`02:42:0a:00:01:${Number(x.ip.split('.')[3]).toString(16).padStart(2, '0')}`);
      expect(x.name).toMatch(/^demo\.[123]\.[0-9a-z]{25}$/);
    }
  });

  it('every container reached both others with 3 of 3 replies', () => {
    expect(summary.pings).toHaveLength(6);
    for (const p of summary.pings) {
      expect(p, `${p.from} → ${p.to}`).toMatchObject({ transmitted: 3, received: 3, lossPercent: 0, exitCode: 0 });
    }
    expect(summary.ok).toBe(true);
  });

  it.runIf(tsharkAvailable())('tshark decodes the underlay captures: VNI 4097 carrying ICMP echo, nothing malformed', async () => {
    const underlay = readdirSync(dir).filter((f) => f.endsWith('-underlay.pcap'));
    expect(underlay.sort()).toEqual(['manager-underlay.pcap', 'worker-1-underlay.pcap', 'worker-2-underlay.pcap']);
    const packets = await dissect(join(dir, 'manager-underlay.pcap'));
    const icmp = packets.filter((p) => protocols(p).endsWith(':vxlan:eth:ethertype:ip:icmp:data'));
    // manager sent 6 requests and 6 replies, and received as many: 24 ICMP frames over VXLAN.
    expect(icmp.length).toBe(24);
    const types = new Set<string>();
    for (const p of icmp) {
      expect(complaints(p), protocols(p)).toEqual([]);
      expect(field(p, 'vxlan.vni')).toBe('4097');
      expect(fieldValues(p, 'udp.dstport')).toContain('4789');
      types.add(field(p, 'icmp.type'));
    }
    expect([...types].sort()).toEqual(['0', '8']);
    // No ARP ever crossed the tunnel: the bridge answered locally.
    expect(packets.filter((p) => protocols(p).includes(':arp'))).toEqual([]);
  });
});
