/**
 * The forwarding state of one overlay network on one host: what moby's overlay driver programs
 * into the network's vxlan device from the gossiped `overlay_peer_table` (reference §1.5).
 *
 * Contract:
 * - `add`/`remove` take a peer (endpoint IP, MAC, remote VTEP address and port). The caller (the
 *   cluster today, gossip later) leaves out entries whose VTEP is this host: local endpoints are
 *   reached through their bridge port, never through the table.
 * - Two programmed tables answer the data path, both keyed by numbers (no allocation per lookup):
 *   the neighbour table IP → MAC (what the vxlan `proxy` answers ARP from) and the FDB
 *   MAC → VTEP (where a unicast frame is tunnelled to).
 * - Duplicates during task churn are tolerated as moby does (`drivers/overlay/peerdb.go`): the
 *   database keeps every entry per IP in arrival order, only the first is programmed; deleting the
 *   programmed entry programs the next one for that IP ("restore one configuration for the ip
 *   directly from the database"). A repeated add of the same entry changes nothing.
 * - FDB entries are reference-counted per (VTEP, MAC) (moby `fdbCnt`), so two programmed IPs that
 *   share a MAC and VTEP keep the FDB entry until both are gone. When one MAC is programmed
 *   towards two VTEPs at once, the most recently programmed VTEP is used, and the other takes over
 *   again if that one is removed.
 * - The database is bounded by `PEER_TABLE_MAX_ENTRIES`; an add beyond it is refused
 *   (`'table-full'`) rather than thrown, because gossip from peers will drive this table.
 * - Misuse by the caller (a MAC out of range, a port of 70000) throws `InvalidArgumentError`.
 */
import { InvalidArgumentError } from '../util/errors.js';
import { assertIpv4, assertMac, formatIpv4, formatMac, type Ipv4Addr, type MacAddr } from '../wire/address.js';

/**
 * Most entries one network's peer database holds. A /16 overlay subnet has 65 534 endpoint
 * addresses; the limit leaves room for transient duplicates in churn on top of a full /16.
 */
export const PEER_TABLE_MAX_ENTRIES = 131_072;

/** One remote endpoint as the peer table records it. */
export interface Peer {
  readonly ip: Ipv4Addr;
  readonly mac: MacAddr;
  /** The remote host's VTEP (its data-path address, a loopback address here). */
  readonly vtepAddress: string;
  /** The UDP port the remote VTEP listens on (4789 in address mode). */
  readonly vtepPort: number;
}

/** Where a MAC is tunnelled to. One shared object per VTEP: lookups allocate nothing. */
export interface VtepEndpoint {
  readonly address: string;
  readonly port: number;
}

export type PeerAddResult = 'added' | 'duplicate' | 'table-full';

/** A (VTEP, MAC) pair's FDB reference count. */
interface FdbRef {
  readonly vtep: VtepEndpoint;
  refs: number;
}

export class PeerTable {
  /** Every entry, per IP, in arrival order; the first one is the programmed one. */
  private readonly database = new Map<Ipv4Addr, Peer[]>();
  private entries = 0;
  /** Programmed neighbour entries: IP → MAC. */
  private readonly neighbours = new Map<Ipv4Addr, MacAddr>();
  /** Programmed FDB: MAC → VTEP (the most recently programmed (VTEP, MAC) with references). */
  private readonly fdb = new Map<MacAddr, VtepEndpoint>();
  /** References per MAC, one record per VTEP, oldest first. */
  private readonly fdbRefs = new Map<MacAddr, FdbRef[]>();
  /**
   * Interned VTEP endpoints, so the FDB hands out the same object for the same VTEP, with the
   * number of (VTEP, MAC) reference records using each (dropped from the map at zero).
   */
  private readonly vteps = new Map<string, { readonly vtep: VtepEndpoint; records: number }>();

  /** Entries in the database (programmed or waiting behind a duplicate IP). */
  get size(): number {
    return this.entries;
  }

  /** The VTEP a unicast frame for `mac` is tunnelled to (hot path). */
  vtepForMac(mac: MacAddr): VtepEndpoint | undefined {
    return this.fdb.get(mac);
  }

  /** The MAC the ARP proxy answers for `ip` (hot path). */
  macForIp(ip: Ipv4Addr): MacAddr | undefined {
    return this.neighbours.get(ip);
  }

  /** Every entry in the database, programmed ones first for each IP. */
  list(): readonly Peer[] {
    const out: Peer[] = [];
    for (const entries of this.database.values()) out.push(...entries);
    return out;
  }

  /** The entries currently programmed (one per IP). */
  programmed(): readonly Peer[] {
    const out: Peer[] = [];
    for (const entries of this.database.values()) out.push(entries[0]);
    return out;
  }

