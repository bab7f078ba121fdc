/**
 * The piscina task that is one emulated host. It binds the host's data-path socket, builds the
 * `Host`, serves the control protocol on the transferred `port`, announces `ready`, and resolves
 * only after `shutdown` — piscina keeps the thread for as long as the task is pending, and with
 * `atomics: 'disabled'` the thread's event loop (sockets, timers) runs freely meanwhile.
 *
 * Everything is caught: a failure while starting, a `crash` request, or an exception escaping
 * into this thread's event loop (`uncaughtException`, which would otherwise kill the thread
 * without a word) is reported as a `fatal` event with the error, the host is torn down as far as
 * it can be, and the task resolves with outcome `failed` and the same error.
 */
import type { MessagePort } from 'node:worker_threads';
import { UdpUnderlay } from '../dataplane/index.js';
import { ms, RealClock } from '../util/clock.js';
import { ControlServer } from './control-server.js';
import { errorInfo, type HostEvent, type HostTaskConfig, type HostTaskOutcome } from './control.js';
import { Host } from './host.js';

export interface HostTask {
  readonly port: MessagePort;
  readonly config: HostTaskConfig;
}

export default async function runHostTask({ port, config }: HostTask): Promise<HostTaskOutcome> {
  let underlay: UdpUnderlay | undefined;
  let host: Host | undefined;
  let server: ControlServer | undefined;
  let escaped: ((error: Error) => void) | undefined;
  const escapedErrors: Error[] = [];
  const onUncaught = (error: unknown) => {
    const e = error instanceof Error ? error : new Error(String(error));
    if (escaped) escaped(e);
    else escapedErrors.push(e);
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  try {
    underlay = await UdpUnderlay.open({ address: config.address, port: config.port });
    host = new Host({
      name: config.name,
      underlay,
      clock: new RealClock(config.timeScale),
      seed: config.seed,
      managementPort: config.managementPort,
      ...(config.heartbeatPeriodMs !== undefined ? { heartbeatPeriod: ms(config.heartbeatPeriodMs) } : {}),
      ...(config.dnsUpstreams !== undefined ? { dnsUpstreams: config.dnsUpstreams } : {}),
      ...(config.keyRotationIntervalMs !== undefined ? { keyRotationInterval: ms(config.keyRotationIntervalMs) } : {}),
    });
    // A `crash` request throws from a timer, as a bug in a socket or timer callback would.
    server = new ControlServer(port, host, (error) => {
      setTimeout(() => {
        throw error;
      }, 0);
    });
    const s = server;
    escaped = (e) => s.fail(e);
    if (escapedErrors.length > 0) throw escapedErrors[0];
    server.announceReady();
    await server.done;
    return { outcome: 'shutdown' };
  } catch (error) {
    const fatal: HostEvent = { event: 'fatal', host: config.name, error: { ...errorInfo(error), ...(error instanceof Error && error.stack ? { stack: error.stack } : {}) } };
    try {
      port.postMessage(fatal);
    } catch {
      // The cluster closed its end already.
    }
    // A failed host goes silent, as a crashed daemon does: no gossip leave.
    await (host !== undefined ? host.close({ abrupt: true }) : underlay?.close())?.catch(() => {});
    return { outcome: 'failed', error: fatal.error };
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    server?.detach();
    port.close();
  }
}
