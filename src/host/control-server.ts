/**
 * Serves the control protocol (src/host/control.ts) for one `Host` over a MessagePort-like
 * `ControlPort`. Requests run concurrently (a long `exec` does not hold up `stats`); each gets
 * exactly one response. `done` resolves once a `shutdown` has closed the host and been
 * acknowledged, and rejects when the host fails (a `crash` request, or `fail()` from the worker
 * catching an error) — the runner then reports `fatal`.
 */
import { errorInfo, isControlRequest, type ControlPort, type ControlRequest, type ControlResponse, type HostEvent } from './control.js';
import { EngineApiError } from './engine-api.js';
import type { Host } from './host.js';
import { SwarmnetError } from '../util/errors.js';

export class ControlServer {
  readonly done: Promise<void>;
  #resolveDone!: () => void;
  #rejectDone!: (error: Error) => void;
  #settled = false;
  #shuttingDown = false;
  readonly #onMessage = (message: unknown) => void this.#handle(message);

  /**
   * `crash` decides how a `crash` request fails the host; by default it fails `done` directly.
   * The worker throws the error into the thread's event loop instead, so the request exercises
   * the same path as a real bug escaping a callback.
   */
  constructor(
    private readonly port: ControlPort,
    private readonly host: Host,
    private readonly crash: (error: Error) => void = (error) => this.fail(error),
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    port.on('message', this.#onMessage);
  }

  /** Tells the client the host is up and where its data-path socket is bound. */
  announceReady(): void {
    this.#post({ event: 'ready', host: this.host.name, underlay: this.host.underlayEndpoint });
  }

  /** Marks the host failed: `done` rejects with `error` (once). */
  fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#rejectDone(error);
  }

  /** Stops serving (the port itself belongs to the caller). */
  detach(): void {
    this.port.off('message', this.#onMessage);
  }

  async #handle(message: unknown): Promise<void> {
    if (!isControlRequest(message)) {
      const id = (message as { id?: unknown } | null)?.id;
      if (typeof id === 'number') this.#respond({ id, ok: false, error: { code: 'bad-request', message: 'not a control request' } });
      return;
    }
    if (this.#shuttingDown || this.#settled) {
      this.#respond({ id: message.id, ok: false, error: { code: 'host-closed', message: `host ${this.host.name} is shut down` } });
      return;
    }
    if (message.type === 'crash') {
      // Never answered: the failure it causes is the answer (the client's pending request is
      // rejected when the host reports fatal), so the outcome does not depend on message order.
      this.crash(new SwarmnetError('crashed', String(message.params.message)));
      return;
    }
    try {
      const value = await this.#dispatch(message);
      this.#respond({ id: message.id, ok: true, value: value ?? null });
    } catch (error) {
      this.#respond({ id: message.id, ok: false, error: errorInfo(error) });
    }
    if (message.type === 'shutdown' && !this.#settled) {
      this.#settled = true;
      this.#resolveDone();
    }
  }

  #dispatch(request: ControlRequest): unknown {
    const host = this.host;
    switch (request.type) {
      case 'createNetwork':
        return host.createNetwork(request.params);
      case 'removeNetwork':
        return host.removeNetwork(request.params.name);
      case 'addPeer':
        return host.addPeer(request.params);
      case 'removePeer':
        return host.removePeer(request.params);
      case 'createContainer':
        return host.createContainer(request.params);
      case 'removeContainer':
        return host.removeContainer(request.params.name);
      case 'exec':
        return host.exec(request.params);
      case 'stats':
        return host.stats();
      case 'gossip':
        return host.daemon.gossipInfo();
      case 'setIpsecKeys':
        host.runtime.setIpsecKeys(request.params.keys.map((k) => ({ key: Uint8Array.from(Buffer.from(k.key, 'hex')), lamportTime: k.lamportTime })));
        return null;
      case 'exposeDns':
        return host.exposeDns(request.params.container, request.params.address, request.params.port);
      case 'captureStart':
        return host.captureStart(request.params.dir);
      case 'captureStop':
        return host.captureStop();
      case 'engine':
        return host.engine(request.params.method, request.params.params as never).catch((error: unknown) => {
          throw engineFailure(error);
        });
      case 'shutdown':
        this.#shuttingDown = true;
        return host.close();
      case 'crash':
        return null; // handled before dispatch
    }
  }

  #respond(response: ControlResponse): void {
    this.#post(response);
  }

  #post(message: ControlResponse | HostEvent): void {
    try {
      this.port.postMessage(message);
    } catch {
      // The client closed its end: nobody is listening, and the host must not die of it.
    }
  }
}

/** A daemon refusal keeps its HTTP status in the code, so the client can rebuild it. */
function engineFailure(error: unknown): unknown {
  if (error instanceof EngineApiError) return new SwarmnetError(`engine:${error.status}`, error.message);
  return error;
}
