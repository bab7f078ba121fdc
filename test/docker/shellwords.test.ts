import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandLineError, joinCommandLine, quoteWord, splitCommandLine } from '../../src/docker/shellwords.js';

describe('splitCommandLine', () => {
  it.each([
    ['docker node ls', ['docker', 'node', 'ls']],
    ['  docker\tnode   ls  ', ['docker', 'node', 'ls']],
    ["docker node inspect --format '{{ .Status.Addr }}' self", ['docker', 'node', 'inspect', '--format', '{{ .Status.Addr }}', 'self']],
    ['docker node ls --format "table {{.ID}}\\t{{.Hostname}}"', ['docker', 'node', 'ls', '--format', 'table {{.ID}}\\t{{.Hostname}}']],
    ['echo "a \\"quoted\\" \\$HOME \\\\ \\x"', ['echo', 'a "quoted" $HOME \\ \\x']],
    ["echo 'it'\\''s'", ['echo', "it's"]],
    ["a'b c'd", ['ab cd']],
    ["'' \"\" x", ['', '', 'x']],
    ['a\\ b c', ['a b', 'c']],
    ['docker swarm init \\\n  --advertise-addr 10.0.0.1', ['docker', 'swarm', 'init', '--advertise-addr', '10.0.0.1']],
    ['"multi\\\nline"', ['multiline']],
    ['docker info # show it', ['docker', 'info']],
    ['# a comment line\ndocker info', ['docker', 'info']],
    ['a#b', ['a#b']],
    ['$HOME * ~ | ; &&', ['$HOME', '*', '~', '|', ';', '&&']],
    ['trailing\\', ['trailing\\']],
    ['', []],
    ['   ', []],
  ])('%j', (line, want) => {
    expect(splitCommandLine(line)).toEqual(want);
  });

  it('throws CommandLineError on an unterminated quote', () => {
    expect(() => splitCommandLine("docker node inspect --format '{{.ID}}")).toThrow(CommandLineError);
    expect(() => splitCommandLine('echo "abc')).toThrow('unterminated double quote');
    expect(() => splitCommandLine("echo 'abc")).toThrow('unterminated single quote');
    try {
      splitCommandLine('"');
    } catch (e) {
      expect((e as CommandLineError).code).toBe('unterminated-quote');
    }
  });

  it('never throws anything but CommandLineError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '"', "'", '\\', '\n', '#', 'é', '\t') }), (line) => {
        try {
          splitCommandLine(line);
        } catch (e) {
          expect(e).toBeInstanceOf(CommandLineError);
        }
      }),
    );
  });
});

describe('quoting', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(quoteWord('node')).toBe('node');
    expect(quoteWord('--format=json')).toBe('--format=json');
    expect(quoteWord('')).toBe("''");
    expect(quoteWord('{{.ID}}')).toBe("'{{.ID}}'");
    expect(quoteWord("it's")).toBe("'it'\\''s'");
    expect(joinCommandLine(['docker', 'node', 'ls', '--format', 'table {{.ID}}'])).toBe("docker node ls --format 'table {{.ID}}'");
  });

  it('round-trips: splitCommandLine(joinCommandLine(words)) = words', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '"', "'", '\\', '\n', '\t', '#', '$', '{', '}', '*', 'é', '日', '-', '=') });
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (words) => {
        expect(splitCommandLine(joinCommandLine(words))).toEqual(words);
      }),
    );
  });
});
