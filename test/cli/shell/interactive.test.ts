import { describe, expect, it } from 'vitest';
import { readsInput } from '../../../src/cli/shell/interactive.js';

describe('readsInput', () => {
  it.each([
    ['exec -it c sh', true],
    ['exec -i c sh', true],
    ['exec --interactive c sh', true],
    ['exec c hostname', false],
    ['exec -t c sh', false],
    ['run -it --rm --name c3 --network test-net alpine', true],
    ['run --name c1 -it alpine', true],
    ['run -dit --name c alpine ash', false],
    ['run -i -d alpine', false],
    ['container run -it alpine', true],
    ['container exec -it c sh', true],
    ['attach c1', true],
    ['attach --no-stdin c1', false],
    ['ps -a', false],
    ['service create -it alpine', false],
  ])('docker %s → %s', (line, want) => {
    expect(readsInput(line.split(' '))).toBe(want);
    expect(readsInput(['docker', ...line.split(' ')])).toBe(want);
  });
});
