/**
 * `strerror(errno)` as the container's C library words it. Alpine images use musl, whose texts
 * differ from glibc's (`Network unreachable` vs `Network is unreachable`), and users compare what
 * they see with a real `docker exec` (docker-cli-outputs.md §7.1).
 *
 * Sources: musl `src/errno/__strerror.h` (v1.1.22 … v1.2.5, unchanged for these entries) and
 * glibc `sysdeps/gnu/errlist.h` / `strerror` in the C locale.
 */
import type { SocketError } from '../../stack/types.js';

/** Errno names a program can meet: the stack's socket errors plus what the applets print. */
export type ErrnoName = SocketError | 'EPERM' | 'ENOENT' | 'ETIMEDOUT';

const MUSL: Readonly<Record<ErrnoName, string>> = {
  ENETUNREACH: 'Network unreachable',
  EHOSTUNREACH: 'Host is unreachable',
  EMSGSIZE: 'Message too large',
  EADDRINUSE: 'Address in use',
  EINVAL: 'Invalid argument',
  ENOBUFS: 'No buffer space available',
  ECONNREFUSED: 'Connection refused',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ETIMEDOUT: 'Operation timed out',
};

const GLIBC: Readonly<Record<ErrnoName, string>> = {
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EMSGSIZE: 'Message too long',
  EADDRINUSE: 'Address already in use',
  EINVAL: 'Invalid argument',
  ENOBUFS: 'No buffer space available',
  ECONNREFUSED: 'Connection refused',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ETIMEDOUT: 'Connection timed out',
};

export function strerror(errno: ErrnoName, libc: 'musl' | 'glibc'): string {
  return (libc === 'musl' ? MUSL : GLIBC)[errno];
}
