/**
 * ARP (RFC 826) for IPv4 over Ethernet, the only pairing Docker's networks use.
 *
 *     hrd(2)=1  pro(2)=0x0800  hln(1)=6  pln(1)=4  op(2)
 *     sha(6)  spa(4)  tha(6)  tpa(4)                              28 bytes
 *
 * Receive, in RFC 826's order ("Packet Reception"): the fixed part is read first, then "?Do I have
 * the hardware type in ar$hrd?" and "?Do I speak the protocol in ar$pro?" — anything but Ethernet
 * (1) / IPv4 (0x0800) with hln 6 / pln 4 is `unsupported` (offset and value of the first field that
 * differs); only then must the 28 bytes be there (`truncated`). The opcode is kept as-is: unknown
 * ones (RARP 3/4, InARP 8/9 …) parse, and deciding what to answer is the neighbour layer's job,
 * as are policy checks such as refusing a multicast sender MAC. Bytes after the 28 (Ethernet
 * minimum-size padding) are ignored.
 *
 * Send: always hrd 1 / pro 0x0800 / hln 6 / pln 4, 28 bytes, unpadded (see ethernet.ts).
 */
import { drop, ok, type Result } from '../util/drop.js';
import { assertUint, ensureRoom } from '../util/errors.js';
import { assertIpv4, assertMac, type Ipv4Addr, type MacAddr } from './address.js';
import { readU16, readU32, readU48, writeU16, writeU32, writeU48 } from './bytes.js';
import { EtherType } from './ethernet.js';
import { formatTableValue } from './table.js';

export const ARP_HARDWARE_OFFSET = 0;
export const ARP_PROTOCOL_OFFSET = 2;
export const ARP_HLEN_OFFSET = 4;
export const ARP_PLEN_OFFSET = 5;
export const ARP_OPERATION_OFFSET = 6;
export const ARP_SENDER_MAC_OFFSET = 8;
export const ARP_SENDER_IP_OFFSET = 14;
export const ARP_TARGET_MAC_OFFSET = 18;
export const ARP_TARGET_IP_OFFSET = 24;
/** hrd, pro, hln, pln, op: the part every ARP packet has, whatever its address sizes. */
export const ARP_FIXED_LEN = 8;
/** The whole packet for Ethernet/IPv4: 8 + 2 × (6 + 4). */
export const ARP_PACKET_LEN = 28;
/** ar$hln for Ethernet. */
export const ARP_ETHERNET_ADDR_LEN = 6;
/** ar$pln for IPv4. */
export const ARP_IPV4_ADDR_LEN = 4;
export const ARP_OPERATION_MAX = 0xffff;

/** ar$hrd values (IANA "Hardware Types"). Wire protocol values: append-only. */
export const ArpHardware = {
  ETHERNET: 1,
} as const;

/** ar$op values (RFC 826; IANA "Operation Codes"). Wire protocol values: append-only. */
export const ArpOperation = {
  REQUEST: 1,
  REPLY: 2,
} as const;

/** `REQUEST`, `REPLY`, or `0x0003` for an opcode not in the table. */
export function formatArpOperation(op: number): string {
  return formatTableValue(ArpOperation, op, 4);
}

export interface ArpRepr {
  /** ar$op, kept as received (see `ArpOperation`). */
  readonly operation: number;
  readonly senderMac: MacAddr;
  readonly senderIp: Ipv4Addr;
  /** All zeros in a request (RFC 5227 §2.1.1: "SHOULD be set to all zeroes"). */
  readonly targetMac: MacAddr;
  readonly targetIp: Ipv4Addr;
}

/** Zero-copy view over an ARP packet. Field reads are unchecked. */
export class ArpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps bytes whose length you have already checked (your own buffers). */
  static unchecked(bytes: Uint8Array): ArpPacket {
    return new ArpPacket(bytes);
  }

  /** Wraps bytes from a peer: checks the length and the Ethernet/IPv4 address formats once. */
  static checked(bytes: Uint8Array): Result<ArpPacket> {
    const bad = checkArp(bytes);
    return bad ?? ok(new ArpPacket(bytes));
  }

  get hardwareType(): number {
    return readU16(this.bytes, ARP_HARDWARE_OFFSET);
  }

  get protocolType(): number {
    return readU16(this.bytes, ARP_PROTOCOL_OFFSET);
  }

  get hardwareLen(): number {
    return this.bytes[ARP_HLEN_OFFSET];
  }

  get protocolLen(): number {
    return this.bytes[ARP_PLEN_OFFSET];
  }

  get operation(): number {
    return readU16(this.bytes, ARP_OPERATION_OFFSET);
  }

  get senderMac(): MacAddr {
    return readU48(this.bytes, ARP_SENDER_MAC_OFFSET);
  }

  get senderIp(): Ipv4Addr {
    return readU32(this.bytes, ARP_SENDER_IP_OFFSET);
  }

  get targetMac(): MacAddr {
    return readU48(this.bytes, ARP_TARGET_MAC_OFFSET);
  }

  get targetIp(): Ipv4Addr {
    return readU32(this.bytes, ARP_TARGET_IP_OFFSET);
  }
}

