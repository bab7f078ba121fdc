/**
 * Ethernet II frames (DIX / IEEE 802.3 §3.2 "Type" interpretation), optionally carrying one
 * IEEE 802.1Q VLAN tag (802.1Q §9.6). The frame starts at the destination MAC and ends with the
 * payload: no preamble and no FCS, exactly as a frame sits inside VXLAN (RFC 7348 §5) or in a
 * LINKTYPE_ETHERNET pcap.
 *
 *     untagged:  dst(6) src(6) type(2) payload
 *     tagged:    dst(6) src(6) 0x8100(2) TCI(2) type(2) payload        TCI = PCP(3) DEI(1) VID(12)
 *
 * Receive: a type field below 0x0600 is an IEEE 802.3 length (802.3 §3.2.6), i.e. an LLC frame we
 * do not speak, so it is `unsupported`; one 802.1Q tag is peeled (`etherType` in the repr is the
 * type after the tag). Ethernet II has no length field, so the payload is everything after the
 * header, including any minimum-size padding a sender added: the next layer trims it (IPv4 by its
 * total length, ARP by its fixed size). The size of a frame is bounded by whatever carried it
 * (the VXLAN datagram), not here: Docker lets users raise the overlay MTU above 1500, so capping
 * at ETHERNET_MAX_PAYLOAD would drop legitimate jumbo frames; the MTU check belongs to the
 * interface.
 *
 * Send: writes the header (and the tag when the repr has `vlan`) and the payload. It never pads to
 * ETHERNET_MIN_FRAME: a real NIC pads short frames, and inside VXLAN Linux sends them unpadded.
 */
import { drop, ok, type Result } from '../util/drop.js';
import { assertUint, ensureRoom, InvalidArgumentError } from '../util/errors.js';
import { assertMac, type MacAddr } from './address.js';
import { readU16, readU48, writeU16, writeU48 } from './bytes.js';
import { placePayload } from './payload.js';
import { formatTableValue } from './table.js';

export const ETHERNET_DST_OFFSET = 0;
export const ETHERNET_SRC_OFFSET = 6;
/** EtherType of an untagged frame, or the TPID (0x8100) of a tagged one. */
export const ETHERNET_TYPE_OFFSET = 12;
export const ETHERNET_HEADER_LEN = 14;
export const VLAN_TAG_LEN = 4;
/** Tag Control Information of a tagged frame (802.1Q §9.6). */
export const VLAN_TCI_OFFSET = 14;
/** EtherType after the tag of a tagged frame. */
export const VLAN_INNER_TYPE_OFFSET = 16;
export const ETHERNET_VLAN_HEADER_LEN = ETHERNET_HEADER_LEN + VLAN_TAG_LEN;
/** Frame check sequence length; never part of our frames (for size arithmetic only). */
export const ETHERNET_FCS_LEN = 4;
/** Minimum frame without FCS (802.3 §4.4.2: 64 with FCS). For padding knowledge: we never pad. */
export const ETHERNET_MIN_FRAME = 60;
export const ETHERNET_MIN_PAYLOAD = ETHERNET_MIN_FRAME - ETHERNET_HEADER_LEN;
/** Standard Ethernet MTU (802.3 maxUntaggedFrameSize − 18). Informational: see the module doc. */
export const ETHERNET_MAX_PAYLOAD = 1500;
/** Type field values from here up are EtherTypes; below are 802.3 lengths (802.3 §3.2.6). */
export const ETHERTYPE_MIN = 0x0600;
export const ETHERTYPE_MAX = 0xffff;
export const MAC_MAX: MacAddr = 0xffff_ffff_ffff;
export const VLAN_PCP_MAX = 7;
/** 12-bit VID. 0 means "priority tag only" and 0xfff is reserved, but both parse and emit as-is. */
export const VLAN_VID_MAX = 0xfff;

const TCI_PCP_SHIFT = 13;
const TCI_DEI_BIT = 0x1000;

