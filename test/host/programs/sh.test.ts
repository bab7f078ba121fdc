// busybox sh (ash) through a container: lists, quoting, expansion, compound commands, builtins,
// ash's message formats (-c vs script vs interactive), syntax errors, and what is refused.
import { describe, expect, it } from 'vitest';
import { advance, flush, makeContainer } from '../container-helpers.js';

async function running(env: string[] = []) {
  const made = makeContainer({ env });
  made.container.start(['sleep', 'inf']);
  return made;
}

async function shc(script: string, env: string[] = []) {
  const { container } = await running(env);
  return container.exec(['sh', '-c', script]);
}

describe('sh -c', () => {
  it('lists with ; && || ! and $? ', async () => {
    expect(await shc('echo a; false && echo no || echo yes; echo $?; ! true; echo $?')).toEqual({ stdout: 'a\nyes\n0\n1\n', stderr: '', exitCode: 0 });
    expect((await shc('true && false')).exitCode).toBe(1);
    expect((await shc('exit 300')).exitCode).toBe(44);
    expect((await shc('false; exit')).exitCode).toBe(1);
  });

  it('quotes, escapes, variables, assignments, field splitting', async () => {
    const r = await shc(`X='a  b'; echo $X "$X" '$X' \\$X "\\$X \\"q\\"" \${X}c`);
    expect(r).toEqual({ stdout: 'a b a  b $X $X $X "q" a bc\n', stderr: '', exitCode: 0 });
    expect((await shc('X=""; echo "$X" | true')).exitCode).toBe(2);
    expect((await shc('A=1; echo "" x "$UNSET" $UNSET y')).stdout).toBe(' x  y\n');
    // Prefix assignments reach the program only; export marks for every later one.
    const env = await shc('Z=9 env; export Q=1; env; echo $Z', ['E=1']);
    expect(env.stdout).toBe(
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=3f2a9c1e7b5d\nE=1\nHOME=/root\nPWD=/\nZ=9\n' +
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=3f2a9c1e7b5d\nE=1\nHOME=/root\nPWD=/\nQ=1\n\n',
    );
    expect((await shc('echo "$0" $# "$HOSTNAME" $1', [])).stdout).toBe('sh 0 3f2a9c1e7b5d\n');
    const named = await running();
    expect((await named.container.exec(['sh', '-c', 'echo $0 $1 $#; foo', 'myname', 'one'])).stdout).toBe('myname one 1\n');
    expect((await named.container.exec(['sh', '-c', 'foo', 'myname'])).stderr).toBe('myname: line 1: foo: not found\n');
  });

  it('if/elif/else, while/until, for', async () => {
    expect((await shc('if false; then echo 1; elif true; then echo 2; else echo 3; fi')).stdout).toBe('2\n');
    expect((await shc('if false; then echo 1; fi; echo $?')).stdout).toBe('0\n');
    expect((await shc('for i in a "b c" d; do echo $i; done')).stdout).toBe('a\nb c\nd\n');
    expect((await shc('until false; do echo once; exit 0; done')).stdout).toBe('once\n');
    expect((await shc('while true; do echo tick; break_me; exit 5; done')).exitCode).toBe(5);
  });

  it('a loop of builtins only yields and stops at the exec timeout', async () => {
    const { container, clock } = await running();
    const spin = container.exec(['sh', '-c', 'while true; do :; done'], 1000);
    await advance(clock, 1000);
    expect(await spin).toEqual({ stdout: '', stderr: '', exitCode: 130 });
  });

  it('a while loop with sleep runs on the clock', async () => {
    const { container, clock } = await running();
    const loop = container.exec(['sh', '-c', 'while true; do echo tick; sleep 1; done'], 3500);
    await flush();
    await advance(clock, 500, 7);
    const r = await loop;
    expect(r.stdout).toBe('tick\ntick\ntick\ntick\n');
    expect(r.exitCode).toBe(130);
  });

  it('ash message formats: not found 127, builtin errors 2 with line numbers when not interactive', async () => {
    expect(await shc('foo; echo $?')).toEqual({ stdout: '127\n', stderr: 'sh: foo: not found\n', exitCode: 0 });
    expect(await shc('cd /nope; echo $?; cd /etc; pwd; cd; pwd')).toEqual({
      stdout: '2\n/etc\n/root\n',
      stderr: "sh: cd: line 1: can't cd to /nope: No such file or directory\n",
      exitCode: 0,
    });
    expect(await shc('exit x')).toEqual({ stdout: '', stderr: 'sh: exit: line 1: Illegal number: x\n', exitCode: 2 });
    expect(await shc('echo a\nfoo')).toEqual({ stdout: 'a\n', stderr: 'sh: foo: not found\n', exitCode: 127 });
  });

  it('syntax errors use ash’s words; unsupported syntax is refused, not run wrongly', async () => {
    const cases: [string, string][] = [
      ['echo "x', 'sh: syntax error: unterminated quoted string\n'],
      ["echo 'x", 'sh: syntax error: unterminated quoted string\n'],
      ['if true; then echo x', 'sh: syntax error: unexpected end of file (expecting "fi")\n'],
      ['while true; do echo x', 'sh: syntax error: unexpected end of file (expecting "done")\n'],
      ['fi', 'sh: syntax error: unexpected "fi"\n'],
      ['; echo', 'sh: syntax error: unexpected ";"\n'],
      ['echo a && ', 'sh: syntax error: unexpected end of file\n'],
    ];
    for (const [script, stderr] of cases) expect(await shc(script), script).toEqual({ stdout: '', stderr, exitCode: 2 });
    for (const script of ['echo a | cat', 'echo a > /tmp/x', 'sleep 1 &', 'echo $(hostname)', 'echo `hostname`', '(echo a)']) {
      const r = await shc(script);
      expect(r.exitCode, script).toBe(2);
      expect(r.stderr, script).toMatch(/^sh: syntax error: unexpected ".+" \(swarmnet's sh has no pipelines, redirections/);
    }
  });

  it('exec replaces the shell; sh FILE reads the container’s files', async () => {
    expect(await shc('exec hostname; echo never')).toEqual({ stdout: '3f2a9c1e7b5d\n', stderr: '', exitCode: 0 });
    expect(await shc('exec nope')).toEqual({ stdout: '', stderr: 'sh: exec: nope: not found\n', exitCode: 127 });
    const { container } = await running();
    expect(await container.exec(['sh', '/etc/nope.sh'])).toEqual({ stdout: '', stderr: "sh: can't open '/etc/nope.sh': No such file or directory\n", exitCode: 127 });
    expect(await container.exec(['sh', '/etc/hostname'])).toEqual({ stdout: '', stderr: '/etc/hostname: line 1: 3f2a9c1e7b5d: not found\n', exitCode: 127 });
  });
});

describe('interactive sh', () => {
  it('prompt `/ # ` (`~ # ` at HOME) on stderr, PS2 for unfinished constructs', async () => {
    const { container } = await running();
    expect(await container.exec(['sh', '-i'], { stdin: 'cd\nif true\nthen echo y\nfi\n' })).toEqual({ stdout: 'y\n', stderr: '/ # ~ # > > ~ # ', exitCode: 0 });
    expect((await container.exec(['sh', '-i'], { stdin: 'cd /x\n' })).stderr).toBe("/ # sh: cd: can't cd to /x: No such file or directory\n/ # ");
  });
});