function checkArp(bytes: Uint8Array) {
  if (bytes.length < ARP_FIXED_LEN) return drop('truncated', 0, bytes.length);
  // RFC 826, Packet Reception: "?Do I have the hardware type in ar$hrd?" / "?Do I speak the
  // protocol in ar$pro?"; the address lengths must then be those of Ethernet and IPv4.
  const hrd = readU16(bytes, ARP_HARDWARE_OFFSET);
  if (hrd !== ArpHardware.ETHERNET) return drop('unsupported', ARP_HARDWARE_OFFSET, hrd);
  const pro = readU16(bytes, ARP_PROTOCOL_OFFSET);
  if (pro !== EtherType.IPV4) return drop('unsupported', ARP_PROTOCOL_OFFSET, pro);
  const hln = bytes[ARP_HLEN_OFFSET];
  if (hln !== ARP_ETHERNET_ADDR_LEN) return drop('unsupported', ARP_HLEN_OFFSET, hln);
  const pln = bytes[ARP_PLEN_OFFSET];
  if (pln !== ARP_IPV4_ADDR_LEN) return drop('unsupported', ARP_PLEN_OFFSET, pln);
  if (bytes.length < ARP_PACKET_LEN) return drop('truncated', 0, bytes.length);
  return undefined;
}

export function parseArp(bytes: Uint8Array): Result<ArpRepr> {
  const bad = checkArp(bytes);
  if (bad) return bad;
  return ok({
    operation: readU16(bytes, ARP_OPERATION_OFFSET),
    senderMac: readU48(bytes, ARP_SENDER_MAC_OFFSET),
    senderIp: readU32(bytes, ARP_SENDER_IP_OFFSET),
    targetMac: readU48(bytes, ARP_TARGET_MAC_OFFSET),
    targetIp: readU32(bytes, ARP_TARGET_IP_OFFSET),
  });
}

/**
 * A gratuitous ARP: sender and target protocol addresses are equal (RFC 5227 §3 "ARP
 * Announcement" when a request, RFC 5944 §4.6 when a reply). Such a packet asks nothing: it
 * updates neighbours' caches and must not be answered as a query for someone else.
 */
export function isGratuitousArp(repr: Pick<ArpRepr, 'senderIp' | 'targetIp'>): boolean {
  return repr.senderIp === repr.targetIp;
}

export function arpLen(_repr?: ArpRepr): number {
  return ARP_PACKET_LEN;
}

/** Writes the 28-byte packet (Ethernet/IPv4); returns the bytes written. */
export function emitArp(repr: ArpRepr, out: Uint8Array, offset: number): number {
  const { operation } = repr;
  assertUint('ARP operation', operation, ARP_OPERATION_MAX);
  assertMac('sender MAC', repr.senderMac);
  assertMac('target MAC', repr.targetMac);
  assertIpv4('sender IPv4 address', repr.senderIp);
  assertIpv4('target IPv4 address', repr.targetIp);
  ensureRoom(out, offset, ARP_PACKET_LEN);
  writeU16(out, offset + ARP_HARDWARE_OFFSET, ArpHardware.ETHERNET);
  writeU16(out, offset + ARP_PROTOCOL_OFFSET, EtherType.IPV4);
  out[offset + ARP_HLEN_OFFSET] = ARP_ETHERNET_ADDR_LEN;
  out[offset + ARP_PLEN_OFFSET] = ARP_IPV4_ADDR_LEN;
  writeU16(out, offset + ARP_OPERATION_OFFSET, operation);
  writeU48(out, offset + ARP_SENDER_MAC_OFFSET, repr.senderMac);
  writeU32(out, offset + ARP_SENDER_IP_OFFSET, repr.senderIp);
  writeU48(out, offset + ARP_TARGET_MAC_OFFSET, repr.targetMac);
  writeU32(out, offset + ARP_TARGET_IP_OFFSET, repr.targetIp);
  return ARP_PACKET_LEN;
}
