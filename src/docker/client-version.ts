/**
 * Who the emulated `docker` client says it is: the docker/cli release the reference outputs were
 * recorded with (v28.2.2, git commit e6534b4, Docker's own "Docker Engine - Community" build), as
 * `docker --version` and the `Client:` block of `docker info` print it.
 */
import { ENGINE_VERSION } from '../host/engine-api.js';

export const CLIENT_VERSION = ENGINE_VERSION;
/** Short commit of the docker/cli v28.2.2 release build. */
export const CLIENT_GIT_COMMIT = 'e6534b4';
/** cli `version.PlatformName` of Docker's own builds. */
export const CLIENT_PLATFORM = 'Docker Engine - Community';
