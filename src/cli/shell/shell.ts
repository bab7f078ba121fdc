/**
 * `swarmnet shell`: an interactive prompt over an emulated cluster. The prompt names the current
 * host (`manager$ `); a typed `docker …` line runs there through the `ScenarioTarget` and its
 * output is printed as docker would print it. Scenario lines work too — `worker-1$ docker …`,
 * `@sh`, `@sleep`, `@kill`, and placeholders such as `{{task:web.1}}` — parsed by the scenario
 * parser and run by the same step executor, so the shell and `swarmnet run` never disagree about
 * what a line means. Expectations (`~ TEXT`) belong in files and are refused here.
 *
 * Lines run one at a time, in order, even when typed (or piped) faster than they finish.
 * History is in memory (readline's up/down) and saved to a file only if `historyFile` is given.
 */
import { createInterface } from 'node:readline';
import type { Duration } from '../../util/clock.js';
import { completeDocker as defaultCompleteDocker, splitCommandLine } from '../scenario/docker-cli.js';
import { executeStep, messageOf, type StepDeps } from '../scenario/execute.js';
import { parseScenario } from '../scenario/parse.js';
import { wallClock, writeOutput, type ScenarioClock } from '../scenario/runner.js';
import { runSh, SH_TIMEOUT_MS, type RunSh } from '../scenario/sh.js';
import type { ScenarioTarget } from '../scenario/target.js';
import { completeShellLine } from './complete.js';
import { readsInput } from './interactive.js';
import { HISTORY_SIZE, loadHistory, remember, saveHistory } from './history.js';

export interface ShellOptions {
  readonly target: ScenarioTarget;
  /** The cluster's hosts; the first is current at start. Must not be empty. */
  readonly hosts: readonly string[];
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Treat the streams as a terminal (line editing, history keys, completion); default: output.isTTY. */
  readonly terminal?: boolean;
  /** Load history from and save it to this file; without it history lives only in memory. */
  readonly historyFile?: string;
  readonly split?: (line: string) => string[];
  readonly completeDocker?: (words: readonly string[], partial: string) => string[];
  readonly sh?: RunSh;
  readonly shTimeoutMs?: number;
  readonly clock?: ScenarioClock;
}

export const SHELL_HELP = `Lines run on the current host (shown in the prompt):
  docker ARGS...       run a docker command on the current host
  HOST$ docker ...     run it on HOST, as in a scenario file
  @sh COMMAND          run COMMAND with /bin/sh -c on this machine
  @sleep SECONDS       wait
  @kill HOST           stop HOST abruptly, as a crash would
  @expose-dns CONTAINER ADDR:PORT
                       answer DNS at a 127.x ADDR:PORT as CONTAINER's resolver does (for dig)
  use HOST             make HOST the current host
  hosts                list the hosts (* marks the current one)
  help                 print this help
  exit                 leave the shell (or press Ctrl-D)
Placeholders, filled when the line runs:
  {{addr:HOST}}  {{token:worker}}  {{token:manager}}  {{task:SERVICE.SLOT}}  {{host:SERVICE.SLOT}}
  {{ip:SERVICE.SLOT@NETWORK}}
A line ending in \\ continues on the next one. Tab completes commands, hosts and docker words.
docker exec -i, docker run -i (without -d) and docker attach read the lines you type next, up to
a line "exit" (passed on too) or Ctrl-D; the command then runs with them and shows its output.
`;

function safeSplit(split: (line: string) => string[], line: string): string[] {
  try {
    return split(line);
  } catch {
    return [];
  }
}

/** Printed when Ctrl-C is pressed on an empty line. */
export const CTRL_C_HINT = '(To exit, press Ctrl-D or type exit)';

