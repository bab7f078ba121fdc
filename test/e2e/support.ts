/**
 * Shared by the end-to-end tests: they run the compiled host worker (dist/), so `npm run build`
 * must have run (`npm test` does it).
 */
import { expect } from 'vitest';
import type { Cluster } from '../../src/cluster/index.js';

/** busybox ping's output for `count` replies from `ip` (times vary, the shape does not). */
export function expectPingOutput(stdout: string, ip: string, count: number): void {
  const e = ip.replace(/\./g, '\\.');
  const replies = Array.from({ length: count }, (_, i) => `64 bytes from ${e}: seq=${i} ttl=64 time=\\d+\\.\\d{3} ms\\n`).join('');
  expect(stdout).toMatch(
    new RegExp(
      `^PING ${e} \\(${e}\\): 56 data bytes\\n${replies}\\n--- ${e} ping statistics ---\\n${count} packets transmitted, ${count} packets received, 0% packet loss\\nround-trip min/avg/max = [\\d.]+/[\\d.]+/[\\d.]+ ms\\n$`,
    ),
  );
}

/** Stops the cluster and checks it left nothing running: every thread exited, no new handles. */
export async function stopAndCheckClean(cluster: Cluster, resourcesBefore: readonly string[]): Promise<void> {
  const threads = cluster.threads;
  expect(threads.length).toBeGreaterThan(0);
  await cluster.stop();
  await cluster.stop(); // idempotent
  // a thread's id reads -1 once it has exited
  expect(threads.map((t) => t.threadId)).toEqual(threads.map(() => -1));
  expect(cluster.threads).toHaveLength(0);
  // A closed socket's handle goes in libuv's close phase, a loop turn after its 'close' event:
  // give it a few turns (bounded) before comparing.
  const want = countResources(resourcesBefore);
  for (let turn = 0; turn < 20 && JSON.stringify(countResources(process.getActiveResourcesInfo())) !== JSON.stringify(want); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(countResources(process.getActiveResourcesInfo())).toEqual(want);
}

/** Sockets, ports and workers by kind (timers and pending fs requests of the runner vary). */
function countResources(resources: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) if (/UDP|MessagePort|Worker|TCP/.test(r)) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
