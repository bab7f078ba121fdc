// swarmnet-perf over a real container stack's loopback: what the flood sends, the sink counts;
// pingpong gets every echo back; bad arguments are refused with exit 2.
import { describe, expect, it } from 'vitest';
import { swarmnetPerf } from '../../../src/host/programs/perf.js';
import type { ProgramContext } from '../../../src/host/programs/types.js';
import { createNetStack } from '../../../src/stack/index.js';
import type { NetStack } from '../../../src/stack/types.js';
import { RealClock } from '../../../src/util/clock.js';
import { Rng } from '../../../src/util/rng.js';
import { quietContextExtras } from './fake-stack.js';

const clock = new RealClock();

function start(stack: NetStack, argv: string[], abort = new AbortController()) {
  const out = { stdout: '', stderr: '' };
  const ctx: ProgramContext = {
    argv: ['swarmnet-perf', ...argv],
    stdout: { write: (t) => void (out.stdout += t) },
    stderr: { write: (t) => void (out.stderr += t) },
    stack,
    clock,
    rng: new Rng(1),
    libc: 'musl',
    hostname: 'perf',
    signal: abort.signal,
    resolve: async () => undefined,
    ...quietContextExtras(clock).extras,
  };
  return { out, abort, done: swarmnetPerf(ctx) };
}

describe('swarmnet-perf', () => {
  it('sink counts exactly what flood sent', async () => {
    const stack = createNetStack({ clock, rng: new Rng(2) });
    try {
      const sink = start(stack, ['sink', '9000', '100']);
      const flood = start(stack, ['flood', '127.0.0.1', '9000', '100', '50']);
      expect(await flood.done).toBe(0);
      expect(await sink.done).toBe(0);
      const sent = JSON.parse(flood.out.stdout) as { sent: number; refused: number };
      const sunk = JSON.parse(sink.out.stdout) as { packets: number; bytes: number };
      expect(sent.sent).toBeGreaterThan(0);
      expect(sent.refused).toBe(0);
      expect(sunk.packets).toBe(sent.sent);
      expect(sunk.bytes).toBe(sent.sent * 100);
    } finally {
      stack.close();
    }
  });

  it('pingpong gets every round back from echo', async () => {
    const stack = createNetStack({ clock, rng: new Rng(3) });
    try {
      const echo = start(stack, ['echo', '7']);
      const pp = start(stack, ['pingpong', '127.0.0.1', '7', '56', '20']);
      expect(await pp.done).toBe(0);
      echo.abort.abort();
      expect(await echo.done).toBe(0);
      expect((JSON.parse(pp.out.stdout) as { rtts: number[] }).rtts).toHaveLength(20);
      expect(JSON.parse(echo.out.stdout)).toEqual({ echoed: 20 });
    } finally {
      stack.close();
    }
  });

  it('refuses bad arguments with a usage line and exit 2', async () => {
    const stack = createNetStack({ clock, rng: new Rng(4) });
    try {
      for (const argv of [[], ['nope'], ['sink', '0'], ['flood', '10.0.0', '9', '1', '1'], ['pingpong', '127.0.0.1', '7', '56', '0']]) {
        const r = start(stack, argv);
        expect(await r.done, argv.join(' ')).toBe(2);
        expect(r.out.stderr).toMatch(/^swarmnet-perf: |^usage: swarmnet-perf/);
      }
    } finally {
      stack.close();
    }
  });
});
