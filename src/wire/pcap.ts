/**
 * The classic libpcap capture file (pcap-savefile(5); draft-ietf-opsawg-pcap §4–§5), no I/O.
 *
 *     File header (24 octets)                 Packet record header (16 octets) + data
 *     0  magic 0xa1b2c3d4 (µs) / 0xa1b23c4d (ns)  0  timestamp, seconds
 *     4  major 2 | minor 4                        4  timestamp, µs or ns (per the magic)
 *     8  reserved1 (was thiszone)                 8  captured length (incl_len)
 *     12 reserved2 (was sigfigs)                  12 original length (orig_len)
 *     16 snaplen                                  16 incl_len octets of the frame
 *     20 FCS len|R|P|reserved|link type (16 bits)
 *
 * Every field is in the writer's byte order; the magic tells which. We write little-endian with
 * microsecond stamps, as tcpdump does on x86. Reading accepts both byte orders and both
 * precisions, and bounds each record: incl_len ≤ snaplen and ≤ PCAP_MAX_RECORD_LEN (`too-large`),
 * incl_len ≤ orig_len (`bad-length`), data present (`truncated`).
 */
import { drop, ok, shiftDrop, type Result } from '../util/drop.js';
import { assertUint, ensureRoom, InvalidArgumentError } from '../util/errors.js';
import { readU32, writeU32 } from './bytes.js';
import { formatTableValue } from './table.js';

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
export const PCAP_MAGIC_OFFSET = 0;
export const PCAP_VERSION_MAJOR_OFFSET = 4;
export const PCAP_VERSION_MINOR_OFFSET = 6;
export const PCAP_THISZONE_OFFSET = 8;
export const PCAP_SIGFIGS_OFFSET = 12;
export const PCAP_SNAPLEN_OFFSET = 16;
export const PCAP_LINKTYPE_OFFSET = 20;
export const PCAP_TS_SEC_OFFSET = 0;
export const PCAP_TS_FRAC_OFFSET = 4;
export const PCAP_INCL_LEN_OFFSET = 8;
export const PCAP_ORIG_LEN_OFFSET = 12;
/** tcpdump's default snapshot length (libpcap MAXIMUM_SNAPLEN). */
export const PCAP_DEFAULT_SNAPLEN = 262144;
/** Largest record we read or write: libpcap refuses larger ones as corrupt (sf-pcap.c). */
export const PCAP_MAX_RECORD_LEN = 262144;
const USEC_PER_SEC = 1_000_000;
const NSEC_PER_SEC = 1_000_000_000;
const LINK_TYPE_MASK = 0xffff;

/** LINKTYPE_ values (tcpdump.org/linktypes.html). Wire protocol: append-only. */
export const LinkType = { ETHERNET: 1, RAW: 101 } as const;

/** `ETHERNET`, `RAW`, or `0x0071` for a link type not in the table. */
export function formatLinkType(n: number): string {
  return formatTableValue(LinkType, n, 4);
}

export interface PcapHeaderRepr {
  readonly littleEndian: boolean;
  /** Timestamps in nanoseconds (magic 0xa1b23c4d) instead of microseconds. */
  readonly nanosecond: boolean;
  readonly versionMinor: number;
  /** Reserved1/2: "SHOULD be filled with 0 by pcap file writers, and MUST be ignored by pcap file readers" — kept, never interpreted. */
  readonly thiszone: number;
  readonly sigfigs: number;
  /** Largest captured length of any record, in octets. */
  readonly snaplen: number;
  /** Lower 16 bits of the link-type field. */
  readonly linkType: number;
  /** Upper 16 bits (FCS length and flag, reserved): carried through, not interpreted. */
  readonly linkTypeInfo: number;
}

export interface PcapRecordRepr {
  /** Seconds since the epoch. */
  readonly tsSec: number;
  /** Microseconds (or nanoseconds, per the file header) within the second. */
  readonly tsFrac: number;
  /** Length of the frame on the wire, in octets; `data` may be shorter (cut at snaplen). */
  readonly origLen: number;
  /** The captured octets (a view). */
  readonly data: Uint8Array;
}

