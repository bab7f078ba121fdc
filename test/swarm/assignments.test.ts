/**
 * The dispatcher's Assignments / UpdateTaskStatus and the ResourceAllocator over real gRPC on
 * loopback with real certificates: a manager and a joined worker, each holding a session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinSwarm } from '../../src/swarm/agent.js';
import { DATA_PATH_PORT_METADATA } from '../../src/swarm/dispatcher.js';
import { GrpcClient, GrpcStatusError, type CallSpec } from '../../src/swarm/grpc-client.js';
import { Manager, type NodeCredentials } from '../../src/swarm/manager.js';
import { RESOURCE_CALLS } from '../../src/swarm/resource-allocator.js';
import { ManualClock } from '../../src/util/clock.js';
import { Rng } from '../../src/util/rng.js';
import type { PbAssignmentsMessage, PbSessionMessage } from '../../src/wire/swarmkit.js';
import { serviceSpec } from './services-support.js';

const CALLS = {
  Session: { service: 'Dispatcher', method: 'Session', requestType: 'SessionRequest', responseType: 'SessionMessage' },
  Assignments: { service: 'Dispatcher', method: 'Assignments', requestType: 'AssignmentsRequest', responseType: 'AssignmentsMessage' },
  UpdateTaskStatus: { service: 'Dispatcher', method: 'UpdateTaskStatus', requestType: 'UpdateTaskStatusRequest', responseType: 'UpdateTaskStatusResponse' },
} satisfies Record<string, CallSpec>;
const WAIT_MS = 5_000;
const POLL_MS = 10;

async function until<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const value = probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function refusal(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GrpcStatusError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('not refused');
}

interface NodeLink {
  readonly client: GrpcClient;
  readonly abort: AbortController;
  readonly assignments: PbAssignmentsMessage[];
  sessionId: string;
  nodeId: string;
}

let manager: Manager;
const links: NodeLink[] = [];
let managerLink: NodeLink;
let workerLink: NodeLink;

async function connect(credentials: NodeCredentials, port: number, dataPathPort: number): Promise<NodeLink> {
  const client = new GrpcClient({ host: '127.0.0.1', port, rootCaPem: credentials.rootCaPem, identity: { certPem: credentials.certPem, keyPem: credentials.keyPem } });
  const link: NodeLink = { client, abort: new AbortController(), assignments: [], sessionId: '', nodeId: credentials.nodeId };
  links.push(link);
  void client
    .serverStream<PbSessionMessage>(CALLS.Session, { description: null, session_id: '' }, (m) => (link.sessionId = m.session_id), link.abort.signal, {
      [DATA_PATH_PORT_METADATA]: String(dataPathPort),
    })
    .catch(() => undefined);
  await until('a session', () => link.sessionId);
  void client.serverStream<PbAssignmentsMessage>(CALLS.Assignments, { session_id: link.sessionId }, (m) => link.assignments.push(m), link.abort.signal).catch(() => undefined);
  return link;
}

const latest = (link: NodeLink): PbAssignmentsMessage | undefined => link.assignments.at(-1);

beforeAll(async () => {
  const clock = new ManualClock();
  const rng = new Rng(11);
  const init = await Manager.init({
    clock,
    rng,
    now: () => new Date(),
    listen: { host: '127.0.0.1', port: 0 },
    advertiseIp: '127.0.0.1',
    availability: 'ACTIVE',
    dataPathPort: 4789,
    defaultAddrPool: ['10.0.0.0/8'],
    subnetSize: 24,
  });
  manager = init.manager;
  const port = Number(manager.address.split(':')[1]);
  const worker = await joinSwarm({
    remote: { host: '127.0.0.1', port },
    token: manager.cluster.root_ca.join_tokens.worker,
    localAddress: '127.0.0.1',
    availability: 'ACTIVE',
    now: () => new Date(),
    timeoutMs: WAIT_MS,
  });
  managerLink = await connect(init.credentials, port, 4791);
  workerLink = await connect(worker, port, 4792);
}, 30_000);

afterAll(async () => {
  for (const link of links) {
    link.abort.abort();
    link.client.close();
  }
  await manager?.stop();
});

describe('Assignments and UpdateTaskStatus', () => {
  it('records each node\'s data-path port from the session metadata', () => {
    expect(manager.store.node(workerLink.nodeId)!.VXLANUDPPort).toBe(4792);
    expect(manager.store.node(managerLink.nodeId)!.VXLANUDPPort).toBe(4791);
  });

  it('streams each node its tasks', async () => {
    const { network } = await manager.control.call('CreateNetwork', {
      spec: { annotations: { name: 'appnet', labels: {} }, driver_config: null, ipv6_enabled: false, internal: false, ipam: null, attachable: true, ingress: false },
    });
    const spec = serviceSpec({ name: 'web', replicas: 2 });
    spec.task.networks = [{ target: network.id, aliases: [], addresses: [], driver_attachment_opts: {} }];
    const { service } = await manager.control.call('CreateService', { spec });
    const message = await until('the worker\'s task', () => {
      const m = latest(workerLink);
      return m && m.changes.length === 1 ? m : undefined;
    });
    expect(message.type).toBe('COMPLETE');
    const task = message.changes[0]!.assignment.task!;
    expect(task).toMatchObject({ service_id: service.id, node_id: workerLink.nodeId, desired_state: 'RUNNING' });
    expect(task.status.state).toBe('ASSIGNED');
    const managerTask = manager.store.tasksOnNode(managerLink.nodeId).find((t) => t.service_id === service.id)!;

    await workerLink.client.unary(CALLS.UpdateTaskStatus, { session_id: workerLink.sessionId, updates: [{ task_id: task.id, status: { state: 'RUNNING', message: 'started' } }] }, WAIT_MS);
    expect(manager.store.task(task.id)!.status).toMatchObject({ state: 'RUNNING', message: 'started' });
    await workerLink.client.unary(CALLS.UpdateTaskStatus, { session_id: workerLink.sessionId, updates: [{ task_id: task.id, status: { state: 'PREPARING', message: 'late' } }] }, WAIT_MS);
    expect(manager.store.task(task.id)!.status.state).toBe('RUNNING'); // never backwards
    expect(
      await refusal(workerLink.client.unary(CALLS.UpdateTaskStatus, { session_id: workerLink.sessionId, updates: [{ task_id: managerTask.id, status: { state: 'FAILED' } }] }, WAIT_MS)),
    ).toEqual({ code: 7, details: 'cannot update a task not assigned this node' });
    expect(await refusal(workerLink.client.unary(CALLS.UpdateTaskStatus, { session_id: 'bogus', updates: [] }, WAIT_MS))).toEqual({ code: 5, details: 'session invalid' });
  });

  it('attaches a standalone container by network name and detaches it (owner only)', async () => {
    const { attachment_id } = await workerLink.client.unary<{ attachment_id: string }>(
      RESOURCE_CALLS.AttachNetwork,
      { config: { target: 'appnet', aliases: [], addresses: [], driver_attachment_opts: {} }, container_id: 'c0ffee' },
      WAIT_MS,
    );
    const message = await until('the attachment task', () => latest(workerLink)?.changes.find((c) => c.assignment.task?.id === attachment_id));
    expect(message.assignment.task!.spec.attachment).toEqual({ container_id: 'c0ffee' });
    expect(message.assignment.task!.networks[0]!.addresses[0]).toMatch(/^10\.0\.1\.\d+\/24$/);
    expect(await refusal(workerLink.client.unary(RESOURCE_CALLS.AttachNetwork, { config: { target: 'ingress' }, container_id: 'x' }, WAIT_MS))).toEqual({
      code: 7,
      details: 'network ingress not manually attachable',
    });
    expect(await refusal(workerLink.client.unary(RESOURCE_CALLS.AttachNetwork, { config: { target: 'nope' }, container_id: 'x' }, WAIT_MS))).toEqual({ code: 5, details: 'network nope not found' });
    expect(await refusal(managerLink.client.unary(RESOURCE_CALLS.DetachNetwork, { attachment_id }, WAIT_MS))).toEqual({
      code: 7,
      details: `attachment ${attachment_id} doesn't belong to this node`,
    });
    await workerLink.client.unary(RESOURCE_CALLS.DetachNetwork, { attachment_id }, WAIT_MS);
    expect(manager.store.task(attachment_id)).toBeUndefined();
    await until('the attachment gone from assignments', () => !latest(workerLink)!.changes.some((c) => c.assignment.task?.id === attachment_id));
  });
});
