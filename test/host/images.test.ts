// Image references as distribution/reference parses them (Docker's error texts), resolution by the
// repository's last path component, display names, and the image table itself.
import { describe, expect, it } from 'vitest';
import { familiarName, IMAGES, ImageNotFoundError, mergeEnv, normalizeImageName, parseImageReference, resolveImage } from '../../src/host/images.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('resolveImage', () => {
  it('resolves every spelling of a known image by its last path component', () => {
    const cases: [string, string][] = [
      ['alpine', 'alpine'],
      ['alpine:latest', 'alpine'],
      ['alpine:3.20', 'alpine'],
      ['docker.io/library/alpine', 'alpine'],
      ['index.docker.io/library/busybox:glibc', 'busybox'],
      ['registry.docker-dca.example:5000/nginx', 'nginx'],
      ['nginx:latest', 'nginx'],
      [`nginx@${DIGEST}`, 'nginx'],
      [`nginx:1.27@${DIGEST}`, 'nginx'],
      ['localhost/team/busybox', 'busybox'],
    ];
    for (const [reference, name] of cases) {
      const resolved = resolveImage(reference);
      expect(resolved.image.name, reference).toBe(name);
      expect(resolved.typed).toBe(reference);
    }
    expect(resolveImage('registry.docker-dca.example:5000/nginx').reference).toEqual({ domain: 'registry.docker-dca.example:5000', path: 'nginx', tag: undefined, digest: undefined });
  });

  it('an unknown image fails as Docker’s pull does, named by its familiar name', () => {
    const cases: [string, string][] = [
      ['nosuchimage', 'nosuchimage'],
      ['nosuchimage:1.0', 'nosuchimage'],
      ['user/repo', 'user/repo'],
      ['docker.io/library/foo', 'foo'],
      ['registry.example:5000/team/app', 'registry.example:5000/team/app'],
    ];
    for (const [reference, name] of cases) {
      let error: unknown;
      try {
        resolveImage(reference);
      } catch (e) {
        error = e;
      }
      expect(error, reference).toBeInstanceOf(ImageNotFoundError);
      expect((error as ImageNotFoundError).code).toBe('image-not-found');
      expect((error as Error).message).toBe(`pull access denied for ${name}, repository does not exist or may require 'docker login'`);
    }
  });

  it('bad references fail with distribution/reference’s texts', () => {
    const cases: [string, string][] = [
      ['Alpine', 'invalid reference format: repository name (library/Alpine) must be lowercase'],
      ['team/App:1', 'invalid reference format: repository name (team/App) must be lowercase'],
      ['', 'invalid reference format'],
      ['alpine:', 'invalid reference format'],
      ['alpine::1', 'invalid reference format'],
      ['-alpine', 'invalid reference format'],
      ['alpine:-x', 'invalid reference format'],
      ['alp ine', 'invalid reference format'],
      ['alpine@sha256:abc', 'invalid reference format'],
      [`alpine@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
      [`alpine@sha256:${'a'.repeat(40)}`, 'invalid checksum digest length'],
      ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
      [`${'a/'.repeat(130)}b`, 'repository name must not be more than 255 characters'],
    ];
    for (const [reference, message] of cases) {
      expect(() => resolveImage(reference), reference).toThrow(message);
      expect(() => parseImageReference(reference)).toThrow(expect.objectContaining({ code: 'invalid-reference' }));
    }
  });
});

describe('display names', () => {
  it('normalizeImageName = FamiliarString(TagNameOnly(ref))', () => {
    expect(normalizeImageName('alpine')).toBe('alpine:latest');
    expect(normalizeImageName('docker.io/library/nginx:1.27')).toBe('nginx:1.27');
    expect(normalizeImageName('registry.docker-dca.example:5000/nginx')).toBe('registry.docker-dca.example:5000/nginx:latest');
    expect(normalizeImageName(`nginx@${DIGEST}`)).toBe(`nginx@${DIGEST}`);
    expect(normalizeImageName(`nginx:latest@${DIGEST}`)).toBe(`nginx:latest@${DIGEST}`);
    expect(familiarName(parseImageReference('docker.io/team/app'))).toBe('team/app');
  });
});

describe('IMAGES', () => {
  it('holds the official images’ configs with stable fake IDs', () => {
    expect(Object.keys(IMAGES).sort()).toEqual(['alpine', 'busybox', 'nginx']);
    for (const image of Object.values(IMAGES)) expect(image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(new Set(Object.values(IMAGES).map((i) => i.id)).size).toBe(3);
    expect(IMAGES.alpine.id).toBe(resolveImage('alpine:3.20').image.id);
    expect([IMAGES.alpine.libc, IMAGES.alpine.cmd, IMAGES.alpine.stopSignal]).toEqual(['musl', ['/bin/sh'], 'SIGTERM']);
    expect([IMAGES.busybox.libc, IMAGES.busybox.cmd]).toEqual(['glibc', ['sh']]);
    expect([IMAGES.nginx.entrypoint, IMAGES.nginx.cmd, IMAGES.nginx.stopSignal, IMAGES.nginx.exposedPorts]).toEqual([
      ['/docker-entrypoint.sh'],
      ['nginx', '-g', 'daemon off;'],
      'SIGQUIT',
      ['80/tcp'],
    ]);
  });

  it('mergeEnv: later entries win, keys without = are skipped, no prototype keys', () => {
    const env = mergeEnv(['PATH=/bin', 'A=1'], ['A=2', 'B', '__proto__=x', 'C=a=b']);
    expect(Object.entries(env)).toEqual([['PATH', '/bin'], ['A', '2'], ['__proto__', 'x'], ['C', 'a=b']]);
  });
});
