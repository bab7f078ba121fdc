import { describe, expect, it } from 'vitest';
import { runDocker } from '../../src/docker/docker.js';
import { FakeEngine, refusing } from './fake-engine.js';

async function fails(argv: string[], engine = new FakeEngine()): Promise<{ stderr: string; exitCode: number; stdout: string }> {
  const r = await runDocker(argv, engine);
  return r;
}

describe('flag errors (cli FlagErrorFunc: exit 125)', () => {
  it.each([
    [['node', 'ls', '--foo'], 'unknown flag: --foo', 'docker node ls [OPTIONS]', 'docker node ls'],
    [['node', 'ls', '-x'], "unknown shorthand flag: 'x' in -x", 'docker node ls [OPTIONS]', 'docker node ls'],
    [['node', 'ls', '-qx'], "unknown shorthand flag: 'x' in -x", 'docker node ls [OPTIONS]', 'docker node ls'],
    [['node', 'ls', '--filter'], 'flag needs an argument: --filter', 'docker node ls [OPTIONS]', 'docker node ls'],
    [['node', 'ls', '-f'], "flag needs an argument: 'f' in -f", 'docker node ls [OPTIONS]', 'docker node ls'],
    [['node', 'ls', '-f', 'role'], 'invalid argument "role" for "-f, --filter" flag: bad format of filter (expected name=value)', 'docker node ls [OPTIONS]', 'docker node ls'],
    [
      ['swarm', 'init', '--data-path-port', 'abc'],
      'invalid argument "abc" for "--data-path-port" flag: strconv.ParseUint: parsing "abc": invalid syntax',
      'docker swarm init [OPTIONS]',
      'docker swarm init',
    ],
    [['swarm', 'leave', '--force=maybe'], 'invalid argument "maybe" for "-f, --force" flag: strconv.ParseBool: parsing "maybe": invalid syntax', 'docker swarm leave [OPTIONS]', 'docker swarm leave'],
    [['--foo'], 'unknown flag: --foo', 'docker [OPTIONS] COMMAND [ARG...]', 'docker'],
    [['--foo', 'node', 'ls'], 'unknown flag: --foo', 'docker [OPTIONS] COMMAND [ARG...]', 'docker'],
    [['nosuch', '--bar'], 'unknown flag: --bar', 'docker [OPTIONS] COMMAND [ARG...]', 'docker'],
    // cobra's Traverse takes the word after an unknown flag as its value, so `node` owns the error.
    [['node', '--foo', 'ls'], 'unknown flag: --foo', 'docker node', 'docker node'],
    [['node', 'ls', '---q'], 'bad flag syntax: ---q', 'docker node ls [OPTIONS]', 'docker node ls'],
    [['swarm', 'init', '--default-addr-pool', '10.0.0.0'], 'invalid argument "10.0.0.0" for "--default-addr-pool" flag: invalid string being converted to CIDR: 10.0.0.0', 'docker swarm init [OPTIONS]', 'docker swarm init'],
    [['swarm', 'init', '--listen-addr', 'udp://x'], 'invalid argument "udp://x" for "--listen-addr" flag: invalid proto, expected tcp: udp://x', 'docker swarm init [OPTIONS]', 'docker swarm init'],
  ])('%j', async (argv, err, use, path) => {
    const r = await fails(argv);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${err}\n\nUsage:  ${use}\n\nRun '${path} --help' for more information\n`);
    expect(r.exitCode).toBe(125);
  });
});

describe('argument errors (cli required.go: exit 1)', () => {
  it.each([
    [['swarm', 'join'], "docker: 'docker swarm join' requires 1 argument\n\nUsage:  docker swarm join [OPTIONS] HOST:PORT\n\nRun 'docker swarm join --help' for more information"],
    [['swarm', 'join', 'a', 'b'], "docker: 'docker swarm join' requires 1 argument\n\nUsage:  docker swarm join [OPTIONS] HOST:PORT\n\nRun 'docker swarm join --help' for more information"],
    [['node', 'inspect'], "docker: 'docker node inspect' requires at least 1 argument\n\nUsage:  docker node inspect [OPTIONS] self|NODE [NODE...]\n\nSee 'docker node inspect --help' for more information"],
    [['node', 'ls', 'x'], "docker: 'docker node ls' accepts no arguments\n\nUsage:  docker node ls [OPTIONS]\n\nRun 'docker node ls --help' for more information"],
    [['swarm', 'init', 'x'], "docker: 'docker swarm init' accepts no arguments\n\nUsage:  docker swarm init [OPTIONS]\n\nRun 'docker swarm init --help' for more information"],
    [['node', 'foo'], "docker: unknown command: docker node foo\n\nUsage:  docker node\n\nRun 'docker node --help' for more information"],
    [['swarm', 'unlock'], "docker: unknown command: docker swarm unlock\n\nUsage:  docker swarm\n\nRun 'docker swarm --help' for more information"],
    [['foo'], "docker: unknown command: docker foo\n\nRun 'docker --help' for more information"],
    [['foo', 'bar'], "docker: unknown command: docker foo\n\nRun 'docker --help' for more information"],
  ])('%j', async (argv, err) => {
    expect(await fails(argv)).toEqual({ stdout: '', stderr: `${err}\n`, exitCode: 1 });
  });

  it('reports a flag error met while finding the command plainly (cobra Traverse), exit 1', async () => {
    expect(await fails(['node', '--help=x', 'ls'])).toEqual({
      stdout: '',
      stderr: 'invalid argument "x" for "--help" flag: strconv.ParseBool: parsing "x": invalid syntax\n',
      exitCode: 1,
    });
  });

  it('checks arguments before calling the daemon', async () => {
    const engine = new FakeEngine();
    await runDocker(['swarm', 'join'], engine);
    expect(engine.calls).toEqual([]);
  });
});

describe('daemon and client failures', () => {
  it('prints daemon refusals as `Error response from daemon:` (trimmed), exit 1', async () => {
    const msg =
      'This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager. ';
    const r = await fails(['node', 'ls'], new FakeEngine(refusing(msg)));
    expect(r).toEqual({ stdout: '', stderr: `Error response from daemon: ${msg.trim()}\n`, exitCode: 1 });
  });

  it('prints transport failures as `error during connect:`', async () => {
    const r = await fails(['node', 'ls'], new FakeEngine({ nodeList: () => Promise.reject(new Error('host worker-1 is not running')) }));
    expect(r).toEqual({ stdout: '', stderr: 'error during connect: host worker-1 is not running\n', exitCode: 1 });
  });

  it('refuses options the emulator cannot honour, with a reason', async () => {
    const engine = new FakeEngine();
    expect(await runDocker(['swarm', 'init', '--autolock'], engine)).toEqual({
      stdout: '',
      stderr: 'swarmnet does not support --autolock: manager autolocking (unlock keys) is not emulated\n',
      exitCode: 1,
    });
    expect((await runDocker(['-H', 'tcp://10.0.0.1:2375', 'node', 'ls'], engine)).stderr).toBe(
      'swarmnet does not support --host: swarmnet runs each command against the emulated host it was typed on\n',
    );
    expect((await runDocker(['swarm', 'init', '--cert-expiry', '24h'], engine)).exitCode).toBe(1);
    expect((await runDocker(['--context', 'remote', 'info'], engine)).stderr).toBe(
      'swarmnet does not support --context remote: swarmnet runs each command against the emulated host it was typed on\n',
    );
    expect(engine.calls).toEqual([]);
    // The default value of such an option is harmless.
    expect((await runDocker(['swarm', 'init', '--autolock=false', '--cert-expiry', '2160h'], engine)).exitCode).toBe(0);
    expect((await runDocker(['-c', 'default', 'node', 'ls', '-q'], engine)).exitCode).toBe(0);
  });

  it('accepts harmless global flags', async () => {
    const r = await runDocker(['-D', '--log-level', 'debug', '--config', '/tmp/x', 'node', 'ls', '-q'], new FakeEngine());
    expect(r.exitCode).toBe(0);
    expect(await runDocker(['-l', 'loud', 'node', 'ls'], new FakeEngine())).toEqual({ stdout: '', stderr: 'Unable to parse logging level: loud\n', exitCode: 1 });
  });

  it('prints the client version for -v / --version', async () => {
    const want = { stdout: 'Docker version 28.2.2, build e6534b4\n', stderr: '', exitCode: 0 };
    expect(await runDocker(['-v'], new FakeEngine())).toEqual(want);
    expect(await runDocker(['--version'], new FakeEngine())).toEqual(want);
  });
});
