import { describe, expect, it } from 'vitest';
import { getopt, indexInSubstrings, inetAton, parseDuration, xstrtou } from '../../../src/host/programs/args.js';
import { AppletError, UsageError } from '../../../src/host/programs/busybox.js';
import { ip4 } from './fake-stack.js';

describe('getopt', () => {
  it('permutes operands, clusters flags, takes attached or separate arguments, stops at --', () => {
    const r = getopt(['ping', 'host', '-qc3', '-W', '2', '--', '-x'], 'qc:W:', 'musl', 'ping');
    expect(r.options).toEqual([
      { option: 'q', value: undefined },
      { option: 'c', value: '3' },
      { option: 'W', value: '2' },
    ]);
    expect(r.operands).toEqual(['host', '-x']);
    expect(r.error).toBeUndefined();
  });

  it('words errors as each libc does', () => {
    expect(getopt(['p', '-x'], 'q', 'musl', 'p').error).toBe('p: unrecognized option: x\n');
    expect(getopt(['p', '-x'], 'q', 'glibc', 'p').error).toBe("p: invalid option -- 'x'\n");
    expect(getopt(['p', '-c'], 'c:', 'musl', 'p').error).toBe('p: option requires an argument: c\n');
    expect(getopt(['p', '--long'], 'c:', 'glibc', 'p').error).toBe("p: unrecognized option '--long'\n");
  });
});

describe('numbers and durations', () => {
  it('xstrtou: digits only, suffixes, range and hex', () => {
    expect(xstrtou('42', 10, 0, 100)).toBe(42);
    expect(xstrtou('ff', 16, 0, 255)).toBe(255);
    expect(xstrtou('0x1f', 16, 0, 255)).toBe(31);
    expect(() => xstrtou(' 1', 10, 0, 9)).toThrow(new AppletError("invalid number ' 1'"));
    expect(() => xstrtou('+1', 10, 0, 9)).toThrow(AppletError);
    expect(() => xstrtou('10', 10, 0, 9)).toThrow(new AppletError('number 10 is not in 0..9 range'));
  });

  it('parseDuration: seconds with fractions and suffixes; malformed fractions show usage', () => {
    expect(parseDuration('2')).toBe(2);
    expect(parseDuration('0.25')).toBe(0.25);
    expect(parseDuration('1.5m')).toBe(90);
    expect(parseDuration('.5')).toBe(0.5);
    expect(parseDuration('2h')).toBe(7200);
    expect(() => parseDuration('1.2.3')).toThrow(UsageError);
    expect(() => parseDuration('1x')).toThrow(new AppletError("invalid number '1x'"));
  });
});

describe('inetAton', () => {
  it('accepts 1 to 4 parts in decimal, hex or octal, like musl', () => {
    const cases: [string, string | undefined][] = [
      ['10.0.1.2', '10.0.1.2'],
      ['10.1', '10.0.0.1'],
      ['10.1.2', '10.1.0.2'],
      ['167772161', '10.0.0.1'],
      ['0x0a.010.0.1', '10.8.0.1'],
      ['256.0.0.1', undefined],
      ['10.0.0.1.5', undefined],
      ['10..1', undefined],
      ['web', undefined],
      ['08.1', undefined],
      ['4294967296', undefined],
      ['', undefined],
    ];
    for (const [text, want] of cases) expect(inetAton(text), text).toBe(want === undefined ? undefined : ip4(want));
  });
});

describe('indexInSubstrings', () => {
  it('exact match wins, a unique prefix matches, an ambiguous one does not', () => {
    const objects = ['address', 'route', 'r', 'link', 'tunnel', 'tunl', 'rule', 'neigh'];
    expect(indexInSubstrings(objects, 'a')).toBe(0);
    expect(indexInSubstrings(objects, 'r')).toBe(2);
    expect(indexInSubstrings(objects, 'ro')).toBe(1);
    expect(indexInSubstrings(objects, 'ru')).toBe(6);
    expect(indexInSubstrings(objects, 'tun')).toBe(-1);
    expect(indexInSubstrings(objects, 'addresses')).toBe(-1);
    expect(indexInSubstrings(objects, '')).toBe(-1);
  });
});
