import { describe, expect, it } from 'vitest';
import { ip } from '../../../src/host/programs/ip.js';
import { BUSYBOX_BANNER } from '../../../src/host/programs/busybox.js';
import type { RouteConfig } from '../../../src/stack/types.js';
import { drive, FakeStack, ip4, LOOPBACK, makeRun, overlayInterface } from './fake-stack.js';

/** The reference's swarm task container (docker-cli-outputs.md §7.3). */
const SWARM_CONTAINER = [LOOPBACK, overlayInterface('eth0', 80, 81, '10.0.0.5', 24)];

/** The reference's 4-route paste (§7.4), listed here out of the kernel's dump order. */
const SWARM_ROUTES: RouteConfig[] = [
  { destination: ip4('172.18.0.0'), prefixLength: 16, device: 'eth2', source: ip4('172.18.0.3') },
  { destination: ip4('10.0.1.0'), prefixLength: 24, device: 'eth1', source: ip4('10.0.1.2') },
  { destination: 0, prefixLength: 0, gateway: ip4('172.18.0.1'), device: 'eth2' },
  { destination: ip4('10.0.0.0'), prefixLength: 24, device: 'eth0', source: ip4('10.0.0.4') },
];
const ROUTE_INTERFACES = [
  LOOPBACK,
  overlayInterface('eth0', 10, 11, '10.0.0.4', 24),
  overlayInterface('eth1', 12, 13, '10.0.1.2', 24),
  overlayInterface('eth2', 14, 15, '172.18.0.3', 16, 1500),
];

async function runIp(argv: string[], libc: 'musl' | 'glibc' = 'musl', interfaces = SWARM_CONTAINER, routes: RouteConfig[] = []) {
  const run = makeRun(['ip', ...argv], { libc, stack: (clock) => new FakeStack(clock, interfaces, routes) });
  const code = await drive(ip, run, 1, 1);
  return { code, stdout: run.stdout, stderr: run.stderr };
}

const MUSL_ADDR =
  '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000\n' +
  '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n' +
  '    inet 127.0.0.1/8 scope host lo\n' +
  '       valid_lft forever preferred_lft forever\n' +
  '80: eth0@if81: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1450 qdisc noqueue state UP qlen 1000\n' +
  '    link/ether 02:42:0a:00:00:05 brd ff:ff:ff:ff:ff:ff\n' +
  '    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n' +
  '       valid_lft forever preferred_lft forever\n';

describe('ip addr', () => {
  it('prints the reference swarm container exactly (musl: with state)', async () => {
    for (const argv of [['addr'], ['a'], ['addr', 'show'], ['address', 'list'], ['a', 's']]) {
      const r = await runIp(argv);
      expect(r, argv.join(' ')).toEqual({ code: 0, stdout: MUSL_ADDR, stderr: '' });
    }
  });

  it('glibc builds omit the state field (no IFF_DORMANT)', async () => {
    const r = await runIp(['addr', 'show'], 'glibc');
    expect(r.stdout).toBe(MUSL_ADDR.replace(' state UNKNOWN', '').replace(' state UP', ''));
    expect(r.stdout).toContain('LOWER_UP,M-DOWN> mtu 1450 qdisc noqueue qlen 1000\n');
  });

  it('show [dev] IFACE selects one interface; an unknown one is an error', async () => {
    const eth0 = MUSL_ADDR.slice(MUSL_ADDR.indexOf('80: '));
    expect((await runIp(['address', 'show', 'dev', 'eth0'])).stdout).toBe(eth0);
    expect((await runIp(['a', 's', 'eth0'])).stdout).toBe(eth0);
    expect(await runIp(['addr', 'show', 'eth9'])).toEqual({ code: 1, stdout: '', stderr: "ip: can't find device 'eth9'\n" });
    expect((await runIp(['addr', 'show', 'eth0', 'lo'])).stderr).toBe('ip: either "dev" is duplicate, or "lo" is garbage\n');
    expect((await runIp(['addr', 'show', 'dev'])).stderr).toBe('ip: command line is not complete, try "help"\n');
  });

  it('-4 drops the link/ lines, -o puts each address on one line, ip link shows links only', async () => {
    const four = await runIp(['-4', 'addr']);
    expect(four.stdout).not.toContain('link/');
    expect(four.stdout).toContain('qlen 1000\n    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n');
    expect((await runIp(['-o', 'a'])).stdout).toBe(
      '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n' +
        '80: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever\n',
    );
    expect((await runIp(['link'])).stdout).toBe(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000\n' +
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n' +
        '80: eth0@if81: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1450 qdisc noqueue state UP qlen 1000\n' +
        '    link/ether 02:42:0a:00:00:05 brd ff:ff:ff:ff:ff:ff\n',
    );
    expect((await runIp(['-6', 'addr'])).stdout).toBe('');
  });

  it('docker_gwbridge interfaces: mtu 1500, /16 broadcast', async () => {
    const r = await runIp(['addr', 'show', 'eth1'], 'musl', [LOOPBACK, overlayInterface('eth1', 82, 83, '172.18.0.3', 16, 1500)]);
    expect(r.stdout).toContain('mtu 1500 qdisc noqueue state UP qlen 1000\n');
    expect(r.stdout).toContain('    inet 172.18.0.3/16 brd 172.18.255.255 scope global eth1\n');
  });
});

