/**
 * Object IDs, as Docker mints them, from the host's seeded RNG (so a seeded run repeats its IDs).
 *
 * - Swarm objects (nodes, services, tasks, networks, the cluster): swarmkit `identity.NewID`
 *   (`identity/randomid.go`): 17 random bytes with the top bit forced to 1, read as a big-endian
 *   integer and written in lower-case base 36. The top bit makes that string always 27 digits
 *   long (2^135 ≥ 36^26 and 2^136 < 36^27); swarmkit keeps characters 1..25 (`Text(36)[1:26]`),
 *   dropping the first digit, which can only be `1` or `2`, and the last. No padding is ever
 *   needed, and every one of the 25 characters is close to uniform over `0-9a-z` (before 2016,
 *   16 bytes zero-padded to 25 left the first character in `0-f` — swarmkit a3967a336).
 * - Local objects (containers, local networks, endpoints, sandboxes): moby `stringid`
 *   `GenerateRandomID`: 32 random bytes as 64 lower-case hex characters.
 */
import type { Rng } from './rng.js';

/** `randomIDEntropyBytes`. */
export const SWARM_ID_ENTROPY_BYTES = 17;
/** `maxRandomIDLength`: every swarm object ID is exactly this long. */
export const SWARM_ID_LENGTH = 25;
/** Digits in base 36 of a 17-byte integer with its top bit set: always 27. */
const SWARM_ID_FULL_DIGITS = 27;
/** moby `stringid`: 32 random bytes, hex. */
export const HEX_ID_BYTES = 32;
export const HEX_ID_LENGTH = 2 * HEX_ID_BYTES;

/** A new swarm object ID: 25 characters of `0-9a-z`. */
export function newSwarmId(rng: Rng): string {
  return swarmIdFromEntropy(rng.bytes(SWARM_ID_ENTROPY_BYTES));
}

/**
 * The ID `identity.NewID` makes from these 17 bytes (the top bit is forced, as there). Separate
 * from `newSwarmId` so tests can check it against independently computed vectors.
 */
export function swarmIdFromEntropy(entropy: Uint8Array): string {
  if (entropy.length !== SWARM_ID_ENTROPY_BYTES) {
    throw new RangeError(`swarm ID entropy must be ${SWARM_ID_ENTROPY_BYTES} bytes, got ${entropy.length}`);
  }
  const hex = Buffer.from(entropy).toString('hex');
  const forced = ((entropy[0] | 0x80) >>> 0).toString(16) + hex.slice(2);
  const digits = BigInt(`0x${forced}`).toString(36);
  // Cannot fail for 17 bytes with the top bit set (see module doc); kept as a guard on the maths.
  if (digits.length !== SWARM_ID_FULL_DIGITS) throw new Error(`unexpected base-36 length ${digits.length}`);
  return digits.slice(1, SWARM_ID_LENGTH + 1);
}

/** A new local object ID: 64 characters of `0-9a-f`. */
export function newHexId(rng: Rng): string {
  return Buffer.from(rng.bytes(HEX_ID_BYTES)).toString('hex');
}
