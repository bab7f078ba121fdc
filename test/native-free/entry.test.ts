import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The built package entry points, loaded in a fresh Node process so the module graph is exactly
// what a user's `import 'swarmnet/native-free'` would load. `npm test` builds dist/ first.
function loadedModules(entry: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const mod = await import(${JSON.stringify(entry)});
    if (${JSON.stringify(entry)}.startsWith('swarmnet') && typeof mod.wire?.parseVxlan !== 'function') {
      throw new Error('entry lacks the wire codecs');
    }
    const require = createRequire(import.meta.url);
    process.stdout.write(JSON.stringify(Object.keys(require.cache)));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

function hasRawSocket(): boolean {
  return existsSync('node_modules/raw-socket/build/Release/raw.node');
}

describe('swarmnet/native-free', () => {
  it('exposes the library without loading any native addon', () => {
    const loaded = loadedModules('swarmnet/native-free');
    expect(loaded.filter((m) => m.endsWith('.node') || m.includes('raw-socket'))).toEqual([]);
  });

  it('the main entry does not load raw-socket either (nothing needs it yet)', () => {
    const loaded = loadedModules('swarmnet');
    expect(loaded.filter((m) => m.includes('raw-socket'))).toEqual([]);
  });

  // Control: the detection above would see the addon if something loaded it.
  it.runIf(hasRawSocket())('sees raw-socket when a module does load it', () => {
    expect(loadedModules('raw-socket').some((m) => m.endsWith('.node'))).toBe(true);
  });
});
