import { describe, expect, it } from 'vitest';
import { completeShellLine, SHELL_COMMANDS, type CompleteContext } from '../../../src/cli/shell/index.js';
import { fakeSplit } from '../scenario/fakes.js';

const dockerCalls: [readonly string[], string][] = [];
const ctx: CompleteContext = {
  hosts: ['manager', 'worker-1', 'worker-2'],
  split: fakeSplit,
  completeDocker: (words, partial) => {
    dockerCalls.push([words, partial]);
    return words.length === 0 ? ['network', 'node'].filter((w) => w.startsWith(partial)) : [`${partial}!`];
  },
};

describe('completeShellLine', () => {
  const cases: { line: string; want: [string[], string] }[] = [
    { line: '', want: [[...SHELL_COMMANDS, 'manager$', 'worker-1$', 'worker-2$'], ''] },
    { line: 'u', want: [['use'], 'u'] },
    { line: '@', want: [['@sh', '@sleep', '@kill', '@expose-dns'], '@'] },
    { line: '@s', want: [['@sh', '@sleep'], '@s'] },
    { line: 'wor', want: [['worker-1$', 'worker-2$'], 'wor'] },
    { line: 'h', want: [['hosts', 'help'], 'h'] },
    { line: 'use ', want: [['manager', 'worker-1', 'worker-2'], ''] },
    { line: 'use w', want: [['worker-1', 'worker-2'], 'w'] },
    { line: '@kill worker-2', want: [['worker-2'], 'worker-2'] },
    { line: 'use manager ', want: [[], ''] },
    { line: 'docker n', want: [['network', 'node'], 'n'] },
    { line: 'docker network l', want: [['l!'], 'l'] },
    { line: 'worker-1$ docker n', want: [['network', 'node'], 'n'] },
    { line: 'worker-1$ d', want: [['docker'], 'd'] },
    { line: 'worker-1$ use m', want: [[], 'm'] },
    { line: "docker exec 'open quote ", want: [[], ''] },
    { line: '@sh ls', want: [[], 'ls'] },
    { line: 'nonsense x', want: [[], 'x'] },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.line), () => {
      expect(completeShellLine(c.line, ctx)).toEqual(c.want);
    });
  }

  it('hands completeDocker the words after docker and the partial word', () => {
    dockerCalls.length = 0;
    completeShellLine('docker service create --na', ctx);
    expect(dockerCalls).toEqual([[['service', 'create'], '--na']]);
  });
});