/** The header our writer uses: little-endian, microseconds, version 2.4, Ethernet. */
export function pcapHeader(snaplen = PCAP_DEFAULT_SNAPLEN, linkType: number = LinkType.ETHERNET): PcapHeaderRepr {
  return { littleEndian: true, nanosecond: false, versionMinor: PCAP_VERSION_MINOR, thiszone: 0, sigfigs: 0, snaplen, linkType, linkTypeInfo: 0 };
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** 32-bit access in the file's byte order without a DataView: records are on the capture hot path. */
function getU32(b: Uint8Array, o: number, le: boolean): number {
  return le ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0 : readU32(b, o);
}

function putU32(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (!le) return writeU32(b, o, v);
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}

/** Zero-copy view of a pcap file header. */
export class PcapHeaderView {
  private readonly dv: DataView;

  private constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
  ) {
    this.dv = view(bytes);
  }

  static unchecked(bytes: Uint8Array): PcapHeaderView {
    const dv = view(bytes);
    const le = dv.getUint32(PCAP_MAGIC_OFFSET, true);
    return new PcapHeaderView(bytes, le === PCAP_MAGIC_USEC || le === PCAP_MAGIC_NSEC);
  }

  static checked(bytes: Uint8Array): Result<PcapHeaderView> {
    if (bytes.length < PCAP_HEADER_LEN) return drop('truncated', 0, bytes.length);
    const dv = view(bytes);
    const le = dv.getUint32(PCAP_MAGIC_OFFSET, true);
    const be = dv.getUint32(PCAP_MAGIC_OFFSET, false);
    const known = (m: number) => m === PCAP_MAGIC_USEC || m === PCAP_MAGIC_NSEC;
    // pcapng (0x0a0d0d0a) and anything else: a file of a kind this reader does not handle.
    if (!known(le) && !known(be)) return drop('unsupported', PCAP_MAGIC_OFFSET, be);
    const v = new PcapHeaderView(bytes, known(le));
    if (v.versionMajor !== PCAP_VERSION_MAJOR) return drop('bad-version', PCAP_VERSION_MAJOR_OFFSET, v.versionMajor);
    return ok(v);
  }

  private u16(o: number): number { return this.dv.getUint16(o, this.littleEndian); }
  private u32(o: number): number { return this.dv.getUint32(o, this.littleEndian); }

  get nanosecond(): boolean { return this.u32(PCAP_MAGIC_OFFSET) === PCAP_MAGIC_NSEC; }
  get versionMajor(): number { return this.u16(PCAP_VERSION_MAJOR_OFFSET); }
  get versionMinor(): number { return this.u16(PCAP_VERSION_MINOR_OFFSET); }
  get thiszone(): number { return this.dv.getInt32(PCAP_THISZONE_OFFSET, this.littleEndian); }
  get sigfigs(): number { return this.u32(PCAP_SIGFIGS_OFFSET); }
  get snaplen(): number { return this.u32(PCAP_SNAPLEN_OFFSET); }
  get linkType(): number { return this.u32(PCAP_LINKTYPE_OFFSET) & LINK_TYPE_MASK; }
  get linkTypeInfo(): number { return this.u32(PCAP_LINKTYPE_OFFSET) >>> 16; }
}

export function parsePcapHeader(bytes: Uint8Array): Result<PcapHeaderRepr> {
  const r = PcapHeaderView.checked(bytes);
  if (!r.ok) return r;
  const v = r.value;
  return ok({
    littleEndian: v.littleEndian,
    nanosecond: v.nanosecond,
    versionMinor: v.versionMinor,
    thiszone: v.thiszone,
    sigfigs: v.sigfigs,
    snaplen: v.snaplen,
    linkType: v.linkType,
    linkTypeInfo: v.linkTypeInfo,
  });
}

export function emitPcapHeader(h: PcapHeaderRepr, out: Uint8Array, offset: number): number {
  assertUint('pcap version minor', h.versionMinor, 0xffff);
  assertUint('pcap sigfigs', h.sigfigs, 0xffff_ffff);
  if (!Number.isInteger(h.thiszone) || h.thiszone < -0x8000_0000 || h.thiszone > 0x7fff_ffff) {
    throw new InvalidArgumentError(`pcap thiszone out of int32 range: ${h.thiszone}`);
  }
  checkSnaplen(h.snaplen);
  assertUint('pcap link type', h.linkType, LINK_TYPE_MASK);
  assertUint('pcap link type info', h.linkTypeInfo, LINK_TYPE_MASK);
  ensureRoom(out, offset, PCAP_HEADER_LEN);
  const dv = view(out);
  const le = h.littleEndian;
  dv.setUint32(offset + PCAP_MAGIC_OFFSET, h.nanosecond ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, le);
  dv.setUint16(offset + PCAP_VERSION_MAJOR_OFFSET, PCAP_VERSION_MAJOR, le);
  dv.setUint16(offset + PCAP_VERSION_MINOR_OFFSET, h.versionMinor, le);
  dv.setInt32(offset + PCAP_THISZONE_OFFSET, h.thiszone, le);
  dv.setUint32(offset + PCAP_SIGFIGS_OFFSET, h.sigfigs, le);
  dv.setUint32(offset + PCAP_SNAPLEN_OFFSET, h.snaplen, le);
  dv.setUint32(offset + PCAP_LINKTYPE_OFFSET, ((h.linkTypeInfo << 16) | h.linkType) >>> 0, le);
  return PCAP_HEADER_LEN;
}

/** Throws unless `snaplen` is a usable snapshot length (1..PCAP_MAX_RECORD_LEN). */
export function checkSnaplen(snaplen: number): void {
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > PCAP_MAX_RECORD_LEN) {
    throw new InvalidArgumentError(`pcap snaplen out of range 1..${PCAP_MAX_RECORD_LEN}: ${snaplen}`);
  }
}

