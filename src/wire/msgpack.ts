/**
 * msgpack exactly as hashicorp/memberlist writes it: go-msgpack 0.5 / v2 `MsgpackHandle{}` with
 * `WriteExt = false` (reference memberlist-wire.md §5.6, docker-overlay-facts.md §3.2).
 *
 * - Structs are maps keyed by Go field names, in alphabetical order (callers write them so).
 * - Strings **and byte slices** both use the old-spec raw family: fixstr, str16, str32. Never
 *   str8 (0xd9) and never bin (0xc4–0xc6) — a Go peer refuses bin where it wants a string.
 * - Unsigned integers in their minimal form; nil; booleans; fixmap/map16/map32.
 *
 * Hand-written because no npm msgpack library emits that: @msgpack/msgpack and msgpackr write
 * byte arrays as bin and 32–255-byte strings as str8, and cannot be told otherwise.
 *
 * Decoding is as lenient as Go's: str8 and bin for any raw field, arrays of small integers for a
 * byte slice, keys in any order, unknown keys (of any type, nested) skipped. It never throws at
 * its caller: `decodeMap` returns a `Result`, with every length bounded by the bytes present and
 * nesting bounded by `MAX_MSGPACK_DEPTH`.
 */
import { drop, ok, type DropReason, type Result } from '../util/drop.js';

/** Deepest nesting a decoder follows (memberlist's messages are at most 2 deep). */
export const MAX_MSGPACK_DEPTH = 16;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Builds one msgpack value stream into a growable buffer. */
export class MsgpackWriter {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  get length(): number {
    return this.#len;
  }

  /** The bytes written so far (a copy-free view; valid until the next write). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  raw(bytes: Uint8Array): this {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  byte(b: number): this {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
    return this;
  }

  map(entries: number): this {
    if (entries < 16) return this.byte(0x80 | entries);
    if (entries < 0x10000) return this.byte(0xde).#u16(entries);
    return this.byte(0xdf).#u32(entries);
  }

  nil(): this {
    return this.byte(0xc0);
  }

  bool(v: boolean): this {
    return this.byte(v ? 0xc3 : 0xc2);
  }

  /** A non-negative integer, minimal form (`0xcf` beyond 32 bits). */
  uint(v: number): this {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`msgpack uint out of range: ${v}`);
    if (v < 0x80) return this.byte(v);
    if (v < 0x100) return this.byte(0xcc).byte(v);
    if (v < 0x10000) return this.byte(0xcd).#u16(v);
    if (v < 0x1_0000_0000) return this.byte(0xce).#u32(v);
    this.byte(0xcf);
    this.#reserve(8);
    this.#view.setBigUint64(this.#len, BigInt(v));
    this.#len += 8;
    return this;
  }

  /** Raw bytes with a str header (fixstr / str16 / str32), as Go writes `[]byte` and `string`. */
  rawStr(bytes: Uint8Array): this {
    const n = bytes.length;
    if (n < 32) this.byte(0xa0 | n);
    else if (n < 0x10000) this.byte(0xda).#u16(n);
    else this.byte(0xdb).#u32(n);
    return this.raw(bytes);
  }

  str(s: string): this {
    return this.rawStr(utf8.encode(s));
  }

  #u16(v: number): this {
    this.#reserve(2);
    this.#view.setUint16(this.#len, v);
    this.#len += 2;
    return this;
  }

  #u32(v: number): this {
    this.#reserve(4);
    this.#view.setUint32(this.#len, v);
    this.#len += 4;
    return this;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
}

/** Bytes that came as bin (0xc4–0xc6): fine for a `[]byte` field, refused where Go wants a string. */
export class MsgpackBin {
  constructor(readonly bytes: Uint8Array) {}
}

/** A decoded value: raw strings stay bytes until a field says it is text. */
export type MsgpackValue = null | boolean | number | Uint8Array | MsgpackBin | MsgpackValue[] | MsgpackMap;
/** A map with text keys (non-text keys are skipped, as Go skips what it cannot match). */
export type MsgpackMap = Map<string, MsgpackValue>;

class Fail {
  constructor(
    readonly reason: DropReason,
    readonly offset: number,
    readonly value?: number,
  ) {}
}

