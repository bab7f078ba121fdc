/**
 * `wire/`: the public surface. One pure codec per protocol (CONVENTIONS §1) — views, reprs,
 * `parseX`/`emitX`/`xLen` — with the address, byte-order, checksum and table helpers they share.
 * No I/O and no crypto here: ESP's AEAD transform is in `crypto/`, capture files are written by
 * `dataplane/`.
 */
export * from './address.js';
export * from './bytes.js';
export * from './checksum.js';
export * from './payload.js';
export * from './table.js';
export * from './ethernet.js';
export * from './arp.js';
export * from './ipv4.js';
export * from './icmp.js';
export * from './udp.js';
export * from './tcp.js';
export * from './tcp-options.js';
export * from './vxlan.js';
export * from './esp.js';
export * from './dns.js';
export * from './dns-walk.js';
export * from './pcap.js';

export * from './msgpack.js';
export * from './lzw.js';
export * from './memberlist.js';
export * from './networkdb.js';
