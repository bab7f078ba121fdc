/**
 * The images swarmnet knows (there is no registry: every host "has" these locally), and image
 * references parsed as Docker parses them, so that `docker run Alpine` or `docker run nosuch`
 * fail with Docker's own words.
 *
 * Parsing follows distribution/reference (vendored by docker/cli): `ParseNormalizedNamed`
 * (lowercase check on the remote name, 64-hex IDs refused, Docker Hub canonicalisation of
 * `alpine` → `docker.io/library/alpine`) and `Parse` (the anchored reference grammar, then
 * `repository name must be lowercase` / `invalid reference format`). A reference resolves to a
 * known image by the last path component of its repository (`registry.example:5000/nginx` is
 * nginx): swarmnet has one copy of each image, whatever registry or tag names it.
 *
 * Image configs are those of the official images (Cmd, Entrypoint, Env, StopSignal, exposed
 * ports); `busybox` is the glibc variant, which the `busybox:latest` tag points at on amd64.
 */
import { createHash } from 'node:crypto';
import { SwarmnetError } from '../util/errors.js';

export interface Image {
  /** The repository's last path component: `alpine`, `busybox`, `nginx`. */
  readonly name: string;
  /** `sha256:` + 64 hex, stable across runs (`docker images` IMAGE ID, inspect `.Image`). */
  readonly id: string;
  readonly libc: 'musl' | 'glibc';
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly workingDir: string;
  /** The signal `docker stop` sends first (image `StopSignal`, default SIGTERM). */
  readonly stopSignal: string;
  readonly exposedPorts: readonly string[];
  /** `/etc/os-release` of the image (none in the bare busybox image). */
  readonly osRelease: string | undefined;
}

/** distribution/reference `RepositoryNameTotalLengthMax`. */
export const REPOSITORY_NAME_MAX_LENGTH = 255;
/** The tag `docker run alpine` means (reference.TagNameOnly). */
export const DEFAULT_TAG = 'latest';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A stable fake image ID: the same image always has the same ID on every host and run. */
function fakeImageId(name: string): string {
  return `sha256:${createHash('sha256').update(`swarmnet image ${name}`).digest('hex')}`;
}

const ALPINE_OS_RELEASE =
  'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n' +
  'HOME_URL="https://alpinelinux.org/"\nBUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"\n';
const DEBIAN_OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\n' +
  'VERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\nSUPPORT_URL="https://www.debian.org/support"\n' +
  'BUG_REPORT_URL="https://bugs.debian.org/"\n';

/** nginx image's version (docker-cli-outputs.md §8.2 shows 1.27.4 in the 404 page). */
export const NGINX_VERSION = '1.27.4';

