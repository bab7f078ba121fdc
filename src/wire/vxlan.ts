/**
 * VXLAN header (RFC 7348 §5): the 8 bytes between the outer UDP header and the inner Ethernet
 * frame.
 *
 *     0                   1                   2                   3
 *     |R|R|R|R|I|R|R|R|            Reserved                           |
 *     |                VXLAN Network Identifier (VNI) |   Reserved    |
 *
 * Receive: the I flag must be set (§5: "The I flag MUST be set to 1 for a valid VNI"), every
 * reserved bit is ignored. Send: flags byte 0x08, reserved bits zero — exactly what Linux's
 * vxlan driver under Docker's overlay puts on the wire (reference §1.1).
 */
import { drop, ok, type Result } from '../util/drop.js';
import { assertUint, ensureRoom } from '../util/errors.js';
import { readU24, writeU24 } from './bytes.js';
import { placePayload } from './payload.js';

export const VXLAN_HEADER_LEN = 8;
export const VXLAN_FLAGS_OFFSET = 0;
export const VXLAN_VNI_OFFSET = 4;
/** The "VNI valid" flag, bit 3 of the first octet. */
export const VXLAN_FLAG_I = 0x08;
export const VNI_MAX = 0xff_ffff;
/** IANA-assigned destination port (RFC 7348 §5); Docker's default data-path port. */
export const VXLAN_UDP_PORT = 4789;
/** Docker's VNI range starts here (moby ovmanager `vxlanIDStart`). */
export const DOCKER_VNI_START = 4096;

export interface VxlanRepr {
  /** 24-bit VXLAN Network Identifier. */
  readonly vni: number;
  /** The inner Ethernet frame (without FCS). */
  readonly payload: Uint8Array;
}

/** Zero-copy view over a VXLAN header and its payload. Field reads are unchecked. */
export class VxlanPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps bytes whose length you have already checked (your own buffers). */
  static unchecked(bytes: Uint8Array): VxlanPacket {
    return new VxlanPacket(bytes);
  }

  /** Wraps bytes from a peer: checks the length and the I flag once. */
  static checked(bytes: Uint8Array): Result<VxlanPacket> {
    const reason = checkVxlan(bytes);
    return reason ?? ok(new VxlanPacket(bytes));
  }

  get flags(): number {
    return this.bytes[VXLAN_FLAGS_OFFSET];
  }

  get vni(): number {
    return readU24(this.bytes, VXLAN_VNI_OFFSET);
  }

  get payload(): Uint8Array {
    return this.bytes.subarray(VXLAN_HEADER_LEN);
  }
}

function checkVxlan(bytes: Uint8Array) {
  if (bytes.length < VXLAN_HEADER_LEN) return drop('truncated', 0, bytes.length);
  if ((bytes[VXLAN_FLAGS_OFFSET] & VXLAN_FLAG_I) === 0) {
    return drop('bad-flags', VXLAN_FLAGS_OFFSET, bytes[VXLAN_FLAGS_OFFSET]);
  }
  return undefined;
}

/** Reads the VNI of a VXLAN datagram, or -1 if it is too short or lacks the I flag (hot path). */
export function vxlanVniOf(bytes: Uint8Array, offset = 0): number {
  if (bytes.length - offset < VXLAN_HEADER_LEN) return -1;
  if ((bytes[offset] & VXLAN_FLAG_I) === 0) return -1;
  return readU24(bytes, offset + VXLAN_VNI_OFFSET);
}

export function parseVxlan(bytes: Uint8Array): Result<VxlanRepr> {
  const bad = checkVxlan(bytes);
  if (bad) return bad;
  return ok({ vni: readU24(bytes, VXLAN_VNI_OFFSET), payload: bytes.subarray(VXLAN_HEADER_LEN) });
}

export function vxlanLen(repr: VxlanRepr): number {
  return VXLAN_HEADER_LEN + repr.payload.length;
}

/** Writes the 8-byte header only (for gathered sends: `socket.send([header, frame])`). */
export function emitVxlanHeader(vni: number, out: Uint8Array, offset: number): number {
  assertUint('VNI', vni, VNI_MAX);
  ensureRoom(out, offset, VXLAN_HEADER_LEN);
  out[offset] = VXLAN_FLAG_I;
  out[offset + 1] = 0;
  out[offset + 2] = 0;
  out[offset + 3] = 0;
  writeU24(out, offset + VXLAN_VNI_OFFSET, vni);
  out[offset + 7] = 0;
  return VXLAN_HEADER_LEN;
}

/** Writes header and payload; returns the bytes written. */
export function emitVxlan(repr: VxlanRepr, out: Uint8Array, offset: number): number {
  ensureRoom(out, offset, vxlanLen(repr));
  emitVxlanHeader(repr.vni, out, offset);
  placePayload(repr.payload, out, offset + VXLAN_HEADER_LEN);
  return vxlanLen(repr);
}
