/**
 * A typed client for one host's control port (src/host/control.ts). Each request gets an id and
 * a bounded timeout whose error names the host and the request; when the host dies (a `fatal`
 * event, its task ending, or the cluster stopping) every pending request is rejected at once.
 */
import {
  isControlResponse,
  isHostEvent,
  type ContainerInfo,
  type ContainerSpec,
  type ControlPort,
  type ControlResponse,
  type ExecResult,
  type ExecSpec,
  type GossipInfo,
  type HostStats,
  type NetworkInfo,
  type NetworkSpec,
  type PeerSpec,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type UnderlayEndpointInfo,
  type CaptureInfo,
} from '../host/control.js';
import { EngineApiError, type EngineApi, type EngineMethod, type EngineParams, type EngineResult } from '../host/engine-api.js';
import { runDocker, splitCommandLine, type DockerResult } from '../docker/index.js';
import { SwarmnetError } from '../util/errors.js';

/** Bound on one Engine API call: `swarm join` alone may take moby's 20 s join timeout. */
export const ENGINE_REQUEST_TIMEOUT_MS = 30_000;
/** Default bound on one request (real milliseconds). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Added to an exec's own timeout: the program's abort and the reply need a moment. */
export const EXEC_REPLY_GRACE_MS = 5_000;
/** Exec without `timeoutMs`: the host aborts the program after this (host/container.ts). */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;

/** The host answered with an error (its code and message are the host's). */
export class HostRequestError extends SwarmnetError {
  constructor(
    readonly host: string,
    readonly request: RequestType,
    code: string,
    message: string,
    /** The host's own message, without the host name in front. */
    readonly detail: string = message,
  ) {
    super(code, message);
    this.name = 'HostRequestError';
  }
}

export class HostTimeoutError extends SwarmnetError {
  constructor(host: string, request: RequestType, id: number, timeoutMs: number) {
    super('host-timeout', `host "${host}": request ${request} (id ${id}) got no response within ${timeoutMs} ms`);
    this.name = 'HostTimeoutError';
  }
}

export class HostUnavailableError extends SwarmnetError {
  constructor(host: string, request: RequestType | 'ready', reason: string, options?: { cause?: unknown }) {
    super('host-unavailable', `host "${host}": ${request} failed: ${reason}`, options);
    this.name = 'HostUnavailableError';
  }
}

export type HostState = 'starting' | 'running' | 'failed' | 'stopped';

interface Pending {
  readonly type: RequestType;
  resolve(value: unknown): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

export interface HostHandleOptions {
  readonly requestTimeoutMs?: number;
  /** The host clock's speed-up, to turn an exec's emulated timeout into real time. */
  readonly timeScale?: number;
}

export class HostHandle {
  readonly #port: ControlPort;
  readonly #pending = new Map<number, Pending>();
  readonly #requestTimeoutMs: number;
  readonly #timeScale: number;
  readonly #readyWaiters: { resolve(e: UnderlayEndpointInfo): void; reject(e: Error): void }[] = [];
  readonly #failureListeners: ((error: Error) => void)[] = [];
  #nextId = 1;
  #state: HostState = 'starting';
  #underlay: UnderlayEndpointInfo | undefined;
  #failure: Error | undefined;
  readonly #onMessage = (message: unknown) => this.#receive(message);

