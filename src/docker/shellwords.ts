/**
 * Splitting a typed command line into argv the way a POSIX shell does for a simple command, so
 * that `docker node inspect --format '{{ .Status.Addr }}' self` from a tutorial reaches `runDocker`
 * with the same words `docker` would get from `sh`. No expansion happens: `$`, `*`, `~`, `|` and
 * `;` are ordinary characters here.
 *
 * Rules (POSIX.1-2017 XCU §2.2–2.3): blanks and newlines separate words; `'…'` keeps everything
 * literally; inside `"…"` a backslash escapes only `$`, `` ` ``, `"`, `\` and newline; outside
 * quotes a backslash keeps the next character, and backslash-newline joins lines; quotes glue
 * onto the surrounding word (`a'b c'd` is one word) and `''` is an empty word; `#` at the start
 * of a word comments out the rest of the line. An unterminated quote throws
 * `CommandLineError` (`unterminated-quote`); a trailing lone backslash is kept, as `sh -c` does.
 */
import { SwarmnetError } from '../util/errors.js';

export class CommandLineError extends SwarmnetError {
  constructor(message: string) {
    super('unterminated-quote', message);
    this.name = 'CommandLineError';
  }
}

const BLANKS = ' \t\n\r';
/** Characters a `"…"` backslash escapes (POSIX §2.2.3). */
const DQUOTE_ESCAPABLE = '$`"\\\n';

export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const ch = line[i];
    if (BLANKS.includes(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === '#' && !inWord) {
      while (i < n && line[i] !== '\n') i++;
    } else if (ch === '\\') {
      if (i + 1 >= n) {
        word += '\\';
        inWord = true;
        i++;
      } else if (line[i + 1] === '\n') {
        i += 2; // line continuation
      } else {
        word += line[i + 1];
        inWord = true;
        i += 2;
      }
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CommandLineError('unterminated single quote');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= n) throw new CommandLineError('unterminated double quote');
        const c = line[i];
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < n && DQUOTE_ESCAPABLE.includes(line[i + 1])) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Words that need no quoting: the shell gives them no meaning. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word so that `splitCommandLine` gives it back unchanged (`''` for an empty word). */
export function quoteWord(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The inverse of `splitCommandLine`: `splitCommandLine(joinCommandLine(w))` equals `w`. */
export function joinCommandLine(words: readonly string[]): string {
  return words.map(quoteWord).join(' ');
}
