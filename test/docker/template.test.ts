import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/docker/template-parse.js';
import { executeTemplate, GoStruct, GoTime, type ExecuteOptions } from '../../src/docker/template.js';

function render(source: string, data: unknown, options?: ExecuteOptions): string {
  const p = parseTemplate(source);
  if (!p.ok) throw new Error(p.error);
  const r = executeTemplate(p.template, data, options);
  if (!r.ok) throw new Error(r.error);
  return r.output;
}
function execError(source: string, data: unknown, options?: ExecuteOptions): string {
  const p = parseTemplate(source);
  if (!p.ok) throw new Error(p.error);
  const r = executeTemplate(p.template, data, options);
  if (r.ok) throw new Error(`rendered ${JSON.stringify(r.output)}, want an error`);
  return r.error;
}
function parseError(source: string): string {
  const p = parseTemplate(source);
  if (p.ok) throw new Error('parsed, want an error');
  return p.error;
}

const NODE = {
  ID: 'abc',
  Spec: { Role: 'manager', Labels: { zone: 'a', disk: 'ssd' } },
  Status: { Addr: '10.0.0.1', State: 'ready' },
  Plugins: [{ Type: 'Network', Name: 'overlay' }, { Type: 'Volume', Name: 'local' }],
  Count: 3,
  Empty: '',
  Nil: null,
};

describe('Go templates: fields, printing, functions', () => {
  it('prints fields, chains, literals and Go-style values', () => {
    expect(render('{{.ID}}: {{.Status.Addr}}', NODE)).toBe('abc: 10.0.0.1');
    expect(render('{{.Spec.Labels}}', NODE)).toBe('map[disk:ssd zone:a]');
    expect(render('{{.Plugins}}', { Plugins: ['a', 'b'] })).toBe('[a b]');
    expect(render('{{.Nil}} {{.Missing}} {{.Count}} {{true}} {{"s"}} {{`raw\\n`}} {{3}}', NODE)).toBe('<nil> <no value> 3 true s raw\\n 3');
    expect(render('{{.}}', 'plain')).toBe('plain');
    expect(render('{{.T}}', { T: new GoTime('2026-08-20T10:00:00.5Z') })).toBe('2026-08-20 10:00:00.5 +0000 UTC');
  });

  it('trims around {{- and -}} and drops comments', () => {
    expect(render('a  {{- .ID -}}  b', NODE)).toBe('aabcb');
    expect(render('a {{/* note */}} b', NODE)).toBe('a  b');
    expect(render('x\n{{- /* c */ -}}\ny', NODE)).toBe('xy');
  });

  it('runs the cli functions', () => {
    expect(render('{{json .Spec}}', NODE)).toBe('{"Role":"manager","Labels":{"zone":"a","disk":"ssd"}}');
    expect(render('{{json "<&>"}}', NODE)).toBe('"<&>"');
    expect(render('{{upper .Spec.Role}} {{lower "ABC"}} {{title "hello world"}}', NODE)).toBe('MANAGER abc Hello World');
    expect(render('{{join (split "a,b,c" ",") "|"}}', NODE)).toBe('a|b|c');
    expect(render('{{join .Spec.Labels ","}}', NODE)).toBe('a,ssd');
    expect(render('[{{pad .ID 1 2}}][{{pad .Empty 1 2}}]', NODE)).toBe('[ abc  ][]');
    expect(render('{{truncate .Status.Addr 4}}', NODE)).toBe('10.0');
    expect(render('{{.Status.Addr | upper | printf "%s!"}}', { Status: { Addr: 'x' } })).toBe('X!');
  });

  it('runs the builtins', () => {
    expect(render('{{len .Plugins}} {{len .ID}} {{len .Spec.Labels}}', NODE)).toBe('2 3 2');
    expect(render('{{index .Spec.Labels "zone"}} {{index .Plugins 1}}', NODE)).toBe('a map[Name:local Type:Volume]');
    expect(render('{{(index .Plugins 0).Name}}', NODE)).toBe('overlay');
    expect(render('{{eq .Spec.Role "manager"}} {{ne .Count 3}} {{lt 1 2}} {{ge "b" "a"}} {{eq .ID "x" "abc"}}', NODE)).toBe('true false true true true');
    expect(render('{{and .ID .Empty}}|{{or .Empty .ID}}|{{not .Empty}}', NODE)).toBe('|abc|true');
    expect(render('{{print 1 2 "a" 3}} {{println "x" 1}}', NODE)).toBe('1 2a3 x 1\n');
    expect(render('{{printf "%-6s|%d|%q|%v" "ab" 5 "q" true}}', NODE)).toBe('ab    |5|"q"|true');
  });
});

