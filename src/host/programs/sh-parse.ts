/**
 * The grammar of swarmnet's busybox `sh` (ash): words with '…', "…", \ escapes and `$VAR`,
 * `${VAR}`, `$?`, `$$`, `$#`, `$0`…`$9`, `$@`/`$*` expansions; `#` comments; lists with `;`,
 * newlines, `&&`, `||`, `!`; `if/elif/else/fi`, `while`/`until … do … done`, `for NAME [in …]`.
 * Syntax errors carry ash's texts (shell/ash.c `raise_error_unexpected_syntax`, `tokname`):
 * `unexpected "fi"`, `unexpected end of file (expecting "done")`, `unterminated quoted string`.
 *
 * Pipelines, redirections, `&`, subshells and command substitution are not emulated: they are
 * refused with a syntax error that says so, rather than run wrongly.
 */

export type WordPart =
  | { readonly kind: 'literal'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'param'; readonly name: string; readonly quoted: boolean };

export type Word = readonly WordPart[];

export type Command =
  | { readonly kind: 'simple'; readonly words: readonly Word[]; readonly line: number }
  | { readonly kind: 'if'; readonly branches: readonly { readonly condition: List; readonly body: List }[]; readonly otherwise: List | undefined }
  | { readonly kind: 'loop'; readonly until: boolean; readonly condition: List; readonly body: List }
  | { readonly kind: 'for'; readonly name: string; readonly items: readonly Word[] | undefined; readonly body: List };

export interface Pipeline {
  readonly negated: boolean;
  readonly command: Command;
}

export interface AndOr {
  readonly first: Pipeline;
  readonly rest: readonly { readonly op: '&&' | '||'; readonly pipeline: Pipeline }[];
}

export type List = readonly AndOr[];

/** A syntax error; `incomplete` when more input could complete it (the interactive PS2 case). */
export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    readonly incomplete: boolean,
  ) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

type Token =
  | { readonly type: 'word'; readonly word: Word; readonly bare: string | undefined; readonly line: number }
  | { readonly type: 'op'; readonly op: string; readonly line: number }
  | { readonly type: 'newline'; readonly line: number }
  | { readonly type: 'eof'; readonly line: number };

const UNSUPPORTED_OPERATORS = ['|', '&', '<', '>', '(', ')'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'while', 'until', 'do', 'done', 'for', 'in', '!']);

function unsupported(what: string): ShellSyntaxError {
  return new ShellSyntaxError(`unexpected "${what}" (swarmnet's sh has no pipelines, redirections, background jobs, subshells or command substitution)`, false);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < source.length) {
    const c = source[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '\n') {
      tokens.push({ type: 'newline', line });
      line++;
      i++;
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '\\' && source[i + 1] === '\n') {
      i += 2;
      line++;
    } else if (c === ';' || c === '&' || c === '|') {
      const two = source.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        tokens.push({ type: 'op', op: two, line });
        i += 2;
      } else if (c === ';') {
        if (two === ';;') throw new ShellSyntaxError('unexpected ";;"', false);
        tokens.push({ type: 'op', op: ';', line });
        i++;
      } else throw unsupported(c);
    } else if (UNSUPPORTED_OPERATORS.includes(c)) {
      throw unsupported(c);
    } else {
      const start = line;
      const { word, end, lines } = readWord(source, i);
      line += lines;
      i = end;
      const bare = word.every((p) => p.kind === 'literal' && !p.quoted) ? word.map((p) => (p as { text: string }).text).join('') : undefined;
      tokens.push({ type: 'word', word, bare, line: start });
    }
  }
  tokens.push({ type: 'eof', line });
  return tokens;
}

