import { describe, expect, it } from 'vitest';
import { runDocker } from '../../src/docker/docker.js';
import { serverSection, swarmSection, type Info } from '../../src/docker/info.js';
import { EngineApiError, type ClusterInfo, type SwarmInfo } from '../../src/host/engine-api.js';
import { FakeEngine, INACTIVE_INFO, MANAGER_INFO, SWARM, WORKER_INFO } from './fake-engine.js';

// Reference §6, byte for byte (`Default Address Pool:` ends in two spaces).
const SWARM_SECTION = ` Swarm: active
  NodeID: dxn1zf6l61qsb1josjja83ngz
  Is Manager: true
  ClusterID: 9vs5ygs0gguyyec4iqf2314c0
  Managers: 1
  Nodes: 3
  Default Address Pool: 10.0.0.0/8  
  SubnetSize: 24
  Data Path Port: 4789
  Orchestration:
   Task History Retention Limit: 5
  Raft:
   Snapshot Interval: 10000
   Number of Old Snapshots to Retain: 0
   Heartbeat Tick: 1
   Election Tick: 10
  Dispatcher:
   Heartbeat Period: 5 seconds
  CA Configuration:
   Expiry Duration: 3 months
   Force Rotate: 0
  Autolock Managers: false
  Root Rotation In Progress: false
  Node Address: 192.168.99.100
  Manager Addresses:
   192.168.99.100:2377
`;

describe('docker info: Swarm section (cli printSwarmInfo)', () => {
  it('prints the reference manager section', () => {
    expect(swarmSection(MANAGER_INFO.Swarm)).toBe(SWARM_SECTION);
  });

  it('prints the worker, inactive, locked and error variants', () => {
    expect(swarmSection(WORKER_INFO.Swarm)).toBe(
      ' Swarm: active\n  NodeID: 9j68exjopxe7wfl6yuxml7a7j\n  Is Manager: false\n  Node Address: 192.168.99.101\n  Manager Addresses:\n   192.168.99.100:2377\n',
    );
    expect(swarmSection(INACTIVE_INFO.Swarm)).toBe(' Swarm: inactive\n');
    expect(swarmSection({ ...WORKER_INFO.Swarm, LocalNodeState: 'locked' })).toBe(' Swarm: locked\n');
    const pending: SwarmInfo = { ...WORKER_INFO.Swarm, LocalNodeState: 'pending', Error: 'rpc error: code = Unavailable desc = connection refused', RemoteManagers: [] };
    expect(swarmSection(pending)).toBe(
      ' Swarm: pending\n  NodeID: 9j68exjopxe7wfl6yuxml7a7j\n  Error: rpc error: code = Unavailable desc = connection refused\n  Is Manager: false\n  Node Address: 192.168.99.101\n',
    );
  });

  it('sorts manager addresses and lists every pool with two spaces after it', () => {
    const cluster: ClusterInfo = { ...MANAGER_INFO.Swarm.Cluster!, DefaultAddrPool: ['10.10.0.0/16', '10.20.0.0/16'], DataPathPort: 0 };
    const swarm: SwarmInfo = {
      ...MANAGER_INFO.Swarm,
      Cluster: cluster,
      RemoteManagers: [
        { NodeID: 'b', Addr: '192.168.99.102:2377' },
        { NodeID: 'a', Addr: '192.168.99.100:2377' },
      ],
    };
    const text = swarmSection(swarm);
    expect(text).toContain('  Default Address Pool: 10.10.0.0/16  10.20.0.0/16  \n  SubnetSize: 24\n  Orchestration:\n');
    expect(text).not.toContain('Data Path Port');
    expect(text.endsWith('  Manager Addresses:\n   192.168.99.100:2377\n   192.168.99.102:2377\n')).toBe(true);
  });
});

