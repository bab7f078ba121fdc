import { describe, expect, it } from 'vitest';
import { formatParseError, parseScenario, type Step } from '../../../src/cli/scenario/index.js';
import { executeStep } from '../../../src/cli/scenario/execute.js';
import { fakeSplit, FakeTarget, ok } from './fakes.js';

const parse = (text: string) => parseScenario(text, { file: 'demo.scn', split: fakeSplit });

function dockerSteps(text: string): Extract<Step, { kind: 'docker' }>[] {
  const r = parse(text);
  if (!r.ok) throw new Error(r.errors.map(formatParseError).join('; '));
  return r.scenario.steps.filter((s): s is Extract<Step, { kind: 'docker' }> => s.kind === 'docker');
}

describe('scenario input lines (< TEXT)', () => {
  const cases: { name: string; text: string; stdin: string[]; expect: number }[] = [
    { name: 'lines in order', text: 'w$ docker exec -i c sh\n  < ping -c 2 10.0.1.4\n  < exit', stdin: ['ping -c 2 10.0.1.4', 'exit'], expect: 0 },
    { name: 'mixed with expectations', text: 'w$ docker exec -i c sh\n  < echo hi\n  ~ hi\n  < exit\n  exit 0', stdin: ['echo hi', 'exit'], expect: 2 },
    { name: 'one blank after < dropped, the rest kept', text: 'w$ docker attach c\n\t<   two leading\n  <', stdin: ['  two leading', ''], expect: 0 },
    { name: 'no space needed after <', text: 'w$ docker attach c\n  <y', stdin: ['y'], expect: 0 },
    { name: 'a step without input has none', text: 'w$ docker ps', stdin: [], expect: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [step] = dockerSteps(c.text);
      expect(step.stdin.map((t) => t.source)).toEqual(c.stdin);
      expect(step.expectations).toHaveLength(c.expect);
    });
  }

  it('input lines belong only under docker steps', () => {
    const cases: [string, number, RegExp][] = [
      ['  < orphan', 1, /input line without a step/],
      ['@sh echo hi\n  < x', 2, /go under HOST\$ docker steps, not under @sh/],
      ['w$ docker ps\n\n  < x', 3, /input line without a step/],
      ['w$ docker exec -i c sh\n  < {{nope:x}}', 2, /nope/],
    ];
    for (const [text, line, message] of cases) {
      const r = parse(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) {
        expect(r.errors[0].line).toBe(line);
        expect(r.errors[0].message).toMatch(message);
      }
    }
  });

  it('passes the filled lines to the target as the command input', async () => {
    const target = new FakeTarget(() => ok('pong\n'));
    target.addresses['db'] = '127.42.7.9';
    const [step] = dockerSteps('w$ docker exec -i c sh\n  < ping -c 1 {{addr:db}}\n  < exit');
    const run = await executeStep(step, { target, split: fakeSplit, sh: async () => ok(), shTimeoutMs: 1000, sleep: async () => undefined });
    expect(run.output?.stdout).toBe('pong\n');
    expect(target.calls).toEqual([{ host: 'w', argv: ['exec', '-i', 'c', 'sh'], stdin: ['ping -c 1 127.42.7.9', 'exit'] }]);
  });
});
