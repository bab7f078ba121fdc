/**
 * busybox `sh`/`ash` (shell/ash.c), enough of it for what people type into a container: `-c
 * CMD`, a script on stdin, `sh FILE`, and the interactive shell of `docker run -it alpine` /
 * `docker exec -it … sh` (interactive when stdin is a terminal or with `-i`: prompt `\w \$ `, so
 * `/ # `, printed on stderr as ash does; PS2 `> ` for an unfinished construct). Grammar in
 * sh-parse.ts; builtins `exit`, `echo`, `cd`, `pwd`, `true`, `false`, `:`, `export`, `unset`,
 * `exec`; everything else runs as a program of the container (`ctx.spawn`).
 *
 * Messages follow ash's `ash_vmsg`: `ARG0: [COMMAND: ][line N: ]message`, where the `line N: `
 * part appears only when a command name is set and the shell is not interactive — so
 * `sh -c foo` says `sh: foo: not found` while `sh -c 'cd /x'` says
 * `sh: cd: line 1: can't cd to /x: No such file or directory`, and `docker run -it alpine`
 * (argv[0] `/bin/sh`) says `/bin/sh: foo: not found`.
 *
 * Signals: an interactive shell catches SIGINT and ignores SIGTERM/SIGQUIT (ash `setinteractive`);
 * otherwise none are handled, so as PID 1 the shell ignores `docker stop`'s SIGTERM.
 */
import { echoText, resolvePath } from './coreutils.js';
import { strerror } from './strerror.js';
import type { AndOr, Command, List, Word } from './sh-parse.js';
import { parseScript, ShellSyntaxError } from './sh-parse.js';
import type { Program, ProgramContext, ProgramInput } from './types.js';

