/** Small formatting helpers shared by the applets (C printf idioms busybox uses). */
import type { Ipv4Addr } from '../../wire/address.js';

/** `"%u.%03u"` of a microsecond count: milliseconds with three decimals (ping's times). */
export function formatMicrosAsMillis(us: number): string {
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

/** The netmask of a prefix length, as a uint32. */
export function netmask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffff_ffff << (32 - prefixLength)) >>> 0;
}

/** The directed broadcast address of `address/prefixLength`. */
export function broadcastAddress(address: Ipv4Addr, prefixLength: number): Ipv4Addr {
  return (address | ~netmask(prefixLength)) >>> 0;
}