describe('ip route', () => {
  const PASTE =
    'default via 172.18.0.1 dev eth2 \n' +
    '10.0.0.0/24 dev eth0 scope link  src 10.0.0.4 \n' +
    '10.0.1.0/24 dev eth1 scope link  src 10.0.1.2 \n' +
    '172.18.0.0/16 dev eth2 scope link  src 172.18.0.3 \n';

  it('prints the reference 4-route paste exactly, in FIB order, trailing spaces included', async () => {
    for (const argv of [['route'], ['r'], ['route', 'show'], ['ro', 'list']]) {
      const r = await runIp(argv, 'musl', ROUTE_INTERFACES, SWARM_ROUTES);
      expect(r, argv.join(' ')).toEqual({ code: 0, stdout: PASTE, stderr: '' });
    }
  });

  it('filters by dev and by exact prefix', async () => {
    expect((await runIp(['route', 'show', 'dev', 'eth2'], 'musl', ROUTE_INTERFACES, SWARM_ROUTES)).stdout).toBe(
      'default via 172.18.0.1 dev eth2 \n172.18.0.0/16 dev eth2 scope link  src 172.18.0.3 \n',
    );
    expect((await runIp(['route', 'show', '10.0.1.0/24'], 'musl', ROUTE_INTERFACES, SWARM_ROUTES)).stdout).toBe(
      '10.0.1.0/24 dev eth1 scope link  src 10.0.1.2 \n',
    );
    expect((await runIp(['route', 'show', 'dev', 'eth7'], 'musl', ROUTE_INTERFACES, SWARM_ROUTES)).stderr).toBe("ip: can't find device 'eth7'\n");
  });

  it('changes are refused as without CAP_NET_ADMIN (exit 2); unknown commands name themselves', async () => {
    expect(await runIp(['route', 'add', 'default', 'via', '10.0.0.1'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ip: RTNETLINK answers: Operation not permitted\n',
    });
    expect(await runIp(['route', 'bogus'])).toEqual({ code: 1, stdout: '', stderr: "ip: invalid argument 'bogus' to 'ip'\n" });
    expect(await runIp(['addr', 'bogus'])).toEqual({ code: 1, stdout: '', stderr: "ip: invalid argument 'bogus' to 'ip'\n" });
  });
});

describe('ip', () => {
  it('an unknown or missing object shows the usage, exit 1', async () => {
    for (const argv of [[], ['bogus'], ['t'], ['-x', 'addr']]) {
      const r = await runIp(argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr).toBe(
        BUSYBOX_BANNER +
          '\nUsage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]\n\n' +
          'OPTIONS := -f[amily] inet|inet6|link | -o[neline]\n\n' +
          'ip addr add|del IFADDR dev IFACE | show|flush [dev IFACE] [to PREFIX]\n' +
          'ip route list|flush|add|del|change|append|replace|test ROUTE\n' +
          'ip link set IFACE [up|down] [arp on|off] [multicast on|off]\n' +
          '\t[promisc on|off] [mtu NUM] [name NAME] [qlen NUM] [address MAC]\n' +
          '\t[master IFACE | nomaster] [netns PID]\n' +
          'ip tunnel add|change|del|show [NAME]\n' +
          '\t[mode ipip|gre|sit] [remote ADDR] [local ADDR] [ttl TTL]\n' +
          'ip neigh show|flush [to PREFIX] [dev DEV] [nud STATE]\n' +
          'ip rule [list] | add|del SELECTOR ACTION\n',
      );
    }
    expect((await runIp(['-f', 'ipx', 'a'])).stderr).toBe("ip: invalid argument 'ipx' to 'family'\n");
  });
});
