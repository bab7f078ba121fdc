/**
 * `npm run demo` end to end: three real host threads, real sockets, every container pinging the
 * others across VXLAN; then tshark reads the underlay captures and finds VNI 4097 carrying ICMP
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

  it('runs three hosts in address mode, one container each on demo-net', () => {
    expect(summary.mode).toBe('address');
    expect(summary.hosts.map((h) => h.name)).toEqual(['manager', 'worker-1', 'worker-2']);
    const [a, b, c] = summary.hosts.map((h) => h.underlay.address);
    expect(a).toMatch(/^127\.\d+\.\d+\.1$/);
    expect(b).toBe(a.replace(/\.1$/, '.2'));
    expect(c).toBe(a.replace(/\.1$/, '.3'));
    expect(summary.hosts.every((h) => h.underlay.port === 4789)).toBe(true);
    expect(summary.containers.map((x) => x.ip)).toEqual(['10.0.1.2', '10.0.1.3', '10.0.1.4']);
    expect(summary.containers.map((x) => x.mac)).toEqual(['02:42:0a:00:01:02', '02:42:0a:00:01:03', '02:42:0a:00:01:04']);
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
