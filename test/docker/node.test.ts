import { describe, expect, it } from 'vitest';
import { runDocker } from '../../src/docker/docker.js';
import { EngineApiError, type SwarmNode } from '../../src/host/engine-api.js';
import {
  FakeEngine,
  INACTIVE_INFO,
  ISSUER_KEY,
  makeNode,
  MANAGER_ID,
  NODES,
  refusing,
  TRUST_ROOT,
  WORKER1_ID,
  WORKER2_ID,
  WORKER_INFO,
} from './fake-engine.js';

// Reference §2.1, byte for byte.
const NODE_LS = `ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION
dxn1zf6l61qsb1josjja83ngz *   manager1   Ready     Active         Leader           28.2.2
9j68exjopxe7wfl6yuxml7a7j     worker1    Ready     Active                          28.2.2
7ln70fl22uw2dvjn2ft53m3q5     worker2    Ready     Active                          28.2.2
`;

// Reference §2.2 (TAB written as \t), with this fake's certificate.
const PRETTY_MANAGER =
  'ID:\t\t\tdxn1zf6l61qsb1josjja83ngz\n' +
  'Hostname:              \tmanager1\n' +
  'Joined at:             \t2026-08-20 10:00:00.461901234 +0000 utc\n' +
  'Status:\n' +
  ' State:\t\t\tReady\n' +
  ' Availability:         \tActive\n' +
  ' Address:\t\t192.168.99.100\n' +
  'Manager Status:\n' +
  ' Address:\t\t192.168.99.100:2377\n' +
  ' Raft Status:\t\tReachable\n' +
  ' Leader:\t\tYes\n' +
  'Platform:\n' +
  ' Operating System:\tlinux\n' +
  ' Architecture:\t\tx86_64\n' +
  'Resources:\n' +
  ' CPUs:\t\t\t4\n' +
  ' Memory:\t\t7.682GiB\n' +
  'Plugins:\n' +
  ' Log:\t\tawslogs, fluentd, gcplogs, gelf, journald, json-file, local, splunk, syslog\n' +
  ' Network:\t\tbridge, host, ipvlan, macvlan, null, overlay\n' +
  ' Volume:\t\tlocal\n' +
  'Engine Version:\t\t28.2.2\n' +
  'TLS Info:\n' +
  ' TrustRoot:\n' +
  TRUST_ROOT +
  '\n' +
  ' Issuer Subject:\tMBMxETAPBgNVBAMTCHN3YXJtLWNh\n' +
  ` Issuer Public Key:\t${ISSUER_KEY}\n`;

/** docker/cli internal/test/builders `Node()`: the node behind the cli's pretty goldens. */
function builderNode(extra: Partial<SwarmNode> = {}): SwarmNode {
  return {
    ID: 'nodeID',
    Version: { Index: 0 },
    CreatedAt: '2009-11-10T23:00:00Z',
    UpdatedAt: '0001-01-01T00:00:00Z',
    Spec: { Name: 'defaultNodeName', Labels: {}, Role: 'worker', Availability: 'active' },
    Description: {
      Hostname: 'defaultNodeHostname',
      Platform: { Architecture: 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: 4, MemoryBytes: 20 * 1024 * 1024 },
      Engine: {
        EngineVersion: '1.13.0',
        Labels: { engine: 'label' },
        Plugins: [
          { Type: 'Volume', Name: 'local' },
          { Type: 'Network', Name: 'bridge' },
          { Type: 'Network', Name: 'overlay' },
        ],
      },
      TLSInfo: { TrustRoot: '', CertIssuerSubject: '', CertIssuerPublicKey: '' },
    },
    Status: { State: 'ready', Addr: '127.0.0.1' },
    ...extra,
  };
}

// docker/cli cli/command/node/testdata/node-inspect-pretty.*.golden
const GOLDEN_HEAD = 'ID:\t\t\tnodeID\nName:\t\t\tdefaultNodeName\n';
const GOLDEN_BODY =
  'Hostname:              \tdefaultNodeHostname\n' +
  'Joined at:             \t2009-11-10 23:00:00 +0000 utc\n' +
  'Status:\n State:\t\t\tReady\n Availability:         \tActive\n Address:\t\t127.0.0.1\n';
