/**
 * memberlist's keyring and AES-GCM sealing (`keyring.go`, `security.go`; reference
 * memberlist-wire.md §7, docker-overlay-facts.md §3.3): encrypt with the primary key, try every
 * key on receive. Version 1 (sent): `[0x01][12-byte random nonce][ciphertext][16-byte tag]`, AAD
 * empty for packets and the 5-byte stream header for streams. Version 0 (protocol 1 peers) is
 * accepted on receive: the same with PKCS#7 padding inside.
 *
 * Key changes follow memberlist's rules: `useKey` only for an installed key, the primary cannot
 * be removed; Docker installs the three swarm gossip keys with the second-oldest as primary.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { drop, ok, type Result } from '../util/drop.js';
import { ENCRYPTION_VERSION, GCM_NONCE_BYTES, GCM_TAG_BYTES } from '../wire/memberlist.js';

const VALID_KEY_LENGTHS = new Set([16, 24, 32]);
const EMPTY = new Uint8Array(0);

function cipherName(key: Uint8Array): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}

const sameKey = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export class MemberlistKeyring {
  #keys: Uint8Array[] = [];

  /** `NewKeyring(keys, primary)`: the primary first, then the others in order. */
  constructor(keys: readonly Uint8Array[], primary?: Uint8Array) {
    for (const k of keys) this.addKey(k);
    if (primary !== undefined) {
      this.addKey(primary);
      this.useKey(primary);
    }
  }

  /** Encryption is on once a key exists (`EncryptionEnabled`). */
  get enabled(): boolean {
    return this.#keys.length > 0;
  }

  get primary(): Uint8Array | undefined {
    return this.#keys[0];
  }

  get keys(): readonly Uint8Array[] {
    return this.#keys;
  }

  addKey(key: Uint8Array): void {
    if (!VALID_KEY_LENGTHS.has(key.length)) throw new RangeError(`key size must be 16, 24 or 32 bytes (got ${key.length})`);
    if (this.#keys.some((k) => sameKey(k, key))) return;
    this.#keys.push(Uint8Array.from(key));
  }

  useKey(key: Uint8Array): void {
    const i = this.#keys.findIndex((k) => sameKey(k, key));
    if (i < 0) throw new Error('requested key is not in the keyring');
    const [k] = this.#keys.splice(i, 1);
    this.#keys.unshift(k!);
  }

  removeKey(key: Uint8Array): void {
    const i = this.#keys.findIndex((k) => sameKey(k, key));
    if (i === 0) throw new Error('removing the primary key is not allowed');
    if (i > 0) this.#keys.splice(i, 1);
  }

  /** Docker's rotation (moby `handleKeyChange`): install the new keys, switch primary, drop the rest. */
  setKeys(primary: Uint8Array, keys: readonly Uint8Array[]): void {
    for (const k of keys) this.addKey(k);
    this.addKey(primary);
    this.useKey(primary);
    for (const k of [...this.#keys]) if (!keys.some((x) => sameKey(x, k)) && !sameKey(k, primary)) this.removeKey(k);
  }

  /** `encryptPayload` version 1 with the primary key. */
  seal(plaintext: Uint8Array, aad: Uint8Array = EMPTY, nonce: Uint8Array = randomBytes(GCM_NONCE_BYTES)): Uint8Array {
    const key = this.#keys[0];
    if (key === undefined) throw new Error('no primary key is installed');
    const cipher = createCipheriv(cipherName(key), key, nonce, { authTagLength: GCM_TAG_BYTES });
    if (aad.length > 0) cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    cipher.final();
    const out = new Uint8Array(1 + GCM_NONCE_BYTES + body.length + GCM_TAG_BYTES);
    out[0] = ENCRYPTION_VERSION;
    out.set(nonce, 1);
    out.set(body, 1 + GCM_NONCE_BYTES);
    out.set(cipher.getAuthTag(), 1 + GCM_NONCE_BYTES + body.length);
    return out;
  }

  /** `decryptPayload`: every key in turn; `auth-failed` when none opens it. */
  open(sealed: Uint8Array, aad: Uint8Array = EMPTY): Result<Uint8Array> {
    if (sealed.length === 0) return drop('truncated', 0);
    const version = sealed[0]!;
    if (version > ENCRYPTION_VERSION) return drop('bad-version', 0, version);
    if (sealed.length < 1 + GCM_NONCE_BYTES + GCM_TAG_BYTES) return drop('truncated', sealed.length);
    const nonce = sealed.subarray(1, 1 + GCM_NONCE_BYTES);
    const body = sealed.subarray(1 + GCM_NONCE_BYTES, sealed.length - GCM_TAG_BYTES);
    const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
    for (const key of this.#keys) {
      try {
        const decipher = createDecipheriv(cipherName(key), key, nonce, { authTagLength: GCM_TAG_BYTES });
        if (aad.length > 0) decipher.setAAD(aad);
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(body), decipher.final()]);
        if (version === 1) return ok(new Uint8Array(plain.buffer, plain.byteOffset, plain.length));
        // Version 0: PKCS#7 padding to the AES block.
        const pad = plain.length > 0 ? plain[plain.length - 1]! : 0;
        if (pad === 0 || pad > 16 || pad > plain.length) return drop('malformed', sealed.length - GCM_TAG_BYTES - 1, pad);
        return ok(new Uint8Array(plain.buffer, plain.byteOffset, plain.length - pad));
      } catch {
        /* not this key */
      }
    }
    return drop('auth-failed', 0);
  }

  encryptPacket(plaintext: Uint8Array): Uint8Array {
    return this.seal(plaintext);
  }

  decryptPacket(bytes: Uint8Array): Result<Uint8Array> {
    return this.open(bytes);
  }
}
