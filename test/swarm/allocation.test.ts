import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrpcStatusError } from '../../src/swarm/grpc-client.js';
import type { PbPortConfig } from '../../src/wire/swarmkit.js';
import { ServiceBench, serviceSpec } from './services-support.js';

let bench: ServiceBench;
beforeEach(() => {
  bench = new ServiceBench();
});
afterEach(() => bench.close());

const port = (target: number, published = 0, mode: PbPortConfig['publish_mode'] = 'INGRESS'): PbPortConfig => ({ name: '', protocol: 'TCP', target_port: target, published_port: published, publish_mode: mode });
const attach = (target: string) => ({ target, aliases: [], addresses: [], driver_attachment_opts: {} });
function refusal(run: () => unknown): { code: number; details: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof GrpcStatusError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('not refused');
}

describe('service and task allocation', () => {
  it('gives the VIP first, then task addresses in slot order, then node load-balancer endpoints', () => {
    bench.addNode('node-a');
    bench.addNode('node-b');
    const net = bench.overlay('appnet');
    const spec = serviceSpec({ name: 'web', replicas: 2 });
    spec.task.networks = [attach(net)];
    const id = bench.create(spec);
    const service = bench.store.service(id)!;
    expect(service.endpoint!.virtual_ips).toEqual([{ network_id: net, addr: '10.0.1.2/24' }]);
    const tasks = bench.tasks(id);
    expect(tasks.map((t) => t.networks.map((n) => n.addresses[0]))).toEqual([['10.0.1.3/24'], ['10.0.1.4/24']]);
    expect(tasks[0]!.networks[0]!.network!.id).toBe(net);
    const lb = bench.store.nodes.map((n) => n.attachments.find((a) => a.network?.id === net)?.addresses[0]).sort();
    expect(lb).toEqual(['10.0.1.5/24', '10.0.1.6/24']);
  });

  it('puts ingress first for services publishing routing-mesh ports, and assigns ports from 30000 upwards', () => {
    bench.addNode('node-a');
    const net = bench.overlay('appnet');
    const ingressId = bench.store.networks.find((n) => n.spec.ingress)!.id;
    const first = serviceSpec({ name: 'web', replicas: 1, endpoint: { mode: 'VIP', ports: [port(80), port(443, 8443)] } });
    first.task.networks = [attach(net)];
    const id = bench.create(first);
    const service = bench.store.service(id)!;
    expect(service.endpoint!.ports.map((p) => p.published_port)).toEqual([30000, 8443]);
    expect(service.endpoint!.virtual_ips.map((v) => v.network_id)).toEqual([ingressId, net]);
    expect(bench.tasks(id)[0]!.networks.map((n) => n.network!.id)).toEqual([ingressId, net]);
    const second = bench.create(serviceSpec({ name: 'api', replicas: 0, endpoint: { mode: 'VIP', ports: [port(8080)] } }));
    expect(bench.store.service(second)!.endpoint!.ports[0]!.published_port).toBe(30001);
  });

  it('keeps an auto-assigned port across unrelated updates and frees VIPs and ports on removal', () => {
    const id = bench.create(serviceSpec({ name: 'web', replicas: 0, endpoint: { mode: 'VIP', ports: [port(80)] } }));
    const before = bench.store.service(id)!;
    bench.control.UpdateService({ service_id: id, service_version: before.meta.version, spec: { ...before.spec, replicated: { replicas: 0 }, endpoint: { mode: 'VIP', ports: [port(80), port(81)] } } });
    bench.settle();
    expect(bench.store.service(id)!.endpoint!.ports.map((p) => p.published_port)).toEqual([30000, 30001]);
    bench.control.RemoveService({ service_id: id });
    bench.settle();
    const again = bench.create(serviceSpec({ name: 'web2', replicas: 0, endpoint: { mode: 'VIP', ports: [port(80, 30000)] } }));
    expect(bench.store.service(again)!.endpoint!.ports[0]!.published_port).toBe(30000);
  });

  it('frees task addresses once tasks are dead, and node endpoints once the node has no task left there', () => {
    bench.addNode('node-a');
    const net = bench.overlay('appnet');
    const spec = serviceSpec({ name: 'web', replicas: 1 });
    spec.task.networks = [attach(net)];
    const id = bench.create(spec);
    bench.report('RUNNING');
    expect(bench.store.node('node-a')!.attachments.some((a) => a.network?.id === net)).toBe(true);
    const service = bench.store.service(id)!;
    bench.control.UpdateService({ service_id: id, service_version: service.meta.version, spec: { ...service.spec, replicated: { replicas: 0 } } });
    bench.settle();
    bench.stopRequested();
    expect(bench.store.node('node-a')!.attachments.some((a) => a.network?.id === net)).toBe(false);
    // The task's .3 and the node's .4 are free again (asking for them by address succeeds).
    expect(bench.networkAllocator.allocateAddress(net, '10.0.1.3')).toBe('10.0.1.3/24');
    expect(bench.networkAllocator.allocateAddress(net, '10.0.1.4')).toBe('10.0.1.4/24');
    expect(() => bench.networkAllocator.allocateAddress(net, '10.0.1.2')).toThrow(); // the VIP stays
  });
});

