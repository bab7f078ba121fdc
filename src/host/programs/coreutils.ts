/**
 * Small busybox applets: `cat` (coreutils/cat.c: files from the container, or stdin; a missing
 * file is `cat: can't open 'x': No such file or directory`, exit 1, the others still printed),
 * `echo` (coreutils/echo.c: `-n`, `-e`, `-E`), `env` (coreutils/env.c: print the environment, or
 * run a program with `NAME=value` / `-i` / `-u NAME` changes), `true`, `false`.
 */
import { defineApplet } from './busybox.js';
import { strerror } from './strerror.js';
import type { Program, ProgramContext } from './types.js';

/** Joins `path` to `cwd` and removes `.`, `..` and repeated slashes. */
export function resolvePath(cwd: string, path: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** What busybox `echo` prints for `args` (also the shell builtin). */
export function echoText(args: readonly string[]): string {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < args.length && /^-[neE]+$/.test(args[i]); i++) {
    for (const c of args[i].slice(1)) {
      if (c === 'n') newline = false;
      else escapes = c === 'e';
    }
  }
  let text = args.slice(i).join(' ');
  if (escapes) {
    const cut = text.indexOf('\\c');
    if (cut >= 0) {
      text = text.slice(0, cut);
      newline = false;
    }
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };
    text = text.replace(/\\([ntr\\abfv])/g, (_, c: string) => map[c]);
  }
  return newline ? `${text}\n` : text;
}

export const echo: Program = async (ctx) => {
  ctx.stdout.write(echoText(ctx.argv.slice(1)));
  return 0;
};

export const trueProgram: Program = async () => 0;
export const falseProgram: Program = async () => 1;

async function copyStdin(ctx: ProgramContext): Promise<void> {
  for (;;) {
    if (ctx.signal.aborted) return;
    const line = await ctx.stdin.readLine();
    if (line === null) return;
    ctx.stdout.write(`${line}\n`);
  }
}

export const cat = defineApplet('cat', '[-nbvteA] [FILE]...\n\nPrint FILEs to stdout', async (ctx) => {
  const files = ctx.argv.slice(1).filter((a) => a === '-' || !a.startsWith('-'));
  if (files.length === 0) {
    await copyStdin(ctx);
    return 0;
  }
  let status = 0;
  for (const file of files) {
    if (file === '-') {
      await copyStdin(ctx);
      continue;
    }
    const text = ctx.readFile(resolvePath(ctx.env.PWD ?? '/', file));
    if (text === undefined) {
      ctx.stderr.write(`cat: can't open '${file}': ${strerror('ENOENT', ctx.libc)}\n`);
      status = 1;
      continue;
    }
    ctx.stdout.write(text);
  }
  return status;
});

export const env = defineApplet('env', '[-i] [-u NAME]... [-] [NAME=VALUE]... [PROG ARGS]\n\nPrint current environment or run PROG after setting up environment\n\n\t-, -i\tStart with empty environment\n\t-u NAME\tRemove variable from environment', async (ctx) => {
  const vars: Record<string, string> = Object.create(null) as Record<string, string>;
  Object.assign(vars, ctx.env);
  let i = 1;
  for (; i < ctx.argv.length; i++) {
    const arg = ctx.argv[i];
    if (arg === '-i' || arg === '-') for (const k of Object.keys(vars)) delete vars[k];
    else if (arg === '-u' && i + 1 < ctx.argv.length) delete vars[ctx.argv[++i]];
    else if (arg === '--') {
      i++;
      break;
    } else break;
  }
  for (; i < ctx.argv.length && ctx.argv[i].includes('='); i++) {
    const arg = ctx.argv[i];
    vars[arg.slice(0, arg.indexOf('='))] = arg.slice(arg.indexOf('=') + 1);
  }
  const command = ctx.argv.slice(i);
  if (command.length === 0) {
    for (const [name, value] of Object.entries(vars)) ctx.stdout.write(`${name}=${value}\n`);
    return 0;
  }
  if (!ctx.hasProgram(command[0])) {
    ctx.stderr.write(`env: can't execute '${command[0]}': ${strerror('ENOENT', ctx.libc)}\n`);
    return 127;
  }
  return ctx.spawn(command, { stdout: ctx.stdout, stderr: ctx.stderr, stdin: ctx.stdin, env: vars });
});
