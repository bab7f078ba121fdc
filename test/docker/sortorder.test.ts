import { describe, expect, it } from 'vitest';
import { naturalCompare, naturalLess } from '../../src/docker/sortorder.js';

describe('naturalLess (fvbommel/sortorder natsort_test.go vectors)', () => {
  it.each([
    ['0', '00', true],
    ['aa', 'ab', true],
    ['ab', 'abc', true],
    ['abc', 'ad', true],
    ['ab1', 'ab2', true],
    ['ab1c', 'ab1c', false],
    ['ab12', 'abc', true],
    ['ab2a', 'ab10', true],
    ['a0001', 'a0000001', true],
    ['a10', 'abcdefgh2', true],
    ['аб2аб', 'аб10аб', true],
    ['2аб', '3аб', true],
    ['a1b', 'a01b', true],
    ['ab01b', 'ab010b', true],
    ['a01b001', 'a001b01', true],
    ['a1', 'a1x', true],
    ['1ax', '1b', true],
    ['082', '83', true],
    ['9a', '083a', true],
  ] as const)('%s < %s is %s', (a, b, less) => {
    expect(naturalLess(a, b)).toBe(less);
    if (less && a !== b) expect(naturalLess(b, a)).toBe(false);
  });

  it('sorts as TestStringSort expects', () => {
    expect(['abc5', 'abc1', 'abc01', 'ab', 'abc10', 'abc2'].sort(naturalCompare)).toEqual(['ab', 'abc1', 'abc01', 'abc2', 'abc5', 'abc10']);
  });
});
