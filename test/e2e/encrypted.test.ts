/**
 * An encrypted overlay (`--opt encrypted`) on two real host threads, native-free transport (ESP
 * in UDP on the data-path port, RFC 3948 framing): containers ping across hosts by name, the
 * underlay carries ESP only — no cleartext VXLAN — for that network, MTU 1424, and tshark
 * decrypts the capture with the key file written beside it; cleartext VXLAN for its VNI and
 * tampered or replayed ESP sent to a host are dropped and counted; with the keys rotating every
 * 2 s (swarmkit's 12 h, shortened), a continuous ping across three rotations loses nothing.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';
import { parseEthernet } from '../../src/wire/ethernet.js';
import { IpProtocol, parseIpv4 } from '../../src/wire/ipv4.js';
import { readPcap } from '../../src/wire/pcap.js';
import { emitVxlanHeader } from '../../src/wire/vxlan.js';
import { expectOk } from '../support/codec.js';
import { dissect, field, protocols, tsharkAvailable } from '../support/tshark.js';
import { eventually, stopAndCheckClean } from './support.js';

const HOSTS = ['host1', 'host2'] as const;
const ROTATION_MS = 2000;
let cluster: Cluster;
let resourcesBefore: string[];
let vni: number;

async function docker(host: string, command: string): Promise<string> {
  const r = await cluster.host(host).docker(command);
  if (r.exitCode !== 0) throw new Error(`${host}$ docker ${command}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

/** The IP packets of an underlay capture: protocol, addresses, payload. */
function espPackets(path: string) {
  const pcap = expectOk(readPcap(readFileSync(path)), path);
  return [...pcap.records].map((r) => {
    const outer = expectOk(parseIpv4(expectOk(parseEthernet(expectOk(r, 'record').data)).payload), 'outer IPv4');
    return { protocol: outer.protocol, src: outer.src, dst: outer.dst, length: outer.payload.length, payload: Uint8Array.from(outer.payload) };
  });
}

async function sendFrom(address: string, to: { address: string; port: number }, payloads: Uint8Array[]): Promise<void> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  for (const p of payloads) await new Promise<void>((r) => s.send(p, to.port, to.address, () => r()));
  await new Promise<void>((r) => s.close(() => r()));
}

const dropsOf = async (host: string) => (await cluster.host(host).stats()).drops;

beforeAll(async () => {
  resourcesBefore = process.getActiveResourcesInfo();
  // Keys rotate every 2 s instead of 12 h, so a test sees several rotations.
  cluster = await Cluster.start({ hosts: HOSTS, mode: 'address', heartbeatPeriodMs: 250, keyRotationIntervalMs: ROTATION_MS });
  await docker('host1', 'swarm init');
  const token = (await docker('host1', 'swarm join-token -q worker')).trim();
  await docker('host2', `swarm join --token ${token} ${cluster.host('host1').underlay.address}:2377`);
  await docker('host1', 'network create -d overlay --opt encrypted --attachable secret');
  vni = Number((await docker('host1', 'network inspect secret --format "{{index .Options \\"com.docker.network.driver.overlay.vxlanid_list\\"}}"')).trim());
  await docker('host1', 'run -dit --name c1 --network secret alpine');
  await docker('host2', 'run -dit --name c2 --network secret alpine');
}, 60_000);

afterAll(async () => {
  await stopAndCheckClean(cluster, resourcesBefore);
}, 60_000);

