import { describe, expect, it } from 'vitest';
import { DaemonServices, serviceStatus } from '../../src/host/daemon-services.js';
import { EngineApiError, type EngineServiceSpec } from '../../src/host/engine-api.js';
import { GrpcCode, GrpcStatusError } from '../../src/swarm/grpc-client.js';
import { interpolateServiceDefaults } from '../../src/swarm/service-defaults.js';
import type { PbService, PbTask } from '../../src/wire/swarmkit.js';

const SPEC: EngineServiceSpec = { Name: 'web', TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: 'my-net' }], ForceUpdate: 0 }, Mode: {} };
const META = { version: { index: 3 }, created_at: { seconds: 1, nanos: 0 }, updated_at: { seconds: 1, nanos: 0 } };

function service(id: string, name: string, extra: Partial<PbService['spec']> = {}): PbService {
  return {
    id,
    meta: META,
    spec: { annotations: { name, labels: {} }, task: { container: null, restart: null, placement: null, log_driver: null, networks: [], force_update: 0 }, replicated: { replicas: 2 }, update: null, rollback: null, endpoint: null, ...extra },
    endpoint: null,
    update_status: null,
    previous_spec: null,
    pending_delete: false,
    spec_version: null,
    previous_spec_version: null,
  };
}

function task(serviceId: string, state: string, desired = 'RUNNING'): PbTask {
  return {
    id: `${serviceId}-${state}`,
    meta: META,
    service_id: serviceId,
    slot: 1,
    node_id: 'n',
    annotations: { name: '', labels: {} },
    service_annotations: { name: 'web', labels: {} },
    status: { timestamp: null, state, message: '', err: '', port_status: null },
    desired_state: desired,
    spec: { networks: [], force_update: 0 },
    networks: [],
  } as unknown as PbTask;
}

/** A control API over fixed objects, recording every call. */
function fakeControl(objects: { services?: PbService[]; networks?: { id: string; name: string }[] }) {
  const calls: { method: string; request: any }[] = [];
  const services = objects.services ?? [];
  const networks = (objects.networks ?? []).map((n) => ({ id: n.id, spec: { annotations: { name: n.name, labels: {} } } }));
  const control = async (method: string, request: any): Promise<any> => {
    calls.push({ method, request });
    const list = <T extends { id: string }>(all: T[], name: (t: T) => string) => {
      const f = request.filters ?? {};
      return all.filter((o) => (!f.names || f.names.includes(name(o))) && (!f.id_prefixes || f.id_prefixes.some((p: string) => o.id.startsWith(p))));
    };
    switch (method) {
      case 'GetService': {
        const s = services.find((x) => x.id === request.service_id);
        if (!s) throw new GrpcStatusError(GrpcCode.NotFound, 'service not found');
        return { service: request.insert_defaults ? { ...s, spec: interpolateServiceDefaults(s.spec) } : s };
      }
      case 'ListServices':
        return { services: list(services, (s) => s.spec.annotations.name) };
      case 'GetNetwork': {
        const n = networks.find((x) => x.id === request.network_id);
        if (!n) throw new GrpcStatusError(GrpcCode.NotFound, 'network not found');
        return { network: n };
      }
      case 'ListNetworks':
        return { networks: list(networks, (n) => n.spec.annotations.name) };
      case 'CreateService':
        return { service: service('newid', request.spec.annotations.name) };
      case 'ListTasks':
        return { tasks: [task('aaa1', 'RUNNING'), task('aaa1', 'SHUTDOWN', 'SHUTDOWN'), task('aaa1', 'PREPARING')] };
      default:
        return {};
    }
  };
  return { control, calls };
}

