import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { shellCommand, type ShellCommandDeps } from '../../../src/cli/shell/index.js';
import { fakeSplit, FakeTarget } from '../scenario/fakes.js';

const home = mkdtempSync(join(tmpdir(), 'swarmnet-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function shellCli(argv: string[], typed = '', extra: Partial<ShellCommandDeps> = {}) {
  let stdout = '';
  let stderr = '';
  const started: (readonly string[])[] = [];
  let closed = 0;
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (c: Buffer) => (screen += c.toString()));
  input.end(typed);
  const exitCode = await shellCommand(
    argv,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    {
      connect: async (hosts) => {
        started.push(hosts);
        return { target: new FakeTarget(), close: async () => void closed++ };
      },
      input,
      output,
      terminal: false,
      home,
      split: fakeSplit,
      ...extra,
    },
  );
  return { exitCode, stdout, stderr, started, closed, screen };
}

describe('swarmnet shell (command)', () => {
  it('starts the tutorial hosts by default, runs the prompt, stops the cluster', async () => {
    const r = await shellCli([], 'hosts\n');
    expect(r.exitCode).toBe(0);
    expect(r.started).toEqual([['manager', 'worker-1', 'worker-2']]);
    expect(r.closed).toBe(1);
    expect(r.screen).toBe('manager$ * manager\n  worker-1\n  worker-2\nmanager$ \n');
  });

  it('--hosts picks the hosts; the first is current', async () => {
    const r = await shellCli(['--hosts', 'alpha,beta'], 'use beta\n');
    expect(r.started).toEqual([['alpha', 'beta']]);
    expect(r.screen).toBe('alpha$ beta$ \n');
  });

  it('--history keeps history in ~/.swarmnet_history', async () => {
    await shellCli(['--history'], 'docker ps\n');
    expect(readFileSync(join(home, '.swarmnet_history'), 'utf8')).toBe('docker ps\n');
  });

  it('refuses bad usage with docker wording and starts nothing', async () => {
    const cases: { argv: string[]; code: number; stderr: string }[] = [
      { argv: ['extra'], code: 1, stderr: '"swarmnet shell" accepts no arguments.\nSee \'swarmnet shell --help\'.\n' },
      { argv: ['--frob'], code: 125, stderr: "unknown flag: --frob\nSee 'swarmnet shell --help'.\n" },
      { argv: ['--hosts'], code: 125, stderr: 'flag needs an argument: --hosts' },
      { argv: ['--hosts', 'a,a'], code: 125, stderr: 'invalid argument "a,a" for "--hosts" flag: host "a" listed twice' },
    ];
    for (const c of cases) {
      const r = await shellCli(c.argv);
      expect(r.exitCode, c.argv.join(' ')).toBe(c.code);
      expect(r.stderr).toContain(c.stderr);
      expect(r.started).toEqual([]);
    }
  });

  it('prints usage for --help', async () => {
    const r = await shellCli(['-h']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\nUsage:  swarmnet shell \[OPTIONS\]\n/);
  });

  it('reports a cluster that cannot start', async () => {
    const r = await shellCli([], '', { connect: () => Promise.reject(new Error('no loopback addresses')) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('swarmnet: cannot start the cluster (manager, worker-1, worker-2): no loopback addresses\n');
  });
});
