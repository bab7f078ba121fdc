import { describe, expect, it } from 'vitest';
import { runDocker } from '../../src/docker/docker.js';
import { EngineApiError, type EngineServiceSpec } from '../../src/host/engine-api.js';
import { FakeEngine } from './fake-engine.js';
import { NOW, serviceHandlers, WEB, WEB_ID } from './service-fixtures.js';

/** A clock that moves only when the command sleeps. */
function fakeTime() {
  let t = NOW.getTime();
  return { now: () => new Date(t), sleep: async (ms: number) => void (t += ms) };
}

const engine = (extra = {}) => new FakeEngine({ ...serviceHandlers(), ...extra });
const run = (argv: string[], e = engine(), stdin?: string[]) => {
  const lines = [...(stdin ?? [])];
  return runDocker(argv, e, { ...fakeTime(), stdin: async () => lines.shift() ?? null });
};

describe('docker service ls / ps / inspect', () => {
  it('lists services as the reference shows (§4.2)', async () => {
    const e = engine();
    const r = await run(['service', 'ls'], e);
    expect(r.stdout).toBe(
      'ID             NAME      MODE         REPLICAS   IMAGE          PORTS\n' + 'k4w3n2eoh1sh   web       replicated   3/3        nginx:latest   *:8080->80/tcp\n',
    );
    expect(e.calls[0]).toEqual({ method: 'serviceList', params: { status: true } });
    expect((await run(['service', 'ls', '-q'])).stdout).toBe('k4w3n2eoh1sh\n');
  });

  it('prints the task table byte for byte (§4.3)', async () => {
    const r = await run(['service', 'ps', 'web']);
    expect(r.stdout).toBe(
      'ID             NAME        IMAGE          NODE       DESIRED STATE   CURRENT STATE              ERROR                       PORTS\n' +
        'x2y7kkh8hmr7   web.1       nginx:latest   manager1   Running         Running 5 minutes ago                                  \n' +
        'v9dyl0m0qvxz    \\_ web.1   nginx:latest   manager1   Shutdown        Failed about an hour ago   "task: non-zero exit (1)"   \n' +
        'q5jfm2w5ctv0   web.2       nginx:latest   worker1    Running         Running 4 minutes ago                                  \n' +
        'm6wf1pl3cbc1   web.3       nginx:latest   worker2    Running         Running 4 minutes ago                                  \n' +
        'p3o6p2wvccf9    \\_ web.3   nginx:latest   worker2    Shutdown        Shutdown 2 seconds ago                                 \n',
    );
    expect(r.exitCode).toBe(0);
  });

  it('ps: -q prints full IDs, unknown services are reported after the table', async () => {
    expect((await run(['service', 'ps', '-q', 'web'])).stdout.split('\n')[0]).toBe('x2y7kkh8hmr7e4dqbpfj0ljmq');
    expect(await run(['service', 'ps', 'nosuch'])).toEqual({ stdout: '', stderr: 'no such service: nosuch\n', exitCode: 1 });
    const both = await run(['service', 'ps', '--format', '{{.Name}} {{.Node}}', 'web', 'nosuch']);
    expect(both.stdout.split('\n')[0]).toBe('web.1 manager1');
    expect(both).toMatchObject({ stderr: 'no such service: nosuch\n', exitCode: 1 });
  });

  it('node ps lists the tasks of this node (default self)', async () => {
    const r = await run(['node', 'ps', '--format', '{{.Name}}\t{{.DesiredState}}']);
    expect(r.stdout).toBe('web.1\tRunning\nweb.1\tShutdown\n');
  });

  it('inspect --pretty matches the reference (§4.7)', async () => {
    const r = await run(['service', 'inspect', '--pretty', 'web']);
    expect(r.stdout).toBe(
      '\nID:\t\tk4w3n2eoh1sh1vmy4oyyhq5zs\nName:\t\tweb\nService Mode:\tReplicated\n Replicas:\t3\nPlacement:\nUpdateConfig:\n Parallelism:\t1\n On failure:\tpause\n' +
        ' Monitoring Period: 5s\n Max failure ratio: 0\n Update order:      stop-first\nRollbackConfig:\n Parallelism:\t1\n On failure:\tpause\n' +
        ' Monitoring Period: 5s\n Max failure ratio: 0\n Rollback order:    stop-first\nContainerSpec:\n' +
        ' Image:\t\tnginx:latest@sha256:33e0bbc7ca9ecf108140af6288c7c9d1ecc77548cbfd3952fd8466a75edefe57\n Init:\t\tfalse\nResources:\n' +
        'Networks: mynet \nEndpoint Mode:\tvip\nPorts:\n PublishedPort = 8080\n  Protocol = tcp\n  TargetPort = 80\n  PublishMode = ingress \n\n',
    );
  });

  it('inspect of a missing service prints [] and the client error', async () => {
    expect(await run(['service', 'inspect', 'nosuch'])).toEqual({ stdout: '[]\n', stderr: 'Error: no such service: nosuch\n', exitCode: 1 });
    expect((await run(['service', 'inspect', '-f', '{{.Spec.Name}} {{index .Spec.Labels "x"}}', 'web'])).stdout).toBe('web <no value>\n');
  });
});

