import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeDocker } from '../../src/docker/completion.js';

describe('completeDocker', () => {
  it('completes top-level commands (not the hidden help command)', () => {
    expect(completeDocker([], '')).toEqual(['attach', 'container', 'create', 'exec', 'info', 'inspect', 'kill', 'logs', 'network', 'node', 'ps', 'rm', 'run', 'service', 'start', 'stop', 'swarm']);
    expect(completeDocker(['docker'], 's')).toEqual(['service', 'start', 'stop', 'swarm']);
    expect(completeDocker([], 'x')).toEqual([]);
  });

  it('completes subcommands, also after global flags', () => {
    expect(completeDocker(['node'], '')).toEqual(['demote', 'inspect', 'ls', 'promote', 'ps', 'rm', 'update']);
    expect(completeDocker(['swarm'], 'j')).toEqual(['join', 'join-token']);
    expect(completeDocker(['-D', '--log-level', 'debug', 'swarm'], 'l')).toEqual(['leave']);
  });

  it('completes flags of the current command, long and short', () => {
    expect(completeDocker(['node', 'ls'], '--')).toEqual(['--filter', '--format', '--quiet']);
    expect(completeDocker(['node', 'ls'], '-')).toEqual(['--filter', '--format', '--quiet', '-f', '-q']);
    expect(completeDocker(['swarm', 'init'], '--default')).toEqual(['--default-addr-pool', '--default-addr-pool-mask-length']);
    expect(completeDocker([], '--t')).toEqual(['--tls', '--tlscacert', '--tlscert', '--tlskey', '--tlsverify']);
  });

  it('completes fixed flag and argument values', () => {
    expect(completeDocker(['node', 'update', '--availability'], '')).toEqual(['active', 'drain', 'pause']);
    expect(completeDocker(['node', 'update', '--role'], 'm')).toEqual(['manager']);
    expect(completeDocker(['swarm', 'init'], '--availability=d')).toEqual(['--availability=drain']);
    expect(completeDocker(['node', 'ls', '-f'], 'r')).toEqual(['role=']);
    expect(completeDocker(['swarm', 'join-token'], '')).toEqual(['manager', 'worker']);
    expect(completeDocker(['swarm', 'join-token', '-q'], 'w')).toEqual(['worker']);
    expect(completeDocker(['swarm', 'join-token', 'worker'], '')).toEqual([]);
  });

  it('skips flag values when finding the command', () => {
    expect(completeDocker(['node', 'inspect', '--format', 'node'], '')).toEqual([]);
    expect(completeDocker(['node', 'inspect', '--format', '{{.ID}}'], '--p')).toEqual(['--pretty']);
  });

  it('completes command paths after `help`', () => {
    expect(completeDocker(['help'], 'n')).toEqual(['network', 'node']);
    expect(completeDocker(['help', 'swarm'], 'le')).toEqual(['leave']);
  });

  it('never throws', () => {
    const word = fc.constantFrom('node', 'ls', 'swarm', '-q', '--format', '--', '-f', 'help', 'x', '--availability=', '');
    fc.assert(
      fc.property(fc.array(word, { maxLength: 6 }), word, (words, partial) => {
        expect(Array.isArray(completeDocker(words, partial))).toBe(true);
      }),
    );
  });
});
