import { describe, expect, it } from 'vitest';
import { ManualClock, ms, seconds } from '../../src/util/clock.js';
import { Awareness, LAN_TIMING, pushPullScale, remainingSuspicionTime, retransmitLimit, suspicionTimeout } from '../../src/gossip/config.js';
import { BroadcastQueue } from '../../src/gossip/broadcast-queue.js';
import { Suspicion } from '../../src/gossip/suspicion.js';

describe('memberlist arithmetic (util.go)', () => {
  it('suspicion timeout: 4 s up to 10 nodes on a LAN, growing with log10 of the size', () => {
    const cases: [number, number][] = [
      [1, 4000],
      [3, 4000],
      [10, 4000],
      [32, 6020],
      [100, 8000],
      [1000, 12000],
    ];
    for (const [n, want] of cases) expect(suspicionTimeout(LAN_TIMING.suspicionMult, n, LAN_TIMING.probeInterval), `n=${n}`).toBe(want);
  });

  it('remaining suspicion time falls from max to min with confirmations (Lifeguard)', () => {
    const min = seconds(4);
    const max = seconds(24);
    expect(remainingSuspicionTime(0, 2, ms(0), min, max)).toBe(24000);
    expect(remainingSuspicionTime(1, 2, ms(0), min, max)).toBe(11381); // 24 − log(2)/log(3)·20, floored to ms
    expect(remainingSuspicionTime(2, 2, ms(0), min, max)).toBe(4000);
    expect(remainingSuspicionTime(2, 2, ms(5000), min, max)).toBe(-1000);
  });

  it('retransmit limit is mult × ceil(log10(n + 1)); push/pull scales above 32 nodes', () => {
    expect([1, 3, 9, 10, 99, 100].map((n) => retransmitLimit(4, n))).toEqual([4, 4, 4, 8, 8, 12]);
    expect(pushPullScale(seconds(30), 32)).toBe(30000);
    expect(pushPullScale(seconds(30), 33)).toBe(60000);
    expect(pushPullScale(seconds(30), 64)).toBe(60000);
    expect(pushPullScale(seconds(30), 65)).toBe(90000);
  });

  it('awareness scales timeouts by score + 1 and stays within [0, max − 1]', () => {
    const a = new Awareness(8);
    a.applyDelta(-3);
    expect(a.score).toBe(0);
    a.applyDelta(20);
    expect(a.score).toBe(7);
    expect(a.scaleTimeout(ms(500))).toBe(4000);
  });
});

describe('BroadcastQueue (queue.go)', () => {
  it('sends least-transmitted first, newest first among equals, and retires at the limit', () => {
    const q = new BroadcastQueue(4, () => 3); // limit 4
    const finished: string[] = [];
    q.queue({ key: 'a', message: Uint8Array.of(1), onFinished: () => finished.push('a') });
    q.queue({ key: 'b', message: Uint8Array.of(2), onFinished: () => finished.push('b') });
    expect(q.getBroadcasts(2, 100)).toEqual([Uint8Array.of(2), Uint8Array.of(1)]);
    for (let i = 0; i < 3; i++) q.getBroadcasts(2, 100);
    expect(q.length).toBe(0);
    expect(finished.sort()).toEqual(['a', 'b']);
  });

  it('a message about the same subject supersedes the older one', () => {
    const q = new BroadcastQueue(4, () => 3);
    let superseded = false;
    q.queue({ key: 'node1', message: Uint8Array.of(1), onFinished: () => (superseded = true) });
    q.queue({ key: 'node1', message: Uint8Array.of(9) });
    expect(superseded).toBe(true);
    expect(q.getBroadcasts(0, 100)).toEqual([Uint8Array.of(9)]);
  });

  it('only what fits in the byte budget goes, overhead included', () => {
    const q = new BroadcastQueue(4, () => 3);
    q.queue({ key: undefined, message: new Uint8Array(10) });
    q.queue({ key: undefined, message: new Uint8Array(5) });
    expect(q.getBroadcasts(2, 8).map((m) => m.length)).toEqual([5]);
    expect(q.getBroadcasts(2, 6)).toEqual([]);
  });
});

describe('Suspicion (suspicion.go)', () => {
  it('fires at min with nobody to confirm, and confirmations shorten a max timeout', () => {
    const clock = new ManualClock();
    let fired = -1;
    new Suspicion({ clock, from: 'x', k: 0, min: seconds(4), max: seconds(24), onTimeout: (n) => (fired = n) });
    clock.advance(ms(3999));
    expect(fired).toBe(-1);
    clock.advance(ms(1));
    expect(fired).toBe(0);

    let at = -1;
    const s = new Suspicion({ clock, from: 'x', k: 2, min: seconds(4), max: seconds(24), onTimeout: () => (at = clock.now()) });
    const start = clock.now();
    expect(s.confirm('x')).toBe(false); // the accuser is no confirmation
    expect(s.confirm('y')).toBe(true);
    expect(s.confirm('y')).toBe(false);
    expect(s.confirm('z')).toBe(true);
    expect(s.confirm('w')).toBe(false); // k reached
    clock.advance(seconds(30));
    expect(at - start).toBe(4000);
  });
});