/** Runs the shell until `exit` or end of input; resolves with the exit code (0). */
export async function runShell(options: ShellOptions): Promise<number> {
  const { target, hosts, input, output } = options;
  if (hosts.length === 0) throw new RangeError('the shell needs at least one host');
  const split = options.split ?? splitCommandLine;
  const completeDocker = options.completeDocker ?? defaultCompleteDocker;
  const clock = options.clock ?? wallClock;
  const deps: StepDeps = {
    target,
    split,
    sh: options.sh ?? runSh,
    shTimeoutMs: options.shTimeoutMs ?? SH_TIMEOUT_MS,
    sleep: (delay) => clock.sleep(delay as Duration),
  };
  let history = options.historyFile === undefined ? [] : await loadHistory(options.historyFile);
  const terminal = options.terminal ?? (output as { isTTY?: boolean }).isTTY === true;
  const rl = createInterface({
    input,
    output,
    terminal,
    history: [...history],
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string) => completeShellLine(line, { hosts, completeDocker, split }),
  });
  const write = (text: string) => void output.write(text);

  let current = hosts[0]!;
  let continued: string | undefined; // the text so far of a line ending in a backslash
  let running = false;
  let exited = false; // `exit` typed: lines already queued behind it are dropped
  let inputClosed = false;
  /** A command that reads input, and the lines typed for it so far. */
  let collecting: { readonly text: string; readonly lines: string[] } | undefined;
  const prompt = () => {
    if (exited) return;
    const text = collecting !== undefined ? '' : continued === undefined ? `${current}$ ` : '> ';
    // Input that ended early (piped, or Ctrl-D while a command ran) still gets its prompts, so a
    // transcript reads the same however fast the input arrived; readline is closed by then.
    if (inputClosed) return write(text);
    rl.setPrompt(text);
    rl.prompt();
  };

  /** One logical line; returns after its command (if any) finished. */
  const handle = async (line: string) => {
    if (line === 'exit' || line === 'quit') {
      exited = true;
      rl.close();
      return;
    }
    if (line === 'help') return write(SHELL_HELP);
    if (line === 'hosts') return write(hosts.map((h) => `${h === current ? '*' : ' '} ${h}\n`).join(''));
    const use = /^use(?:\s+(.*))?$/.exec(line);
    if (use !== null) {
      const host = (use[1] ?? '').trim();
      if (host === '' || /\s/.test(host)) return write('usage: use HOST\n');
      if (!hosts.includes(host)) return write(`swarmnet: no such host: ${host} (hosts: ${hosts.join(', ')})\n`);
      current = host;
      return;
    }
    await runLine(line);
  };

  const runLine = async (line: string) => {
    if (!/^(docker(\s|$)|@|\S+\$(\s|$))/.test(line)) {
      const word = line.split(/\s/)[0]!;
      return write(`swarmnet: unknown command "${word.slice(0, 40)}": lines are docker commands, @sh, @sleep, @kill, @expose-dns, use, hosts, help or exit\n`);
    }
    const text = line.startsWith('docker') ? `${current}$ ${line}` : line;
    const command = /^\S+\$\s+(docker(?:\s.*)?)$/.exec(text)?.[1];
    if (command !== undefined && readsInput(safeSplit(split, command))) {
      collecting = { text, lines: [] };
      return write('(the command reads input: type its lines; a line "exit" or Ctrl-D ends it)\n');
    }
    await runStep(text);
  };

  const runStep = async (text: string) => {
    const parsed = parseScenario(text, { file: 'shell', split });
    if (!parsed.ok) return write(parsed.errors.map((e) => `swarmnet: ${e.message}\n`).join(''));
    const unknown = parsed.scenario.hosts.find((h) => !hosts.includes(h));
    if (unknown !== undefined) return write(`swarmnet: no such host: ${unknown} (hosts: ${hosts.join(', ')})\n`);
    const step = parsed.scenario.steps[0];
    if (step === undefined) return;
    const run = await executeStep(step, deps);
    if (run.output !== undefined) writeOutput(write, run.output);
    if (run.error !== undefined) write(`swarmnet: ${run.error.message}\n`);
  };

  /** The collected command runs with its input lines (scenario `< TEXT` lines). */
  const finishCollecting = async () => {
    const pending = collecting!;
    collecting = undefined;
    running = true;
    try {
      await runStep([pending.text, ...pending.lines.map((l) => `  < ${l}`)].join('\n'));
    } finally {
      running = false;
    }
  };

  const onLine = async (raw: string) => {
    if (exited) return;
    if (collecting !== undefined) {
      collecting.lines.push(raw);
      if (raw.trim() === 'exit') await finishCollecting();
      return;
    }
    const joined = continued === undefined ? raw : `${continued} ${raw.trimStart()}`;
    const cont = /^(.*?)(\\+)[ \t]*$/.exec(joined);
    if (cont !== null && cont[2]!.length % 2 === 1) {
      continued = cont[1]! + cont[2]!.slice(1);
      return;
    }
    continued = undefined;
    const line = joined.trim();
    if (line === '' || line.startsWith('#')) return;
    history = remember(history, line);
    running = true;
    try {
      await handle(line);
    } catch (err) {
      // Every step path reports its own failures; this is a bug guard so the shell stays up.
      write(`swarmnet: ${messageOf(err)}\n`);
    } finally {
      running = false;
    }
  };

  return new Promise<number>((resolve) => {
    let queue = Promise.resolve();
    rl.on('line', (raw) => {
      queue = queue.then(() => onLine(raw)).then(prompt);
    });
    rl.on('SIGINT', () => {
      if (running) {
        write(`^C\n(a command is running and cannot be interrupted; wait for it to finish)\n`);
        return;
      }
      if (rl.line === '' && continued === undefined) {
        write(`\n${CTRL_C_HINT}\n`);
      } else {
        // Like bash: drop the half-typed line and start afresh (keys exist only on a terminal,
        // the only place a Ctrl-C arrives from).
        if (terminal) {
          rl.write(null, { ctrl: true, name: 'e' });
          rl.write(null, { ctrl: true, name: 'u' });
        }
        continued = undefined;
        write('^C\n');
      }
      prompt();
    });
    rl.on('close', () => {
      inputClosed = true;
      queue = queue.then(async () => {
        if (collecting !== undefined) await finishCollecting();
        if (!exited) write('\n'); // Ctrl-D: leave the caller's prompt on a fresh line
        if (options.historyFile !== undefined) {
          await saveHistory(options.historyFile, history).catch((err: unknown) =>
            write(`swarmnet: cannot save history to ${options.historyFile}: ${messageOf(err)}\n`),
          );
        }
        resolve(0);
      });
    });
    prompt();
  });
}