/** EtherTypes (IEEE Registration Authority). Wire protocol values: append-only. */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  /** 802.1Q C-tag TPID. */
  VLAN: 0x8100,
  IPV6: 0x86dd,
} as const;

/** `IPV4`, `ARP` …, or `0x88cc` for a type not in the table. */
export function formatEtherType(type: number): string {
  return formatTableValue(EtherType, type, 4);
}

/** The fields of an 802.1Q tag's TCI. */
export interface VlanTag {
  /** Priority Code Point, 0–7. */
  readonly pcp: number;
  /** Drop Eligible Indicator (formerly CFI). */
  readonly dei: boolean;
  /** VLAN identifier, 0–4095. */
  readonly vid: number;
}

export interface EthernetRepr {
  readonly dst: MacAddr;
  readonly src: MacAddr;
  /** Type of the payload: after the 802.1Q tag when `vlan` is present. Always ≥ 0x0600. */
  readonly etherType: number;
  /** Present iff the frame carries an 802.1Q tag. */
  readonly vlan?: VlanTag;
  /** Everything after the header, padding included (a view into the parsed bytes). */
  readonly payload: Uint8Array;
}

/** Zero-copy view over an Ethernet II frame. Field reads are unchecked. */
export class EthernetFrame {
  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps bytes whose length and type field you have already checked (your own buffers). */
  static unchecked(bytes: Uint8Array): EthernetFrame {
    return new EthernetFrame(bytes);
  }

  /** Wraps bytes from a peer: checks the length, the type field and the tag once. */
  static checked(bytes: Uint8Array): Result<EthernetFrame> {
    const bad = checkEthernet(bytes);
    return bad ?? ok(new EthernetFrame(bytes));
  }

  get dst(): MacAddr {
    return readU48(this.bytes, ETHERNET_DST_OFFSET);
  }

  get src(): MacAddr {
    return readU48(this.bytes, ETHERNET_SRC_OFFSET);
  }

  /** True when an 802.1Q tag follows the source MAC. */
  get tagged(): boolean {
    return readU16(this.bytes, ETHERNET_TYPE_OFFSET) === EtherType.VLAN;
  }

  /** The payload's EtherType (after the tag, if any). */
  get etherType(): number {
    return readU16(this.bytes, this.tagged ? VLAN_INNER_TYPE_OFFSET : ETHERNET_TYPE_OFFSET);
  }

  /** The raw 16-bit TCI, or -1 when untagged (no allocation, unlike `vlan`). */
  get tci(): number {
    return this.tagged ? readU16(this.bytes, VLAN_TCI_OFFSET) : -1;
  }

  get vlan(): VlanTag | undefined {
    return this.tagged ? tciToVlan(readU16(this.bytes, VLAN_TCI_OFFSET)) : undefined;
  }

  /** 14, or 18 with a tag. */
  get headerLen(): number {
    return this.tagged ? ETHERNET_VLAN_HEADER_LEN : ETHERNET_HEADER_LEN;
  }

  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLen);
  }
}

function checkEthernet(bytes: Uint8Array) {
  if (bytes.length < ETHERNET_HEADER_LEN) return drop('truncated', 0, bytes.length);
  const type = readU16(bytes, ETHERNET_TYPE_OFFSET);
  if (type === EtherType.VLAN) {
    if (bytes.length < ETHERNET_VLAN_HEADER_LEN) return drop('truncated', 0, bytes.length);
    const inner = readU16(bytes, VLAN_INNER_TYPE_OFFSET);
    // A tag may be followed by an 802.3 length (an LLC frame) instead of a type: not Ethernet II.
    if (inner < ETHERTYPE_MIN) return drop('unsupported', VLAN_INNER_TYPE_OFFSET, inner);
    return undefined;
  }
  // 802.3 §3.2.6: a value ≤ 1500 (0x05dc) is the Length of the client data, one ≥ 1536 (0x0600)
  // is the EtherType; 1501–1535 are undefined. Below 0x0600 it is not an Ethernet II frame.
  if (type < ETHERTYPE_MIN) return drop('unsupported', ETHERNET_TYPE_OFFSET, type);
  return undefined;
}

