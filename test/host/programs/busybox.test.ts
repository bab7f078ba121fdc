import { describe, expect, it } from 'vitest';
import { MAX_TIMER_CHUNK_MS, setLongTimer, sleepUnlessAborted } from '../../../src/host/programs/busybox.js';
import { strerror } from '../../../src/host/programs/strerror.js';
import { ManualClock, ms } from '../../../src/util/clock.js';

describe('setLongTimer', () => {
  it('fires once, exactly at a delay longer than one host timer can hold', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    setLongTimer(clock, 3 * MAX_TIMER_CHUNK_MS + 5, () => fired.push(clock.now()));
    clock.advance(ms(3 * MAX_TIMER_CHUNK_MS + 4));
    expect(fired).toEqual([]);
    clock.advance(ms(1));
    expect(fired).toEqual([3 * MAX_TIMER_CHUNK_MS + 5]);
    expect(clock.pending).toBe(0);
  });

  it('cancel stops it between chunks', async () => {
    const clock = new ManualClock();
    const abort = new AbortController();
    const done = sleepUnlessAborted(clock, 2 * MAX_TIMER_CHUNK_MS, abort.signal);
    clock.advance(ms(MAX_TIMER_CHUNK_MS + 1));
    abort.abort();
    expect(await done).toBe(false);
    expect(clock.pending).toBe(0);
  });
});

describe('strerror', () => {
  it('words errno as musl and glibc do', () => {
    expect(strerror('EHOSTUNREACH', 'musl')).toBe('Host is unreachable');
    expect(strerror('EHOSTUNREACH', 'glibc')).toBe('No route to host');
    expect(strerror('EMSGSIZE', 'musl')).toBe('Message too large');
    expect(strerror('EMSGSIZE', 'glibc')).toBe('Message too long');
  });
});
