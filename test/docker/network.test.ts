import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeDocker } from '../../src/docker/completion.js';
import { runDocker, type DockerOptions } from '../../src/docker/docker.js';
import { addrString, ipNetContains, ipNetString, parseAddr, parseCIDR, parseIP, parsePrefix, prefixString, toPrefix } from '../../src/docker/netip.js';
import { truncateID } from '../../src/docker/network-format.js';
import { INGRESS_WARNING } from '../../src/docker/network.js';
import { EngineApiError, type NetworkResource } from '../../src/host/engine-api.js';
import { FakeEngine, type Handlers } from './fake-engine.js';

const CREATED = '2026-08-20T10:00:00.461901234Z';
const INGRESS_ID = 'ozgzl4rbkwlf6mnk3ncb0n2ck';
const MYNET_ID = 'trtnl4tqnc3nbsm3lp0gmxkfn';
const SERVICE_ID = 'k4w3n2eoh1sh1vmy4oyyhq5zs';
const hex64 = (prefix: string): string => prefix.padEnd(64, '0');

/** A network as the daemon sends it, keys in the Engine API's order. */
function makeNetwork(name: string, id: string, driver: string, scope: 'local' | 'swarm', extra: Partial<NetworkResource> = {}): NetworkResource {
  return {
    Name: name,
    Id: id,
    Created: CREATED,
    Scope: scope,
    Driver: driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: {},
    ...extra,
  };
}

const INGRESS = makeNetwork('ingress', INGRESS_ID, 'overlay', 'swarm', {
  Ingress: true,
  IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }] },
  Containers: {
    'ingress-sbox': { Name: 'ingress-endpoint', EndpointID: hex64('5e1f'), MacAddress: '02:42:0a:00:00:02', IPv4Address: '10.0.0.2/24', IPv6Address: '' },
  },
  Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4096' },
  Peers: [{ Name: '3f2a9c1d7b6e', IP: '192.168.99.100' }],
});
const MYNET = makeNetwork('mynet', MYNET_ID, 'overlay', 'swarm', {
  Attachable: true,
  IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] },
  Containers: null,
  Options: null,
  Labels: { 'com.example.team': 'blue', env: 'prod' },
});

/** The reference §3.1 host: a manager with the default local networks, ingress and mynet. */
const NETWORKS: readonly NetworkResource[] = [
  MYNET,
  makeNetwork('none', hex64('a9b8c7d6e5f4'), 'null', 'local'),
  makeNetwork('bridge', hex64('c0f8e4b0d3a5'), 'bridge', 'local', {
    IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] },
    Options: { 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.name': 'docker0' },
  }),
  INGRESS,
  makeNetwork('host', hex64('e1d2c3b4a5f6'), 'host', 'local'),
  makeNetwork('docker_gwbridge', hex64('5b2a1c9d8e7f'), 'bridge', 'local'),
];

/** A daemon holding `networks`: lookups by full ID, unique ID prefix or name, as moby does. */
function networkDaemon(networks: readonly NetworkResource[] = NETWORKS, overrides: Handlers = {}): FakeEngine {
  const find = (id: string): NetworkResource => {
    const n = networks.find((x) => x.Id === id) ?? networks.find((x) => x.Name === id) ?? networks.find((x) => x.Id.startsWith(id));
    if (n === undefined) throw new EngineApiError(`network ${id} not found`, 404);
    return n;
  };
  return new FakeEngine({
    networkList: () => [...networks],
    networkInspect: ({ id }) => find(id),
    networkRemove: ({ id }) => {
      find(id);
      return null;
    },
    networkCreate: ({ Name }) => ({ Id: Name === 'mynet' ? MYNET_ID : 'r8g9ti4r3fhbmn2rxsf3rvusb', Warning: '' }),
    ...overrides,
  });
}

const docker = (argv: readonly string[], engine = networkDaemon(), options?: DockerOptions) => runDocker(argv, engine, options);

/** An stdin answering `lines` one by one, then nothing. */
const typed = (...lines: string[]): DockerOptions => ({ stdin: async () => lines.shift() ?? null });

// Reference §3.1, byte for byte.
const NETWORK_LS = `NETWORK ID     NAME              DRIVER    SCOPE
c0f8e4b0d3a5   bridge            bridge    local
5b2a1c9d8e7f   docker_gwbridge   bridge    local
e1d2c3b4a5f6   host              host      local
ozgzl4rbkwlf   ingress           overlay   swarm
trtnl4tqnc3n   mynet             overlay   swarm
a9b8c7d6e5f4   none              null      local
`;

