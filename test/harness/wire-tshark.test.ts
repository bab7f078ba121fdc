/**
 * The protocol test harness: every kind of packet swarmnet puts on a wire, written through the
 * streaming pcap writer and dissected by tshark (an independent decoder) with checksum validation
 * on. Each packet must dissect to the fields we meant, with nothing malformed and no expert
 * complaint — including an ESP packet that tshark decrypts with the key we sealed it with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerSa, sealEsp } from '../../src/crypto/esp-gcm.js';
import { PcapWriter } from '../../src/dataplane/pcap-writer.js';
import { MAC_BROADCAST, macFromIpv4, parseIpv4Address as ip } from '../../src/wire/address.js';
import { ArpOperation, emitArp, ARP_PACKET_LEN, type ArpRepr } from '../../src/wire/arp.js';
import { toHex } from '../../src/wire/bytes.js';
import { dnsLen, emitDns, type DnsMessage } from '../../src/wire/dns.js';
import { EtherType } from '../../src/wire/ethernet.js';
import { IpProtocol } from '../../src/wire/ipv4.js';
import { emitTcp, TcpFlag, tcpLen, type TcpRepr } from '../../src/wire/tcp.js';
import { VXLAN_UDP_PORT } from '../../src/wire/vxlan.js';
import {
  ethernetFrame,
  icmpMessage,
  ipv4Datagram,
  ipv4Frame,
  ipv4Header,
  pingPayload,
  udpDatagram,
  vxlanDatagram,
  vxlanFrame,
} from '../support/frames.js';
import { complaints, dissect, field, fieldValues, protocols, tsharkAvailable, type Layers } from '../support/tshark.js';

// The cast: two emulated hosts in address mode, two containers on overlay 10.0.1.0/24 (VNI 4097).
const VTEP_A = ip('127.1.2.1');
const VTEP_B = ip('127.1.2.2');
const C1 = ip('10.0.1.3');
const C2 = ip('10.0.1.4');
const RESOLVER = ip('127.0.0.11');
const VNI = 4097;
const VXLAN_SRC_PORT = 48_721; // Linux picks it from the inner flow's hash (reference §1.1).
const PING_ID = 0x0a1b;

// Docker's ESP: AES-128-GCM, 8-byte ICV, salt = SPI. SPI from the reference's FNV example.
const SPI = 0x48bb57a4;
const ESP_KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
const ESP_IV = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]);

function arp(operation: number, senderIp: number, targetIp: number, targetMac: number): ArpRepr {
  return { operation, senderMac: macFromIpv4(senderIp), senderIp, targetMac, targetIp };
}

function arpFrame(repr: ArpRepr, dst: number): Uint8Array {
  const body = new Uint8Array(ARP_PACKET_LEN);
  emitArp(repr, body, 0);
  return ethernetFrame(dst, repr.senderMac, EtherType.ARP, body);
}

function echo(kind: 'echo-request' | 'echo-reply', src: number, dst: number, sequence: number): Uint8Array {
  const icmp = icmpMessage({ kind, identifier: PING_ID, sequence, payload: pingPayload() });
  return ipv4Frame(ipv4Header(src, dst, IpProtocol.ICMP, { identification: 0x1c46 + sequence }), icmp);
}

function dnsFrame(msg: DnsMessage, src: number, dst: number, srcPort: number, dstPort: number): Uint8Array {
  const body = new Uint8Array(dnsLen(msg));
  emitDns(msg, body, 0);
  const udp = udpDatagram({ srcPort, dstPort, payload: body }, src, dst);
  return ipv4Frame(ipv4Header(src, dst, IpProtocol.UDP, { dontFragment: false }), udp);
}

const DNS_QUERY: DnsMessage = {
  type: 'query',
  id: 0x5bd1,
  flags: 0x0100, // RD
  questions: [{ type: 'A', class: 'IN', name: 'web' }],
};

const DNS_ANSWER: DnsMessage = {
  type: 'response',
  id: 0x5bd1,
  flags: 0x0180, // RD RA (QR comes from type: response)
  questions: [{ type: 'A', class: 'IN', name: 'web' }],
  answers: [{ type: 'A', class: 'IN', name: 'web', ttl: 600, data: '10.0.1.2' }],
};

function tcpSyn(): Uint8Array {
  const repr: TcpRepr = {
    srcPort: 41_234,
    dstPort: 80,
    seq: 0x9a3b_17c2,
    ack: 0,
    flags: TcpFlag.SYN,
    window: 64_860,
    urgentPointer: 0,
    options: { mss: 1410, sackPermitted: true, timestamps: { value: 0x0067_6e0c, echo: 0 }, windowScale: 7 },
    payload: new Uint8Array(0),
  };
  const seg = new Uint8Array(tcpLen(repr));
  emitTcp(repr, seg, 0, C1, C2);
  return ipv4Frame(ipv4Header(C1, C2, IpProtocol.TCP, { identification: 0x3e01 }), seg);
}

/** ESP in transport mode around the VXLAN datagram, as Docker's encrypted overlay sends it. */
function espFrame(inner: Uint8Array): Uint8Array {
  const sa = dockerSa(SPI, ESP_KEY);
  const plaintext = vxlanDatagram(VNI, inner, VTEP_A, VTEP_B, VXLAN_SRC_PORT);
  const sealed = new Uint8Array(sa.sealedLen(plaintext.length));
  sealEsp(sa, 1, ESP_IV, IpProtocol.UDP, plaintext, sealed, 0);
  return ipv4Frame(ipv4Header(VTEP_A, VTEP_B, IpProtocol.ESP, { dontFragment: false }), sealed);
}

