/**
 * Reads a scenario file into `Scenario` steps. Never throws: every problem comes back as a
 * `FILE:LINE: message` error, all of them at once, and a file with any error runs nothing.
 *
 * FORMAT
 *
 * A scenario is a tutorial you can run: the commands a reader would type, each on the host it
 * runs on, with what its output must show indented underneath.
 *
 *     # One manager, one worker, a service answering across the overlay.
 *     manager$ docker swarm init --advertise-addr {{addr:manager}}
 *       ~ Swarm initialized
 *     worker-1$ docker swarm join --token {{token:worker}} \
 *         {{addr:manager}}:2377
 *       ~ This node joined a swarm as a worker.
 *     manager$ docker network create -d overlay my-net
 *     manager$ docker service create --name web --replicas 2 --network my-net nginx
 *     manager$ docker service ps web
 *       ~ Running
 *     {{host:web.1}}$ docker exec {{task:web.1}} ping -c 1 web.2
 *       ~ 1 packets received
 *     manager$ docker network create -d overlay my-net
 *       ~ already exists
 *       exit 1
 *     @kill worker-1
 *     @sleep 1.5
 *     @sh ping -c 1 {{addr:manager}}
 *       !~ 100% packet loss
 *
 * Lines (commands and directives start in column 1):
 *   HOST$ COMMAND   Runs COMMAND on HOST. COMMAND must start with `docker` (the only command
 *                   family for now). It is split into words as a shell would (quotes, backslash
 *                   escapes) but nothing is expanded. HOST is a host name (letters, digits,
 *                   `_ . -`, starting with a letter or digit, at most 63 characters) or
 *                   `{{host:SERVICE.SLOT}}`: the host a task runs on.
 *   @sh COMMAND     Runs COMMAND with `/bin/sh -c` on this machine (not inside the cluster),
 *                   killed after 30 s (exit code 124 then). Its output is checked like any other.
 *   @sleep SECONDS  Waits SECONDS (decimals allowed, 0 to 600).
 *   @kill HOST      Stops HOST abruptly, as a crash would. HOST as for HOST$.
 *   @expose-dns CONTAINER ADDR:PORT
 *                   Opens real UDP and TCP sockets at ADDR:PORT (a 127.0.0.0/8 address) that
 *                   answer as CONTAINER's embedded DNS (127.0.0.11) does, for `@sh dig @ADDR -p
 *                   PORT NAME`. CONTAINER may be a placeholder, e.g. {{task:web.1}}.
 *   # TEXT          A comment, at any indentation, also between expectations.
 *   (blank line)    Ignored; it ends the expectations of the step above it.
 *   … \             A HOST$ or @ line whose last non-blank character is a backslash continues
 *                   on the next line, as in a shell (the next line may be indented). The joined
 *                   line keeps the first line's number and is echoed as one line.
 *
 * Expectations, indented (spaces or tabs) directly under a HOST$ or @sh step:
 *   ~ TEXT          The output (stdout followed by stderr) must contain TEXT.
 *   !~ TEXT         The output must not contain TEXT.
 *   exit N          The exit code must be N (0 to 255); at most one per step.
 * TEXT is literal up to the end of the line, surrounding blanks trimmed; no quotes needed.
 *
 * Input, indented directly under a HOST$ step (interactive commands: `docker exec -i`,
 * `docker run -i`, `docker attach`, the `[y/N]` prompt of `docker network prune`):
 *   < TEXT          One line of the command's standard input. The lines go in the order written
 *                   (they may be mixed with expectations); after the last one the command sees
 *                   end-of-file, as if the user had pressed Ctrl-D. TEXT is literal up to the end
 *                   of the line, the one blank after `<` dropped, so `<` alone is an empty line.
 *                   Placeholders are filled as in the command. Every attempt gets the same lines.
 *
 *     worker-1$ docker exec -i {{task:web.1}} sh
 *       < ping -c 2 web
 *       < exit
 *       ~ 2 packets received
 *
 * Exit codes: a HOST$ or @sh step must exit 0 unless an `exit N` line says which code it must
 * exit with. `~` and `!~` lines do not relax that: a failure you expect needs `exit N`.
 *
 * Retries: a cluster converges over time, so a step with at least one expectation (`exit N`
 * included) is run again after a 250 ms pause until all of them hold at once, or until the step
 * time limit (`--timeout`, 10 s by default, counted from the first attempt) is spent. Put
 * expectations only under commands that are safe to repeat. A step without expectations runs
 * once; @sleep and @kill never repeat.
 *
 * Placeholders, anywhere in a command, in the HOST of HOST$ or @kill, or in an expectation,
 * filled afresh at each attempt:
 *   {{addr:HOST}}          HOST's advertise address, e.g. 127.42.7.1
 *   {{token:worker}}       the current worker join token (fails until a manager exists)
 *   {{token:manager}}      the current manager join token
 *   {{task:SERVICE.SLOT}}  the container name of that task, e.g. web.1.k3x9… (SLOT from 1)
 *   {{host:SERVICE.SLOT}}  the host that task runs on
 *   {{ip:SERVICE.SLOT@NETWORK}}  that task's address on NETWORK (by name), e.g. 10.0.1.4
 * A lookup that fails (no such task yet) fails that attempt with its message, and is retried
 * like an expectation when the step has any. An unknown `{{name:…}}` is an error in the file;
 * other text in braces, such as Docker's own `--format '{{.Name}}'`, is passed through as is.
 *
 * Hosts: the cluster starts with every host the file names (in HOST$, after @kill, in
 * `{{addr:HOST}}`), in order of first mention. `--hosts a,b,c` puts those first, in that order,
 * adding any the file does not name; the file's other hosts follow.
 *
 * Output: each step is echoed as written with placeholders filled (`manager$ docker node ls`,
 * `@sh ping -c 1 127.42.7.1`, `@sleep 1.5`), then the stdout and stderr of its last attempt.
 * A failed step adds one line per unmet expectation — `✗ line N: expected output to contain
 * "…"` (or `not to contain "…"`, `expected exit code N, got M`, or a lookup's message; N is the
 * expectation's line, or the step's own for the default exit 0) — and, if it was retried, for how
 * long. The run goes on after a failure (unless --fail-fast) and ends with `N steps, M failed`.
 * The exit code is 0 only if every step passed.
 *
 * Errors in the file (an unknown directive or placeholder, a command that isn't docker, a
 * misplaced expectation …) are all reported as `FILE:LINE: message`, and nothing runs.
 */