const GOLDEN_TAIL =
  'Platform:\n Operating System:\tlinux\n Architecture:\t\tx86_64\n' +
  'Resources:\n CPUs:\t\t\t0\n Memory:\t\t20MiB\n' +
  'Plugins:\n Network:\t\tbridge, overlay\n Volume:\t\tlocal\n' +
  'Engine Version:\t\t1.13.0\nEngine Labels:\n - engine=label\n';

describe('docker node ls', () => {
  it('prints the reference table: sorted by hostname, `*` on this node, IDs untruncated', async () => {
    const engine = new FakeEngine();
    expect(await runDocker(['node', 'ls'], engine)).toEqual({ stdout: NODE_LS, stderr: '', exitCode: 0 });
    expect(engine.methods()).toEqual(['nodeList', 'info']);
    expect(engine.calls[0].params).toEqual({});
    expect((await runDocker(['node', 'list'], new FakeEngine())).stdout).toBe(NODE_LS);
  });

  it('sorts hostnames in natural order and shows Down / Drain / Unreachable', async () => {
    const nodes = [
      makeNode('n10', 'node-10', '10.0.0.10'),
      { ...makeNode('n2', 'node-2', '10.0.0.2', { leader: false }), Status: { State: 'down' as const, Addr: '10.0.0.2' } },
      { ...makeNode('n1', 'node-1', '10.0.0.1'), Spec: { Labels: {}, Role: 'worker' as const, Availability: 'drain' as const } },
    ];
    const unreachable = { ...nodes[1], ManagerStatus: { Reachability: 'unreachable' as const, Addr: '10.0.0.2:2377' } };
    const r = await runDocker(['node', 'ls'], new FakeEngine({ nodeList: () => [nodes[0], unreachable, nodes[2]] }));
    expect(r.stdout).toBe(
      'ID        HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n' +
        'n1        node-1     Ready     Drain                           28.2.2\n' +
        'n2        node-2     Down      Active         Unreachable      28.2.2\n' +
        'n10       node-10    Ready     Active                          28.2.2\n',
    );
  });

  it('prints only IDs with -q, without asking /info', async () => {
    const engine = new FakeEngine();
    const r = await runDocker(['node', 'ls', '-q'], engine);
    expect(r.stdout).toBe(`${MANAGER_ID}\n${WORKER1_ID}\n${WORKER2_ID}\n`);
    expect(engine.methods()).toEqual(['nodeList']);
  });

  it('passes filters to the daemon', async () => {
    const engine = new FakeEngine();
    await runDocker(['node', 'ls', '-f', 'role=manager', '--filter', 'name=worker1', '-f', 'ROLE=worker'], engine);
    expect(engine.calls[0].params).toEqual({ filters: { role: ['manager', 'worker'], name: ['worker1'] } });
  });

  it('prints the header alone for an empty list', async () => {
    const engine = new FakeEngine({ nodeList: () => [] });
    const r = await runDocker(['node', 'ls'], engine);
    expect(r.stdout).toBe('ID        HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n');
    expect(engine.methods()).toEqual(['nodeList']);
  });

  it('applies --format templates', async () => {
    const run = async (format: string): Promise<string> => (await runDocker(['node', 'ls', '--format', format], new FakeEngine())).stdout;
    expect(await run('{{.ID}}: {{.Hostname}} {{.Self}}')).toBe(`${MANAGER_ID}: manager1 true\n${WORKER1_ID}: worker1 false\n${WORKER2_ID}: worker2 false\n`);
    expect(await run('table {{.Hostname}}\\t{{.ManagerStatus}}\\t{{.TLSStatus}}')).toBe(
      'HOSTNAME   MANAGER STATUS   TLS STATUS\nmanager1   Leader           Ready\nworker1                     Ready\nworker2                     Ready\n',
    );
    expect(await run('table {{json .Hostname}}')).toBe('HOSTNAME\n"manager1"\n"worker1"\n"worker2"\n');
    const json = (await run('json')).split('\n')[0];
    expect(json).toBe(
      `{"Availability":"Active","EngineVersion":"28.2.2","Hostname":"manager1","ID":"${MANAGER_ID}","ManagerStatus":"Leader","Self":true,"Status":"Ready","TLSStatus":"Ready"}`,
    );
  });

  it('reproduces the cli golden node-list-format-flag.golden', async () => {
    const leader = builderNode({ ID: 'nodeID1', Description: { ...builderNode().Description, Hostname: 'nodeHostname1' }, ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '127.0.0.1' } });
    const other = builderNode({ ID: 'nodeID2', Description: { ...builderNode().Description, Hostname: 'nodeHostname2' }, ManagerStatus: { Reachability: 'reachable', Addr: '127.0.0.1' } });
    const r = await runDocker(['node', 'ls', '--format', '{{.Hostname}}: {{.ManagerStatus}}'], new FakeEngine({ nodeList: () => [leader, other] }));
    expect(r.stdout).toBe('nodeHostname1: Leader\nnodeHostname2: Reachable\n');
  });

  it('fails on a template error with docker’s text', async () => {
    const r = await runDocker(['node', 'ls', '--format', '{{.Foo}}'], new FakeEngine());
    expect(r).toEqual({
      stdout: '',
      stderr: 'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *node.nodeContext\n',
      exitCode: 1,
    });
    expect((await runDocker(['node', 'ls', '--format', '{{.ID'], new FakeEngine())).stderr).toBe('template parsing error: template: :1: unclosed action\n');
  });
});

