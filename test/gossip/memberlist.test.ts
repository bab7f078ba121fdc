import { afterEach, describe, expect, it } from 'vitest';
import { seconds } from '../../src/util/clock.js';
import { MemberlistKeyring } from '../../src/crypto/memberlist-keyring.js';
import { Memberlist } from '../../src/gossip/memberlist.js';
import type { Member } from '../../src/gossip/member-state.js';
import { encodeMessage } from '../../src/wire/memberlist.js';
import { flush, run, runUntil, world } from './support.js';

let nodes: Memberlist[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

function cluster(n: number, options: { keys?: (i: number) => Uint8Array[] } = {}) {
  const w = world();
  const events: { node: string; kind: 'join' | 'leave'; who: string; state: string; at: number }[] = [];
  const made = Array.from({ length: n }, (_, i) => {
    const name = `node${i}`;
    const keys = options.keys?.(i);
    const m = new Memberlist({
      name,
      transport: w.network.attach(`127.0.0.${i + 1}`, 7946),
      clock: w.clock,
      rng: w.rng(name),
      ...(keys ? { keyring: new MemberlistKeyring(keys, keys[0]!) } : {}),
      events: {
        join: (x: Member) => events.push({ node: name, kind: 'join', who: x.name, state: x.state, at: w.clock.now() }),
        leave: (x: Member) => events.push({ node: name, kind: 'leave', who: x.name, state: x.state, at: w.clock.now() }),
      },
    });
    nodes.push(m);
    m.start();
    return m;
  });
  return { ...w, nodes: made, events };
}

const alive = (m: Memberlist) => m.members().map((x) => x.name).sort();

describe('memberlist (SWIM) on the in-memory transport', () => {
  it('nodes that join one seed all list each other alive', async () => {
    const c = cluster(4);
    for (const m of c.nodes.slice(1)) await m.join([c.nodes[0]!.local]);
    await runUntil(c.clock, () => c.nodes.every((m) => alive(m).length === 4), seconds(5));
    for (const m of c.nodes) expect(alive(m)).toEqual(['node0', 'node1', 'node2', 'node3']);
  });

  it('a node cut off is suspected, then declared dead within memberlist’s bounds; the others stay alive', async () => {
    const c = cluster(3);
    for (const m of c.nodes.slice(1)) await m.join([c.nodes[0]!.local]);
    await run(c.clock, 2000);
    const victim = c.nodes[2]!;
    c.network.partition(victim.local);
    const cutAt = c.clock.now();
    const took = await runUntil(c.clock, () => c.nodes.slice(0, 2).every((m) => m.member('node2')?.state === 'dead'), seconds(20));
    // First failed probe within ~1–3 s, then the 4 s suspicion timeout (N ≤ 3: no confirmations).
    expect(took).toBeGreaterThanOrEqual(4000);
    expect(took).toBeLessThanOrEqual(8000);
    expect(c.events.filter((e) => e.kind === 'leave' && e.who === 'node2' && e.state === 'dead').every((e) => e.at > cutAt)).toBe(true);
    expect(alive(c.nodes[0]!)).toEqual(['node0', 'node1']);
    expect(alive(c.nodes[1]!)).toEqual(['node0', 'node1']);
  });

  it('a graceful leave is seen as a leave (state left), fast', async () => {
    const c = cluster(3);
    for (const m of c.nodes.slice(1)) await m.join([c.nodes[0]!.local]);
    await run(c.clock, 2000);
    const leaving = c.nodes[1]!.leave(seconds(2));
    const took = await runUntil(c.clock, () => c.nodes[0]!.member('node1')?.state === 'left' && c.nodes[2]!.member('node1')?.state === 'left', seconds(2), 10);
    await run(c.clock, 2000);
    await leaving;
    expect(took).toBeLessThan(1000);
  });

  it('a node accused of being suspect refutes with a higher incarnation and stays alive', async () => {
    const c = cluster(3);
    for (const m of c.nodes.slice(1)) await m.join([c.nodes[0]!.local]);
    await run(c.clock, 2000);
    const target = c.nodes[1]!;
    const before = target.member('node1')!.incarnation;
    // A false rumour, straight to the target and to node2.
    const rumour = encodeMessage({ type: 'suspect', body: { incarnation: before, node: 'node1', from: 'node0' } });
    c.network.attach('127.0.0.99', 7946).sendPacket(target.local, rumour);
    c.network.attach('127.0.0.98', 7946).sendPacket(c.nodes[2]!.local, rumour);
    await run(c.clock, 10_000);
    expect(target.member('node1')!.incarnation).toBeGreaterThan(before);
    for (const m of c.nodes) expect(m.member('node1')!.state).toBe('alive');
  });

  it('with a shared key nodes converge; a node with another key cannot join and its packets are counted', async () => {
    const good = Uint8Array.from({ length: 16 }, (_, i) => i);
    const bad = new Uint8Array(16).fill(0xee);
    const c = cluster(3, { keys: (i) => [i === 2 ? bad : good] });
    await c.nodes[1]!.join([c.nodes[0]!.local]);
    await expect(c.nodes[2]!.join([c.nodes[0]!.local])).rejects.toThrow(/failed to join/);
    await run(c.clock, 3000);
    expect(alive(c.nodes[0]!)).toEqual(['node0', 'node1']);
    expect(alive(c.nodes[2]!)).toEqual(['node2']);
    expect(c.nodes[0]!.drops.get('auth-failed')).toBeGreaterThan(0);
  });

  it('garbage and plaintext to an encrypting node are dropped and counted; its state does not change', async () => {
    const key = new Uint8Array(16).fill(1);
    const c = cluster(2, { keys: () => [key] });
    await c.nodes[1]!.join([c.nodes[0]!.local]);
    await run(c.clock, 1000);
    const attacker = c.network.attach('127.0.0.66', 7946);
    const target = c.nodes[0]!;
    const before = target.drops.total();
    attacker.sendPacket(target.local, encodeMessage({ type: 'dead', body: { incarnation: 99, node: 'node1', from: 'node1' } }));
    attacker.sendPacket(target.local, Uint8Array.of(0x01, 0x02));
    attacker.sendPacket(target.local, new Uint8Array(0));
    await flush();
    expect(target.drops.total()).toBeGreaterThanOrEqual(before + 3);
    expect(target.member('node1')!.state).toBe('alive');
  });

  it('garbage to a plaintext node never throws and is counted by reason', async () => {
    const c = cluster(2);
    await c.nodes[1]!.join([c.nodes[0]!.local]);
    const attacker = c.network.attach('127.0.0.66', 7946);
    const target = c.nodes[0]!;
    for (const bytes of [Uint8Array.of(0x07, 0xff), Uint8Array.of(0x00, 0x85), Uint8Array.of(0x42), Uint8Array.of(0x0c, 0, 0, 0, 0, 0)]) attacker.sendPacket(target.local, bytes);
    await flush();
    expect(target.drops.total()).toBeGreaterThanOrEqual(4);
    expect(alive(target)).toEqual(['node0', 'node1']);
  });
});