/** Parses one record at the start of `bytes` (which may hold more records after it). */
export function parsePcapRecord(bytes: Uint8Array, h: PcapHeaderRepr): Result<PcapRecordRepr> {
  if (bytes.length < PCAP_RECORD_HEADER_LEN) return drop('truncated', 0, bytes.length);
  const le = h.littleEndian;
  const tsSec = getU32(bytes, PCAP_TS_SEC_OFFSET, le);
  const tsFrac = getU32(bytes, PCAP_TS_FRAC_OFFSET, le);
  const inclLen = getU32(bytes, PCAP_INCL_LEN_OFFSET, le);
  const origLen = getU32(bytes, PCAP_ORIG_LEN_OFFSET, le);
  // draft-ietf-opsawg-pcap §5: the fraction counts µs (or ns) within the second of ts_sec.
  if (tsFrac >= (h.nanosecond ? NSEC_PER_SEC : USEC_PER_SEC)) return drop('malformed', PCAP_TS_FRAC_OFFSET, tsFrac);
  // §5: the captured length is the original length cut to the snapshot length, so it can exceed
  // neither; libpcap refuses anything over its maximum outright.
  if (inclLen > PCAP_MAX_RECORD_LEN || inclLen > h.snaplen) return drop('too-large', PCAP_INCL_LEN_OFFSET, inclLen);
  if (inclLen > origLen) return drop('bad-length', PCAP_ORIG_LEN_OFFSET, origLen);
  if (bytes.length < PCAP_RECORD_HEADER_LEN + inclLen) return drop('truncated', PCAP_INCL_LEN_OFFSET, inclLen);
  const data = bytes.subarray(PCAP_RECORD_HEADER_LEN, PCAP_RECORD_HEADER_LEN + inclLen);
  return ok({ tsSec, tsFrac, origLen, data });
}

export function pcapRecordLen(r: PcapRecordRepr): number {
  return PCAP_RECORD_HEADER_LEN + r.data.length;
}

/** Writes a record header only: the writer copies the frame (or its gathered chunks) after it. */
export function emitPcapRecordHeader(
  tsSec: number, tsFrac: number, inclLen: number, origLen: number,
  h: PcapHeaderRepr, out: Uint8Array, offset: number,
): number {
  assertUint('pcap timestamp seconds', tsSec, 0xffff_ffff);
  assertUint('pcap timestamp fraction', tsFrac, (h.nanosecond ? NSEC_PER_SEC : USEC_PER_SEC) - 1);
  assertUint('pcap captured length', inclLen, Math.min(h.snaplen, PCAP_MAX_RECORD_LEN));
  assertUint('pcap original length', origLen, 0xffff_ffff);
  if (inclLen > origLen) throw new InvalidArgumentError(`pcap captured length ${inclLen} exceeds original length ${origLen}`);
  ensureRoom(out, offset, PCAP_RECORD_HEADER_LEN);
  putU32(out, offset + PCAP_TS_SEC_OFFSET, tsSec, h.littleEndian);
  putU32(out, offset + PCAP_TS_FRAC_OFFSET, tsFrac, h.littleEndian);
  putU32(out, offset + PCAP_INCL_LEN_OFFSET, inclLen, h.littleEndian);
  putU32(out, offset + PCAP_ORIG_LEN_OFFSET, origLen, h.littleEndian);
  return PCAP_RECORD_HEADER_LEN;
}

export function emitPcapRecord(r: PcapRecordRepr, h: PcapHeaderRepr, out: Uint8Array, offset: number): number {
  ensureRoom(out, offset, pcapRecordLen(r));
  emitPcapRecordHeader(r.tsSec, r.tsFrac, r.data.length, r.origLen, h, out, offset);
  out.set(r.data, offset + PCAP_RECORD_HEADER_LEN);
  return pcapRecordLen(r);
}

/** Splits microseconds since the epoch into pcap's seconds and microseconds. */
export function splitMicros(timestampUs: number): { tsSec: number; tsUsec: number } {
  if (!Number.isFinite(timestampUs) || timestampUs < 0 || timestampUs >= 2 ** 32 * USEC_PER_SEC) {
    throw new InvalidArgumentError(`pcap timestamp out of range (µs since the epoch, before 2106): ${timestampUs}`);
  }
  const us = Math.floor(timestampUs);
  const tsSec = Math.floor(us / USEC_PER_SEC);
  return { tsSec, tsUsec: us - tsSec * USEC_PER_SEC };
}

/** A capture read back: its header and a lazy pass over its records. */
export interface PcapCapture {
  readonly header: PcapHeaderRepr;
  /** Yields each record in order; after a bad one, yields its drop (offset in the file) and stops. */
  readonly records: Iterable<Result<PcapRecordRepr>>;
}

/** Reads a whole capture held in memory (tests, `swarmnet` tooling). */
export function readPcap(bytes: Uint8Array): Result<PcapCapture> {
  const hr = parsePcapHeader(bytes);
  if (!hr.ok) return hr;
  const header = hr.value;
  function* records(): Generator<Result<PcapRecordRepr>> {
    let pos = PCAP_HEADER_LEN;
    while (pos < bytes.length) {
      const r = parsePcapRecord(bytes.subarray(pos), header);
      if (!r.ok) {
        yield shiftDrop(r, pos);
        return;
      }
      yield r;
      pos += pcapRecordLen(r.value);
    }
  }
  return ok({ header, records: { [Symbol.iterator]: records } });
}