  constructor(
    readonly name: string,
    port: ControlPort,
    options: HostHandleOptions = {},
  ) {
    this.#port = port;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#timeScale = options.timeScale ?? 1;
    port.on('message', this.#onMessage);
  }

  get state(): HostState {
    return this.#state;
  }

  /** The host's data-path endpoint (its VTEP), known once it is ready. */
  get underlay(): UnderlayEndpointInfo {
    if (this.#underlay === undefined) throw new HostUnavailableError(this.name, 'ready', 'host is not ready');
    return this.#underlay;
  }

  /** Why the host failed, if it did. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  onFailure(listener: (error: Error) => void): void {
    this.#failureListeners.push(listener);
  }

  /** Resolves with the bound underlay endpoint once the host reports `ready`. */
  ready(timeoutMs: number): Promise<UnderlayEndpointInfo> {
    if (this.#underlay !== undefined) return Promise.resolve(this.#underlay);
    if (this.#state !== 'starting') return Promise.reject(this.#unavailable('ready'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new HostUnavailableError(this.name, 'ready', `not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#readyWaiters.push({
        resolve: (e) => (clearTimeout(timer), resolve(e)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  request<K extends RequestType>(type: K, params: RequestParams<K>, timeoutMs = this.#requestTimeoutMs): Promise<RequestResult<K>> {
    if (this.#state === 'failed' || this.#state === 'stopped') return Promise.reject(this.#unavailable(type));
    const id = this.#nextId++;
    return new Promise<RequestResult<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new HostTimeoutError(this.name, type, id, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        this.#port.postMessage({ id, type, params });
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new HostUnavailableError(this.name, type, 'control port closed', { cause: error }));
      }
    });
  }

  createNetwork(spec: NetworkSpec): Promise<NetworkInfo> {
    return this.request('createNetwork', spec);
  }
  removeNetwork(name: string): Promise<null> {
    return this.request('removeNetwork', { name });
  }
  addPeer(peer: PeerSpec): Promise<{ readonly ignored: boolean }> {
    return this.request('addPeer', peer);
  }
  removePeer(peer: PeerSpec): Promise<{ readonly ignored: boolean }> {
    return this.request('removePeer', peer);
  }
  createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    return this.request('createContainer', spec);
  }
  removeContainer(name: string): Promise<null> {
    return this.request('removeContainer', { name });
  }
  exec(spec: ExecSpec): Promise<ExecResult> {
    const hostTimeout = spec.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    const realTimeout = Math.max(this.#requestTimeoutMs, hostTimeout / this.#timeScale + EXEC_REPLY_GRACE_MS);
    return this.request('exec', spec, Math.ceil(realTimeout));
  }
  /** NetworkDB's view from this host: members, keys, each local overlay's peer records. */
  gossip(): Promise<GossipInfo | null> {
    return this.request('gossip', {});
  }

  /** Installs IPsec keys (hex, with their tags) for encrypted overlays outside a swarm. */
  setIpsecKeys(keys: readonly { key: string; lamportTime: number }[]): Promise<null> {
    return this.request('setIpsecKeys', { keys });
  }

  /** `container`'s embedded DNS on real UDP+TCP sockets at a loopback `address:port` (0: any free port). */
  exposeDns(container: string, address: string, port = 0): Promise<{ address: string; port: number }> {
    return this.request('exposeDns', { container, address, port });
  }

  stats(): Promise<HostStats> {
    return this.request('stats', {});
  }
  captureStart(dir: string): Promise<CaptureInfo> {
    return this.request('captureStart', { dir });
  }
  captureStop(): Promise<CaptureInfo> {
    return this.request('captureStop', {});
  }

  /**
   * The host's Engine API, as a docker client sees its daemon: a refusal is an `EngineApiError`
   * with the daemon's message and HTTP status; anything else (the host died, timed out) is thrown
   * as it is.
   */
  readonly engine: EngineApi = {
    call: async <M extends EngineMethod>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> => {
      try {
        return (await this.request('engine', { method, params }, Math.max(this.#requestTimeoutMs, ENGINE_REQUEST_TIMEOUT_MS))) as EngineResult<M>;
      } catch (error) {
        const status = error instanceof HostRequestError ? /^engine:(\d{3})$/.exec(error.code) : null;
        if (status && error instanceof HostRequestError) throw new EngineApiError(error.detail, Number(status[1]));
        throw error;
      }
    },
  };

  /**
   * Runs `docker <argv>` against this host, as a user at its shell would: the docker command
   * layer (src/docker/) parses and formats here, the host's daemon answers over `engine`.
   */
  docker(argv: readonly string[] | string): Promise<DockerResult> {
    return runDocker(typeof argv === 'string' ? splitCommandLine(argv) : argv, this.engine);
  }

  /** Asks the host to shut down; after the reply (or a failure) the handle is stopped. */
  async shutdown(timeoutMs = this.#requestTimeoutMs): Promise<void> {
    if (this.#state === 'failed' || this.#state === 'stopped') return;
    try {
      await this.request('shutdown', {}, timeoutMs);
    } finally {
      if ((this.#state as HostState) !== 'failed') this.#state = 'stopped';
    }
  }

  /** Marks the host dead: pending requests and ready waiters reject, listeners hear `error`. */
  fail(error: Error): void {
    if (this.#state === 'failed' || this.#state === 'stopped') return;
    this.#state = 'failed';
    this.#failure = error;
    this.#rejectAll((type) => new HostUnavailableError(this.name, type, `host failed: ${error.message}`, { cause: error }));
    for (const listener of this.#failureListeners) listener(error);
  }

  /** Stops listening and closes the port; pending requests reject. Idempotent. */
  close(): void {
    if (this.#state === 'starting' || this.#state === 'running') this.#state = 'stopped';
    this.#rejectAll((type) => this.#unavailable(type));
    this.#port.off('message', this.#onMessage);
    this.#port.close();
  }

  #unavailable(type: RequestType | 'ready'): Error {
    const reason = this.#failure ? `host failed: ${this.#failure.message}` : `host is ${this.#state}`;
    return new HostUnavailableError(this.name, type, reason, { cause: this.#failure });
  }

  #rejectAll(makeError: (type: RequestType | 'ready') => Error): void {
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(id);
      p.reject(makeError(p.type));
    }
    for (const w of this.#readyWaiters.splice(0)) w.reject(makeError('ready'));
  }

  #receive(message: unknown): void {
    if (isControlResponse(message)) {
      this.#settle(message);
    } else if (isHostEvent(message)) {
      if (message.event === 'ready') {
        this.#underlay = message.underlay;
        if (this.#state === 'starting') this.#state = 'running';
        for (const w of this.#readyWaiters.splice(0)) w.resolve(message.underlay);
      } else {
        const error = new SwarmnetError(message.error.code, message.error.message);
        if (message.error.stack !== undefined) error.stack = message.error.stack;
        this.fail(error);
      }
    }
  }

  #settle(response: ControlResponse): void {
    const p = this.#pending.get(response.id);
    if (p === undefined) return; // timed out already
    this.#pending.delete(response.id);
    clearTimeout(p.timer);
    if (response.ok) p.resolve(response.value);
    else p.reject(new HostRequestError(this.name, p.type, response.error.code, `host "${this.name}": ${response.error.message}`, response.error.message));
  }
}