describe('control API refusals (swarmkit texts)', () => {
  it('validates specs, names and ports', () => {
    expect(refusal(() => bench.control.CreateService({ spec: serviceSpec({ name: 'bad name' }) }))).toEqual({ code: 3, details: 'name must be valid as a DNS name component' });
    expect(refusal(() => bench.control.CreateService({ spec: serviceSpec({ name: 'x', endpoint: { mode: 'DNSRR', ports: [port(80, 80)] } }) })).details).toBe(
      "EndpointSpec: port published with ingress mode can't be used with dnsrr mode",
    );
    const id = bench.create(serviceSpec({ name: 'web', replicas: 0, endpoint: { mode: 'VIP', ports: [port(80, 8080)] } }));
    expect(refusal(() => bench.control.CreateService({ spec: serviceSpec({ name: 'web' }) }))).toEqual({ code: 6, details: 'name conflicts with an existing object: service web already exists' });
    expect(refusal(() => bench.control.CreateService({ spec: serviceSpec({ name: 'api', endpoint: { mode: 'VIP', ports: [port(81, 8080)] } }) })).details).toBe(
      `port '8080' is already in use by service 'web' (${id}) as an ingress port`,
    );
    const ingress = bench.store.networks.find((n) => n.spec.ingress)!;
    const onIngress = serviceSpec({ name: 'api' });
    onIngress.task.networks = [attach(ingress.id)];
    expect(refusal(() => bench.control.CreateService({ spec: onIngress })).details).toBe('Service cannot be explicitly attached to the ingress network "ingress"');
    const stale = bench.store.service(id)!;
    bench.control.UpdateService({ service_id: id, service_version: stale.meta.version, spec: stale.spec });
    expect(refusal(() => bench.control.UpdateService({ service_id: id, service_version: stale.meta.version, spec: stale.spec }))).toEqual({ code: 2, details: 'update out of sequence' });
  });

  it('rolls back to the previous spec', () => {
    const id = bench.create(serviceSpec({ name: 'web', replicas: 0 }));
    const v1 = bench.store.service(id)!;
    expect(refusal(() => bench.control.UpdateService({ service_id: id, service_version: v1.meta.version, spec: v1.spec, rollback: 'PREVIOUS' })).details).toBe(
      `service ${id} does not have a previous spec`,
    );
    bench.control.UpdateService({ service_id: id, service_version: v1.meta.version, spec: { ...v1.spec, replicated: { replicas: 3 } } });
    const v2 = bench.store.service(id)!;
    const { service } = bench.control.UpdateService({ service_id: id, service_version: v2.meta.version, spec: v2.spec, rollback: 'PREVIOUS' });
    expect(service.spec.replicated).toEqual({ replicas: 0 });
    expect(service.previous_spec!.replicated).toEqual({ replicas: 3 });
    expect(service.update_status).toMatchObject({ state: 'ROLLBACK_STARTED', message: 'manually requested rollback' });
  });

  it('refuses to remove networks in use', () => {
    const net = bench.overlay('appnet');
    const spec = serviceSpec({ name: 'web', replicas: 0, endpoint: { mode: 'VIP', ports: [port(80)] } });
    spec.task.networks = [attach(net)];
    const id = bench.create(spec);
    expect(refusal(() => bench.networks.remove(net)).details).toBe(`network ${net} is in use by service ${id}`);
    const ingress = bench.store.networks.find((n) => n.spec.ingress)!;
    expect(refusal(() => bench.networks.remove(ingress.id)).details).toBe(`ingress network cannot be removed because service ${id} depends on it`);
  });

  it('filters tasks like swarmkit (names are derived, desired states and nodes)', () => {
    bench.addNode('node-a');
    const id = bench.create(serviceSpec({ name: 'web', replicas: 2 }));
    const [one] = bench.tasks(id);
    expect(bench.control.ListTasks({ filters: { names: [`web.1.${one!.id}`] } }).tasks.map((t) => t.id)).toEqual([one!.id]);
    expect(bench.control.ListTasks({ filters: { name_prefixes: ['web.'], node_ids: ['node-a'], desired_states: ['RUNNING'] } }).tasks).toHaveLength(2);
    expect(bench.control.ListServices({ filters: { name_prefixes: ['we'] } }).services.map((s) => s.id)).toEqual([id]);
  });
});