describe('docker service create: flags to spec', () => {
  async function specOf(args: string[]): Promise<EngineServiceSpec> {
    let spec: EngineServiceSpec | undefined;
    const r = await run(['service', 'create', '-d', '--no-resolve-image', ...args], engine({ serviceCreate: (p: { spec: EngineServiceSpec }) => ((spec = p.spec), { ID: WEB_ID }) }));
    expect(r).toEqual({ stdout: `${WEB_ID}\n`, stderr: '', exitCode: 0 });
    return spec!;
  }

  const portCases: [string, unknown][] = [
    ['8080:80', [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }]],
    ['8080:80/udp', [{ Protocol: 'udp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }]],
    ['80', [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 0, PublishMode: 'ingress' }]],
    ['8080-8081:80-81', [
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
      { Protocol: 'tcp', TargetPort: 81, PublishedPort: 8081, PublishMode: 'ingress' },
    ]],
    ['published=8080,target=80,mode=host,protocol=udp', [{ Protocol: 'udp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'host' }]],
    ['target=80', [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 0, PublishMode: 'ingress' }]],
  ];
  for (const [value, ports] of portCases) {
    it(`--publish ${value}`, async () => {
      expect((await specOf(['-p', value, 'nginx'])).EndpointSpec?.Ports).toEqual(ports);
    });
  }

  const networkCases: [string, unknown][] = [
    ['mynet', [{ Target: 'mynet' }]],
    ['name=mynet,alias=web1,alias=w,driver-opt=foo=bar', [{ Target: 'mynet', Aliases: ['web1', 'w'], DriverOpts: { foo: 'bar' } }]],
  ];
  for (const [value, networks] of networkCases) {
    it(`--network ${value}`, async () => {
      expect((await specOf(['--network', value, 'nginx'])).TaskTemplate.Networks).toEqual(networks);
    });
  }

  it('builds the rest of the spec; flags end at the image', async () => {
    const spec = await specOf([
      '--name', 'web', '--replicas', '3', '-e', 'A=1', '--hostname', 'h', '--endpoint-mode', 'dnsrr',
      '--update-parallelism', '2', '--update-delay', '10s', '--restart-condition', 'none', 'busybox', 'sleep', '-x',
    ]);
    expect(spec.Name).toBe('web');
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(spec.TaskTemplate.ContainerSpec).toMatchObject({ Image: 'busybox', Args: ['sleep', '-x'], Env: ['A=1'], Hostname: 'h' });
    expect(spec.EndpointSpec?.Mode).toBe('dnsrr');
    expect(spec.UpdateConfig).toEqual({ Parallelism: 2, Delay: 10_000_000_000, FailureAction: 'pause', Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: 'stop-first' });
    expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: 'none', Delay: 5_000_000_000, MaxAttempts: 0 });
    expect((await specOf(['--mode', 'global', 'nginx'])).Mode).toEqual({ Global: {} });
    expect((await specOf(['nginx'])).UpdateConfig).toBeUndefined();
  });

  const bad: [string[], string][] = [
    [['-p', 'x:80'], 'invalid argument "x:80" for "-p, --publish" flag: invalid hostPort: x'],
    [['-p', '80:x'], 'invalid argument "80:x" for "-p, --publish" flag: invalid containerPort: x'],
    [['-p', '8080:80/foo'], 'invalid argument "8080:80/foo" for "-p, --publish" flag: invalid proto: foo'],
    [['-p', 'published=8080'], 'invalid argument "published=8080" for "-p, --publish" flag: missing mandatory field \'target\''],
    [['-p', 'target=x1,published=1'], 'invalid argument "target=x1,published=1" for "-p, --publish" flag: invalid target port (x1): value must be an integer: invalid syntax'],
    [['-p', 'target=80,mode=foo'], 'invalid argument "target=80,mode=foo" for "-p, --publish" flag: invalid publish mode value (foo): must be either \'ingress\' or \'host\''],
    [['--network', 'alias=x'], 'invalid argument "alias=x" for "--network" flag: network name/id is not specified'],
    [['--network', 'name=n,foo=bar'], 'invalid argument "name=n,foo=bar" for "--network" flag: invalid field key foo'],
    [['--replicas', 'x'], 'invalid argument "x" for "--replicas" flag: strconv.ParseUint: parsing "x": invalid syntax'],
  ];
  for (const [args, message] of bad) {
    it(`refuses ${args.join(' ')} with docker's text, exit 125`, async () => {
      const r = await run(['service', 'create', ...args, 'nginx']);
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toBe(`${message}\n\nUsage:  docker service create [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker service create --help' for more information\n`);
    });
  }

  it('refuses replicas with global mode, and unsupported flags clearly', async () => {
    expect(await run(['service', 'create', '--mode', 'global', '--replicas', '2', 'nginx'])).toMatchObject({ stderr: 'replicas can only be used with replicated or replicated-job mode\n', exitCode: 1 });
    const r = await run(['service', 'create', '--secret', 's', 'nginx']);
    expect(r).toMatchObject({ stderr: 'swarmnet does not support --secret: swarmnet does not emulate secrets\n', exitCode: 1 });
  });

  it('prints daemon refusals and warnings as docker does', async () => {
    const refuse = engine({ serviceCreate: () => { throw new EngineApiError('rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web already exists', 409); } });
    expect(await run(['service', 'create', '--name', 'web', 'nginx'], refuse)).toEqual({
      stdout: '',
      stderr: 'Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web already exists\n',
      exitCode: 1,
    });
    // The registry does not know the image: the client warns (each warning via Fprintln).
    let sent: EngineServiceSpec | undefined;
    const warn = engine({
      serviceCreate: (p: { spec: EngineServiceSpec }) => ((sent = p.spec), { ID: WEB_ID }),
      distributionInspect: () => {
        throw new EngineApiError('errors:\ndenied: requested access to the resource is denied\n', 401);
      },
    });
    expect(await run(['service', 'create', '-d', 'nosuch'], warn)).toEqual({
      stdout: `${WEB_ID}\n`,
      stderr:
        'image nosuch could not be accessed on a registry to record\nits digest. Each node will access nosuch independently,\n' +
        'possibly leading to different nodes running different\nversions of the image.\n\n',
      exitCode: 0,
    });
    expect(sent?.TaskTemplate.ContainerSpec?.Image).toBe('nosuch');
  });

  it('pins the image to the digest the registry reports (moby client imageWithDigestString)', async () => {
    const digest = `sha256:${'33'.repeat(32)}`;
    const pinned: string[] = [];
    const e = engine({
      serviceCreate: (p: { spec: EngineServiceSpec }) => (pinned.push(p.spec.TaskTemplate.ContainerSpec!.Image), { ID: WEB_ID }),
      distributionInspect: () => ({ Descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: 1 }, Platforms: [] }),
    });
    for (const image of ['nginx', 'nginx:1.27', 'registry.docker-dca.example:5000/nginx', `alpine@sha256:${'44'.repeat(32)}`]) {
      expect(await run(['service', 'create', '-d', image], e)).toMatchObject({ stderr: '', exitCode: 0 });
    }
    expect(pinned).toEqual([`nginx:latest@${digest}`, `nginx:1.27@${digest}`, `registry.docker-dca.example:5000/nginx:latest@${digest}`, `alpine@sha256:${'44'.repeat(32)}`]);
  });
});


