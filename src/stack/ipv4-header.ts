/**
 * Writing the IPv4 header of a datagram this stack originates, straight into the frame, with no
 * repr object per packet (the hot send path). The layout and rules are the codec's
 * (src/wire/ipv4.ts, RFC 791 §3.1); the tests check these bytes parse back with `parseIpv4`.
 * Our datagrams never carry options: the header is always 20 bytes.
 */
import type { Ipv4Addr } from '../wire/address.js';
import { writeU16, writeU32 } from '../wire/bytes.js';
import { internetChecksum } from '../wire/checksum.js';
import {
  IPV4_CHECKSUM_OFFSET,
  IPV4_DSCP_ECN_OFFSET,
  IPV4_DST_OFFSET,
  IPV4_FLAGS_FRAG_OFFSET,
  IPV4_FLAG_DF,
  IPV4_FLAG_MF,
  IPV4_FRAG_UNIT,
  IPV4_HEADER_LEN,
  IPV4_IDENT_OFFSET,
  IPV4_PROTOCOL_OFFSET,
  IPV4_SRC_OFFSET,
  IPV4_TOTAL_LEN_OFFSET,
  IPV4_TTL_OFFSET,
  IPV4_VER_IHL_OFFSET,
  IPV4_VERSION,
} from '../wire/ipv4.js';

/** Linux's default TTL (`net.ipv4.ip_default_ttl`), and what busybox ping shows in replies. */
export const DEFAULT_TTL = 64;

/**
 * Writes a 20-byte header at `o`. `fragmentOffset` is in bytes (a multiple of 8); DSCP/ECN are 0
 * (Docker containers send best effort).
 */
export function writeIpv4Header(
  out: Uint8Array,
  o: number,
  totalLength: number,
  identification: number,
  dontFragment: boolean,
  moreFragments: boolean,
  fragmentOffset: number,
  ttl: number,
  protocol: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
): void {
  out[o + IPV4_VER_IHL_OFFSET] = (IPV4_VERSION << 4) | (IPV4_HEADER_LEN / 4);
  out[o + IPV4_DSCP_ECN_OFFSET] = 0;
  writeU16(out, o + IPV4_TOTAL_LEN_OFFSET, totalLength);
  writeU16(out, o + IPV4_IDENT_OFFSET, identification);
  writeU16(
    out,
    o + IPV4_FLAGS_FRAG_OFFSET,
    (dontFragment ? IPV4_FLAG_DF : 0) | (moreFragments ? IPV4_FLAG_MF : 0) | (fragmentOffset / IPV4_FRAG_UNIT),
  );
  out[o + IPV4_TTL_OFFSET] = ttl;
  out[o + IPV4_PROTOCOL_OFFSET] = protocol;
  writeU16(out, o + IPV4_CHECKSUM_OFFSET, 0);
  writeU32(out, o + IPV4_SRC_OFFSET, src);
  writeU32(out, o + IPV4_DST_OFFSET, dst);
  writeU16(out, o + IPV4_CHECKSUM_OFFSET, internetChecksum(out, o, o + IPV4_HEADER_LEN));
}