export const IMAGES: Readonly<Record<string, Image>> = Object.freeze({
  alpine: {
    name: 'alpine',
    id: fakeImageId('alpine'),
    libc: 'musl',
    entrypoint: [],
    cmd: ['/bin/sh'],
    env: [DEFAULT_PATH],
    workingDir: '/',
    stopSignal: 'SIGTERM',
    exposedPorts: [],
    osRelease: ALPINE_OS_RELEASE,
  },
  busybox: {
    name: 'busybox',
    id: fakeImageId('busybox'),
    libc: 'glibc',
    entrypoint: [],
    cmd: ['sh'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    workingDir: '/',
    stopSignal: 'SIGTERM',
    exposedPorts: [],
    osRelease: undefined, // a bare busybox: no distribution, no /etc/os-release
  },
  nginx: {
    name: 'nginx',
    id: fakeImageId('nginx'),
    libc: 'glibc',
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['nginx', '-g', 'daemon off;'],
    env: [DEFAULT_PATH, `NGINX_VERSION=${NGINX_VERSION}`, 'NJS_VERSION=0.8.9', 'NJS_RELEASE=1~bookworm', 'PKG_RELEASE=1~bookworm'],
    workingDir: '/',
    stopSignal: 'SIGQUIT',
    exposedPorts: ['80/tcp'],
    osRelease: DEBIAN_OS_RELEASE,
  },
});

/** A parsed image reference (distribution/reference's normalized Named). */
export interface ImageReference {
  /** `docker.io`, `registry.example:5000` … */
  readonly domain: string;
  /** `library/alpine`, `team/app` … */
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/** What a reference resolved to. */
export interface ResolvedImage {
  readonly image: Image;
  readonly reference: ImageReference;
  /** The reference as typed (what `docker ps` shows in IMAGE for `docker run`). */
  readonly typed: string;
}

// distribution/reference regexp.go, composed the same way.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;

/** An invalid reference: the message is Docker's (`invalid reference format…`). */
export class InvalidReferenceError extends SwarmnetError {
  constructor(message: string) {
    super('invalid-reference', message);
    this.name = 'InvalidReferenceError';
  }
}

/** An image no registry has: Docker's pull failure (containerd image store wording, §5.2). */
export class ImageNotFoundError extends SwarmnetError {
  constructor(readonly familiarName: string) {
    super('image-not-found', `pull access denied for ${familiarName}, repository does not exist or may require 'docker login'`);
    this.name = 'ImageNotFoundError';
  }
}

/** normalize.go `splitDockerDomain`: which part of `name` is a registry. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: 'docker.io', remainder: `library/${name}` };
  const first = name.slice(0, slash);
  let domain = 'docker.io';
  let remainder = name;
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    domain = first === 'index.docker.io' ? 'docker.io' : first;
    remainder = name.slice(slash + 1);
  }
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/** `reference.ParseNormalizedNamed`. Throws InvalidReferenceError with Docker's message. */
export function parseImageReference(text: string): ImageReference {
  if (typeof text !== 'string') throw new InvalidReferenceError('invalid reference format');
  if (IDENTIFIER.test(text)) throw new InvalidReferenceError(`invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDockerDomain(text);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) throw new InvalidReferenceError(`invalid reference format: repository name (${remote}) must be lowercase`);
  const full = `${domain}/${remainder}`;
  const m = REFERENCE.exec(full);
  if (m === null) {
    if (REFERENCE.test(full.toLowerCase())) throw new InvalidReferenceError('invalid reference format: repository name must be lowercase');
    throw new InvalidReferenceError('invalid reference format');
  }
  const name = ANCHORED_NAME.exec(m[1])!;
  const path = name[2];
  if (path.length > REPOSITORY_NAME_MAX_LENGTH) {
    throw new InvalidReferenceError(`repository name must not be more than ${REPOSITORY_NAME_MAX_LENGTH} characters`);
  }
  const digest = m[3];
  if (digest !== undefined) validateDigest(digest);
  return { domain: name[1] ?? domain, path, tag: m[2], digest };
}

/** go-digest `Digest.Validate` for the algorithms Docker accepts. */
function validateDigest(digest: string): void {
  const [algorithm, hex] = [digest.slice(0, digest.indexOf(':')), digest.slice(digest.indexOf(':') + 1)];
  const lengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
  const wanted = lengths[algorithm];
  if (wanted === undefined) throw new InvalidReferenceError('unsupported digest algorithm');
  if (hex.length !== wanted) throw new InvalidReferenceError('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw new InvalidReferenceError('invalid checksum digest format');
}

/** `reference.FamiliarName`: `alpine`, `team/app`, `registry.example:5000/nginx`. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== 'docker.io') return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith('library/') && ref.path.indexOf('/', 'library/'.length) < 0 ? ref.path.slice('library/'.length) : ref.path;
}

/**
 * `reference.FamiliarString(reference.TagNameOnly(ref))`: the name a service spec records when
 * no digest could be resolved (`nginx` → `nginx:latest`; a digest is kept: `nginx:1.27@sha256:…`).
 */
export function normalizeImageName(text: string): string {
  const ref = parseImageReference(text);
  const tag = ref.tag ?? (ref.digest === undefined ? DEFAULT_TAG : undefined);
  return `${familiarName(ref)}${tag === undefined ? '' : `:${tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/**
 * The digest a registry would answer for the image's manifest (`docker buildx imagetools inspect`,
 * `GET /distribution/{name}/json`): stable per image, distinct from the image ID as on a real
 * registry, where the manifest digest and the config digest (the image ID) differ.
 */
export function manifestDigest(image: Image): string {
  return `sha256:${createHash('sha256').update(`swarmnet manifest ${image.name}`).digest('hex')}`;
}

/** Resolves a reference to a known image; InvalidReferenceError or ImageNotFoundError otherwise. */
export function resolveImage(text: string): ResolvedImage {
  const reference = parseImageReference(text);
  const last = reference.path.slice(reference.path.lastIndexOf('/') + 1);
  const image = Object.hasOwn(IMAGES, last) ? IMAGES[last] : undefined;
  if (image === undefined) throw new ImageNotFoundError(familiarName(reference));
  return { image, reference, typed: text };
}

/** `Image.env` plus `extra` (`KEY=value`, later wins, as Docker merges `--env` over the image). */
export function mergeEnv(base: readonly string[], extra: readonly string[]): Record<string, string> {
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const entry of [...base, ...extra]) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
