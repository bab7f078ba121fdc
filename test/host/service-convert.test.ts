import { describe, expect, it } from 'vitest';
import { EngineApiError, type EngineServiceSpec } from '../../src/host/engine-api.js';
import { serviceFromPb, serviceSpecFromPb, serviceSpecToPb, taskFromPb } from '../../src/host/service-convert.js';
import { interpolateServiceDefaults } from '../../src/swarm/service-defaults.js';
import { decodeSwarmkit, encodeSwarmkit, type PbService, type PbServiceSpec, type PbTask } from '../../src/wire/swarmkit.js';

const META = { version: { index: 7 }, created_at: { seconds: 1_700_000_000, nanos: 5 }, updated_at: { seconds: 1_700_000_001, nanos: 0 } };

const WEB: EngineServiceSpec = {
  Name: 'web',
  TaskTemplate: {
    ContainerSpec: { Image: 'nginx:latest', Args: ['nginx', '-g', 'daemon off;'], Env: ['A=1'], Hostname: 'h' },
    Networks: [{ Target: 'netid', Aliases: ['www'] }],
    ForceUpdate: 0,
  },
  Mode: { Replicated: { Replicas: 3 } },
  EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] },
};

describe('service specs between the Engine API and swarmkit', () => {
  it('converts a spec to protobuf and back, surviving the wire', () => {
    const pb = serviceSpecToPb(WEB);
    expect(pb.replicated).toEqual({ replicas: 3 });
    expect(pb.task.container?.args).toEqual(['nginx', '-g', 'daemon off;']);
    expect(pb.endpoint).toEqual({ mode: 'VIP', ports: [{ name: '', protocol: 'TCP', target_port: 80, published_port: 8080, publish_mode: 'INGRESS' }] });
    const decoded = decodeSwarmkit<PbServiceSpec>('ServiceSpec', encodeSwarmkit('ServiceSpec', pb));
    const back = serviceSpecFromPb(decoded);
    expect(back.Name).toBe('web');
    expect(back.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(back.TaskTemplate.ContainerSpec).toMatchObject({ Image: 'nginx:latest', Args: ['nginx', '-g', 'daemon off;'], Env: ['A=1'], Hostname: 'h' });
    expect(back.TaskTemplate.Networks).toEqual([{ Target: 'netid', Aliases: ['www'] }]);
    expect(back.EndpointSpec).toEqual(WEB.EndpointSpec);
  });

  it('defaults to one replica and keeps global services global', () => {
    expect(serviceSpecToPb({ ...WEB, Mode: {} }).replicated).toEqual({ replicas: 1 });
    const global = serviceSpecToPb({ ...WEB, Mode: { Global: {} } });
    expect(global.global).toEqual({});
    expect(global.replicated).toBeUndefined();
    expect(serviceSpecFromPb(decodeSwarmkit('ServiceSpec', encodeSwarmkit('ServiceSpec', global))).Mode).toEqual({ Global: {} });
  });

  it.each([
    [{ ...WEB, Mode: { Global: {}, Replicated: { Replicas: 1 } } }, 'must specify only one service mode'],
    [{ ...WEB, EndpointSpec: { Mode: 'rr' as never } }, 'invalid resolution mode: "rr"'],
    [{ ...WEB, TaskTemplate: { ...WEB.TaskTemplate, RestartPolicy: { Condition: 'always' as never } } }, 'invalid RestartCondition: "always"'],
    [{ ...WEB, UpdateConfig: { Parallelism: 1, MaxFailureRatio: 0, Order: 'first' as never } }, 'unrecognized update order "first"'],
  ])('refuses bad specs with moby texts (%#)', (spec, text) => {
    expect(() => serviceSpecToPb(spec)).toThrow(EngineApiError);
    expect(() => serviceSpecToPb(spec)).toThrow(text);
  });

  it('fills swarmkit defaults only where unset (InterpolateService)', () => {
    const spec = interpolateServiceDefaults(serviceSpecToPb(WEB));
    expect(spec.update).toMatchObject({ parallelism: 1, failure_action: 'PAUSE', order: 'STOP_FIRST', monitor: { seconds: 5, nanos: 0 } });
    expect(spec.task.restart).toMatchObject({ condition: 'ANY', delay: { seconds: 5, nanos: 0 } });
    expect(spec.task.container?.stop_grace_period).toEqual({ seconds: 10, nanos: 0 });
    const engine = serviceSpecFromPb(spec);
    expect(engine.UpdateConfig).toEqual({ Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' });
    expect(engine.TaskTemplate.ContainerSpec?.StopGracePeriod).toBe(10e9);
    const mine = interpolateServiceDefaults(serviceSpecToPb({ ...WEB, UpdateConfig: { Parallelism: 2, MaxFailureRatio: 0, Monitor: 1e9 } }));
    expect(mine.update).toMatchObject({ parallelism: 2, monitor: { seconds: 1, nanos: 0 } });
  });

  it('converts a service with its endpoint and update status', () => {
    const service: PbService = {
      id: 'k4w3n2eoh1sh1vmy4oyyhq5zs',
      meta: META,
      spec: serviceSpecToPb(WEB),
      endpoint: { spec: serviceSpecToPb(WEB).endpoint, ports: serviceSpecToPb(WEB).endpoint!.ports, virtual_ips: [{ network_id: 'ing', addr: '10.0.0.5/24' }] },
      update_status: { state: 'COMPLETED', started_at: META.created_at, completed_at: META.updated_at, message: 'update completed' },
      previous_spec: null,
      pending_delete: false,
      spec_version: null,
      previous_spec_version: null,
    };
    const e = serviceFromPb(service, { RunningTasks: 3, DesiredTasks: 3, CompletedTasks: 0 });
    expect(e.ID).toBe(service.id);
    expect(e.Version).toEqual({ Index: 7 });
    expect(e.CreatedAt).toBe('2023-11-14T22:13:20.000000005Z');
    expect(e.Endpoint.VirtualIPs).toEqual([{ NetworkID: 'ing', Addr: '10.0.0.5/24' }]);
    expect(e.UpdateStatus).toMatchObject({ State: 'completed', Message: 'update completed' });
    expect(e.ServiceStatus).toEqual({ RunningTasks: 3, DesiredTasks: 3, CompletedTasks: 0 });
  });

  it('converts a task, lower-casing states and omitting slot 0', () => {
    const task = {
      id: 't1',
      meta: META,
      spec: serviceSpecToPb(WEB).task,
      service_id: 's1',
      slot: 0,
      node_id: 'n1',
      annotations: { name: '', labels: {} },
      service_annotations: { name: 'web', labels: {} },
      status: { timestamp: META.created_at, state: 'RUNNING', message: 'started', err: '', container: { container_id: 'c'.repeat(64), pid: 42, exit_code: 0 }, port_status: null, applied_by: '', applied_at: null },
      desired_state: 'RUNNING',
      networks: [],
      endpoint: null,
      log_driver: null,
      spec_version: null,
    } satisfies PbTask;
    const e = taskFromPb(task);
    expect(e.Slot).toBeUndefined();
    expect(e.Status).toMatchObject({ State: 'running', Message: 'started', ContainerStatus: { ContainerID: 'c'.repeat(64), PID: 42, ExitCode: 0 } });
    expect(e.DesiredState).toBe('running');
    expect(taskFromPb({ ...task, slot: 2 }).Slot).toBe(2);
  });
});
