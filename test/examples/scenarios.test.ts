/**
 * Every scenario in examples/ runs with `swarmnet run` (the compiled CLI, as a user runs it) and
 * passes: each of its expectations held against a real emulated cluster.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const EXAMPLES = 'examples';
const scenarios = readdirSync(EXAMPLES).filter((f) => f.endsWith('.scenario')).sort();

function runScenario(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/bin.js', 'run', join(EXAMPLES, file)], { timeout: 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('examples/*.scenario', () => {
  it('has at least the swarm set-up scenario', () => {
    expect(scenarios).toContain('swarm-setup.scenario');
  });

  for (const file of scenarios) {
    it(`${file} passes with swarmnet run`, async () => {
      const { code, stdout, stderr } = await runScenario(file);
      expect({ code, stderr, tail: stdout.slice(-3000) }).toMatchObject({ code: 0, stderr: '' });
      expect(stdout).toMatch(/\n\d+ steps, 0 failed\n$/);
    }, 130_000);
  }
});
