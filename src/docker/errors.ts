/**
 * How failures read on stderr (cli `cmd/docker/docker.go` `main` prints `err.Error()`): a daemon
 * refusal is `Error response from daemon: <message>` with the message trimmed (the engine client
 * wraps it so), a transport failure is `error during connect: <cause>`, anything else its message.
 */
import { EngineApiError } from '../host/engine-api.js';

/** The daemon could not be reached (the engine transport failed, not the daemon refusing). */
export class ConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectError';
  }
}

export function errorMessageOf(e: unknown): string {
  if (e instanceof EngineApiError) return `Error response from daemon: ${e.message.trim()}`;
  if (e instanceof ConnectError) return `error during connect: ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