/** One word from `i`: up to unquoted blank, newline or operator. */
function readWord(source: string, start: number): { word: Word; end: number; lines: number } {
  const parts: WordPart[] = [];
  let lines = 0;
  let i = start;
  const literal = (text: string, quoted: boolean) => {
    const last = parts[parts.length - 1];
    if (last?.kind === 'literal' && last.quoted === quoted) parts[parts.length - 1] = { kind: 'literal', text: last.text + text, quoted };
    else parts.push({ kind: 'literal', text, quoted });
  };
  const dollar = (quoted: boolean): void => {
    // source[i] is '$'
    const next = source[i + 1];
    if (next === '(' || next === '`') throw unsupported('$(');
    if (next === '{') {
      const close = source.indexOf('}', i + 2);
      if (close < 0) throw new ShellSyntaxError('missing \'}\'', true);
      const name = source.slice(i + 2, close);
      if (!/^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?$#@*!-])$/.test(name)) throw new ShellSyntaxError(`\${${name}}: bad substitution`, false);
      parts.push({ kind: 'param', name, quoted });
      i = close + 1;
      return;
    }
    if (next !== undefined && '?$#@*!-0123456789'.includes(next)) {
      parts.push({ kind: 'param', name: next, quoted });
      i += 2;
      return;
    }
    const m = NAME.exec(source.slice(i + 1));
    if (m === null) {
      literal('$', quoted);
      i++;
      return;
    }
    parts.push({ kind: 'param', name: m[0], quoted });
    i += 1 + m[0].length;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '&' || c === '|' || UNSUPPORTED_OPERATORS.includes(c)) break;
    if (c === '`') throw unsupported('`');
    if (c === '\\') {
      if (i + 1 >= source.length) {
        literal('\\', false);
        i++;
      } else if (source[i + 1] === '\n') {
        i += 2;
        lines++;
      } else {
        literal(source[i + 1], true);
        i += 2;
      }
    } else if (c === "'") {
      const close = source.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('unterminated quoted string', true);
      const text = source.slice(i + 1, close);
      lines += text.split('\n').length - 1;
      literal(text, true);
      i = close + 1;
    } else if (c === '"') {
      i++;
      // An empty "" still makes a (quoted, empty) field.
      literal('', true);
      for (;;) {
        if (i >= source.length) throw new ShellSyntaxError('unterminated quoted string', true);
        const d = source[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === '`') throw unsupported('`');
        if (d === '\\' && i + 1 < source.length && '$`"\\\n'.includes(source[i + 1])) {
          if (source[i + 1] === '\n') lines++;
          else literal(source[i + 1], true);
          i += 2;
        } else if (d === '$') {
          dollar(true);
        } else {
          if (d === '\n') lines++;
          literal(d, true);
          i++;
        }
      }
    } else if (c === '$') {
      dollar(false);
    } else {
      literal(c, false);
      i++;
    }
  }
  return { word: parts, end: i, lines };
}

/** Parses a whole script (or one `-c` string). Throws ShellSyntaxError. */
export function parseScript(source: string): List {
  const parser = new Parser(tokenize(source));
  const list = parser.list(new Set());
  parser.expectEnd();
  return list;
}

class Parser {
  #at = 0;

  constructor(private readonly tokens: Token[]) {}

  #peek(): Token {
    return this.tokens[this.#at];
  }

  #next(): Token {
    return this.tokens[Math.min(this.#at++, this.tokens.length - 1)];
  }

  #skipSeparators(): void {
    for (;;) {
      const t = this.#peek();
      if (t.type === 'newline') this.#at++;
      else return;
    }
  }

