import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario, type RunOptions, type RunSh, type Scenario } from '../../../src/cli/scenario/index.js';
import { capture, exited, fakeSplit, FakeTarget, jumpingClock, ok, type DockerCall } from './fakes.js';
import type { Duration } from '../../../src/util/clock.js';

function scenario(...lines: string[]): Scenario {
  const r = parseScenario(lines.join('\n'), { file: 't.scn', split: fakeSplit });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.scenario;
}

/** Runs `s` on a fake target and a jumping clock; returns the transcript and the pieces. */
async function run(s: Scenario, target = new FakeTarget(), options: RunOptions = {}, sh?: RunSh) {
  const clock = jumpingClock();
  const out = capture();
  const report = await runScenario(s, { target, write: out.write, clock, split: fakeSplit, sh }, options);
  return { report, text: out.text(), target, clock };
}

describe('runScenario', () => {
  it('echoes each step with its output and ends with a summary', async () => {
    const target = new FakeTarget(({ argv }) => (argv[0] === 'node' ? ok('ID  HOSTNAME\nabc manager\n') : ok('', 'warning: x')));
    const { report, text } = await run(scenario('manager$ docker node ls', '  ~ manager', 'worker-1$ docker ps -a'), target);
    expect(text).toBe('manager$ docker node ls\nID  HOSTNAME\nabc manager\nworker-1$ docker ps -a\nwarning: x\n\n2 steps, 0 failed\n');
    expect(report).toEqual({ steps: 2, passed: 2, failed: 0, notRun: 0, exitCode: 0 });
    expect(target.calls).toEqual([
      { host: 'manager', argv: ['node', 'ls'] },
      { host: 'worker-1', argv: ['ps', '-a'] },
    ]);
  });

  it('says "1 step" for one', async () => {
    expect((await run(scenario('m$ docker ps'))).text).toContain('\n1 step, 0 failed\n');
  });

  it('retries until the expectation holds, printing only the last attempt', async () => {
    const target = new FakeTarget((_, i) => ok(i < 3 ? 'web.1  Pending\n' : 'web.1  Running\n'));
    const { report, text, clock } = await run(scenario('m$ docker service ps web', '  ~ Running'), target);
    expect(report.exitCode).toBe(0);
    expect(target.calls).toHaveLength(4);
    expect(clock.sleeps).toEqual([250, 250, 250]);
    expect(text).toBe('m$ docker service ps web\nweb.1  Running\n\n1 step, 0 failed\n');
  });

  it('fails after the timeout with the expectation, the last output and the retry count', async () => {
    const target = new FakeTarget((_, i) => ok(`attempt ${i}\n`));
    const { report, text } = await run(scenario('# wait for it', 'm$ docker service ps web', '  ~ Running'), target);
    expect(target.calls).toHaveLength(41); // at 0, 0.25 … 10 s
    expect(text).toBe(
      'm$ docker service ps web\nattempt 40\n✗ line 3: expected output to contain "Running"\n  gave up after 10 s (41 attempts)\n\n1 step, 1 failed\n',
    );
    expect(report).toEqual({ steps: 1, passed: 0, failed: 1, notRun: 0, exitCode: 1 });
  });

  it('counts the time commands take against the timeout', async () => {
    const clock = jumpingClock();
    const target = new FakeTarget(() => {
      clock.manual.advance(1000 as Duration); // each attempt takes a second
      return ok('no');
    });
    const out = capture();
    await runScenario(scenario('m$ docker ps', '  ~ yes'), { target, write: out.write, clock, split: fakeSplit });
    // Attempt k ends at 1.25k − 0.25 s; the 9th ends at 11 s, past the 10 s budget.
    expect(target.calls).toHaveLength(9);
    expect(out.text()).toContain('gave up after 11 s (9 attempts)');
  });

  it('honours timeoutMs and pauseMs', async () => {
    const target = new FakeTarget(() => ok('no'));
    const { clock } = await run(scenario('m$ docker ps', '  ~ yes'), target, { timeoutMs: 1000, pauseMs: 100 });
    expect(target.calls).toHaveLength(11);
    expect(clock.sleeps.every((d) => d === 100)).toBe(true);
  });

  it('!~ fails while the text is present, and passes once it is gone', async () => {
    const failing = await run(scenario('m$ docker node ls', '  !~ Down'), new FakeTarget(() => ok('w1 Down\n')), { timeoutMs: 500 });
    expect(failing.text).toContain('✗ line 2: expected output not to contain "Down"\n');
    expect(failing.report.exitCode).toBe(1);
    const healing = await run(scenario('m$ docker node ls', '  !~ Down'), new FakeTarget((_, i) => ok(i === 0 ? 'Down' : 'Ready')));
    expect(healing.report.exitCode).toBe(0);
    expect(healing.target.calls).toHaveLength(2);
  });

  it('checks stdout and stderr together', async () => {
    const { report } = await run(scenario('m$ docker network create x', '  ~ already exists', '  exit 1'), new FakeTarget(() => exited(1, '', 'Error response from daemon: network with name x already exists\n')));
    expect(report.exitCode).toBe(0);
  });

  describe('exit codes', () => {
    it('without expectations a non-zero exit fails at once, without retrying', async () => {
      const { text, report, target } = await run(scenario('m$ docker frob'), new FakeTarget(() => exited(1, '', 'docker: unknown command\n')));
      expect(target.calls).toHaveLength(1);
      expect(text).toBe('m$ docker frob\ndocker: unknown command\n✗ line 1: expected exit code 0, got 1\n\n1 step, 1 failed\n');
      expect(report.exitCode).toBe(1);
    });

    it('exit N accepts that code', async () => {
      expect((await run(scenario('m$ docker frob', '  exit 1'), new FakeTarget(() => exited(1)))).report.exitCode).toBe(0);
    });

    it('~ alone still needs exit 0, blamed on the step line', async () => {
      const { text } = await run(scenario('m$ docker frob', '  ~ unknown'), new FakeTarget(() => exited(1, 'unknown')), { timeoutMs: 250 });
      expect(text).toContain('✗ line 1: expected exit code 0, got 1\n');
      expect(text).not.toContain('to contain');
    });

    it('an explicit exit N is blamed on its own line, and retried until it holds', async () => {
      const wrong = await run(scenario('m$ docker ps', '  ~ x', '  exit 0'), new FakeTarget(() => exited(3, 'x')), { timeoutMs: 250 });
      expect(wrong.text).toContain('✗ line 3: expected exit code 0, got 3\n');
      const target = new FakeTarget((_, i) => exited(i < 2 ? 0 : 1));
      const eventually = await run(scenario('m$ docker ps', '  exit 1'), target);
      expect(eventually.report.exitCode).toBe(0);
      expect(target.calls).toHaveLength(3);
    });

    it('lists every unmet expectation of the last attempt', async () => {
      const { text } = await run(scenario('m$ docker ps', '  ~ a', '  !~ b', '  ~ c', '  exit 2'), new FakeTarget(() => exited(0, 'b c')), { timeoutMs: 0 });
      expect(text).toContain('✗ line 2: expected output to contain "a"\n✗ line 3: expected output not to contain "b"\n✗ line 5: expected exit code 2, got 0\n');
    });
  });

  describe('placeholders', () => {
    it('fills commands, hosts and expectations at each attempt', async () => {
      const target = new FakeTarget(({ host }) => ok(`on ${host} 127.42.7.1`));
      target.tokens.worker = 'SWMTKN-w';
      target.tasks.set('web.1', { container: 'web.1.k3x', host: 'worker-2' });
      const { text, report } = await run(scenario('{{host:web.1}}$ docker exec {{task:web.1}} join {{token:worker}} {{addr:manager}}', '  ~ {{addr:manager}}'), target);
      expect(report.exitCode).toBe(0);
      expect(target.calls).toEqual([{ host: 'worker-2', argv: ['exec', 'web.1.k3x', 'join', 'SWMTKN-w', '127.42.7.1'] }]);
      expect(text).toContain('worker-2$ docker exec web.1.k3x join SWMTKN-w 127.42.7.1\non worker-2 127.42.7.1\n');
    });

    it('retries a failing lookup when the step has expectations', async () => {
      const target = new FakeTarget(() => ok('pong'));
      let lookups = 0;
      const task = target.task.bind(target);
      target.task = async (service, slot) => {
        if (++lookups === 3) target.tasks.set('web.1', { container: 'web.1.x', host: 'worker-1' });
        return task(service, slot);
      };
      const { report } = await run(scenario('m$ docker exec {{task:web.1}} ping', '  ~ pong'), target);
      expect(report.exitCode).toBe(0);
      expect(target.calls).toEqual([{ host: 'm', argv: ['exec', 'web.1.x', 'ping'] }]);
    });

    it('fails a step without expectations at once with the lookup message', async () => {
      const { text, target } = await run(scenario('w$ docker swarm join --token {{token:worker}} m'));
      expect(target.calls).toHaveLength(0);
      expect(text).toBe('w$ docker swarm join --token {{token:worker}} m\n✗ line 1: {{token:worker}}: This node is not a swarm manager.\n\n1 step, 1 failed\n');
    });

    it('reports a lookup failing in an expectation on that line', async () => {
      const { text } = await run(scenario('m$ docker ps', '  ~ {{task:web.4}}'), new FakeTarget(), { timeoutMs: 0 });
      expect(text).toContain('✗ line 2: {{task:web.4}}: no such task: web.4\n');
    });
  });

  it('reports a target that rejects as a failed step', async () => {
    const { text } = await run(scenario('m$ docker ps'), new FakeTarget(() => Promise.reject(new Error('host m is down'))));
    expect(text).toContain('✗ line 1: host m is down\n');
  });

  it('@kill stops the host; a failure to do so fails the step', async () => {
    const { text, target } = await run(scenario('@kill worker-1'));
    expect(target.killed).toEqual(['worker-1']);
    expect(text).toBe('@kill worker-1\n\n1 step, 0 failed\n');
    const broken = new FakeTarget();
    broken.killError = new Error('no such host: worker-9');
    expect((await run(scenario('@kill worker-9'), broken)).text).toContain('@kill worker-9\n✗ line 1: no such host: worker-9\n');
    const byTask = new FakeTarget();
    byTask.tasks.set('web.2', { container: 'c', host: 'worker-2' });
    expect((await run(scenario('@kill {{host:web.2}}'), byTask)).target.killed).toEqual(['worker-2']);
  });

  it('@expose-dns asks the target for the container’s DNS on the given loopback address', async () => {
    const target = new FakeTarget();
    target.tasks.set('web.1', { container: 'web.1.abc', host: 'worker-1' });
    const { text } = await run(scenario('@expose-dns {{task:web.1}} 127.0.0.1:5353'), target);
    expect(target.exposed).toEqual([{ container: 'web.1.abc', address: '127.0.0.1', port: 5353 }]);
    expect(text).toBe('@expose-dns web.1.abc 127.0.0.1:5353\n\n1 step, 0 failed\n');
  });

  it('@sleep waits on the clock, announced before it starts', async () => {
    const clock = jumpingClock();
    const out = capture();
    const target = new FakeTarget(() => ok(`t=${clock.now()}`));
    await runScenario(scenario('@sleep 1.5', 'm$ docker ps'), { target, write: out.write, clock, split: fakeSplit });
    expect(out.text()).toBe('@sleep 1.5\nm$ docker ps\nt=1500\n\n2 steps, 0 failed\n');
  });

  it('@sh runs /bin/sh -c on this machine, placeholders filled, output checked', async () => {
    const { text, report } = await run(scenario("@sh echo hi; echo {{addr:manager}} >&2", '  ~ hi', '  ~ 127.42.7.1', '@sh exit 3', '  exit 3'), new FakeTarget(), { shTimeoutMs: 5000 });
    expect(text).toBe('@sh echo hi; echo 127.42.7.1 >&2\nhi\n127.42.7.1\n@sh exit 3\n\n2 steps, 0 failed\n');
    expect(report.exitCode).toBe(0);
  });

  it('@sh passes its time limit to the runner of shell commands', async () => {
    const seen: unknown[] = [];
    const sh: RunSh = async (command, options) => {
      seen.push([command, options]);
      return ok('fake');
    };
    await run(scenario('@sh dig x'), new FakeTarget(), { shTimeoutMs: 1234 }, sh);
    expect(seen).toEqual([['dig x', { timeoutMs: 1234 }]]);
  });

  it('a failing @sh runner or clock fails its step instead of the run', async () => {
    const sh: RunSh = () => Promise.reject(new Error('spawn /bin/sh ENOENT'));
    const broken = await run(scenario('@sh true', 'm$ docker ps'), new FakeTarget(), {}, sh);
    expect(broken.text).toContain('@sh true\n✗ line 1: spawn /bin/sh ENOENT\n');
    expect(broken.report).toMatchObject({ passed: 1, failed: 1 });
    const out = capture();
    const clock = { now: () => jumpingClock().now(), sleep: () => Promise.reject(new Error('clock stopped')) };
    await runScenario(scenario('@sleep 1'), { target: new FakeTarget(), write: out.write, clock });
    expect(out.text()).toBe('@sleep 1\n✗ line 1: clock stopped\n\n1 step, 1 failed\n');
  });

  it('keeps going after a failure, and counts the failures', async () => {
    const target = new FakeTarget(({ argv }) => (argv[0] === 'bad' ? exited(1) : ok()));
    const { text, report } = await run(scenario('m$ docker bad', 'm$ docker ok', 'm$ docker bad', 'm$ docker ok'), target);
    expect(target.calls).toHaveLength(4);
    expect(text).toMatch(/\n4 steps, 2 failed\n$/);
    expect(report).toEqual({ steps: 4, passed: 2, failed: 2, notRun: 0, exitCode: 1 });
  });

  it('stops at the first failure with failFast', async () => {
    const target = new FakeTarget(({ argv }: DockerCall) => (argv[0] === 'bad' ? exited(1) : ok()));
    const { text, report } = await run(scenario('m$ docker ok', 'm$ docker bad', 'm$ docker ok'), target, { failFast: true });
    expect(target.calls).toHaveLength(2);
    expect(text).toMatch(/\n3 steps, 1 failed, 1 not run\n$/);
    expect(report).toEqual({ steps: 3, passed: 1, failed: 1, notRun: 1, exitCode: 1 });
  });

  it('passes an empty scenario', async () => {
    const { text, report } = await run(scenario('# nothing'));
    expect(text).toBe('\n0 steps, 0 failed\n');
    expect(report.exitCode).toBe(0);
  });
});
