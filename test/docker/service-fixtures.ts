/**
 * Canned services, tasks and containers for the service / task / container command tests: the
 * reference's `web` service (3 replicas of nginx, 8080->80, on `mynet`) on the fake engine's
 * three-node swarm, with one failed and one shut-down task in its history.
 */
import { EngineApiError, type ContainerSummary, type EngineService, type EngineTask, type NetworkResource } from '../../src/host/engine-api.js';
import { MANAGER_ID, WORKER1_ID, WORKER2_ID, type Handlers } from './fake-engine.js';

export const NOW = new Date('2026-08-20T12:00:00Z');
export const WEB_ID = 'k4w3n2eoh1sh1vmy4oyyhq5zs';
export const MYNET_ID = 'qsm8wr0ti0rg3ybuwirx7ynpy';
const DIGEST = 'sha256:33e0bbc7ca9ecf108140af6288c7c9d1ecc77548cbfd3952fd8466a75edefe57';
export const IMAGE = `nginx:latest@${DIGEST}`;
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString();

export const WEB: EngineService = {
  ID: WEB_ID,
  Version: { Index: 20 },
  CreatedAt: ago(600),
  UpdatedAt: ago(600),
  Spec: {
    Name: 'web',
    Labels: {},
    TaskTemplate: {
      ContainerSpec: { Image: IMAGE, Init: false, StopGracePeriod: 10_000_000_000 },
      Resources: { Limits: {}, Reservations: {} },
      Placement: {},
      Networks: [{ Target: MYNET_ID }],
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: 3 } },
    UpdateConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: 'stop-first' },
    RollbackConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: 'stop-first' },
    EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] },
  },
  Endpoint: {
    Spec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] },
    Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }],
    VirtualIPs: [{ NetworkID: MYNET_ID, Addr: '10.0.1.2/24' }],
  },
  ServiceStatus: { RunningTasks: 3, DesiredTasks: 3, CompletedTasks: 0 },
};

export function makeTask(id: string, slot: number, node: string, state: EngineTask['Status']['State'], desired: EngineTask['DesiredState'], secondsAgo: number, err?: string, createdSecondsAgo = secondsAgo + 1): EngineTask {
  return {
    ID: id,
    Version: { Index: 30 },
    CreatedAt: ago(createdSecondsAgo),
    UpdatedAt: ago(secondsAgo),
    Labels: {},
    Spec: { ContainerSpec: { Image: IMAGE }, ForceUpdate: 0 },
    ServiceID: WEB_ID,
    Slot: slot,
    NodeID: node,
    Status: { Timestamp: ago(secondsAgo), State: state, Message: state, ...(err !== undefined ? { Err: err } : {}), PortStatus: {} },
    DesiredState: desired,
  };
}

/** Reference §4.3's five tasks. */
export const TASKS: readonly EngineTask[] = [
  makeTask('x2y7kkh8hmr7e4dqbpfj0ljmq', 1, MANAGER_ID, 'running', 'running', 300),
  makeTask('v9dyl0m0qvxz1f5tqbo2r6kcw', 1, MANAGER_ID, 'failed', 'shutdown', 3600, 'task: non-zero exit (1)'),
  makeTask('q5jfm2w5ctv0l7p1b0d8cnx9z', 2, WORKER1_ID, 'running', 'running', 240),
  makeTask('m6wf1pl3cbc1u2x0n4y8b3r5s', 3, WORKER2_ID, 'running', 'running', 240),
  makeTask('p3o6p2wvccf9h7t5s1m2k9q4a', 3, WORKER2_ID, 'shutdown', 'shutdown', 2, undefined, 7200),
];

const MYNET: NetworkResource = {
  Name: 'mynet',
  Id: MYNET_ID,
  Created: ago(900),
  Scope: 'swarm',
  Driver: 'overlay',
  EnableIPv4: true,
  EnableIPv6: false,
  IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] },
  Internal: false,
  Attachable: false,
  Ingress: false,
  ConfigFrom: { Network: '' },
  ConfigOnly: false,
  Containers: null,
  Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' },
  Labels: {},
};

export const CONTAINERS: readonly ContainerSummary[] = [
  {
    Id: '3f2a9c1e7b5d0a4e8c6b2f1d9e7a5c3b1f0e8d6c4a2b0f9e7d5c3a1b9f8e7d6c',
    Names: ['/web.1.x2y7kkh8hmr7e4dqbpfj0ljmq'],
    Image: IMAGE,
    ImageID: 'sha256:1',
    Command: '/docker-entrypoint.sh nginx -g \'daemon off;\'',
    Created: NOW.getTime() / 1000 - 300,
    Ports: [{ PrivatePort: 80, Type: 'tcp' }],
    Labels: {},
    State: 'running',
    Status: 'Up 5 minutes',
    HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Networks: {} },
  },
  {
    Id: '8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b',
    Names: ['/tester'],
    Image: 'busybox',
    ImageID: 'sha256:2',
    Command: 'sleep 3600',
    Created: NOW.getTime() / 1000 - 45,
    Ports: [],
    Labels: {},
    State: 'running',
    Status: 'Up 44 seconds',
    HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Networks: {} },
  },
];

/** A daemon that knows `web`, its tasks, `mynet` and two containers. */
export function serviceHandlers(): Handlers {
  return {
    serviceInspect: ({ id }) => {
      if (id === WEB_ID || id === 'web' || (id.length >= 3 && WEB_ID.startsWith(id))) return WEB;
      throw new EngineApiError(`service ${id} not found`, 404);
    },
    serviceList: ({ filters }) => {
      const ids = filters?.id;
      const names = filters?.name;
      return [WEB].filter((s) => (ids === undefined || ids.some((i) => s.ID.startsWith(i))) && (names === undefined || names.includes(s.Spec.Name ?? '')));
    },
    taskList: ({ filters }) => TASKS.filter((t) => (filters?.service ?? [t.ServiceID]).includes(t.ServiceID) && (filters?.node ?? [t.NodeID!]).includes(t.NodeID!)),
    networkInspect: ({ id }) => {
      if (id === 'mynet' || MYNET_ID.startsWith(id)) return MYNET;
      throw new EngineApiError(`network ${id} not found`, 404);
    },
    containerList: ({ all }) => (all === true ? [...CONTAINERS] : CONTAINERS.filter((c) => c.State === 'running')),
  };
}
