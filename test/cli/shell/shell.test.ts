import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSh } from '../../../src/cli/scenario/index.js';
import { CTRL_C_HINT, runShell, type ShellOptions } from '../../../src/cli/shell/index.js';
import { exited, fakeSplit, FakeTarget, jumpingClock, ok } from '../scenario/fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmnet-shell-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOSTS = ['manager', 'worker-1', 'worker-2'];

/** A shell on PassThrough streams; `type` sends text, `done` ends input and waits for the exit. */
function openShell(options: Partial<ShellOptions> = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const target = (options.target as FakeTarget | undefined) ?? new FakeTarget(({ host, argv }) => ok(`${host}: ${argv.join(' ')}\n`));
  const exit = runShell({ target, hosts: HOSTS, input, output, terminal: false, split: fakeSplit, completeDocker: () => [], ...options });
  return {
    target,
    output: () => text,
    type: (s: string) => void input.write(s),
    /** Resolves once `ready()` holds (polled; fails the test after 5 s). */
    until: (ready: () => boolean) => until(ready),
    done: async () => {
      input.end();
      return exit;
    },
    exit,
  };
}

async function until(ready: () => boolean): Promise<void> {
  for (const start = Date.now(); !ready(); ) {
    if (Date.now() - start > 5000) throw new Error('timed out waiting for the shell');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Types `lines`, ends input, and returns the transcript. */
async function session(lines: string[], options: Partial<ShellOptions> = {}) {
  const sh = openShell(options);
  sh.type(lines.map((l) => `${l}\n`).join(''));
  const code = await sh.done();
  return { code, text: sh.output(), target: sh.target };
}

describe('swarmnet shell', () => {
  it('prompts with the current host and runs docker lines there', async () => {
    const { code, text, target } = await session(['docker node ls']);
    expect(code).toBe(0);
    expect(text).toBe('manager$ manager: node ls\nmanager$ \n');
    expect(target.calls).toEqual([{ host: 'manager', argv: ['node', 'ls'] }]);
  });

  it('prints stdout then stderr, and carries on after a failing command', async () => {
    const target = new FakeTarget(() => exited(1, 'out\n', 'Error response from daemon: nope\n'));
    const { text } = await session(['docker network rm x', 'docker ps'], { target });
    expect(text).toBe('manager$ out\nError response from daemon: nope\nmanager$ out\nError response from daemon: nope\nmanager$ \n');
  });

  it('gives a command that reads input the lines typed next, up to exit or end of input', async () => {
    const { text, target } = await session(['docker exec -it web.1 sh', 'hostname', 'ping -c 1 10.0.1.3', 'exit', 'docker ps', 'docker attach c1', 'ip addr']);
    expect(target.calls).toEqual([
      { host: 'manager', argv: ['exec', '-it', 'web.1', 'sh'], stdin: ['hostname', 'ping -c 1 10.0.1.3', 'exit'] },
      { host: 'manager', argv: ['ps'] },
      { host: 'manager', argv: ['attach', 'c1'], stdin: ['ip addr'] },
    ]);
    expect(text).toContain('(the command reads input: type its lines; a line "exit" or Ctrl-D ends it)\n');
    // Detached runs and commands without -i run at once.
    const plain = await session(['docker run -dit --name c alpine', 'docker exec web.1 hostname']);
    expect(plain.target.calls).toEqual([
      { host: 'manager', argv: ['run', '-dit', '--name', 'c', 'alpine'] },
      { host: 'manager', argv: ['exec', 'web.1', 'hostname'] },
    ]);
  });

  it('use switches hosts; hosts lists them; unknown hosts are refused', async () => {
    const { text, target } = await session(['use worker-1', 'hosts', 'docker ps', 'use ghost', 'use', 'worker-2$ docker ps', 'ghost$ docker ps']);
    expect(target.calls).toEqual([
      { host: 'worker-1', argv: ['ps'] },
      { host: 'worker-2', argv: ['ps'] },
    ]);
    expect(text).toBe(
      [
        'manager$ worker-1$   manager\n* worker-1\n  worker-2\n',
        'worker-1$ worker-1: ps\n',
        'worker-1$ swarmnet: no such host: ghost (hosts: manager, worker-1, worker-2)\n',
        'worker-1$ usage: use HOST\n',
        'worker-1$ worker-2: ps\n',
        'worker-1$ swarmnet: no such host: ghost (hosts: manager, worker-1, worker-2)\n',
        'worker-1$ \n',
      ].join(''),
    );
  });

  it('help describes the commands; unknown words get a hint', async () => {
    const { text } = await session(['help', 'ls -l', '  ~ Running']);
    expect(text).toContain('use HOST             make HOST the current host');
    expect(text).toContain('swarmnet: unknown command "ls": lines are docker commands, @sh, @sleep, @kill, @expose-dns, use, hosts, help or exit\n');
    expect(text).toContain('swarmnet: unknown command "~"');
  });

  it('exit leaves at once; lines after it never run', async () => {
    const { code, text, target } = await session(['docker ps', 'exit', 'docker info']);
    expect(code).toBe(0);
    expect(target.calls).toHaveLength(1);
    expect(text).toBe('manager$ manager: ps\nmanager$ ');
  });

  it('fills placeholders and reports failed lookups', async () => {
    const target = new FakeTarget(({ host, argv }) => ok(`${host}: ${argv.join(' ')}\n`));
    target.tasks.set('web.1', { container: 'web.1.k3x', host: 'worker-2' });
    const { text } = await session(['{{host:web.1}}$ docker exec {{task:web.1}} ping {{addr:manager}}', 'docker exec {{task:web.9}} ps', 'docker ps {{foo:bar}}'], { target });
    expect(text).toContain('worker-2: exec web.1.k3x ping 127.42.7.1\n');
    expect(text).toContain('swarmnet: {{task:web.9}}: no such task: web.9\n');
    expect(text).toContain('swarmnet: unknown placeholder {{foo:…}}');
  });

  it('runs @sh, @sleep and @kill', async () => {
    const commands: string[] = [];
    const sh: RunSh = async (command) => {
      commands.push(command);
      return ok('from sh\n');
    };
    const clock = jumpingClock();
    const { text, target } = await session(['@sh dig @{{addr:worker-1}} web', '@sleep 2.5', '@kill worker-2', '@kill ghost', '@sleep forever'], { sh, clock });
    expect(commands).toEqual(['dig @127.42.7.2 web']);
    expect(clock.sleeps).toEqual([2500]);
    expect(target.killed).toEqual(['worker-2']);
    expect(text).toContain('from sh\n');
    expect(text).toContain('swarmnet: no such host: ghost');
    expect(text).toContain('swarmnet: @sleep needs a number of seconds');
  });

  it('joins lines ending in a backslash, prompting with >', async () => {
    const { text, target } = await session(['docker service create \\', '  --name web \\', '  nginx']);
    expect(target.calls).toEqual([{ host: 'manager', argv: ['service', 'create', '--name', 'web', 'nginx'] }]);
    expect(text).toBe('manager$ > > manager: service create --name web nginx\nmanager$ \n');
  });

  it('runs lines one at a time, in order, even when they arrive together', async () => {
    const events: string[] = [];
    const target = new FakeTarget(async ({ argv }) => {
      events.push(`start ${argv[0]}`);
      await new Promise((r) => setTimeout(r, argv[0] === 'slow' ? 30 : 1));
      events.push(`end ${argv[0]}`);
      return ok();
    });
    await session(['docker slow', 'docker fast'], { target });
    expect(events).toEqual(['start slow', 'end slow', 'start fast', 'end fast']);
  });

  it('ignores blank lines and comments', async () => {
    const { text, target } = await session(['', '   ', '# note']);
    expect(target.calls).toEqual([]);
    expect(text).toBe('manager$ manager$ manager$ manager$ \n');
  });

  it('refuses an empty host list', async () => {
    await expect(runShell({ target: new FakeTarget(), hosts: [], input: new PassThrough(), output: new PassThrough() })).rejects.toThrow('at least one host');
  });
});

describe('swarmnet shell on a terminal', () => {
  it('Ctrl-C on an empty line prints a hint and carries on; on a typed line it drops the line', async () => {
    const sh = openShell({ terminal: true });
    sh.type('\x03');
    await sh.until(() => sh.output().includes(`\n${CTRL_C_HINT}\n`));
    sh.type('docker half-typed');
    sh.type('\x03');
    await sh.until(() => sh.output().includes('^C\n'));
    sh.type('docker ps\r');
    await sh.until(() => sh.target.calls.length > 0);
    expect(sh.target.calls).toEqual([{ host: 'manager', argv: ['ps'] }]);
    expect(await sh.done()).toBe(0);
  });

  it('recalls earlier lines with the up arrow', async () => {
    const sh = openShell({ terminal: true });
    sh.type('docker node ls\r');
    sh.type('\x1b[A\r');
    await sh.done();
    expect(sh.target.calls.map((c) => c.argv.join(' '))).toEqual(['node ls', 'node ls']);
  });

  it('completes with Tab', async () => {
    const sh = openShell({ terminal: true });
    sh.type('use wor\t'); // the common prefix is filled in …
    await sh.until(() => sh.output().includes('use worker-'));
    sh.type('\t'); // … and a second Tab lists the candidates
    await sh.until(() => sh.output().includes('worker-1') && sh.output().includes('worker-2'));
    sh.type('2\r');
    sh.type('docker ps\r');
    await sh.done();
    expect(sh.target.calls).toEqual([{ host: 'worker-2', argv: ['ps'] }]);
  });
});

describe('shell history file', () => {
  it('is loaded at start (up arrow reaches it) and saved on exit, oldest first', async () => {
    const file = join(dir, 'history');
    writeFileSync(file, 'docker version\ndocker node ls\n');
    const sh = openShell({ terminal: true, historyFile: file });
    sh.type('\x1b[A\x1b[A\r'); // two up: the older saved line
    sh.type('docker info\r');
    await sh.done();
    expect(sh.target.calls.map((c) => c.argv.join(' '))).toEqual(['version', 'info']);
    expect(readFileSync(file, 'utf8')).toBe('docker node ls\ndocker version\ndocker info\n');
  });

  it('is created when missing', async () => {
    const file = join(dir, 'fresh-history');
    await session(['docker ps', 'hosts'], { historyFile: file });
    expect(readFileSync(file, 'utf8')).toBe('docker ps\nhosts\n');
  });
});