describe('Go templates: control structures and variables', () => {
  it('branches with if / else if / else and with', () => {
    const t = '{{if eq .Spec.Role "worker"}}W{{else if .Status}}M:{{.Status.State}}{{else}}?{{end}}';
    expect(render(t, NODE)).toBe('M:ready');
    expect(render('{{if .Empty}}yes{{else}}no{{end}}', NODE)).toBe('no');
    expect(render('{{with .Status}}{{.Addr}}{{end}}|{{with .Nil}}x{{else}}none{{end}}', NODE)).toBe('10.0.0.1|none');
  });

  it('ranges over lists and maps (sorted keys), with variables and else', () => {
    expect(render('{{range .Plugins}}{{.Type}}={{.Name}};{{end}}', NODE)).toBe('Network=overlay;Volume=local;');
    expect(render('{{range $k, $v := .Spec.Labels}} - {{$k}}{{if $v}}={{$v}}{{end}}\n{{end}}', NODE)).toBe(' - disk=ssd\n - zone=a\n');
    expect(render('{{range $i, $p := .Plugins}}{{$i}}:{{$p.Name}} {{end}}', NODE)).toBe('0:overlay 1:local ');
    expect(render('{{range .Nil}}x{{else}}empty{{end}}', NODE)).toBe('empty');
    expect(render('{{$id := .ID}}{{range .Plugins}}{{$id}}{{end}}', NODE)).toBe('abcabc');
    expect(render('{{$x := 1}}{{$x = 2}}{{$x}}', NODE)).toBe('2');
    expect(render('{{range $.Plugins}}{{$.ID}}{{end}}', NODE)).toBe('abcabc');
  });
});

describe('Go templates: errors read like Go', () => {
  it('reports parse errors', () => {
    expect(parseError('{{.ID')).toBe('template: :1: unclosed action');
    expect(parseError('{{foo .ID}}')).toBe('template: :1: function "foo" not defined');
    expect(parseError('{{end}}')).toBe('template: :1: unexpected {{end}}');
    expect(parseError('{{if .ID}}x')).toBe('template: :1: unexpected EOF');
    expect(parseError('a\n{{if}}{{end}}')).toBe('template: :2: missing value for if');
    expect(parseError('{{define "x"}}{{end}}')).toContain('not supported');
  });

  it('reports execution errors with position and node', () => {
    const ctx = new GoStruct('*node.nodeContext', { ID: 'abc' });
    expect(execError('{{.Foo}}', ctx)).toBe('template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *node.nodeContext');
    expect(execError('x\n  {{.A.B}}', { A: {} }, { missingKeyError: true })).toBe('template: :2:4: executing "" at <.A.B>: map has no entry for key "B"');
    expect(execError('{{.A.B}}', { A: null })).toBe('template: :1:2: executing "" at <.A.B>: nil pointer evaluating interface {}.B');
    expect(execError('{{index .L 5}}', { L: [1] })).toBe('template: :1:2: executing "" at <index .L 5>: error calling index: index out of range: 5');
    expect(execError('{{len 3}}', {})).toBe('template: :1:2: executing "" at <len 3>: error calling len: len of type int');
  });

  it('never throws on arbitrary templates and data', () => {
    const src = fc.string({ unit: fc.constantFrom('{{', '}}', '.', 'ID', ' ', 'if', 'end', 'range', '$x', ':=', '|', '(', ')', '"', 'json', '-', 'a') , maxLength: 30 });
    fc.assert(
      fc.property(src, fc.jsonValue(), (s, data) => {
        const p = parseTemplate(s);
        if (p.ok) executeTemplate(p.template, data);
      }),
    );
  });
});