function daemon(objects: Parameters<typeof fakeControl>[0], local: Record<string, boolean> = {}) {
  const fake = fakeControl(objects);
  const calls = fake.calls;
  const services = new DaemonServices({
    control: fake.control as never,
    nodeId: () => 'self-node',
    localNetwork: (name) => (name in local ? { name, predefined: local[name]! } : undefined),
    subscribeLogs: async (selector, options) => {
      calls.push({ method: 'subscribeLogs', request: { selector, options } });
      const message = (task: string, stream: 'LOG_STREAM_STDOUT' | 'LOG_STREAM_STDERR', text: string) => ({
        context: { service_id: 'aaa1', node_id: 'n', task_id: task },
        timestamp: null,
        stream,
        data: Buffer.from(text),
        attrs: [],
      });
      return [message('aaa1-RUNNING', 'LOG_STREAM_STDOUT', 'hello\n'), message('aaa1-RUNNING', 'LOG_STREAM_STDERR', 'oops\n')];
    },
  });
  return { services, calls };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(EngineApiError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('DaemonServices', () => {
  it('creates a service with network names turned into swarm network IDs', async () => {
    const { services, calls } = daemon({ networks: [{ id: 'n0123456789', name: 'my-net' }] });
    expect(await services.create(SPEC)).toEqual({ ID: 'newid' });
    const create = calls.find((c) => c.method === 'CreateService')!;
    expect(create.request.spec.task.networks[0].target).toBe('n0123456789');
  });

  it("refuses local networks with moby's texts", async () => {
    const bridge = daemon({}, { bridge: true });
    expect(await refusal(bridge.services.create({ ...SPEC, TaskTemplate: { ...SPEC.TaskTemplate, Networks: [{ Target: 'bridge' }] } }))).toBe(
      'could not find the corresponding predefined swarm network: network bridge not found',
    );
    const user = daemon({}, { mybr: false });
    expect(await refusal(user.services.create({ ...SPEC, TaskTemplate: { ...SPEC.TaskTemplate, Networks: [{ Target: 'mybr' }] } }))).toContain(
      'The network mybr cannot be used with services. Only networks scoped to the swarm can be used',
    );
    expect(await refusal(daemon({}).services.create(SPEC))).toBe('network my-net not found');
  });

  it('resolves a service by full ID, then exact name, then unique prefix', async () => {
    const { services } = daemon({ services: [service('aaa1', 'web'), service('aab2', 'api'), service('bbb3', 'aa')] });
    expect((await services.inspect('aaa1', false)).Spec.Name).toBe('web');
    expect((await services.inspect('aa', false)).ID).toBe('bbb3');
    expect((await services.inspect('aab', false)).ID).toBe('aab2');
    expect(await refusal(services.inspect('a', false))).toBe('service a is ambiguous (2 matches found)');
    expect(await refusal(services.inspect('nosuch', false))).toBe('service nosuch not found');
  });

  it('asks the manager for swarmkit defaults when told to', async () => {
    const { services } = daemon({ services: [service('aaa1', 'web')] });
    expect((await services.inspect('web', true)).Spec.UpdateConfig).toMatchObject({ Parallelism: 1, FailureAction: 'pause', Order: 'stop-first' });
    expect((await services.inspect('web', false)).Spec.UpdateConfig).toBeUndefined();
  });

  it('validates filters and computes statuses for service ls', async () => {
    const { services } = daemon({ services: [service('aaa1', 'web')] });
    expect(await refusal(services.list({ nope: ['x'] } as never, false))).toBe("invalid filter 'nope'");
    const [web] = await services.list(undefined, true);
    expect(web!.ServiceStatus).toEqual({ RunningTasks: 1, DesiredTasks: 2, CompletedTasks: 0 });
    expect(await refusal(services.tasks({ 'desired-state': ['sleeping'] }))).toBe("Invalid desired-state filter: 'sleeping'");
  });

  it('counts desired tasks of a global service from the tasks meant to run', () => {
    const global = service('aaa1', 'g', { replicated: undefined, global: {} });
    expect(serviceStatus(global, [task('aaa1', 'RUNNING'), task('aaa1', 'PENDING'), task('aaa1', 'SHUTDOWN', 'SHUTDOWN'), task('other', 'RUNNING')])).toEqual({
      RunningTasks: 1,
      DesiredTasks: 2,
      CompletedTasks: 0,
    });
  });

  it('translates task filters: service names and self become IDs', async () => {
    const { services, calls } = daemon({ services: [service('aaa1', 'web')] });
    await services.tasks({ service: ['web'], node: ['self'], 'desired-state': ['running'] });
    expect(calls.at(-1)).toEqual({ method: 'ListTasks', request: { filters: { service_ids: ['aaa1'], node_ids: ['self-node'], desired_states: ['RUNNING'] } } });
  });

  it('service logs: one subscription for the service, each message a line named after its task', async () => {
    const { services, calls } = daemon({ services: [service('aaa1', 'web')] });
    const lines = await services.logs('web', 10);
    expect(calls.find((c) => c.method === 'subscribeLogs')!.request).toMatchObject({ selector: { service_ids: ['aaa1'] }, options: { follow: false, tail: -10 } });
    expect(lines).toEqual([
      { TaskID: 'aaa1-RUNNING', TaskName: 'web.1.aaa1-RUNNING', NodeID: 'n', Stream: 'stdout', Line: 'hello' },
      { TaskID: 'aaa1-RUNNING', TaskName: 'web.1.aaa1-RUNNING', NodeID: 'n', Stream: 'stderr', Line: 'oops' },
    ]);
  });
});
