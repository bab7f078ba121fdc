// cat, echo, env, true, false; the nginx image's entrypoint and nginx's command line; program
// lookup by path.
import { describe, expect, it } from 'vitest';
import { IMAGES } from '../../../src/host/images.js';
import { findProgram, PROGRAMS } from '../../../src/host/programs/index.js';
import { makeContainer } from '../container-helpers.js';

async function running(image = IMAGES.alpine) {
  const made = makeContainer({ image });
  made.container.start(['sleep', 'inf']);
  return made.container;
}

describe('cat / echo / env / true / false', () => {
  it('cat prints files, continues past a missing one (exit 1), copies stdin', async () => {
    const c = await running();
    expect(await c.exec(['cat', '/etc/hostname', 'nope', 'hostname'])).toEqual({
      stdout: '3f2a9c1e7b5d\n',
      stderr: "cat: can't open 'nope': No such file or directory\ncat: can't open 'hostname': No such file or directory\n",
      exitCode: 1,
    });
    expect(await c.exec(['sh', '-c', 'cd /etc; cat hostname'])).toEqual({ stdout: '3f2a9c1e7b5d\n', stderr: '', exitCode: 0 });
    expect(await c.exec(['cat'], { stdin: 'a\nb\n' })).toEqual({ stdout: 'a\nb\n', stderr: '', exitCode: 0 });
    expect(await c.exec(['cat', '-', '/etc/hostname'], { stdin: 'x' })).toEqual({ stdout: 'x\n3f2a9c1e7b5d\n', stderr: '', exitCode: 0 });
  });

  it('echo -n / -e / -E; true; false', async () => {
    const c = await running();
    expect((await c.exec(['echo', '-n', 'a', 'b'])).stdout).toBe('a b');
    expect((await c.exec(['echo', '-e', 'a\\tb\\nc\\cd'])).stdout).toBe('a\tb\nc');
    expect((await c.exec(['echo', '-E', 'a\\tb'])).stdout).toBe('a\\tb\n');
    expect((await c.exec(['echo', '-x'])).stdout).toBe('-x\n');
    expect((await c.exec(['true'])).exitCode).toBe(0);
    expect((await c.exec(['/bin/false'])).exitCode).toBe(1);
  });

  it('env prints, edits and runs; an unknown program is 127', async () => {
    const c = await running();
    expect((await c.exec(['env', '-i', 'A=1', 'env'])).stdout).toBe('A=1\n');
    expect((await c.exec(['env', '-u', 'PATH', '-u', 'HOME'])).stdout).toBe('HOSTNAME=3f2a9c1e7b5d\n');
    expect(await c.exec(['env', 'nope'])).toEqual({ stdout: '', stderr: "env: can't execute 'nope': No such file or directory\n", exitCode: 127 });
  });
});

describe('nginx image programs', () => {
  it('nginx -v / -t / bad option; without `daemon off;` the foreground process exits 0', async () => {
    const c = await running(IMAGES.nginx);
    expect(await c.exec(['nginx', '-v'])).toEqual({ stdout: '', stderr: 'nginx version: nginx/1.27.4\n', exitCode: 0 });
    expect((await c.exec(['nginx', '-t'])).stderr).toBe(
      'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n',
    );
    expect(await c.exec(['nginx', '-x'])).toEqual({ stdout: '', stderr: 'nginx: invalid option: "x"\n', exitCode: 1 });
    expect(await c.exec(['nginx'])).toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });

  it('the entrypoint configures only for nginx, then execs its arguments', async () => {
    const c = await running(IMAGES.nginx);
    expect(await c.exec(['/docker-entrypoint.sh', 'hostname'])).toEqual({ stdout: '3f2a9c1e7b5d\n', stderr: '', exitCode: 0 });
    expect(await c.exec(['/docker-entrypoint.sh', 'nope'])).toEqual({ stdout: '', stderr: '/docker-entrypoint.sh: exec: line 47: nope: not found\n', exitCode: 127 });
    const quiet = makeContainer({ image: IMAGES.nginx, env: ['NGINX_ENTRYPOINT_QUIET_LOGS=1'] });
    quiet.container.start(['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
    await new Promise((r) => setImmediate(r));
    expect(quiet.container.logs().stdout).toBe('');
    expect(quiet.container.logs().stderr).toContain('[notice] 1#1: start worker process 29\n');
  });
});

describe('findProgram', () => {
  it('exact names, then basenames of PATH directories only', () => {
    expect(findProgram(PROGRAMS, 'sh')).toBe(PROGRAMS.sh);
    expect(findProgram(PROGRAMS, '/bin/sh')).toBe(PROGRAMS.sh);
    expect(findProgram(PROGRAMS, '/usr/sbin/nginx')).toBe(PROGRAMS.nginx);
    expect(findProgram(PROGRAMS, '/docker-entrypoint.sh')).toBe(PROGRAMS['/docker-entrypoint.sh']);
    expect(findProgram(PROGRAMS, '/tmp/sh')).toBeUndefined();
    expect(findProgram(PROGRAMS, '/bin/')).toBeUndefined();
    expect(findProgram(PROGRAMS, 'constructor')).toBeUndefined();
    expect(findProgram(PROGRAMS, '/bin/constructor')).toBeUndefined();
  });
});
