import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDuration, parseFlags, parseHostList, runCommand, type RunCommandDeps, type ScenarioTarget } from '../../../src/cli/scenario/index.js';
import { exited, fakeSplit, FakeTarget, jumpingClock, ok } from './fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmnet-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs `swarmnet run ARGV` with a fake cluster; records what was started and stopped. */
async function runCli(argv: string[], target: ScenarioTarget = new FakeTarget(), extra: Partial<RunCommandDeps> = {}) {
  let stdout = '';
  let stderr = '';
  const started: (readonly string[])[] = [];
  let closed = 0;
  const clock = jumpingClock();
  const exitCode = await runCommand(
    argv,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    {
      connect: async (hosts) => {
        started.push(hosts);
        return { target, close: async () => void closed++ };
      },
      clock,
      split: fakeSplit,
      ...extra,
    },
  );
  return { exitCode, stdout, stderr, started, closed, clock };
}

describe('swarmnet run', () => {
  it('starts the hosts the file names, runs it, stops the cluster and exits 0', async () => {
    const path = file('ok.scn', 'manager$ docker swarm init\n  ~ Swarm initialized\nworker-1$ docker swarm join {{addr:manager}}:2377\n');
    const target = new FakeTarget(({ argv }) => ok(argv[1] === 'init' ? 'Swarm initialized: current node (x) is now a manager.\n' : 'This node joined a swarm as a worker.\n'));
    const r = await runCli([path], target);
    expect(r.started).toEqual([['manager', 'worker-1']]);
    expect(r.closed).toBe(1);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('worker-1$ docker swarm join 127.42.7.1:2377\nThis node joined a swarm as a worker.\n\n2 steps, 0 failed\n');
  });

  it('exits 1 when a step fails, and still stops the cluster', async () => {
    const r = await runCli([file('bad.scn', 'm$ docker frob\n')], new FakeTarget(() => exited(1)));
    expect(r.exitCode).toBe(1);
    expect(r.closed).toBe(1);
    expect(r.stdout).toContain('✗ line 1: expected exit code 0, got 1');
  });

  it('stops the cluster when the run throws (stdout gone)', async () => {
    let closed = 0;
    const run = runCommand(
      [file('x.scn', 'm$ docker ps\n')],
      {
        stdout: () => {
          throw new Error('EPIPE');
        },
        stderr: () => {},
      },
      { connect: async () => ({ target: new FakeTarget(), close: async () => void closed++ }), split: fakeSplit },
    );
    await expect(run).rejects.toThrow('EPIPE');
    expect(closed).toBe(1);
  });

  it('--hosts comes first, in its order; --timeout sets the retry budget', async () => {
    const path = file('hosts.scn', 'b$ docker ps\n  ~ never\na$ docker ps\n');
    const target = new FakeTarget(() => ok('no'));
    const r = await runCli(['--hosts', 'a,z', '--timeout=1s', path], target);
    expect(r.started).toEqual([['a', 'z', 'b']]);
    expect(r.stdout).toContain('gave up after 1 s (5 attempts)');
  });

  it('--fail-fast stops at the first failure', async () => {
    const r = await runCli(['--fail-fast', file('ff.scn', 'm$ docker a\nm$ docker b\n')], new FakeTarget(() => exited(2)));
    expect(r.stdout).toMatch(/2 steps, 1 failed, 1 not run\n$/);
    expect(r.exitCode).toBe(1);
  });

  it('reports every parse error as FILE:LINE and starts nothing', async () => {
    const path = file('broken.scn', 'm$ docker ps\n@frob\n\n  ~ orphan\n');
    const r = await runCli([path]);
    expect(r.exitCode).toBe(1);
    expect(r.started).toEqual([]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `${path}:2: unknown directive @frob (known: @sh, @sleep, @kill, @expose-dns)\n${path}:4: expectation without a step: put it directly under a HOST$ or @sh line (no blank line between)\n`,
    );
  });

  it('reports a missing file', async () => {
    const r = await runCli([join(dir, 'nope.scn')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`swarmnet: open ${join(dir, 'nope.scn')}: no such file or directory\n`);
  });

  it('reports a cluster that cannot start', async () => {
    const r = await runCli([file('c.scn', 'm$ docker ps\n')], new FakeTarget(), {
      connect: () => Promise.reject(new Error('address in use')),
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('swarmnet: cannot start the cluster (m): address in use\n');
  });

  it('refuses bad usage with docker wording', async () => {
    const cases: { argv: string[]; code: number; stderr: string }[] = [
      { argv: [], code: 1, stderr: '"swarmnet run" requires exactly 1 argument.\nSee \'swarmnet run --help\'.\n\nUsage:  swarmnet run [OPTIONS] FILE\n\nRun a scenario' },
      { argv: ['a', 'b'], code: 1, stderr: 'requires exactly 1 argument' },
      { argv: ['--frob', 'a'], code: 125, stderr: "unknown flag: --frob\nSee 'swarmnet run --help'.\n" },
      { argv: ['a', '--hosts'], code: 125, stderr: 'flag needs an argument: --hosts\n' },
      { argv: ['--hosts', 'a,,b', 'f'], code: 125, stderr: 'invalid argument "a,,b" for "--hosts" flag: bad host name ""\n' },
      { argv: ['--hosts', 'a,a', 'f'], code: 125, stderr: 'host "a" listed twice' },
      { argv: ['--timeout', 'soon', 'f'], code: 125, stderr: 'invalid argument "soon" for "--timeout" flag' },
      { argv: ['--timeout', '0', 'f'], code: 125, stderr: 'invalid argument "0" for "--timeout" flag' },
      { argv: ['--timeout', '2h', 'f'], code: 125, stderr: 'invalid argument "2h"' },
      { argv: ['--fail-fast=yes', 'f'], code: 125, stderr: 'invalid argument "yes" for "--fail-fast" flag: takes no value' },
    ];
    for (const c of cases) {
      const r = await runCli(c.argv);
      expect(r.exitCode, c.argv.join(' ')).toBe(c.code);
      expect(r.stderr).toContain(c.stderr);
      expect(r.started).toEqual([]);
    }
  });

  it('prints usage for --help', async () => {
    const r = await runCli(['--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\nUsage:  swarmnet run \[OPTIONS\] FILE\n/);
    expect(r.stdout).toContain('--timeout duration');
  });
});

describe('flag helpers', () => {
  it('parseDuration takes seconds or docker durations', () => {
    const cases: [string, number | undefined][] = [['10', 10_000], ['1.5', 1500], ['10s', 10_000], ['500ms', 500], ['2m', 120_000], ['', undefined], ['1h', undefined], ['-1', undefined], ['s', undefined]];
    for (const [text, want] of cases) expect(parseDuration(text), text).toBe(want);
  });

  it('parseHostList checks names and duplicates', () => {
    expect(parseHostList('a, b ,c')).toEqual(['a', 'b', 'c']);
    expect(parseHostList('a b')).toBe('bad host name "a b"');
  });

  it('parseFlags stops at --', () => {
    const r = parseFlags(['--x', '1', '--', '--y'], { '--x': 'value' }, 'run');
    expect(r.ok && [[...r.flags], r.positional]).toEqual([[['--x', '1']], ['--y']]);
  });
});
