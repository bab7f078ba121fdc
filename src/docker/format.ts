/**
 * `--format` for list commands and `docker … inspect`: cli `cli/command/formatter/formatter.go`
 * (`Format`, `Context.Write`, `postFormat`), `formatter/displayutils.go` (`PrettyPrint`) and
 * `cli/command/inspect/inspector.go` (`Inspect`, template and JSON inspectors).
 *
 * Lists: each row runs the template and ends with a newline; a `table …` format also runs the
 * template once over the column headers (with the cli's `HeaderFunctions`, so `{{json .ID}}`
 * heads its column `ID`) and the whole is laid out by the tabwriter. Inspect: no format prints a
 * JSON array indented by four spaces, `json` a compact one, any other format runs the template per
 * object (Go's typed pass first, then the raw-map pass with `missingkey=error`, as docker does).
 */
import { StatusError } from './command.js';
import { errorMessageOf } from './errors.js';
import { tabwrite } from './tabwriter.js';
import { parseTemplate, type ParsedTemplate } from './template-parse.js';
import { executeTemplate, goJSON } from './template.js';

/** cli `formatter.PrettyPrint` of a string: first character upper-case, the rest lower-case. */
export function prettyPrint(s: string): string {
  if (s.length <= 1) return s.toLowerCase();
  return s[0].toUpperCase() + s.slice(1).toLowerCase();
}

export const isTableFormat = (format: string): boolean => format.startsWith('table');

/** cli `Format.templateString`: `table` prefix dropped, spaces trimmed, `\t` / `\n` escapes expanded. */
export function templateString(format: string): string {
  if (format === 'table') return '';
  if (format === 'json') return '{{json .}}';
  let out = isTableFormat(format) ? format.slice('table'.length) : format;
  out = out.replace(/^ +| +$/g, '');
  return out.replaceAll('\\t', '\t').replaceAll('\\n', '\n');
}

/** cli `templates.HeaderFunctions`: header cells keep the column name. */
const HEADER_FUNCTIONS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  json: (v) => v,
  split: (v) => v,
  join: (v) => v,
  title: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  truncate: (v) => v,
};

function parseOrFail(source: string, exitCode = 1): ParsedTemplate {
  const parsed = parseTemplate(source);
  if (!parsed.ok) throw new StatusError(`template parsing error: ${parsed.error}`, exitCode);
  return parsed.template;
}

/** cli `Context.Write`: formats `rows` (template contexts) with `format`; `header` names the columns. */
export function formatList(format: string, rows: readonly unknown[], header: Readonly<Record<string, string>>): string {
  const tmpl = parseOrFail(templateString(format));
  let body = '';
  for (const row of rows) {
    const r = executeTemplate(tmpl, row);
    if (!r.ok) throw new StatusError(`template parsing error: ${r.error}`);
    body += `${r.output}\n`;
  }
  if (!isTableFormat(format)) return body;
  // Go ignores a header error but keeps what the header wrote before it.
  const head = executeTemplate(tmpl, header, { functions: HEADER_FUNCTIONS });
  return tabwrite(`${head.ok ? head.output : head.partial}\n${body}`);
}

/** One object to inspect: its typed view (Go struct semantics) and its raw JSON. */
export interface Inspected {
  readonly typed: unknown;
  readonly raw: unknown;
}

/**
 * cli `inspect.Inspect`: prints every object `getRef` finds, then fails with all lookup and
 * template errors (one per line, exit 1). A template that does not parse exits 64.
 */
export async function inspectObjects(
  stdout: (s: string) => void,
  refs: readonly string[],
  format: string,
  getRef: (ref: string) => Promise<Inspected>,
): Promise<void> {
  const tmpl = format === '' || format === 'json' ? undefined : parseOrFail(format, 64);
  const errors: string[] = [];
  const raws: unknown[] = [];
  let text = '';
  for (const ref of refs) {
    let obj: Inspected;
    try {
      obj = await getRef(ref);
    } catch (e) {
      errors.push(errorMessageOf(e));
      continue;
    }
    if (tmpl === undefined) {
      raws.push(obj.raw);
      continue;
    }
    let r = executeTemplate(tmpl, obj.typed);
    if (!r.ok) r = executeTemplate(tmpl, obj.raw, { missingKeyError: true });
    if (r.ok) text += `${r.output}\n`;
    else errors.push(`template parsing error: ${r.error}`);
  }
  if (tmpl !== undefined) stdout(text === '' ? '\n' : text);
  else if (raws.length === 0) stdout('[]\n');
  else if (format === 'json') stdout(`${goJSON(raws)}\n`);
  else stdout(`${indentJSON(raws)}\n`);
  if (errors.length > 0) throw new StatusError(errors.join('\n'));
}

/** Go `json.Indent(…, "", "    ")` of the daemon's JSON. */
export function indentJSON(v: unknown): string {
  return (JSON.stringify(v, null, 4) ?? 'null').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
