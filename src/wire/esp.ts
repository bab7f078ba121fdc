/**
 * ESP framing (RFC 4303 §2) and its UDP encapsulation (RFC 3948 §2). Pure: no crypto here — the
 * AEAD transform that fills the body lives in `src/crypto/esp-gcm.ts`.
 *
 *      0                   1                   2                   3
 *     |               Security Parameters Index (SPI)                 |  ^ header (8)
 *     |                      Sequence Number                          |  v
 *     |   IV (8 for AES-GCM, RFC 4106 §3.1)  ‖  ciphertext of:        |  ^
 *     |     Payload Data ‖ Padding (0-255) ‖ Pad Length ‖ Next Header |  | body (opaque here)
 *     |   ICV (8, 12 or 16 for AES-GCM, RFC 4106 §6)                  |  v
 *
 * `parseEsp` reads only the cleartext header; the body (IV ‖ ciphertext ‖ ICV) is one opaque
 * subarray, since its split depends on the SA's transform. The trailer helpers (`espPadLength`,
 * `writeEspTrailer`, `parseEspTrailer`) work on the *plaintext* and are used by the transform.
 *
 * SPI values (RFC 4303 §2.1): 0 "MUST NOT be sent on the wire" — parse refuses it as `malformed`,
 * emit throws. 1–255 are "reserved by IANA for future use"; they are accepted both ways, because
 * Docker derives SPIs from an FNV-1a hash with no exclusion (reference §4.3) and Linux installs
 * such SAs as given — whether a packet is wanted is the SA table's call (`unknown-spi`).
 * Sequence 0 is framed like any other value; the anti-replay window refuses it (§3.3.3: the
 * first packet of an SA carries 1).
 */
import { drop, ok, type Ok, type Result } from '../util/drop.js';
import { assertUint, ensureRoom, InvalidArgumentError } from '../util/errors.js';
import { readU32, writeU32 } from './bytes.js';
import { IpProtocol } from './ipv4.js';
import { placePayload } from './payload.js';
import { formatTableValue } from './table.js';

export const ESP_SPI_OFFSET = 0;
export const ESP_SEQUENCE_OFFSET = 4;
/** SPI + sequence number. */
export const ESP_HEADER_LEN = 8;
/** Pad Length + Next Header, the two mandatory bytes at the end of every plaintext (§2). */
export const ESP_TRAILER_LEN = 2;
/** Smallest ESP packet: a header and a (possibly encrypted) trailer. Shorter is `truncated`. */
export const ESP_MIN_LEN = ESP_HEADER_LEN + ESP_TRAILER_LEN;
/** Pad Length is one octet (§2.4). */
export const ESP_MAX_PAD = 255;
/** §2.4: Pad Length and Next Header right-aligned in a 4-byte word; all AES-GCM needs (stream). */
export const ESP_DEFAULT_ALIGN = 4;
/** Largest alignment whose worst-case padding (align − 1) still fits in Pad Length. */
export const ESP_MAX_ALIGN = ESP_MAX_PAD + 1;
/** SPIs 1..255 are reserved by IANA (§2.1); kept, not refused (see module doc). */
export const ESP_SPI_RESERVED_MAX = 255;
export const SPI_MAX = 0xffff_ffff;
export const ESP_SEQUENCE_MAX = 0xffff_ffff;

/**
 * Next Header values: the field carries an IP protocol number (§2.6), so this is `IpProtocol`
 * (ipv4.ts; wire protocol, append-only) under ESP's name for the field. Docker's overlay runs ESP in
 * transport mode over the VXLAN datagram, so its packets carry UDP (17); NO_NEXT_HEADER (59) marks
 * a dummy (traffic-flow confidentiality) packet, which the receiver MUST discard (§2.6).
 */
export const ESP_NEXT_HEADER = IpProtocol;

/** `UDP`, `IPV4` … (as `formatIpProtocol` prints them), or `0x3d` for a value not in the table. */
export function formatEspNextHeader(n: number): string {
  return formatTableValue(ESP_NEXT_HEADER, n, 2);
}

export interface EspRepr {
  /** Security Parameters Index, u32, never 0. */
  readonly spi: number;
  /** Sequence number, u32 (no ESN: Docker's SAs do not use it). */
  readonly sequence: number;
  /** IV ‖ ciphertext ‖ ICV: opaque to the framing, split by the SA's transform. */
  readonly body: Uint8Array;
}

