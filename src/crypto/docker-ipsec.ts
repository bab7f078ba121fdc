/**
 * Docker's IPsec for encrypted overlays, derived from the swarm's `networking:ipsec` keys with
 * no key exchange (moby `drivers/overlay/encryption.go`; reference docker-overlay-facts.md §4.3):
 *
 * - SPI = FNV-1a-32 over (source IP as 16 bytes, IPv4-mapped; the key's tag as u32 big-endian;
 *   destination IP as 16 bytes), one per direction per key. The tag is the key's Lamport time.
 * - AES-GCM per RFC 4106 with key ‖ salt where salt = the SPI, 8-byte ICV (esp-gcm.ts).
 * - Per remote node: a reverse (inbound) SA for each of the three keys, and one forward
 *   (outbound) SA — with the primary, the second-oldest key — so every node accepts a key a whole
 *   rotation period before anyone sends with it. A rotation (oldest key dropped, a new one added)
 *   adds the new inbound SA, moves the outbound SA to the new primary, and removes the dropped
 *   key's inbound SA (moby's `updateNodeKey`: `+rSA3, +fSA2, swap fSP, -fSA1, -rSA0`).
 */
import { type Ipv4Addr } from '../wire/address.js';
import { dockerSa, EspInboundSa, EspOutboundSa } from './esp-gcm.js';

/** A `networking:ipsec` key as the session carries it. */
export interface IpsecKey {
  readonly key: Uint8Array;
  /** Lamport time: the key's tag (truncated to 32 bits, as moby does). */
  readonly lamportTime: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvByte(h: number, b: number): number {
  return Math.imul(h ^ b, FNV_PRIME) >>> 0;
}

/** IPv4 as moby's `net.IP.To16()`: ::ffff:a.b.c.d. */
function fnvIp(h: number, ip: Ipv4Addr): number {
  for (let i = 0; i < 10; i++) h = fnvByte(h, 0);
  h = fnvByte(fnvByte(h, 0xff), 0xff);
  for (const shift of [24, 16, 8, 0]) h = fnvByte(h, (ip >>> shift) & 0xff);
  return h;
}

/** moby `buildSPI(src, dst, tag)`. */
export function dockerSpi(src: Ipv4Addr, dst: Ipv4Addr, tag: number): number {
  let h = fnvIp(FNV_OFFSET, src);
  for (const shift of [24, 16, 8, 0]) h = fnvByte(h, (tag >>> shift) & 0xff);
  return fnvIp(h, dst);
}

/** The keys in moby's order of use: primary (second-oldest) first, then the oldest, the newest. */
export function ipsecKeyOrder(keys: readonly IpsecKey[]): IpsecKey[] {
  const sorted = [...keys].sort((a, b) => a.lamportTime - b.lamportTime);
  if (sorted.length >= 2) [sorted[0], sorted[1]] = [sorted[1]!, sorted[0]!];
  return sorted;
}

const tagOf = (k: IpsecKey) => k.lamportTime >>> 0;

/** One change to the SA database, for traces and tests (moby's log lines name the same steps). */
export type SaChange = { readonly op: 'add-inbound' | 'remove-inbound' | 'add-outbound' | 'remove-outbound'; readonly spi: number; readonly tag: number };

/**
 * The SAs between this node (`local`) and one remote node, kept in step with the key set.
 * `inbound(spi)` finds the SA for a received packet; `outbound` seals what we send.
 */
export class PeerSas {
  readonly #local: Ipv4Addr;
  readonly #remote: Ipv4Addr;
  readonly #inbound = new Map<number, EspInboundSa>();
  #outbound: EspOutboundSa | undefined;
  #outboundTag: number | undefined;

  constructor(local: Ipv4Addr, remote: Ipv4Addr) {
    this.#local = local;
    this.#remote = remote;
  }

  get outbound(): EspOutboundSa | undefined {
    return this.#outbound;
  }

  inbound(spi: number): EspInboundSa | undefined {
    return this.#inbound.get(spi);
  }

  /** Inbound SPIs installed now. */
  get inboundSpis(): number[] {
    return [...this.#inbound.keys()];
  }

  /**
   * Brings the SAs to `keys` (the swarm's three ipsec keys): the new inbound SA first, then the
   * outbound switch, then the removal — so no packet in flight finds its SA gone.
   */
  update(keys: readonly IpsecKey[]): SaChange[] {
    const changes: SaChange[] = [];
    const ordered = ipsecKeyOrder(keys);
    const wanted = new Map(ordered.map((k) => [dockerSpi(this.#remote, this.#local, tagOf(k)), k]));
    for (const [spi, k] of wanted) {
      if (this.#inbound.has(spi)) continue;
      this.#inbound.set(spi, new EspInboundSa(dockerSa(spi, k.key)));
      changes.push({ op: 'add-inbound', spi, tag: tagOf(k) });
    }
    const primary = ordered[0];
    if (primary !== undefined && this.#outboundTag !== tagOf(primary)) {
      const spi = dockerSpi(this.#local, this.#remote, tagOf(primary));
      if (this.#outbound !== undefined) changes.push({ op: 'remove-outbound', spi: this.#outbound.sa.spi, tag: this.#outboundTag! });
      this.#outbound = new EspOutboundSa(dockerSa(spi, primary.key));
      this.#outboundTag = tagOf(primary);
      changes.push({ op: 'add-outbound', spi, tag: tagOf(primary) });
    }
    for (const spi of [...this.#inbound.keys()]) {
      if (wanted.has(spi)) continue;
      this.#inbound.delete(spi);
      changes.push({ op: 'remove-inbound', spi, tag: 0 });
    }
    return changes;
  }
}
