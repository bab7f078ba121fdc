/**
 * Executing `--format` templates (see template-parse.ts for the syntax): Go `text/template`
 * semantics over JSON-shaped data, with the cli's function set (cli `templates/templates.go`:
 * `json`, `split`, `join`, `title`, `lower`, `upper`, `pad`, `truncate`) and Go's builtins (`and`,
 * `or`, `not`, `len`, `index`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `print`, `printf`, `println`).
 *
 * Data model: plain objects behave as Go maps (a missing key prints `<no value>`, or fails with
 * `map has no entry for key "X"` under `missingkey=error`, as `docker inspect` runs its fallback);
 * `GoStruct` stands for a Go struct such as the cli's `nodeContext` (a missing field fails with
 * `can't evaluate field X in type T`); `GoTime` prints as Go's `time.Time`. Values print as
 * `fmt.Sprint` does (`map[a:1 b:2]`, `[x y]`, `<nil>`). Errors read like Go's
 * (`template: :1:2: executing "" at <.Foo>: …`); `executeTemplate` never throws.
 */
import { goQuote, goTimeString } from './golang.js';
import type { Arg, Cmd, ControlNode, ParsedTemplate, Pipe, TemplateNode } from './template-parse.js';

/**
 * A Go struct value: fields by name; `typeName` is what Go's errors call its type. `json` is how
 * it encodes: given for API structs (their wire form, in field order); otherwise the fields as the
 * cli's `formatter.MarshalJSON` encodes its contexts, a map with sorted keys.
 */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: Readonly<Record<string, unknown>>,
    private readonly json?: unknown,
  ) {}
  toJSON(): unknown {
    if (this.json !== undefined) return this.json;
    return Object.fromEntries(Object.keys(this.fields).sort().map((k) => [k, this.fields[k]]));
  }
}

/** A Go `time.Time` decoded from an RFC 3339 string. */
export class GoTime {
  constructor(readonly rfc3339: string) {}
  toString(): string {
    return goTimeString(this.rfc3339);
  }
  toJSON(): string {
    return this.rfc3339;
  }
}

export interface ExecuteOptions {
  /** Go's `missingkey=error` (docker inspect's raw fallback). */
  readonly missingKeyError?: boolean;
  /** Replacements for named functions (the cli's `HeaderFunctions` for table headers). */
  readonly functions?: Readonly<Record<string, (...args: unknown[]) => unknown>>;
}

export type ExecuteOutcome =
  | { readonly ok: true; readonly output: string }
  /** `partial`: what was written before the failure. */
  | { readonly ok: false; readonly error: string; readonly partial: string };

class ExecError extends Error {}

export function executeTemplate(tmpl: ParsedTemplate, data: unknown, options: ExecuteOptions = {}): ExecuteOutcome {
  const ex = new Executor(tmpl.source, options);
  try {
    ex.walk(tmpl.nodes, data, [['$', data]]);
    return { ok: true, output: ex.out };
  } catch (e) {
    if (e instanceof ExecError) return { ok: false, error: e.message, partial: ex.out };
    throw e;
  }
}

type Vars = [string, unknown][];