describe('progress display (non-terminal form)', () => {
  it('create waits for convergence and the monitor period', async () => {
    const r = await run(['service', 'create', '--name', 'web', '--replicas', '3', 'nginx'], engine({ serviceCreate: () => ({ ID: WEB_ID }) }));
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 6)).toEqual([WEB_ID, 'overall progress: 0 out of 3 tasks', '1/3:  ', '2/3:  ', '3/3:  ', 'overall progress: 3 out of 3 tasks']);
    expect(lines[6]).toBe('verify: Waiting 5 seconds to verify that tasks are stable...');
    expect(lines).toContain('verify: Waiting 1 seconds to verify that tasks are stable...');
    expect(lines.at(-2)).toBe(`verify: Service ${WEB_ID} converged`);
    expect(r.exitCode).toBe(0);
  });

  it('scale prints `scaled to` then the display; quiet and detached print none', async () => {
    let sent: EngineServiceSpec | undefined;
    const e = engine({ serviceUpdate: (p: { spec: EngineServiceSpec }) => ((sent = p.spec), {}) });
    const r = await run(['service', 'scale', 'web=3'], e);
    expect(r.stdout.startsWith('web scaled to 3\noverall progress: 0 out of 3 tasks\n')).toBe(true);
    expect(r.stdout.endsWith('verify: Service web converged\n')).toBe(true);
    expect(sent?.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(await run(['service', 'scale', '-d', 'web=3', 'nosuch=1', 'web=x'], e)).toEqual({
      stdout: 'web scaled to 3\n',
      stderr: 'nosuch: Error response from daemon: service nosuch not found\nweb: invalid replicas value x: strconv.ParseUint: parsing "x": invalid syntax\n',
      exitCode: 1,
    });
    expect((await run(['service', 'scale', 'web'], e)).stderr).toBe(
      "invalid scale specifier 'web'.\nSee 'docker service scale --help'.\n\nUsage:  docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]\n\nScale one or multiple replicated services\n",
    );
  });

  it('gives up after the time limit, leaving the service converging', async () => {
    const r = await run(['service', 'update', '--replicas', '3', 'web'], engine({ ...serviceHandlers(), taskList: () => [], serviceUpdate: () => ({}) }));
    expect(r.stdout.startsWith('web\noverall progress: 0 out of 3 tasks\n')).toBe(true);
    expect(r.stdout.endsWith('Operation continuing in background.\nUse `docker service ps web` to check progress.\n')).toBe(true);
    expect(r.exitCode).toBe(0);
  });
});

