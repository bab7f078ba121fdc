/**
 * The host's IPsec SA database for encrypted overlays (moby keeps one SA set per remote node,
 * shared by every encrypted network): `PeerSas` per remote VTEP, created on first use with the
 * current `networking:ipsec` keys and moved along at each rotation (crypto/docker-ipsec.ts).
 * Peers are told apart by VTEP address, as moby does — and in port mode (every host on the same
 * 127.0.0.1) by port too, so each peer keeps its own replay window although their SPIs coincide.
 */
import { dockerSpi, PeerSas, type IpsecKey, type SaChange } from '../crypto/docker-ipsec.js';
import type { Ipv4Addr } from '../wire/address.js';
import { parseIpv4Address } from '../wire/address.js';

/** One SA as Wireshark's `esp_sa` table names it. */
export interface EspSaRecord {
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  readonly spi: number;
  /** 16-byte key ‖ 4-byte salt (= the SPI), RFC 4106 key material. */
  readonly keyAndSalt: Uint8Array;
}

/** Wireshark's `esp_sa` UAT line for one SA (the algorithm named as Wireshark spells it). */
export function espSaLine(r: EspSaRecord): string {
  const ip = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  return `"IPv4","${ip(r.src)}","${ip(r.dst)}","0x${r.spi.toString(16).padStart(8, '0')}","AES-GCM with 8 octet ICV [RFC4106]","0x${Buffer.from(r.keyAndSalt).toString('hex')}","NULL",""`;
}

export class IpsecSaDatabase {
  readonly #local: Ipv4Addr;
  readonly #peers = new Map<string, PeerSas>();
  /** Each peer's address, by the peer's key in `#peers`. */
  readonly #remoteOf = new Map<string, Ipv4Addr>();
  /** Every SA installed so far, both directions, for captures' key files. */
  readonly #history = new Map<string, EspSaRecord>();
  #keys: readonly IpsecKey[] = [];

  constructor(localAddress: string) {
    this.#local = parseIpv4Address(localAddress);
  }

  /** Whether keys are installed (an encrypted network cannot carry traffic without them). */
  get ready(): boolean {
    return this.#keys.length > 0;
  }

  /** A new key set (the session's `networking:ipsec` keys): every peer's SAs follow. */
  setKeys(keys: readonly IpsecKey[]): SaChange[] {
    this.#keys = [...keys];
    const changes: SaChange[] = [];
    for (const [key, p] of this.#peers) {
      changes.push(...p.update(this.#keys));
      this.#remember(this.#remoteOf.get(key)!);
    }
    return changes;
  }

  /** Every SA installed so far (older keys too), as Wireshark needs them to decrypt a capture. */
  records(): EspSaRecord[] {
    return [...this.#history.values()];
  }

  #remember(remote: Ipv4Addr): void {
    for (const k of this.#keys) {
      const tag = k.lamportTime >>> 0;
      for (const [src, dst] of [
        [this.#local, remote],
        [remote, this.#local],
      ] as const) {
        const spi = dockerSpi(src, dst, tag);
        const keyAndSalt = new Uint8Array(k.key.length + 4);
        keyAndSalt.set(k.key);
        new DataView(keyAndSalt.buffer).setUint32(k.key.length, spi);
        this.#history.set(`${src}>${dst}:${spi}`, { src, dst, spi, keyAndSalt });
      }
    }
  }

  /** The SAs with the VTEP at `address:port` (created with the current keys). */
  peer(address: string, port: number): PeerSas | undefined {
    if (!this.ready) return undefined;
    // moby keys SAs by the remote IP: a replay from another port of that address meets the same
    // window. Only in port mode (every host on the local address) does the port tell peers apart.
    const key = parseIpv4Address(address) === this.#local ? `${address}:${port}` : address;
    let p = this.#peers.get(key);
    if (p === undefined) {
      const remote = parseIpv4Address(address);
      p = new PeerSas(this.#local, remote);
      p.update(this.#keys);
      this.#peers.set(key, p);
      this.#remoteOf.set(key, remote);
      this.#remember(remote);
    }
    return p;
  }
}
