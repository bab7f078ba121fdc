/**
 * Standalone containers through one host's Engine API (in-memory underlay, manual clock): create,
 * start, ps, inspect, exec, logs, attach, stop, rm on the default bridge, with Docker's texts for
 * name clashes, missing containers, removing a running container and exec in a stopped one; two
 * containers on `bridge` ping each other by IP, but not by name (no DNS on the default bridge).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../src/dataplane/index.js';
import { EngineApiError, type EngineMethod, type EngineParams, type EngineResult } from '../../src/host/engine-api.js';
import { Host } from '../../src/host/host.js';
import { ManualClock, ms } from '../../src/util/clock.js';

let hosts: Host[] = [];
afterEach(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  hosts = [];
});

function oneHost() {
  const network = new MemoryNetwork();
  const clock = new ManualClock();
  const host = new Host({ name: 'node-1', underlay: network.attach('127.8.0.1', 4789), clock, seed: 11 });
  hosts.push(host);
  /** An engine call, the manual clock moving in small steps until it settles (bounded). */
  async function call<M extends EngineMethod>(method: M, params: EngineParams<M>, stepMs = 50, maxSteps = 400): Promise<EngineResult<M>> {
    let done = false;
    let result: EngineResult<M> | undefined;
    let failure: unknown;
    void host.engine(method, params).then(
      (r) => ((result = r), (done = true)),
      (e: unknown) => ((failure = e), (done = true)),
    );
    for (let i = 0; i < maxSteps && !done; i++) {
      await network.idle();
      await new Promise((r) => setImmediate(r));
      if (!done) clock.advance(ms(stepMs));
    }
    if (!done) throw new Error(`${method} did not finish within ${maxSteps} steps`);
    if (failure !== undefined) throw failure;
    return result as EngineResult<M>;
  }
  return { host, clock, call };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineApiError);
  return (error as EngineApiError).message;
}

const run = (name: string, cmd?: string[]) => ({ name, Image: 'alpine', ...(cmd ? { Cmd: cmd } : {}), Tty: true, OpenStdin: true, HostConfig: { NetworkMode: 'default' } });

describe('standalone containers on the default bridge', () => {
  it('run, ps, inspect, exec, stop, rm with Docker texts', async () => {
    const { call } = oneHost();
    const { Id } = await call('containerCreate', run('container01-alpine'));
    expect(Id).toMatch(/^[0-9a-f]{64}$/);
    await call('containerStart', { id: 'container01-alpine' });
    const clash = await refusal(call('containerCreate', run('container01-alpine')));
    expect(clash).toBe(
      `Conflict. The container name "/container01-alpine" is already in use by container "${Id}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
    const [summary] = await call('containerList', {});
    expect(summary).toMatchObject({ Id, Names: ['/container01-alpine'], Image: 'alpine', Command: '/bin/sh', State: 'running' });
    expect(summary!.Status).toMatch(/^Up /);
    const inspect = await call('containerInspect', { id: Id.slice(0, 12) });
    expect(inspect.Name).toBe('/container01-alpine');
    expect(inspect.Config.Hostname).toBe(Id.slice(0, 12));
    expect(inspect.NetworkSettings.Networks['bridge']).toMatchObject({ IPAddress: '172.17.0.2', IPPrefixLen: 16, Gateway: '172.17.0.1', MacAddress: '02:42:ac:11:00:02' });
    const hostname = await call('containerExec', { id: 'container01-alpine', cmd: ['hostname'], stdin: null });
    expect(hostname).toEqual({ stdout: `${Id.slice(0, 12)}\n`, stderr: '', exitCode: 0 });
    expect((await call('info', {})).ContainersRunning).toBe(1);
    expect(await refusal(call('containerRemove', { id: 'container01-alpine' }))).toBe(
      'cannot remove container "container01-alpine": container is running: stop the container before removing or force remove',
    );
    await call('containerStop', { id: 'container01-alpine', timeout: 1 });
    const stopped = await call('containerInspect', { id: 'container01-alpine' });
    expect(stopped.State.Running).toBe(false);
    expect(await call('containerList', {})).toEqual([]);
    const [exited] = await call('containerList', { all: true });
    expect(exited!.Status).toMatch(/^Exited \(\d+\) .* ago$/);
    expect(await refusal(call('containerExec', { id: 'container01-alpine', cmd: ['true'], stdin: null }))).toBe(`container ${Id} is not running`);
    await call('containerRemove', { id: 'container01-alpine' });
    expect(await refusal(call('containerInspect', { id: 'container01-alpine' }))).toBe('No such container: container01-alpine');
    expect((await call('info', {})).Containers).toBe(0);
  });

  it('two containers ping each other by IP; by name busybox finds no address', async () => {
    const { call } = oneHost();
    for (const name of ['container01-alpine', 'container02-alpine']) {
      await call('containerCreate', run(name));
      await call('containerStart', { id: name });
    }
    const ping = await call('containerExec', { id: 'container01-alpine', cmd: ['ping', '-c', '2', '172.17.0.3'], stdin: null });
    expect(ping.exitCode).toBe(0);
    expect(ping.stdout).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
    const byName = await call('containerExec', { id: 'container01-alpine', cmd: ['ping', '-c', '2', 'container02-alpine'], stdin: null });
    expect(byName).toEqual({ stdout: '', stderr: "ping: bad address 'container02-alpine'\n", exitCode: 1 });
    const bridge = await call('networkInspect', { id: 'bridge' });
    expect(Object.values(bridge.Containers!).map((c) => [c.Name, c.IPv4Address]).sort()).toEqual([
      ['container01-alpine', '172.17.0.2/16'],
      ['container02-alpine', '172.17.0.3/16'],
    ]);
  });

  it('a command that exits: logs, wait, attach output; --rm removes it; generated names; unknown image', async () => {
    const { call } = oneHost();
    const { Id } = await call('containerCreate', { Image: 'busybox', Cmd: ['echo', 'hello'], HostConfig: { NetworkMode: 'bridge', AutoRemove: false } });
    const inspect = await call('containerInspect', { id: Id });
    expect(inspect.Name).toMatch(/^\/[a-z]+_[a-z]+$/);
    await call('containerStart', { id: Id });
    expect(await call('containerWait', { id: Id })).toEqual({ StatusCode: 0 });
    expect(await call('containerLogs', { id: Id })).toEqual({ stdout: 'hello\n', stderr: '' });
    const rm = await call('containerCreate', { name: 'gone', Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'default', AutoRemove: true } });
    await call('containerStart', { id: rm.Id });
    for (let i = 0; i < 20 && (await call('containerList', { all: true })).some((c) => c.Id === rm.Id); i++) await new Promise((r) => setImmediate(r));
    expect((await call('containerList', { all: true })).map((c) => c.Id)).toEqual([Id]);
    expect(await refusal(call('containerCreate', { Image: 'nosuchimage', HostConfig: { NetworkMode: 'default' } }))).toBe(
      "pull access denied for nosuchimage, repository does not exist or may require 'docker login'",
    );
    expect(await refusal(call('containerCreate', { Image: 'alpine', HostConfig: { NetworkMode: 'test-net' } }))).toBe('network test-net not found');
  });
});
