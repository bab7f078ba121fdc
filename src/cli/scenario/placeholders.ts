/**
 * Placeholders: the `{{kind:ARG}}` holes a scenario line may contain, parsed once when the file is
 * read and filled from the `ScenarioTarget` each time a step is attempted (a task may move to
 * another host between two attempts, a join token may appear only once a manager exists).
 *
 * Only `{{NAME:…}}` (and the bare `{{NAME}}` typo) with NAME one of the kinds below is ours.
 * Everything else between braces — above all Docker's own Go templates, `--format '{{.Name}}'`
 * and `{{json .Spec}}` — passes through untouched, since scenarios quote docker commands verbatim.
 */
import { SwarmnetError } from '../../util/errors.js';
import type { ScenarioTarget } from './target.js';

export type Placeholder =
  | { readonly kind: 'addr'; readonly host: string }
  | { readonly kind: 'token'; readonly role: 'worker' | 'manager' }
  | { readonly kind: 'task'; readonly service: string; readonly slot: number }
  | { readonly kind: 'host'; readonly service: string; readonly slot: number }
  | { readonly kind: 'ip'; readonly service: string; readonly slot: number; readonly network: string };

/** Literal text or a placeholder, in line order. */
export type Segment = string | Placeholder;

/** A piece of scenario text: as written, and split into literals and placeholders. */
export interface Template {
  readonly source: string;
  readonly segments: readonly Segment[];
}

export type TemplateResult = { readonly ok: true; readonly template: Template } | { readonly ok: false; readonly message: string };

/** The placeholder kinds, with the form each one takes (quoted in error messages). */
export const PLACEHOLDER_FORMS = {
  addr: '{{addr:HOST}}',
  token: '{{token:worker}} or {{token:manager}}',
  task: '{{task:SERVICE.SLOT}}',
  host: '{{host:SERVICE.SLOT}}',
  ip: '{{ip:SERVICE.SLOT@NETWORK}}',
} as const;

/** Longest host name accepted (a DNS label's limit; Docker's hostnames are labels too). */
export const MAX_HOST_NAME_LENGTH = 63;
/** Largest task slot accepted: far above any replica count, small enough to stay exact. */
export const MAX_SLOT = 1_000_000;

/** `NAME:` or `NAME}}` right after `{{` (sticky: matched in place, no copy of the rest). */
const PLACEHOLDER_HEAD = /([a-z]+)(:|\}\})/y;
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SERVICE_SLOT = /^([A-Za-z0-9][A-Za-z0-9_.-]*)\.([0-9]+)$/;
/** A network name as Docker accepts one (moby `RestrictedNamePattern`). */
const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** True if `name` can name an emulated host (in `HOST$`, `@kill`, `{{addr:…}}`, `--hosts`). */
export function isHostName(name: string): boolean {
  return name.length <= MAX_HOST_NAME_LENGTH && HOST_NAME.test(name);
}

/** Parses `text`; never throws. On error the message names the offending placeholder. */
export function parseTemplate(text: string): TemplateResult {
  const segments: Segment[] = [];
  let literal = '';
  let i = 0;
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open < 0) break;
    PLACEHOLDER_HEAD.lastIndex = open + 2;
    const head = PLACEHOLDER_HEAD.exec(text);
    const name = head?.[1];
    const known = name !== undefined && Object.hasOwn(PLACEHOLDER_FORMS, name);
    if (head === null || (!known && head[2] === '}}')) {
      // Not ours (a Go template such as {{.Name}}): keep the braces and look further on.
      literal += text.slice(i, open + 2);
      i = open + 2;
      continue;
    }
    if (!known) return { ok: false, message: `unknown placeholder {{${name}:…}} (known: ${formsList()})` };
    const kind = name as keyof typeof PLACEHOLDER_FORMS;
    if (head[2] === '}}') return { ok: false, message: `placeholder {{${kind}}} needs an argument: ${PLACEHOLDER_FORMS[kind]}` };
    const argStart = open + 2 + kind.length + 1;
    const close = text.indexOf('}}', argStart);
    if (close < 0) return { ok: false, message: `unterminated placeholder ${text.slice(open, open + 40)}` };
    const placeholder = parsePlaceholder(kind, text.slice(argStart, close));
    if (placeholder === undefined) {
      return { ok: false, message: `bad placeholder ${text.slice(open, close + 2)}: expected ${PLACEHOLDER_FORMS[kind]}` };
    }
    literal += text.slice(i, open);
    if (literal !== '') segments.push(literal);
    literal = '';
    segments.push(placeholder);
    i = close + 2;
  }
  literal += text.slice(i);
  if (literal !== '') segments.push(literal);
  return { ok: true, template: { source: text, segments } };
}

