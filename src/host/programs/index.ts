/**
 * The userland of emulated containers: busybox applets reproducing busybox 1.36's output byte for
 * byte (docker-cli-outputs.md §7), the shell, and the nginx image's entrypoint and server, driven
 * through ProgramContext (types.ts).
 */
import { cat, echo, env, falseProgram, trueProgram } from './coreutils.js';
import { hostname } from './hostname.js';
import { ip } from './ip.js';
import { dockerEntrypoint, nginx } from './nginx.js';
import { swarmnetPerf } from './perf.js';
import { ping } from './ping.js';
import { nslookup } from './nslookup.js';
import { getent } from './getent.js';
import { sh } from './sh.js';
import { sleep } from './sleep.js';
import type { Program } from './types.js';

export type { Program, ProgramContext, ProgramOutput, ProgramInput, ProgramSignals, SpawnIo } from './types.js';
export { BUSYBOX_BANNER } from './busybox.js';
export { strerror, type ErrnoName } from './strerror.js';

/** Programs by the name a command line invokes them with (argv[0]). `swarmnet-perf` is swarmnet's
 * own measurement tool (perf.ts), used by `npm run bench`; `/docker-entrypoint.sh` and `nginx`
 * are the nginx image's; the rest are busybox applets. */
export const PROGRAMS: Readonly<Record<string, Program>> = Object.freeze({
  ping,
  nslookup,
  getent,
  ip,
  hostname,
  sleep,
  sh,
  ash: sh,
  cat,
  echo,
  env,
  true: trueProgram,
  false: falseProgram,
  nginx,
  '/docker-entrypoint.sh': dockerEntrypoint,
  'swarmnet-perf': swarmnetPerf,
});

/** The PATH directories of the images (where busybox installs its applet links). */
const BIN_DIRECTORIES = new Set(['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']);

/** The program `name` runs: an exact entry (`ping`, `/docker-entrypoint.sh`), or an entry by
 * basename when `name` is a path in a PATH directory (`/bin/sh`, `/usr/sbin/nginx`). */
export function findProgram(programs: Readonly<Record<string, Program>>, name: string): Program | undefined {
  if (Object.hasOwn(programs, name)) return programs[name];
  const slash = name.lastIndexOf('/');
  if (slash < 0) return undefined;
  const dir = name.slice(0, slash) || '/';
  const base = name.slice(slash + 1);
  return BIN_DIRECTORIES.has(dir) && base !== '' && Object.hasOwn(programs, base) ? programs[base] : undefined;
}
