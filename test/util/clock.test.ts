import { describe, expect, it } from 'vitest';
import { ManualClock, ms, RealClock, seconds } from '../../src/util/clock.js';

describe('ManualClock', () => {
  it('fires timers in deadline order, ties in creation order, only when advanced', () => {
    const c = new ManualClock();
    const fired: string[] = [];
    c.setTimer(ms(20), () => fired.push('b'));
    c.setTimer(ms(10), () => fired.push('a'));
    c.setTimer(ms(20), () => fired.push('c'));
    expect(fired).toEqual([]);
    c.advance(ms(15));
    expect(fired).toEqual(['a']);
    expect(c.now()).toBe(15);
    c.advance(ms(5));
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(c.pending).toBe(0);
  });

  it('fires timers that a firing timer sets within the same step, at their own instant', () => {
    const c = new ManualClock();
    const at: number[] = [];
    c.setTimer(ms(10), () => {
      at.push(c.now());
      c.setTimer(ms(10), () => at.push(c.now()));
    });
    c.advance(seconds(1));
    expect(at).toEqual([10, 20]);
    expect(c.now()).toBe(1000);
  });

  it('cancelled timers never fire; sleep resolves and aborts', async () => {
    const c = new ManualClock();
    let fired = false;
    c.setTimer(ms(5), () => (fired = true)).cancel();
    c.advance(ms(10));
    expect(fired).toBe(false);
    const done = c.sleep(ms(100));
    c.advance(ms(100));
    await expect(done).resolves.toBeUndefined();
    const ac = new AbortController();
    const aborted = c.sleep(ms(100), ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(c.pending).toBe(0);
  });
});

describe('RealClock', () => {
  it('scales time: at 1000x a 1 s emulated sleep takes about 1 ms of real time', async () => {
    const c = new RealClock(1000);
    const t0 = c.now();
    await c.sleep(seconds(1));
    expect(c.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  it('refuses a non-positive scale', () => {
    expect(() => new RealClock(0)).toThrow(/positive/);
  });
});
