import { describe, expect, it } from 'vitest';
import { KeyManager, KEY_ROTATION_INTERVAL, LAMPORT_SKEW_LIMIT, SUBSYSTEM_GOSSIP, SUBSYSTEM_IPSEC } from '../../src/swarm/key-manager.js';
import { ManualClock, ms } from '../../src/util/clock.js';
import { Rng } from '../../src/util/rng.js';

describe('KeyManager (swarmkit keymanager)', () => {
  it('starts with 3 gossip then 3 ipsec keys of 16 bytes, Lamport times consecutive from a skew', () => {
    const keys = new KeyManager(new Rng(7)).keys;
    expect(keys.map((k) => k.subsystem)).toEqual([SUBSYSTEM_GOSSIP, SUBSYSTEM_GOSSIP, SUBSYSTEM_GOSSIP, SUBSYSTEM_IPSEC, SUBSYSTEM_IPSEC, SUBSYSTEM_IPSEC]);
    const first = keys[0]!.lamportTime;
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(LAMPORT_SKEW_LIMIT);
    expect(keys.map((k) => k.lamportTime)).toEqual([0, 1, 2, 3, 4, 5].map((i) => first + i));
    for (const k of keys) {
      expect(k.key).toHaveLength(16);
      expect(k.algorithm).toBe('AES_128_GCM');
    }
    expect(new Set(keys.map((k) => Buffer.from(k.key).toString('hex'))).size).toBe(6);
  });

  it('rotation drops each subsystem\'s oldest key and appends a newer one, every 12 hours', () => {
    const clock = new ManualClock();
    const manager = new KeyManager(new Rng(1));
    const before = manager.keys.map((k) => k.lamportTime);
    let rotations = 0;
    manager.start(clock, () => rotations++);
    clock.advance(ms(KEY_ROTATION_INTERVAL - 1));
    expect(rotations).toBe(0);
    clock.advance(ms(1));
    expect(rotations).toBe(1);
    const gossip = manager.keys.filter((k) => k.subsystem === SUBSYSTEM_GOSSIP).map((k) => k.lamportTime);
    const ipsec = manager.keys.filter((k) => k.subsystem === SUBSYSTEM_IPSEC).map((k) => k.lamportTime);
    expect(gossip).toEqual([before[1], before[2], before[5]! + 1]);
    expect(ipsec).toEqual([before[4], before[5], before[5]! + 2]);
    expect(manager.lamportClock).toBe(before[5]! + 2);
    clock.advance(KEY_ROTATION_INTERVAL);
    expect(rotations).toBe(2);
    manager.stop();
    clock.advance(KEY_ROTATION_INTERVAL);
    expect(rotations).toBe(2);
    expect(clock.pending).toBe(0);
  });
});
