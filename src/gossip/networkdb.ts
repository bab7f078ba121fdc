/**
 * NetworkDB (moby `daemon/libnetwork/networkdb`): per-network tables gossiped among the nodes on
 * each network, on top of memberlist (reference docker-overlay-facts.md §2).
 *
 * - Cluster-wide state — which nodes exist, which networks each is on — travels as NodeEvent and
 *   NetworkEvent broadcasts piggy-backed on memberlist's own, and in memberlist's push/pull as a
 *   `NetworkPushPull`. Both are ordered by `networkClock`.
 * - Table entries travel only among the nodes of their network: every 200 ms each network's
 *   pending TableEvents go to up to 3 random peers on it (UDP), and a TCP bulk sync of whole
 *   networks runs on join (with every node already on it) and every 30 s (with one random peer).
 *   They are ordered by `tableClock`; a stale event is dropped and counted, never re-broadcast.
 * - A node that fails has its entries hidden until it returns; a node that leaves has them
 *   deleted. Deleted entries stay as tombstones for 30 minutes.
 * - Participation is lazy: this node joins a network's gossip only when the network exists
 *   locally (`joinNetwork`), so tables of other networks never reach it.
 */
import { seconds, type Clock, type Duration, type Timer } from '../util/clock.js';
import { DropCounters } from '../util/drop.js';
import type { Rng } from '../util/rng.js';
import type { MemberlistKeyring } from '../crypto/memberlist-keyring.js';
import { decodeGossip, encodeCompound, encodeGossip, type NdbTableEvent } from '../wire/networkdb.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { LAN_TIMING, type MemberlistTiming } from './config.js';
import { LamportClock } from './lamport.js';
import { Memberlist } from './memberlist.js';
import type { Member } from './member-state.js';
import { TableStore, type TableEntry, type TableWatcher } from './table-store.js';
import type { GossipAddress, GossipTransport } from './transport.js';

/** `reapEntryInterval`: how long a tombstone lives. */
export const REAP_ENTRY_INTERVAL: Duration = seconds(30 * 60);
/** `reapPeriod`: how often tombstones and left networks are swept. */
export const REAP_PERIOD: Duration = seconds(5);
/** `reapNetworkInterval`: a left network is forgotten after this (30 min + 5 reap periods). */
export const REAP_NETWORK_INTERVAL: Duration = seconds(30 * 60 + 5 * 5);
/** `nodeReapInterval`: failed and left nodes are remembered this long. */
export const NODE_REAP_INTERVAL: Duration = seconds(24 * 60 * 60);
/** `retryInterval`: one failed node is retried this often. */
export const RETRY_INTERVAL: Duration = seconds(1);
/** `PacketBufferSize` (1500 − 100), the budget of one table-gossip datagram. */
export const PACKET_BUFFER_SIZE = 1400;
/** The unsolicited bulk sync waits this long for the peer's answer. */
export const BULK_SYNC_ACK_TIMEOUT: Duration = seconds(30);
/** `maxQueueLenBroadcastOnSync`: no rebroadcast of bulk-synced events past this queue length. */
export const MAX_QUEUE_LEN_BROADCAST_ON_SYNC = 500;
/** How long `leave` waits for the LEAVE event to be gossiped (moby `broadcastTimeout`). */
export const BROADCAST_TIMEOUT: Duration = seconds(5);
/** A compound GossipMessage's header and each part's overhead (moby `message.go`). */
const COMPOUND_HEADER_OVERHEAD = 5;
const COMPOUND_OVERHEAD = 4;

export type NdbNodeState = 'active' | 'failed' | 'left';

export interface NdbNode {
  readonly name: string;
  address: string;
  port: number;
  /** The Lamport time of the last node event about it. */
  ltime: number;
  state: NdbNodeState;
  /** Clock time of the last state change (for reaping). */
  since: number;
}