describe('docker network ls', () => {
  it('prints the reference table: sorted by name, IDs truncated to 12', async () => {
    const engine = networkDaemon();
    expect(await docker(['network', 'ls'], engine)).toEqual({ stdout: NETWORK_LS, stderr: '', exitCode: 0 });
    expect(engine.calls).toEqual([{ method: 'networkList', params: {} }]);
    expect((await docker(['network', 'list'])).stdout).toBe(NETWORK_LS);
  });

  it('prints IDs only with -q, whole with --no-trunc', async () => {
    expect((await docker(['network', 'ls', '-q'])).stdout).toBe(
      'c0f8e4b0d3a5\n5b2a1c9d8e7f\ne1d2c3b4a5f6\nozgzl4rbkwlf\ntrtnl4tqnc3n\na9b8c7d6e5f4\n',
    );
    expect((await docker(['network', 'ls', '-q', '--no-trunc'])).stdout.split('\n').slice(3, 5)).toEqual([INGRESS_ID, MYNET_ID]);
    const wide = await docker(['network', 'ls', '--no-trunc', '--filter', 'scope=swarm'], networkDaemon([MYNET, INGRESS]));
    expect(wide.stdout).toBe(
      'NETWORK ID                  NAME      DRIVER    SCOPE\n' +
        `${INGRESS_ID}   ingress   overlay   swarm\n` +
        `${MYNET_ID}   mynet     overlay   swarm\n`,
    );
  });

  it('passes every filter to the daemon as given, and prints its refusal', async () => {
    const engine = networkDaemon();
    await docker(['network', 'ls', '-f', 'driver=overlay', '--filter', 'name=my', '-f', 'driver=bridge', '-f', 'label=env=prod'], engine);
    expect(engine.calls[0].params).toEqual({ filters: { driver: ['overlay', 'bridge'], name: ['my'], label: ['env=prod'] } });
    const refusing = networkDaemon(NETWORKS, {
      networkList: () => {
        throw new EngineApiError("invalid filter 'colour'", 400);
      },
    });
    expect(await docker(['network', 'ls', '-f', 'colour=red'], refusing)).toEqual({
      stdout: '',
      stderr: "Error response from daemon: invalid filter 'colour'\n",
      exitCode: 1,
    });
    expect((await docker(['network', 'ls', '-f', 'nonsense'])).stderr).toBe(
      'invalid argument "nonsense" for "-f, --filter" flag: bad format of filter (expected name=value)\n\n' +
        'Usage:  docker network ls [OPTIONS]\n\nRun \'docker network ls --help\' for more information\n',
    );
  });

  it('reproduces the cli goldens network-list.golden and network-list-sort.golden', async () => {
    const one = makeNetwork('network_1', '123454321', '09.7.01', 'local', { Scope: 'global' as 'local' });
    const engine = networkDaemon([one]);
    const r = await docker(['network', 'ls', '--filter', 'image.name=ubuntu'], engine);
    expect(r.stdout).toBe('NETWORK ID   NAME        DRIVER    SCOPE\n123454321    network_1   09.7.01   global\n');
    expect(engine.calls[0].params).toEqual({ filters: { 'image.name': ['ubuntu'] } });
    const sorted = ['network-2-foo', 'network-1-foo', 'network-10-foo'].map((n) => makeNetwork(n, 'x', 'bridge', 'local'));
    expect((await docker(['network', 'ls', '--format', '{{ .Name }}'], networkDaemon(sorted))).stdout).toBe(
      'network-1-foo\nnetwork-2-foo\nnetwork-10-foo\n',
    );
  });

  it('offers the cli networkContext fields to --format, and the raw and json forms', async () => {
    const engine = networkDaemon([MYNET, makeNetwork('internal', hex64('abc'), 'bridge', 'local', { Internal: true, Labels: null })]);
    const fmt = async (format: string, ...more: string[]): Promise<string> => (await docker(['network', 'ls', '--format', format, ...more], engine)).stdout;
    expect(await fmt('table {{.Name}}\\t{{.IPv4}}\\t{{.IPv6}}\\t{{.Internal}}\\t{{.Labels}}')).toBe(
      'NAME       IPV4      IPV6      INTERNAL   LABELS\n' +
        'internal   true      false     true       \n' +
        'mynet      true      false     false      com.example.team=blue,env=prod\n',
    );
    expect(await fmt('{{.CreatedAt}}', '-f', 'name=mynet')).toBe('2026-08-20 10:00:00.461901234 +0000 UTC\n2026-08-20 10:00:00.461901234 +0000 UTC\n');
    expect(await fmt('raw')).toBe(
      `network_id: abc000000000\nname: internal\ndriver: bridge\nscope: local\n\nnetwork_id: trtnl4tqnc3n\nname: mynet\ndriver: overlay\nscope: swarm\n\n`,
    );
    expect(await fmt('raw', '-q')).toBe('network_id: abc000000000\nnetwork_id: trtnl4tqnc3n\n');
    expect((await fmt('json')).split('\n')[1]).toBe(
      '{"CreatedAt":"2026-08-20 10:00:00.461901234 +0000 UTC","Driver":"overlay","ID":"trtnl4tqnc3n","IPv4":"true","IPv6":"false",' +
        '"Internal":"false","Labels":"com.example.team=blue,env=prod","Name":"mynet","Scope":"swarm"}',
    );
    // A custom format ignores -q, as the cli's newFormat does.
    expect(await fmt('{{.Name}}', '-q')).toBe('internal\nmynet\n');
  });

  it('prints the header alone for no networks, and refuses arguments', async () => {
    expect((await docker(['network', 'ls'], networkDaemon([]))).stdout).toBe('NETWORK ID   NAME      DRIVER    SCOPE\n');
    expect(await docker(['network', 'ls', 'extra'])).toEqual({
      stdout: '',
      stderr: "docker: 'docker network ls' accepts no arguments\n\nUsage:  docker network ls [OPTIONS]\n\nRun 'docker network ls --help' for more information\n",
      exitCode: 1,
    });
  });
});

/** What the cli sends for `docker network create NAME` with no options. */
const PLAIN_REQUEST = {
  Name: 'mynet',
  Driver: 'bridge',
  Scope: '',
  IPAM: { Driver: 'default', Options: {}, Config: [] },
  Internal: false,
  Attachable: false,
  Ingress: false,
  ConfigOnly: false,
  Options: {},
  Labels: {},
};