describe('docker service update / rm / logs', () => {
  it('applies flags to the spec read, with its version', async () => {
    let params: { version: number; spec: EngineServiceSpec } | undefined;
    const e = engine({
      serviceUpdate: (p: { version: number; spec: EngineServiceSpec }) => ((params = p), {}),
      distributionInspect: () => ({ Descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${'ab'.repeat(32)}`, size: 1 }, Platforms: [] }),
    });
    const r = await run(['service', 'update', '-d', '--image', 'nginx:1.27', '--env-add', 'A=1', '--publish-add', '9090:90', '--publish-rm', '80', '--network-rm', 'mynet', '--force', 'web'], e);
    expect(r).toEqual({ stdout: 'web\n', stderr: '', exitCode: 0 });
    expect(params?.version).toBe(WEB.Version.Index);
    // A changed image is pinned to the registry's digest, as the Docker client does.
    expect(params?.spec.TaskTemplate.ContainerSpec?.Image).toBe(`nginx:1.27@sha256:${'ab'.repeat(32)}`);
    expect(params?.spec.TaskTemplate.ContainerSpec?.Env).toEqual(['A=1']);
    expect(params?.spec.EndpointSpec?.Ports).toEqual([{ Protocol: 'tcp', TargetPort: 90, PublishedPort: 9090, PublishMode: 'ingress' }]);
    expect(params?.spec.TaskTemplate.Networks).toEqual([]);
    expect(params?.spec.TaskTemplate.ForceUpdate).toBe(1);
  });

  it('rm echoes each name and reports failures', async () => {
    const e = engine({ serviceRemove: ({ id }: { id: string }) => { if (id !== 'web') throw new EngineApiError(`service ${id} not found`, 404); return null; } });
    expect(await run(['service', 'rm', 'web', 'nosuch'], e)).toEqual({ stdout: 'web\n', stderr: 'Error response from daemon: service nosuch not found\n', exitCode: 1 });
  });

  it('logs prefixes each line with task name and node', async () => {
    const e = engine({
      serviceLogs: () => [
        { TaskID: 'x2y7kkh8hmr7e4dqbpfj0ljmq', TaskName: 'web.1', NodeID: 'dxn1zf6l61qsb1josjja83ngz', Stream: 'stdout' as const, Line: 'hello' },
        { TaskID: 'x2y7kkh8hmr7e4dqbpfj0ljmq', TaskName: 'web.1', NodeID: 'dxn1zf6l61qsb1josjja83ngz', Stream: 'stderr' as const, Line: 'oops' },
      ],
      taskInspect: () => ({ ID: 'x2y7kkh8hmr7e4dqbpfj0ljmq', Slot: 1, ServiceID: WEB_ID }) as never,
    });
    expect(await run(['service', 'logs', 'web'], e)).toEqual({
      stdout: 'web.1.x2y7kkh8hmr7@manager1    | hello\n',
      stderr: 'web.1.x2y7kkh8hmr7@manager1    | oops\n',
      exitCode: 0,
    });
    expect((await run(['service', 'logs', '--no-task-ids', '--raw', 'web'], e)).stdout).toBe('hello\n');
  });
});