function tciToVlan(tci: number): VlanTag {
  return { pcp: tci >>> TCI_PCP_SHIFT, dei: (tci & TCI_DEI_BIT) !== 0, vid: tci & VLAN_VID_MAX };
}

export function parseEthernet(bytes: Uint8Array): Result<EthernetRepr> {
  const bad = checkEthernet(bytes);
  if (bad) return bad;
  const dst = readU48(bytes, ETHERNET_DST_OFFSET);
  const src = readU48(bytes, ETHERNET_SRC_OFFSET);
  const type = readU16(bytes, ETHERNET_TYPE_OFFSET);
  if (type !== EtherType.VLAN) {
    return ok({ dst, src, etherType: type, payload: bytes.subarray(ETHERNET_HEADER_LEN) });
  }
  return ok({
    dst,
    src,
    etherType: readU16(bytes, VLAN_INNER_TYPE_OFFSET),
    vlan: tciToVlan(readU16(bytes, VLAN_TCI_OFFSET)),
    payload: bytes.subarray(ETHERNET_VLAN_HEADER_LEN),
  });
}

/** Destination MAC of the frame at `offset`, or -1 if fewer than 14 bytes remain (hot path). */
export function ethernetDst(bytes: Uint8Array, offset = 0): number {
  if (offset < 0 || bytes.length - offset < ETHERNET_HEADER_LEN) return -1;
  return readU48(bytes, offset + ETHERNET_DST_OFFSET);
}

/** Source MAC of the frame at `offset`, or -1 if fewer than 14 bytes remain (hot path). */
export function ethernetSrc(bytes: Uint8Array, offset = 0): number {
  if (offset < 0 || bytes.length - offset < ETHERNET_HEADER_LEN) return -1;
  return readU48(bytes, offset + ETHERNET_SRC_OFFSET);
}

/**
 * The payload's EtherType of the frame at `offset` (after an 802.1Q tag), or -1 if the header
 * is short (hot path). Values below 0x0600 are returned as read: callers dispatch on known types.
 */
export function ethernetTypeOf(bytes: Uint8Array, offset = 0): number {
  if (offset < 0 || bytes.length - offset < ETHERNET_HEADER_LEN) return -1;
  const type = readU16(bytes, offset + ETHERNET_TYPE_OFFSET);
  if (type !== EtherType.VLAN) return type;
  if (bytes.length - offset < ETHERNET_VLAN_HEADER_LEN) return -1;
  return readU16(bytes, offset + VLAN_INNER_TYPE_OFFSET);
}

/** Header bytes emit writes for this repr: 14, or 18 with a tag. */
export function ethernetHeaderLen(repr: Pick<EthernetRepr, 'vlan'>): number {
  return repr.vlan === undefined ? ETHERNET_HEADER_LEN : ETHERNET_VLAN_HEADER_LEN;
}

export function ethernetLen(repr: EthernetRepr): number {
  return ethernetHeaderLen(repr) + repr.payload.length;
}

/**
 * Throws `InvalidArgumentError` unless `mac` is an integer in 0..2^48−1; the message reads
 * `<what> MAC out of range …`. Kept for existing callers: new code calls `assertMac` (address.ts).
 */
export function checkMacArg(what: string, mac: number): void {
  assertMac(`${what} MAC`, mac);
}

function checkVlanArg(vlan: VlanTag): void {
  const { pcp, dei, vid } = vlan;
  assertUint('VLAN PCP', pcp, VLAN_PCP_MAX);
  if (typeof dei !== 'boolean') throw new InvalidArgumentError(`VLAN DEI must be a boolean: ${String(dei)}`);
  assertUint('VLAN VID', vid, VLAN_VID_MAX);
}

