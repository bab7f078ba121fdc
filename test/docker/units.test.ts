import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatGoDuration,
  formatGoG,
  goQuote,
  goTimeString,
  parseGoBool,
  parseGoDuration,
  parseGoInt,
  parseGoUint,
} from '../../src/docker/golang.js';
import { bytesSize, humanDuration, humanSize } from '../../src/docker/units.js';

const SECOND = 1e9;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const PiB = 1024 * TiB;
const KB = 1000;
const MB = 1000 * KB;
const GB = 1000 * MB;
const TB = 1000 * GB;
const PB = 1000 * TB;

describe('humanDuration', () => {
  // docker/go-units duration_test.go TestHumanDuration, every case.
  const table: [number, string][] = [
    [450e6, 'Less than a second'],
    [1 * SECOND, '1 second'],
    [45 * SECOND, '45 seconds'],
    [46 * SECOND, '46 seconds'],
    [59 * SECOND, '59 seconds'],
    [60 * SECOND, 'About a minute'],
    [1 * MINUTE, 'About a minute'],
    [3 * MINUTE, '3 minutes'],
    [35 * MINUTE, '35 minutes'],
    [35 * MINUTE + 40 * SECOND, '35 minutes'],
    [45 * MINUTE, '45 minutes'],
    [45 * MINUTE + 40 * SECOND, '45 minutes'],
    [46 * MINUTE, '46 minutes'],
    [59 * MINUTE, '59 minutes'],
    [1 * HOUR, 'About an hour'],
    [1 * HOUR + 29 * MINUTE, 'About an hour'],
    [1 * HOUR + 31 * MINUTE, '2 hours'],
    [1 * HOUR + 59 * MINUTE, '2 hours'],
    [3 * HOUR, '3 hours'],
    [3 * HOUR + 29 * MINUTE, '3 hours'],
    [3 * HOUR + 31 * MINUTE, '4 hours'],
    [3 * HOUR + 59 * MINUTE, '4 hours'],
    [3 * HOUR + 60 * MINUTE, '4 hours'],
    [24 * HOUR, '24 hours'],
    [1 * DAY + 12 * HOUR, '36 hours'],
    [2 * DAY, '2 days'],
    [7 * DAY, '7 days'],
    [13 * DAY + 5 * HOUR, '13 days'],
    [2 * WEEK, '2 weeks'],
    [2 * WEEK + 4 * DAY, '2 weeks'],
    [3 * WEEK, '3 weeks'],
    [4 * WEEK, '4 weeks'],
    [4 * WEEK + 3 * DAY, '4 weeks'],
    [1 * MONTH, '4 weeks'],
    [1 * MONTH + 2 * WEEK, '6 weeks'],
    [2 * MONTH, '2 months'],
    [2 * MONTH + 2 * WEEK, '2 months'],
    [3 * MONTH, '3 months'],
    [3 * MONTH + 1 * WEEK, '3 months'],
    [5 * MONTH + 2 * WEEK, '5 months'],
    [13 * MONTH, '13 months'],
    [23 * MONTH, '23 months'],
    [24 * MONTH, '24 months'],
    [24 * MONTH + 2 * WEEK, '2 years'],
    [3 * YEAR + 2 * MONTH, '3 years'],
  ];
  it.each(table)('%d ns → %s', (ns, want) => {
    expect(humanDuration(ns)).toBe(want);
  });

  it('prints the swarm defaults as docker info does', () => {
    expect(humanDuration(5_000_000_000)).toBe('5 seconds');
    expect(humanDuration(7_776_000_000_000_000)).toBe('3 months');
  });
});

describe('bytesSize and humanSize', () => {
  // docker/go-units size_test.go TestBytesSize / TestHumanSize.
  it.each([
    [1024, '1KiB'],
    [1024 * 1024, '1MiB'],
    [1048576, '1MiB'],
    [2 * MiB, '2MiB'],
    [3.42 * GiB, '3.42GiB'],
    [5.372 * TiB, '5.372TiB'],
    [2.22 * PiB, '2.22PiB'],
    [KiB * KiB * KiB * KiB * KiB * PiB, '1.049e+06YiB'],
  ])('bytesSize(%d) = %s', (n, want) => {
    expect(bytesSize(n)).toBe(want);
  });

  it.each([
    [1000, '1kB'],
    [1024, '1.024kB'],
    [1000000, '1MB'],
    [1048576, '1.049MB'],
    [2 * MB, '2MB'],
    [3.42 * GB, '3.42GB'],
    [5.372 * TB, '5.372TB'],
    [2.22 * PB, '2.22PB'],
    [10000000000000 * PB, '1e+04YB'],
  ])('humanSize(%d) = %s', (n, want) => {
    expect(humanSize(n)).toBe(want);
  });

  it('prints the memory of the reference node and of the cli sample', () => {
    expect(bytesSize(8_248_356_864)).toBe('7.682GiB');
    // cli info_test.go sampleInfoNoSwarm MemTotal → docker-info-*.golden "Total Memory: 1.953GiB"
    expect(bytesSize(2097356800)).toBe('1.953GiB');
    // cli node testdata: builders.Node memory 20 MiB → "Memory: 20MiB"
    expect(bytesSize(20 * MiB)).toBe('20MiB');
    expect(bytesSize(0)).toBe('0B');
    expect(bytesSize(1023)).toBe('1023B');
  });
});