  #reserved(t: Token): string | undefined {
    return t.type === 'word' && t.bare !== undefined && RESERVED.has(t.bare) ? t.bare : undefined;
  }

  #unexpected(t: Token, expecting?: string): ShellSyntaxError {
    const name = t.type === 'eof' ? 'end of file' : t.type === 'newline' ? 'newline' : t.type === 'op' ? `"${t.op}"` : this.#reserved(t) !== undefined ? `"${t.bare}"` : 'word';
    return new ShellSyntaxError(`unexpected ${name}${expecting === undefined ? '' : ` (expecting "${expecting}")`}`, t.type === 'eof');
  }

  expectEnd(): void {
    const t = this.#peek();
    if (t.type !== 'eof') throw this.#unexpected(t);
  }

  /** and-or lists separated by `;`/newlines, up to a reserved word in `stops` or the end. */
  list(stops: ReadonlySet<string>): AndOr[] {
    const items: AndOr[] = [];
    for (;;) {
      this.#skipSeparators();
      const t = this.#peek();
      if (t.type === 'eof') return items;
      const word = this.#reserved(t);
      if (word !== undefined && stops.has(word)) return items;
      items.push(this.#andOr());
      const sep = this.#peek();
      if (sep.type === 'op' && sep.op === ';') this.#at++;
      else if (sep.type !== 'newline' && sep.type !== 'eof' && !(this.#reserved(sep) !== undefined && stops.has(this.#reserved(sep)!))) throw this.#unexpected(sep);
    }
  }

  #andOr(): AndOr {
    const first = this.#pipeline();
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.type !== 'op' || (t.op !== '&&' && t.op !== '||')) return { first, rest };
      this.#at++;
      this.#skipSeparators();
      rest.push({ op: t.op, pipeline: this.#pipeline() });
    }
  }

  #pipeline(): Pipeline {
    if (this.#reserved(this.#peek()) === '!') {
      this.#at++;
      return { negated: true, command: this.#command() };
    }
    return { negated: false, command: this.#command() };
  }

  #command(): Command {
    const t = this.#peek();
    switch (this.#reserved(t)) {
      case 'if':
        return this.#if();
      case 'while':
      case 'until':
        return this.#loop();
      case 'for':
        return this.#for();
      case undefined:
        break;
      default:
        throw this.#unexpected(t);
    }
    const words: Word[] = [];
    while (this.#peek().type === 'word') words.push((this.#next() as { word: Word }).word);
    if (words.length === 0) throw this.#unexpected(this.#peek());
    return { kind: 'simple', words, line: t.line };
  }

  #expect(word: string): void {
    const t = this.#peek();
    if (this.#reserved(t) !== word) throw this.#unexpected(t, word);
    this.#at++;
  }

  #body(stops: string[], expecting: string): List {
    const body = this.list(new Set(stops));
    if (body.length === 0) throw this.#unexpected(this.#peek(), this.#peek().type === 'eof' ? expecting : undefined);
    return body;
  }

  #if(): Command {
    this.#at++;
    const branches: { condition: List; body: List }[] = [];
    let otherwise: List | undefined;
    for (;;) {
      const condition = this.#body(['then'], 'then');
      this.#expect('then');
      const body = this.#body(['elif', 'else', 'fi'], 'fi');
      branches.push({ condition, body });
      const t = this.#peek();
      const word = this.#reserved(t);
      if (word === 'elif') {
        this.#at++;
        continue;
      }
      if (word === 'else') {
        this.#at++;
        otherwise = this.#body(['fi'], 'fi');
      }
      this.#expect('fi');
      return { kind: 'if', branches, otherwise };
    }
  }

  #loop(): Command {
    const until = (this.#next() as { bare: string }).bare === 'until';
    const condition = this.#body(['do'], 'do');
    this.#expect('do');
    const body = this.#body(['done'], 'done');
    this.#expect('done');
    return { kind: 'loop', until, condition, body };
  }

  #for(): Command {
    this.#at++;
    const nameToken = this.#next();
    if (nameToken.type !== 'word' || nameToken.bare === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(nameToken.bare)) {
      throw new ShellSyntaxError(`bad for loop variable`, false);
    }
    let items: Word[] | undefined;
    this.#skipSeparators();
    if (this.#reserved(this.#peek()) === 'in') {
      this.#at++;
      items = [];
      while (this.#peek().type === 'word') items.push((this.#next() as { word: Word }).word);
      const sep = this.#peek();
      if (sep.type === 'op' && sep.op === ';') this.#at++;
      else if (sep.type !== 'newline') throw this.#unexpected(sep, 'do');
    } else {
      const sep = this.#peek();
      if (sep.type === 'op' && sep.op === ';') this.#at++;
    }
    this.#skipSeparators();
    this.#expect('do');
    const body = this.#body(['done'], 'done');
    this.#expect('done');
    return { kind: 'for', name: nameToken.bare, items, body };
  }
}