/** Zero-copy view over an ESP packet. Field reads are unchecked. */
export class EspPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps bytes whose length you have already checked (your own buffers). */
  static unchecked(bytes: Uint8Array): EspPacket {
    return new EspPacket(bytes);
  }

  /** Wraps bytes from a peer: checks the length and the SPI once. */
  static checked(bytes: Uint8Array): Result<EspPacket> {
    return checkEsp(bytes) ?? ok(new EspPacket(bytes));
  }

  get spi(): number {
    return readU32(this.bytes, ESP_SPI_OFFSET);
  }

  get sequence(): number {
    return readU32(this.bytes, ESP_SEQUENCE_OFFSET);
  }

  get body(): Uint8Array {
    return this.bytes.subarray(ESP_HEADER_LEN);
  }
}

function checkEsp(bytes: Uint8Array) {
  if (bytes.length < ESP_MIN_LEN) return drop('truncated', 0, bytes.length);
  // §2.1: "The SPI value of zero (0) is reserved for local, implementation-specific use and MUST
  // NOT be sent on the wire."
  if (readU32(bytes, ESP_SPI_OFFSET) === 0) return drop('malformed', ESP_SPI_OFFSET, 0);
  return undefined;
}

export function parseEsp(bytes: Uint8Array): Result<EspRepr> {
  const bad = checkEsp(bytes);
  if (bad) return bad;
  return ok({
    spi: readU32(bytes, ESP_SPI_OFFSET),
    sequence: readU32(bytes, ESP_SEQUENCE_OFFSET),
    body: bytes.subarray(ESP_HEADER_LEN),
  });
}

export function espLen(repr: EspRepr): number {
  return ESP_HEADER_LEN + repr.body.length;
}

/** Writes the 8-byte header only (for gathered sends: `socket.send([header, body])`). */
export function emitEspHeader(spi: number, sequence: number, out: Uint8Array, offset: number): number {
  if (!Number.isInteger(spi) || spi < 1 || spi > SPI_MAX) {
    throw new InvalidArgumentError(`ESP SPI out of range 1..${SPI_MAX} (RFC 4303 §2.1): ${spi}`);
  }
  assertUint('ESP sequence number', sequence, ESP_SEQUENCE_MAX);
  ensureRoom(out, offset, ESP_HEADER_LEN);
  writeU32(out, offset + ESP_SPI_OFFSET, spi);
  writeU32(out, offset + ESP_SEQUENCE_OFFSET, sequence);
  return ESP_HEADER_LEN;
}

/** Writes header and body; returns the bytes written. */
export function emitEsp(repr: EspRepr, out: Uint8Array, offset: number): number {
  ensureRoom(out, offset, espLen(repr));
  emitEspHeader(repr.spi, repr.sequence, out, offset);
  placePayload(repr.body, out, offset + ESP_HEADER_LEN);
  return espLen(repr);
}

// ---------------------------------------------------------------------------------------------
// Trailer (plaintext side): Payload ‖ Padding ‖ Pad Length ‖ Next Header.

function checkAlign(align: number): void {
  if (!Number.isInteger(align) || align < 1 || align > ESP_MAX_ALIGN) {
    throw new InvalidArgumentError(`ESP alignment out of range 1..${ESP_MAX_ALIGN}: ${align}`);
  }
}

/**
 * Padding bytes so that `payloadLen + padding + 2` is a multiple of `align` (§2.4). AES-GCM is a
 * stream mode, so only the 4-byte alignment of the Pad Length/Next Header word applies; §2.4 counts
 * the IV in that computation, and GCM's 8-byte IV leaves it unchanged.
 */
export function espPadLength(payloadLen: number, align = ESP_DEFAULT_ALIGN): number {
  checkAlign(align);
  if (!Number.isInteger(payloadLen) || payloadLen < 0) {
    throw new InvalidArgumentError(`ESP payload length must be a non-negative integer: ${payloadLen}`);
  }
  return (align - ((payloadLen + ESP_TRAILER_LEN) % align)) % align;
}

/** Bytes of trailer (padding + Pad Length + Next Header) after a payload of `payloadLen`. */
export function espTrailerLen(payloadLen: number, align = ESP_DEFAULT_ALIGN): number {
  return espPadLength(payloadLen, align) + ESP_TRAILER_LEN;
}

/**
 * Writes Padding ‖ Pad Length ‖ Next Header at `offset`; returns the bytes written. §2.4: "The
 * first padding byte appended to the plaintext is numbered 1, with subsequent padding bytes
 * making up a monotonically increasing sequence: 1, 2, 3, …".
 */
