/**
 * AES-GCM for ESP (RFC 4106) as Docker's encrypted overlay configures it: `rfc4106(gcm(aes))`,
 * 16-byte key, 4-byte salt = the SPI big-endian, 64-bit ICV, transport mode, 32-bit sequence
 * numbers (reference §4.3). 24/32-byte keys and 12/16-byte ICVs are supported too (the RFC 4106
 * test cases use them).
 *
 *     nonce     = salt (4) ‖ IV (8)                            RFC 4106 §4
 *     AAD       = SPI (4) ‖ sequence number (4)                RFC 4106 §5 (no ESN)
 *     plaintext = payload ‖ padding 1,2,3… ‖ pad length ‖ next header   RFC 4303 §2.4
 *     packet    = SPI ‖ seq ‖ IV ‖ ciphertext ‖ ICV            RFC 4106 §3, §6
 *
 * `openEsp` never throws on peer bytes: `truncated` (shorter than header + IV + trailer + ICV),
 * `malformed` (SPI 0, or a bad trailer inside an authentic packet), `unknown-spi` (not this SA's
 * SPI), `auth-failed` (any ICV mismatch). Replay is the caller's check around it — or use
 * `EspInboundSa`, which runs check → open → update in the RFC's order.
 *
 * Cost. node:crypto cannot re-key a context or encrypt into a caller's buffer, so every packet
 * pays for: a Cipher/Decipher object (an OpenSSL context, its AES key schedule and GHASH table),
 * the Buffer `update()` returns, the empty one `final()` returns and, when sealing, the tag
 * Buffer. Everything else is per SA: the KeyObject, the nonce scratch (salt pre-filled, only the
 * IV rewritten), the options object. A forged packet makes `Decipher.final()` throw — there is no
 * non-throwing tag check in node:crypto short of decrypting and re-encrypting — so the throw is
 * caught once, with `Error.stackTraceLimit` at 0 for that one native call, which removes the
 * stack capture that is most of its cost (≈ +7 µs → +2 µs per forged packet on Node 20).
 */
