/**
 * NetworkDB's table entries (moby `networkdb/networkdb.go` `entry`, the `byTable`/`byNetwork`
 * indexes): per (table, network, key) the owning node, its Lamport time, the value, and whether it
 * is a tombstone waiting to be reaped. Watchers see creates, updates and deletes of live entries,
 * including entries hidden because their owner failed (a delete) and restored when it returns (a
 * create), so a data plane driven by watch events always matches `entries()`.
 */
export interface TableEntry {
  readonly owner: string;
  readonly ltime: number;
  readonly value: Uint8Array;
  /** A tombstone: deleted, kept until `reapAt` so late creates do not resurrect it. */
  readonly deleting: boolean;
  /** Clock time (ms) when a tombstone goes. */
  readonly reapAt: number;
}

export type TableEventKind = 'create' | 'update' | 'delete';

export interface TableWatchEvent {
  readonly kind: TableEventKind;
  readonly table: string;
  readonly network: string;
  readonly key: string;
  readonly owner: string;
  readonly value: Uint8Array;
}

export type TableWatcher = (event: TableWatchEvent) => void;

const id = (table: string, network: string, key: string) => `${table}\u0000${network}\u0000${key}`;

interface Stored {
  readonly table: string;
  readonly network: string;
  readonly key: string;
  entry: TableEntry;
}

export class TableStore {
  readonly #entries = new Map<string, Stored>();
  readonly #watchers = new Set<TableWatcher>();
  /** Owners whose entries are hidden (failed nodes). */
  readonly #hidden = new Set<string>();

  get size(): number {
    return this.#entries.size;
  }

  get(table: string, network: string, key: string): TableEntry | undefined {
    return this.#entries.get(id(table, network, key))?.entry;
  }

  watch(watcher: TableWatcher): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Live, visible entries of one table on one network. */
  entries(table: string, network: string): Map<string, TableEntry> {
    const out = new Map<string, TableEntry>();
    for (const s of this.#entries.values()) {
      if (s.table === table && s.network === network && !s.entry.deleting && !this.#hidden.has(s.entry.owner)) out.set(s.key, s.entry);
    }
    return out;
  }

  /** Every entry (tombstones too) of a network, for bulk sync. */
  *ofNetwork(network: string): Iterable<{ table: string; key: string; entry: TableEntry }> {
    for (const s of this.#entries.values()) if (s.network === network) yield { table: s.table, key: s.key, entry: s.entry };
  }

  /** Stores `entry`, telling watchers what changed for a visible entry. */
  put(table: string, network: string, key: string, entry: TableEntry): void {
    const k = id(table, network, key);
    const stored = this.#entries.get(k);
    const previous = stored?.entry;
    if (stored === undefined) this.#entries.set(k, { table, network, key, entry });
    else stored.entry = entry;
    const wasLive = previous !== undefined && !previous.deleting && !this.#hidden.has(previous.owner);
    const isLive = !entry.deleting && !this.#hidden.has(entry.owner);
    if (isLive) this.#emit({ kind: wasLive ? 'update' : 'create', table, network, key, owner: entry.owner, value: entry.value });
    else if (wasLive) this.#emit({ kind: 'delete', table, network, key, owner: previous.owner, value: previous.value });
  }

  /** Removes an entry outright (no tombstone): a remote node left the network, or reaping. */
  remove(table: string, network: string, key: string): void {
    const k = id(table, network, key);
    const old = this.#entries.get(k);
    if (old === undefined) return;
    this.#entries.delete(k);
    if (!old.entry.deleting && !this.#hidden.has(old.entry.owner)) this.#emit({ kind: 'delete', table, network, key, owner: old.entry.owner, value: old.entry.value });
  }

  /** Removes every entry `owner` has on `network` (or on every network). */
  removeOwned(owner: string, network?: string): void {
    for (const s of [...this.#entries.values()]) if (s.entry.owner === owner && (network === undefined || s.network === network)) this.remove(s.table, s.network, s.key);
  }

  /** Removes every entry of `network` (we left it). */
  removeNetwork(network: string): void {
    for (const s of [...this.#entries.values()]) if (s.network === network) this.remove(s.table, s.network, s.key);
  }

  /** A failed owner's entries vanish from view (deletes to watchers) but are kept. */
  hide(owner: string): void {
    if (this.#hidden.has(owner)) return;
    for (const s of this.#entries.values()) {
      if (s.entry.owner === owner && !s.entry.deleting) this.#emit({ kind: 'delete', table: s.table, network: s.network, key: s.key, owner, value: s.entry.value });
    }
    this.#hidden.add(owner);
  }

  /** The owner is back: its entries reappear (creates to watchers). */
  restore(owner: string): void {
    if (!this.#hidden.delete(owner)) return;
    for (const s of this.#entries.values()) {
      if (s.entry.owner === owner && !s.entry.deleting) this.#emit({ kind: 'create', table: s.table, network: s.network, key: s.key, owner, value: s.entry.value });
    }
  }

  isHidden(owner: string): boolean {
    return this.#hidden.has(owner);
  }

  /** Drops tombstones whose time is up. */
  reap(now: number): number {
    let n = 0;
    for (const [k, s] of this.#entries) {
      if (s.entry.deleting && s.entry.reapAt <= now) {
        this.#entries.delete(k);
        n++;
      }
    }
    return n;
  }

  #emit(event: TableWatchEvent): void {
    for (const w of this.#watchers) {
      try {
        w(event);
      } catch {
        /* a watcher's failure is its own; the store stays consistent */
      }
    }
  }
}
