/**
 * Swarm join tokens, as swarmkit's `ca/config.go` writes and reads them (`GenerateJoinToken`,
 * `ParseJoinToken`):
 *
 *     v1: SWMTKN-1-<root CA digest>-<secret>
 *     v2: SWMTKN-2-<0|1 = FIPS>-<root CA digest>-<secret>      (only written for FIPS clusters)
 *
 * `<root CA digest>` is the SHA-256 of the root CA certificate PEM as an integer in base 36,
 * zero-padded to 50 characters; `<secret>` is 16 random bytes the same way, padded to 25.
 *
 * Parsing checks exactly what swarmkit checks, no more: the `SWMTKN` prefix, the version and the
 * part count, and the byte lengths 50 and 25. Any failure is `invalid join token` (swarmkit
 * `errInvalidJoinToken`), which is what `docker swarm join` prints. Two things swarmkit lets
 * through on purpose are let through here too, so the later, Docker-worded failure happens:
 * - the secret's characters are not checked: a wrong secret fails at the manager (`A valid join
 *   token is necessary to join this cluster`);
 * - the digest is read like Go's `big.Int.SetString(s, 36)`: upper case counts as lower case, a
 *   leading `+` is allowed, and reading stops at the first character that is not a base-36
 *   digit, keeping the value read so far (Go's `SetString` then reports failure, which swarmkit
 *   ignores). Such a digest never matches a real CA, so the join fails with `remote CA does not
 *   match fingerprint`.
 * A digest part whose value needs more than 64 hex digits (anything ≥ 2^256: 50 base-36
 * characters reach 36^50 ≈ 2^258.5) fails in swarmkit's `digest.Parse`, with go-digest's
 * `invalid checksum digest length`; that text is kept (same error class).
 */
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';

export const JOIN_TOKEN_PREFIX = 'SWMTKN';
/** swarmkit `base36DigestLen`: ceil(log36(2^256 - 1)). */
export const JOIN_TOKEN_DIGEST_LENGTH = 50;
/** swarmkit `maxGeneratedSecretLength`: ceil(log36(2^128 - 1)). */
export const JOIN_TOKEN_SECRET_LENGTH = 25;
/** swarmkit `generatedSecretEntropyBytes`. */
export const JOIN_TOKEN_SECRET_BYTES = 16;
/** swarmkit `joinTokenBase`. */
export const JOIN_TOKEN_BASE = 36;
/** A SHA-256 digest in hex: the root CA digest inside a token. */
const SHA256_HEX_LENGTH = 64;

/** swarmkit `errInvalidJoinToken`. */
export const INVALID_JOIN_TOKEN = 'invalid join token';
/** go-digest `ErrDigestInvalidLength`, reached through swarmkit's `digest.Parse`. */
export const INVALID_DIGEST_LENGTH = 'invalid checksum digest length';

/** The token cannot be parsed. The message is Docker's: `invalid join token` (see module doc). */
export class InvalidJoinTokenError extends SwarmnetError {
  constructor(message: typeof INVALID_JOIN_TOKEN | typeof INVALID_DIGEST_LENGTH = INVALID_JOIN_TOKEN) {
    super('invalid-join-token', message);
    this.name = 'InvalidJoinTokenError';
  }
}

/** swarmkit `ParsedJoinToken`. */
export interface ParsedJoinToken {
  readonly version: 1 | 2;
  /** The cluster mandates FIPS mode (only a v2 token can say so). */
  readonly fips: boolean;
  /** SHA-256 of the root CA certificate PEM, 64 lower-case hex characters. */
  readonly rootCaDigest: string;
  /** The secret part exactly as written in the token (25 characters). */
  readonly secret: string;
}

/** 16 random bytes for a new token's secret (swarmkit draws them from crypto/rand). */
export function newJoinTokenSecret(rng: Rng): Uint8Array {
  return rng.bytes(JOIN_TOKEN_SECRET_BYTES);
}

/**
 * swarmkit `GenerateJoinToken`: v1 unless `fips`, which writes `SWMTKN-2-1-…` so that nodes too
 * old to know FIPS refuse it.
 */
export function generateJoinToken(rootCaDigestHex: string, secret: Uint8Array, options: { fips?: boolean } = {}): string {
  if (!/^[0-9a-f]{64}$/.test(rootCaDigestHex)) {
    throw new InvalidArgumentError(`root CA digest must be 64 lower-case hex characters: ${JSON.stringify(rootCaDigestHex)}`);
  }
  if (secret.length !== JOIN_TOKEN_SECRET_BYTES) {
    throw new InvalidArgumentError(`join token secret must be ${JOIN_TOKEN_SECRET_BYTES} bytes, got ${secret.length}`);
  }
  const digest = BigInt(`0x${rootCaDigestHex}`).toString(JOIN_TOKEN_BASE).padStart(JOIN_TOKEN_DIGEST_LENGTH, '0');
  const secretHex = Buffer.from(secret).toString('hex');
  const secretText = BigInt(`0x${secretHex}`).toString(JOIN_TOKEN_BASE).padStart(JOIN_TOKEN_SECRET_LENGTH, '0');
  return `${JOIN_TOKEN_PREFIX}-${options.fips ? '2-1' : '1'}-${digest}-${secretText}`;
}

/** swarmkit `ParseJoinToken`; throws `InvalidJoinTokenError`. */
export function parseJoinToken(token: string): ParsedJoinToken {
  const parts = token.split('-');
  if (parts.length < 4 || parts[0] !== JOIN_TOKEN_PREFIX) throw new InvalidJoinTokenError();
  let version: 1 | 2;
  let fips = false;
  switch (parts[1]) {
    case '1':
      if (parts.length !== 4) throw new InvalidJoinTokenError();
      version = 1;
      break;
    case '2':
      if (parts.length !== 5 || (parts[2] !== '0' && parts[2] !== '1')) throw new InvalidJoinTokenError();
      version = 2;
      fips = parts[2] === '1';
      break;
    default:
      throw new InvalidJoinTokenError();
  }
  const secret = parts[parts.length - 1];
  const digest = parts[parts.length - 2];
  // Go's len() counts bytes, not UTF-16 units.
  if (Buffer.byteLength(digest, 'utf8') !== JOIN_TOKEN_DIGEST_LENGTH || Buffer.byteLength(secret, 'utf8') !== JOIN_TOKEN_SECRET_LENGTH) {
    throw new InvalidJoinTokenError();
  }
  const hex = goBase36Prefix(digest).toString(16);
  if (hex.length > SHA256_HEX_LENGTH) throw new InvalidJoinTokenError(INVALID_DIGEST_LENGTH);
  return { version, fips, rootCaDigest: hex.padStart(SHA256_HEX_LENGTH, '0'), secret };
}

/**
 * The value Go's `new(big.Int).SetString(s, 36)` leaves behind whether or not it succeeds: an
 * optional sign, then base-36 digits in either case up to the first other character. `-` cannot
 * reach here (the token was split on it), so the value is never negative.
 */
function goBase36Prefix(s: string): bigint {
  let value = 0n;
  const start = s[0] === '+' ? 1 : 0;
  for (let i = start; i < s.length; i++) {
    const digit = Number.parseInt(s[i], JOIN_TOKEN_BASE);
    if (Number.isNaN(digit)) break;
    value = value * 36n + BigInt(digit);
  }
  return value;
}