import { createCipheriv, createDecipheriv, createSecretKey, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import { drop, ok, shiftDrop, type Result } from '../util/drop.js';
import { ensureRoom, InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import { readU32, writeU32 } from '../wire/bytes.js';
import {
  ESP_HEADER_LEN,
  ESP_SEQUENCE_MAX,
  ESP_SEQUENCE_OFFSET,
  ESP_SPI_OFFSET,
  ESP_TRAILER_LEN,
  espPadLength,
  parseEspTrailer,
  SPI_MAX,
  writeEspTrailer,
} from '../wire/esp.js';
import { placePayload } from '../wire/payload.js';
import { ReplayWindow } from './replay-window.js';

/** RFC 4106 §3.1: the explicit IV carried in each packet. */
export const ESP_GCM_IV_LEN = 8;
/** RFC 4106 §4: the implicit part of the nonce, from the keying material. */
export const ESP_GCM_SALT_LEN = 4;
export const ESP_GCM_NONCE_LEN = ESP_GCM_SALT_LEN + ESP_GCM_IV_LEN;
/** RFC 4106 §5: SPI ‖ 32-bit sequence number. */
export const ESP_GCM_AAD_LEN = ESP_HEADER_LEN;
/** Offset of the IV, and of the ciphertext, in a sealed packet. */
export const ESP_GCM_IV_OFFSET = ESP_HEADER_LEN;
export const ESP_GCM_CIPHERTEXT_OFFSET = ESP_HEADER_LEN + ESP_GCM_IV_LEN;
/** RFC 4106 §6: "MUST support a full-length 16-octet ICV, and MAY support 8 or 12 octet ICVs". */
export const ESP_GCM_ICV_LENGTHS = [8, 12, 16] as const;
export type EspGcmIcvLength = (typeof ESP_GCM_ICV_LENGTHS)[number];
/** AES-128, -192, -256. */
export const ESP_GCM_KEY_LENGTHS = [16, 24, 32] as const;
/** Docker: `rfc4106(gcm(aes))` with `ICVLen: 64` and a 16-byte swarm key (`buildAeadAlgo`). */
export const DOCKER_ESP_ICV_LEN = 8;
export const DOCKER_ESP_KEY_LEN = 16;

/** Thrown by `EspOutboundSa.seal` when one more packet would make the sequence number cycle. */
export class SequenceExhaustedError extends SwarmnetError {
  constructor(spi: number) {
    super(
      'esp-sequence-exhausted',
      `ESP SA 0x${spi.toString(16).padStart(8, '0')} has sent 2^32-1 packets; rekey before sending more (RFC 4303 §3.3.3)`,
    );
    this.name = 'SequenceExhaustedError';
  }
}

export interface EspGcmSaParams {
  /** SPI, 1..2^32-1 (0 MUST NOT be sent, RFC 4303 §2.1). */
  readonly spi: number;
  /** AES key, 16, 24 or 32 bytes. Copied. */
  readonly key: Uint8Array;
  /** 4-byte salt as a big-endian u32 (RFC 4106 §4). */
  readonly salt: number;
  readonly icvLength: EspGcmIcvLength;
}

export interface EspOpened {
  readonly sequence: number;
  /** The explicit IV: a subarray of the packet. */
  readonly iv: Uint8Array;
  readonly nextHeader: number;
  /** The decrypted payload: a subarray of the plaintext buffer node:crypto returned. */
  readonly payload: Uint8Array;
}

/** A security association for AES-GCM ESP, with its per-SA crypto state precomputed. */
export class EspGcmSa {
  readonly spi: number;
  readonly key: Uint8Array;
  readonly salt: number;
  readonly icvLength: EspGcmIcvLength;
  /** Smallest packet `openEsp` can authenticate: header, IV, trailer, ICV. */
  readonly minPacketLen: number;
  readonly #algorithm: CipherGCMTypes;
  readonly #keyObject: KeyObject;
  readonly #options: { authTagLength: number };
  /** salt ‖ IV scratch; node copies the nonce into its context, so one per SA is enough. */
  readonly #nonce = Buffer.alloc(ESP_GCM_NONCE_LEN);

  constructor(params: EspGcmSaParams) {
    const { spi, key, salt, icvLength } = params;
    if (!Number.isInteger(spi) || spi < 1 || spi > SPI_MAX) {
      throw new InvalidArgumentError(`ESP SPI out of range 1..${SPI_MAX} (RFC 4303 §2.1): ${spi}`);
    }
    if (!(ESP_GCM_KEY_LENGTHS as readonly number[]).includes(key.length)) {
      throw new InvalidArgumentError(`AES-GCM key must be 16, 24 or 32 bytes, got ${key.length}`);
    }
    if (!Number.isInteger(salt) || salt < 0 || salt > 0xffff_ffff) {
      throw new InvalidArgumentError(`AES-GCM salt must be a u32: ${salt}`);
    }
    if (!(ESP_GCM_ICV_LENGTHS as readonly number[]).includes(icvLength)) {
      throw new InvalidArgumentError(`AES-GCM ICV must be 8, 12 or 16 bytes (RFC 4106 §6), got ${icvLength}`);
    }
    this.spi = spi;
    this.key = Uint8Array.from(key);
    this.salt = salt;
    this.icvLength = icvLength;
    this.minPacketLen = ESP_GCM_CIPHERTEXT_OFFSET + ESP_TRAILER_LEN + icvLength;
    this.#algorithm = `aes-${key.length * 8}-gcm` as CipherGCMTypes;
    this.#keyObject = createSecretKey(this.key);
    this.#options = { authTagLength: icvLength };
    writeU32(this.#nonce, 0, salt);
  }

  /**
   * From RFC 4106 §8.1 keying material: key ‖ 4-byte salt (20, 28 or 36 bytes) — the form Linux's
   * `rfc4106(gcm(aes))` takes and Docker hands it.
   */
  static fromKeyMaterial(spi: number, keyMaterial: Uint8Array, icvLength: EspGcmIcvLength): EspGcmSa {
    const keyLen = keyMaterial.length - ESP_GCM_SALT_LEN;
    if (keyLen < 0) throw new InvalidArgumentError(`AES-GCM keying material too short: ${keyMaterial.length}`);
    const salt = readU32(keyMaterial, keyLen);
    return new EspGcmSa({ spi, key: keyMaterial.subarray(0, keyLen), salt, icvLength });
  }

  /** Bytes `seal` writes for a payload of `payloadLen`. */
  sealedLen(payloadLen: number): number {
    return ESP_GCM_CIPHERTEXT_OFFSET + payloadLen + espPadLength(payloadLen) + ESP_TRAILER_LEN + this.icvLength;
  }

  /** See `sealEsp`. */
  seal(sequence: number, iv: Uint8Array, nextHeader: number, payload: Uint8Array, out: Uint8Array, offset: number): number {
    if (!Number.isInteger(sequence) || sequence < 0 || sequence > ESP_SEQUENCE_MAX) {
      throw new InvalidArgumentError(`ESP sequence number out of range 0..${ESP_SEQUENCE_MAX}: ${sequence}`);
    }
    if (iv.length !== ESP_GCM_IV_LEN) {
      throw new InvalidArgumentError(`AES-GCM ESP IV must be ${ESP_GCM_IV_LEN} bytes, got ${iv.length}`);
    }
    const pad = espPadLength(payload.length);
    const plainLen = payload.length + pad + ESP_TRAILER_LEN;
    const total = ESP_GCM_CIPHERTEXT_OFFSET + plainLen + this.icvLength;
    ensureRoom(out, offset, total);
    // Inside out: the payload first (it may already sit in `out`), then the cleartext before it.
    const plainAt = offset + ESP_GCM_CIPHERTEXT_OFFSET;
    placePayload(payload, out, plainAt);
    writeEspTrailer(pad, nextHeader, out, plainAt + payload.length);
    this.#nonce.set(iv, ESP_GCM_SALT_LEN);
    out.set(iv, offset + ESP_GCM_IV_OFFSET);
    writeU32(out, offset + ESP_SPI_OFFSET, this.spi);
    writeU32(out, offset + ESP_SEQUENCE_OFFSET, sequence);

    const cipher = createCipheriv(this.#algorithm, this.#keyObject, this.#nonce, this.#options);
    cipher.setAAD(out.subarray(offset, offset + ESP_GCM_AAD_LEN));
    out.set(cipher.update(out.subarray(plainAt, plainAt + plainLen)), plainAt);
    cipher.final();
    out.set(cipher.getAuthTag(), plainAt + plainLen);
    return total;
  }

  /** See `openEsp`. */
  open(packet: Uint8Array): Result<EspOpened> {
    const n = packet.length;
    if (n < this.minPacketLen) return drop('truncated', 0, n);
    const spi = readU32(packet, ESP_SPI_OFFSET);
    // RFC 4303 §2.1: SPI 0 "MUST NOT be sent on the wire".
    if (spi === 0) return drop('malformed', ESP_SPI_OFFSET, 0);
    if (spi !== this.spi) return drop('unknown-spi', ESP_SPI_OFFSET, spi);
    const iv = packet.subarray(ESP_GCM_IV_OFFSET, ESP_GCM_CIPHERTEXT_OFFSET);
    const icvAt = n - this.icvLength;
    this.#nonce.set(iv, ESP_GCM_SALT_LEN);

    const decipher = createDecipheriv(this.#algorithm, this.#keyObject, this.#nonce, this.#options);
    decipher.setAAD(packet.subarray(0, ESP_GCM_AAD_LEN));
    decipher.setAuthTag(packet.subarray(icvAt));
    const plain = decipher.update(packet.subarray(ESP_GCM_CIPHERTEXT_OFFSET, icvAt));
    if (!finalOrFalse(decipher)) return drop('auth-failed', icvAt);

    const trailer = parseEspTrailer(plain);
    if (!trailer.ok) return shiftDrop(trailer, ESP_GCM_CIPHERTEXT_OFFSET);
    const { nextHeader, payload } = trailer.value;
    return ok({ sequence: readU32(packet, ESP_SEQUENCE_OFFSET), iv, nextHeader, payload });
  }
}

/** `final()` verifies the tag and throws on a mismatch; this turns that into `false`, cheaply. */
function finalOrFalse(decipher: { final(): Buffer }): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    decipher.final();
    return true;
  } catch {
    return false;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Docker's SA for one direction: 16-byte key, salt = SPI big-endian, 8-byte ICV (§4.3). */
export function dockerSa(spi: number, key16: Uint8Array): EspGcmSa {
  if (key16.length !== DOCKER_ESP_KEY_LEN) {
    throw new InvalidArgumentError(`Docker's ESP keys are ${DOCKER_ESP_KEY_LEN} bytes, got ${key16.length}`);
  }
  return new EspGcmSa({ spi, key: key16, salt: spi, icvLength: DOCKER_ESP_ICV_LEN });
}

/** Bytes `sealEsp` writes for a payload of `payloadLen` under `sa`. */
export function sealedLen(sa: EspGcmSa, payloadLen: number): number {
  return sa.sealedLen(payloadLen);
}

/**
 * Writes SPI ‖ sequence ‖ IV ‖ AES-GCM(payload ‖ padding ‖ pad length ‖ next header) ‖ ICV at
 * `offset`; returns the bytes written (`sealedLen`). The payload may already sit at
 * `offset + ESP_GCM_CIPHERTEXT_OFFSET` in `out` (built inside out): then it is not copied.
 * The IV MUST never repeat under one key (RFC 4106 §3.1) — `EspOutboundSa` guarantees that.
 * Throws `InvalidArgumentError`/`BufferTooSmallError` for bad caller input.
 */
export function sealEsp(
  sa: EspGcmSa,
  sequence: number,
  iv: Uint8Array,
  nextHeader: number,
  payload: Uint8Array,
  out: Uint8Array,
  offset: number,
): number {
  return sa.seal(sequence, iv, nextHeader, payload, out, offset);
}

/**
 * Authenticates and decrypts one ESP packet under `sa`. Never throws on peer bytes. The caller
 * discards Next Header 59 (RFC 4303 §2.6 dummy packets). An empty payload is accepted, as the
 * RFC allows (the draft-mcgrew-gcm-test-01 vectors include one); Linux's `esp_remove_trailer`
 * drops such packets, which the data plane can mirror if it wants Linux's exact fate.
 */
export function openEsp(sa: EspGcmSa, packet: Uint8Array): Result<EspOpened> {
  return sa.open(packet);
}

/** Returned by `EspOutboundSa.nextSequence` when the next number would cycle past 2^32-1. */
export const SEQUENCE_EXHAUSTED = -1;

export interface EspOutboundOptions {
  /** Sequence number of the last packet already sent (default 0: the first packet carries 1). */
  readonly lastSequence?: number;
  /**
   * 8 bytes XORed into every IV. The IV counter restarts with each `EspOutboundSa`, so a caller
   * that might rebuild one for a key already used must pass fresh random bytes here (from the
   * injected RNG) — as Linux's `seqiv` does with its per-transform random salt.
   */
  readonly ivMask?: Uint8Array;
}

/**
 * The sending side of an SA: the RFC 4303 §3.3.3 sequence counter and a 64-bit counter IV, so no
 * IV repeats under the key (RFC 4106 §3.1: "the same IV value is used only once for a given key").
 * The counter never cycles: §3.3.3 "the sender MUST NOT send a packet on an SA if doing so would
 * cause the sequence number to cycle"; §2.2: counters "MUST be reset (by establishing a new SA and
 * thus a new key) prior to the transmission of the 2^32nd packet". Linux refuses that packet with
 * -EOVERFLOW, and moby issue #52005 is Docker's overlay running into it; our data plane rekeys
 * when `remaining` runs low, and `seal` throws rather than wrap if it did not.
 */
export class EspOutboundSa {
  #last: number;
  // The IV counter as two u32 halves: no BigInt, no allocation per packet. It advances once per
  // sealed packet, so it cannot wrap before the 32-bit sequence number is exhausted.
  #ivHigh = 0;
  #ivLow = 0;
  readonly #iv = new Uint8Array(ESP_GCM_IV_LEN);
  readonly #mask: Uint8Array;

  constructor(
    readonly sa: EspGcmSa,
    options: EspOutboundOptions = {},
  ) {
    const last = options.lastSequence ?? 0;
    if (!Number.isInteger(last) || last < 0 || last > ESP_SEQUENCE_MAX) {
      throw new InvalidArgumentError(`ESP sequence number out of range 0..${ESP_SEQUENCE_MAX}: ${last}`);
    }
    const mask = options.ivMask ?? new Uint8Array(ESP_GCM_IV_LEN);
    if (mask.length !== ESP_GCM_IV_LEN) {
      throw new InvalidArgumentError(`IV mask must be ${ESP_GCM_IV_LEN} bytes, got ${mask.length}`);
    }
    this.#last = last;
    this.#mask = Uint8Array.from(mask);
  }

  /** Sequence number of the last packet sent (0 before the first). */
  get lastSequence(): number {
    return this.#last;
  }

  /** Packets this SA may still send before it must be replaced. */
  get remaining(): number {
    return ESP_SEQUENCE_MAX - this.#last;
  }

  /** Takes the next sequence number, or returns `SEQUENCE_EXHAUSTED` (and takes nothing). */
  nextSequence(): number {
    if (this.#last === ESP_SEQUENCE_MAX) return SEQUENCE_EXHAUSTED;
    return ++this.#last;
  }

  /** Bytes `seal` writes for a payload of `payloadLen`. */
  sealedLen(payloadLen: number): number {
    return this.sa.sealedLen(payloadLen);
  }

  /** Seals the next packet; throws `SequenceExhaustedError` rather than let the counter cycle. */
  seal(nextHeader: number, payload: Uint8Array, out: Uint8Array, offset: number): number {
    if (this.#last === ESP_SEQUENCE_MAX) throw new SequenceExhaustedError(this.sa.spi);
    const n = this.sa.seal(this.#last + 1, this.#nextIv(), nextHeader, payload, out, offset);
    this.#last++; // only once the packet exists: a throw above leaves the counter where it was
    return n;
  }

  #nextIv(): Uint8Array {
    this.#ivLow = (this.#ivLow + 1) >>> 0;
    if (this.#ivLow === 0) this.#ivHigh = (this.#ivHigh + 1) >>> 0;
    writeU32(this.#iv, 0, this.#ivHigh);
    writeU32(this.#iv, 4, this.#ivLow);
    for (let i = 0; i < ESP_GCM_IV_LEN; i++) this.#iv[i] ^= this.#mask[i];
    return this.#iv;
  }
}

/**
 * The receiving side of an SA: RFC 4303 §3.4.3 in order — replay check on the cleartext
 * sequence number, then authentication, then the window update. `replay` drops point at the
 * sequence number field and carry its value.
 */
export class EspInboundSa {
  constructor(
    readonly sa: EspGcmSa,
    readonly window: ReplayWindow = new ReplayWindow(),
  ) {}

  open(packet: Uint8Array): Result<EspOpened> {
    // Only a packet that could be this SA's is worth a replay verdict; the rest get the drop
    // `openEsp` gives them (truncated, malformed, unknown-spi).
    if (packet.length >= this.sa.minPacketLen && readU32(packet, ESP_SPI_OFFSET) === this.sa.spi) {
      const seq = readU32(packet, ESP_SEQUENCE_OFFSET);
      if (this.window.check(seq) !== 'ok') return drop('replay', ESP_SEQUENCE_OFFSET, seq);
    }
    const r = this.sa.open(packet);
    if (!r.ok) return r;
    if (this.window.update(r.value.sequence) !== 'ok') return drop('replay', ESP_SEQUENCE_OFFSET, r.value.sequence);
    return r;
  }
}