function parsePlaceholder(kind: keyof typeof PLACEHOLDER_FORMS, arg: string): Placeholder | undefined {
  switch (kind) {
    case 'addr':
      return isHostName(arg) ? { kind, host: arg } : undefined;
    case 'token':
      return arg === 'worker' || arg === 'manager' ? { kind, role: arg } : undefined;
    case 'task':
    case 'host':
      return serviceSlot(arg, (service, slot) => ({ kind, service, slot }));
    case 'ip': {
      const at = arg.lastIndexOf('@');
      const network = arg.slice(at + 1);
      if (at < 0 || !NETWORK_NAME.test(network)) return undefined;
      return serviceSlot(arg.slice(0, at), (service, slot) => ({ kind, service, slot, network }));
    }
  }
}

function serviceSlot(arg: string, make: (service: string, slot: number) => Placeholder): Placeholder | undefined {
  const m = SERVICE_SLOT.exec(arg);
  if (m === null || m[2]!.length > 7) return undefined;
  const slot = Number(m[2]);
  return slot >= 1 && slot <= MAX_SLOT ? make(m[1]!, slot) : undefined;
}

function formsList(): string {
  return Object.keys(PLACEHOLDER_FORMS).join(', ');
}

/** A template holding only literal text (for words the scenario spelled out). */
export function literalTemplate(text: string): Template {
  return { source: text, segments: text === '' ? [] : [text] };
}

/** `{{kind:arg}}`, as a scenario spells it. */
export function formatPlaceholder(p: Placeholder): string {
  switch (p.kind) {
    case 'addr':
      return `{{addr:${p.host}}}`;
    case 'token':
      return `{{token:${p.role}}}`;
    case 'task':
    case 'host':
      return `{{${p.kind}:${p.service}.${p.slot}}}`;
    case 'ip':
      return `{{ip:${p.service}.${p.slot}@${p.network}}}`;
  }
}

/** Host names a template mentions through `{{addr:HOST}}`, in order. */
export function addressedHosts(t: Template): string[] {
  return t.segments.flatMap((s) => (typeof s !== 'string' && s.kind === 'addr' ? [s.host] : []));
}

/** A placeholder could not be filled (no such task yet, no manager yet …). */
export class LookupError extends SwarmnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('lookup-failed', message, options);
    this.name = 'LookupError';
  }
}

/** The lookups placeholders need: a slice of `ScenarioTarget`. */
export type PlaceholderSource = Pick<ScenarioTarget, 'address' | 'joinToken' | 'task'>;

/**
 * The template's text with every placeholder filled from `source`. Rejects with a `LookupError`
 * whose message starts with the placeholder, e.g. `{{task:web.1}}: no such task: web.1`.
 */
export async function fillTemplate(t: Template, source: PlaceholderSource): Promise<string> {
  let out = '';
  for (const s of t.segments) out += typeof s === 'string' ? s : await fillOne(s, source);
  return out;
}

async function fillOne(p: Placeholder, source: PlaceholderSource): Promise<string> {
  try {
    switch (p.kind) {
      case 'addr':
        return source.address(p.host);
      case 'token':
        return await source.joinToken(p.role);
      case 'task':
        return (await source.task(p.service, p.slot)).container;
      case 'host':
        return (await source.task(p.service, p.slot)).host;
      case 'ip': {
        const address = (await source.task(p.service, p.slot)).addresses?.[p.network];
        if (address === undefined) throw new Error(`the task has no address on network ${p.network}`);
        return address;
      }
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new LookupError(`${formatPlaceholder(p)}: ${reason}`, { cause: err });
  }
}
