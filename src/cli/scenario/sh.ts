/**
 * `@sh COMMAND`: runs COMMAND with `/bin/sh -c` on this machine and collects its output, so a
 * scenario can assert on what an outside tool sees (`dig` against a published port, `tshark` on
 * a capture). Always bounded: killed after a time limit, output capped.
 *
 * The shell runs in its own process group and the whole group is killed, because killing only
 * `sh` would leave a grandchild (`sh -c 'sleep 99; echo'`) holding the output pipes open — and
 * the run waiting for it.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { CommandOutput } from './target.js';

/** Default time limit of one `@sh` run, in milliseconds. */
export const SH_TIMEOUT_MS = 30_000;
/** Output kept per stream; past this the command is killed (a runaway `yes` must not eat memory). */
export const MAX_SH_OUTPUT_BYTES = 1 << 20;
/** Exit code reported when the time limit kills the command, as timeout(1) does. */
export const SH_TIMEOUT_EXIT_CODE = 124;

export interface ShOptions {
  /** Kill the command after this many milliseconds (default `SH_TIMEOUT_MS`). */
  readonly timeoutMs?: number;
}

/** How the runner and the shell run `@sh` (injectable: tests may pass a fake). */
export type RunSh = (command: string, options?: ShOptions) => Promise<CommandOutput>;

export const runSh: RunSh = (command, options = {}) => {
  const timeoutMs = options.timeoutMs ?? SH_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const size = { stdout: 0, stderr: 0 };
    let note = '';
    const killGroup = (why: string) => {
      if (note === '') note = why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => killGroup(`@sh: timed out after ${timeoutMs / 1000} s\n`), timeoutMs);
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].on('data', (chunk: Buffer) => {
        const room = MAX_SH_OUTPUT_BYTES - size[stream];
        if (room > 0) out[stream].push(chunk.subarray(0, room));
        size[stream] += chunk.length;
        if (size[stream] > MAX_SH_OUTPUT_BYTES) killGroup(`@sh: ${stream} exceeded ${MAX_SH_OUTPUT_BYTES} bytes; killed\n`);
      });
    }
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ stdout: '', stderr: `@sh: ${err.message}\n`, exitCode: 127 });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const timedOut = note.includes('timed out');
      const exitCode = timedOut ? SH_TIMEOUT_EXIT_CODE : (code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
      resolve({
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8') + note,
        exitCode,
      });
    });
  });
};
