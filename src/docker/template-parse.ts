/**
 * Parsing the Go `text/template` subset that `--format` strings use in practice
 * (`{{.ID}}: {{.Hostname}}`, `{{json .Spec}}`, `{{range $k, $v := .Spec.Labels}}…{{end}}`,
 * `{{if .ManagerStatus}}…{{else}}…{{end}}`, `{{index .Spec.Labels "zone"}}`, `{{.Status.Addr | upper}}`).
 *
 * Supported: text with `{{- ` / ` -}}` trimming, `{{/* comments *\/}}`, fields and chains
 * (`.A.B`, `$v.A`, `(pipeline).A`), variables (`$x := …`, `$k, $v :=` in `range`), string / raw
 * string / number / bool / nil literals, function calls and `|` pipelines, `if` / `else if` /
 * `else` / `end`, `range` (with `else`), `with` (with `else`). Not supported: `define`,
 * `template`, `block`, `break`, `continue` (a parse error says so). Errors read like Go's
 * (`template: :1: function "foo" not defined`); `parseTemplate` never throws.
 */

export type Arg =
  | { readonly kind: 'field'; readonly names: readonly string[]; readonly pos: number; readonly text: string }
  | { readonly kind: 'dot'; readonly pos: number; readonly text: string }
  | { readonly kind: 'var'; readonly name: string; readonly names: readonly string[]; readonly pos: number; readonly text: string }
  | { readonly kind: 'ident'; readonly name: string; readonly pos: number; readonly text: string }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null; readonly pos: number; readonly text: string }
  | { readonly kind: 'pipe'; readonly pipe: Pipe; readonly names: readonly string[]; readonly pos: number; readonly text: string };

export interface Cmd {
  readonly args: readonly Arg[];
  readonly pos: number;
  readonly text: string;
}

export interface Pipe {
  /** Variables declared (`$x :=`) or assigned (`$x =`). */
  readonly decl: readonly string[];
  readonly assign: boolean;
  readonly cmds: readonly Cmd[];
  readonly pos: number;
}

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly pipe: Pipe }
  | ControlNode;

/** `{{if}}`, `{{range}}` or `{{with}}` … `{{else}}` … `{{end}}`. */
export interface ControlNode {
  readonly kind: 'if' | 'range' | 'with';
  readonly pipe: Pipe;
  readonly list: readonly TemplateNode[];
  readonly elseList?: readonly TemplateNode[];
}

export interface ParsedTemplate {
  readonly source: string;
  readonly nodes: readonly TemplateNode[];
}

/** Names the parser accepts as functions (cli `templates.basicFunctions` plus Go's builtins). */
export const TEMPLATE_FUNCTIONS: ReadonlySet<string> = new Set([
  'and', 'or', 'not', 'len', 'index', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'print', 'printf', 'println',
  'json', 'split', 'join', 'title', 'lower', 'upper', 'pad', 'truncate',
]);

interface Token {
  readonly type: 'field' | 'var' | 'ident' | 'string' | 'number' | 'lparen' | 'rparen' | 'pipe' | 'comma' | 'declare' | 'assign' | 'dot';
  readonly text: string;
  readonly pos: number;
  readonly value?: string | number;
  readonly names?: readonly string[];
}

type Item = { readonly type: 'text'; readonly text: string } | { readonly type: 'action'; readonly tokens: readonly Token[]; readonly pos: number };

class TemplateSyntaxError extends Error {}

export type ParseOutcome = { readonly ok: true; readonly template: ParsedTemplate } | { readonly ok: false; readonly error: string };

export function parseTemplate(source: string): ParseOutcome {
  try {
    const items = lex(source);
    const p = new Parser(source, items);
    const nodes = p.parseList([]);
    return { ok: true, template: { source, nodes } };
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
}

const lineOf = (src: string, pos: number): number => src.slice(0, pos).split('\n').length;
const fail = (src: string, pos: number, msg: string): never => {
  throw new TemplateSyntaxError(`template: :${lineOf(src, pos)}: ${msg}`);
};
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isIdent = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

function lex(src: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      if (text !== '') items.push({ type: 'text', text });
      break;
    }
    let j = open + 2;
    if (src[j] === '-' && isSpace(src[j + 1])) {
      text = text.replace(/[ \t\r\n]+$/, '');
      j += 2;
    }
    if (text !== '') items.push({ type: 'text', text });
    while (isSpace(src[j])) j++;
    if (src.startsWith('/*', j)) {
      const end = src.indexOf('*/', j + 2);
      if (end < 0) fail(src, open, 'unclosed comment');
      let k = end + 2;
      trimNext = false;
      if (src[k] === ' ' && src[k + 1] === '-' && src.startsWith('}}', k + 2)) {
        trimNext = true;
        k += 2;
      }
      if (!src.startsWith('}}', k)) fail(src, open, 'comment ends before closing delimiter');
      i = k + 2;
      continue;
    }
    const tokens: Token[] = [];
    for (;;) {
      while (isSpace(src[j])) j++;
      if (j >= src.length) fail(src, open, 'unclosed action');
      if (src.startsWith('}}', j)) {
        trimNext = false;
        i = j + 2;
        break;
      }
      if (src[j] === '-' && src.startsWith('}}', j + 1) && isSpace(src[j - 1])) {
        trimNext = true;
        i = j + 3;
        break;
      }
      const t = lexToken(src, j);
      tokens.push(t);
      j = t.pos + t.text.length;
    }
    items.push({ type: 'action', tokens, pos: open });
  }
  return items;
}

