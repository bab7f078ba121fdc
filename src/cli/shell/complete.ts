/**
 * Tab completion for `swarmnet shell`: shell commands and directives at the start of a line,
 * host names after `use` and `@kill` (and as a `HOST$` prefix), and `completeDocker` for the
 * words of a `docker …` line. Pure: readline calls `completeShellLine` with the text left of the
 * cursor and replaces the returned substring with the chosen candidate.
 */

/** What completion needs to know; all injected so it can be tested alone. */
export interface CompleteContext {
  readonly hosts: readonly string[];
  /** Candidates for `partial`, given the complete words after `docker`. */
  readonly completeDocker: (words: readonly string[], partial: string) => string[];
  /** Shell-style word splitting; throws on an unterminated quote. */
  readonly split: (line: string) => string[];
}

/** Words a shell line may start with, besides `HOST$`. */
export const SHELL_COMMANDS = ['docker', 'use', 'hosts', 'help', 'exit', '@sh', '@sleep', '@kill', '@expose-dns'] as const;

/**
 * `[candidates, partial]` in readline's completer form: `partial` is the word being typed (the
 * text after the last blank), `candidates` what it may become.
 */
export function completeShellLine(line: string, ctx: CompleteContext): [string[], string] {
  const partial = /\S*$/.exec(line)![0];
  let before = line.slice(0, line.length - partial.length);
  const prompt = /^\s*\S+\$\s+/.exec(before);
  if (before.trim() === '') {
    const words = [...SHELL_COMMANDS, ...ctx.hosts.map((h) => `${h}$`)];
    return [words.filter((w) => w.startsWith(partial)), partial];
  }
  if (prompt !== null) before = before.slice(prompt[0].length);
  let words: string[];
  try {
    words = ctx.split(before);
  } catch {
    return [[], partial]; // inside an open quote: nothing sensible to offer
  }
  if (words.length === 0) return [['docker'].filter((w) => w.startsWith(partial)), partial];
  const [first] = words;
  if ((first === 'use' || first === '@kill') && words.length === 1 && prompt === null) {
    return [ctx.hosts.filter((h) => h.startsWith(partial)), partial];
  }
  if (first === 'docker') return [ctx.completeDocker(words.slice(1), partial), partial];
  return [[], partial];
}
