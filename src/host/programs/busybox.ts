/**
 * What every busybox applet shares: the usage banner, the two ways an applet dies (libbb's
 * `bb_error_msg_and_die` → `APPLET: message`, exit 1; `bb_show_usage` → banner + usage on stderr,
 * exit 1), `APPLET --help` (usage, exit 0), and timers longer than one host timer can hold.
 *
 * Applets are written like their C originals: deep helpers throw `AppletError` / `UsageError` /
 * `AppletExit`, and `defineApplet` turns them into output and an exit code, so the control flow
 * (and therefore which message wins when several things are wrong) follows busybox's.
 */
import type { Clock, Duration, Timer } from '../../util/clock.js';
import type { Program, ProgramContext } from './types.js';

/**
 * `bb_banner` + " multi-call binary." (libbb/appletlib.c `bb_show_usage`). The build date of
 * Alpine's 1.36.1 package is UNVERIFIED (docker-cli-outputs.md §7.1): this is a plausible one.
 */
export const BUSYBOX_BANNER = 'BusyBox v1.36.1 (2023-11-07 18:53:09 UTC) multi-call binary.\n';

/** `bb_error_msg_and_die(message)`: `APPLET: message` on stderr, exit `code` (xfunc_error_retval). */
export class AppletError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'AppletError';
  }
}

/** `bb_show_usage()`: banner and usage on stderr, exit 1. */
export class UsageError extends Error {
  constructor() {
    super('usage');
    this.name = 'UsageError';
  }
}

/** `exit(code)` from deep inside an applet, after it printed what it had to. */
export class AppletExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'AppletExit';
  }
}

/** What a shell reports for a program killed by SIGINT (128 + 2). */
export const EXIT_INTERRUPTED = 130;

/** The usage block exactly as `bb_show_usage` writes it (FEATURE_VERBOSE_USAGE). */
export function usageText(applet: string, usage: string): string {
  return `${BUSYBOX_BANNER}\nUsage: ${applet}${usage.startsWith('\n') ? '' : ' '}${usage}\n`;
}

/**
 * Wraps an applet body: `--help` as the only argument prints usage and exits 0 (appletlib.c
 * `show_usage_if_dash_dash_help`), thrown errors become busybox's output and exit codes.
 */
export function defineApplet(applet: string, usage: string, main: (ctx: ProgramContext) => Promise<number>): Program {
  return async (ctx) => {
    if (ctx.argv.length === 2 && ctx.argv[1] === '--help') {
      ctx.stderr.write(usageText(applet, usage));
      return 0;
    }
    try {
      return await main(ctx);
    } catch (e) {
      if (e instanceof AppletError) {
        ctx.stderr.write(`${applet}: ${e.message}\n`);
        return e.exitCode;
      }
      if (e instanceof UsageError) {
        ctx.stderr.write(usageText(applet, usage));
        return 1;
      }
      if (e instanceof AppletExit) return e.exitCode;
      throw e;
    }
  };
}

/**
 * Longest delay handed to one `Clock.setTimer`: Node's setTimeout overflows past 2^31−1 ms (and
 * then fires after 1 ms), while `sleep 30d` or `ping -W 2147483647` are legal.
 */
export const MAX_TIMER_CHUNK_MS = 2 ** 30;

/** A timer of any length, built from chained chunks; `cancel` is idempotent. */
export function setLongTimer(clock: Clock, delayMs: number, fn: () => void): Timer {
  let current: Timer | undefined;
  let cancelled = false;
  const arm = (remaining: number) => {
    const step = Math.min(remaining, MAX_TIMER_CHUNK_MS);
    current = clock.setTimer(step as Duration, () => {
      if (cancelled) return;
      if (remaining - step > 0) arm(remaining - step);
      else fn();
    });
  };
  arm(Math.max(0, delayMs));
  return {
    cancel: () => {
      cancelled = true;
      current?.cancel();
    },
  };
}

/** Resolves after `delayMs` (any length), or with `false` as soon as `signal` aborts. */
export function sleepUnlessAborted(clock: Clock, delayMs: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = () => {
      timer.cancel();
      resolve(false);
    };
    const timer = setLongTimer(clock, delayMs, () => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