/** Exit status of a syntax error or a failed special builtin (ash's `exitstatus = 2`). */
const EXIT_SYNTAX = 2;
const EXIT_NOT_FOUND = 127;
const EXIT_INTERRUPTED = 130;
/** Loop iterations between yields to the event loop, so `while true; do :; done` cannot starve the host. */
const LOOP_YIELD_EVERY = 64;
/** Most lines one unfinished construct may span in interactive/stdin mode before it is refused. */
const MAX_CONTINUATION_LINES = 1000;
/** Directories that exist in every image (for `cd`). */
const DIRECTORIES = new Set(['/', '/bin', '/dev', '/etc', '/home', '/lib', '/media', '/mnt', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/local', '/usr/local/bin', '/usr/sbin', '/var', '/var/log']);

class ExitShell extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

class Shell {
  readonly #vars = new Map<string, { value: string; exported: boolean }>();
  readonly #arg0: string;
  #positional: string[];
  #status = 0;
  #iterations = 0;
  /** ash's `commandname`: set for `sh FILE` and `sh -c CMD NAME`, and while a builtin runs. */
  #scriptName: string | undefined;

  constructor(
    private readonly ctx: ProgramContext,
    arg0: string,
    positional: string[],
    scriptName: string | undefined,
    private readonly interactive: boolean,
  ) {
    this.#arg0 = arg0;
    this.#positional = positional;
    this.#scriptName = scriptName;
    for (const [name, value] of Object.entries(ctx.env)) this.#vars.set(name, { value, exported: true });
    if (!this.#vars.has('PWD')) this.#vars.set('PWD', { value: '/', exported: true });
  }

  get status(): number {
    return this.#status;
  }

  #message(text: string, command?: string, line?: number): void {
    const name = command ?? this.#scriptName;
    let prefix = `${this.#arg0}: `;
    if (name !== undefined) {
      if (name !== this.#arg0) prefix += `${name}: `;
      if (!this.interactive) prefix += `line ${line ?? 1}: `;
    }
    this.ctx.stderr.write(`${prefix}${text}\n`);
  }

  /** Parses and runs `source`; a syntax error is reported and gives status 2. */
  async runSource(source: string, execLast = false): Promise<void> {
    let list: List;
    try {
      list = parseScript(source);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      this.#message(`syntax error: ${e.message}`);
      this.#status = EXIT_SYNTAX;
      return;
    }
    const last = list[list.length - 1];
    // ash's `sh -c` runs its last command with EV_EXIT: a lone external command replaces the
    // shell (so `docker run alpine sh -c 'ping x'` has ping as PID 1, with ping's signal handling).
    if (execLast && last !== undefined && last.rest.length === 0 && !last.first.negated && last.first.command.kind === 'simple') {
      await this.#list(list.slice(0, -1));
      this.#execTail = true;
    }
    await this.#list(execLast && this.#execTail ? [last] : list);
  }

  /** Set while the last command of `sh -c` runs: an external command there is exec'd. */
  #execTail = false;

  async #list(list: List): Promise<number> {
    for (const item of list) {
      await this.#andOr(item);
      if (this.ctx.signal.aborted) throw new ExitShell(EXIT_INTERRUPTED);
    }
    return this.#status;
  }

  async #andOr(item: AndOr): Promise<void> {
    await this.#pipeline(item.first.command, item.first.negated);
    for (const { op, pipeline } of item.rest) {
      if ((op === '&&') !== (this.#status === 0)) continue;
      await this.#pipeline(pipeline.command, pipeline.negated);
    }
  }

  async #pipeline(command: Command, negated: boolean): Promise<void> {
    await this.#command(command);
    if (negated) this.#status = this.#status === 0 ? 1 : 0;
  }

  async #command(command: Command): Promise<void> {
    switch (command.kind) {
      case 'simple':
        return this.#simple(command.words, command.line);
      case 'if': {
        for (const branch of command.branches) {
          await this.#list(branch.condition);
          if (this.#status === 0) {
            await this.#list(branch.body);
            return;
          }
        }
        this.#status = 0;
        if (command.otherwise !== undefined) await this.#list(command.otherwise);
        return;
      }
      case 'loop': {
        let status = 0;
        for (;;) {
          await this.#yield();
          await this.#list(command.condition);
          if ((this.#status === 0) === command.until) break;
          status = await this.#list(command.body);
        }
        this.#status = status;
        return;
      }
      case 'for': {
        const items = command.items === undefined ? [...this.#positional] : this.#expandAll(command.items);
        this.#status = 0;
        for (const item of items) {
          await this.#yield();
          this.#setVar(command.name, item);
          await this.#list(command.body);
        }
        return;
      }
    }
  }

  async #yield(): Promise<void> {
    if (++this.#iterations % LOOP_YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.ctx.signal.aborted) throw new ExitShell(EXIT_INTERRUPTED);
  }

  #param(name: string): string[] | string {
    switch (name) {
      case '?':
        return String(this.#status);
      case '$':
        return this.ctx.isPid1 ? '1' : '7';
      case '#':
        return String(this.#positional.length);
      case '@':
      case '*':
        return [...this.#positional];
      case '!':
        return '';
      case '-':
        return this.interactive ? 'i' : '';
      default:
        if (/^[0-9]+$/.test(name)) return name === '0' ? this.#arg0 : (this.#positional[Number(name) - 1] ?? '');
        return this.#vars.get(name)?.value ?? '';
    }
  }

  /** Parameter expansion and field splitting on blanks (no globbing). */
  #expand(word: Word): string[] {
    const fields: string[] = [];
    let current = '';
    let hasField = false;
    for (const part of word) {
      if (part.kind === 'literal') {
        current += part.text;
        hasField ||= part.quoted || part.text !== '';
        continue;
      }
      const value = this.#param(part.name);
      const values = Array.isArray(value) ? value : [value];
      if (part.quoted) {
        current += values.join(' ');
        hasField = true;
        continue;
      }
      const pieces = values.join(' ').split(/[ \t\n]+/);
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0) {
          if (hasField || current !== '') fields.push(current);
          current = '';
          hasField = false;
        }
        current += pieces[i];
        hasField ||= pieces[i] !== '';
      }
    }
    if (hasField || current !== '') fields.push(current);
    return fields;
  }

  #expandAll(words: readonly Word[]): string[] {
    return words.flatMap((w) => this.#expand(w));
  }

  #setVar(name: string, value: string, exported?: boolean): void {
    const old = this.#vars.get(name);
    this.#vars.set(name, { value, exported: exported ?? old?.exported ?? false });
  }

  #environment(extra: ReadonlyMap<string, string>): Record<string, string> {
    const env: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [name, v] of this.#vars) if (v.exported) env[name] = v.value;
    for (const [name, value] of extra) env[name] = value;
    return env;
  }

  async #simple(words: readonly Word[], line: number): Promise<void> {
    const assignments = new Map<string, string>();
    let at = 0;
    for (; at < words.length; at++) {
      const first = words[at][0];
      const m = first?.kind === 'literal' && !first.quoted ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text) : null;
      if (m === null) break;
      const rest: Word = [{ kind: 'literal', text: first.kind === 'literal' ? first.text.slice(m[0].length) : '', quoted: true }, ...words[at].slice(1)];
      assignments.set(m[1], this.#expand(rest).join(' '));
    }
    const argv = this.#expandAll(words.slice(at));
    if (argv.length === 0) {
      for (const [name, value] of assignments) this.#setVar(name, value);
      this.#status = 0;
      return;
    }
    const builtin = BUILTINS[argv[0]];
    if (builtin !== undefined && Object.hasOwn(BUILTINS, argv[0])) {
      this.#status = await builtin(this, argv, line);
      return;
    }
    await this.#run(argv, assignments, line);
  }

  async #run(argv: string[], assignments: ReadonlyMap<string, string>, line: number): Promise<void> {
    if (!this.ctx.hasProgram(argv[0])) {
      this.#message(`${argv[0]}: not found`, undefined, line);
      this.#status = EXIT_NOT_FOUND;
      return;
    }
    if (this.#execTail) throw new ExitShell(await this.ctx.exec(argv, this.#environment(assignments)));
    this.#status = await this.ctx.spawn(argv, { stdout: this.ctx.stdout, stderr: this.ctx.stderr, stdin: this.ctx.stdin, env: this.#environment(assignments) });
  }

  // Builtins' access to the shell's state.
  builtinError(command: string, line: number, text: string): number {
    this.#message(text, command, line);
    return EXIT_SYNTAX;
  }
  write(text: string): void {
    this.ctx.stdout.write(text);
  }
  get cwd(): string {
    return this.#vars.get('PWD')?.value ?? '/';
  }
  changeDirectory(path: string): boolean {
    const target = resolvePath(this.cwd, path);
    if (!DIRECTORIES.has(target)) return false;
    this.#setVar('OLDPWD', this.cwd, true);
    this.#setVar('PWD', target, true);
    return true;
  }
  home(): string {
    return this.#vars.get('HOME')?.value ?? '/root';
  }
  lastStatus(): number {
    return this.#status;
  }
  setVariable(name: string, value: string | undefined, exported: boolean): void {
    const old = this.#vars.get(name);
    this.#vars.set(name, { value: value ?? old?.value ?? '', exported: exported || (old?.exported ?? false) });
  }
  unsetVariable(name: string): void {
    this.#vars.delete(name);
  }
  /** The `exec` builtin: the program replaces the shell (keeping PID 1 if the shell had it). */
  async execProgram(argv: string[], line: number): Promise<never> {
    if (!this.ctx.hasProgram(argv[0])) {
      this.#message(`exec: ${argv[0]}: not found`, undefined, line);
      throw new ExitShell(EXIT_NOT_FOUND);
    }
    throw new ExitShell(await this.ctx.exec(argv, this.#environment(new Map())));
  }

  /** The interactive prompt: PS1 `\w \$ ` for root (`~` for HOME). */
  prompt(): string {
    const cwd = this.cwd === this.home() ? '~' : this.cwd;
    return `${cwd} # `;
  }
}

type Builtin = (shell: Shell, argv: string[], line: number) => Promise<number> | number;

const BUILTINS: Readonly<Record<string, Builtin>> = {
  ':': () => 0,
  true: () => 0,
  false: () => 1,
  echo: (shell, argv) => {
    shell.write(echoText(argv.slice(1)));
    return 0;
  },
  pwd: (shell) => {
    shell.write(`${shell.cwd}\n`);
    return 0;
  },
  cd: (shell, argv, line) => {
    const target = argv[1] === undefined ? shell.home() : argv[1];
    if (shell.changeDirectory(target)) return 0;
    return shell.builtinError('cd', line, `can't cd to ${target}: No such file or directory`);
  },
  exit: (shell, argv, line) => {
    if (argv[1] === undefined) throw new ExitShell(shell.lastStatus());
    if (!/^[0-9]+$/.test(argv[1])) {
      shell.builtinError('exit', line, `Illegal number: ${argv[1]}`);
      throw new ExitShell(EXIT_SYNTAX);
    }
    throw new ExitShell(Number(argv[1]) & 0xff);
  },
  export: (shell, argv) => {
    for (const arg of argv.slice(1)) {
      const eq = arg.indexOf('=');
      shell.setVariable(eq < 0 ? arg : arg.slice(0, eq), eq < 0 ? undefined : arg.slice(eq + 1), true);
    }
    return 0;
  },
  unset: (shell, argv) => {
    for (const name of argv.slice(1)) shell.unsetVariable(name);
    return 0;
  },
  exec: (shell, argv, line) => (argv.length < 2 ? 0 : shell.execProgram(argv.slice(1), line)),
};

/** A line from stdin, or null at its end or when the shell is told to stop. */
function readLineUnlessAborted(stdin: ProgramInput, signal: AbortSignal): Promise<string | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve) => {
    const onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    void stdin.readLine().then((line) => {
      signal.removeEventListener('abort', onAbort);
      resolve(line);
    });
  });
}

