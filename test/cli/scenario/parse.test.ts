import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatParseError,
  parseScenario,
  resolveHosts,
  splitCommandLine,
  type Scenario,
  type Step,
  type Template,
} from '../../../src/cli/scenario/index.js';
import { fakeSplit } from './fakes.js';

const parse = (text: string) => parseScenario(text, { file: 'demo.scn', split: fakeSplit });

function scenarioOf(text: string): Scenario {
  const r = parse(text);
  if (!r.ok) throw new Error(`want ok, got errors: ${r.errors.map(formatParseError).join('; ')}`);
  return r.scenario;
}

/** A step reduced to plain values that read well in a table. */
function summary(step: Step): unknown {
  const src = (t: Template) => t.source;
  switch (step.kind) {
    case 'docker':
      return { line: step.line, host: src(step.host), command: src(step.command), expect: step.expectations.map(expectationSummary) };
    case 'sh':
      return { line: step.line, sh: src(step.command), expect: step.expectations.map(expectationSummary) };
    case 'sleep':
      return { line: step.line, sleep: step.seconds };
    case 'kill':
      return { line: step.line, kill: src(step.host) };
    case 'expose-dns':
      return { line: step.line, exposeDns: `${src(step.container)} ${src(step.address)}` };
  }
}

function expectationSummary(e: Extract<Step, { kind: 'docker' }>['expectations'][number]): string {
  return e.kind === 'exit' ? `${e.line}:exit ${e.code}` : `${e.line}:${e.kind === 'contains' ? '~' : '!~'} ${e.text.source}`;
}

describe('parseScenario: every line kind', () => {
  const cases: { name: string; text: string; want: unknown[] }[] = [
    { name: 'a command', text: 'manager$ docker node ls', want: [{ line: 1, host: 'manager', command: 'docker node ls', expect: [] }] },
    { name: 'comments and blank lines', text: '# intro\n\n   # indented comment\n', want: [] },
    {
      name: 'expectations of every kind',
      text: 'manager$ docker node ls\n  ~ Ready\n\t!~ Down\n  exit 0',
      want: [{ line: 1, host: 'manager', command: 'docker node ls', expect: ['2:~ Ready', '3:!~ Down', '4:exit 0'] }],
    },
    {
      name: 'expectation text is literal, trimmed, no space needed after ~',
      text: 'm$ docker ps\n  ~a "quoted" text  \n  ~ C:\\',
      want: [{ line: 1, host: 'm', command: 'docker ps', expect: ['2:~ a "quoted" text', '3:~ C:\\'] }],
    },
    {
      name: 'comments between a step and its expectations',
      text: 'm$ docker ps\n# why\n  # more\n  ~ up',
      want: [{ line: 1, host: 'm', command: 'docker ps', expect: ['4:~ up'] }],
    },
    {
      name: 'continuation lines, numbered from their first line',
      text: 'manager$ docker service create \\\n    --name web \\\n    nginx\nworker-1$ docker ps',
      want: [
        { line: 1, host: 'manager', command: 'docker service create --name web nginx', expect: [] },
        { line: 4, host: 'worker-1', command: 'docker ps', expect: [] },
      ],
    },
    {
      name: 'continuation then expectations',
      text: 'm$ docker a \\\n  b\n  ~ c',
      want: [{ line: 1, host: 'm', command: 'docker a b', expect: ['3:~ c'] }],
    },
    { name: 'backslash-newline glues words without blanks', text: 'm$ docker ne\\\ntwork ls', want: [{ line: 1, host: 'm', command: 'docker network ls', expect: [] }] },
    { name: 'an escaped backslash does not continue', text: '@sh echo a\\\\\n@sleep 1', want: [{ line: 1, sh: 'echo a\\\\', expect: [] }, { line: 2, sleep: 1 }] },
    { name: 'CRLF line ends', text: 'm$ docker ps\r\n  ~ x\r\n', want: [{ line: 1, host: 'm', command: 'docker ps', expect: ['2:~ x'] }] },
    { name: 'a task host in prompt position', text: '{{host:web.1}}$ docker ps', want: [{ line: 1, host: '{{host:web.1}}', command: 'docker ps', expect: [] }] },
    {
      name: 'placeholders in commands and expectations',
      text: 'w$ docker swarm join --token {{token:worker}} {{addr:m}}:2377\n  ~ {{task:web.2}}',
      want: [{ line: 1, host: 'w', command: 'docker swarm join --token {{token:worker}} {{addr:m}}:2377', expect: ['2:~ {{task:web.2}}'] }],
    },
    {
      name: "docker's own Go templates pass through",
      text: "m$ docker service ls --format '{{.Name}} {{json .Spec}}'",
      want: [{ line: 1, host: 'm', command: "docker service ls --format '{{.Name}} {{json .Spec}}'", expect: [] }],
    },
    {
      name: 'directives',
      text: '@sleep 1.5\n@sleep .5\n@sleep 0\n@kill worker-1\n@kill {{host:web.2}}\n@sh dig +short @{{addr:m}} web\n  exit 0\n@expose-dns {{task:web.1}} 127.0.0.1:5353',
      want: [
        { line: 1, sleep: 1.5 },
        { line: 2, sleep: 0.5 },
        { line: 3, sleep: 0 },
        { line: 4, kill: 'worker-1' },
        { line: 5, kill: '{{host:web.2}}' },
        { line: 6, sh: 'dig +short @{{addr:m}} web', expect: ['7:exit 0'] },
        { line: 8, exposeDns: '{{task:web.1}} 127.0.0.1:5353' },
      ],
    },
    { name: 'bare docker is a command', text: 'm$ docker', want: [{ line: 1, host: 'm', command: 'docker', expect: [] }] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(scenarioOf(c.text).steps.map(summary)).toEqual(c.want);
    });
  }

  it('collects hosts in order of first mention', () => {
    const s = scenarioOf(
      ['worker-1$ docker ps', 'manager$ docker swarm join {{addr:worker-2}}', '  ~ {{addr:worker-4}}', '@kill worker-3', 'worker-1$ docker ps', '@sh ping {{addr:manager}}', '{{host:web.1}}$ docker ps'].join('\n'),
    );
    expect(s.hosts).toEqual(['worker-1', 'manager', 'worker-2', 'worker-4', 'worker-3']);
    expect(s.file).toBe('demo.scn');
  });

  it('uses the real splitter by default', () => {
    const r = parseScenario("m$ docker service ls --format '{{.Name}}'");
    expect(r.ok).toBe(true);
    expect(parseScenario("m$ docker 'unterminated").ok).toBe(false);
  });

  it('resolveHosts puts --hosts first and adds the rest in mention order', () => {
    expect(resolveHosts(['b', 'c', 'a'])).toEqual(['b', 'c', 'a']);
    expect(resolveHosts(['b', 'c', 'a'], ['a', 'z'])).toEqual(['a', 'z', 'b', 'c']);
  });
});