interface NetworkMembership {
  ltime: number;
  leaving: boolean;
  /** Clock time when a left network is forgotten. */
  reapAt: number;
  /** Our own networks only: the initial bulk sync is done, so received events are re-gossiped. */
  inSync: boolean;
  /** Our own networks only: events we originate, then events we relay. */
  broadcasts?: BroadcastQueue;
  rebroadcasts?: BroadcastQueue;
}

export interface NetworkDBOptions {
  /** 12 random hex characters, new at every start (moby `stringid.TruncateID(GenerateRandomID())`). */
  readonly nodeName: string;
  readonly transport: GossipTransport;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timing?: MemberlistTiming;
  readonly keyring?: MemberlistKeyring;
  readonly drops?: DropCounters;
}

export interface NetworkDBStats {
  eventsIn: number;
  staleEvents: number;
  tableEventsOut: number;
  bulkSyncs: number;
}

export class NetworkDB {
  readonly name: string;
  readonly memberlist: Memberlist;
  readonly tables = new TableStore();
  readonly stats: NetworkDBStats = { eventsIn: 0, staleEvents: 0, tableEventsOut: 0, bulkSyncs: 0 };
  readonly drops: DropCounters;
  readonly #o: NetworkDBOptions;
  readonly #clock: Clock;
  readonly #networkClock = new LamportClock();
  readonly #tableClock = new LamportClock();
  readonly #nodes = new Map<string, NdbNode>();
  /** node name → network ID → membership (ours included). */
  readonly #networks = new Map<string, Map<string, NetworkMembership>>();
  /** NodeEvents and NetworkEvents, piggy-backed on memberlist's broadcasts. */
  readonly #clusterBroadcasts: BroadcastQueue;
  readonly #timers = new Set<Timer>();
  readonly #bulkSyncWaiters = new Map<string, () => void>();
  #bootstrap: GossipAddress[] = [];
  #closed = false;