describe('formatGoG (%.4g)', () => {
  it.each([
    [1, '1'],
    [0.5, '0.5'],
    [1234.5, '1234'], // exact tie in binary rounds half to even, as Go does
    [1235.5, '1236'],
    [1.0625, '1.062'], // exactly representable tie: half to even
    [1.0635, '1.063'], // 1.0635 is 1.06349999… in binary: below the tie, Go rounds down
    [1.0645, '1.065'], // 1.06450000000000000177…: above the tie
    [12345, '1.234e+04'],
    [0.0001234, '0.0001234'],
    [0.00001234, '1.234e-05'],
    [9999.5, '1e+04'],
  ])('%d → %s', (x, want) => {
    expect(formatGoG(x, 4)).toBe(want);
  });
});

describe('Go durations', () => {
  it('formats as time.Duration.String', () => {
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(5 * SECOND)).toBe('5s');
    expect(formatGoDuration(90 * DAY)).toBe('2160h0m0s');
    expect(formatGoDuration(1.5 * SECOND)).toBe('1.5s');
    expect(formatGoDuration(100e6)).toBe('100ms');
    expect(formatGoDuration(1500)).toBe('1.5µs');
    expect(formatGoDuration(12)).toBe('12ns');
    expect(formatGoDuration(61 * SECOND)).toBe('1m1s');
    expect(formatGoDuration(-5 * SECOND)).toBe('-5s');
  });

  it('parses as time.ParseDuration, with its error texts', () => {
    expect(parseGoDuration('5s')).toEqual({ ok: true, value: 5 * SECOND });
    expect(parseGoDuration('1h30m')).toEqual({ ok: true, value: 90 * MINUTE });
    expect(parseGoDuration('1.5h')).toEqual({ ok: true, value: 90 * MINUTE });
    expect(parseGoDuration('-2m')).toEqual({ ok: true, value: -2 * MINUTE });
    expect(parseGoDuration('0')).toEqual({ ok: true, value: 0 });
    expect(parseGoDuration('300ms')).toEqual({ ok: true, value: 300e6 });
    expect(parseGoDuration('abc')).toEqual({ ok: false, error: 'time: invalid duration "abc"' });
    expect(parseGoDuration('5')).toEqual({ ok: false, error: 'time: missing unit in duration "5"' });
    expect(parseGoDuration('5x')).toEqual({ ok: false, error: 'time: unknown unit "x" in duration "5x"' });
    expect(parseGoDuration('')).toEqual({ ok: false, error: 'time: invalid duration ""' });
  });

  it('round-trips whole durations', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), (ns) => {
        expect(parseGoDuration(formatGoDuration(ns))).toEqual({ ok: true, value: ns });
      }),
    );
  });
});

describe('strconv', () => {
  it('parses unsigned integers in base 0 with strconv errors', () => {
    expect(parseGoUint('4789', 32)).toEqual({ ok: true, value: 4789 });
    expect(parseGoUint('0x12b5', 32)).toEqual({ ok: true, value: 4789 });
    expect(parseGoUint('0o11265', 32)).toEqual({ ok: true, value: 4789 });
    expect(parseGoUint('011265', 32)).toEqual({ ok: true, value: 4789 });
    expect(parseGoUint('1_000', 32)).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "1_000": invalid syntax' });
    expect(parseGoUint('0x_10', 32)).toEqual({ ok: true, value: 16 });
    expect(parseGoUint('abc', 32)).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "abc": invalid syntax' });
    expect(parseGoUint('-1', 32)).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "-1": invalid syntax' });
    expect(parseGoUint('', 32)).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "": invalid syntax' });
    expect(parseGoUint('4294967296', 32)).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "4294967296": value out of range' });
    expect(parseGoUint('4294967295', 32)).toEqual({ ok: true, value: 4294967295 });
  });

  it('parses signed integers', () => {
    expect(parseGoInt('-5', 64)).toEqual({ ok: true, value: -5 });
    expect(parseGoInt('+5', 64)).toEqual({ ok: true, value: 5 });
    expect(parseGoInt('x', 64)).toEqual({ ok: false, error: 'strconv.ParseInt: parsing "x": invalid syntax' });
    expect(parseGoInt('2147483648', 32)).toEqual({ ok: false, error: 'strconv.ParseInt: parsing "2147483648": value out of range' });
    expect(parseGoInt('-2147483648', 32)).toEqual({ ok: true, value: -2147483648 });
  });

  it('parses booleans', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(t)).toEqual({ ok: true, value: true });
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(f)).toEqual({ ok: true, value: false });
    expect(parseGoBool('yes')).toEqual({ ok: false, error: 'strconv.ParseBool: parsing "yes": invalid syntax' });
  });

  it('quotes like strconv.Quote', () => {
    expect(goQuote('active')).toBe('"active"');
    expect(goQuote('a"b\\c\n\t\x01')).toBe('"a\\"b\\\\c\\n\\t\\x01"');
    expect(goQuote('µs')).toBe('"µs"');
  });
});

describe('goTimeString', () => {
  it('prints time.Time.String of RFC 3339 instants', () => {
    expect(goTimeString('2026-08-20T10:00:00.461901234Z')).toBe('2026-08-20 10:00:00.461901234 +0000 UTC');
    expect(goTimeString('2009-11-10T23:00:00Z')).toBe('2009-11-10 23:00:00 +0000 UTC');
    expect(goTimeString('2026-08-20T10:00:00.120Z')).toBe('2026-08-20 10:00:00.12 +0000 UTC');
    expect(goTimeString('2026-08-20T10:00:00.000000000Z')).toBe('2026-08-20 10:00:00 +0000 UTC');
    expect(goTimeString('2026-08-20T12:00:00+02:00')).toBe('2026-08-20 12:00:00 +0200 +0200');
    expect(goTimeString('0001-01-01T00:00:00Z')).toBe('0001-01-01 00:00:00 +0000 UTC');
    expect(goTimeString('not a time')).toBe('not a time');
  });
});
