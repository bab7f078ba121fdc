/**
 * The busybox userland of emulated containers: each program reproduces busybox 1.36's output
 * byte for byte (docker-cli-outputs.md §7), driven through ProgramContext (types.ts).
 */
import { hostname } from './hostname.js';
import { ip } from './ip.js';
import { swarmnetPerf } from './perf.js';
import { ping } from './ping.js';
import { sleep } from './sleep.js';
import type { Program } from './types.js';

export type { Program, ProgramContext, ProgramOutput } from './types.js';
export { BUSYBOX_BANNER } from './busybox.js';
export { strerror, type ErrnoName } from './strerror.js';

/** Programs by the name a command line invokes them with (argv[0]). `swarmnet-perf` is swarmnet's
 * own measurement tool (perf.ts), used by `npm run bench`; the rest are busybox applets. */
export const PROGRAMS: Readonly<Record<string, Program>> = Object.freeze({ ping, ip, hostname, sleep, 'swarmnet-perf': swarmnetPerf });
