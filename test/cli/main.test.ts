import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function runCli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const exitCode = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { stdout, stderr, exitCode };
}

describe('swarmnet CLI', () => {
  it('prints usage for --help, -h, help and no command', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], []]) {
      const r = await runCli(...argv);
      expect(r.exitCode, `argv ${argv.join(' ')}`).toBe(0);
      expect(r.stdout).toMatch(/^Usage:  swarmnet \[OPTIONS\] COMMAND/);
      expect(r.stderr).toBe('');
    }
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await runCli('--version');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`swarmnet version ${version}\n`);
    expect((await runCli('version')).stdout).toContain(`swarmnet version ${version}\nnode v`);
  });

  it('proto: help, and refusals for a missing directory or an unknown flag', async () => {
    expect(await runCli('proto', '--help')).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^Usage:  swarmnet proto DIR/) });
    expect(await runCli('proto')).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('"swarmnet proto" requires exactly 1 argument.') });
    expect(await runCli('proto', '--x', 'd')).toMatchObject({ exitCode: 125, stderr: "unknown flag: --x\nSee 'swarmnet proto --help'.\n" });
    // A directory under a regular file cannot be made.
    const denied = await runCli('proto', `${new URL('../../package.json', import.meta.url).pathname}/protos`);
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr).toMatch(/^swarmnet proto: /);
  });

  it("refuses an unknown command with Docker's wording and exit code", async () => {
    const r = await runCli('frobnicate');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("swarmnet: 'frobnicate' is not a swarmnet command.\nSee 'swarmnet --help'\n");
    expect(r.stdout).toBe('');
  });

  it('refuses an unknown flag with exit code 125, as docker does', async () => {
    const r = await runCli('--frob');
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toBe("unknown flag: --frob\nSee 'swarmnet --help'.\n");
    expect((await runCli('version', '--frob')).exitCode).toBe(125);
    expect((await runCli('version', 'extra')).stderr).toContain('"swarmnet version" accepts no arguments.');
  });
});