function lexToken(src: string, j: number): Token {
  const c = src[j];
  const simple: Readonly<Record<string, Token['type']>> = { '(': 'lparen', ')': 'rparen', '|': 'pipe', ',': 'comma' };
  if (simple[c] !== undefined) return { type: simple[c], text: c, pos: j };
  if (src.startsWith(':=', j)) return { type: 'declare', text: ':=', pos: j };
  if (c === '=') return { type: 'assign', text: '=', pos: j };
  if (/[0-9]/.test(c) || ('+-.'.includes(c) && /[0-9]/.test(src[j + 1] ?? ''))) {
    const num = /^[+-]?(0[xX][0-9a-fA-F_]+|\d[\d_]*(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/.exec(src.slice(j))!;
    const value = Number(num[0].replaceAll('_', ''));
    if (Number.isNaN(value)) fail(src, j, `bad number syntax: "${num[0]}"`);
    return { type: 'number', text: num[0], pos: j, value };
  }
  if (c === '.' || c === '$') {
    let k = j;
    if (c === '$') {
      k++;
      while (isIdent(src[k])) k++;
    }
    const head = src.slice(j, k);
    const names: string[] = [];
    while (src[k] === '.' && isIdent(src[k + 1])) {
      const start = ++k;
      while (isIdent(src[k])) k++;
      names.push(src.slice(start, k));
    }
    if (c === '.' && names.length === 0) return { type: 'dot', text: '.', pos: j };
    return { type: c === '$' ? 'var' : 'field', text: src.slice(j, k), pos: j, value: head, names };
  }
  if (c === '"') {
    let k = j + 1;
    while (k < src.length && src[k] !== '"' && src[k] !== '\n') k += src[k] === '\\' ? 2 : 1;
    if (src[k] !== '"') fail(src, j, 'unterminated quoted string');
    const text = src.slice(j, k + 1);
    let value: string;
    try {
      // Go string escapes that JSON lacks: \xNN, \a, \v.
      const json = text.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
      value = JSON.parse(json) as string;
    } catch {
      return fail(src, j, `invalid syntax: ${text}`);
    }
    return { type: 'string', text, pos: j, value };
  }
  if (c === '`') {
    const end = src.indexOf('`', j + 1);
    if (end < 0) fail(src, j, 'unterminated raw quoted string');
    return { type: 'string', text: src.slice(j, end + 1), pos: j, value: src.slice(j + 1, end) };
  }
  if (isIdent(c)) {
    let k = j;
    while (isIdent(src[k])) k++;
    return { type: 'ident', text: src.slice(j, k), pos: j };
  }
  return fail(src, j, `unexpected ${JSON.stringify(c)} in command`);
}

class Parser {
  private index = 0;

  constructor(
    private readonly src: string,
    private readonly items: readonly Item[],
  ) {}

  /** Parses nodes until one of `ends` (`else`, `end`) or EOF; leaves the end action unconsumed. */
  parseList(ends: readonly string[]): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    while (this.index < this.items.length) {
      const item = this.items[this.index];
      if (item.type === 'text') {
        nodes.push({ kind: 'text', text: item.text });
        this.index++;
        continue;
      }
      const first = item.tokens[0];
      const keyword = first?.type === 'ident' ? first.text : '';
      if (keyword === 'end' || keyword === 'else') {
        if (!ends.includes(keyword)) fail(this.src, item.pos, `unexpected {{${keyword}}}`);
        return nodes;
      }
      this.index++;
      if (keyword === 'if' || keyword === 'range' || keyword === 'with') {
        nodes.push(this.parseControl(keyword, item.tokens.slice(1), item.pos));
      } else if (['define', 'template', 'block', 'break', 'continue'].includes(keyword)) {
        fail(this.src, item.pos, `{{${keyword}}} is not supported by swarmnet's template engine`);
      } else {
        nodes.push({ kind: 'action', pipe: this.parsePipe(item.tokens, item.pos, 'command', true) });
      }
    }
    if (ends.length > 0) fail(this.src, this.src.length, 'unexpected EOF');
    return nodes;
  }

  private parseControl(kind: 'if' | 'range' | 'with', tokens: readonly Token[], pos: number): TemplateNode {
    const pipe = this.parsePipe(tokens, pos, kind, true);
    const list = this.parseList(['else', 'end']);
    const end = this.items[this.index] as Extract<Item, { type: 'action' }>;
    this.index++;
    if (end.tokens[0].text === 'end') return { kind, pipe, list };
    // `{{else if …}}` / `{{else with …}}` nest a control node that shares the `{{end}}`.
    const rest = end.tokens.slice(1);
    if (rest.length > 0 && rest[0].type === 'ident' && (rest[0].text === 'if' || rest[0].text === 'with') && kind !== 'range') {
      const nested = this.parseControl(rest[0].text, rest.slice(1), end.pos);
      return { kind, pipe, list, elseList: [nested] };
    }
    if (rest.length > 0) fail(this.src, end.pos, 'unexpected tokens after else');
    const elseList = this.parseList(['end']);
    this.index++;
    return { kind, pipe, list, elseList };
  }

  private parsePipe(tokens: readonly Token[], pos: number, context: string, allowDecl: boolean): Pipe {
    let t = tokens;
    const decl: string[] = [];
    let assign = false;
    // `$x :=`, `$x =`, `$k, $v :=`
    if (allowDecl && t.length >= 2 && t[0].type === 'var' && (t[0].names ?? []).length === 0) {
      if (t[1].type === 'declare' || t[1].type === 'assign') {
        decl.push(t[0].text);
        assign = t[1].type === 'assign';
        t = t.slice(2);
      } else if (t[1].type === 'comma' && t[2]?.type === 'var' && (t[3]?.type === 'declare' || t[3]?.type === 'assign')) {
        decl.push(t[0].text, t[2].text);
        assign = t[3].type === 'assign';
        t = t.slice(4);
      }
    }
    const cmds: Cmd[] = [];
    let current: Arg[] = [];
    let cmdStart = t[0]?.pos ?? pos;
    const finish = (endPos: number): void => {
      if (current.length === 0) fail(this.src, pos, `missing value for ${context}`);
      cmds.push({ args: current, pos: cmdStart, text: this.src.slice(cmdStart, endPos).trim() });
      current = [];
    };
    for (let i = 0; i < t.length; i++) {
      const tok = t[i];
      if (tok.type === 'pipe') {
        finish(tok.pos);
        cmdStart = t[i + 1]?.pos ?? tok.pos;
        continue;
      }
      if (tok.type === 'lparen') {
        let depth = 1;
        let k = i + 1;
        for (; k < t.length && depth > 0; k++) {
          if (t[k].type === 'lparen') depth++;
          if (t[k].type === 'rparen') depth--;
        }
        if (depth > 0) fail(this.src, tok.pos, 'unclosed left paren');
        const inner = this.parsePipe(t.slice(i + 1, k - 1), tok.pos, 'command', false);
        const close = t[k - 1];
        // A field chain right after `)` applies to the parenthesised value.
        let names: readonly string[] = [];
        let end = close.pos + 1;
        if (t[k]?.type === 'field' && t[k].pos === close.pos + 1) {
          names = t[k].names ?? [];
          end = t[k].pos + t[k].text.length;
          k++;
        }
        current.push({ kind: 'pipe', pipe: inner, names, pos: tok.pos, text: this.src.slice(tok.pos, end) });
        i = k - 1;
        continue;
      }
      current.push(this.operand(tok));
    }
    if (t.length > 0 || decl.length === 0) finish(t.length > 0 ? t[t.length - 1].pos + t[t.length - 1].text.length : pos);
    return { decl, assign, cmds, pos };
  }

  private operand(tok: Token): Arg {
    const base = { pos: tok.pos, text: tok.text };
    switch (tok.type) {
      case 'field':
        return { kind: 'field', names: tok.names ?? [], ...base };
      case 'dot':
        return { kind: 'dot', ...base };
      case 'var':
        return { kind: 'var', name: String(tok.value), names: tok.names ?? [], ...base };
      case 'string':
      case 'number':
        return { kind: 'literal', value: tok.value ?? '', ...base };
      case 'ident':
        if (tok.text === 'true' || tok.text === 'false') return { kind: 'literal', value: tok.text === 'true', ...base };
        if (tok.text === 'nil') return { kind: 'literal', value: null, ...base };
        if (!TEMPLATE_FUNCTIONS.has(tok.text)) fail(this.src, tok.pos, `function "${tok.text}" not defined`);
        return { kind: 'ident', name: tok.text, ...base };
      default:
        return fail(this.src, tok.pos, `unexpected "${tok.text}" in operand`);
    }
  }
}
