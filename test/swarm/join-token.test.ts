import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateJoinToken,
  INVALID_DIGEST_LENGTH,
  INVALID_JOIN_TOKEN,
  InvalidJoinTokenError,
  JOIN_TOKEN_DIGEST_LENGTH,
  JOIN_TOKEN_SECRET_BYTES,
  JOIN_TOKEN_SECRET_LENGTH,
  newJoinTokenSecret,
  parseJoinToken,
} from '../../src/swarm/join-token.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { FUZZ_RUNS } from '../support/codec.js';

const hex = (s: string) => Buffer.from(s, 'hex');

// Vectors computed independently with python3 (int(hex, 16) written in base 36, rjust with '0').
// sha256(b'swarmnet'), secret bytes 00 01 … 0f.
const SWARMNET_DIGEST = '21a84779ebf001fd47e1ee7f306bedda3026a64bf2e6114e186af035eed10375';
const SWARMNET_TOKEN = 'SWMTKN-1-0u76getmu167a3ppaog46bclcb6nopfpbnjeis74rcxh06cjg5-000avh9he7dy896m08s18udxr';
// The token printed by `docker swarm init` in Docker's docs (reference docker-cli-outputs.md §1.1).
const DOCS_TOKEN = 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx';
const DOCS_DIGEST = '9529c6f3c5558ac3ec02b338a52d3c5434e0835a8af6f1e124649e87afaa2fb5';
const DOCS_SECRET = '16033638507aa25012db6efca9e56f7d';

const D50 = '0'.repeat(49) + '1';
const S25 = 'a'.repeat(25);

function expectInvalid(token: string, message: string = INVALID_JOIN_TOKEN): void {
  let error: unknown;
  try {
    parseJoinToken(token);
  } catch (e) {
    error = e;
  }
  expect(error, `token ${JSON.stringify(token)}`).toBeInstanceOf(InvalidJoinTokenError);
  expect((error as InvalidJoinTokenError).message).toBe(message);
  expect((error as InvalidJoinTokenError).code).toBe('invalid-join-token');
}

describe('generateJoinToken (swarmkit GenerateJoinToken)', () => {
  it('writes the known vectors', () => {
    expect(generateJoinToken(SWARMNET_DIGEST, hex('000102030405060708090a0b0c0d0e0f'))).toBe(SWARMNET_TOKEN);
    expect(generateJoinToken(DOCS_DIGEST, hex(DOCS_SECRET))).toBe(DOCS_TOKEN);
  });

  it('writes SWMTKN-2-1 for a FIPS cluster', () => {
    expect(generateJoinToken(DOCS_DIGEST, hex(DOCS_SECRET), { fips: true })).toBe(DOCS_TOKEN.replace('SWMTKN-1-', 'SWMTKN-2-1-'));
  });

  it('pads the smallest values and fills the largest exactly', () => {
    expect(generateJoinToken('0'.repeat(64), new Uint8Array(16))).toBe(`SWMTKN-1-${'0'.repeat(50)}-${'0'.repeat(25)}`);
    // python3: base36(2**256 - 1), base36(2**128 - 1)
    expect(generateJoinToken('f'.repeat(64), new Uint8Array(16).fill(0xff))).toBe(
      'SWMTKN-1-6dp5qcb22im238nr3wvp0ic7q99w035jmy2iw7i6n43d37jtof-f5lxx1zz5pnorynqglhzmsp33',
    );
  });

  it('names the lengths swarmkit derives from 256- and 128-bit values', () => {
    expect(JOIN_TOKEN_DIGEST_LENGTH).toBe((2n ** 256n - 1n).toString(36).length);
    expect(JOIN_TOKEN_SECRET_LENGTH).toBe((2n ** 128n - 1n).toString(36).length);
    expect([JOIN_TOKEN_DIGEST_LENGTH, JOIN_TOKEN_SECRET_LENGTH, JOIN_TOKEN_SECRET_BYTES]).toEqual([50, 25, 16]);
  });

  it.each([
    ['an upper-case digest', SWARMNET_DIGEST.toUpperCase(), 16],
    ['a short digest', SWARMNET_DIGEST.slice(1), 16],
    ['a sha256: prefix', `sha256:${SWARMNET_DIGEST}`, 16],
    ['a 15-byte secret', SWARMNET_DIGEST, 15],
    ['a 17-byte secret', SWARMNET_DIGEST, 17],
  ])('refuses %s', (_, digest, secretBytes) => {
    expect(() => generateJoinToken(digest, new Uint8Array(secretBytes))).toThrow(InvalidArgumentError);
  });

  it('draws secrets of 16 bytes from the seeded RNG', () => {
    const a = newJoinTokenSecret(new Rng(11));
    expect(a.length).toBe(16);
    expect(newJoinTokenSecret(new Rng(11))).toEqual(a);
    expect(newJoinTokenSecret(new Rng(12))).not.toEqual(a);
  });
});

