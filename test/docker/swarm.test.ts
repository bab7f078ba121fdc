import { describe, expect, it } from 'vitest';
import { runDocker } from '../../src/docker/docker.js';
import { EngineApiError } from '../../src/host/engine-api.js';
import { FakeEngine, MANAGER_ID, MANAGER_INFO, MANAGER_TOKEN, SWARM, WORKER_INFO, WORKER_TOKEN } from './fake-engine.js';

// Reference §1.1, byte for byte (no blank line at the end).
const INIT_OUTPUT = `Swarm initialized: current node (dxn1zf6l61qsb1josjja83ngz) is now a manager.

To add a worker to this swarm, run the following command:

    docker swarm join --token SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx 192.168.99.100:2377

To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.
`;

// Reference §1.2: ends with an empty line.
const JOIN_TOKEN_WORKER = `To add a worker to this swarm, run the following command:

    docker swarm join --token ${WORKER_TOKEN} 192.168.99.100:2377

`;

describe('docker swarm init', () => {
  it('prints the reference text using the node ID, worker token and the node’s manager address', async () => {
    const engine = new FakeEngine();
    const r = await runDocker(['swarm', 'init', '--advertise-addr', '192.168.99.100'], engine);
    expect(r).toEqual({ stdout: INIT_OUTPUT, stderr: '', exitCode: 0 });
    expect(engine.methods()).toEqual(['swarmInit', 'nodeInspect', 'swarmInspect']);
    expect(engine.calls[0].params).toEqual({
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: '192.168.99.100',
      DataPathPort: 0,
      DefaultAddrPool: [],
      SubnetSize: 24,
      ForceNewCluster: false,
    });
    expect(engine.calls[1].params).toEqual({ id: MANAGER_ID });
  });

  it('passes every supported option to the daemon', async () => {
    const engine = new FakeEngine();
    const argv = [
      'swarm', 'init',
      '--listen-addr', '10.0.0.5:4000',
      '--data-path-port=7789',
      '--default-addr-pool', '10.20.0.0/16',
      '--default-addr-pool', '10.30.0.0/16',
      '--default-addr-pool-mask-length', '26',
      '--force-new-cluster',
      '--availability', 'DRAIN',
    ];
    expect((await runDocker(argv, engine)).exitCode).toBe(0);
    expect(engine.calls[0].params).toEqual({
      ListenAddr: '10.0.0.5:4000',
      AdvertiseAddr: '',
      DataPathPort: 7789,
      DefaultAddrPool: ['10.20.0.0/16', '10.30.0.0/16'],
      SubnetSize: 26,
      ForceNewCluster: true,
      Availability: 'drain',
    });
  });

  it('rejects a bad availability before calling the daemon', async () => {
    const engine = new FakeEngine();
    const r = await runDocker(['swarm', 'init', '--availability', 'sleepy'], engine);
    expect(r).toEqual({ stdout: '', stderr: 'invalid availability "sleepy", only active, pause and drain are supported\n', exitCode: 1 });
    expect(engine.calls).toEqual([]);
  });

  it('prints the daemon refusal when already in a swarm', async () => {
    const msg = 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
    const r = await runDocker(['swarm', 'init'], new FakeEngine({ swarmInit: () => Promise.reject(new EngineApiError(msg, 503)) }));
    expect(r).toEqual({ stdout: '', stderr: `Error response from daemon: ${msg}\n`, exitCode: 1 });
  });

  it('adds the --advertise-addr hint to the address-choice errors (reference §1.1)', async () => {
    const msg =
      'could not choose an IP address to advertise since this system has multiple addresses on different interfaces (10.0.2.15 on eth0 and 192.168.99.100 on eth1)';
    const r = await runDocker(['swarm', 'init'], new FakeEngine({ swarmInit: () => Promise.reject(new EngineApiError(msg, 400)) }));
    expect(r.stderr).toBe(`Error response from daemon: ${msg} - specify one with --advertise-addr\n`);
    const none = await runDocker(['swarm', 'init'], new FakeEngine({ swarmInit: () => Promise.reject(new EngineApiError("could not find the system's IP address", 400)) }));
    expect(none.stderr).toBe("Error response from daemon: could not find the system's IP address - specify one with --advertise-addr\n");
  });
});