/** Reads values from `bytes` starting at `offset`; `pos` is where it stopped. */
export class MsgpackReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
  ) {
    this.pos = offset;
  }

  /** One map at the current position; `incomplete` when the bytes end inside it. */
  map(): Result<MsgpackMap> {
    const start = this.pos;
    try {
      const v = this.#value(0);
      if (!(v instanceof Map)) {
        this.pos = start;
        return drop('malformed', start, this.bytes[start]);
      }
      return ok(v);
    } catch (e) {
      this.pos = start;
      if (e instanceof Fail) return e.value === undefined ? drop(e.reason, e.offset) : drop(e.reason, e.offset, e.value);
      throw e;
    }
  }

  #need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new Fail('truncated', this.pos);
  }

  #u8(): number {
    this.#need(1);
    return this.bytes[this.pos++]!;
  }

  #uN(n: number): number {
    this.#need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.bytes[this.pos + i]!;
    this.pos += n;
    return v;
  }

  #raw(n: number): Uint8Array {
    this.#need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  #value(depth: number): MsgpackValue {
    if (depth > MAX_MSGPACK_DEPTH) throw new Fail('too-large', this.pos, depth);
    const at = this.pos;
    const b = this.#u8();
    if (b < 0x80) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return this.#map(b & 0x0f, depth);
    if ((b & 0xf0) === 0x90) return this.#array(b & 0x0f, depth);
    if ((b & 0xe0) === 0xa0) return this.#raw(b & 0x1f);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xd9:
        return this.#raw(this.#uN(1));
      case 0xda:
        return this.#raw(this.#uN(2));
      case 0xdb:
        return this.#raw(this.#uN(4));
      case 0xc4:
      case 0xc5:
      case 0xc6:
        return new MsgpackBin(this.#raw(this.#uN(b === 0xc4 ? 1 : b === 0xc5 ? 2 : 4)));
      case 0xc7:
      case 0xc8:
      case 0xc9: {
        const n = this.#uN(b === 0xc7 ? 1 : b === 0xc8 ? 2 : 4);
        this.#raw(n + 1); // ext: type byte + data, skipped
        return null;
      }
      case 0xca:
        this.#need(4);
        this.pos += 4;
        return new DataView(this.bytes.buffer, this.bytes.byteOffset + at + 1, 4).getFloat32(0);
      case 0xcb:
        this.#need(8);
        this.pos += 8;
        return new DataView(this.bytes.buffer, this.bytes.byteOffset + at + 1, 8).getFloat64(0);
      case 0xcc:
        return this.#uN(1);
      case 0xcd:
        return this.#uN(2);
      case 0xce:
        return this.#uN(4);
      case 0xcf:
        return this.#uN(8);
      case 0xd0:
        return (this.#uN(1) << 24) >> 24;
      case 0xd1:
        return (this.#uN(2) << 16) >> 16;
      case 0xd2:
        return this.#uN(4) | 0;
      case 0xd3: {
        this.#need(8);
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getBigInt64(0);
        this.pos += 8;
        return Number(v);
      }
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        this.#raw(1 + (1 << (b - 0xd4))); // fixext: type byte + 1/2/4/8/16 bytes
        return null;
      case 0xdc:
        return this.#array(this.#uN(2), depth);
      case 0xdd:
        return this.#array(this.#uN(4), depth);
      case 0xde:
        return this.#map(this.#uN(2), depth);
      case 0xdf:
        return this.#map(this.#uN(4), depth);
      default:
        throw new Fail('malformed', at, b); // 0xc1: never used
    }
  }

  #map(n: number, depth: number): MsgpackMap {
    // Each entry takes at least 2 bytes: a count beyond the bytes left is a lie.
    if (n * 2 > this.bytes.length - this.pos) throw new Fail('truncated', this.pos, n);
    const out: MsgpackMap = new Map();
    for (let i = 0; i < n; i++) {
      const at = this.pos;
      const k = this.#value(depth + 1);
      // go-msgpack reads a struct's keys as strings: a bin key fails the whole message.
      if (k instanceof MsgpackBin) throw new Fail('malformed', at, this.bytes[at]);
      const v = this.#value(depth + 1);
      if (k instanceof Uint8Array) out.set(fromUtf8.decode(k), v);
    }
    return out;
  }

  #array(n: number, depth: number): MsgpackValue[] {
    if (n > this.bytes.length - this.pos) throw new Fail('truncated', this.pos, n);
    const out: MsgpackValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.#value(depth + 1));
    return out;
  }
}

// ---- typed field access for message decoders (Go's lenient struct decoding) ----

/** A field that must be text: the str family decoded as UTF-8 (bin is refused, as Go refuses it). */
export function fieldString(m: MsgpackMap, key: string): string | undefined {
  const v = m.get(key);
  if (v === undefined || v === null) return '';
  return v instanceof Uint8Array ? fromUtf8.decode(v) : undefined;
}

/** A `[]byte` field: raw bytes, nil (empty), or an array of small integers. */
export function fieldBytes(m: MsgpackMap, key: string): Uint8Array | undefined {
  const v = m.get(key);
  if (v === undefined || v === null) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (v instanceof MsgpackBin) return v.bytes;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255)) return Uint8Array.from(v as number[]);
  return undefined;
}

/** An unsigned field no larger than `max`; absent is 0. */
export function fieldUint(m: MsgpackMap, key: string, max: number): number | undefined {
  const v = m.get(key);
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : undefined;
}

export function fieldBool(m: MsgpackMap, key: string): boolean | undefined {
  const v = m.get(key);
  if (v === undefined || v === null) return false;
  return typeof v === 'boolean' ? v : undefined;
}
