/**
 * Link and network addresses as plain numbers, so that reprs compare with `===`, FDB and
 * neighbour tables key on numbers, and nothing is allocated to carry an address.
 *
 * - MAC: a 48-bit unsigned integer (exact in a JS number), `0x0242_0a00_0003`.
 * - IPv4: a 32-bit unsigned integer, `0x0a000003` for 10.0.0.3.
 */
import { InvalidArgumentError } from '../util/errors.js';

export type MacAddr = number;
export type Ipv4Addr = number;

export const MAC_BROADCAST: MacAddr = 0xffff_ffff_ffff;
export const MAC_ZERO: MacAddr = 0;

/**
 * Throws `InvalidArgumentError` unless `mac` is an integer in 0..2^48−1. `what` names the field in
 * full (`destination MAC`, `sender MAC`), as the message reads.
 */
export function assertMac(what: string, mac: number): void {
  if (!Number.isInteger(mac) || mac < 0 || mac > MAC_BROADCAST) {
    throw new InvalidArgumentError(`${what} out of range 0..2^48-1: ${mac}`);
  }
}

/**
 * Throws `InvalidArgumentError` unless `ip` is an integer in 0..2^32−1. `what` names the field in
 * full (`IPv4 source address`, `sender IPv4 address`), as the message reads.
 */
export function assertIpv4(what: string, ip: number): void {
  if (!Number.isInteger(ip) || ip < 0 || ip > 0xffff_ffff) {
    throw new InvalidArgumentError(`${what} out of range 0..2^32-1: ${ip}`);
  }
}

/** `02:42:0a:00:00:03` */
export function formatMac(mac: MacAddr): string {
  return mac.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
}

/** Parses `aa:bb:cc:dd:ee:ff` (or `-` separated). Throws `InvalidArgumentError` otherwise. */
export function parseMacAddress(text: string): MacAddr {
  const m = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(text);
  if (m === null) throw new InvalidArgumentError(`invalid MAC address: ${JSON.stringify(text)}`);
  return parseInt(m.slice(1).join(''), 16);
}

/** Group bit (I/G, least significant bit of the first octet): broadcast and multicast. */
export function isMulticastMac(mac: MacAddr): boolean {
  return Math.floor(mac / 0x100_0000_0000) % 2 === 1;
}

/** Docker's overlay MAC: `02:42:` followed by the four IPv4 octets (moby `GenerateMACFromIP`). */
export function macFromIpv4(ip: Ipv4Addr): MacAddr {
  return 0x0242 * 0x1_0000_0000 + (ip >>> 0);
}

/** `10.0.0.3` */
export function formatIpv4(ip: Ipv4Addr): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

/** Parses dotted-quad IPv4 text (no leading zeros, each octet 0–255). Throws `InvalidArgumentError`. */
export function parseIpv4Address(text: string): Ipv4Addr {
  const parts = text.split('.');
  if (parts.length !== 4) throw new InvalidArgumentError(`invalid IPv4 address: ${JSON.stringify(text)}`);
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) {
      throw new InvalidArgumentError(`invalid IPv4 address: ${JSON.stringify(text)}`);
    }
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}