describe('docker swarm join', () => {
  it('joins and reports the role from info().Swarm.ControlAvailable', async () => {
    const worker = new FakeEngine({ info: () => WORKER_INFO });
    const r = await runDocker(['swarm', 'join', '--token', WORKER_TOKEN, '192.168.99.100:2377'], worker);
    expect(r).toEqual({ stdout: 'This node joined a swarm as a worker.\n', stderr: '', exitCode: 0 });
    expect(worker.calls[0]).toEqual({
      method: 'swarmJoin',
      params: { JoinToken: WORKER_TOKEN, ListenAddr: '0.0.0.0:2377', AdvertiseAddr: '', RemoteAddrs: ['192.168.99.100:2377'] },
    });
    const manager = await runDocker(['swarm', 'join', '192.168.99.100:2377', '--token', MANAGER_TOKEN], new FakeEngine());
    expect(manager.stdout).toBe('This node joined a swarm as a manager.\n');
  });

  it('prints join refusals from the daemon', async () => {
    const r = await runDocker(['swarm', 'join', '--token', 'bad', '10.0.0.1'], new FakeEngine({ swarmJoin: () => Promise.reject(new EngineApiError('invalid join token', 400)) }));
    expect(r).toEqual({ stdout: '', stderr: 'Error response from daemon: invalid join token\n', exitCode: 1 });
  });
});

describe('docker swarm join-token', () => {
  it('prints the join command for each role (reference §1.2)', async () => {
    expect(await runDocker(['swarm', 'join-token', 'worker'], new FakeEngine())).toEqual({ stdout: JOIN_TOKEN_WORKER, stderr: '', exitCode: 0 });
    const m = await runDocker(['swarm', 'join-token', 'manager'], new FakeEngine());
    expect(m.stdout).toBe(JOIN_TOKEN_WORKER.replace('a worker', 'a manager').replace(WORKER_TOKEN, MANAGER_TOKEN));
  });

  it('prints only the token with -q', async () => {
    expect((await runDocker(['swarm', 'join-token', '-q', 'worker'], new FakeEngine())).stdout).toBe(`${WORKER_TOKEN}\n`);
    expect((await runDocker(['swarm', 'join-token', 'manager', '--quiet'], new FakeEngine())).stdout).toBe(`${MANAGER_TOKEN}\n`);
  });

  it('rotates with the inspected version, then shows the new token', async () => {
    let rotated = false;
    const engine = new FakeEngine({
      swarmUpdate: () => {
        rotated = true;
        return null;
      },
      swarmInspect: () => (rotated ? { ...SWARM, Version: { Index: 11 }, JoinTokens: { ...SWARM.JoinTokens, Worker: 'SWMTKN-1-new' } } : SWARM),
    });
    const r = await runDocker(['swarm', 'join-token', '--rotate', 'worker'], engine);
    expect(r.stdout).toBe(`Successfully rotated worker join token.\n\n${JOIN_TOKEN_WORKER.replace(WORKER_TOKEN, 'SWMTKN-1-new')}`);
    expect(engine.calls.find((c) => c.method === 'swarmUpdate')?.params).toEqual({ version: 10, rotateWorkerToken: true, rotateManagerToken: false });
    rotated = false;
    const q = await runDocker(['swarm', 'join-token', '--rotate', '-q', 'worker'], engine);
    expect(q.stdout).toBe('SWMTKN-1-new\n');
  });

  it('refuses an unknown role and a worker node', async () => {
    expect(await runDocker(['swarm', 'join-token', 'admin'], new FakeEngine())).toEqual({ stdout: '', stderr: 'unknown role admin\n', exitCode: 1 });
    const msg =
      "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
    const r = await runDocker(['swarm', 'join-token', 'worker'], new FakeEngine({ info: () => WORKER_INFO, swarmInspect: () => Promise.reject(new EngineApiError(msg, 503)) }));
    expect(r).toEqual({ stdout: '', stderr: `Error response from daemon: ${msg}\n`, exitCode: 1 });
  });
});

describe('docker swarm leave', () => {
  it('leaves, passing --force', async () => {
    const engine = new FakeEngine();
    expect(await runDocker(['swarm', 'leave', '-f'], engine)).toEqual({ stdout: 'Node left the swarm.\n', stderr: '', exitCode: 0 });
    expect(engine.calls).toEqual([{ method: 'swarmLeave', params: { force: true } }]);
    const plain = new FakeEngine({ info: () => MANAGER_INFO });
    await runDocker(['swarm', 'leave'], plain);
    expect(plain.calls[0].params).toEqual({ force: false });
  });

  it('prints the last-manager refusal', async () => {
    const msg =
      'You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ';
    const r = await runDocker(['swarm', 'leave'], new FakeEngine({ swarmLeave: () => Promise.reject(new EngineApiError(msg, 503)) }));
    expect(r.stderr).toBe(`Error response from daemon: ${msg.trim()}\n`);
  });
});