function checkHeaderArgs(dst: MacAddr, src: MacAddr, etherType: number, vlan: VlanTag | undefined): void {
  assertMac('destination MAC', dst);
  assertMac('source MAC', src);
  if (!Number.isInteger(etherType) || etherType < ETHERTYPE_MIN || etherType > ETHERTYPE_MAX) {
    throw new InvalidArgumentError(`EtherType out of range 0x0600..0xffff: ${etherType}`);
  }
  if (vlan === undefined) {
    if (etherType === EtherType.VLAN) {
      throw new InvalidArgumentError('EtherType 0x8100 without a tag: pass `vlan` to emit an 802.1Q tag');
    }
    return;
  }
  checkVlanArg(vlan);
}

/** Writes checked header fields; `out` has room. */
function writeHeader(dst: MacAddr, src: MacAddr, etherType: number, out: Uint8Array, offset: number, vlan: VlanTag | undefined): number {
  writeU48(out, offset + ETHERNET_DST_OFFSET, dst);
  writeU48(out, offset + ETHERNET_SRC_OFFSET, src);
  if (vlan === undefined) {
    writeU16(out, offset + ETHERNET_TYPE_OFFSET, etherType);
    return ETHERNET_HEADER_LEN;
  }
  writeU16(out, offset + ETHERNET_TYPE_OFFSET, EtherType.VLAN);
  const tci = (vlan.pcp << TCI_PCP_SHIFT) | (vlan.dei ? TCI_DEI_BIT : 0) | vlan.vid;
  writeU16(out, offset + VLAN_TCI_OFFSET, tci);
  writeU16(out, offset + VLAN_INNER_TYPE_OFFSET, etherType);
  return ETHERNET_VLAN_HEADER_LEN;
}

/**
 * Writes the header alone (for gathered sends: `socket.send([header, payload])`): 14 bytes, or 18
 * when `vlan` is given. Returns the bytes written. `etherType` is the payload's type; it must be
 * an EtherType (≥ 0x0600), and 0x8100 only after a tag (to write a tag, pass `vlan`), so that
 * what we emit parses back to what we were given.
 */
export function emitEthernetHeader(
  dst: MacAddr,
  src: MacAddr,
  etherType: number,
  out: Uint8Array,
  offset: number,
  vlan?: VlanTag,
): number {
  checkHeaderArgs(dst, src, etherType, vlan);
  ensureRoom(out, offset, vlan === undefined ? ETHERNET_HEADER_LEN : ETHERNET_VLAN_HEADER_LEN);
  return writeHeader(dst, src, etherType, out, offset, vlan);
}

/**
 * Writes an untagged 14-byte header at `out[offset..]` from plain arguments, for a hot send path
 * (the container stack's IPv4 output) that builds no repr and owns every value: the MACs are
 * validated once when the interface is configured and `etherType` is a constant. No validation;
 * `emitEthernetHeader` is the checked form and writes the same bytes.
 */
export function writeEthernetHeader(out: Uint8Array, offset: number, dst: MacAddr, src: MacAddr, etherType: number): void {
  writeU48(out, offset + ETHERNET_DST_OFFSET, dst);
  writeU48(out, offset + ETHERNET_SRC_OFFSET, src);
  writeU16(out, offset + ETHERNET_TYPE_OFFSET, etherType);
}

/**
 * Writes header (with the tag when `repr.vlan` is set) and payload, unpadded; returns bytes
 * written. The payload is placed before the header is written, so a payload that sits in `out`
 * where an untagged frame would have it still ends up intact behind a tag.
 */
export function emitEthernet(repr: EthernetRepr, out: Uint8Array, offset: number): number {
  checkHeaderArgs(repr.dst, repr.src, repr.etherType, repr.vlan);
  const hdr = ethernetHeaderLen(repr);
  ensureRoom(out, offset, hdr + repr.payload.length);
  placePayload(repr.payload, out, offset + hdr);
  writeHeader(repr.dst, repr.src, repr.etherType, out, offset, repr.vlan);
  return hdr + repr.payload.length;
}