import { splitCommandLine } from './docker-cli.js';
import { addressedHosts, isHostName, literalTemplate, parseTemplate, type Template } from './placeholders.js';
import type { Expectation, Scenario, ScenarioParseError, Step } from './steps.js';

/** Longest `@sleep`, in seconds: long enough for any convergence, short enough to catch typos. */
export const MAX_SLEEP_SECONDS = 600;

export interface ParseOptions {
  /** The name used in error messages and the report (default `scenario`). */
  readonly file?: string;
  /** Shell-style word splitter; throws on bad quoting (default: `splitCommandLine`). */
  readonly split?: (line: string) => string[];
}

export type ParseResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly ScenarioParseError[] };

/** One line after continuations are joined: where it starts, and its text. */
interface LogicalLine {
  readonly line: number;
  readonly text: string;
}

/** A step still collecting the expectations under it. */
interface OpenStep {
  readonly kind: Step['kind'];
  readonly expectations: Expectation[] | undefined;
  /** The step's input lines (docker steps only). */
  readonly stdin?: Template[];
}

export function parseScenario(text: string, options: ParseOptions = {}): ParseResult {
  const file = options.file ?? 'scenario';
  const split = options.split ?? splitCommandLine;
  const errors: ScenarioParseError[] = [];
  const steps: Step[] = [];
  const hosts: string[] = [];
  const mention = (host: string) => {
    if (!hosts.includes(host)) hosts.push(host);
  };
  const fail = (line: number, message: string) => void errors.push({ file, line, message });

  let open: OpenStep | undefined;
  for (const logical of logicalLines(text, fail)) {
    const { line } = logical;
    const trimmed = logical.text.trim();
    if (trimmed === '') {
      open = undefined;
    } else if (trimmed.startsWith('#')) {
      // Comments change nothing, not even which step expectations attach to.
    } else if (/^[ \t]/.test(logical.text)) {
      const input = /^[ \t]+</.test(logical.text) ? parseInputLine(logical.text, open) : undefined;
      const result = input ?? parseExpectation(trimmed, line, open);
      if (typeof result === 'string') fail(line, result);
      else if (result !== undefined && 'input' in result) {
        open!.stdin!.push(result.input);
        addressedHosts(result.input).forEach(mention);
      } else if (result !== undefined) {
        open!.expectations!.push(result);
        if (result.kind !== 'exit') addressedHosts(result.text).forEach(mention);
      }
    } else {
      const result = parseStep(trimmed, line, split);
      if (typeof result === 'string') {
        fail(line, result);
        // Expectations under a broken step are still checked, but attach to nothing and raise
        // no "expectation without a step" noise on top of the real error.
        open = { kind: 'docker', expectations: [], stdin: [] };
      } else {
        steps.push(result.step);
        result.hosts.forEach(mention);
        // The step's own (still empty) array: expectations below are pushed straight into it.
        open = {
          kind: result.step.kind,
          expectations: 'expectations' in result.step ? (result.step.expectations as Expectation[]) : undefined,
          stdin: result.step.kind === 'docker' ? (result.step.stdin as Template[]) : undefined,
        };
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, scenario: { file, steps, hosts } };
}

/**
 * Joins continued lines. Only step lines (column 1, not comments) continue: expectations are
 * literal text, so a trailing backslash there is part of the text.
 */
function logicalLines(text: string, fail: (line: number, message: string) => void): LogicalLine[] {
  const physical = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: LogicalLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    const start = i + 1;
    let joined = physical[i]!;
    const isStepLine = joined !== '' && !/^[ \t#]/.test(joined);
    while (isStepLine && continues(joined)) {
      const head = joined.trimEnd().slice(0, -1);
      if (i + 1 >= physical.length) {
        fail(start, 'the line ends with a backslash (continuation) but the file ends there');
        joined = head;
        break;
      }
      const next = physical[++i]!;
      // Shell semantics: backslash-newline vanishes; blanks on either side still separate words.
      joined = /[ \t]$/.test(head) || /^[ \t]/.test(next) ? `${head.trimEnd()} ${next.trimStart()}` : head + next;
    }
    out.push({ line: start, text: joined });
  }
  return out;
}

/** True if the line's last non-blank character is an unescaped backslash. */
function continues(line: string): boolean {
  const m = /(\\+)[ \t]*$/.exec(line);
  return m !== null && m[1]!.length % 2 === 1;
}

type StepResult = { readonly step: Step; readonly hosts: readonly string[] } | string;

function parseStep(text: string, line: number, split: (line: string) => string[]): StepResult {
  if (text.startsWith('@')) return parseDirective(text, line);
  const dollar = text.indexOf('$');
  const hostText = dollar < 0 ? '' : text.slice(0, dollar);
  if (dollar < 0 || /\s/.test(hostText)) {
    if (/^docker(\s|$)/.test(text)) return `missing host: write HOST$ ${text.slice(0, 40)} (e.g. manager$ docker node ls)`;
    return 'expected a step: HOST$ docker …, @sh COMMAND, @sleep SECONDS, @kill HOST or @expose-dns CONTAINER ADDR:PORT (expectations are indented under a step; comments start with #)';
  }
  if (hostText === '') return 'missing host before $: write HOST$ COMMAND, e.g. manager$ docker node ls';
  const rest = text.slice(dollar + 1);
  if (rest !== '' && !/^\s/.test(rest)) return `expected a space after ${hostText}$`;
  const commandText = rest.trim();
  if (commandText === '') return `missing command after ${hostText}$`;
  const host = parseHostRef(hostText);
  if (typeof host === 'string') return host;
  let words: string[];
  try {
    words = split(commandText);
  } catch (err) {
    return `cannot split the command into words: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (words[0] !== 'docker') {
    return `only docker commands run on a host, got "${(words[0] ?? '').slice(0, 40)}" (use @sh COMMAND to run a command on this machine)`;
  }
  const command = parseTemplate(commandText);
  if (!command.ok) return command.message;
  const step: Step = { kind: 'docker', line, host: host.template, command: command.template, expectations: [], stdin: [] };
  return { step, hosts: [...host.hosts, ...addressedHosts(command.template)] };
}

function parseDirective(text: string, line: number): StepResult {
  const m = /^@(\S*)\s*(.*)$/.exec(text)!;
  const name = m[1]!;
  const arg = m[2]!.trim();
  switch (name) {
    case 'sh': {
      if (arg === '') return '@sh needs a command, e.g. @sh dig +short example.com';
      const command = parseTemplate(arg);
      if (!command.ok) return command.message;
      return { step: { kind: 'sh', line, command: command.template, expectations: [] }, hosts: addressedHosts(command.template) };
    }
    case 'sleep': {
      const seconds = Number(arg);
      if (!/^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(arg) || seconds > MAX_SLEEP_SECONDS) {
        return `@sleep needs a number of seconds from 0 to ${MAX_SLEEP_SECONDS}, got "${arg.slice(0, 40)}"`;
      }
      return { step: { kind: 'sleep', line, seconds }, hosts: [] };
    }
    case 'kill': {
      if (arg === '') return '@kill needs a host, e.g. @kill worker-1';
      const host = parseHostRef(arg);
      if (typeof host === 'string') return host;
      return { step: { kind: 'kill', line, host: host.template }, hosts: host.hosts };
    }
    case 'expose-dns': {
      const parts = arg.split(/\s+/);
      if (parts.length !== 2 || !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d{1,5}$/.test(parts[1]!)) {
        return '@expose-dns needs a container and a loopback ADDR:PORT, e.g. @expose-dns {{task:web.1}} 127.0.0.1:5353';
      }
      const container = parseTemplate(parts[0]!);
      if (!container.ok) return container.message;
      return { step: { kind: 'expose-dns', line, container: container.template, address: literalTemplate(parts[1]!) }, hosts: [] };
    }
    default:
      return `unknown directive @${name.slice(0, 40)} (known: @sh, @sleep, @kill, @expose-dns)`;
  }
}

/** A host name, or exactly one `{{host:SERVICE.SLOT}}` placeholder. */
export function parseHostRef(text: string): { readonly template: Template; readonly hosts: readonly string[] } | string {
  if (isHostName(text)) return { template: literalTemplate(text), hosts: [text] };
  const t = parseTemplate(text);
  if (t.ok && t.template.segments.length === 1) {
    const only = t.template.segments[0]!;
    if (typeof only !== 'string' && only.kind === 'host') return { template: t.template, hosts: [] };
  }
  if (!t.ok && text.startsWith('{{')) return t.message;
  return `bad host "${text.slice(0, 70)}": expected a host name (letters, digits, _ . -) or {{host:SERVICE.SLOT}}`;
}

/** An indented `< TEXT` line: one input line for the docker step above, or why it is misplaced. */
function parseInputLine(raw: string, open: OpenStep | undefined): { readonly input: Template } | string {
  if (open === undefined) return 'input line without a step: put `< TEXT` directly under a HOST$ docker line (no blank line between)';
  if (open.stdin === undefined) return `input lines (< TEXT) go under HOST$ docker steps, not under @${open.kind}`;
  // The one blank after `<` separates; anything after it, blanks included, is the line typed.
  const text = raw.replace(/^[ \t]+</, '').replace(/^[ \t]/, '');
  const t = parseTemplate(text);
  if (!t.ok) return t.message;
  return { input: t.template };
}

/** An indented line: an expectation, a misplaced step (message), or a misplaced expectation. */
function parseExpectation(text: string, line: number, open: OpenStep | undefined): Expectation | string | undefined {
  if (text.startsWith('@') || /^[^\s$~!]+\$(\s|$)/.test(text)) {
    return 'steps start in column 1; indented lines are expectations (~ TEXT, !~ TEXT, exit N)';
  }
  if (open === undefined) {
    return 'expectation without a step: put it directly under a HOST$ or @sh line (no blank line between)';
  }
  if (open.expectations === undefined) return `@${open.kind} takes no expectations`;
  const m = /^(!~|~)\s*(.*)$/.exec(text);
  if (m !== null) {
    const negated = m[1] === '!~';
    if (m[2] === '') return `${m[1]} needs the text that must ${negated ? 'not ' : ''}appear in the output`;
    const t = parseTemplate(m[2]!);
    if (!t.ok) return t.message;
    return { kind: negated ? 'absent' : 'contains', line, text: t.template };
  }
  const exit = /^exit(?:\s+(.*))?$/.exec(text);
  if (exit !== null) {
    const arg = (exit[1] ?? '').trim();
    if (!/^[0-9]{1,3}$/.test(arg) || Number(arg) > 255) return `exit needs an exit code from 0 to 255, got "${arg.slice(0, 40)}"`;
    const earlier = open.expectations.find((e) => e.kind === 'exit');
    if (earlier !== undefined) return `a second exit for the same step (line ${earlier.line} has one)`;
    return { kind: 'exit', line, code: Number(arg) };
  }
  return `unknown expectation "${text.slice(0, 40)}": expected ~ TEXT, !~ TEXT or exit N`;
}

/**
 * The hosts a cluster for `scenario` starts with: `requested` first, in its order, then the
 * hosts the file names that `requested` lacks, in order of first mention.
 */
export function resolveHosts(mentioned: readonly string[], requested: readonly string[] = []): string[] {
  const hosts = [...requested];
  for (const h of mentioned) if (!hosts.includes(h)) hosts.push(h);
  return hosts;
}