/** Go's `truth`: false, 0, nil, and empty strings, slices and maps are false; structs are true. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && !(v instanceof GoStruct) && !(v instanceof GoTime)) return Object.keys(v).length > 0;
  return true;
}

/** `fmt.Sprint` of one value. */
export function goPrint(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof GoTime) return v.toString();
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (v instanceof GoStruct) return `{${Object.values(v.fields).map(goPrint).join(' ')}}`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goPrint(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  // Go's %v of a float64 is %g with the shortest repr; exponents have at least two digits.
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Go's `encoding/json` with `SetEscapeHTML(false)` (cli `formatJSON`), compact. */
export function goJSON(v: unknown): string {
  const s = JSON.stringify(v === undefined ? null : v) ?? 'null';
  return s.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

class Executor {
  out = '';

  constructor(
    private readonly src: string,
    private readonly options: ExecuteOptions,
  ) {}

  walk(nodes: readonly TemplateNode[], dot: unknown, vars: Vars): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          this.out += node.text;
          break;
        case 'action': {
          const v = this.pipe(node.pipe, dot, vars);
          if (node.pipe.decl.length === 0) this.out += goPrint(v);
          break;
        }
        case 'if':
        case 'with': {
          const scope: Vars = [...vars];
          const v = this.pipe(node.pipe, dot, scope);
          if (isTrue(v)) this.walk(node.list, node.kind === 'with' ? v : dot, scope);
          else if (node.elseList !== undefined) this.walk(node.elseList, dot, scope);
          break;
        }
        case 'range':
          this.range(node, dot, vars);
          break;
      }
    }
  }

  private range(node: ControlNode, dot: unknown, vars: Vars): void {
    const scope: Vars = [...vars];
    const v = this.pipeValue(node.pipe, dot, scope);
    let entries: [unknown, unknown][] = [];
    if (Array.isArray(v)) entries = v.map((e, i) => [i, e]);
    else if (v instanceof GoStruct || v instanceof GoTime) this.fail(node.pipe.pos, `range can't iterate over ${goPrint(v)}`);
    else if (v !== null && typeof v === 'object') entries = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
    else if (typeof v === 'number' && Number.isInteger(v)) entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    else if (v !== undefined && v !== null) this.fail(node.pipe.pos, `range can't iterate over ${goPrint(v)}`);
    if (entries.length === 0) {
      if (node.elseList !== undefined) this.walk(node.elseList, dot, scope);
      return;
    }
    for (const [k, e] of entries) {
      const inner: Vars = [...scope];
      if (node.pipe.decl.length === 1) inner.push([node.pipe.decl[0], e]);
      if (node.pipe.decl.length === 2) inner.push([node.pipe.decl[0], k], [node.pipe.decl[1], e]);
      this.walk(node.list, e, inner);
    }
  }

  /** A range's pipeline: its declarations name the loop variables, not the pipeline's value. */
  private pipeValue(pipe: Pipe, dot: unknown, vars: Vars): unknown {
    return this.pipe({ ...pipe, decl: [] }, dot, vars);
  }

  private pipe(pipe: Pipe, dot: unknown, vars: Vars): unknown {
    let value: unknown;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.command(cmd, dot, vars, first ? undefined : { value });
      first = false;
    }
    for (const name of pipe.decl) {
      const existing = vars.findLastIndex(([n]) => n === name);
      if (pipe.assign) {
        if (existing < 0) this.fail(pipe.pos, `undefined variable: ${name}`);
        vars[existing][1] = value;
      } else {
        vars.push([name, value]);
      }
    }
    return value;
  }

  private command(cmd: Cmd, dot: unknown, vars: Vars, final: { value: unknown } | undefined): unknown {
    const [head, ...rest] = cmd.args;
    if (head.kind === 'ident') {
      const args = rest.map((a) => this.arg(a, dot, vars));
      if (final !== undefined) args.push(final.value);
      return this.call(head.name, args, cmd);
    }
    if (rest.length > 0 || final !== undefined) {
      this.fail(head.pos, `can't give argument to non-function ${head.text}`, head.text);
    }
    return this.arg(head, dot, vars);
  }

  private arg(a: Arg, dot: unknown, vars: Vars): unknown {
    switch (a.kind) {
      case 'dot':
        return dot;
      case 'literal':
        return a.value;
      case 'field':
        return this.fields(dot, a.names, a);
      case 'var': {
        const found = vars.findLast(([n]) => n === a.name);
        if (found === undefined) this.fail(a.pos, `undefined variable: ${a.name}`, a.text);
        return this.fields(found![1], a.names, a);
      }
      case 'pipe':
        return this.fields(this.pipe(a.pipe, dot, vars), a.names, a);
      case 'ident':
        return this.call(a.name, [], { args: [a], pos: a.pos, text: a.text });
    }
  }

  private fields(receiver: unknown, names: readonly string[], node: Arg): unknown {
    let v = receiver;
    for (const name of names) {
      if (v instanceof GoStruct) {
        if (!(name in v.fields)) this.fail(node.pos, `can't evaluate field ${name} in type ${v.typeName}`, node.text);
        v = v.fields[name];
      } else if (v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoTime)) {
        const o = v as Record<string, unknown>;
        if (!Object.hasOwn(o, name)) {
          if (this.options.missingKeyError === true) this.fail(node.pos, `map has no entry for key ${goQuote(name)}`, node.text);
          v = undefined;
        } else {
          v = o[name];
        }
      } else if (v === null || v === undefined) {
        this.fail(node.pos, `nil pointer evaluating interface {}.${name}`, node.text);
      } else {
        this.fail(node.pos, `can't evaluate field ${name} in type ${goTypeName(v)}`, node.text);
      }
    }
    return v;
  }

  private call(name: string, args: unknown[], cmd: Cmd): unknown {
    const override = this.options.functions?.[name];
    const err = (msg: string): never => this.fail(cmd.pos, `error calling ${name}: ${msg}`, cmd.text);
    const want = (n: number): void => {
      if (args.length !== n) this.fail(cmd.pos, `wrong number of args for ${name}: want ${n} got ${args.length}`, cmd.text);
    };
    if (override !== undefined) return override(...args);
    switch (name) {
      case 'and':
      case 'or': {
        // Go 1.18+: evaluates arguments lazily; the first deciding one is the result.
        if (args.length === 0) this.fail(cmd.pos, `wrong number of args for ${name}: want at least 1 got 0`, cmd.text);
        for (const v of args) if (isTrue(v) === (name === 'or')) return v;
        return args[args.length - 1];
      }
      case 'not':
        want(1);
        return !isTrue(args[0]);
      case 'len': {
        want(1);
        const v = args[0];
        if (typeof v === 'string') return Buffer.byteLength(v);
        if (Array.isArray(v)) return v.length;
        if (v !== null && typeof v === 'object' && !(v instanceof GoStruct)) return Object.keys(v).length;
        return err(`len of type ${goTypeName(v)}`);
      }
      case 'index': {
        let v = args[0];
        for (const key of args.slice(1)) {
          if (Array.isArray(v)) {
            if (typeof key !== 'number' || key < 0 || key >= v.length) return err(`index out of range: ${goPrint(key)}`);
            v = v[key];
          } else if (v !== null && typeof v === 'object' && !(v instanceof GoStruct)) {
            v = (v as Record<string, unknown>)[String(key)];
          } else {
            return err(`can't index item of type ${goTypeName(v)}`);
          }
        }
        return v;
      }
      case 'eq':
        if (args.length < 2) want(2);
        return args.slice(1).some((b) => basicEqual(args[0], b));
      case 'ne':
        want(2);
        return !basicEqual(args[0], args[1]);
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge': {
        want(2);
        const [a, b] = args;
        if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return err('incompatible types for comparison');
        const x = a as number | string;
        const y = b as number | string;
        return name === 'lt' ? x < y : name === 'le' ? x <= y : name === 'gt' ? x > y : x >= y;
      }
      case 'print':
        // fmt.Sprint: a space between operands when neither is a string.
        return args.reduce<string>((s, v, i) => s + (i > 0 && typeof v !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + goPrint(v), '');
      case 'println':
        return `${args.map(goPrint).join(' ')}\n`;
      case 'printf':
        return sprintf(typeof args[0] === 'string' ? args[0] : goPrint(args[0]), args.slice(1));
      case 'json':
        want(1);
        return goJSON(args[0]);
      case 'split':
        want(2);
        return String(args[0]).split(String(args[1]));
      case 'join': {
        want(2);
        const [elems, sep] = args;
        if (elems === null || elems === undefined) return '';
        if (Array.isArray(elems)) return elems.map(goPrint).join(String(sep));
        if (typeof elems === 'object' && !(elems instanceof GoStruct)) return Object.values(elems).map(goPrint).sort().join(String(sep));
        return err(`expected slice, got ${goTypeName(elems)}`);
      }
      case 'title':
        want(1);
        // Go's strings.Title: a letter after any ASCII byte other than a letter, digit or `_`.
        return String(args[0]).replace(/(^|[^A-Za-z0-9_])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());
      case 'lower':
        want(1);
        return String(args[0]).toLowerCase();
      case 'upper':
        want(1);
        return String(args[0]).toUpperCase();
      case 'pad': {
        want(3);
        const s = String(args[0]);
        return s === '' ? s : ' '.repeat(Number(args[1])) + s + ' '.repeat(Number(args[2]));
      }
      case 'truncate': {
        want(2);
        const s = String(args[0]);
        const n = Number(args[1]);
        return Buffer.byteLength(s) < n ? s : Buffer.from(s).subarray(0, n).toString();
      }
      default:
        // The parser admits only known functions.
        return err('function not defined');
    }
  }

  private fail(pos: number, msg: string, nodeText?: string): never {
    const before = this.src.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - (before.lastIndexOf('\n') + 1);
    let context = nodeText ?? '';
    if (context.length > 20) context = `${context.slice(0, 20)}...`;
    throw new ExecError(`template: :${line}:${col}: executing "" at <${context}>: ${msg}`);
  }
}

function basicEqual(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return b === undefined || b === null;
  if (a instanceof GoTime && b instanceof GoTime) return a.rfc3339 === b.rfc3339;
  return a === b;
}

function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoStruct) return v.typeName;
  if (v instanceof GoTime) return 'time.Time';
  return 'map[string]interface {}';
}

/** A small `fmt.Sprintf`: `%s %v %d %q %t %%` with optional width (`%-10s`). */
function sprintf(format: string, args: readonly unknown[]): string {
  let i = 0;
  return format.replace(/%(-?)(\d*)([svdqt%])/g, (_m, left: string, width: string, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const v = args[i++];
    let s = verb === 'q' ? goQuote(goPrint(v)) : goPrint(v);
    if (verb === 'd' && typeof v !== 'number') s = `%!d(${goTypeName(v)}=${s})`;
    const w = Number(width || '0');
    return left === '-' ? s.padEnd(w) : s.padStart(w);
  });
}