  add(peer: Peer): PeerAddResult {
    const entry = checkedPeer(peer);
    const forIp = this.database.get(entry.ip);
    if (forIp?.some((e) => samePeer(e, entry))) return 'duplicate';
    if (this.entries >= PEER_TABLE_MAX_ENTRIES) return 'table-full';
    this.entries++;
    if (forIp === undefined) {
      this.database.set(entry.ip, [entry]);
      this.program(entry);
    } else {
      // moby peerAdd: another endpoint already owns this IP (transient churn); keep the entry in
      // the database only, it is programmed if the current one is deleted.
      forIp.push(entry);
    }
    return 'added';
  }

  /** Removes one entry; returns false if it was not in the table. */
  remove(peer: Peer): boolean {
    const entry = checkedPeer(peer);
    const forIp = this.database.get(entry.ip);
    const at = forIp === undefined ? -1 : forIp.findIndex((e) => samePeer(e, entry));
    if (forIp === undefined || at < 0) return false;
    this.entries--;
    forIp.splice(at, 1);
    if (at !== 0) return true; // never programmed: nothing to undo
    this.unprogram(entry);
    if (forIp.length === 0) {
      this.database.delete(entry.ip);
    } else {
      // moby peerDelete: "Restore one configuration for the ip directly from the database".
      this.program(forIp[0]);
    }
    return true;
  }

  private program(entry: Peer): void {
    this.neighbours.set(entry.ip, entry.mac);
    const vtep = this.intern(entry.vtepAddress, entry.vtepPort);
    let refs = this.fdbRefs.get(entry.mac);
    if (refs === undefined) {
      refs = [];
      this.fdbRefs.set(entry.mac, refs);
    }
    const existing = refs.findIndex((r) => r.vtep === vtep);
    if (existing >= 0) {
      const [ref] = refs.splice(existing, 1);
      ref.refs++;
      refs.push(ref);
    } else {
      refs.push({ vtep, refs: 1 });
      this.vteps.get(vtepKey(vtep.address, vtep.port))!.records++;
    }
    this.fdb.set(entry.mac, vtep);
  }

  private unprogram(entry: Peer): void {
    this.neighbours.delete(entry.ip);
    const key = vtepKey(entry.vtepAddress, entry.vtepPort);
    const interned = this.vteps.get(key);
    const refs = this.fdbRefs.get(entry.mac);
    if (interned === undefined || refs === undefined) return;
    const vtep = interned.vtep;
    const at = refs.findIndex((r) => r.vtep === vtep);
    if (at < 0) return;
    if (--refs[at].refs > 0) return;
    refs.splice(at, 1);
    if (refs.length === 0) {
      this.fdbRefs.delete(entry.mac);
      this.fdb.delete(entry.mac);
    } else {
      this.fdb.set(entry.mac, refs[refs.length - 1].vtep);
    }
    if (--interned.records === 0) this.vteps.delete(key);
  }

  private intern(address: string, port: number): VtepEndpoint {
    const key = vtepKey(address, port);
    let interned = this.vteps.get(key);
    if (interned === undefined) {
      interned = { vtep: Object.freeze({ address, port }), records: 0 };
      this.vteps.set(key, interned);
    }
    return interned.vtep;
  }
}

function vtepKey(address: string, port: number): string {
  return `${address}:${port}`;
}

function samePeer(a: Peer, b: Peer): boolean {
  return a.ip === b.ip && a.mac === b.mac && a.vtepAddress === b.vtepAddress && a.vtepPort === b.vtepPort;
}

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A frozen copy of a caller's peer, after the argument checks. */
function checkedPeer(peer: Peer): Peer {
  assertIpv4('peer IPv4 address', peer.ip);
  assertMac('peer MAC', peer.mac);
  if (typeof peer.vtepAddress !== 'string' || !DOTTED_QUAD.test(peer.vtepAddress)) {
    throw new InvalidArgumentError(`peer VTEP address must be dotted-quad IPv4: ${JSON.stringify(peer.vtepAddress)}`);
  }
  if (!Number.isInteger(peer.vtepPort) || peer.vtepPort < 1 || peer.vtepPort > 0xffff) {
    throw new InvalidArgumentError(`peer VTEP port out of range 1..65535: ${peer.vtepPort}`);
  }
  return Object.freeze({ ip: peer.ip, mac: peer.mac, vtepAddress: peer.vtepAddress, vtepPort: peer.vtepPort });
}

/** `10.0.1.3 02:42:0a:00:01:03 → 127.1.2.2:4789`, for logs and errors. */
export function formatPeer(peer: Peer): string {
  return `${formatIpv4(peer.ip)} ${formatMac(peer.mac)} → ${peer.vtepAddress}:${peer.vtepPort}`;
}
