// The container lifecycle: start/attach/wait/stop/kill/logs/exec on a ManualClock, with the real
// programs; signal rules of PID 1 (sleep and sh ignore SIGTERM, nginx quits on SIGQUIT).
import { describe, expect, it } from 'vitest';
import { IMAGES } from '../../src/host/images.js';
import { advance, CONTAINER_ID, flush, makeContainer } from './container-helpers.js';
import { ManualClock } from '../../src/util/clock.js';
import { FakeStack, LOOPBACK, overlayInterface } from './programs/fake-stack.js';

const OCI_NOT_FOUND =
  'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "foo": executable file not found in $PATH: unknown';

describe('Container start / wait', () => {
  it('runs the main process to its exit: created → running → exited, onExit, wait', async () => {
    const { container, clock, exits } = makeContainer();
    expect(container.state).toBe('created');
    expect(container.exitCode).toBeUndefined();
    await advance(clock, 500);
    container.start(['sleep', '10']);
    expect(container.state).toBe('running');
    expect(container.startedAt).toBe(500);
    const waited = container.wait();
    await advance(clock, 1000, 9);
    expect(container.state).toBe('running');
    await advance(clock, 1000);
    expect(container.state).toBe('exited');
    expect(await waited).toBe(0);
    expect(container.exitCode).toBe(0);
    expect(container.finishedAt).toBe(10_500);
    expect(exits).toEqual([0]);
    expect(await container.wait()).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('an unknown program: Docker’s OCI error, state exited with 127; a second start is refused', () => {
    const { container, exits } = makeContainer();
    expect(() => container.start(['foo'])).toThrow(OCI_NOT_FOUND);
    expect([container.state, container.exitCode]).toEqual(['exited', 127]);
    expect(exits).toEqual([]);
    expect(() => container.start(['sleep', '1'])).toThrow(/can be started once/);
    expect(() => makeContainer().container.start([])).toThrow('no command specified');
  });

  it('`docker run alpine` without -i: the shell reads EOF from /dev/null and exits 0', async () => {
    const { container, exits } = makeContainer();
    container.start(['/bin/sh']);
    await flush();
    expect([container.state, container.exitCode, exits]).toEqual(['exited', 0, [0]]);
    expect(container.logs()).toEqual({ stdout: '', stderr: '' });
  });

  it('`docker run -dt alpine` (a tty, no -i): the shell waits on the pty forever; attached input is not forwarded', async () => {
    const { container } = makeContainer({ tty: true });
    container.start(['/bin/sh']);
    expect(await container.attach('exit 3\n')).toEqual({ stdout: '', stderr: '', exitCode: null });
    expect([container.state, container.logs().stdout]).toEqual(['running', '/ # ']);
  });

  it('`sh -c` as PID 1: output in the logs, its exit status is the container’s', async () => {
    const { container } = makeContainer();
    container.start(['sh', '-c', 'echo hello; echo oops >&2 2>/dev/null || true; foo; exit 3']);
    // `>&2` is refused as a syntax error: the whole -c string fails with status 2.
    await flush();
    expect(container.exitCode).toBe(2);
    expect(container.logs().stderr).toMatch(/^sh: syntax error: unexpected ">"/);
    const ok = makeContainer();
    ok.container.start(['sh', '-c', 'echo hello; foo; exit 3']);
    await flush();
    expect(ok.container.exitCode).toBe(3);
    expect(ok.container.logs()).toEqual({ stdout: 'hello\n', stderr: 'sh: foo: not found\n' });
  });
});

describe('Container attach', () => {
  it('`docker run -it alpine`: attached before start, the terminal transcript, EOF ends the shell', async () => {
    const { container } = makeContainer({ tty: true, openStdin: true });
    const attached = container.attach('echo hi\nfoo\ncd /x\nfor i in a b\ndo echo $i\ndone\nexit 4\n');
    container.start(['/bin/sh']);
    expect(await attached).toEqual({
      stdout:
        '/ # echo hi\nhi\n/ # foo\n/bin/sh: foo: not found\n/ # cd /x\n/bin/sh: cd: can\'t cd to /x: No such file or directory\n' +
        '/ # for i in a b\n> do echo $i\n> done\na\nb\n/ # exit 4\n',
      stderr: '',
      exitCode: 4,
    });
    expect(container.exitCode).toBe(4);
    // With a tty everything went to stdout, also in the log.
    expect(container.logs().stderr).toBe('');
    expect(container.logs().stdout).toBe((await Promise.resolve(container.logs())).stdout);
  });

  it('`docker run -dit alpine` then attach: idle returns null; input then EOF exits the shell', async () => {
    const { container } = makeContainer({ tty: true, openStdin: true });
    container.start(['/bin/sh']);
    expect(await container.attach(null)).toEqual({ stdout: '', stderr: '', exitCode: null });
    expect(container.state).toBe('running');
    expect(container.logs().stdout).toBe('/ # ');
    expect(await container.attach('hostname\n')).toEqual({ stdout: 'hostname\n3f2a9c1e7b5d\n/ # ', stderr: '', exitCode: 0 });
    await expect(container.attach(null)).rejects.toThrow('You cannot attach to a stopped container, start it first');
  });

  it('a shell still working through attached input is not idle while a command sleeps', async () => {
    const { container, clock } = makeContainer({ tty: true, openStdin: true });
    container.start(['/bin/sh']);
    const attached = container.attach('sleep 1\necho after\n');
    // Far more event-loop turns than the idle check's bound pass while `sleep 1` waits on the clock.
    for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setTimeout(resolve, 1));
    await advance(clock, 1000);
    const output = await attached;
    expect(output.stdout).toContain('echo after\nafter\n');
    expect(output.exitCode).toBe(0);
  });

  it('without a tty stdout and stderr stay apart; a sleeping PID 1 counts as idle; timeoutMs waits on the clock', async () => {
    const { container, clock } = makeContainer({ openStdin: true });
    container.start(['sh']);
    const first = await container.attach(null);
    expect(first.exitCode).toBeNull();
    const sleeping = makeContainer();
    sleeping.container.start(['sh', '-c', 'echo start; sleep 5; echo end']);
    expect(await sleeping.container.attach(null)).toEqual({ stdout: '', stderr: '', exitCode: null });
    const until = sleeping.container.attach(null, { timeoutMs: 10_000 });
    await advance(sleeping.clock, 5000);
    expect(await until).toEqual({ stdout: 'end\n', stderr: '', exitCode: 0 });
    expect(sleeping.container.logs().stdout).toBe('start\nend\n');
    // A script on stdin: the shell's status is its last command's.
    const out = await container.attach('echo out\nnope\n');
    expect(out).toEqual({ stdout: 'out\n', stderr: 'sh: nope: not found\n', exitCode: 127 });
    expect(clock.pending).toBe(0);
  });
});

describe('Container stop / kill', () => {
  it('sleep as PID 1 ignores SIGTERM: stop waits the whole grace, then SIGKILL → 137', async () => {
    const { container, clock, exits } = makeContainer();
    container.start(['sleep', '1d']);
    let stopped = false;
    void container.stop(10_000).then(() => (stopped = true));
    await advance(clock, 9_999);
    expect([container.state, stopped]).toEqual(['running', false]);
    await advance(clock, 1);
    expect([container.state, container.exitCode, stopped, exits]).toEqual(['exited', 137, true, [137]]);
    expect(clock.pending).toBe(0);
    await container.stop(10_000); // no-op once exited
  });

  it('an interactive shell as PID 1 ignores SIGTERM too; a non-PID-1 sleep dies of it (143)', async () => {
    const { container, clock } = makeContainer({ tty: true, openStdin: true });
    container.start(['/bin/sh']);
    const exec = container.exec(['sleep', '100']);
    await flush();
    const stop = container.stop(2000);
    await advance(clock, 2000);
    await stop;
    expect(container.exitCode).toBe(137);
    // PID 1 gone: everything else in the container is killed.
    expect((await exec).exitCode).toBe(137);

    const other = makeContainer();
    other.container.start(['sh', '-c', 'sleep 100; echo never']);
    await flush();
    other.container.kill('TERM');
    await flush();
    expect(other.container.state).toBe('running'); // sh (PID 1) ignores it; sleep is not PID 1 but got nothing
    other.container.kill('9');
    await flush();
    expect(other.container.exitCode).toBe(137);
    expect(other.container.logs().stdout).toBe('');
  });

  it('nginx: entrypoint lines on stdout, notices on stderr; stop (SIGQUIT) ends it at once with 0', async () => {
    const { container, clock } = makeContainer({ image: IMAGES.nginx, hostname: 'web' });
    container.start([...IMAGES.nginx.entrypoint, ...IMAGES.nginx.cmd]);
    await flush();
    const logs = container.logs();
    expect(logs.stdout.split('\n')[0]).toBe('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
    expect(logs.stdout).toContain('/docker-entrypoint.sh: Configuration complete; ready for start up\n');
    expect(logs.stderr.split('\n')[1]).toBe('2024/05/01 12:00:00 [notice] 1#1: nginx/1.27.4');
    await advance(clock, 61_000);
    await container.stop(10_000);
    expect([container.state, container.exitCode, container.finishedAt]).toEqual(['exited', 0, 61_000]);
    expect(container.logs().stderr).toContain('2024/05/01 12:01:01 [notice] 1#1: signal 3 (SIGQUIT) received, shutting down\n');
    expect(container.logs().stderr.endsWith('[notice] 1#1: exit\n')).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('kill: signal names/numbers as docker kill -s; Invalid signal; not running', async () => {
    const { container } = makeContainer();
    container.start(['sleep', '100']);
    expect(() => container.kill('FOO')).toThrow('Invalid signal: FOO');
    expect(() => container.kill('99')).toThrow('Invalid signal: 99');
    container.kill('sigterm'); // ignored by PID 1
    container.kill('HUP');
    await flush();
    expect(container.state).toBe('running');
    container.kill();
    await flush();
    expect(container.exitCode).toBe(137);
    expect(() => container.kill()).toThrow(`container ${CONTAINER_ID} is not running`);
  });

  it('ping as PID 1 prints its statistics on SIGINT (its handler), exit 1 without replies', async () => {
    const stack = new FakeStack(new ManualClock(), [LOOPBACK, overlayInterface('eth0', 80, 81, '10.0.1.5', 24)]);
    const pinging = makeContainer({ stack });
    pinging.container.start(['ping', '10.0.1.9']);
    await flush();
    await advance(pinging.clock, 1000, 3);
    pinging.container.kill('INT');
    await flush();
    expect(pinging.container.exitCode).toBe(1);
    expect(pinging.container.logs().stdout).toBe('PING 10.0.1.9 (10.0.1.9): 56 data bytes\n\n--- 10.0.1.9 ping statistics ---\n4 packets transmitted, 0 packets received, 100% packet loss\n');
  });

  it('`sh -c "…; ping x"`: the last command replaces the shell (ash EV_EXIT), so SIGINT reaches ping', async () => {
    const stack = new FakeStack(new ManualClock(), [LOOPBACK, overlayInterface('eth0', 80, 81, '10.0.1.5', 24)]);
    const pinging = makeContainer({ stack });
    pinging.container.start(['sh', '-c', 'echo go; ping -q 10.0.1.9']);
    await flush();
    pinging.container.kill('SIGINT');
    await flush();
    expect(pinging.container.exitCode).toBe(1);
    expect(pinging.container.logs().stdout).toBe('go\nPING 10.0.1.9 (10.0.1.9): 56 data bytes\n\n--- 10.0.1.9 ping statistics ---\n1 packets transmitted, 0 packets received, 100% packet loss\n');
  });

  it('close kills PID 1 (137, onExit) and refuses exec afterwards', async () => {
    const { container, exits } = makeContainer();
    container.start(['sleep', '100']);
    await container.close();
    expect([container.state, container.exitCode, exits]).toEqual(['exited', 137, [137]]);
    await expect(container.exec(['hostname'])).rejects.toThrow(`container ${CONTAINER_ID} is not running`);
  });
});

describe('Container exec / env / logs / files', () => {
  it('exec needs a running container; env as moby composes it (TERM with a tty, image env)', async () => {
    const { container } = makeContainer({ env: ['FOO=bar', 'PATH=/custom'] });
    await expect(container.exec(['env'])).rejects.toThrow(`container ${CONTAINER_ID} is not running`);
    container.start(['sleep', '1d']);
    expect(await container.exec(['env'])).toEqual({ stdout: 'PATH=/custom\nHOSTNAME=3f2a9c1e7b5d\nFOO=bar\nHOME=/root\n', stderr: '', exitCode: 0 });
    expect((await container.exec(['env'], { tty: true, env: ['X=1'] })).stdout).toBe('PATH=/custom\nHOSTNAME=3f2a9c1e7b5d\nTERM=xterm\nFOO=bar\nX=1\nHOME=/root\n');
    const nginx = makeContainer({ image: IMAGES.nginx });
    nginx.container.start(['sleep', '1d']);
    expect((await nginx.container.exec(['env'])).stdout).toContain('HOSTNAME=3f2a9c1e7b5d\nNGINX_VERSION=1.27.4\n');
  });

  it('exec with stdin and a tty: echo of input, stderr merged; the old (argv, timeoutMs) form', async () => {
    const { container, clock } = makeContainer();
    container.start(['sleep', '1d']);
    expect(await container.exec(['sh'], { stdin: 'echo $HOSTNAME\nfoo\n' })).toEqual({ stdout: '3f2a9c1e7b5d\n', stderr: 'sh: foo: not found\n', exitCode: 127 });
    expect(await container.exec(['sh'], { stdin: 'foo\ntrue\n', tty: true })).toEqual({ stdout: '/ # foo\nsh: foo: not found\n/ # true\n/ # ', stderr: '', exitCode: 0 });
    const slow = container.exec(['sleep', '100'], 500);
    await advance(clock, 500);
    expect(await slow).toEqual({ stdout: '', stderr: '', exitCode: 130 });
    expect(await container.exec(['/bin/cat', '/etc/hostname'])).toEqual({ stdout: '3f2a9c1e7b5d\n', stderr: '', exitCode: 0 });
    expect((await container.exec(['/opt/cat', '/etc/hostname'])).exitCode).toBe(127);
  });

  it('readFile: Docker’s files from hostname and legs, os-release per image, paths normalised', () => {
    const { container } = makeContainer();
    expect(container.readFile('/etc/../etc/hostname')).toBe('3f2a9c1e7b5d\n');
    expect(container.readFile('/etc/hosts')).toBe(
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\nff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n',
    );
    expect(container.readFile('/etc/os-release')).toMatch(/^NAME="Alpine Linux"\n/);
    expect(makeContainer({ image: IMAGES.busybox }).container.readFile('/etc/os-release')).toBeUndefined();
    expect(container.readFile('/nope')).toBeUndefined();
  });
});