describe('docker node inspect', () => {
  it('prints a JSON array indented by four spaces', async () => {
    const node = NODES[1];
    const r = await runDocker(['node', 'inspect', MANAGER_ID], new FakeEngine());
    expect(r.stdout).toBe(`${JSON.stringify([node], null, 4)}\n`);
    expect(r.stdout.startsWith(`[\n    {\n        "ID": "${MANAGER_ID}",\n        "Version": {\n            "Index": 9\n        },\n`)).toBe(true);
    const two = await runDocker(['node', 'inspect', 'self', 'worker1', '--format', 'json'], new FakeEngine());
    expect(two.stdout).toBe(`${JSON.stringify([node, NODES[2]])}\n`);
  });

  it('resolves self through /info', async () => {
    const engine = new FakeEngine();
    await runDocker(['node', 'inspect', 'self'], engine);
    expect(engine.calls).toEqual([
      { method: 'info', params: {} },
      { method: 'nodeInspect', params: { id: MANAGER_ID } },
    ]);
    // Outside a swarm /info has no node ID: a swarm call gives the daemon's own error.
    const msg =
      'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
    const r = await runDocker(['node', 'inspect', 'self'], new FakeEngine({ info: () => INACTIVE_INFO, nodeList: () => Promise.reject(new EngineApiError(msg, 503)) }));
    expect(r).toEqual({ stdout: '[]\n', stderr: `Error response from daemon: ${msg}\n`, exitCode: 1 });
  });

  it('prints what it found, then every error', async () => {
    const r = await runDocker(['node', 'inspect', 'nosuch', 'manager1', 'gone'], new FakeEngine());
    expect(r.stdout).toBe(`${JSON.stringify([NODES[1]], null, 4)}\n`);
    expect(r.stderr).toBe('Error response from daemon: node nosuch not found\nError response from daemon: node gone not found\n');
    expect(r.exitCode).toBe(1);
    expect(await runDocker(['node', 'inspect', 'nosuch'], new FakeEngine())).toEqual({
      stdout: '[]\n',
      stderr: 'Error response from daemon: node nosuch not found\n',
      exitCode: 1,
    });
  });

  it('prints the reference --pretty layout with its tabs', async () => {
    expect(await runDocker(['node', 'inspect', '--pretty', 'self'], new FakeEngine())).toEqual({ stdout: PRETTY_MANAGER, stderr: '', exitCode: 0 });
  });

  it('reproduces the cli pretty goldens (simple, manager, manager-leader)', async () => {
    const pretty = async (node: SwarmNode): Promise<string> =>
      (await runDocker(['node', 'inspect', '--pretty', 'nodeID'], new FakeEngine({ nodeInspect: () => node }))).stdout;
    const simple = builderNode({ Spec: { ...builderNode().Spec, Labels: { lbl1: 'value1' } } });
    expect(await pretty(simple)).toBe(`${GOLDEN_HEAD}Labels:\n - lbl1=value1\n${GOLDEN_BODY}${GOLDEN_TAIL}`);
    const manager = (leader: boolean): SwarmNode =>
      builderNode({ Spec: { ...builderNode().Spec, Role: 'manager' }, ManagerStatus: { Leader: leader, Reachability: 'reachable', Addr: '127.0.0.1' } });
    const managerStatus = (leader: string): string => `Manager Status:\n Address:\t\t127.0.0.1\n Raft Status:\t\tReachable\n Leader:\t\t${leader}\n`;
    expect(await pretty(manager(false))).toBe(`${GOLDEN_HEAD}${GOLDEN_BODY}${managerStatus('No')}${GOLDEN_TAIL}`);
    expect(await pretty(manager(true))).toBe(`${GOLDEN_HEAD}${GOLDEN_BODY}${managerStatus('Yes')}${GOLDEN_TAIL}`);
  });

  it('prints optional pretty lines: message, empty label values, no memory', async () => {
    const node = builderNode({
      Spec: { Labels: { zone: 'a', flag: '' }, Role: 'worker', Availability: 'drain' },
      Status: { State: 'down', Message: 'heartbeat failure', Addr: '' },
      Description: { ...builderNode().Description, Resources: { NanoCPUs: 2_500_000_000, MemoryBytes: 0 }, Engine: { EngineVersion: '28.2.2', Plugins: [] } },
    });
    const r = await runDocker(['node', 'inspect', '--pretty', 'x'], new FakeEngine({ nodeInspect: () => node }));
    expect(r.stdout).toBe(
      'ID:\t\t\tnodeID\nLabels:\n - flag\n - zone=a\n' +
        'Hostname:              \tdefaultNodeHostname\nJoined at:             \t2009-11-10 23:00:00 +0000 utc\n' +
        'Status:\n State:\t\t\tDown\n Message:              \tHeartbeat failure\n Availability:         \tDrain\n' +
        'Platform:\n Operating System:\tlinux\n Architecture:\t\tx86_64\nResources:\n CPUs:\t\t\t2\n Memory:\t\t\n' +
        'Engine Version:\t\t28.2.2\n',
    );
  });

  it('concatenates pretty blocks, and prints nothing if one node fails', async () => {
    const r = await runDocker(['node', 'inspect', '--pretty', 'manager1', 'worker1'], new FakeEngine());
    expect(r.stdout.startsWith(PRETTY_MANAGER)).toBe(true);
    expect(r.stdout.slice(PRETTY_MANAGER.length).startsWith(`ID:\t\t\t${WORKER1_ID}\nHostname:              \tworker1\n`)).toBe(true);
    expect(await runDocker(['node', 'inspect', '--pretty', 'manager1', 'nosuch'], new FakeEngine())).toEqual({
      stdout: '',
      stderr: 'Error response from daemon: node nosuch not found\n',
      exitCode: 1,
    });
    expect((await runDocker(['node', 'inspect', '--format', 'pretty{{.ID}}', 'self'], new FakeEngine())).stderr).toBe(
      'cannot supply extra formatting options to the pretty template\n',
    );
  });

  it('applies --format templates the way docker inspect does', async () => {
    const fmt = async (format: string, ref = 'self', engine = new FakeEngine()) => runDocker(['node', 'inspect', '-f', format, ref], engine);
    expect((await fmt('{{.Status.Addr}}')).stdout).toBe('192.168.99.100\n');
    expect((await fmt('{{ .ManagerStatus.Addr }}')).stdout).toBe('192.168.99.100:2377\n');
    expect((await fmt('{{.Spec.Role}} {{.Description.Resources.MemoryBytes}} {{.Version.Index}}')).stdout).toBe('manager 8248356864 9\n');
    expect((await fmt('{{.CreatedAt}}')).stdout).toBe('2026-08-20 10:00:00.461901234 +0000 UTC\n');
    expect((await fmt('{{json .Spec}}')).stdout).toBe('{"Labels":{},"Role":"manager","Availability":"active"}\n');
    expect((await fmt('{{.ManagerStatus}}', 'worker1')).stdout).toBe('<nil>\n');
    const follower = new FakeEngine({ nodeInspect: () => makeNode('m2', 'manager2', '10.0.0.2', { leader: false }) });
    const { Leader: _omitted, ...notLeader } = makeNode('m2', 'manager2', '10.0.0.2', { leader: false }).ManagerStatus!;
    const omitting = new FakeEngine({ nodeInspect: () => ({ ...makeNode('m2', 'manager2', '10.0.0.2'), ManagerStatus: notLeader }) });
    expect((await fmt('{{.ManagerStatus.Leader}}', 'm2', follower)).stdout).toBe('false\n');
    expect((await fmt('{{.ManagerStatus.Leader}} {{.Description.Engine.Labels}}', 'm2', omitting)).stdout).toBe('false map[]\n');
    expect((await fmt('{{if .ManagerStatus}}manager{{else}}worker{{end}}', 'worker1')).stdout).toBe('worker\n');
    const missing = await fmt('{{.ManagerStatus.Addr}}', 'worker1');
    expect(missing).toEqual({
      stdout: '\n',
      stderr: 'template parsing error: template: :1:2: executing "" at <.ManagerStatus.Addr>: map has no entry for key "ManagerStatus"\n',
      exitCode: 1,
    });
    expect(await fmt('{{.ID')).toEqual({ stdout: '', stderr: 'template parsing error: template: :1: unclosed action\n', exitCode: 64 });
  });
});