describe('docker network create', () => {
  it('prints the new ID and sends the cli’s CreateRequest', async () => {
    const engine = networkDaemon();
    expect(await docker(['network', 'create', 'mynet'], engine)).toEqual({ stdout: `${MYNET_ID}\n`, stderr: '', exitCode: 0 });
    expect(engine.calls).toEqual([{ method: 'networkCreate', params: PLAIN_REQUEST }]);
    const overlay = networkDaemon();
    expect((await docker(['network', 'create', '-d', 'overlay', 'backend'], overlay)).stdout).toBe('r8g9ti4r3fhbmn2rxsf3rvusb\n');
    expect(overlay.calls[0].params).toEqual({ ...PLAIN_REQUEST, Name: 'backend', Driver: 'overlay' });
  });

  it('sends every option as given, leaving their judgement to the daemon', async () => {
    const engine = networkDaemon();
    const argv = [
      'network', 'create',
      '--driver=overlay', '--attachable', '--internal', '--ingress', '--config-only', '--config-from', 'base',
      '--scope', 'swarm', '--ipv4=false', '--ipv6',
      '-o', 'encrypted', '--opt', 'com.docker.network.driver.mtu=1400', '-o', 'encrypted=yes',
      '--label', 'env=prod', '--label', 'team', '--label', 'env=dev=x',
      '--ipam-driver', 'custom', '--ipam-opt', 'a=b',
      '--subnet', '10.1.0.0/24,10.2.0.0/24', '--subnet', '10.3.0.0/24',
      '--ip-range', '10.1.0.128/25', '--gateway', '10.1.0.1', '--gateway', '10.2.0.254',
      '--aux-address', 'router=10.2.0.5', '--aux-address', 'printer=10.2.0.6', '--aux-address', 'skipped=',
      'mynet',
    ];
    expect(await docker(argv, engine)).toEqual({ stdout: `${MYNET_ID}\n`, stderr: '', exitCode: 0 });
    expect(engine.calls[0].params).toEqual({
      Name: 'mynet',
      Driver: 'overlay',
      Scope: 'swarm',
      EnableIPv4: false,
      EnableIPv6: true,
      IPAM: {
        Driver: 'custom',
        Options: { a: 'b' },
        Config: [
          { Subnet: '10.1.0.0/24', IPRange: '10.1.0.128/25', Gateway: '10.1.0.1' },
          { Subnet: '10.2.0.0/24', Gateway: '10.2.0.254', AuxiliaryAddresses: { router: '10.2.0.5', printer: '10.2.0.6' } },
          { Subnet: '10.3.0.0/24' },
        ],
      },
      Internal: true,
      Attachable: true,
      Ingress: true,
      ConfigOnly: true,
      ConfigFrom: { Network: 'base' },
      Options: { encrypted: 'yes', 'com.docker.network.driver.mtu': '1400' },
      Labels: { env: 'dev=x', team: '' },
    });
  });

  it('sends EnableIPv4 / EnableIPv6 only when their flag is given (cli TestNetworkCreateIPv4/IPv6)', async () => {
    const sent = async (...flags: string[]): Promise<unknown> => {
      const engine = networkDaemon();
      await docker(['network', 'create', ...flags, 'n'], engine);
      const p = engine.calls[0].params as Record<string, unknown>;
      return [p.EnableIPv4, p.EnableIPv6];
    };
    expect(await sent()).toEqual([undefined, undefined]);
    expect(await sent('--ipv4', '--ipv6')).toEqual([true, true]);
    expect(await sent('--ipv4=true', '--ipv6=false')).toEqual([true, false]);
    expect(await sent('--ipv4=false')).toEqual([false, undefined]);
  });

  it('keeps what Go keeps of addresses: host bits of a subnet, canonical IPv6, mapped aux addresses', async () => {
    const engine = networkDaemon();
    const argv = [
      'network', 'create',
      '--subnet', '"10.0.0.5/24"', '--ip-range', '10.0.0.77/25', '--gateway', "'10.0.0.1'",
      '--subnet', '2001:DB8:0:0:1::/80', '--gateway', '2001:db8::1:0:0:1', '--aux-address', 'v4inv6=::ffff:10.0.0.9',
      'mynet',
    ];
    expect((await docker(argv, engine)).exitCode).toBe(0);
    expect((engine.calls[0].params as { IPAM: unknown }).IPAM).toEqual({
      Driver: 'default',
      Options: {},
      Config: [
        { Subnet: '10.0.0.5/24', IPRange: '10.0.0.0/25', Gateway: '10.0.0.1', AuxiliaryAddresses: { v4inv6: '::ffff:10.0.0.9' } },
        { Subnet: '2001:db8:0:0:1::/80', Gateway: '2001:db8::1:0:0:1' },
      ],
    });
  });

  // cli create_test.go TestNetworkCreateErrors, then the rest of createIPAMConfig's errors.
  it.each([
    [['--ip-range=255.255.0.0/24', '--gateway=255.0.255.0', '--subnet=10.1.2.0.30.50'], 'netip.ParsePrefix("10.1.2.0.30.50"): no \'/\''],
    [['--gateway=255.0.0.0'], 'every ip-range or gateway must have a corresponding subnet'],
    [['--ip-range=255.0.0.0/24'], 'every ip-range or gateway must have a corresponding subnet'],
    [['--ip-range=255.0.0.0/24', '--gateway=255.0.0.0'], 'every ip-range or gateway must have a corresponding subnet'],
    [['--ip-range=255.255.0.0/24', '--gateway=255.0.255.0', '--subnet=10.1.2.0/23,10.1.3.248/30'], 'multiple overlapping subnet configuration is not supported'],
    [
      ['--ip-range=192.168.1.0/25,192.168.1.128/25', '--gateway=192.168.1.1,192.168.1.4', '--subnet=192.168.2.0/24,192.168.1.250/24'],
      'cannot configure multiple ranges (192.168.1.128/25, 192.168.1.0/25) on the same subnet (192.168.1.250/24)',
    ],
    [
      ['--ip-range=255.255.200.0/24,255.255.120.0/24', '--gateway=255.0.255.0', '--subnet=255.255.255.0/24,255.255.0.255/24'],
      'no matching subnet for range 255.255.200.0/24',
    ],
    [
      ['--ip-range=192.168.1.0/24', '--gateway=192.168.1.1,192.168.1.4', '--subnet=192.168.2.0/24,192.168.1.250/24'],
      'cannot configure multiple gateways (192.168.1.4, 192.168.1.1) for the same subnet (192.168.1.250/24)',
    ],
    [['--ip-range=192.168.1.0/24', '--gateway=192.168.4.1,192.168.5.4', '--subnet=192.168.2.0/24,192.168.1.250/24'], 'no matching subnet for gateway 192.168.4.1'],
    [['--gateway=255.255.0.0', '--subnet=255.255.0.0/24', '--aux-address=router=255.255.1.30'], 'no matching subnet for aux-address 255.255.1.30'],
    [['--subnet=10.0.0.0/24', '--subnet=10.0.0.0/24'], 'multiple overlapping subnet configuration is not supported'],
    [['--subnet=10.0.0.0/8', '--subnet=10.9.0.0/16'], 'multiple overlapping subnet configuration is not supported'],
    [['--subnet=10.0.0.0/24', '--subnet=bogus'], 'invalid subnet: invalid CIDR address: bogus'],
    [['--subnet=10.0.0.0/08'], 'netip.ParsePrefix("10.0.0.0/08"): bad bits after slash: "08"'],
    [['--subnet=10.0.0.0/33'], 'netip.ParsePrefix("10.0.0.0/33"): prefix length out of range'],
    [['--subnet=10.0.0/24'], 'netip.ParsePrefix("10.0.0/24"): ParseAddr("10.0.0"): IPv4 address too short'],
    [['--subnet=10.0.0.0/24', '--aux-address=a=10.0.0.300'], 'ParseAddr("10.0.0.300"): IPv4 field has value >255'],
    [['--subnet=10.0.0.0/24', '--aux-address=a=host'], 'ParseAddr("host"): unable to parse IP'],
    [['--subnet=fe80::/64', '--aux-address=a=fe80::1%eth0'], 'no matching subnet for aux-address fe80::1%eth0'],
  ])('refuses %j: %s', async (flags, message) => {
    const engine = networkDaemon();
    expect(await docker(['network', 'create', ...flags, 'toto'], engine)).toEqual({ stdout: '', stderr: `${message}\n`, exitCode: 1 });
    expect(engine.calls).toEqual([]);
  });

  it('refuses malformed option values as flag errors (exit 125)', async () => {
    const usage = "\n\nUsage:  docker network create [OPTIONS] NETWORK\n\nRun 'docker network create --help' for more information\n";
    const cases: [string[], string][] = [
      [['--gateway', '10.0.0.1/24'], 'invalid argument "10.0.0.1/24" for "--gateway" flag: invalid string being converted to IP address: 10.0.0.1/24'],
      [['--gateway', '10.0.0.1, nope'], 'invalid argument "10.0.0.1, nope" for "--gateway" flag: invalid string being converted to IP address:  nope'],
      [['--ip-range', '10.0.0.0'], 'invalid argument "10.0.0.0" for "--ip-range" flag: invalid string being converted to CIDR: 10.0.0.0'],
      [['--label', '=x'], `invalid argument "=x" for "--label" flag: invalid label '=x': empty name`],
      [['--label', ' a b=c'], `invalid argument " a b=c" for "--label" flag: label 'a b' contains whitespaces`],
      [['--subnet', '10.0.0.0/24,1"0'], 'invalid argument "10.0.0.0/24,1\\"0" for "--subnet" flag: parse error on line 1, column 14: bare " in non-quoted-field'],
      [['--subnet', '"10.0.0.0/24'], 'invalid argument "\\"10.0.0.0/24" for "--subnet" flag: parse error on line 1, column 13: extraneous or missing " in quoted-field'],
      [['--subnet', '"10.0.0.0/24"x'], 'invalid argument "\\"10.0.0.0/24\\"x" for "--subnet" flag: parse error on line 1, column 13: extraneous or missing " in quoted-field'],
      [['--ipv6=maybe'], 'invalid argument "maybe" for "--ipv6" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
    ];
    for (const [flags, message] of cases) {
      const engine = networkDaemon();
      expect(await docker(['network', 'create', ...flags, 'toto'], engine)).toEqual({ stdout: '', stderr: `${message}${usage}`, exitCode: 125 });
      expect(engine.calls).toEqual([]);
    }
  });

  it('reads quoted CSV in --subnet as pflag does', async () => {
    const engine = networkDaemon();
    await docker(['network', 'create', '--subnet', '"10.0.0.0/24","10.0.1.0/24"', 'mynet'], engine);
    const config = (engine.calls[0].params as { IPAM: { Config: unknown } }).IPAM.Config;
    expect(config).toEqual([{ Subnet: '10.0.0.0/24' }, { Subnet: '10.0.1.0/24' }]);
  });

  it('prints the daemon’s refusal, and docker’s argument errors', async () => {
    const taken = networkDaemon(NETWORKS, {
      networkCreate: () => {
        throw new EngineApiError('network with name mynet already exists', 409);
      },
    });
    expect(await docker(['network', 'create', '-d', 'overlay', 'mynet'], taken)).toEqual({
      stdout: '',
      stderr: 'Error response from daemon: network with name mynet already exists\n',
      exitCode: 1,
    });
    const usage = "\n\nUsage:  docker network create [OPTIONS] NETWORK\n\nRun 'docker network create --help' for more information\n";
    expect(await docker(['network', 'create'])).toEqual({ stdout: '', stderr: `docker: 'docker network create' requires 1 argument${usage}`, exitCode: 1 });
    expect((await docker(['network', 'create', 'a', 'b'])).stderr).toBe(`docker: 'docker network create' requires 1 argument${usage}`);
  });
});

describe('docker network inspect', () => {
  it('prints the daemon’s JSON indented by four spaces, keys in the API’s order', async () => {
    const engine = networkDaemon();
    const r = await docker(['network', 'inspect', 'ingress'], engine);
    expect(r).toEqual({ stdout: `${JSON.stringify([INGRESS], null, 4)}\n`, stderr: '', exitCode: 0 });
    expect(r.stdout.startsWith(`[\n    {\n        "Name": "ingress",\n        "Id": "${INGRESS_ID}",\n        "Created": "${CREATED}",\n`)).toBe(true);
    expect(engine.calls).toEqual([{ method: 'networkInspect', params: { id: 'ingress' } }]);
    const two = await docker(['network', 'inspect', '--format', 'json', 'mynet', INGRESS_ID.slice(0, 5)]);
    expect(two.stdout).toBe(`${JSON.stringify([MYNET, INGRESS])}\n`);
  });

  it('asks for the verbose view with -v', async () => {
    const engine = networkDaemon();
    await docker(['network', 'inspect', '-v', ' mynet '], engine);
    expect(engine.calls[0].params).toEqual({ id: 'mynet', verbose: true });
  });

  it('prints what it found, then each failure; nothing found prints []', async () => {
    const r = await docker(['network', 'inspect', 'nosuch', 'mynet', 'gone']);
    expect(r.stdout).toBe(`${JSON.stringify([MYNET], null, 4)}\n`);
    expect(r.stderr).toBe('Error response from daemon: network nosuch not found\nError response from daemon: network gone not found\n');
    expect(r.exitCode).toBe(1);
    expect(await docker(['network', 'inspect', 'nosuch'])).toEqual({
      stdout: '[]\n',
      stderr: 'Error response from daemon: network nosuch not found\n',
      exitCode: 1,
    });
    const engine = networkDaemon();
    expect(await docker(['network', 'inspect', ' '], engine)).toEqual({ stdout: '[]\n', stderr: 'invalid network name or ID: value is empty\n', exitCode: 1 });
    expect(engine.calls).toEqual([]);
  });

  it('runs --format over Go’s network.Inspect first, then over the raw map', async () => {
    const fmt = async (format: string, name = 'ingress'): Promise<string> => {
      const r = await docker(['network', 'inspect', '-f', format, name]);
      return r.exitCode === 0 ? r.stdout : `${r.exitCode}: ${r.stderr}`;
    };
    // `.Id` fails on the struct, so the raw map runs the whole template, where `.ID` does not exist.
    expect(await fmt('{{.Name}} {{.ID}} {{.Id}}')).toBe('1: template parsing error: template: :1:12: executing "" at <.ID>: map has no entry for key "ID"\n');
    expect(await fmt('{{.Name}} {{.ID}} {{.Scope}} {{.Ingress}}')).toBe(`ingress ${INGRESS_ID} swarm true\n`);
    expect(await fmt('{{.Id}}')).toBe(`${INGRESS_ID}\n`);
    expect(await fmt('{{range .IPAM.Config}}{{.Subnet}} via {{.Gateway}}{{end}}')).toBe('10.0.0.0/24 via 10.0.0.1\n');
    expect(await fmt('{{json .IPAM.Config}}')).toBe('[{"Subnet":"10.0.0.0/24","Gateway":"10.0.0.1"}]\n');
    expect(await fmt('{{.Created}}')).toBe('2026-08-20 10:00:00.461901234 +0000 UTC\n');
    expect(await fmt('{{range $k, $v := .Containers}}{{$k}}={{$v.IPv4Address}} {{end}}')).toBe('ingress-sbox=10.0.0.2/24 \n');
    expect(await fmt('{{range .Peers}}{{.Name}}@{{.IP}}{{end}}')).toBe('3f2a9c1d7b6e@192.168.99.100\n');
    expect(await fmt('{{index .Options "com.docker.network.driver.overlay.vxlanid_list"}}')).toBe('4096\n');
    expect(await fmt('{{.Network.Name}} {{.Network.Driver}}')).toBe('ingress overlay\n');
    // Nil maps and slices print as Go prints them, and encode as null.
    expect(await fmt('{{.Options}} {{json .Options}} {{.Containers}} {{json .Containers}} {{len .Peers}}', 'mynet')).toBe('map[] null map[] null 0\n');
    expect(await fmt('{{json .Peers}} {{.Peers}} {{.IPAM.Options}}', 'mynet')).toBe('null [] map[]\n');
    expect(await fmt('{{.Labels}}', 'mynet')).toBe('map[com.example.team:blue env:prod]\n');
    expect(await fmt('{{range .IPAM.Config}}[{{.IPRange}}] {{.AuxAddress}} {{.}}{{end}}', 'mynet')).toBe('[] map[] {10.0.1.0/24  10.0.1.1 map[]}\n');
    expect(await fmt('{{.Nope}}')).toBe('1: template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"\n');
    expect(await fmt('{{.Name')).toBe('64: template parsing error: template: :1: unclosed action\n');
  });

  it('types the verbose view’s services too', async () => {
    const services = {
      web: {
        VIP: '10.0.1.2',
        Ports: [],
        LocalLBIndex: 257,
        Tasks: [{ Name: 'web.1.x', EndpointID: hex64('e'), EndpointIP: '10.0.1.3', Info: { 'Host IP': '192.168.99.101' } }],
      },
    };
    const verbose = { ...MYNET, Services: services } as NetworkResource;
    const r = await docker(['network', 'inspect', '-v', '-f', '{{range $n, $s := .Services}}{{$n}} {{$s.VIP}} {{$s.LocalLBIndex}}{{range $s.Tasks}} {{.Name}}@{{index .Info "Host IP"}}{{end}}{{end}}', 'mynet'], networkDaemon([verbose]));
    expect(r.stdout).toBe('web 10.0.1.2 257 web.1.x@192.168.99.101\n');
    expect((await docker(['network', 'inspect', '-f', '{{.Services}} {{.Status}}', 'mynet'])).stdout).toBe('map[] <nil>\n');
  });

  it('requires a network', async () => {
    expect((await docker(['network', 'inspect'])).stderr).toBe(
      "docker: 'docker network inspect' requires at least 1 argument\n\nUsage:  docker network inspect [OPTIONS] NETWORK [NETWORK...]\n\nSee 'docker network inspect --help' for more information\n",
    );
  });
});

// Reference §3.3.
const IN_USE = `rpc error: code = FailedPrecondition desc = network ${MYNET_ID} is in use by service ${SERVICE_ID}`;

describe('docker network rm', () => {
  it('echoes each network as typed', async () => {
    const engine = networkDaemon();
    expect(await docker(['network', 'rm', 'mynet', MYNET_ID.slice(0, 12)], engine)).toEqual({
      stdout: `mynet\n${MYNET_ID.slice(0, 12)}\n`,
      stderr: '',
      exitCode: 0,
    });
    expect(engine.calls).toEqual([
      { method: 'networkInspect', params: { id: 'mynet' } },
      { method: 'networkRemove', params: { id: 'mynet' } },
      { method: 'networkInspect', params: { id: MYNET_ID.slice(0, 12) } },
      { method: 'networkRemove', params: { id: MYNET_ID.slice(0, 12) } },
    ]);
    expect((await docker(['network', 'remove', ' mynet'])).stdout).toBe(' mynet\n');
  });

  it('prints each failure, goes on, and ends with exit status 1 (reference §3.3)', async () => {
    const engine = networkDaemon(NETWORKS, {
      networkRemove: ({ id }) => {
        if (id === 'mynet') throw new EngineApiError(IN_USE, 403);
        if (id === 'bridge') throw new EngineApiError('bridge is a pre-defined network and cannot be removed', 403);
        if (id === 'nosuch') throw new EngineApiError('network nosuch not found', 404);
        return null;
      },
    });
    expect(await docker(['network', 'rm', 'mynet'], engine)).toEqual({
      stdout: '',
      stderr: `Error response from daemon: ${IN_USE}\nexit status 1\n`,
      exitCode: 1,
    });
    expect(await docker(['network', 'rm', 'nosuch', 'none', 'bridge'], engine)).toEqual({
      stdout: 'none\n',
      stderr:
        'Error response from daemon: network nosuch not found\n' +
        'Error response from daemon: bridge is a pre-defined network and cannot be removed\n' +
        'exit status 1\n',
      exitCode: 1,
    });
  });

  it('with -f, stays quiet about networks that do not exist, but not about other failures', async () => {
    const engine = networkDaemon(NETWORKS, {
      networkRemove: ({ id }) => {
        if (id === 'mynet') throw new EngineApiError(IN_USE, 403);
        throw new EngineApiError(`network ${id} not found`, 404);
      },
    });
    expect(await docker(['network', 'rm', '-f', 'nosuch', 'gone'], engine)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await docker(['network', 'rm', '--force', 'nosuch', 'mynet'], engine)).toEqual({
      stdout: '',
      stderr: `Error response from daemon: ${IN_USE}\nexit status 1\n`,
      exitCode: 1,
    });
    expect(await docker(['network', 'rm', '-f', ''], networkDaemon())).toEqual({
      stdout: '',
      stderr: 'invalid network name or ID: value is empty\nexit status 1\n',
      exitCode: 1,
    });
  });

  describe('the ingress network', () => {
    // Reference §3.3: to stdout, one line break inside, ending in `[y/N] ` with no newline.
    const PROMPT =
      'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. ' +
      'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\n' +
      'Are you sure you want to continue? [y/N] ';

    it('asks first, and with no input (a closed stdin) removes nothing', async () => {
      expect(`${INGRESS_WARNING} [y/N] `).toBe(PROMPT);
      const engine = networkDaemon();
      expect(await docker(['network', 'rm', 'ingress'], engine)).toEqual({ stdout: PROMPT, stderr: '', exitCode: 0 });
      expect(engine.methods()).toEqual(['networkInspect']);
    });

    it('removes it on y or Y (trimmed), skips it on anything else', async () => {
      for (const answer of ['y', 'Y', '  y \r']) {
        const engine = networkDaemon();
        expect(await docker(['network', 'rm', 'ingress'], engine, typed(answer))).toEqual({ stdout: `${PROMPT}ingress\n`, stderr: '', exitCode: 0 });
        expect(engine.methods()).toEqual(['networkInspect', 'networkRemove']);
      }
      for (const answer of ['n', 'yes', '', 'N']) {
        const engine = networkDaemon();
        expect(await docker(['network', 'rm', 'ingress', 'mynet'], engine, typed(answer))).toEqual({ stdout: `${PROMPT}mynet\n`, stderr: '', exitCode: 0 });
        expect(engine.methods()).toEqual(['networkInspect', 'networkInspect', 'networkRemove']);
      }
    });

    it('reports the daemon’s refusal after a yes (reference §3.3)', async () => {
      const refusal = `rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service ${SERVICE_ID} depends on it`;
      const engine = networkDaemon(NETWORKS, {
        networkRemove: () => {
          throw new EngineApiError(refusal, 403);
        },
      });
      expect(await docker(['network', 'rm', INGRESS_ID], engine, typed('y'))).toEqual({
        stdout: PROMPT,
        stderr: `Error response from daemon: ${refusal}\nexit status 1\n`,
        exitCode: 1,
      });
    });
  });

  it('requires a network', async () => {
    expect((await docker(['network', 'rm'])).stderr).toBe(
      "docker: 'docker network rm' requires at least 1 argument\n\nUsage:  docker network rm NETWORK [NETWORK...]\n\nSee 'docker network rm --help' for more information\n",
    );
  });
});

const FORMAT_LINES =
  "      --format string   Format output using a custom template:\n" +
  "                        'table':            Print output in table format\n" +
  '                        with column headers (default)\n' +
  "                        'table TEMPLATE':   Print output in table format\n" +
  '                        using the given Go template\n' +
  "                        'json':             Print in JSON format\n" +
  "                        'TEMPLATE':         Print output using the given\n" +
  '                        Go template.\n' +
  '                        Refer to https://docs.docker.com/go/formatting/\n' +
  '                        for more information about formatting output with\n' +
  '                        templates\n';

describe('docker network --help', () => {
  it('lists the subcommands; run bare it prints that to stderr', async () => {
    const help =
      'Usage:  docker network COMMAND\n\nManage networks\n\nCommands:\n' +
      '  connect     Connect a container to a network\n' +
      '  create      Create a network\n' +
      '  disconnect  Disconnect a container from a network\n' +
      '  inspect     Display detailed information on one or more networks\n' +
      '  ls          List networks\n' +
      '  prune       Remove all unused networks\n' +
      '  rm          Remove one or more networks\n' +
      "\nRun 'docker network COMMAND --help' for more information on a command.\n";
    expect(await docker(['network', '--help'])).toEqual({ stdout: help, stderr: '', exitCode: 0 });
    expect(await docker(['network'])).toEqual({ stdout: '', stderr: help, exitCode: 0 });
    expect((await docker(['network', 'frobnicate'])).stderr).toBe(
      "docker: unknown command: docker network frobnicate\n\nUsage:  docker network\n\nRun 'docker network --help' for more information\n",
    );
    expect((await docker(['network', 'connect', 'mynet'])).stderr).toBe(
      "docker: 'docker network connect' requires 2 arguments\n\nUsage:  docker network connect [OPTIONS] NETWORK CONTAINER\n\nRun 'docker network connect --help' for more information\n",
    );
  });

  it('prints create’s options with pflag’s types and defaults', async () => {
    expect((await docker(['network', 'create', '--help'])).stdout).toBe(
      'Usage:  docker network create [OPTIONS] NETWORK\n\nCreate a network\n\nOptions:\n' +
        '      --attachable            Enable manual container attachment\n' +
        '      --aux-address map       Auxiliary IPv4 or IPv6 addresses used by\n' +
        '                              Network driver (default map[])\n' +
        '      --config-from string    The network from which to copy the configuration\n' +
        '      --config-only           Create a configuration only network\n' +
        '  -d, --driver string         Driver to manage the Network (default "bridge")\n' +
        '      --gateway ipSlice       IPv4 or IPv6 Gateway for the master subnet\n' +
        '                              (default [])\n' +
        '      --ingress               Create swarm routing-mesh network\n' +
        '      --internal              Restrict external access to the network\n' +
        '      --ip-range ipNetSlice   Allocate container ip from a sub-range\n' +
        '                              (default [])\n' +
        '      --ipam-driver string    IP Address Management Driver (default "default")\n' +
        '      --ipam-opt map          Set IPAM driver specific options (default map[])\n' +
        '      --ipv4                  Enable or disable IPv4 address assignment\n' +
        '                              (default true)\n' +
        '      --ipv6                  Enable or disable IPv6 address assignment\n' +
        '      --label list            Set metadata on a network\n' +
        '  -o, --opt map               Set driver specific options (default map[])\n' +
        "      --scope string          Control the network's scope\n" +
        '      --subnet strings        Subnet in CIDR format that represents a\n' +
        '                              network segment\n',
    );
  });

  it('prints ls, inspect and rm help with their aliases', async () => {
    expect((await docker(['network', 'ls', '--help'])).stdout).toBe(
      'Usage:  docker network ls [OPTIONS]\n\nList networks\n\nAliases:\n  docker network ls, docker network list\n\nOptions:\n' +
        '  -f, --filter filter   Provide filter values (e.g. "driver=bridge")\n' +
        FORMAT_LINES +
        '      --no-trunc        Do not truncate the output\n' +
        '  -q, --quiet           Only display network IDs\n',
    );
    expect((await docker(['network', 'inspect', '--help'])).stdout).toBe(
      'Usage:  docker network inspect [OPTIONS] NETWORK [NETWORK...]\n\nDisplay detailed information on one or more networks\n\nOptions:\n' +
        "  -f, --format string   Format output using a custom template:\n" +
        "                        'json':             Print in JSON format\n" +
        "                        'TEMPLATE':         Print output using the given\n" +
        '                        Go template.\n' +
        '                        Refer to https://docs.docker.com/go/formatting/\n' +
        '                        for more information about formatting output with\n' +
        '                        templates\n' +
        '  -v, --verbose         Verbose output for diagnostics\n',
    );
    expect((await docker(['network', 'rm', '--help'])).stdout).toBe(
      'Usage:  docker network rm NETWORK [NETWORK...]\n\nRemove one or more networks\n\nAliases:\n  docker network rm, docker network remove\n\nOptions:\n' +
        '  -f, --force   Do not error if the network does not exist\n',
    );
  });
});

describe('completion of docker network', () => {
  it('offers the subcommands and network ls’s filter keys', () => {
    expect(completeDocker(['network'], '')).toEqual(['connect', 'create', 'disconnect', 'inspect', 'ls', 'prune', 'rm']);
    expect(completeDocker(['network', 'ls', '-f'], 'd')).toEqual(['dangling=', 'driver=']);
    expect(completeDocker(['network', 'ls'], '--filter=s')).toEqual(['--filter=scope=']);
    expect(completeDocker(['node', 'ls', '-f'], 'r')).toEqual(['role=']);
    expect(completeDocker(['network', 'create'], '--ip')).toEqual(['--ip-range', '--ipam-driver', '--ipam-opt', '--ipv4', '--ipv6']);
  });
});

describe('Go IP text forms (net/netip, net)', () => {
  it('parses and prints addresses as netip does', () => {
    const roundTrip = (s: string): string => {
      const r = parseAddr(s);
      return r.ok ? addrString(r.value) : r.error;
    };
    expect(roundTrip('10.0.0.1')).toBe('10.0.0.1');
    expect(roundTrip('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(roundTrip('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(roundTrip('1:0:0:1:0:0:0:1')).toBe('1:0:0:1::1');
    expect(roundTrip('1:0:1:1:1:1:1:1')).toBe('1:0:1:1:1:1:1:1');
    expect(roundTrip('::')).toBe('::');
    expect(roundTrip('::ffff:1.2.3.4')).toBe('::ffff:1.2.3.4');
    expect(roundTrip('fe80::1%eth0')).toBe('fe80::1%eth0');
    expect(roundTrip('::1.2.3.4')).toBe('::102:304');
    expect(roundTrip('')).toBe('ParseAddr(""): unable to parse IP');
    expect(roundTrip('1.2.3.4.5')).toBe('ParseAddr("1.2.3.4.5"): IPv4 address too long');
    expect(roundTrip('1.2..3')).toBe('ParseAddr("1.2..3"): IPv4 field must have at least one digit (at ".3")');
    expect(roundTrip('01.2.3.4')).toBe('ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero');
    expect(roundTrip('1.2.3.x')).toBe('ParseAddr("1.2.3.x"): unexpected character (at "x")');
    expect(roundTrip('%eth0')).toBe('ParseAddr("%eth0"): missing IPv6 address');
    expect(roundTrip('fe80::1%')).toBe('ParseAddr("fe80::1%"): zone must be a non-empty string');
    expect(roundTrip('1:2:3:4:5:6:7:8:9')).toBe('ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")');
    expect(roundTrip('1:2:3')).toBe('ParseAddr("1:2:3"): address string too short');
    expect(roundTrip('1::2::3')).toBe('ParseAddr("1::2::3"): multiple :: in address (at ":3")');
    expect(roundTrip('12345::')).toBe('ParseAddr("12345::"): each group must have 4 or less digits (at "12345::")');
    expect(roundTrip('1:2:3:4:5:6:7::8')).toBe('ParseAddr("1:2:3:4:5:6:7::8"): the :: must expand to at least one field of zeros');
    expect(roundTrip('1:2:')).toBe('ParseAddr("1:2:"): colon must be followed by more characters (at ":")');
    expect(roundTrip('1.2.3.4:5')).toBe('ParseAddr("1.2.3.4:5"): unexpected character (at ":5")');
    expect(roundTrip('1:2.3.4.5')).toBe('ParseAddr("1:2.3.4.5"): embedded IPv4 address must replace the final 2 fields of the address (at "2.3.4.5")');
  });

  it('parses prefixes as netip.ParsePrefix, keeping host bits', () => {
    const p = (s: string): string => {
      const r = parsePrefix(s);
      return r.ok ? prefixString(r.value) : r.error;
    };
    expect(p('10.0.0.5/24')).toBe('10.0.0.5/24');
    expect(p('2001:DB8::/32')).toBe('2001:db8::/32');
    expect(p('10.0.0.0/0')).toBe('10.0.0.0/0');
    expect(p('10.0.0.0/+8')).toBe('netip.ParsePrefix("10.0.0.0/+8"): bad bits after slash: "+8"');
    expect(p('10.0.0.0/')).toBe('netip.ParsePrefix("10.0.0.0/"): bad bits after slash: ""');
    expect(p('::/129')).toBe('netip.ParsePrefix("::/129"): prefix length out of range');
    expect(p('fe80::%eth0/64')).toBe('netip.ParsePrefix("fe80::%eth0/64"): IPv6 zones cannot be present in a prefix');
  });

  it('parses CIDRs and IPs as package net does', () => {
    const cidr = (s: string): string => {
      const r = parseCIDR(s);
      return r.ok ? ipNetString(r.value.net) : r.error;
    };
    expect(cidr('10.1.2.3/16')).toBe('10.1.0.0/16');
    expect(cidr('10.1.2.3/016')).toBe('10.1.0.0/16');
    expect(cidr('2001:db8::1/64')).toBe('2001:db8::/64');
    expect(cidr('::ffff:10.1.2.3/104')).toBe('10.0.0.0/8');
    expect(cidr('10.1.2.3')).toBe('invalid CIDR address: 10.1.2.3');
    expect(cidr('10.1.2.3/33')).toBe('invalid CIDR address: 10.1.2.3/33');
    expect(cidr('10.1.2.3/-1')).toBe('invalid CIDR address: 10.1.2.3/-1');
    expect(cidr('fe80::1%eth0/64')).toBe('invalid CIDR address: fe80::1%eth0/64');
    const net = parseCIDR('10.1.0.0/16');
    if (!net.ok) throw new Error(net.error);
    expect(ipNetContains(net.value.net, parseIP('10.1.255.7'))).toBe(true);
    expect(ipNetContains(net.value.net, parseIP('::ffff:10.1.0.1'))).toBe(true);
    expect(ipNetContains(net.value.net, parseIP('10.2.0.1'))).toBe(false);
    expect(ipNetContains(net.value.net, parseIP('nonsense'))).toBe(false);
    expect(prefixString(toPrefix(net.value.net))).toBe('10.1.0.0/16');
    const mapped = parseCIDR('::ffff:10.0.0.0/104');
    if (!mapped.ok) throw new Error(mapped.error);
    expect(prefixString(toPrefix(mapped.value.net))).toBe('invalid Prefix');
    expect(parseIP('fe80::1%eth0')).toBeUndefined();
  });

  it('truncates IDs as moby’s stringid does', () => {
    expect(truncateID('sha256:0123456789abcdef')).toBe('0123456789ab');
    expect(truncateID(MYNET_ID)).toBe('trtnl4tqnc3n');
    expect(truncateID('short')).toBe('short');
  });

  it('prints IPv6 addresses as the WHATWG URL serializer does (RFC 5952), and reads them back', () => {
    const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        if (groups[0] === 0 && groups.slice(1, 5).every((g) => g === 0) && groups[5] === 0xffff) return; // IPv4-mapped
        const full = groups.map((g) => g.toString(16)).join(':');
        const parsed = parseAddr(full);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const text = addrString(parsed.value);
        expect(text).toBe(new URL(`http://[${full}]/`).hostname.slice(1, -1));
        const again = parseAddr(text);
        expect(again.ok && addrString(again.value)).toBe(text);
      }),
    );
  });

  it('never throws on any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF.:/%x- ') }), (s) => {
        parseAddr(s);
        parsePrefix(s);
        parseCIDR(s);
        parseIP(s);
      }),
    );
  });
});