/** Reads and runs stdin line by line; a construct spanning lines waits for its end (PS2). */
async function readEvalLoop(shell: Shell, ctx: ProgramContext, interactive: boolean): Promise<void> {
  let pending = '';
  let continuation = 0;
  for (;;) {
    if (interactive) ctx.stderr.write(pending === '' ? shell.prompt() : '> ');
    const line = await readLineUnlessAborted(ctx.stdin, ctx.signal);
    if (ctx.signal.aborted) throw new ExitShell(EXIT_INTERRUPTED);
    if (line === null) {
      if (pending !== '') await shell.runSource(pending);
      return;
    }
    const source = pending === '' ? line : `${pending}\n${line}`;
    let complete = true;
    try {
      parseScript(source);
    } catch (e) {
      if (e instanceof ShellSyntaxError && e.incomplete && ++continuation < MAX_CONTINUATION_LINES) complete = false;
    }
    if (!complete) {
      pending = source;
      continue;
    }
    pending = '';
    continuation = 0;
    await shell.runSource(source);
  }
}

export const sh: Program = async (ctx) => {
  const argv = ctx.argv;
  let i = 1;
  let command: string | undefined;
  let forceInteractive = false;
  for (; i < argv.length && argv[i].startsWith('-') && argv[i] !== '-'; i++) {
    if (argv[i] === '--') {
      i++;
      break;
    }
    for (const flag of argv[i].slice(1)) {
      if (flag === 'c') command = '';
      else if (flag === 'i') forceInteractive = true;
      else if (flag !== 's' && flag !== 'l' && flag !== 'e' && flag !== 'x') {
        ctx.stderr.write(`${argv[0]}: -${flag}: invalid option\n`);
        return EXIT_SYNTAX;
      }
    }
  }
  const rest = argv.slice(i);
  let arg0 = argv[0];
  let scriptName: string | undefined;
  let script: string | undefined;
  if (command !== undefined) {
    if (rest.length === 0) {
      ctx.stderr.write(`${arg0}: -c requires an argument\n`);
      return EXIT_SYNTAX;
    }
    command = rest.shift()!;
    // `sh -c CMD NAME ARGS…`: NAME becomes $0 and the command name in messages.
    if (rest.length > 0) arg0 = scriptName = rest.shift()!;
  } else if (rest.length > 0) {
    const file = rest.shift()!;
    script = ctx.readFile(resolvePath(ctx.env.PWD ?? '/', file));
    if (script === undefined) {
      ctx.stderr.write(`${arg0}: can't open '${file}': ${strerror('ENOENT', ctx.libc)}\n`);
      return EXIT_NOT_FOUND;
    }
    arg0 = scriptName = file;
  }
  const interactive = command === undefined && script === undefined && (forceInteractive || ctx.tty);
  const shell = new Shell(ctx, arg0, rest, scriptName, interactive);
  if (interactive) {
    ctx.signals.on('SIGINT', () => {});
    ctx.signals.on('SIGTERM', () => {});
    ctx.signals.on('SIGQUIT', () => {});
  }
  try {
    if (command !== undefined) await shell.runSource(command, true);
    else if (script !== undefined) await shell.runSource(script);
    else await readEvalLoop(shell, ctx, interactive);
  } catch (e) {
    if (e instanceof ExitShell) return e.status;
    throw e;
  }
  return shell.status;
};
