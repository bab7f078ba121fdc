/**
 * The node's task executor (swarmkit `agent/worker.go` + `agent/exec/controller.go` `Do`, moby
 * `daemon/cluster/executor/container`): it reconciles each complete assignment set with what runs
 * here.
 *
 * - A container task desired RUNNING goes ACCEPTED "accepted" → PREPARING "preparing" (image,
 *   overlays created in the data plane from the task's allocated networks, the container) →
 *   READY "prepared" → STARTING "starting" → RUNNING "started" (with its container status). PID 1
 *   exiting by itself ends it COMPLETE "finished" (exit 0) or FAILED `task: non-zero exit (N)`. A
 *   failure before STARTING is REJECTED, after it FAILED (swarmkit's `fatal`). An unknown image is
 *   REJECTED with moby's create error `No such image: <image>`.
 * - Desired SHUTDOWN (or later) first takes the task out of DNS (its records marked
 *   `service_disabled`) and waits moby's 2 s gossip convergence delay, then stops the container
 *   with the spec's stop grace period (default 10 s) → SHUTDOWN "shutdown". A task that leaves the assignment set (or is desired REMOVE) has
 *   its container removed.
 * - Attachment tasks (standalone containers on attachable overlays) carry the address the daemon
 *   waits for (`waitAttachment`); they are reported RUNNING.
 * - Each node load-balancer attachment on a local overlay becomes a sandbox endpoint (`lb-<net>`, ingress `ingress-sbox`) that answers ARP/ping.
 * - Networks are lazy: an overlay leaves the data plane with its last endpoint (the LB sandbox
 *   does not count). The overlays' peer tables are the network agent's (network-agent.ts), fed
 *   by gossip.
 */
import type { PbAssignmentsMessage, PbLogMessage, PbLogSelector, PbLogSubscriptionOptions, PbNetwork, PbNetworkAttachment, PbTask, PbTaskStatus, PbTaskStatusUpdate, TaskStateName } from '../wire/swarmkit.js';
import { stateAfter, taskName } from '../swarm/task-naming.js';
import type { ContainerRecord } from './container-view.js';
import type { DaemonContainers, PlannedEndpoint } from './daemon-containers.js';
import { normalizeImageName, resolveImage } from './images.js';
import type { LocalRuntime } from './local-runtime.js';
import { overlaySpecOf } from './overlay-spec.js';

/** swarmkit's default stop grace period (`defaultStopGracePeriod`), ms. */
export const DEFAULT_STOP_GRACE_MS = 10_000;
/** Most tasks (container and attachment) one node tracks. */
export const MAX_TASKS_PER_NODE = 1024;

export interface ExecutorOptions {
  readonly containers: DaemonContainers;
  readonly runtime: LocalRuntime;
  readonly nodeId: () => string;
  /** Sends status updates to the dispatcher (in order). */
  readonly report: (updates: PbTaskStatusUpdate[]) => void;
  readonly now: () => Date;
  /** This node's own attachments (load-balancer endpoints), from its node object. */
  readonly attachments: () => readonly PbNetworkAttachment[];
  /**
   * Marks the task's DNS records disabled (`service_disabled`), so other containers stop getting
   * it before it stops; true when there were records to disable.
   */
  readonly disableDns?: (container: string) => boolean;
  /** Waits on the host's clock (the drain before a stop). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** moby `defaultGossipConvergeDelay`: how long a disabled task stays up so DNS forgets it first. */
export const GOSSIP_CONVERGE_DELAY_MS = 2000;

interface TaskEntry {
  task: PbTask;
  state: TaskStateName;
  /** The message of the last status this node reported (swarmkit's `fatal` keeps it). */
  message: string;
  record: ContainerRecord | undefined;
  /** Serialises this task's steps. */
  chain: Promise<void>;
  removed: boolean;
}

interface Waiter {
  readonly resolve: (value: { network: PbNetwork; address: string }) => void;
}

export class Executor {
  readonly #options: ExecutorOptions;
  readonly #tasks = new Map<string, TaskEntry>();
  readonly #attachments = new Map<string, PbTask>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #networks = new Map<string, PbNetwork>();
  /** Network name → the LB sandbox's container name. */
  readonly #sandboxes = new Map<string, string>();
  #syncing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: ExecutorOptions) {
    this.#options = options;
  }