/** docker/cli cli/command/system/info_test.go `sampleInfoNoSwarm`, as the Engine API sends it. */
const CLI_SAMPLE: Info = {
  ID: 'EKHL:QDUU:QZ7U:MKGD:VDXK:S27Q:GIPU:24B7:R7VT:DGN6:QCSF:2UBX',
  Containers: 0,
  ContainersRunning: 0,
  ContainersPaused: 0,
  ContainersStopped: 0,
  Images: 0,
  Driver: 'overlay2',
  DriverStatus: [
    ['Backing Filesystem', 'extfs'],
    ['Supports d_type', 'true'],
    ['Using metacopy', 'false'],
    ['Native Overlay Diff', 'true'],
  ],
  Plugins: {
    Volume: ['local'],
    Network: ['bridge', 'host', 'macvlan', 'null', 'overlay'],
    Authorization: null,
    Log: ['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'splunk', 'syslog'],
  },
  Debug: true,
  NFd: 33,
  NGoroutines: 135,
  SystemTime: '2017-08-24T17:44:34.077811894Z',
  LoggingDriver: 'json-file',
  CgroupDriver: 'cgroupfs',
  NEventsListener: 0,
  KernelVersion: '4.4.0-87-generic',
  OperatingSystem: 'Ubuntu 16.04.3 LTS',
  OSType: 'linux',
  Architecture: 'x86_64',
  RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: { 'docker.io': { Name: 'docker.io', Secure: true } }, Mirrors: null },
  NCPU: 2,
  MemTotal: 2097356800,
  DockerRootDir: '/var/lib/docker',
  HTTPProxy: '',
  HTTPSProxy: '',
  NoProxy: '',
  Name: 'system-sample',
  Labels: ['provider=digitalocean'],
  ExperimentalBuild: false,
  ServerVersion: '17.06.1-ce',
  Runtimes: { runc: { path: 'docker-runc' } },
  DefaultRuntime: 'runc',
  Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
  LiveRestoreEnabled: false,
  InitBinary: 'docker-init',
  ContainerdCommit: { ID: '6e23458c129b551d5c9871e5174f6b1b7f6d1170' },
  RuncCommit: { ID: '810190ceaa507aa2727d7ae6f4790c76ec150bd2' },
  InitCommit: { ID: '949e6fa' },
  SecurityOptions: ['name=apparmor', 'name=seccomp,profile=default'],
  DefaultAddressPools: [{ Base: '10.123.0.0/16', Size: 24 }],
  FirewallBackend: { Driver: 'nftables+firewalld', Info: [['ReloadedAt', '2025-07-16T16:59:14Z']] },
  NRI: { Info: [['plugin-path', '/usr/libexec/docker/nri-plugins'], ['plugin-config-path', '/etc/docker/nri/conf.d']] },
  CDISpecDirs: ['/etc/cdi', '/var/run/cdi'],
};

/** `sampleSwarmInfo` (its cluster has no default address pool and no data path port). */
const CLI_SWARM: SwarmInfo = {
  NodeID: 'qo2dfdig9mmxqkawulggepdih',
  NodeAddr: '165.227.107.89',
  LocalNodeState: 'active',
  ControlAvailable: true,
  Error: '',
  RemoteManagers: [{ NodeID: 'qo2dfdig9mmxqkawulggepdih', Addr: '165.227.107.89:2377' }],
  Nodes: 1,
  Managers: 1,
  Cluster: {
    ...SWARM,
    ID: '9vs5ygs0gguyyec4iqf2314c0',
    Spec: { ...SWARM.Spec, Raft: { ...SWARM.Spec.Raft, ElectionTick: 3 }, EncryptionConfig: { AutoLockManagers: true } },
    DefaultAddrPool: null as unknown as string[],
    DataPathPort: 0,
  },
};

const GOLDEN_SERVER_HEAD = `Server:
 Containers: 0
  Running: 0
  Paused: 0
  Stopped: 0
 Images: 0
 Server Version: 17.06.1-ce
 Storage Driver: overlay2
  Backing Filesystem: extfs
  Supports d_type: true
  Using metacopy: false
  Native Overlay Diff: true
 Logging Driver: json-file
 Cgroup Driver: cgroupfs
 Plugins:
  Volume: local
  Network: bridge host macvlan null overlay
  Log: awslogs fluentd gcplogs gelf journald json-file splunk syslog
 CDI spec directories:
  /etc/cdi
  /var/run/cdi
`;
const GOLDEN_SERVER_TAIL = ` Runtimes: runc
 Default Runtime: runc
 Init Binary: docker-init
 containerd version: 6e23458c129b551d5c9871e5174f6b1b7f6d1170
 runc version: 810190ceaa507aa2727d7ae6f4790c76ec150bd2
 init version: 949e6fa
 Security Options:
  apparmor
  seccomp
   Profile: default
 Kernel Version: 4.4.0-87-generic
 Operating System: Ubuntu 16.04.3 LTS
 OSType: linux
 Architecture: x86_64
 CPUs: 2
 Total Memory: 1.953GiB
 Name: system-sample
 ID: EKHL:QDUU:QZ7U:MKGD:VDXK:S27Q:GIPU:24B7:R7VT:DGN6:QCSF:2UBX
 Docker Root Dir: /var/lib/docker
 Debug Mode: true
  File Descriptors: 33
  Goroutines: 135
  System Time: 2017-08-24T17:44:34.077811894Z
  EventsListeners: 0
 Labels:
  provider=digitalocean
 Experimental: false
 Insecure Registries:
  127.0.0.0/8
 Live Restore Enabled: false
 Default Address Pools:
   Base: 10.123.0.0/16, Size: 24
 Firewall Backend: nftables+firewalld
  ReloadedAt: 2025-07-16T16:59:14Z
 NRI:
  plugin-path: /usr/libexec/docker/nri-plugins
  plugin-config-path: /etc/docker/nri/conf.d

`;
const GOLDEN_SWARM = ` Swarm: active
  NodeID: qo2dfdig9mmxqkawulggepdih
  Is Manager: true
  ClusterID: 9vs5ygs0gguyyec4iqf2314c0
  Managers: 1
  Nodes: 1
  Orchestration:
   Task History Retention Limit: 5
  Raft:
   Snapshot Interval: 10000
   Number of Old Snapshots to Retain: 0
   Heartbeat Tick: 1
   Election Tick: 3
  Dispatcher:
   Heartbeat Period: 5 seconds
  CA Configuration:
   Expiry Duration: 3 months
   Force Rotate: 0
  Autolock Managers: true
  Root Rotation In Progress: false
  Node Address: 165.227.107.89
  Manager Addresses:
   165.227.107.89:2377
`;

