/**
 * The host's IPsec SA database for encrypted overlays (moby keeps one SA set per remote node,
 * shared by every encrypted network): `PeerSas` per remote VTEP, created on first use with the
 * current `networking:ipsec` keys and moved along at each rotation (crypto/docker-ipsec.ts).
 * Peers are told apart by VTEP address, as moby does — and in port mode (every host on the same
 * 127.0.0.1) by port too, so each peer keeps its own replay window although their SPIs coincide.
 */
import { PeerSas, type IpsecKey, type SaChange } from '../crypto/docker-ipsec.js';
import type { Ipv4Addr } from '../wire/address.js';
import { parseIpv4Address } from '../wire/address.js';

export class IpsecSaDatabase {
  readonly #local: Ipv4Addr;
  readonly #peers = new Map<string, PeerSas>();
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
    for (const p of this.#peers.values()) changes.push(...p.update(this.#keys));
    return changes;
  }

  /** The SAs with the VTEP at `address:port` (created with the current keys). */
  peer(address: string, port: number): PeerSas | undefined {
    if (!this.ready) return undefined;
    // moby keys SAs by the remote IP: a replay from another port of that address meets the same
    // window. Only in port mode (every host on the local address) does the port tell peers apart.
    const key = parseIpv4Address(address) === this.#local ? `${address}:${port}` : address;
    let p = this.#peers.get(key);
    if (p === undefined) {
      p = new PeerSas(this.#local, parseIpv4Address(address));
      p.update(this.#keys);
      this.#peers.set(key, p);
    }
    return p;
  }
}
