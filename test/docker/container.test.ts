import { describe, expect, it } from 'vitest';
import { runDocker } from '../../src/docker/docker.js';
import { EngineApiError, type ContainerCreateRequest } from '../../src/host/engine-api.js';
import { FakeEngine } from './fake-engine.js';
import { NOW, serviceHandlers } from './service-fixtures.js';

const ID = 'c'.repeat(64);
const engine = (extra = {}) =>
  new FakeEngine({
    ...serviceHandlers(),
    containerCreate: () => ({ Id: ID, Warnings: [] }),
    containerStart: () => null,
    containerAttach: () => ({ stdout: 'hi\n', stderr: '', exitCode: 3 }),
    containerInspect: ({ id }: { id: string }) => {
      if (id !== 'tester') throw new EngineApiError(`No such container: ${id}`, 404);
      return { Id: ID, State: { Running: true }, Config: { OpenStdin: true, Tty: false } } as never;
    },
    containerExec: ({ stdin }: { stdin: string | null }) => ({ stdout: `got ${JSON.stringify(stdin)}\n`, stderr: '', exitCode: 0 }),
    ...extra,
  });
const run = (argv: string[], e = engine(), stdin: string[] = []) => {
  const lines = [...stdin];
  return runDocker(argv, e, { now: () => NOW, stdin: async () => lines.shift() ?? null, sleep: async () => undefined });
};

describe('docker ps', () => {
  it('prints the reference table (§5.1)', async () => {
    const r = await run(['ps']);
    expect(r.stdout).toBe(
      'CONTAINER ID   IMAGE          COMMAND                  CREATED          STATUS          PORTS     NAMES\n' +
        '8b7a6c5d4e3f   busybox        "sleep 3600"             45 seconds ago   Up 44 seconds             tester\n' +
        '3f2a9c1e7b5d   nginx:latest   "/docker-entrypoint.…"   5 minutes ago    Up 5 minutes    80/tcp    web.1.x2y7kkh8hmr7e4dqbpfj0ljmq\n',
    );
    expect((await run(['container', 'ls', '-q', '--no-trunc'])).stdout.split('\n')[0]).toHaveLength(64);
    expect((await run(['container', 'list', '--format', '{{.Names}}'])).stdout).toBe('tester\nweb.1.x2y7kkh8hmr7e4dqbpfj0ljmq\n');
  });
});

describe('docker run', () => {
  it('-d prints the full ID; the request carries the flags', async () => {
    let req: ContainerCreateRequest | undefined;
    const e = engine({ containerCreate: (p: ContainerCreateRequest) => ((req = p), { Id: ID, Warnings: [] }) });
    expect(await run(['run', '-d', '--name', 't', '--network', 'mynet', '--network-alias', 'a', '-h', 'box', '-e', 'X=1', 'busybox', 'sleep', '-1'], e)).toEqual({ stdout: `${ID}\n`, stderr: '', exitCode: 0 });
    expect(req).toMatchObject({ name: 't', Image: 'busybox', Cmd: ['sleep', '-1'], Hostname: 'box', Env: ['X=1'], HostConfig: { NetworkMode: 'mynet' }, NetworkingConfig: { EndpointsConfig: { mynet: { Aliases: ['a'] } } } });
    expect(e.methods()).toEqual(['containerCreate', 'containerStart']);
  });

  it('in the foreground prints the output and exits with the process status', async () => {
    expect(await run(['run', 'busybox', 'sh'])).toEqual({ stdout: 'hi\n', stderr: '', exitCode: 3 });
  });

  it('an unknown image reads as docker prints it, exit 125 (§5.2)', async () => {
    const e = engine({ containerCreate: () => { throw new EngineApiError('No such image: nosuchimage:latest', 404); } });
    expect(await run(['run', '-d', 'nosuchimage'], e)).toEqual({
      stdout: '',
      stderr:
        "Unable to find image 'nosuchimage:latest' locally\ndocker: Error response from daemon: pull access denied for nosuchimage, repository does not exist or may require 'docker login'\n\nRun 'docker run --help' for more information\n",
      exitCode: 125,
    });
  });

  it('a command that cannot run exits 127, flag errors 125, unsupported flags are refused', async () => {
    const e = engine({ containerStart: () => { throw new EngineApiError('failed to create task: exec: "nope": executable file not found in $PATH', 400); } });
    const r = await run(['run', 'busybox', 'nope'], e);
    expect(r.exitCode).toBe(127);
    expect(r.stderr.startsWith('docker: Error response from daemon: failed to create task')).toBe(true);
    expect((await run(['run', '--bogus', 'busybox'])).exitCode).toBe(125);
    expect(await run(['run', '-v', '/x:/y', 'busybox'])).toMatchObject({ stderr: 'swarmnet does not support --volume: swarmnet does not emulate volumes\n', exitCode: 1 });
  });
});

describe('docker exec / attach / stop / inspect', () => {
  it('exec -i hands all input lines to the process; without -i none', async () => {
    expect((await run(['exec', '-i', 'tester', 'sh'], engine(), ['ping -c 1 web', 'exit'])).stdout).toBe('got "ping -c 1 web\\nexit\\n"\n');
    expect((await run(['exec', 'tester', 'ls', '-l'])).stdout).toBe('got null\n');
    expect(await run(['exec', 'nosuch', 'ls'])).toEqual({ stdout: '', stderr: 'Error response from daemon: No such container: nosuch\n', exitCode: 1 });
  });

  it('stop and rm echo names; failures are collected', async () => {
    const e = engine({ containerStop: ({ id }: { id: string }) => { if (id === 'bad') throw new EngineApiError('No such container: bad', 404); return null; } });
    expect(await run(['stop', 'tester', 'bad'], e)).toEqual({ stdout: 'tester\n', stderr: 'Error response from daemon: No such container: bad\n', exitCode: 1 });
  });

  it('docker inspect tries containers, then networks, nodes and services', async () => {
    const e = engine({ taskInspect: () => { throw new EngineApiError('no such task', 404); } });
    expect((await run(['inspect', '-f', '{{.Name}}', 'mynet'], e)).stdout).toBe('mynet\n');
    expect((await run(['inspect', '-f', '{{.Description.Hostname}}', 'worker1'], e)).stdout).toBe('worker1\n');
    expect(await run(['inspect', '--type', 'container', 'mynet'], e)).toEqual({ stdout: '[]\n', stderr: 'Error: No such object: mynet\n', exitCode: 1 });
  });
});

describe('docker network connect / disconnect / prune', () => {
  it('connect passes aliases, prune asks first', async () => {
    const e = engine({ networkConnect: () => null, networkPrune: () => ({ NetworksDeleted: ['old1', 'old2'] }) });
    expect(await run(['network', 'connect', '--alias', 'db', 'mynet', 'tester'], e)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(e.calls.at(-1)).toEqual({ method: 'networkConnect', params: { id: 'mynet', container: 'tester', aliases: ['db'] } });
    const prompt = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';
    expect(await run(['network', 'prune'], e, ['n'])).toEqual({ stdout: prompt, stderr: '', exitCode: 0 });
    expect(await run(['network', 'prune'], e, ['y'])).toEqual({ stdout: `${prompt}Deleted Networks:\nold1\nold2\n\n`, stderr: '', exitCode: 0 });
    expect((await run(['network', 'prune', '-f'], e)).stdout).toBe('Deleted Networks:\nold1\nold2\n\n');
  });
});
