import { describe, expect, it } from 'vitest';
import { ping } from '../../../src/host/programs/ping.js';
import { ms } from '../../../src/util/clock.js';
import { BUSYBOX_BANNER } from '../../../src/host/programs/busybox.js';
import { drive, FakeStack, ip4, LOOPBACK, makeRun, overlayInterface, type EchoScript, type RunOptions } from './fake-stack.js';

const ETH0 = overlayInterface('eth0', 80, 81, '10.0.1.5', 24);

function pingRun(argv: string[], script: EchoScript, options: RunOptions = {}) {
  let stack: FakeStack | undefined;
  const run = makeRun(['ping', ...argv], {
    ...options,
    stack: (clock) => (stack = new FakeStack(clock, [LOOPBACK, ETH0], [], script)),
  });
  return { run, socket: () => stack!.sockets[0] };
}

/** Replies to the n-th request after the n-th delay (ms); no entry: no reply. */
const replyAfter = (...delays: number[]): EchoScript => (req) => (req.sequence < delays.length ? { delays: [delays[req.sequence]] } : { delays: [] });

describe('ping', () => {
  it('prints busybox’s three-reply session byte for byte (reference §7.1)', async () => {
    const { run, socket } = pingRun(['-c', '3', '10.0.1.2'], replyAfter(0.071, 0.081, 0.086));
    const code = await drive(ping, run);
    expect(run.stdout).toBe(
      'PING 10.0.1.2 (10.0.1.2): 56 data bytes\n' +
        '64 bytes from 10.0.1.2: seq=0 ttl=64 time=0.071 ms\n' +
        '64 bytes from 10.0.1.2: seq=1 ttl=64 time=0.081 ms\n' +
        '64 bytes from 10.0.1.2: seq=2 ttl=64 time=0.086 ms\n' +
        '\n--- 10.0.1.2 ping statistics ---\n' +
        '3 packets transmitted, 3 packets received, 0% packet loss\n' +
        'round-trip min/avg/max = 0.071/0.079/0.086 ms\n',
    );
    expect(run.stderr).toBe('');
    expect(code).toBe(0);
    // Exits on the third reply, not a second later; closes its socket and leaves no timer.
    expect(run.clock.now()).toBeLessThanOrEqual(3000);
    expect(socket().closed).toBe(true);
    expect(run.clock.pending).toBe(0);
  });

  it('sends one identifier, sequences from 0, one second apart, the timestamp in the data, pmtu want', async () => {
    const { run, socket } = pingRun(['-c', '3', '-t', '9', '10.0.1.2'], replyAfter(0.5, 0.5, 0.5));
    await drive(ping, run);
    const sent = socket().sent;
    expect(sent.map((s) => [s.sequence, s.at])).toEqual([[0, 0], [1, 1000], [2, 2000]]);
    expect(new Set(sent.map((s) => s.identifier)).size).toBe(1);
    expect(sent[1].payload.length).toBe(56);
    expect(new DataView(sent[1].payload.buffer).getUint32(0, true)).toBe(1_000_000); // µs at send
    expect([...sent[1].payload.subarray(4)].every((b) => b === 0)).toBe(true);
    expect(sent[0].options).toEqual({ pmtu: 'want', ttl: 9 });
  });

  it('with no reply waits -W (default 10 s) after the last send, then 100% loss, exit 1', async () => {
    const { run } = pingRun(['-c', '1', '10.255.255.1'], () => ({ delays: [] }));
    const code = await drive(ping, run, 500);
    expect(run.stdout).toBe(
      'PING 10.255.255.1 (10.255.255.1): 56 data bytes\n' +
        '\n--- 10.255.255.1 ping statistics ---\n' +
        '1 packets transmitted, 0 packets received, 100% packet loss\n',
    );
    expect(code).toBe(1);
    expect(run.clock.now()).toBe(10_000);

    const short = pingRun(['-c', '1', '-W', '2', '10.255.255.1'], () => ({ delays: [] }));
    expect(await drive(ping, short.run, 500)).toBe(1);
    expect(short.run.clock.now()).toBe(2000);
  });

  it('ping NAME resolves through ctx.resolve and names the host as typed', async () => {
    const { run } = pingRun(['-c', '1', 'web'], replyAfter(1), { names: { web: '10.0.1.2' } });
    expect(await drive(ping, run)).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('PING web (10.0.1.2): 56 data bytes');
    expect(run.stdout).toContain('\n--- web ping statistics ---\n');
  });

  it('an unresolvable name: `ping: bad address`, exit 1, nothing on stdout', async () => {
    const { run } = pingRun(['nosuch'], replyAfter());
    expect(await drive(ping, run)).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("ping: bad address 'nosuch'\n");
  });

  it('numeric hosts follow inet_aton (10.1 is 10.0.0.1) and skip the resolver', async () => {
    const { run, socket } = pingRun(['-c', '1', '10.1'], replyAfter(1));
    expect(await drive(ping, run)).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('PING 10.1 (10.0.0.1): 56 data bytes');
    expect(socket().sent[0].to).toBe(ip4('10.0.0.1'));
  });

  it('a send error dies with `ping: sendto:` and the libc’s strerror, no statistics', async () => {
    for (const [libc, text] of [['musl', 'Network unreachable'], ['glibc', 'Network is unreachable']] as const) {
      const { run } = pingRun(['-c', '3', '10.9.9.9'], () => 'ENETUNREACH', { libc });
      expect(await drive(ping, run)).toBe(1);
      expect(run.stdout).toBe('PING 10.9.9.9 (10.9.9.9): 56 data bytes\n');
      expect(run.stderr).toBe(`ping: sendto: ${text}\n`);
    }
  });

  it('-q prints only the header and the statistics', async () => {
    const { run } = pingRun(['-q', '-c', '2', '10.0.1.2'], replyAfter(0.2, 0.4));
    expect(await drive(ping, run)).toBe(0);
    expect(run.stdout).toBe(
      'PING 10.0.1.2 (10.0.1.2): 56 data bytes\n' +
        '\n--- 10.0.1.2 ping statistics ---\n' +
        '2 packets transmitted, 2 packets received, 0% packet loss\n' +
        'round-trip min/avg/max = 0.200/0.300/0.400 ms\n',
    );
  });

  it('marks duplicates (DUP!) and counts them in the statistics', async () => {
    const script: EchoScript = (req) => ({ delays: req.sequence === 0 ? [0.05, 0.06] : [0.05] });
    const { run } = pingRun(['-c', '2', '10.0.1.2'], script);
    expect(await drive(ping, run)).toBe(0);
    expect(run.stdout).toBe(
      'PING 10.0.1.2 (10.0.1.2): 56 data bytes\n' +
        '64 bytes from 10.0.1.2: seq=0 ttl=64 time=0.050 ms\n' +
        '64 bytes from 10.0.1.2: seq=0 ttl=64 time=0.060 ms (DUP!)\n' +
        '64 bytes from 10.0.1.2: seq=1 ttl=64 time=0.050 ms\n' +
        '\n--- 10.0.1.2 ping statistics ---\n' +
        '2 packets transmitted, 2 packets received, 1 duplicates, 0% packet loss\n' +
        'round-trip min/avg/max = 0.050/0.053/0.060 ms\n',
    );
  });

  it('-w ends at the first send due after the deadline; exit 1 if -c replies were missing', async () => {
    const silent = pingRun(['-w', '3', '10.255.255.1'], () => ({ delays: [] }));
    expect(await drive(ping, silent.run)).toBe(1);
    expect(silent.run.stdout).toContain('3 packets transmitted, 0 packets received, 100% packet loss\n');
    expect(silent.run.clock.now()).toBe(3000);

    const short = pingRun(['-c', '5', '-w', '3', '10.0.1.2'], () => ({ delays: [0.1] }));
    expect(await drive(ping, short.run)).toBe(1);
    expect(short.run.stdout).toContain('3 packets transmitted, 3 packets received, 0% packet loss\n');

    const enough = pingRun(['-w', '3', '10.0.1.2'], () => ({ delays: [0.1] }));
    expect(await drive(ping, enough.run)).toBe(0);
  });

  it('ctx.signal (Ctrl-C) prints the statistics block like SIGINT', async () => {
    const { run, socket } = pingRun(['10.0.1.2'], () => ({ delays: [0.3] }));
    const code = await drive(ping, run, 1000, 100, (t) => t === 2000 && run.abort.abort());
    expect(code).toBe(0);
    expect(run.stdout).toMatch(/seq=1 ttl=64 time=0\.300 ms\n\n--- 10\.0\.1\.2 ping statistics ---\n3 packets transmitted, 2 packets received, 33% packet loss\n/);
    expect(socket().closed).toBe(true);
    // Nothing more happens afterwards: no sends, no output.
    const output = run.stdout;
    run.clock.advance(ms(5000));
    expect(socket().sent.length).toBe(3);
    expect(run.stdout).toBe(output);
  });

  it('ignores replies with another identifier; prints the reply’s ttl; -s 0 has no times', async () => {
    const foreign = pingRun(['-c', '1', '-W', '1', '10.0.1.2'], (req) => ({ delays: [0.1], identifier: req.identifier ^ 1 }));
    expect(await drive(ping, foreign.run)).toBe(1);
    expect(foreign.run.stdout).toContain('1 packets transmitted, 0 packets received, 100% packet loss\n');

    const tiny = pingRun(['-c', '1', '-s', '0', '10.0.1.2'], () => ({ delays: [0.1], ttl: 63 }));
    expect(await drive(ping, tiny.run)).toBe(0);
    expect(tiny.run.stdout).toBe(
      'PING 10.0.1.2 (10.0.1.2): 0 data bytes\n8 bytes from 10.0.1.2: seq=0 ttl=63\n' +
        '\n--- 10.0.1.2 ping statistics ---\n1 packets transmitted, 1 packets received, 0% packet loss\n',
    );
  });

  it('handles a reply delivered synchronously inside send (loopback) after the send completes', async () => {
    const { run } = pingRun(['-c', '2', '127.0.0.1'], () => ({ delays: [0], sync: true }));
    expect(await drive(ping, run)).toBe(0);
    expect(run.stdout).toContain('64 bytes from 127.0.0.1: seq=1 ttl=64 time=0.000 ms\n');
    expect(run.clock.pending).toBe(0);
  });

  it('-i sets the interval (fractional seconds), -A sends on each reply', async () => {
    const fast = pingRun(['-c', '3', '-i', '0.2', '10.0.1.2'], () => ({ delays: [0.1] }));
    await drive(ping, fast.run, 100);
    expect(fast.socket().sent.map((s) => s.at)).toEqual([0, 200, 400]);

    const asap = pingRun(['-A', '-c', '3', '10.0.1.2'], () => ({ delays: [5] }));
    await drive(ping, asap.run, 1);
    expect(asap.socket().sent.map((s) => s.at)).toEqual([0, 5, 10]);
  });

  it('usage errors: bad option per libc, missing host, bad numbers', async () => {
    const musl = pingRun(['-x', '10.0.1.2'], replyAfter());
    expect(await drive(ping, musl.run)).toBe(1);
    expect(musl.run.stderr).toBe(
      'ping: unrecognized option: x\n' + BUSYBOX_BANNER + '\nUsage: ping [OPTIONS] HOST\n\nSend ICMP ECHO_REQUESTs to HOST\n\n\t-4,-6\t\tForce IP or IPv6 name resolution\n' +
        '\t-c CNT\t\tSend only CNT pings\n\t-s SIZE\t\tSend SIZE data bytes in packets (default 56)\n\t-i SECS\t\tInterval\n' +
        '\t-A\t\tPing as soon as reply is received\n\t-t TTL\t\tSet TTL\n\t-I IFACE/IP\tSource interface or IP address\n' +
        '\t-W SEC\t\tSeconds to wait for the first response (default 10)\n\t\t\t(after all -c CNT packets are sent)\n' +
        '\t-w SEC\t\tSeconds until ping exits (default:infinite)\n\t\t\t(can exit earlier with -c CNT)\n' +
        '\t-q\t\tQuiet, only display output at start/finish\n\t-p HEXBYTE\tPayload pattern\n',
    );
    const glibc = pingRun(['-c'], replyAfter(), { libc: 'glibc' });
    expect(await drive(ping, glibc.run)).toBe(1);
    expect(glibc.run.stderr.split('\n')[0]).toBe("ping: option requires an argument -- 'c'");

    const none = pingRun([], replyAfter());
    expect(await drive(ping, none.run)).toBe(1);
    expect(none.run.stderr.startsWith(`${BUSYBOX_BANNER}\nUsage: ping [OPTIONS] HOST\n`)).toBe(true);

    const count = pingRun(['-c', 'abc', '10.0.1.2'], replyAfter());
    expect(await drive(ping, count.run)).toBe(1);
    expect(count.run.stderr).toBe("ping: invalid number 'abc'\n");

    const size = pingRun(['-s', '70000', '10.0.1.2'], replyAfter());
    expect(await drive(ping, size.run)).toBe(1);
    expect(size.run.stderr).toBe('ping: number 70000 is not in 0..65535 range\n');
  });

  it('-I IP prints `from`, -I IFACE does not, -I garbage is a bad address; -p fills the data', async () => {
    const from = pingRun(['-c', '1', '-I', '10.0.1.5', '10.0.1.2'], replyAfter(1));
    expect(await drive(ping, from.run)).toBe(0);
    expect(from.run.stdout.split('\n')[0]).toBe('PING 10.0.1.2 (10.0.1.2) from 10.0.1.5: 56 data bytes');
    const dev = pingRun(['-c', '1', '-I', 'eth0', '10.0.1.2'], replyAfter(1));
    expect(await drive(ping, dev.run)).toBe(0);
    expect(dev.run.stdout.split('\n')[0]).toBe('PING 10.0.1.2 (10.0.1.2): 56 data bytes');
    const bad = pingRun(['-I', 'nope', '10.0.1.2'], replyAfter());
    expect(await drive(ping, bad.run)).toBe(1);
    expect(bad.run.stderr).toBe("ping: bad address 'nope'\n");
    const pattern = pingRun(['-c', '1', '-p', 'ab', '-s', '8', '10.0.1.2'], replyAfter(1));
    await drive(ping, pattern.run);
    expect([...pattern.socket().sent[0].payload.subarray(4)]).toEqual([0xab, 0xab, 0xab, 0xab]);
  });

  it('options may follow the host (getopt_long permutes); --help exits 0', async () => {
    const { run } = pingRun(['10.0.1.2', '-c', '1'], replyAfter(1));
    expect(await drive(ping, run)).toBe(0);
    const help = pingRun(['--help'], replyAfter());
    expect(await drive(ping, help.run)).toBe(0);
    expect(help.run.stderr.startsWith(BUSYBOX_BANNER)).toBe(true);
  });
});