describe('docker node promote / demote / update / rm', () => {
  it('promotes with the inspected version and spec, naming the node as typed', async () => {
    const engine = new FakeEngine();
    const r = await runDocker(['node', 'promote', 'worker1'], engine);
    expect(r).toEqual({ stdout: 'Node worker1 promoted to a manager in the swarm.\n', stderr: '', exitCode: 0 });
    expect(engine.calls[1]).toEqual({
      method: 'nodeUpdate',
      params: { id: WORKER1_ID, version: 9, spec: { Labels: {}, Role: 'manager', Availability: 'active' } },
    });
  });

  it('skips nodes already in the role, printing their full ID', async () => {
    const engine = new FakeEngine();
    const r = await runDocker(['node', 'promote', 'manager1', 'worker2'], engine);
    expect(r.stdout).toBe(`Node ${MANAGER_ID} is already a manager.\nNode worker2 promoted to a manager in the swarm.\n`);
    expect(engine.methods()).toEqual(['nodeInspect', 'nodeInspect', 'nodeUpdate']);
    const d = await runDocker(['node', 'demote', 'manager1', 'worker1'], new FakeEngine());
    expect(d.stdout).toBe(`Manager manager1 demoted in the swarm.\nNode ${WORKER1_ID} is already a worker.\n`);
  });

  it('stops at the first failure', async () => {
    const r = await runDocker(['node', 'promote', 'nosuch', 'worker1'], new FakeEngine());
    expect(r).toEqual({ stdout: '', stderr: 'Error response from daemon: node nosuch not found\n', exitCode: 1 });
  });

  it('updates availability, role and labels, printing the argument', async () => {
    const engine = new FakeEngine({ nodeInspect: () => ({ ...NODES[2], Spec: { ...NODES[2].Spec, Labels: { old: '1', keep: 'x' } } }) });
    const r = await runDocker(['node', 'update', '--availability', 'drain', '--label-add', 'zone=a', '--label-add', 'ssd', '--label-rm', 'old', 'worker1'], engine);
    expect(r).toEqual({ stdout: 'worker1\n', stderr: '', exitCode: 0 });
    expect(engine.calls[1].params).toEqual({
      id: WORKER1_ID,
      version: 9,
      spec: { Labels: { keep: 'x', zone: 'a', ssd: '' }, Role: 'worker', Availability: 'drain' },
    });
    const bad = await runDocker(['node', 'update', '--label-rm', 'nope', 'worker1'], new FakeEngine());
    expect(bad).toEqual({ stdout: '', stderr: "key nope doesn't exist in node's labels\n", exitCode: 1 });
  });

  it('removes nodes, collecting every error', async () => {
    const engine = new FakeEngine();
    const r = await runDocker(['node', 'rm', '-f', 'worker1', 'nosuch', 'worker2'], engine);
    expect(r).toEqual({ stdout: 'worker1\nworker2\n', stderr: 'Error response from daemon: node nosuch not found\n', exitCode: 1 });
    expect(engine.calls[0].params).toEqual({ id: 'worker1', force: true });
    expect((await runDocker(['node', 'remove', 'worker1'], new FakeEngine())).stdout).toBe('worker1\n');
  });

  it('prints the daemon’s manager-only refusal on a worker', async () => {
    const msg =
      "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
    const r = await runDocker(['node', 'ls'], new FakeEngine({ ...refusing(msg), info: () => WORKER_INFO }));
    expect(r).toEqual({ stdout: '', stderr: `Error response from daemon: ${msg}\n`, exitCode: 1 });
  });
});
