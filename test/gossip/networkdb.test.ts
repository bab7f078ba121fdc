import { afterEach, describe, expect, it } from 'vitest';
import { seconds } from '../../src/util/clock.js';
import { NetworkDB } from '../../src/gossip/networkdb.js';
import type { TableWatchEvent } from '../../src/gossip/table-store.js';
import { encodeGossip } from '../../src/wire/networkdb.js';
import { encodeMessage } from '../../src/wire/memberlist.js';
import { flush, run, runUntil, world } from './support.js';

const NET_A = 'a'.repeat(64);
const NET_B = 'b'.repeat(64);
const TABLE = 'overlay_peer_table';
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

let dbs: NetworkDB[] = [];
afterEach(async () => {
  await Promise.all(dbs.map((d) => d.close()));
  dbs = [];
});

async function cluster(n: number) {
  const w = world(7);
  const events = new Map<string, TableWatchEvent[]>();
  const made = Array.from({ length: n }, (_, i) => {
    const name = `n${i}`.padEnd(12, '0');
    const db = new NetworkDB({ nodeName: name, transport: w.network.attach(`127.0.0.${i + 1}`, 7946), clock: w.clock, rng: w.rng(name) });
    const seen: TableWatchEvent[] = [];
    events.set(name, seen);
    db.watch((e) => seen.push(e));
    dbs.push(db);
    db.start();
    return db;
  });
  await made[0]!.join([]);
  for (const db of made.slice(1)) await db.join([made[0]!.memberlist.local]);
  await run(w.clock, 2000);
  return { ...w, dbs: made, events };
}

const value = (db: NetworkDB, network: string, key: string) => text(db.entries(TABLE, network).get(key)?.value);

describe('NetworkDB on memberlist (in-memory transport)', () => {
  it('table entries reach every node on the network, and only those', async () => {
    const c = await cluster(3);
    const [a, b, other] = c.dbs as [NetworkDB, NetworkDB, NetworkDB];
    await Promise.all([a.joinNetwork(NET_A), b.joinNetwork(NET_A), other.joinNetwork(NET_B)]);
    await run(c.clock, 1000);
    a.createEntry(TABLE, NET_A, 'ep1', bytes('10.0.1.3/24'));
    const took = await runUntil(c.clock, () => value(b, NET_A, 'ep1') === '10.0.1.3/24', seconds(5));
    expect(took).toBeLessThan(1000);
    await run(c.clock, 5000);
    expect(value(other, NET_A, 'ep1')).toBeUndefined();
    expect(c.events.get(other.name)!.length).toBe(0);
    expect(a.peers(NET_A).map((p) => p.name).sort()).toEqual([a.name, b.name].sort());
  });

  it('a node joining a network late gets its entries by bulk sync', async () => {
    const c = await cluster(3);
    const [a, , late] = c.dbs as [NetworkDB, NetworkDB, NetworkDB];
    await a.joinNetwork(NET_A);
    a.createEntry(TABLE, NET_A, 'ep1', bytes('one'));
    await run(c.clock, 3000);
    const joined = late.joinNetwork(NET_A);
    await runUntil(c.clock, () => value(late, NET_A, 'ep1') === 'one', seconds(3));
    await run(c.clock, 500);
    await joined;
  });

  it('update and delete propagate; the tombstone keeps a stale create out', async () => {
    const c = await cluster(2);
    const [a, b] = c.dbs as [NetworkDB, NetworkDB];
    await Promise.all([a.joinNetwork(NET_A), b.joinNetwork(NET_A)]);
    await run(c.clock, 1000);
    a.createEntry(TABLE, NET_A, 'ep1', bytes('v1'));
    await runUntil(c.clock, () => value(b, NET_A, 'ep1') === 'v1', seconds(3));
    a.updateEntry(TABLE, NET_A, 'ep1', bytes('v2'));
    await runUntil(c.clock, () => value(b, NET_A, 'ep1') === 'v2', seconds(3));
    a.deleteEntry(TABLE, NET_A, 'ep1');
    await runUntil(c.clock, () => value(b, NET_A, 'ep1') === undefined, seconds(3));
    expect(c.events.get(b.name)!.map((e) => e.kind)).toEqual(['create', 'update', 'delete']);
    // A replay of the old create (its Lamport time is stale) is dropped and counted.
    const staleBefore = b.stats.staleEvents;
    const replay = encodeGossip('TABLE_EVENT', { type: 'CREATE', l_time: 1, node_name: a.name, network_id: NET_A, table_name: TABLE, key: 'ep1', value: bytes('v1'), residual_reap_time: 0 });
    c.network.attach('127.0.0.50', 7946).sendPacket(b.memberlist.local, encodeMessage({ type: 'user', payload: replay }));
    await flush();
    expect(b.stats.staleEvents).toBe(staleBefore + 1);
    expect(b.drops.get('stale')).toBeGreaterThan(0);
    expect(value(b, NET_A, 'ep1')).toBeUndefined();
  });

  it('a failed node’s entries are hidden and come back with it; a node that leaves has them deleted', async () => {
    const c = await cluster(3);
    const [a, b, x] = c.dbs as [NetworkDB, NetworkDB, NetworkDB];
    await Promise.all([a.joinNetwork(NET_A), b.joinNetwork(NET_A), x.joinNetwork(NET_A)]);
    await run(c.clock, 1000);
    x.createEntry(TABLE, NET_A, 'epx', bytes('x'));
    await runUntil(c.clock, () => value(a, NET_A, 'epx') === 'x', seconds(3));
    c.network.partition(x.memberlist.local);
    await runUntil(c.clock, () => value(a, NET_A, 'epx') === undefined && value(b, NET_A, 'epx') === undefined, seconds(15));
    expect(a.nodes().find((n) => n.name === x.name)!.state).toBe('failed');
    c.network.heal(x.memberlist.local);
    await runUntil(c.clock, () => value(a, NET_A, 'epx') === 'x', seconds(10));
    const leaving = x.leave();
    await runUntil(c.clock, () => a.nodes().find((n) => n.name === x.name)?.state === 'left', seconds(6), 20);
    await run(c.clock, 7000);
    await leaving;
    expect(value(a, NET_A, 'epx')).toBeUndefined();
    expect(a.peers(NET_A).map((p) => p.name).sort()).toEqual([a.name, b.name].sort());
  });

  it('malformed gossip is counted by reason and changes nothing', async () => {
    const c = await cluster(2);
    const [a, b] = c.dbs as [NetworkDB, NetworkDB];
    await Promise.all([a.joinNetwork(NET_A), b.joinNetwork(NET_A)]);
    const attacker = c.network.attach('127.0.0.66', 7946);
    const before = b.drops.total();
    for (const payload of [Uint8Array.of(0xff, 0xff, 0xff), Uint8Array.of(0x08, 0x09), new Uint8Array(0), Uint8Array.of(0x08, 0x05, 0x12, 0x80)]) {
      attacker.sendPacket(b.memberlist.local, encodeMessage({ type: 'user', payload }));
    }
    await flush();
    expect(b.drops.total()).toBeGreaterThan(before);
    expect(b.entries(TABLE, NET_A).size).toBe(0);
  });
});