describe('parseJoinToken (swarmkit ParseJoinToken)', () => {
  it('reads the known vectors', () => {
    expect(parseJoinToken(DOCS_TOKEN)).toEqual({ version: 1, fips: false, rootCaDigest: DOCS_DIGEST, secret: '1awxwuwd3z9j1z3puu7rcgdbx' });
    expect(parseJoinToken(SWARMNET_TOKEN).rootCaDigest).toBe(SWARMNET_DIGEST);
    expect(parseJoinToken(`SWMTKN-2-1-${D50}-${S25}`)).toEqual({ version: 2, fips: true, rootCaDigest: '0'.repeat(63) + '1', secret: S25 });
    expect(parseJoinToken(`SWMTKN-2-0-${D50}-${S25}`)).toMatchObject({ version: 2, fips: false });
  });

  it('round-trips any digest and secret, v1 and FIPS', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (d, s, fips) => {
        const digest = Buffer.from(d).toString('hex');
        const token = generateJoinToken(digest, s, { fips });
        expect(token).toMatch(fips ? /^SWMTKN-2-1-[0-9a-z]{50}-[0-9a-z]{25}$/ : /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
        const parsed = parseJoinToken(token);
        expect(parsed).toMatchObject({ version: fips ? 2 : 1, fips, rootCaDigest: digest });
        expect(BigInt(`0x${Buffer.from(s).toString('hex')}`).toString(36).padStart(25, '0')).toBe(parsed.secret);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['empty', ''],
    ['the prefix alone', 'SWMTKN'],
    ['three parts', `SWMTKN-1-${D50}`],
    ['a lower-case prefix', `swmtkn-1-${D50}-${S25}`],
    ['another prefix', `SWMTKX-1-${D50}-${S25}`],
    ['version 0', `SWMTKN-0-${D50}-${S25}`],
    ['version 3', `SWMTKN-3-${D50}-${S25}`],
    ['version 01', `SWMTKN-01-${D50}-${S25}`],
    ['v1 with five parts', `SWMTKN-1-1-${D50}-${S25}`],
    ['v1 with a trailing dash', `SWMTKN-1-${D50}-${S25}-`],
    ['v2 with four parts', `SWMTKN-2-${D50}-${S25}`],
    ['v2 with FIPS flag 2', `SWMTKN-2-2-${D50}-${S25}`],
    ['v2 with an empty FIPS flag', `SWMTKN-2--${D50}-${S25}`],
    ['v2 with six parts', `SWMTKN-2-1-x-${D50}-${S25}`],
    ['a 49-character digest', `SWMTKN-1-${D50.slice(1)}-${S25}`],
    ['a 51-character digest', `SWMTKN-1-0${D50}-${S25}`],
    ['a 24-character secret', `SWMTKN-1-${D50}-${S25.slice(1)}`],
    ['a 26-character secret', `SWMTKN-1-${D50}-${S25}a`],
    ['a trailing newline', `SWMTKN-1-${D50}-${S25}\n`],
    ['a leading space', ` SWMTKN-1-${D50}-${S25}`],
    ['a digest of 50 two-byte characters', `SWMTKN-1-${'é'.repeat(50)}-${S25}`],
  ])('refuses %s with "invalid join token"', (_, token) => expectInvalid(token));

  it('counts lengths in UTF-8 bytes, as Go does', () => {
    // 25 'é' are 50 bytes: the length check passes and the digest reads as 0 (see below).
    expect(parseJoinToken(`SWMTKN-1-${'é'.repeat(25)}-${S25}`).rootCaDigest).toBe('0'.repeat(64));
    expectInvalid(`SWMTKN-1-${D50}-${'é'.repeat(25)}`);
  });

  it('refuses a digest above 2^256 - 1 with go-digest\'s length error, and takes the maximum', () => {
    // python3: base36(2**256) and base36(2**256 - 1), both 50 characters.
    expectInvalid(`SWMTKN-1-6dp5qcb22im238nr3wvp0ic7q99w035jmy2iw7i6n43d37jtog-${S25}`, INVALID_DIGEST_LENGTH);
    expectInvalid(`SWMTKN-1-${'z'.repeat(50)}-${S25}`, INVALID_DIGEST_LENGTH);
    expect(parseJoinToken(`SWMTKN-1-6dp5qcb22im238nr3wvp0ic7q99w035jmy2iw7i6n43d37jtof-${S25}`).rootCaDigest).toBe('f'.repeat(64));
  });

  it('reads the digest as Go big.Int.SetString(s, 36) leaves it', () => {
    // Either case is a digit.
    expect(parseJoinToken(DOCS_TOKEN.replace('3pu6hszjas', '3PU6HSZJAS')).rootCaDigest).toBe(DOCS_DIGEST);
    // A leading '+' is a sign. python3: int('abc', 36) = 0x3438.
    expect(parseJoinToken(`SWMTKN-1-+${'0'.repeat(46)}abc-${S25}`).rootCaDigest).toBe(`${'0'.repeat(60)}3438`);
    // Reading stops at the first non-digit, keeping the prefix: the join then fails on the
    // fingerprint, as in Docker, rather than here.
    expect(parseJoinToken(`SWMTKN-1-abc!${'z'.repeat(46)}-${S25}`).rootCaDigest).toBe(`${'0'.repeat(60)}3438`);
    expect(parseJoinToken(`SWMTKN-1-_${'z'.repeat(49)}-${S25}`).rootCaDigest).toBe('0'.repeat(64));
  });

  it('returns the secret as written, unchecked (the manager compares it)', () => {
    expect(parseJoinToken(`SWMTKN-1-${D50}-${'!'.repeat(25)}`).secret).toBe('!'.repeat(25));
  });

  it('throws nothing but InvalidJoinTokenError on any input', () => {
    const part = fc.oneof(fc.string(), fc.constantFrom('SWMTKN', '1', '2', '0', D50, S25, 'z'.repeat(50)));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(part, { maxLength: 7 }).map((p) => p.join('-'))), (token) => {
        try {
          const parsed = parseJoinToken(token);
          expect(parsed.rootCaDigest).toMatch(/^[0-9a-f]{64}$/);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidJoinTokenError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
