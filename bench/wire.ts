/**
 * Codec micro-benchmarks (mirrors src/wire/): the per-packet work of the forwarding path, each
 * against a same-run baseline of the cheapest thing any forwarder must do with those bytes.
 */
import { crc32 } from 'node:zlib';
import { macFromIpv4, parseIpv4Address as ip } from '../src/wire/address.js';
import { internetChecksum } from '../src/wire/checksum.js';
import { EtherType, emitEthernetHeader, ETHERNET_HEADER_LEN, ethernetDst } from '../src/wire/ethernet.js';
import { emitIcmp, parseIcmp, ICMP_HEADER_LEN } from '../src/wire/icmp.js';
import { emitIpv4, IpProtocol, IPV4_HEADER_LEN, parseIpv4 } from '../src/wire/ipv4.js';
import { emitVxlanHeader, vxlanVniOf, VXLAN_HEADER_LEN } from '../src/wire/vxlan.js';
import type { Case } from './report.js';

/** Inner Ethernet frame sizes the emulated path produces: minimum, typical, full overlay MTU. */
export const FRAME_SIZES = [64, 512, 1450] as const;

const BATCH = 1000;

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 0xff;
  return b;
}

/** VXLAN encapsulation and decapsulation of an inner frame, vs copying the frame once. */
export function vxlanCases(): Case[] {
  const cases: Case[] = [];
  for (const size of FRAME_SIZES) {
    const frame = randomBytes(size);
    const packet = new Uint8Array(VXLAN_HEADER_LEN + size);
    const copy = `copy ${size} B frame`;
    cases.push({ name: copy, batch: BATCH, run: () => { for (let i = 0; i < BATCH; i++) packet.set(frame, VXLAN_HEADER_LEN); } });
    cases.push({
      name: `vxlan encap ${size} B`,
      batch: BATCH,
      baseline: copy,
      // What the VTEP does per frame: header into place, frame behind it (the send gathers both).
      run: () => {
        for (let i = 0; i < BATCH; i++) {
          emitVxlanHeader(4097, packet, 0);
          packet.set(frame, VXLAN_HEADER_LEN);
        }
      },
    });
    emitVxlanHeader(4097, packet, 0);
    cases.push({
      name: `vxlan decap ${size} B`,
      batch: BATCH,
      baseline: copy,
      // Receive side: VNI, inner destination MAC for the FDB, and the frame as a view.
      run: () => {
        let acc = 0;
        for (let i = 0; i < BATCH; i++) {
          acc += vxlanVniOf(packet, 0) + ethernetDst(packet, VXLAN_HEADER_LEN);
          packet.subarray(VXLAN_HEADER_LEN);
        }
        if (acc === 0) throw new Error('unreachable');
      },
    });
  }
  return cases;
}

/** Building and parsing a ping (Ethernet + IPv4 + ICMP echo, 56-byte payload), vs copying it. */
export function ipv4IcmpCases(): Case[] {
  const src = ip('10.0.1.3');
  const dst = ip('10.0.1.4');
  const payload = randomBytes(56);
  const len = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + ICMP_HEADER_LEN + payload.length;
  const out = new Uint8Array(len);
  const ipOff = ETHERNET_HEADER_LEN;
  const icmpOff = ipOff + IPV4_HEADER_LEN;
  const icmpLen = ICMP_HEADER_LEN + payload.length;
  const icmpView = out.subarray(icmpOff, icmpOff + icmpLen);
  const ipView = out.subarray(ipOff, len);
  const build = (seq: number) => {
    emitIcmp({ kind: 'echo-request', identifier: 7, sequence: seq & 0xffff, payload }, out, icmpOff);
    emitIpv4(
      { src, dst, protocol: IpProtocol.ICMP, ttl: 64, identification: seq & 0xffff, dscp: 0, ecn: 0, dontFragment: true, moreFragments: false, fragmentOffset: 0, options: new Uint8Array(0), payload: icmpView },
      out,
      ipOff,
    );
    emitEthernetHeader(macFromIpv4(dst), macFromIpv4(src), EtherType.IPV4, out, 0);
  };
  build(1);
  const frame = out.slice();
  const sink = new Uint8Array(len);
  const copy = `copy ${len} B ping frame`;
  return [
    { name: copy, batch: BATCH, run: () => { for (let i = 0; i < BATCH; i++) sink.set(frame); } },
    { name: 'ipv4+icmp echo emit', batch: BATCH, baseline: copy, run: () => { for (let i = 0; i < BATCH; i++) build(i); } },
    {
      name: 'ipv4+icmp echo parse',
      batch: BATCH,
      baseline: copy,
      run: () => {
        for (let i = 0; i < BATCH; i++) {
          const r = parseIpv4(ipView);
          if (!r.ok || !parseIcmp(r.value.payload).ok) throw new Error('bench packet did not parse');
        }
      },
    },
  ];
}

/** The Internet checksum in JS vs a native checksum pass (zlib's CRC-32) over the same bytes. */
export function checksumCases(): Case[] {
  const cases: Case[] = [];
  for (const size of [64, 512, 1450]) {
    const bytes = randomBytes(size);
    const native = `native crc32 ${size} B`;
    cases.push({ name: native, batch: BATCH, run: () => { for (let i = 0; i < BATCH; i++) crc32(bytes); } });
    cases.push({ name: `internet checksum ${size} B`, batch: BATCH, baseline: native, run: () => { for (let i = 0; i < BATCH; i++) internetChecksum(bytes); } });
  }
  return cases;
}
