import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boolKind,
  durationKind,
  filterKind,
  ipNetSliceKind,
  listKind,
  nodeAddrKind,
  parseFlags,
  stringKind,
  uintKind,
  type FlagDef,
  type ParseResult,
} from '../../src/docker/flags.js';

const DEFS: readonly FlagDef[] = [
  { name: 'quiet', shorthand: 'q', usage: '', kind: boolKind() },
  { name: 'force', shorthand: 'f', usage: '', kind: boolKind() },
  { name: 'format', usage: '', kind: stringKind() },
  { name: 'filter', shorthand: 'F', usage: '', kind: filterKind() },
  { name: 'label-add', usage: '', kind: listKind() },
  { name: 'port', shorthand: 'p', usage: '', kind: uintKind(32) },
  { name: 'listen-addr', usage: '', kind: nodeAddrKind() },
  { name: 'pool', usage: '', kind: ipNetSliceKind() },
  { name: 'every', usage: '', kind: durationKind(5e9) },
  { name: 'help', shorthand: 'h', usage: '', kind: boolKind(), hidden: true, shorthandDeprecated: 'use --help' },
];

function ok(args: readonly string[], interspersed = true): Extract<ParseResult, { ok: true }> {
  const r = parseFlags(DEFS, args, interspersed);
  if (!r.ok) throw new Error(`got error ${r.error}, want success`);
  return r;
}
function err(args: readonly string[]): string {
  const r = parseFlags(DEFS, args);
  if (r.ok) throw new Error(`got success for ${JSON.stringify(args)}, want an error`);
  return r.error;
}

describe('parseFlags: accepted forms', () => {
  it('reads long, short, = and separate values', () => {
    const r = ok(['--format', 'json', '-p', '4789', 'pos1', '--quiet']);
    expect(r.flags.string('format')).toBe('json');
    expect(r.flags.number('port')).toBe(4789);
    expect(r.flags.bool('quiet')).toBe(true);
    expect(r.args).toEqual(['pos1']);
    expect(ok(['--format=a=b']).flags.string('format')).toBe('a=b');
    expect(ok(['--format=']).flags.string('format')).toBe('');
    expect(ok(['-p=7946']).flags.number('port')).toBe(7946);
    expect(ok(['-p7946']).flags.number('port')).toBe(7946);
  });

  it('combines bool shorthands, the last one may take a value', () => {
    const r = ok(['-qf']);
    expect(r.flags.bool('quiet') && r.flags.bool('force')).toBe(true);
    const s = ok(['-qp', '80']);
    expect(s.flags.bool('quiet')).toBe(true);
    expect(s.flags.number('port')).toBe(80);
    expect(ok(['-qp80']).flags.number('port')).toBe(80);
  });

  it('takes bool values only with =', () => {
    expect(ok(['--quiet=false']).flags.bool('quiet')).toBe(false);
    expect(ok(['-q=false']).flags.bool('quiet')).toBe(false);
    expect(ok(['--quiet=1']).flags.bool('quiet')).toBe(true);
    const r = ok(['--quiet', 'false']);
    expect(r.flags.bool('quiet')).toBe(true);
    expect(r.args).toEqual(['false']);
  });

  it('collects repeated list and filter flags', () => {
    const r = ok(['--label-add', 'a=1', '--label-add=b', '-F', 'role=manager', '--filter', ' Name = x ', '-F', 'role=worker']);
    expect(r.flags.list('label-add')).toEqual(['a=1', 'b']);
    expect(r.flags.get('filter')).toEqual({ role: ['manager', 'worker'], name: ['x'] });
  });

  it('stops at --, and at the first positional without interspersing', () => {
    const r = ok(['-q', '--', '--format', 'x']);
    expect(r.args).toEqual(['--format', 'x']);
    expect(r.argsLenAtDash).toBe(0);
    expect(r.flags.changed('format')).toBe(false);
    const g = ok(['-q', 'node', 'ls', '--format', 'x'], false);
    expect(g.args).toEqual(['node', 'ls', '--format', 'x']);
    expect(g.flags.changed('format')).toBe(false);
    expect(ok(['-', 'x']).args).toEqual(['-', 'x']);
  });

  it('reports Changed and NFlag, and the -h deprecation notice', () => {
    const r = ok(['-h', '--quiet=false']);
    expect(r.flags.changed('quiet')).toBe(true);
    expect(r.flags.count).toBe(2);
    expect(r.warnings).toEqual(['Flag shorthand -h has been deprecated, use --help\n']);
    expect(ok(['--help']).warnings).toEqual([]);
  });

  it('parses node addresses, CIDR pools and durations as docker does', () => {
    expect(ok([]).flags.string('listen-addr')).toBe('0.0.0.0:2377');
    expect(ok(['--listen-addr', '10.0.0.1']).flags.string('listen-addr')).toBe('10.0.0.1:2377');
    expect(ok(['--listen-addr', ':4000']).flags.string('listen-addr')).toBe('0.0.0.0:4000');
    expect(ok(['--listen-addr', 'eth0:4000']).flags.string('listen-addr')).toBe('eth0:4000');
    expect(ok(['--listen-addr', 'tcp://10.0.0.1:2377']).flags.string('listen-addr')).toBe('10.0.0.1:2377');
    expect(ok(['--pool', '10.20.1.5/16', '--pool', '10.30.0.0/16,10.40.0.0/16']).flags.list('pool')).toEqual([
      '10.20.0.0/16',
      '10.30.0.0/16',
      '10.40.0.0/16',
    ]);
    expect(ok(['--every', '1m30s']).flags.number('every')).toBe(90e9);
  });
});

describe('parseFlags: pflag error texts', () => {
  it.each([
    [['--foo'], 'unknown flag: --foo'],
    [['--foo=bar'], 'unknown flag: --foo'],
    [['-x'], "unknown shorthand flag: 'x' in -x"],
    [['-qx'], "unknown shorthand flag: 'x' in -x"],
    [['--format'], 'flag needs an argument: --format'],
    [['-p'], "flag needs an argument: 'p' in -p"],
    [['-qp'], "flag needs an argument: 'p' in -p"],
    [['--port', 'abc'], 'invalid argument "abc" for "-p, --port" flag: strconv.ParseUint: parsing "abc": invalid syntax'],
    [['--quiet=maybe'], 'invalid argument "maybe" for "-q, --quiet" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['--filter', 'role'], 'invalid argument "role" for "-F, --filter" flag: bad format of filter (expected name=value)'],
    [['--pool', '10.0.0.0'], 'invalid argument "10.0.0.0" for "--pool" flag: invalid string being converted to CIDR: 10.0.0.0'],
    [['--every', '5'], 'invalid argument "5" for "--every" flag: time: missing unit in duration "5"'],
    [['--listen-addr', 'http://x'], 'invalid argument "http://x" for "--listen-addr" flag: invalid proto, expected tcp: http://x'],
    [['---quiet'], 'bad flag syntax: ---quiet'],
    [['--=x'], 'bad flag syntax: --=x'],
    [['-h=x'], 'invalid argument "x" for "--help" flag: strconv.ParseBool: parsing "x": invalid syntax'],
  ])('%j → %s', (args, want) => {
    expect(err(args)).toBe(want);
  });

  it('never throws', () => {
    const word = fc.oneof(fc.constantFrom('-', '--', '-q', '-qp', '--format', '--quiet=', '-h', '--pool', '-F', '=x'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), fc.boolean(), (args, inter) => {
        const r = parseFlags(DEFS, args, inter);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});