describe('docker info: whole layout against the docker/cli goldens', () => {
  it('matches docker-info-no-swarm.golden from `Server:` on', async () => {
    const r = await runDocker(['-D', 'info'], new FakeEngine({ info: () => CLI_SAMPLE }));
    expect(r.stdout).toBe(
      `Client: Docker Engine - Community\n Version:    28.2.2\n Context:    default\n Debug Mode: true\n\n${GOLDEN_SERVER_HEAD} Swarm: inactive\n${GOLDEN_SERVER_TAIL}`,
    );
    expect(r.exitCode).toBe(0);
  });

  it('matches docker-info-with-swarm.golden from `Server:` on', async () => {
    const r = await runDocker(['info'], new FakeEngine({ info: () => ({ ...CLI_SAMPLE, Swarm: CLI_SWARM }) }));
    expect(r.stdout.slice(r.stdout.indexOf('Server:\n'))).toBe(`${GOLDEN_SERVER_HEAD}${GOLDEN_SWARM}${GOLDEN_SERVER_TAIL}`);
  });

  it('skips security options without a name, and prints daemon warnings on stderr', () => {
    const out = serverSection({ ...CLI_SAMPLE, SecurityOptions: ['foo='], Warnings: ['WARNING: No swap limit support'] }, false);
    expect(out.text).toContain(' init version: 949e6fa\n Kernel Version:');
    expect(out.warnings).toBe('WARNING: No swap limit support\n');
  });
});

describe('docker info against the emulated daemon', () => {
  it('prints the client block, then the server block with its swarm section', async () => {
    const r = await runDocker(['info'], new FakeEngine());
    expect(r.stdout.startsWith('Client: Docker Engine - Community\n Version:    28.2.2\n Context:    default\n Debug Mode: false\n\nServer:\n Containers: 2\n  Running: 1\n  Paused: 0\n  Stopped: 1\n Images: 3\n Server Version: 28.2.2\n')).toBe(true);
    expect(r.stdout).toContain(SWARM_SECTION);
    expect(r.stdout.endsWith(' Name: manager1\n ID: 6f1c0a73-2b7e-4a43-9d1e-3c2f8b8d5e10\n Docker Root Dir: \n Debug Mode: false\n Experimental: false\n Live Restore Enabled: false\n\n')).toBe(true);
    expect(r.stdout).toContain(' Kernel Version: 6.8.0-swarmnet\n Operating System: Alpine Linux v3.21\n OSType: linux\n Architecture: x86_64\n CPUs: 4\n Total Memory: 7.682GiB\n');
    expect(r.stderr).toBe('');
  });

  it('reports a daemon failure after the empty Server block (docker-info-errors.golden layout)', async () => {
    const r = await runDocker(['info'], new FakeEngine({ info: () => Promise.reject(new EngineApiError('a server error occurred', 500)) }));
    expect(r.stdout).toBe('Client: Docker Engine - Community\n Version:    28.2.2\n Context:    default\n Debug Mode: false\n\nServer:\n');
    expect(r.stderr).toBe('ERROR: Error response from daemon: a server error occurred\nerrors pretty printing info\n');
    expect(r.exitCode).toBe(1);
  });

  it('applies --format', async () => {
    const f = async (format: string): Promise<string> => (await runDocker(['info', '--format', format], new FakeEngine())).stdout;
    expect(await f('{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}')).toBe('active dxn1zf6l61qsb1josjja83ngz\n');
    expect(await f('{{json .Swarm.Cluster.DefaultAddrPool}}')).toBe('["10.0.0.0/8"]\n');
    expect(await f('{{.ClientInfo.Version}} {{.ClientInfo.Debug}}')).toBe('28.2.2 false\n');
    expect(await f('{{.Swarm.ControlAvailable}}')).toBe('true\n');
    const bad = await runDocker(['info', '-f', '{{.Swarm.Nope.X}}'], new FakeEngine());
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toBe('\n');
    expect((await runDocker(['info', '-f', '{{'], new FakeEngine())).exitCode).toBe(64);
  });
});
