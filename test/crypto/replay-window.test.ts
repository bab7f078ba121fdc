import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  REPLAY_WINDOW_DEFAULT,
  REPLAY_WINDOW_DISABLED,
  REPLAY_WINDOW_MAX,
  REPLAY_WINDOW_RFC_MIN,
  ReplayWindow,
  type ReplayVerdict,
} from '../../src/crypto/replay-window.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { FUZZ_RUNS } from '../support/codec.js';

/** Slow, obviously-correct model of RFC 4303 §3.4.3: a set of every number seen, and the edge. */
class ModelWindow {
  private readonly seen = new Set<number>();
  private last = 0;
  constructor(readonly size: number) {}
  check(seq: number): ReplayVerdict {
    if (this.size === 0) return 'ok';
    if (seq === 0) return 'stale';
    if (seq > this.last) return 'ok';
    if (this.last - seq >= this.size) return 'stale';
    return this.seen.has(seq) ? 'duplicate' : 'ok';
  }
  update(seq: number): ReplayVerdict {
    const v = this.check(seq);
    if (v !== 'ok') return v;
    this.seen.add(seq);
    if (seq > this.last) this.last = seq;
    return 'ok';
  }
}

/** Runs `steps` of [seq, want] through check-then-update, with "got X, want Y" messages. */
function expectVerdicts(w: ReplayWindow, steps: Array<[number, ReplayVerdict]>): void {
  for (const [seq, want] of steps) {
    const checked = w.check(seq);
    expect(checked, `check(${seq}): got ${checked}, want ${want}`).toBe(want);
    const updated = w.update(seq);
    expect(updated, `update(${seq}): got ${updated}, want ${want}`).toBe(want);
  }
}

describe('ReplayWindow (RFC 4303 §3.4.3)', () => {
  it('defaults to 64 packets, the RFC`s "SHOULD be employed as the default"', () => {
    expect(REPLAY_WINDOW_DEFAULT).toBe(64);
    expect(new ReplayWindow().size).toBe(64);
  });

  it('accepts in-order packets and refuses each one the second time', () => {
    const w = new ReplayWindow();
    for (let seq = 1; seq <= 500; seq++) expectVerdicts(w, [[seq, 'ok']]);
    expect(w.lastSequence).toBe(500);
    for (let seq = 437; seq <= 500; seq++) expectVerdicts(w, [[seq, 'duplicate']]);
  });

  it('accepts out-of-order packets inside the window, once', () => {
    expectVerdicts(new ReplayWindow(64), [
      [10, 'ok'],
      [7, 'ok'],
      [9, 'ok'],
      [7, 'duplicate'],
      [12, 'ok'],
      [8, 'ok'],
      [11, 'ok'],
      [10, 'duplicate'],
      [1, 'ok'],
      [1, 'duplicate'],
    ]);
  });

  it('refuses anything left of the window, exactly at its edge', () => {
    const w = new ReplayWindow(64);
    expectVerdicts(w, [[100, 'ok']]);
    // Window is (100 - 64, 100] = 37..100.
    expectVerdicts(w, [
      [36, 'stale'],
      [37, 'ok'],
      [37, 'duplicate'],
      [1, 'stale'],
    ]);
  });

  it('refuses sequence number 0 (the first packet of an SA carries 1, §3.3.3)', () => {
    expectVerdicts(new ReplayWindow(), [[0, 'stale']]);
  });

  it('handles large jumps: everything before the new window is stale, the ring is cleared', () => {
    const w = new ReplayWindow(64);
    for (let seq = 1; seq <= 64; seq++) w.update(seq);
    expectVerdicts(w, [
      [1_000_000, 'ok'],
      [64, 'stale'],
      [1_000_000 - 63, 'ok'],
      [1_000_000 - 64, 'stale'],
      // A bit pattern left over in the ring from before the jump must not read as "seen".
      [1_000_000 - 32, 'ok'],
      [0x8000_0000, 'ok'],
      [0x8000_0000 - 1, 'ok'],
      [0xffff_ffff, 'ok'],
      [0xffff_ffff, 'duplicate'],
      [0xffff_ffff - 63, 'ok'],
      [0xffff_ffff - 64, 'stale'],
    ]);
  });

  it('check() never moves the window; update() after a refused check changes nothing', () => {
    const w = new ReplayWindow(32);
    expect(w.check(50)).toBe('ok');
    expect(w.lastSequence).toBe(0);
    w.update(50);
    expect(w.update(50)).toBe('duplicate');
    expect(w.update(10)).toBe('stale');
    expect(w.lastSequence).toBe(50);
    expect(w.check(19)).toBe('ok');
  });

  it('size 0 disables the check, like Linux for Docker`s replay_window 0 SAs', () => {
    expect(REPLAY_WINDOW_DISABLED).toBe(0);
    const w = new ReplayWindow(REPLAY_WINDOW_DISABLED);
    expectVerdicts(w, [
      [5, 'ok'],
      [5, 'ok'],
      [0, 'ok'],
      [1, 'ok'],
    ]);
    expect(w.lastSequence).toBe(5);
  });

  it('works at the RFC minimum (32), at odd sizes, and at REPLAY_WINDOW_MAX', () => {
    for (const size of [2, REPLAY_WINDOW_RFC_MIN, 33, 100, REPLAY_WINDOW_MAX]) {
      // Window after the first packet: (10, size + 10].
      expectVerdicts(new ReplayWindow(size), [
        [size + 10, 'ok'],
        [11, 'ok'],
        [10, 'stale'],
        [11, 'duplicate'],
      ]);
    }
    expectVerdicts(new ReplayWindow(1), [
      [5, 'ok'],
      [4, 'stale'],
      [5, 'duplicate'],
      [6, 'ok'],
      [5, 'stale'],
    ]);
  });

  it('refuses sizes outside 0..REPLAY_WINDOW_MAX', () => {
    for (const bad of [-1, REPLAY_WINDOW_MAX + 1, 1.5, Number.NaN]) {
      expect(() => new ReplayWindow(bad), `size ${bad}`).toThrow(InvalidArgumentError);
    }
  });

  it('agrees with the set-based model on arbitrary arrival orders', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 31, 32, 64, 65, 128, 1000),
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 300 }),
            fc.integer({ min: 0, max: 0xffff_ffff }),
            fc.integer({ min: 0xffff_ff00, max: 0xffff_ffff }),
          ),
          { maxLength: 200 },
        ),
        fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }),
        (size, seqs, authentic) => {
          const w = new ReplayWindow(size);
          const m = new ModelWindow(size);
          seqs.forEach((seq, i) => {
            expect(w.check(seq), `check(${seq})`).toBe(m.check(seq));
            // Some packets fail authentication: checked, never updated.
            if (authentic[i]) expect(w.update(seq), `update(${seq})`).toBe(m.update(seq));
          });
        },
      ),
      { numRuns: FUZZ_RUNS / 20 },
    );
  });
});
