import { describe, expect, it } from 'vitest';
import { Cluster, MAX_CLUSTER_HOSTS, resolveHostWorker } from '../../src/cluster/index.js';

describe('Cluster.start argument checks (nothing is started)', () => {
  it.each([
    [{ hosts: [] }, /at least one host/],
    [{ hosts: Array.from({ length: MAX_CLUSTER_HOSTS + 1 }, (_, i) => `h${i}`) }, /at most 64 hosts \(one thread each\): 65 requested/],
    [{ hosts: ['a', 'a'] }, /duplicate host name: a/],
    [{ hosts: ['a b'] }, /invalid host name: "a b"/],
    [{ hosts: ['a'], dataPathPort: 80 }, /data path port must be an integer in 1024-49151/],
    [{ hosts: ['a'], mode: 'carrier-pigeon' as 'port' }, /mode must be 'address' or 'port'/],
    [{ hosts: ['a'], timeScale: 0 }, /timeScale must be a positive number/],
  ])('refuses %o', async (options, message) => {
    await expect(Cluster.start(options)).rejects.toThrow(message);
  });
});

describe('resolveHostWorker', () => {
  it('finds dist/src/host/worker.js under the package root from src/ and from dist/', () => {
    const fromSrc = resolveHostWorker(new URL('../../src/cluster/cluster.ts', import.meta.url).href);
    const fromDist = resolveHostWorker(new URL('../../dist/src/cluster/cluster.js', import.meta.url).href);
    expect(fromSrc).toMatch(/\/dist\/src\/host\/worker\.js$/);
    expect(fromDist).toBe(fromSrc);
  });
});
