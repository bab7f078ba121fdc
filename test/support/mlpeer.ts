/**
 * The real memberlist peer in tests (interop/mlpeer.ts). With `CI=true` Go and memberlist are
 * required (their absence fails the run); elsewhere the interop tests skip with one line saying
 * how to install them.
 */
import { goMemberlistInstalled } from '../../interop/mlpeer.js';

export { buildMlpeer, killAllMlpeers, MlPeer, type MlEvent } from '../../interop/mlpeer.js';

export const MLPEER_INSTALL_HINT = 'Go memberlist peer unavailable: install `golang-go golang-github-hashicorp-memberlist-dev` (Debian) to run the interop tests';

let announced = false;

/** True when the Go peer can be built; under CI it must, so its absence throws instead. */
export function mlpeerAvailable(): boolean {
  const ok = goMemberlistInstalled();
  if (!ok && process.env.CI === 'true') throw new Error(`CI=true but ${MLPEER_INSTALL_HINT}`);
  if (!ok && !announced) {
    announced = true;
    process.stderr.write(`${MLPEER_INSTALL_HINT}\n`);
  }
  return ok;
}

