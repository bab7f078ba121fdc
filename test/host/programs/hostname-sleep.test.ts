import { describe, expect, it } from 'vitest';
import { hostname } from '../../../src/host/programs/hostname.js';
import { PROGRAMS } from '../../../src/host/programs/index.js';
import { sleep } from '../../../src/host/programs/sleep.js';
import { BUSYBOX_BANNER } from '../../../src/host/programs/busybox.js';
import type { ManualClock } from '../../../src/util/clock.js';
import { drive, FakeStack, LOOPBACK, makeRun, overlayInterface } from './fake-stack.js';

describe('hostname', () => {
  const stack = (clock: ManualClock) => new FakeStack(clock, [LOOPBACK, overlayInterface('eth0', 80, 81, '10.0.0.5', 24)]);
  const run = async (argv: string[], name = 'a1b2c3d4e5f6', libc: 'musl' | 'glibc' = 'musl') => {
    const r = makeRun(['hostname', ...argv], { hostname: name, libc, stack });
    const code = await drive(hostname, r, 1, 1);
    return { code, stdout: r.stdout, stderr: r.stderr };
  };

  it('prints the container hostname; -s/-f/-d/-i as from Docker’s /etc/hosts', async () => {
    expect(await run([])).toEqual({ code: 0, stdout: 'a1b2c3d4e5f6\n', stderr: '' });
    expect((await run(['-s'], 'web.1.abc'))).toEqual({ code: 0, stdout: 'web\n', stderr: '' });
    expect((await run(['-f'], 'web.1.abc')).stdout).toBe('web.1.abc\n');
    expect((await run(['-d'], 'web.1.abc')).stdout).toBe('1.abc\n');
    expect((await run(['-d'])).stdout).toBe('');
    expect((await run(['-i'])).stdout).toBe('10.0.0.5\n');
  });

  it('setting the name fails without CAP_SYS_ADMIN; bad options per libc', async () => {
    expect(await run(['newname'])).toEqual({ code: 1, stdout: '', stderr: 'hostname: sethostname: Operation not permitted\n' });
    const bad = await run(['-z'], 'x', 'glibc');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      "hostname: invalid option -- 'z'\n" +
        BUSYBOX_BANNER +
        '\nUsage: hostname [-sidf] [HOSTNAME | -F FILE]\n\nShow or set hostname or DNS domain name\n\n' +
        "\t-s\tShort\n\t-i\tAddresses for the hostname\n\t-d\tDNS domain name\n\t-f\tFully qualified domain name\n\t-F FILE\tUse FILE's content as hostname\n",
    );
  });
});

describe('sleep', () => {
  const run = (argv: string[]) => makeRun(['sleep', ...argv]);

  it('sleeps the sum of its arguments on the clock (fractions, s/m/h/d suffixes)', async () => {
    for (const [argv, msWanted] of [[['1.5'], 1500], [['1m', '2'], 62_000], [['0.5h'], 1_800_000], [['1d'], 86_400_000]] as const) {
      const r = run([...argv]);
      // Four steps to the end: still asleep a step before it, done exactly at it.
      expect(await drive(sleep, r, msWanted / 4, 4), argv.join(' ')).toBe(0);
      expect(r.clock.now(), argv.join(' ')).toBe(msWanted);
    }
    const zero = run(['0']);
    expect(await drive(sleep, zero, 1, 1)).toBe(0);
  });

  it('stops when the signal aborts (exit 130), also for `sleep inf`', async () => {
    for (const argv of [['100'], ['infinity']]) {
      const r = run(argv);
      const code = await drive(sleep, r, 1000, 20, (t) => t === 3000 && r.abort.abort());
      expect(code).toBe(130);
      expect(r.clock.now()).toBe(3000);
      expect(r.clock.pending).toBe(0);
    }
  });

  it('bad arguments die with libbb’s words; no argument shows the usage', async () => {
    const cases: [string[], string][] = [
      [['x'], "sleep: invalid number 'x'\n"],
      [['-1'], "sleep: invalid number '-1'\n"],
      [['1.5x'], "sleep: invalid number '1x'\n"],
      [['5', '3q'], "sleep: invalid number '3q'\n"],
    ];
    for (const [argv, stderr] of cases) {
      const r = run(argv);
      expect(await drive(sleep, r, 1, 1)).toBe(1);
      expect(r.stderr).toBe(stderr);
    }
    const none = run([]);
    expect(await drive(sleep, none, 1, 1)).toBe(1);
    expect(none.stderr).toBe(
      `${BUSYBOX_BANNER}\nUsage: sleep [N]...\n\nPause for a time equal to the total of the args given, where each arg can\n` +
        'have an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays\n',
    );
  });
});

describe('PROGRAMS', () => {
  it('holds the applets, the nginx image programs and swarmnet-perf by name', () => {
    expect(Object.keys(PROGRAMS).sort()).toEqual(
      ['/docker-entrypoint.sh', 'ash', 'cat', 'echo', 'env', 'false', 'getent', 'hostname', 'ip', 'nginx', 'nslookup', 'ping', 'sh', 'sleep', 'swarmnet-perf', 'true'],
    );
    expect(Object.isFrozen(PROGRAMS)).toBe(true);
  });
});