export function writeEspTrailer(padLength: number, nextHeader: number, out: Uint8Array, offset: number): number {
  assertUint('ESP pad length', padLength, ESP_MAX_PAD);
  assertUint('ESP next header', nextHeader, 0xff);
  ensureRoom(out, offset, padLength + ESP_TRAILER_LEN);
  for (let i = 0; i < padLength; i++) out[offset + i] = i + 1;
  out[offset + padLength] = padLength;
  out[offset + padLength + 1] = nextHeader;
  return padLength + ESP_TRAILER_LEN;
}

export interface EspTrailerRepr {
  /** The data Next Header describes (may end with TFC padding, §2.7: its own length trims it). */
  readonly payload: Uint8Array;
  readonly padLength: number;
  readonly nextHeader: number;
}

/**
 * Splits a decrypted plaintext into payload and trailer. Offsets in drops are relative to
 * `plain`. Checks that the Pad Length fits and — §2.4: "the receiver SHOULD inspect the Padding
 * field" — that the padding is 1, 2, 3, …; either failure is `malformed` (the bytes were
 * authentic, so the sender is broken, not the path).
 */
export function parseEspTrailer(plain: Uint8Array): Result<EspTrailerRepr> {
  const n = plain.length;
  if (n < ESP_TRAILER_LEN) return drop('truncated', 0, n);
  const padLength = plain[n - 2];
  const padStart = n - ESP_TRAILER_LEN - padLength;
  if (padStart < 0) return drop('malformed', n - 2, padLength);
  for (let i = 0; i < padLength; i++) {
    if (plain[padStart + i] !== i + 1) return drop('malformed', padStart + i, plain[padStart + i]);
  }
  return ok({ payload: plain.subarray(0, padStart), padLength, nextHeader: plain[n - 1] });
}

// ---------------------------------------------------------------------------------------------
// RFC 3948: ESP in UDP, which swarmnet's native-free transport uses to carry ESP over sockets.

/** RFC 3948 / RFC 7296 §2.23: the IKE NAT-traversal port that also carries ESP-in-UDP. */
export const ESP_IN_UDP_PORT = 4500;
/** RFC 3948 §2.2: "A Non-ESP Marker is 4 zero-valued bytes aligning with the SPI field". */
export const NON_ESP_MARKER_LEN = 4;
/** The marker read as a big-endian u32 where an ESP packet has its SPI. */
export const NON_ESP_MARKER = 0;
/** RFC 3948 §2.3: "The sender MUST use a one-octet-long payload with the value 0xFF." */
export const NAT_KEEPALIVE_BYTE = 0xff;
export const NAT_KEEPALIVE_LEN = 1;

export type UdpEncapsulatedKind = 'esp' | 'non-esp' | 'keepalive';

// Shared results: classification runs per datagram and allocates nothing.
const IS_ESP: Ok<UdpEncapsulatedKind> = Object.freeze(ok<UdpEncapsulatedKind>('esp'));
const IS_NON_ESP: Ok<UdpEncapsulatedKind> = Object.freeze(ok<UdpEncapsulatedKind>('non-esp'));
const IS_KEEPALIVE: Ok<UdpEncapsulatedKind> = Object.freeze(ok<UdpEncapsulatedKind>('keepalive'));

/**
 * What a UDP payload on the ESP-in-UDP port is (RFC 3948 §2): a one-byte 0xFF NAT-keepalive
 * (§2.3, "the receiver SHOULD ignore" it), an IKE message behind the Non-ESP Marker (§2.2), or an
 * ESP packet (§2.1: "The SPI field in the ESP header MUST NOT be a zero value"). Anything else —
 * a one-byte payload other than 0xFF, or too short for an ESP packet — is a drop.
 */
export function classifyUdpEncapsulated(payload: Uint8Array): Result<UdpEncapsulatedKind> {
  const n = payload.length;
  if (n === NAT_KEEPALIVE_LEN) {
    return payload[0] === NAT_KEEPALIVE_BYTE ? IS_KEEPALIVE : drop('malformed', 0, payload[0]);
  }
  if (n < NON_ESP_MARKER_LEN) return drop('truncated', 0, n);
  if (readU32(payload, 0) === NON_ESP_MARKER) return IS_NON_ESP;
  if (n < ESP_MIN_LEN) return drop('truncated', 0, n);
  return IS_ESP;
}