  /** One complete assignment set from the dispatcher. */
  apply(message: PbAssignmentsMessage): void {
    if (this.#closed) return;
    const seen = new Set<string>();
    for (const change of message.changes) {
      const task = change.assignment?.task;
      if (!task || change.action !== 'UPDATE' || seen.size >= MAX_TASKS_PER_NODE) continue;
      seen.add(task.id);
      for (const n of task.networks) if (n.network) this.#networks.set(n.network.id, n.network);
      if (task.spec.attachment) this.#attachment(task);
      else if (task.spec.container) this.#containerTask(task);
    }
    for (const id of [...this.#attachments.keys()]) if (!seen.has(id)) this.#attachments.delete(id);
    for (const [id, entry] of this.#tasks) if (!seen.has(id)) this.#forget(id, entry);
    for (const a of this.#options.attachments()) if (a.network) this.#networks.set(a.network.id, a.network);
    this.endpointsChanged();
  }

  /** The address of attachment task `attachmentId` once it arrives (the daemon bounds the wait). */
  waitAttachment(attachmentId: string, signal: AbortSignal): Promise<{ network: PbNetwork; address: string }> {
    const known = this.#attachmentResult(this.#attachments.get(attachmentId));
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(attachmentId) ?? [];
      const waiter: Waiter = { resolve };
      list.push(waiter);
      this.#waiters.set(attachmentId, list);
      signal.addEventListener(
        'abort',
        () => {
          const left = (this.#waiters.get(attachmentId) ?? []).filter((w) => w !== waiter);
          if (left.length > 0) this.#waiters.set(attachmentId, left);
          else this.#waiters.delete(attachmentId);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  #attachmentResult(task: PbTask | undefined): { network: PbNetwork; address: string } | undefined {
    const n = task?.networks[0];
    return n?.network && n.addresses.length > 0 ? { network: n.network, address: n.addresses[0]! } : undefined;
  }

  #attachment(task: PbTask): void {
    const first = !this.#attachments.has(task.id);
    this.#attachments.set(task.id, task);
    const result = this.#attachmentResult(task);
    if (result) {
      for (const w of this.#waiters.get(task.id) ?? []) w.resolve(result);
      this.#waiters.delete(task.id);
    }
    if (first && !stateAfter(task.desired_state, 'RUNNING') && stateAfter('RUNNING', task.status.state)) {
      this.#report(task, this.#status('RUNNING', 'started'));
    }
  }

  #containerTask(task: PbTask): void {
    let entry = this.#tasks.get(task.id);
    if (!entry) {
      entry = { task, state: task.status.state, message: task.status.message, record: undefined, chain: Promise.resolve(), removed: false };
      this.#tasks.set(task.id, entry);
    }
    entry.task = task;
    const e = entry;
    if (stateAfter(task.desired_state, 'RUNNING')) {
      if (task.desired_state === 'REMOVE') {
        this.#forget(task.id, e);
        return;
      }
      e.chain = e.chain.then(() => this.#shutdown(e));
    } else {
      // swarmkit `exec.Do`: a task desired READY (a replacement waiting for the task it replaces,
      // or for its restart delay) is prepared and then waits; it starts once desired RUNNING.
      if (e.record === undefined && stateAfter('READY', e.state)) e.chain = e.chain.then(() => this.#prepare(e));
      if (task.desired_state === 'RUNNING') e.chain = e.chain.then(() => this.#start(e));
    }
  }

  /** ACCEPTED → PREPARING → READY: networks and the container, not yet started. */
  async #prepare(e: TaskEntry): Promise<void> {
    if (e.record || e.removed || stateAfter(e.task.desired_state, 'RUNNING') || !stateAfter('READY', e.state)) return;
    const task = e.task;
    const spec = task.spec.container!;
    if (stateAfter('ACCEPTED', e.state)) this.#transition(e, 'ACCEPTED', 'accepted');
    if (stateAfter('PREPARING', e.state)) this.#transition(e, 'PREPARING', 'preparing');
    let record: ContainerRecord;
    try {
      let image;
      try {
        image = resolveImage(spec.image);
      } catch {
        // moby's image store names the reference normalised (`No such image: nosuch:latest`).
        throw new Error(`No such image: ${familiarReference(spec.image)}`);
      }
      const networks: PlannedEndpoint[] = task.networks.flatMap((n) => {
        if (!n.network) return [];
        const wanted = task.spec.networks.find((w) => w.target === n.network!.id || w.target === n.network!.spec.annotations.name);
        return [{ networkName: n.network.spec.annotations.name, networkId: n.network.id, swarmNetwork: n.network, address: n.addresses[0] ?? '', aliases: wanted?.aliases ?? [] }];
      });
      for (const n of networks) this.#options.runtime.ensureNetwork(overlaySpecOf(n.swarmNetwork!));
      const name = taskName(task);
      record = await this.#options.containers.createContainer({
        name,
        image,
        imageName: spec.image,
        entrypoint: spec.command,
        cmd: spec.args,
        env: spec.env ?? [],
        hostname: spec.hostname || undefined,
        tty: spec.tty === true,
        openStdin: spec.open_stdin === true,
        labels: {
          ...spec.labels,
          'com.docker.swarm.node.id': this.#options.nodeId(),
          'com.docker.swarm.service.id': task.service_id,
          'com.docker.swarm.service.name': task.service_annotations.name,
          'com.docker.swarm.task': '',
          'com.docker.swarm.task.id': task.id,
          'com.docker.swarm.task.name': name,
        },
        networkMode: 'default',
        autoRemove: false,
        networks,
        taskId: task.id,
        onExit: (_r, code) => {
          e.chain = e.chain.then(() => this.#exited(e, code));
        },
      });
    } catch (error) {
      this.#fatal(e, error);
      this.endpointsChanged();
      return;
    }
    e.record = record;
    this.#transition(e, 'READY', 'prepared');
  }

  /** READY → STARTING → RUNNING, once the task is desired RUNNING. */
  async #start(e: TaskEntry): Promise<void> {
    const record = e.record;
    if (!record || e.removed || e.task.desired_state !== 'RUNNING' || e.state !== 'READY') return;
    this.#transition(e, 'STARTING', 'starting');
    try {
      await this.#options.containers.start(record.id);
    } catch (error) {
      this.#fatal(e, error);
      return;
    }
    if (e.removed) return;
    this.endpointsChanged();
    if (record.container.state === 'running') this.#transition(e, 'RUNNING', 'started');
  }

  /** swarmkit `fatal`: REJECTED before STARTING, FAILED from it on; `err` carries the cause. */
  #fatal(e: TaskEntry, error: unknown): void {
    const state: TaskStateName = stateAfter('STARTING', e.state) ? 'REJECTED' : 'FAILED';
    e.state = state;
    this.#report(e.task, { ...this.#status(state, e.message, e.record), err: error instanceof Error ? error.message : String(error) });
  }

  async #exited(e: TaskEntry, code: number): Promise<void> {
    if (e.removed || stateAfter(e.state, 'RUNNING')) return;
    if (stateAfter(e.task.desired_state, 'RUNNING')) return; // a stop we asked for: #shutdown reports
    if (code === 0) this.#transition(e, 'COMPLETE', 'finished');
    else {
      e.state = 'FAILED';
      this.#report(e.task, { ...this.#status('FAILED', 'started', e.record), err: `task: non-zero exit (${code})` });
    }
    this.endpointsChanged();
  }

  async #shutdown(e: TaskEntry): Promise<void> {
    if (stateAfter(e.state, 'RUNNING')) return; // already ended
    const record = e.record;
    if (record && record.container.state === 'running') {
      const grace = e.task.spec.container?.stop_grace_period;
      const graceMs = grace ? grace.seconds * 1000 + grace.nanos / 1e6 : DEFAULT_STOP_GRACE_MS;
      // moby's controller `Shutdown`: out of DNS (and the load balancers) first, then stop.
      if (this.#options.disableDns?.(record.name) === true) await this.#options.sleep?.(GOSSIP_CONVERGE_DELAY_MS);
      await record.container.stop(graceMs).catch(() => undefined);
    }
    this.#transition(e, 'SHUTDOWN', 'shutdown');
    this.endpointsChanged();
  }

  #forget(id: string, e: TaskEntry): void {
    this.#tasks.delete(id);
    e.removed = true;
    e.chain = e.chain.then(async () => {
      if (e.record) await this.#options.containers.remove(e.record.id, true).catch(() => undefined);
      this.endpointsChanged();
    });
  }

  #transition(e: TaskEntry, state: TaskStateName, message: string): void {
    e.state = state;
    e.message = message;
    this.#report(e.task, this.#status(state, message, e.record));
  }

  #status(state: TaskStateName, message: string, record?: ContainerRecord): PbTaskStatus {
    const now = this.#options.now().getTime();
    const running = stateAfter(state, 'READY') && record !== undefined;
    return {
      timestamp: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 },
      state,
      message,
      err: '',
      container: running ? { container_id: record.id, pid: record.container.state === 'running' ? record.pid : 0, exit_code: record.container.exitCode ?? 0 } : null,
      port_status: null,
      applied_by: '',
      applied_at: null,
    };
  }

  #report(task: PbTask, status: PbTaskStatus): void {
    if (this.#closed) return;
    this.#options.report([{ task_id: task.id, status }]);
  }

  /** Local endpoints changed: LB sandboxes, lazy overlay removal, peer tables. Serialised. */
  /**
   * The output of this node's tasks that `selector` names, as log messages (swarmkit's
   * `controller.Logs` per task): each line of PID 1's stdout and stderr, oldest first, the last
   * `|tail|` lines of each stream when `tail` is set.
   */
  logs(selector: PbLogSelector, options: PbLogSubscriptionOptions | null): PbLogMessage[] {
    const nodeId = this.#options.nodeId();
    const now = this.#options.now().getTime();
    const timestamp = { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1_000_000 };
    const tail = Math.abs(options?.tail ?? 0);
    const wanted = (options?.streams ?? []).length === 0 ? undefined : new Set(options!.streams);
    const messages: PbLogMessage[] = [];
    for (const e of this.#tasks.values()) {
      const t = e.task;
      const named = selector.service_ids?.includes(t.service_id) || selector.task_ids?.includes(t.id) || selector.node_ids?.includes(nodeId);
      if (!named || e.record === undefined) continue;
      const output = e.record.container.logs();
      for (const [stream, text] of [['LOG_STREAM_STDOUT', output.stdout], ['LOG_STREAM_STDERR', output.stderr]] as const) {
        if (wanted && !wanted.has(stream)) continue;
        let lines = text.split('\n');
        if (lines.at(-1) === '') lines.pop();
        if (tail > 0) lines = lines.slice(-tail);
        for (const line of lines) {
          messages.push({ context: { service_id: t.service_id, node_id: nodeId, task_id: t.id }, timestamp, stream, data: Buffer.from(`${line}\n`), attrs: [] });
        }
      }
    }
    return messages;
  }

  endpointsChanged(): void {
    this.#syncing = this.#syncing.then(() => this.#sync()).catch(() => undefined);
  }

  async #sync(): Promise<void> {
    if (this.#closed) return;
    const runtime = this.#options.runtime;
    const lbByNetwork = new Map(this.#options.attachments().flatMap((a) => (a.network && a.addresses.length > 0 ? [[a.network.spec.annotations.name, a] as const] : [])));
    for (const network of this.#networks.values()) {
      const name = network.spec.annotations.name;
      if (!runtime.hasNetwork(name)) continue;
      const sandbox = this.#sandboxes.get(name);
      const others = runtime.endpoints(name) - (sandbox ? 1 : 0);
      const lb = lbByNetwork.get(name);
      if (others > 0 && !sandbox && lb) {
        const sandboxName = network.spec.ingress ? 'ingress-sbox' : `lb-${name}`;
        this.#sandboxes.set(name, sandboxName);
        await runtime.createContainer({ name: sandboxName, networks: [{ network: name, ip: lb.addresses[0]!.split('/')[0]! }] }).catch(() => this.#sandboxes.delete(name));
      } else if (others === 0) {
        if (sandbox) {
          this.#sandboxes.delete(name);
          await runtime.removeContainer(sandbox).catch(() => undefined);
        }
        runtime.releaseNetwork(name);
      }
    }
  }

  /** The task whose container is named `name` (`<service>.<slot>.<task ID>`), if it runs here. */
  taskNamed(name: string): PbTask | undefined {
    for (const entry of this.#tasks.values()) if (taskName(entry.task) === name) return entry.task;
    return undefined;
  }

  /** Stops every task container (leaving the swarm / daemon shutdown). */
  async close(): Promise<void> {
    if (this.#closed) return;
    const entries = [...this.#tasks];
    for (const [id, e] of entries) this.#forget(id, e);
    await Promise.all(entries.map(([, e]) => e.chain));
    this.#closed = true;
    await this.#syncing;
    for (const name of this.#sandboxes.values()) await this.#options.runtime.removeContainer(name).catch(() => undefined);
    this.#sandboxes.clear();
  }
}

/** `reference.FamiliarString(reference.TagNameOnly(ref))`, or the text itself if it does not parse. */
function familiarReference(image: string): string {
  try {
    return normalizeImageName(image);
  } catch {
    return image;
  }
}
