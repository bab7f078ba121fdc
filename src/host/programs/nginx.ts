/**
 * The official nginx image's main process: `/docker-entrypoint.sh` (docker-nginx
 * `entrypoint/docker-entrypoint.sh`: its configuration lines on stdout, then `exec "$@"`) and
 * `nginx -g 'daemon off;'`, which logs its startup notices to the error log (= stderr in the
 * image, docker-cli-outputs.md §8.3) and runs until a signal: SIGQUIT is a graceful shutdown,
 * SIGTERM/SIGINT a fast one, both exit 0 — so `docker stop` (the image's StopSignal is SIGQUIT)
 * ends it at once. HTTP is not served yet (no socket).
 *
 * The startup and shutdown notices follow real container logs (§8.3); the compiler line, kernel
 * release and worker pids are UNVERIFIED stand-ins. Workers: one per CPU of the 2-core lab host.
 */
import { NGINX_VERSION } from '../images.js';
import type { Program, ProgramContext } from './types.js';

const ENTRYPOINT = '/docker-entrypoint.sh';
const CONFIG_FILE = '/etc/nginx/nginx.conf';
/** Emulated workers (worker_processes auto on a 2-CPU host), with pids as in real logs. */
const WORKER_PIDS = [29, 30];
const KERNEL_RELEASE = '6.8.0-45-generic';
/** nginx's pid when it is not the container's PID 1 (`docker exec … nginx`). */
const NON_INIT_PID = 7;

/** nginx's error-log time: `2024/05/01 12:00:00` (the container's local time is UTC). */
function logTime(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}/${p(date.getUTCMonth() + 1)}/${p(date.getUTCDate())} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
}

function notice(ctx: ProgramContext, pid: number, text: string): void {
  ctx.stderr.write(`${logTime(ctx.now())} [notice] ${pid}#${pid}: ${text}\n`);
}

export const dockerEntrypoint: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  const me = ctx.argv[0];
  if ((args[0] === 'nginx' || args[0] === 'nginx-debug') && ctx.env.NGINX_ENTRYPOINT_QUIET_LOGS === undefined) {
    ctx.stdout.write(
      `${me}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration\n` +
        `${me}: Looking for shell scripts in /docker-entrypoint.d/\n` +
        `${me}: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh\n` +
        '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf\n' +
        '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf\n' +
        `${me}: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh\n` +
        `${me}: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh\n` +
        `${me}: Launching /docker-entrypoint.d/30-tune-worker-processes.sh\n` +
        `${me}: Configuration complete; ready for start up\n`,
    );
  }
  if (args.length === 0) return 0;
  // `exec "$@"`: the program replaces the script (as PID 1 it keeps being PID 1).
  if (!ctx.hasProgram(args[0])) {
    ctx.stderr.write(`${me}: exec: line 47: ${args[0]}: not found\n`);
    return 127;
  }
  return ctx.exec(args);
};

export const nginx: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  let directives = '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-v' || arg === '-V') {
      ctx.stderr.write(`nginx version: nginx/${NGINX_VERSION}\n`);
      return 0;
    }
    if (arg === '-t' || arg === '-T') {
      ctx.stderr.write(`nginx: the configuration file ${CONFIG_FILE} syntax is ok\nnginx: configuration file ${CONFIG_FILE} test is successful\n`);
      return 0;
    }
    if (arg === '-g' && i + 1 < args.length) directives += args[++i];
    else if (arg === '-c' || arg === '-p' || arg === '-e' || arg === '-s') i++;
    else if (arg !== '-q') {
      ctx.stderr.write(`nginx: invalid option: "${arg.replace(/^-/, '')}"\n`);
      return 1;
    }
  }
  // Without `daemon off;` the master forks into the background and the foreground process exits.
  if (!/daemon\s+off\s*;/.test(directives)) return 0;
  const pid = ctx.isPid1 ? 1 : NON_INIT_PID;
  notice(ctx, pid, 'using the "epoll" event method');
  notice(ctx, pid, `nginx/${NGINX_VERSION}`);
  notice(ctx, pid, 'built by gcc 12.2.0 (Debian 12.2.0-14) ');
  notice(ctx, pid, `OS: Linux ${KERNEL_RELEASE}`);
  notice(ctx, pid, 'getrlimit(RLIMIT_NOFILE): 1048576:1048576');
  notice(ctx, pid, 'start worker processes');
  for (const worker of WORKER_PIDS) notice(ctx, pid, `start worker process ${worker}`);
  const signal = await new Promise<string | undefined>((resolve) => {
    for (const name of ['SIGQUIT', 'SIGTERM', 'SIGINT']) ctx.signals.on(name, () => resolve(name));
    // SIGHUP reloads the configuration; the emulated one never changes.
    ctx.signals.on('SIGHUP', () => notice(ctx, pid, 'signal 1 (SIGHUP) received, reconfiguring'));
    ctx.signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  if (signal === undefined) return 0;
  const graceful = signal === 'SIGQUIT';
  const number = { SIGQUIT: 3, SIGTERM: 15, SIGINT: 2 }[signal];
  notice(ctx, pid, `signal ${number} (${signal}) received, ${graceful ? 'shutting down' : 'exiting'}`);
  for (const worker of WORKER_PIDS) {
    if (graceful) notice(ctx, worker, 'gracefully shutting down');
    notice(ctx, worker, 'exiting');
    notice(ctx, worker, 'exit');
  }
  for (const worker of WORKER_PIDS) {
    notice(ctx, pid, `signal 17 (SIGCHLD) received from ${worker}`);
    notice(ctx, pid, `worker process ${worker} exited with code 0`);
  }
  notice(ctx, pid, 'exit');
  return 0;
};