describe('parseScenario: errors, with their line numbers', () => {
  const cases: { text: string; line: number; message: string }[] = [
    { text: 'docker node ls', line: 1, message: 'missing host: write HOST$ docker node ls' },
    { text: '$ docker node ls', line: 1, message: 'missing host before $' },
    { text: 'hello world', line: 1, message: 'expected a step: HOST$ docker …' },
    { text: 'manager$', line: 1, message: 'missing command after manager$' },
    { text: 'manager$   ', line: 1, message: 'missing command after manager$' },
    { text: 'manager$docker ps', line: 1, message: 'expected a space after manager$' },
    { text: '\n\nmanager$ ls -l', line: 3, message: 'only docker commands run on a host, got "ls" (use @sh COMMAND' },
    { text: "m$ docker exec 'x", line: 1, message: 'cannot split the command into words: unterminated quote' },
    { text: 'bad!host$ docker ps', line: 1, message: 'bad host "bad!host"' },
    { text: '{{task:web.1}}$ docker ps', line: 1, message: 'bad host "{{task:web.1}}"' },
    { text: '{{host:web}}$ docker ps', line: 1, message: 'bad placeholder {{host:web}}: expected {{host:SERVICE.SLOT}}' },
    { text: `${'h'.repeat(64)}$ docker ps`, line: 1, message: 'bad host' },
    { text: '@frob x', line: 1, message: 'unknown directive @frob (known: @sh, @sleep, @kill, @expose-dns)' },
    { text: '@expose-dns c1', line: 1, message: '@expose-dns needs a container and a loopback ADDR:PORT' },
    { text: '@expose-dns c1 10.0.0.1:53', line: 1, message: '@expose-dns needs a container and a loopback ADDR:PORT' },
    { text: '@', line: 1, message: 'unknown directive @ ' },
    { text: '@sleep', line: 1, message: '@sleep needs a number of seconds from 0 to 600, got ""' },
    { text: '@sleep -1', line: 1, message: 'got "-1"' },
    { text: '@sleep 601', line: 1, message: 'got "601"' },
    { text: '@sleep 1e3', line: 1, message: 'got "1e3"' },
    { text: '@sleep soon', line: 1, message: 'got "soon"' },
    { text: '@kill', line: 1, message: '@kill needs a host' },
    { text: '@kill two hosts', line: 1, message: 'bad host "two hosts"' },
    { text: '@sh', line: 1, message: '@sh needs a command' },
    { text: '  ~ x', line: 1, message: 'expectation without a step' },
    { text: 'm$ docker ps\n\n  ~ x', line: 3, message: 'expectation without a step: put it directly under' },
    { text: '@sleep 1\n  ~ x', line: 2, message: '@sleep takes no expectations' },
    { text: '@kill a\n  exit 0', line: 2, message: '@kill takes no expectations' },
    { text: 'm$ docker ps\n  exit', line: 2, message: 'exit needs an exit code from 0 to 255, got ""' },
    { text: 'm$ docker ps\n  exit 256', line: 2, message: 'got "256"' },
    { text: 'm$ docker ps\n  exit -1', line: 2, message: 'got "-1"' },
    { text: 'm$ docker ps\n  exit 1\n  exit 2', line: 3, message: 'a second exit for the same step (line 2 has one)' },
    { text: 'm$ docker ps\n  ~', line: 2, message: '~ needs the text that must appear in the output' },
    { text: 'm$ docker ps\n  !~   ', line: 2, message: '!~ needs the text that must not appear in the output' },
    { text: 'm$ docker ps\n  maybe x', line: 2, message: 'unknown expectation "maybe x": expected ~ TEXT, !~ TEXT or exit N' },
    { text: 'm$ docker ps\n  w$ docker ps', line: 2, message: 'steps start in column 1' },
    { text: 'm$ docker ps\n  @sleep 1', line: 2, message: 'steps start in column 1' },
    { text: 'm$ docker ps {{foo:bar}}', line: 1, message: 'unknown placeholder {{foo:…}} (known: addr, token, task, host, ip)' },
    { text: 'm$ docker ps {{addr}}', line: 1, message: 'placeholder {{addr}} needs an argument: {{addr:HOST}}' },
    { text: 'm$ docker ps {{addr:}}', line: 1, message: 'bad placeholder {{addr:}}: expected {{addr:HOST}}' },
    { text: 'm$ docker ps {{token:admin}}', line: 1, message: 'bad placeholder {{token:admin}}: expected {{token:worker}} or {{token:manager}}' },
    { text: 'm$ docker ps {{task:web}}', line: 1, message: 'expected {{task:SERVICE.SLOT}}' },
    { text: 'm$ docker ps {{task:web.0}}', line: 1, message: 'bad placeholder {{task:web.0}}' },
    { text: 'm$ docker ps {{task:web.99999999}}', line: 1, message: 'bad placeholder' },
    { text: 'm$ docker ps {{addr:manager', line: 1, message: 'unterminated placeholder {{addr:manager' },
    { text: 'm$ docker ps\n  ~ {{host:x}}', line: 2, message: 'bad placeholder {{host:x}}' },
    { text: '@sh echo {{token:x}}', line: 1, message: 'bad placeholder {{token:x}}' },
    { text: 'm$ docker ps \\', line: 1, message: 'the line ends with a backslash (continuation) but the file ends there' },
    { text: 'm$ docker a \\\n  b\nls', line: 3, message: 'expected a step' },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.text)} → line ${c.line}`, () => {
      const r = parse(c.text);
      expect(r.ok, 'want a parse error').toBe(false);
      if (r.ok) return;
      expect(r.errors[0]!.line).toBe(c.line);
      expect(r.errors[0]!.message).toContain(c.message);
      expect(r.errors[0]!.file).toBe('demo.scn');
    });
  }

  it('reports every error at once, as FILE:LINE: message', () => {
    const r = parse('m$ docker ps\n@frob\nm$ ls\n  ~ ok under a broken step\n  exit x\nm$ docker ps');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatParseError)).toEqual([
      'demo.scn:2: unknown directive @frob (known: @sh, @sleep, @kill, @expose-dns)',
      'demo.scn:3: only docker commands run on a host, got "ls" (use @sh COMMAND to run a command on this machine)',
      'demo.scn:5: exit needs an exit code from 0 to 255, got "x"',
    ]);
  });

  it('names the file "scenario" when none is given', () => {
    const r = parseScenario('@frob');
    expect(!r.ok && formatParseError(r.errors[0]!)).toBe('scenario:1: unknown directive @frob (known: @sh, @sleep, @kill, @expose-dns)');
  });
});

describe('parseScenario never throws', () => {
  const fragments = fc.constantFrom(
    'manager$ docker node ls',
    '{{host:web.1}}$ docker ps',
    '  ~ Ready',
    '  !~ ',
    '  exit 1',
    '@sleep 0.5',
    '@kill worker-1',
    '@sh echo {{addr:m}}',
    '@',
    '\\',
    ' \\',
    '{{',
    '}}',
    '{{task:',
    '{{addr:x}}',
    "'",
    '"',
    '#',
    '$',
    '\t',
    ' ',
  );
  const line = fc.oneof(fc.string(), fc.array(fragments, { maxLength: 6 }).map((parts) => parts.join('')));
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(line, { maxLength: 12 }).map((lines) => lines.join('\n')));

  it('returns steps or errors for arbitrary text, with line numbers inside the file', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (t, useFake) => {
        const r = parseScenario(t, { file: 'f', split: useFake ? fakeSplit : splitCommandLine });
        const lines = t.split(/\r?\n/).length;
        if (r.ok) {
          for (const s of r.scenario.steps) expect(s.line).toBeGreaterThanOrEqual(1);
          for (const s of r.scenario.steps) expect(s.line).toBeLessThanOrEqual(lines);
        } else {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(e.line >= 1 && e.line <= lines, `line ${e.line} of ${lines}`).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('turns a throwing splitter into an error, whatever it throws', () => {
    const r = parseScenario('m$ docker ps', {
      split: () => {
        throw 'not an Error';
      },
    });
    expect(!r.ok && r.errors[0]!.message).toBe('cannot split the command into words: not an Error');
  });
});