  constructor(options: NetworkDBOptions) {
    this.#o = options;
    this.name = options.nodeName;
    this.#clock = options.clock;
    this.drops = options.drops ?? new DropCounters();
    const timing = options.timing ?? LAN_TIMING;
    this.#clusterBroadcasts = new BroadcastQueue(timing.retransmitMult, () => this.#activeNodes().length + 1);
    this.memberlist = new Memberlist({
      name: options.nodeName,
      transport: options.transport,
      clock: options.clock,
      rng: options.rng,
      timing,
      drops: this.drops,
      ...(options.keyring ? { keyring: options.keyring } : {}),
      delegate: {
        notifyMsg: (payload) => this.#onMessage(payload, false),
        getBroadcasts: (overhead, limit) => this.#clusterBroadcasts.getBroadcasts(overhead, limit),
        localState: () => this.#localState(),
        mergeRemoteState: (state) => this.#mergeRemoteState(state),
      },
      events: { join: (m) => this.#memberJoined(m), leave: (m) => this.#memberLeft(m) },
    });
    this.#networks.set(this.name, new Map());
  }

  /** Starts memberlist and NetworkDB's own timers. */
  start(): void {
    this.memberlist.start();
    const t = this.memberlist.timing;
    this.#every(t.gossipInterval, () => this.#gossip());
    this.#every(t.pushPullInterval, () => void this.#periodicBulkSync());
    this.#every(REAP_PERIOD, () => this.#reap());
    this.#every(RETRY_INTERVAL, () => void this.#reconnect());
  }

  /** `clusterJoin`: memberlist join with the bootstrap nodes, then our NodeEvent JOIN. */
  async join(bootstrap: readonly GossipAddress[]): Promise<void> {
    this.#bootstrap = [...bootstrap];
    if (bootstrap.length > 0) await this.memberlist.join(bootstrap);
    this.#sendNodeEvent('JOIN');
  }

  // ---- networks ----

  /** `JoinNetwork`: announce, sync with every node already on it, then relay its events. */
  async joinNetwork(network: string): Promise<void> {
    const ltime = this.#networkClock.increment();
    const mine = this.#networks.get(this.name)!;
    const membership: NetworkMembership = {
      ltime,
      leaving: false,
      reapAt: 0,
      inSync: false,
      broadcasts: new BroadcastQueue(4, () => this.networkNodes(network).length),
      rebroadcasts: new BroadcastQueue(4, () => this.networkNodes(network).length),
    };
    mine.set(network, membership);
    this.#queueNetworkEvent('JOIN', network, ltime);
    const others = this.networkNodes(network).filter((n) => n !== this.name);
    await Promise.all(others.map((node) => this.#bulkSyncNode([network], node, true).catch(() => undefined)));
    if (mine.get(network) === membership) membership.inSync = true;
  }

  /** `LeaveNetwork`: announce; our entries become tombstones, others' go. */
  leaveNetwork(network: string): void {
    const mine = this.#networks.get(this.name)!;
    const membership = mine.get(network);
    if (membership === undefined || membership.leaving) return;
    const ltime = this.#networkClock.increment();
    membership.ltime = ltime;
    membership.leaving = true;
    membership.reapAt = this.#clock.now() + REAP_NETWORK_INTERVAL;
    this.#queueNetworkEvent('LEAVE', network, ltime);
    for (const { table, key, entry } of [...this.tables.ofNetwork(network)]) {
      if (entry.owner === this.name && !entry.deleting) {
        this.tables.put(table, network, key, { ...entry, ltime: this.#tableClock.increment(), deleting: true, reapAt: this.#clock.now() + REAP_ENTRY_INTERVAL });
      } else if (entry.owner !== this.name) {
        this.tables.remove(table, network, key);
      }
    }
  }

  /** The nodes on `network` as far as we know (us included when joined). */
  networkNodes(network: string): string[] {
    const out: string[] = [];
    for (const [node, nets] of this.#networks) {
      const m = nets.get(network);
      if (m === undefined || m.leaving) continue;
      if (node === this.name || this.#nodes.get(node)?.state === 'active') out.push(node);
    }
    return out;
  }

  /** `Peers(nid)`: the nodes on a network with their addresses (`docker network inspect`). */
  peers(network: string): { name: string; ip: string }[] {
    return this.networkNodes(network).map((n) => ({ name: n, ip: n === this.name ? this.memberlist.local.address : this.#nodes.get(n)!.address }));
  }

  /** Every NetworkDB node we know, with its state. */
  nodes(): NdbNode[] {
    return [...this.#nodes.values()];
  }

  // ---- tables ----

  watch(watcher: TableWatcher): () => void {
    return this.tables.watch(watcher);
  }

  /** `CreateEntry`: refused if a live entry exists. */
  createEntry(table: string, network: string, key: string, value: Uint8Array): void {
    const old = this.tables.get(table, network, key);
    if (old !== undefined && !old.deleting) throw new Error(`cannot create entry in table ${table} with network id ${network} and key ${key}, already exists`);
    this.#localWrite('CREATE', table, network, key, { owner: this.name, ltime: this.#tableClock.increment(), value, deleting: false, reapAt: 0 });
  }

  /** `UpdateEntry`: refused if there is no entry. */
  updateEntry(table: string, network: string, key: string, value: Uint8Array): void {
    if (this.tables.get(table, network, key) === undefined) throw new Error(`cannot update entry in table ${table} with network id ${network} and key ${key}, does not exist`);
    this.#localWrite('UPDATE', table, network, key, { owner: this.name, ltime: this.#tableClock.increment(), value, deleting: false, reapAt: 0 });
  }

  /** `DeleteEntry`: a tombstone, gossiped with its residual reap time. */
  deleteEntry(table: string, network: string, key: string): void {
    const old = this.tables.get(table, network, key);
    if (old === undefined || old.deleting) throw new Error(`cannot delete entry ${key} with network id ${network} and table name ${table}, does not exist`);
    this.#localWrite('DELETE', table, network, key, { owner: this.name, ltime: this.#tableClock.increment(), value: old.value, deleting: true, reapAt: this.#clock.now() + REAP_ENTRY_INTERVAL });
  }

  entries(table: string, network: string): Map<string, TableEntry> {
    return this.tables.entries(table, network);
  }

  // ---- lifecycle ----

  /** Graceful leave: NodeEvent LEAVE, then memberlist's leave (dead with From = us). */
  async leave(): Promise<void> {
    if (this.#closed) return;
    if (this.#activeNodes().length > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.#clock.setTimer(BROADCAST_TIMEOUT, resolve);
        this.#sendNodeEvent('LEAVE', () => {
          timer.cancel();
          resolve();
        });
      });
    }
    await this.memberlist.leave(seconds(1));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    for (const w of this.#bulkSyncWaiters.values()) w();
    this.#bulkSyncWaiters.clear();
    this.#clusterBroadcasts.reset();
    await this.memberlist.close();
  }

  // ---- sending ----

  #every(interval: Duration, tick: () => void): void {
    const arm = (delay: number) => {
      const timer = this.#clock.setTimer(delay as Duration, () => {
        this.#timers.delete(timer);
        if (this.#closed) return;
        arm(interval);
        tick();
      });
      this.#timers.add(timer);
    };
    arm(this.#o.rng.float() * interval);
  }

  #sendNodeEvent(type: 'JOIN' | 'LEAVE', onFinished?: () => void): void {
    const ltime = this.#networkClock.increment();
    const message = encodeGossip('NODE_EVENT', { type, l_time: ltime, node_name: this.name });
    this.#clusterBroadcasts.queue({ key: `node:${this.name}`, message, ...(onFinished ? { onFinished } : {}) });
  }

  #queueNetworkEvent(type: 'JOIN' | 'LEAVE', network: string, ltime: number): void {
    const message = encodeGossip('NETWORK_EVENT', { type, l_time: ltime, node_name: this.name, network_id: network });
    this.#clusterBroadcasts.queue({ key: `network:${network}:${this.name}`, message });
  }

  #localWrite(type: 'CREATE' | 'UPDATE' | 'DELETE', table: string, network: string, key: string, entry: TableEntry): void {
    this.tables.put(table, network, key, entry);
    const membership = this.#networks.get(this.name)!.get(network);
    if (membership === undefined || membership.leaving) return;
    const message = this.#tableEvent(type, table, network, key, entry);
    membership.broadcasts!.queue({ key: `table:${network}:${table}:${key}`, message });
    this.stats.tableEventsOut++;
  }

  #tableEvent(type: 'CREATE' | 'UPDATE' | 'DELETE', table: string, network: string, key: string, entry: TableEntry): Uint8Array {
    const residual = entry.deleting ? Math.max(0, Math.trunc((entry.reapAt - this.#clock.now()) / 1000)) : 0;
    return encodeGossip('TABLE_EVENT', { type, l_time: entry.ltime, node_name: entry.owner, network_id: network, table_name: table, key, value: entry.value, residual_reap_time: residual });
  }

  /** Every gossip interval: each of our networks' pending events to up to 3 of its nodes. */
  #gossip(): void {
    for (const [network, membership] of this.#networks.get(this.name)!) {
      if (membership.leaving) continue;
      const budget = PACKET_BUFFER_SIZE - COMPOUND_HEADER_OVERHEAD;
      const msgs = membership.broadcasts!.getBroadcasts(COMPOUND_OVERHEAD, budget);
      let used = 0;
      for (const m of msgs) used += m.length + COMPOUND_OVERHEAD;
      msgs.push(...membership.rebroadcasts!.getBroadcasts(COMPOUND_OVERHEAD, budget - used));
      if (msgs.length === 0) continue;
      const compound = encodeCompound(msgs);
      const peers = this.#o.rng.shuffle(this.networkNodes(network).filter((n) => n !== this.name)).slice(0, 3);
      for (const peer of peers) {
        const member = this.memberlist.member(peer);
        if (member !== undefined) this.memberlist.sendBestEffort(member, compound);
      }
    }
  }

  /** Every push/pull interval: each network synced with one of 2 random peers. */
  async #periodicBulkSync(): Promise<void> {
    const pending = [...this.#networks.get(this.name)!].filter(([, m]) => !m.leaving).map(([n]) => n);
    while (pending.length > 0 && !this.#closed) {
      const network = pending.shift()!;
      const candidates = this.#o.rng.shuffle(this.networkNodes(network).filter((n) => n !== this.name)).slice(0, 2);
      for (const node of candidates) {
        const common = this.#commonNetworks(node);
        try {
          await this.#bulkSyncNode(common, node, true);
          for (const n of common) {
            const i = pending.indexOf(n);
            if (i >= 0) pending.splice(i, 1);
          }
          break;
        } catch {
          /* try the second candidate */
        }
      }
    }
  }

  #commonNetworks(node: string): string[] {
    const theirs = this.#networks.get(node);
    if (theirs === undefined) return [];
    return [...this.#networks.get(this.name)!].filter(([n, m]) => !m.leaving && theirs.has(n) && !theirs.get(n)!.leaving).map(([n]) => n);
  }

  /** `bulkSyncNode`: every entry of `networks` to `node` over TCP; unsolicited ones wait for the answer. */
  async #bulkSyncNode(networks: readonly string[], node: string, unsolicited: boolean): Promise<void> {
    const member = this.memberlist.member(node);
    if (member === undefined || this.#closed) return;
    const msgs: Uint8Array[] = [];
    for (const network of networks) {
      for (const { table, key, entry } of this.tables.ofNetwork(network)) {
        if (this.tables.isHidden(entry.owner)) continue;
        msgs.push(this.#tableEvent(entry.deleting ? 'DELETE' : 'CREATE', table, network, key, entry));
      }
    }
    const message = encodeGossip('BULK_SYNC', { l_time: this.#tableClock.time(), unsolicited, node_name: this.name, networks: [...networks], payload: encodeCompound(msgs) });
    this.stats.bulkSyncs++;
    const answered = unsolicited
      ? new Promise<void>((resolve) => {
          const timer = this.#clock.setTimer(BULK_SYNC_ACK_TIMEOUT, () => {
            this.#bulkSyncWaiters.delete(node);
            resolve();
          });
          this.#bulkSyncWaiters.set(node, () => {
            timer.cancel();
            resolve();
          });
        })
      : Promise.resolve();
    try {
      await this.memberlist.sendReliable(member, message);
    } catch (error) {
      this.#bulkSyncWaiters.get(node)?.();
      this.#bulkSyncWaiters.delete(node);
      throw error;
    }
    await answered;
  }

  // ---- receiving ----

  #onMessage(bytes: Uint8Array, bulkSync: boolean): void {
    const decoded = decodeGossip(bytes);
    if (!decoded.ok) return this.drops.count(decoded.reason);
    const m = decoded.value;
    this.stats.eventsIn++;
    switch (m.type) {
      case 'NODE_EVENT':
        if (this.#handleNodeEvent(m.event.type, m.event.l_time, m.event.node_name)) this.#clusterBroadcasts.queue({ key: `node:${m.event.node_name}`, message: bytes.slice() });
        return;
      case 'NETWORK_EVENT': {
        const e = m.event;
        if (e.node_name === this.name) return;
        if (this.#handleNetworkEvent(e.type, e.l_time, e.node_name, e.network_id)) {
          this.#clusterBroadcasts.queue({ key: `network:${e.network_id}:${e.node_name}`, message: bytes.slice() });
        }
        return;
      }
      case 'TABLE_EVENT': {
        const e = m.event;
        if (e.node_name === this.name) return;
        if (!this.#handleTableEvent(e, bulkSync)) return;
        const membership = this.#networks.get(this.name)!.get(e.network_id);
        if (membership?.rebroadcasts === undefined) return;
        if (bulkSync && membership.rebroadcasts.length > MAX_QUEUE_LEN_BROADCAST_ON_SYNC) return;
        membership.rebroadcasts.queue({ key: `table:${e.network_id}:${e.table_name}:${e.key}`, message: bytes.slice() });
        return;
      }
      case 'BULK_SYNC': {
        const b = m.event;
        if (b.l_time > 0) this.#tableClock.witness(b.l_time);
        this.#onMessage(b.payload, true);
        if (!b.unsolicited) {
          this.#bulkSyncWaiters.get(b.node_name)?.();
          this.#bulkSyncWaiters.delete(b.node_name);
          return;
        }
        void this.#bulkSyncNode(b.networks, b.node_name, false).catch(() => undefined);
        return;
      }
      case 'COMPOUND':
        for (const part of m.messages) this.#onMessage(part, bulkSync);
        return;
      default:
        this.drops.count('unsupported');
    }
  }

  /** `handleNodeEvent`: true when it was news (to be re-gossiped). */
  #handleNodeEvent(type: string, ltime: number, name: string): boolean {
    this.#networkClock.witness(ltime);
    const node = this.#nodes.get(name);
    if (node === undefined) return false;
    if (node.ltime >= ltime) {
      this.#stale();
      return false;
    }
    node.ltime = ltime;
    if (this.memberlist.member(name) === undefined) return false;
    if (type === 'JOIN') return this.#changeNodeState(node, 'active');
    if (type === 'LEAVE') return this.#changeNodeState(node, 'left');
    return false;
  }

  /** `handleNetworkEvent`. */
  #handleNetworkEvent(type: string, ltime: number, node: string, network: string): boolean {
    this.#networkClock.witness(ltime);
    if (this.#nodes.get(node)?.state === 'left') return false;
    let nets = this.#networks.get(node);
    if (nets === undefined) {
      nets = new Map();
      this.#networks.set(node, nets);
    }
    const known = nets.get(network);
    if (known !== undefined && known.ltime >= ltime) {
      this.#stale();
      return false;
    }
    const leaving = type === 'LEAVE';
    if (leaving && known === undefined) return false;
    if (leaving) this.tables.removeOwned(node, network);
    nets.set(network, { ltime, leaving, reapAt: leaving ? this.#clock.now() + REAP_NETWORK_INTERVAL : 0, inSync: false });
    return true;
  }

  /** `handleTableEvent`: apply if fresh and relevant; true when it should be re-gossiped. */
  #handleTableEvent(e: NdbTableEvent, bulkSync: boolean): boolean {
    this.#tableClock.witness(e.l_time);
    const membership = this.#networks.get(this.name)!.get(e.network_id);
    if (membership === undefined || membership.leaving || !this.networkNodes(e.network_id).includes(e.node_name)) return false;
    const old = this.tables.get(e.table_name, e.network_id, e.key);
    if (old !== undefined && old.ltime >= e.l_time) {
      this.#stale();
      return false;
    }
    const deleting = e.type === 'DELETE';
    if (old === undefined && deleting && !bulkSync) return false;
    const residual = deleting ? (e.residual_reap_time > 0 ? e.residual_reap_time * 1000 : REAP_ENTRY_INTERVAL) : 0;
    this.tables.put(e.table_name, e.network_id, e.key, { owner: e.node_name, ltime: e.l_time, value: e.value, deleting, reapAt: deleting ? this.#clock.now() + residual : 0 });
    if (old === undefined && deleting) return membership.inSync && residual > REAP_ENTRY_INTERVAL / 6;
    return membership.inSync;
  }

  #stale(): void {
    this.stats.staleEvents++;
    this.drops.count('stale');
  }

  #changeNodeState(node: NdbNode, state: NdbNodeState): boolean {
    if (node.state === state) return false;
    const was = node.state;
    node.state = state;
    node.since = this.#clock.now();
    if (state === 'left') {
      this.tables.removeOwned(node.name);
      this.#networks.delete(node.name);
    } else if (state === 'failed') {
      this.tables.hide(node.name);
    } else if (was === 'failed') {
      this.tables.restore(node.name);
    }
    return true;
  }

  #activeNodes(): NdbNode[] {
    return [...this.#nodes.values()].filter((n) => n.state === 'active');
  }

  // ---- memberlist events and push/pull ----

  #memberJoined(m: Member): void {
    if (m.name === this.name) return;
    const node = this.#nodes.get(m.name);
    if (node === undefined) {
      this.#nodes.set(m.name, { name: m.name, address: m.address, port: m.port, ltime: 0, state: 'active', since: this.#clock.now() });
      return;
    }
    node.address = m.address;
    node.port = m.port;
    if (node.state === 'failed') this.#changeNodeState(node, 'active');
  }

  #memberLeft(m: Member): void {
    if (m.name === this.name) return;
    const node = this.#nodes.get(m.name);
    if (node === undefined || node.state !== 'active') return;
    this.#changeNodeState(node, 'failed');
  }

  #localState(): Uint8Array {
    const networks: { network_id: string; l_time: number; node_name: string; leaving: boolean }[] = [];
    for (const [node, nets] of this.#networks) {
      if (node !== this.name && this.#nodes.get(node)?.state !== 'active') continue;
      for (const [network, m] of nets) networks.push({ network_id: network, l_time: m.ltime, node_name: node, leaving: m.leaving });
    }
    return encodeGossip('PUSH_PULL', { l_time: this.#networkClock.time(), node_name: this.name, networks });
  }

  #mergeRemoteState(bytes: Uint8Array): void {
    const decoded = decodeGossip(bytes);
    if (!decoded.ok) return this.drops.count(decoded.reason);
    if (decoded.value.type !== 'PUSH_PULL') return this.drops.count('unsupported');
    const pp = decoded.value.event;
    if (pp.l_time > 0) this.#networkClock.witness(pp.l_time);
    this.#handleNodeEvent('JOIN', pp.l_time, pp.node_name);
    for (const n of pp.networks) {
      if (n.node_name === this.name) continue;
      this.#handleNetworkEvent(n.leaving ? 'LEAVE' : 'JOIN', n.l_time, n.node_name, n.network_id);
    }
  }

  #reap(): void {
    const now = this.#clock.now();
    this.tables.reap(now);
    for (const [node, nets] of this.#networks) {
      for (const [network, m] of nets) if (m.leaving && m.reapAt <= now) nets.delete(network);
      if (node !== this.name && nets.size === 0) this.#networks.delete(node);
    }
    for (const [name, node] of this.#nodes) {
      if (node.state !== 'active' && now - node.since > NODE_REAP_INTERVAL) {
        this.#nodes.delete(name);
        this.tables.removeOwned(name);
      }
    }
  }

  /** `reconnectNode`: one random failed node gets a join attempt; on success, JOIN and a sync. */
  async #reconnect(): Promise<void> {
    const failed = [...this.#nodes.values()].filter((n) => n.state === 'failed');
    if (failed.length === 0) return;
    const node = failed[this.#o.rng.int(0, failed.length - 1)]!;
    try {
      await this.memberlist.join([{ address: node.address, port: node.port }]);
    } catch {
      return;
    }
    this.#sendNodeEvent('JOIN');
    const common = this.#commonNetworks(node.name);
    if (common.length > 0) await this.#bulkSyncNode(common, node.name, true).catch(() => undefined);
  }
}
