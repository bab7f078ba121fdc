/**
 * Command-line flags for `swarmnet run` and `swarmnet shell`, parsed the way Docker's CLI (cobra)
 * does and refused with its wording: `unknown flag: --x`, `flag needs an argument: --hosts`,
 * `invalid argument "x" for "--timeout" flag: …`, each followed by `See 'swarmnet CMD --help'.`
 * (exit code 125, as docker).
 */
import { isHostName } from './placeholders.js';

/** Exit code for a usage error, as docker uses. */
export const USAGE_EXIT_CODE = 125;

/** Flag name (with dashes) → whether it is a switch or takes a value. */
export type FlagSpec = Readonly<Record<string, 'switch' | 'value'>>;

export type ParsedFlags =
  | { readonly ok: true; readonly flags: ReadonlyMap<string, string | true>; readonly positional: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** Splits argv into flags (`--x v`, `--x=v`, switches) and positional arguments; `--` ends flags. */
export function parseFlags(argv: readonly string[], spec: FlagSpec, command: string): ParsedFlags {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  const see = `\nSee 'swarmnet ${command} --help'.\n`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) return { ok: false, message: `unknown flag: ${name}${see}` };
    if (kind === 'switch') {
      if (eq >= 0) return { ok: false, message: `invalid argument "${arg.slice(eq + 1)}" for "${name}" flag: takes no value${see}` };
      flags.set(name, true);
      continue;
    }
    if (eq >= 0) flags.set(name, arg.slice(eq + 1));
    else if (i + 1 < argv.length) flags.set(name, argv[++i]!);
    else return { ok: false, message: `flag needs an argument: ${name}${see}` };
  }
  return { ok: true, flags, positional };
}

/** `a,b,c` → host names, or why not. Names must be valid and distinct. */
export function parseHostList(value: string): string[] | string {
  const hosts = value.split(',').map((h) => h.trim());
  for (const h of hosts) {
    if (!isHostName(h)) return `bad host name "${h}"`;
  }
  const dup = hosts.find((h, i) => hosts.indexOf(h) !== i);
  if (dup !== undefined) return `host "${dup}" listed twice`;
  return hosts;
}

/**
 * A duration as docker's flags take it (`10s`, `500ms`, `2m`) or plain seconds (`10`, `1.5`),
 * in milliseconds; undefined if malformed.
 */
export function parseDuration(value: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)?$/.exec(value.trim());
  if (m === null) return undefined;
  const scale = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000;
  return Number(m[1]) * scale;
}

/** The message for a bad flag value, in docker's wording. */
export function invalidFlag(command: string, flag: string, value: string, why: string): string {
  return `invalid argument "${value}" for "${flag}" flag: ${why}\nSee 'swarmnet ${command} --help'.\n`;
}
