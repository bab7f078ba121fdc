/**
 * busybox `sleep` (coreutils/sleep.c, FEATURE_FANCY_SLEEP + FLOAT_DURATION): the sum of its
 * arguments, each fractional with an optional s/m/h/d suffix (`sleep 1.5m 10`); `inf…` sleeps
 * until stopped. Bad input dies with libbb's words (`sleep: invalid number 'x'`); no argument
 * shows the usage. Sleeps on ctx.clock; ctx.signal ends it like SIGINT (exit 130).
 */
import { parseDuration } from './args.js';
import { defineApplet, EXIT_INTERRUPTED, sleepUnlessAborted, UsageError } from './busybox.js';

const SLEEP_USAGE =
  '[N]...\n\nPause for a time equal to the total of the args given, where each arg can\n' +
  'have an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays';

export const sleep = defineApplet('sleep', SLEEP_USAGE, async (ctx) => {
  const args = ctx.argv.slice(1);
  if (args.length === 0) throw new UsageError();
  // GNU sleep accepts "inf", "INF", "infinity"…: busybox checks the first three letters only.
  if (args[0].slice(0, 3).toLowerCase() === 'inf') {
    await sleepUnlessAborted(ctx.clock, Infinity, ctx.signal);
    return EXIT_INTERRUPTED;
  }
  let seconds = 0;
  for (const arg of args) seconds += parseDuration(arg);
  const completed = await sleepUnlessAborted(ctx.clock, seconds * 1000, ctx.signal);
  return completed ? 0 : EXIT_INTERRUPTED;
});