describe('encrypted overlay (native-free ESP in UDP)', () => {
  it('pings cross hosts; the underlay carries ESP and no cleartext VXLAN; the MTU is 1424', async () => {
    expect(await docker('host1', 'exec c1 ip addr show eth0')).toContain('mtu 1424');
    const dir = mkdtempSync(join(tmpdir(), 'swarmnet-esp-'));
    try {
      await cluster.captureStart(dir);
      const out = await eventually('c1 to ping c2', async () => {
        const r = await cluster.host('host1').docker('exec c1 ping -c 3 c2');
        return r.exitCode === 0 ? r.stdout : undefined;
      });
      expect(out).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
      await cluster.captureStop();
      const packets = espPackets(join(dir, 'host1-underlay.pcap'));
      expect(packets.length).toBeGreaterThanOrEqual(6);
      for (const p of packets) {
        // As Docker's NIC carries it: IP protocol 50, ESP around the VXLAN datagram (no cleartext).
        expect(p.protocol).toBe(IpProtocol.ESP);
        expect(p.length).toBeGreaterThanOrEqual(98 + 8 + 8 + 24); // frame + VXLAN + UDP + ESP (SPI, sequence, IV, trailer, ICV)
      }
      if (tsharkAvailable()) {
        // The key file the capture came with decrypts it: VXLAN → ICMP inside, every ICV good.
        const keys = readFileSync(join(dir, 'host1-esp_sa'), 'utf8').trim().split('\n');
        const dissected = await dissect(join(dir, 'host1-underlay.pcap'), ['esp.enable_encryption_decode:TRUE', 'esp.enable_authentication_check:TRUE', ...keys.map((k) => `uat:esp_sa:${k}`)]);
        expect(dissected.map(protocols)).toContain('eth:ethertype:ip:esp:udp:vxlan:eth:ethertype:ip:icmp:data');
        for (const p of dissected) expect(field(p, 'esp.icv_good')).toBe('1');
        expect(dissected.filter((p) => field(p, 'icmp.type') === '0')).toHaveLength(3);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cleartext VXLAN for the encrypted VNI, a tampered and a replayed ESP datagram are dropped and counted', async () => {
    const host2 = cluster.host('host2').underlay;
    const host1Address = cluster.host('host1').underlay.address;
    const dir = mkdtempSync(join(tmpdir(), 'swarmnet-esp-'));
    let esp: Uint8Array;
    try {
      await cluster.captureStart(dir);
      await docker('host1', 'exec c1 ping -c 1 c2');
      await cluster.captureStop();
      esp = espPackets(join(dir, 'host1-underlay.pcap')).find((d) => d.dst === (host2.address.split('.').reduce((a, o) => a * 256 + Number(o), 0) >>> 0))!.payload;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const before = await dropsOf('host2');
    const clear = new Uint8Array(8 + 60);
    emitVxlanHeader(vni, clear, 0);
    // A fresh sequence number (past the replay check) with a broken ICV: authentication fails.
    const tampered = Uint8Array.from(esp);
    new DataView(tampered.buffer).setUint32(4, 0x7fff_0000);
    tampered[tampered.length - 1] ^= 0xff;
    // From host1's own address (another port): moby keys SAs by the remote IP.
    await sendFrom(host1Address, host2, [clear, tampered, esp]);
    const after = await eventually('the drops to be counted', async () => {
      const d = await dropsOf('host2');
      return (d.cleartext ?? 0) > (before.cleartext ?? 0) && (d['auth-failed'] ?? 0) > (before['auth-failed'] ?? 0) && (d.replay ?? 0) > (before.replay ?? 0) ? d : undefined;
    }, 5000);
    expect(after.cleartext! - (before.cleartext ?? 0)).toBe(1);
    // The network still works.
    expect(await docker('host2', 'exec c2 ping -c 1 c1')).toContain('1 packets received');
  });

  it('a continuous ping across three key rotations loses nothing; tshark decrypts every packet of every SA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarmnet-esp-'));
    try {
      await cluster.captureStart(dir);
      const out = await docker('host1', 'exec c1 ping -c 16 -i 0.5 c2');
      await cluster.captureStop();
      expect(out).toContain('16 packets transmitted, 16 packets received, 0% packet loss');
      const host1 = cluster.host('host1').underlay.address.split('.').reduce((a, o) => a * 256 + Number(o), 0) >>> 0;
      const sent = espPackets(join(dir, 'host1-underlay.pcap')).filter((p) => p.src === host1);
      const spis = new Set(sent.map((p) => Buffer.from(p.payload.subarray(0, 4)).toString('hex')));
      expect(spis.size).toBeGreaterThanOrEqual(3); // the outbound SA moved with the primary key
      if (tsharkAvailable()) {
        const keys = readFileSync(join(dir, 'host1-esp_sa'), 'utf8').trim().split('\n');
        const dissected = await dissect(join(dir, 'host1-underlay.pcap'), ['esp.enable_encryption_decode:TRUE', 'esp.enable_authentication_check:TRUE', ...keys.map((k) => `uat:esp_sa:${k}`)]);
        for (const p of dissected) expect(field(p, 'esp.icv_good')).toBe('1');
        expect(dissected.filter((p) => field(p, 'icmp.type') === '0')).toHaveLength(16);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