/** tshark's `esp_sa` UAT line for our SA (algorithm name exactly as Wireshark spells it). */
function espSaPref(): string {
  const keyAndSalt = `0x${toHex(ESP_KEY)}${SPI.toString(16).padStart(8, '0')}`;
  return `uat:esp_sa:"IPv4","${fmt(VTEP_A)}","${fmt(VTEP_B)}","0x${SPI.toString(16)}","AES-GCM with 8 octet ICV [RFC4106]","${keyAndSalt}","NULL",""`;
}

function fmt(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** The capture, in order. Names index the dissections below. */
const CAPTURE: readonly (readonly [string, () => Uint8Array])[] = [
  ['arp-request', () => arpFrame(arp(ArpOperation.REQUEST, C1, C2, 0), MAC_BROADCAST)],
  ['arp-reply', () => arpFrame(arp(ArpOperation.REPLY, C2, C1, macFromIpv4(C1)), macFromIpv4(C1))],
  ['vxlan-echo-request', () => vxlanFrame(VNI, echo('echo-request', C1, C2, 1), VTEP_A, VTEP_B, VXLAN_SRC_PORT)],
  ['vxlan-echo-reply', () => vxlanFrame(VNI, echo('echo-reply', C2, C1, 1), VTEP_B, VTEP_A, VXLAN_SRC_PORT + 1)],
  ['dns-query', () => dnsFrame(DNS_QUERY, C1, RESOLVER, 52_000, 53)],
  ['dns-answer', () => dnsFrame(DNS_ANSWER, RESOLVER, C1, 53, 52_000)],
  ['tcp-syn', tcpSyn],
  ['esp-vxlan-echo', () => espFrame(echo('echo-request', C1, C2, 2))],
];

describe.skipIf(!tsharkAvailable())('tshark agrees with every format swarmnet emits', () => {
  let dir: string;
  const byName = new Map<string, Layers>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'swarmnet-harness-'));
    const file = join(dir, 'harness.pcap');
    const writer = await PcapWriter.open(file);
    const t0 = Date.UTC(2026, 10, 23, 12, 0, 0) * 1000;
    CAPTURE.forEach(([, build], i) => writer.write(build(), t0 + i * 1000));
    await writer.close();
    expect(writer.packetsWritten).toBe(CAPTURE.length);
    const packets = await dissect(file, ['esp.enable_encryption_decode:TRUE', 'esp.enable_authentication_check:TRUE', espSaPref()]);
    expect(packets.length, 'tshark read every packet').toBe(CAPTURE.length);
    CAPTURE.forEach(([name], i) => byName.set(name, packets[i]));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const pkt = (name: string): Layers => byName.get(name)!;

  it('finds nothing malformed and no expert complaint in any packet', () => {
    for (const [name] of CAPTURE) {
      expect(complaints(pkt(name)), `${name} (${protocols(pkt(name))})`).toEqual([]);
    }
  });

  it('validates every IPv4, UDP, TCP and ICMP checksum as good', () => {
    let checked = 0;
    for (const [name] of CAPTURE) {
      for (const f of ['ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status', 'icmp.checksum.status']) {
        for (const status of fieldValues(pkt(name), f)) {
          expect(status, `${name}: ${f}`).toBe('1');
          checked++;
        }
      }
    }
    // 2 VXLAN frames × (2 IPv4 + UDP + ICMP), 2 DNS × (IPv4 + UDP), SYN (IPv4 + TCP), ESP (2 IPv4 + UDP + ICMP).
    expect(checked).toBe(18);
  });

  it('dissects the ARP request and reply', () => {
    const req = pkt('arp-request');
    expect(protocols(req)).toBe('eth:ethertype:arp');
    expect(field(req, 'eth.dst')).toBe('ff:ff:ff:ff:ff:ff');
    expect(field(req, 'arp.opcode')).toBe('1');
    expect(field(req, 'arp.src.hw_mac')).toBe('02:42:0a:00:01:03');
    expect(field(req, 'arp.src.proto_ipv4')).toBe('10.0.1.3');
    expect(field(req, 'arp.dst.proto_ipv4')).toBe('10.0.1.4');
    const rep = pkt('arp-reply');
    expect(field(rep, 'arp.opcode')).toBe('2');
    expect(field(rep, 'arp.src.hw_mac')).toBe('02:42:0a:00:01:04');
    expect(field(rep, 'arp.dst.hw_mac')).toBe('02:42:0a:00:01:03');
  });

  it('dissects ICMP echo inside IPv4 inside Ethernet inside VXLAN 4097 inside UDP 4789', () => {
    for (const [name, src, dst, type] of [
      ['vxlan-echo-request', '10.0.1.3', '10.0.1.4', '8'],
      ['vxlan-echo-reply', '10.0.1.4', '10.0.1.3', '0'],
    ] as const) {
      const p = pkt(name);
      expect(protocols(p)).toBe('eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data');
      expect(fieldValues(p, 'udp.dstport')).toEqual([String(VXLAN_UDP_PORT)]);
      expect(field(p, 'vxlan.vni')).toBe('4097');
      expect(field(p, 'vxlan.flags')).toBe('0x0800');
      expect(fieldValues(p, 'ip.src')).toEqual([name.endsWith('request') ? '127.1.2.1' : '127.1.2.2', src]);
      expect(fieldValues(p, 'ip.dst')).toEqual([name.endsWith('request') ? '127.1.2.2' : '127.1.2.1', dst]);
      expect(fieldValues(p, 'eth.src')[1]).toBe(`02:42:${src.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`);
      expect(field(p, 'icmp.type')).toBe(type);
      expect(field(p, 'icmp.seq')).toBe('1');
      expect(field(p, 'icmp.ident')).toBe(String(PING_ID));
    }
  });

  it('dissects the DNS query and its answer', () => {
    const q = pkt('dns-query');
    expect(protocols(q)).toBe('eth:ethertype:ip:udp:dns');
    expect(field(q, 'dns.qry.name')).toBe('web');
    expect(field(q, 'dns.flags.response')).toBe('0');
    const a = pkt('dns-answer');
    expect(field(a, 'dns.flags.response')).toBe('1');
    expect(field(a, 'dns.count.answers')).toBe('1');
    expect(field(a, 'dns.a')).toBe('10.0.1.2');
    expect(field(a, 'dns.resp.ttl')).toBe('600');
    expect(field(a, 'dns.flags.rcode')).toBe('0');
  });

  it('dissects the TCP SYN and its options', () => {
    const p = pkt('tcp-syn');
    expect(protocols(p)).toBe('eth:ethertype:ip:tcp');
    expect(field(p, 'tcp.flags.syn')).toBe('1');
    expect(field(p, 'tcp.flags.ack')).toBe('0');
    expect(field(p, 'tcp.seq_raw')).toBe(String(0x9a3b_17c2));
    expect(field(p, 'tcp.options.mss_val')).toBe('1410');
    expect(field(p, 'tcp.options.wscale.shift')).toBe('7');
    expect(field(p, 'tcp.options.sack_perm')).toBeDefined();
    expect(field(p, 'tcp.options.timestamp.tsval')).toBe(String(0x0067_6e0c));
    expect(field(p, 'tcp.hdr_len')).toBe('40');
  });

  it('decrypts the ESP packet and finds VXLAN 4097 → ICMP echo inside, ICV correct', () => {
    const p = pkt('esp-vxlan-echo');
    expect(protocols(p)).toBe('eth:ethertype:ip:esp:udp:vxlan:eth:ethertype:ip:icmp:data');
    expect(field(p, 'esp.spi')).toBe(`0x${SPI.toString(16)}`);
    expect(field(p, 'esp.sequence')).toBe('1');
    expect(field(p, 'esp.icv_good')).toBe('1');
    expect(field(p, 'esp.pad_len')).toBeDefined();
    expect(field(p, 'esp.protocol')).toBe('0x11'); // UDP
    expect(field(p, 'vxlan.vni')).toBe('4097');
    expect(fieldValues(p, 'ip.src')).toEqual(['127.1.2.1', '10.0.1.3']);
    expect(field(p, 'icmp.type')).toBe('8');
    expect(field(p, 'icmp.seq')).toBe('2');
  });
});
