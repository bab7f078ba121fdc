/**
 * Swarm management on 2377 end to end: real host threads, real TLS sockets on their loopback
 * addresses, swarmkit's gRPC services. One cluster for the file (2-core machine); the steps build
 * on each other in order (init, joins, refusals, second manager, leave, kill).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';
import { EngineApiError, type SwarmNode } from '../../src/host/engine-api.js';
import { RootCA } from '../../src/swarm/ca.js';
import { generateNodeKeyAndCsr } from '../../src/swarm/node-certificate.js';
import { GrpcClient, grpcErrorText } from '../../src/swarm/grpc-client.js';
import { CONTROL_CALLS } from '../../src/swarm/control-api.js';
import { stopAndCheckClean } from './support.js';

const HEARTBEAT_MS = 300;
const NOT_MANAGER_WORKER =
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";

let cluster: Cluster;
let resourcesBefore: string[];
let managerAddr: string;

async function engineError(promise: Promise<unknown>): Promise<EngineApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineApiError);
  return error as EngineApiError;
}

async function nodes(host = 'manager'): Promise<SwarmNode[]> {
  return cluster.host(host).engine.call('nodeList', {});
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (let i = 0; i < 400 && Date.now() < deadline; i++) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

beforeAll(async () => {
  resourcesBefore = process.getActiveResourcesInfo();
  cluster = await Cluster.start({ hosts: ['manager', 'worker-1', 'worker-2', 'manager-2', 'intruder'], mode: 'address', heartbeatPeriodMs: HEARTBEAT_MS });
  managerAddr = `${cluster.host('manager').underlay.address}:2377`;
}, 30_000);

afterAll(async () => {
  await stopAndCheckClean(cluster, resourcesBefore);
}, 30_000);

describe('swarm init and join over 2377', () => {
  it('init makes the manager the leader, with swarmkit-shaped IDs and tokens', async () => {
    const nodeId = await cluster.host('manager').engine.call('swarmInit', {});
    expect(nodeId).toMatch(/^[0-9a-z]{25}$/);
    const swarm = await cluster.host('manager').engine.call('swarmInspect', {});
    expect(swarm.ID).toMatch(/^[0-9a-z]{25}$/);
    expect(swarm.JoinTokens.Worker).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    expect(swarm.JoinTokens.Manager.slice(0, 59)).toBe(swarm.JoinTokens.Worker.slice(0, 59));
    expect(swarm.JoinTokens.Manager).not.toBe(swarm.JoinTokens.Worker);
    expect(swarm.DataPathPort).toBe(4789);
    expect(swarm.DefaultAddrPool).toEqual(['10.0.0.0/8']);
    const again = await engineError(cluster.host('manager').engine.call('swarmInit', {}));
    expect(again.message).toBe('This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.');
  });

  it('two workers join with the worker token; node ls lists three Ready nodes', async () => {
    const { JoinTokens } = await cluster.host('manager').engine.call('swarmInspect', {});
    for (const w of ['worker-1', 'worker-2']) {
      await cluster.host(w).engine.call('swarmJoin', { RemoteAddrs: [managerAddr], JoinToken: JoinTokens.Worker });
    }
    const list = await until('three ready nodes', () => nodes(), (l) => l.length === 3 && l.every((n) => n.Status.State === 'ready'));
    const byName = Object.fromEntries(list.map((n) => [n.Description.Hostname, n]));
    expect(Object.keys(byName).sort()).toEqual(['manager', 'worker-1', 'worker-2']);
    expect(byName['manager']!.Spec.Role).toBe('manager');
    expect(byName['manager']!.ManagerStatus).toEqual({ Leader: true, Reachability: 'reachable', Addr: managerAddr });
    expect(byName['worker-1']!.Spec.Role).toBe('worker');
    expect(byName['worker-1']!.ManagerStatus).toBeUndefined();
    // The manager saw each node dial from its own loopback address.
    expect(byName['worker-2']!.Status.Addr).toBe(cluster.host('worker-2').underlay.address);
    const info = await cluster.host('worker-1').engine.call('info', {});
    expect(info.Swarm.LocalNodeState).toBe('active');
    expect(info.Swarm.ControlAvailable).toBe(false);
    expect(info.Swarm.RemoteManagers).toEqual([{ NodeID: byName['manager']!.ID, Addr: managerAddr }]);
  });

  it('a worker asking for cluster state gets Docker\'s refusal', async () => {
    const error = await engineError(nodes('worker-1'));
    expect(error.message).toBe(NOT_MANAGER_WORKER);
    expect(error.status).toBe(503);
  });

  it('node inspect carries the TLS info of the swarm CA', async () => {
    const self = await cluster.host('manager').engine.call('nodeInspect', { id: 'worker-1' });
    expect(self.Description.TLSInfo.TrustRoot).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(self.Description.TLSInfo.CertIssuerSubject).toBe('MBMxETAPBgNVBAMTCHN3YXJtLWNh');
    expect(Buffer.from(self.Description.TLSInfo.CertIssuerPublicKey, 'base64').length).toBe(91); // P-256 SPKI
  });

  it('a wrong secret, a wrong CA digest, a malformed token and an unreachable manager are refused, nothing joins', async () => {
    const { JoinTokens } = await cluster.host('manager').engine.call('swarmInspect', {});
    const parts = JoinTokens.Worker.split('-');
    const badSecret = [...parts.slice(0, 3), 'x'.repeat(25)].join('-');
    const e1 = await engineError(cluster.host('intruder').engine.call('swarmJoin', { RemoteAddrs: [managerAddr], JoinToken: badSecret }));
    expect(e1.message).toBe('rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster');
    const otherDigest = '1'.repeat(50);
    const e2 = await engineError(cluster.host('intruder').engine.call('swarmJoin', { RemoteAddrs: [managerAddr], JoinToken: [parts[0], parts[1], otherDigest, parts[3]].join('-') }));
    expect(e2.message).toMatch(/^remote CA does not match fingerprint\. Expected: [0-9a-f]{64}$/);
    const e3 = await engineError(cluster.host('intruder').engine.call('swarmJoin', { RemoteAddrs: [managerAddr], JoinToken: 'SWMTKN-1-abc' }));
    expect(e3.message).toBe('invalid join token');
    const e4 = await engineError(cluster.host('intruder').engine.call('swarmJoin', { RemoteAddrs: [`${cluster.host('worker-2').underlay.address}:2377`], JoinToken: JoinTokens.Worker }));
    expect(e4.message).toMatch(/^rpc error: code = Unavailable desc = connection error/);
    expect(await nodes()).toHaveLength(3);
    expect((await cluster.host('intruder').engine.call('info', {})).Swarm.LocalNodeState).toBe('inactive');
  });

  it('a rotated worker token stops working', async () => {
    const before = await cluster.host('manager').engine.call('swarmInspect', {});
    await cluster.host('manager').engine.call('swarmUpdate', { version: before.Version.Index, rotateWorkerToken: true });
    const after = await cluster.host('manager').engine.call('swarmInspect', {});
    expect(after.JoinTokens.Worker).not.toBe(before.JoinTokens.Worker);
    expect(after.JoinTokens.Manager).toBe(before.JoinTokens.Manager);
    const error = await engineError(cluster.host('intruder').engine.call('swarmJoin', { RemoteAddrs: [managerAddr], JoinToken: before.JoinTokens.Worker }));
    expect(error.message).toBe('rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster');
    expect(await nodes()).toHaveLength(3);
  });

  it('2377 refuses a plain TCP client and a TLS client without a cluster certificate', async () => {
    const [host, port] = [cluster.host('manager').underlay.address, 2377];
    // Plain TCP: the server wants a TLS ClientHello; HTTP/2 cleartext gets the connection closed.
    const plain = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host, port }, () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
      let received = '';
      socket.on('data', (d) => (received += d.toString('latin1')));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      socket.setTimeout(5_000, () => socket.destroy(new Error('not closed')));
    });
    expect(plain).not.toContain('HTTP/2');
    // TLS that trusts nothing and presents no certificate: the handshake completes (a joining
    // node has no certificate yet), but the Control API refuses the call.
    const { cluster: pbCluster } = await (async () => {
      const swarm = await cluster.host('manager').engine.call('swarmInspect', {});
      return { cluster: swarm };
    })();
    const client = new GrpcClient({ host, port, rootCaPem: pbCluster.TLSInfo.TrustRoot });
    const refused = await client.unary(CONTROL_CALLS.ListNodes, {}, 5_000).then(
      () => 'accepted',
      (e: unknown) => grpcErrorText(e),
    );
    client.close();
    expect(refused).toBe(
      'rpc error: code = PermissionDenied desc = Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = no client certificates in request',
    );
    // A well-formed manager certificate from another swarm's CA: TLS does not verify it, so the
    // call sees no client certificate and is refused. (Go's VerifyClientCertIfGiven would fail the
    // handshake itself; Node's TLS has no such mode, and grpc-js hides unverified certificates.)
    const otherCa = await RootCA.create({ now: new Date() });
    const { keyPem, csrPem } = await generateNodeKeyAndCsr();
    const certPem = await otherCa.signNodeCsr(csrPem, { nodeId: 'x'.repeat(25), role: 'swarm-manager', clusterId: 'y'.repeat(25), now: new Date() });
    const forged = new GrpcClient({ host, port, rootCaPem: pbCluster.TLSInfo.TrustRoot, identity: { certPem, keyPem } });
    const refusedForged = await forged.unary(CONTROL_CALLS.ListNodes, {}, 5_000).then(
      () => 'accepted',
      (e: unknown) => grpcErrorText(e),
    );
    forged.close();
    expect(refusedForged).toBe(
      'rpc error: code = PermissionDenied desc = Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = no client certificates in request',
    );
  });

  it('a second manager joins with the manager token and shows as Reachable', async () => {
    const { JoinTokens } = await cluster.host('manager').engine.call('swarmInspect', {});
    await cluster.host('manager-2').engine.call('swarmJoin', { RemoteAddrs: [managerAddr], JoinToken: JoinTokens.Manager });
    const list = await until('manager-2 reachable', () => nodes(), (l) => l.some((n) => n.Description.Hostname === 'manager-2' && n.ManagerStatus?.Reachability === 'reachable'));
    const m2 = list.find((n) => n.Description.Hostname === 'manager-2')!;
    expect(m2.Spec.Role).toBe('manager');
    expect(m2.ManagerStatus!.Leader).toBeUndefined();
    expect(m2.ManagerStatus!.Addr).toBe(`${cluster.host('manager-2').underlay.address}:2377`);
    // It answers cluster questions itself (through the leader).
    const fromM2 = await nodes('manager-2');
    expect(fromM2.map((n) => n.Description.Hostname).sort()).toEqual(['manager', 'manager-2', 'worker-1', 'worker-2']);
    const info = await cluster.host('manager-2').engine.call('info', {});
    expect(info.Swarm.ControlAvailable).toBe(true);
    expect(info.Swarm.Managers).toBe(2);
  });

  it('promote and demote: the node renews its certificate and gains or loses control', async () => {
    const update = async (role: 'manager' | 'worker') => {
      const node = await cluster.host('manager').engine.call('nodeInspect', { id: 'worker-1' });
      await cluster.host('manager').engine.call('nodeUpdate', { id: node.ID, version: node.Version.Index, spec: { ...node.Spec, Role: role } });
    };
    await update('manager');
    await until('worker-1 in control', () => cluster.host('worker-1').engine.call('info', {}), (i) => i.Swarm.ControlAvailable);
    const listed = await until('worker-1 reachable', () => nodes(), (l) => l.find((n) => n.Description.Hostname === 'worker-1')?.ManagerStatus?.Reachability === 'reachable');
    expect(listed.find((n) => n.Description.Hostname === 'worker-1')!.Spec.Role).toBe('manager');
    expect((await nodes('worker-1')).length).toBe(4);
    await update('worker');
    await until('worker-1 a worker again', () => cluster.host('worker-1').engine.call('info', {}), (i) => !i.Swarm.ControlAvailable);
    expect((await engineError(nodes('worker-1'))).message).toBe(NOT_MANAGER_WORKER);
    // The leader holds the only store (no Raft): it can't be demoted, and the last manager never.
    const leader = (await nodes()).find((n) => n.ManagerStatus?.Leader)!;
    const refused = await engineError(
      cluster.host('manager').engine.call('nodeUpdate', { id: leader.ID, version: leader.Version.Index, spec: { ...leader.Spec, Role: 'worker' } }),
    );
    expect(refused.message).toMatch(/^rpc error: code = FailedPrecondition desc = /);
  });

  it('leave: a worker leaves, a manager is refused without --force', async () => {
    await cluster.host('worker-2').engine.call('swarmLeave', { force: false });
    expect((await cluster.host('worker-2').engine.call('info', {})).Swarm.LocalNodeState).toBe('inactive');
    const refused = await engineError(cluster.host('manager').engine.call('swarmLeave', { force: false }));
    expect(refused.message).toMatch(/^You are attempting to leave the swarm on a node that is participating as a manager\. /);
    const gone = await until('worker-2 down', () => nodes(), (l) => l.find((n) => n.Description.Hostname === 'worker-2')?.Status.State === 'down');
    expect(gone.find((n) => n.Description.Hostname === 'worker-2')!.Status.Message).toBe('heartbeat failure');
  });

  it('a host stopped abruptly goes Down within the heartbeat bound', async () => {
    await cluster.kill('worker-1');
    // The bound: 3 heartbeat periods plus epsilon (swarmkit's grace), with room for a loaded machine.
    const list = await until('worker-1 down', () => nodes(), (l) => l.find((n) => n.Description.Hostname === 'worker-1')?.Status.State === 'down', HEARTBEAT_MS * 3.3 + 5_000);
    expect(list.find((n) => n.Description.Hostname === 'worker-1')!.Status.Message).toBe('heartbeat failure');
    expect(cluster.failures).toEqual([]);
  });
});
