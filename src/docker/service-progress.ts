/**
 * The converge display of `docker service create|update|scale` without `--detach` — cli
 * `cli/command/service/progress/progress.go` (`ServiceProgress`, the replicated and global
 * updaters) as docker prints it when stdout is not a terminal (reference §4.1): every progress
 * message without a bar becomes one line `<id>: <action>`; bar messages (a task's state) are not
 * shown. So a poll prints `overall progress: N out of M tasks` while not converged, then
 * `verify: Waiting S seconds to verify that tasks are stable...` each poll during the monitor
 * period, then `verify: Service <ref> converged`.
 *
 * Polling is bounded: every `POLL_INTERVAL_MS` (docker's 200 ms) on the command's clock, for at
 * most `PROGRESS_TIMEOUT_MS`; past it the display stops as docker's does on Ctrl-C
 * (`Operation continuing in background.`) and the command succeeds — the service keeps converging.
 */
import type { EngineApi, EngineService, EngineTask, EngineTaskState } from '../host/engine-api.js';
import { StatusError } from './command.js';
import { truncateID } from './network-format.js';

/** docker's poll period. */
export const POLL_INTERVAL_MS = 200;
/** How long the display waits for convergence before leaving it to the background. */
export const PROGRESS_TIMEOUT_MS = 60_000;
/** cli `maxProgressBars`: above this many tasks no per-task lines are drawn. */
const MAX_PROGRESS_BARS = 20;
/** cli's default verify period when the service has no UpdateConfig monitor. */
const DEFAULT_MONITOR_NS = 5_000_000_000;

/** cli `numberedStates`. */
const NUMBERED: Readonly<Partial<Record<EngineTaskState | 'allocated', number>>> = {
  new: 1,
  allocated: 2,
  pending: 3,
  assigned: 4,
  accepted: 5,
  preparing: 6,
  ready: 7,
  starting: 8,
  running: 9,
  complete: 10,
  shutdown: 11,
  failed: 12,
  rejected: 13,
};
const num = (s: string): number => NUMBERED[s as EngineTaskState] ?? 0;
const terminal = (s: string): boolean => num(s) > NUMBERED.running!;

/** cli `truncError`. */
function truncError(message: string): string {
  const flat = message.replaceAll('\n', ' ');
  return flat.length > 75 ? `${flat.slice(0, 74)}…` : flat;
}

export interface ProgressClock {
  /** Milliseconds on the command's clock. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Tasks keyed by slot (or node, for global services), preferring the lowest desired state. */
function pickTasks(tasks: readonly EngineTask[], key: (t: EngineTask) => string, activeNodes: ReadonlySet<string> | undefined): Map<string, EngineTask> {
  const out = new Map<string, EngineTask>();
  for (const t of tasks) {
    if (num(t.DesiredState) === 0 || num(t.Status.State) === 0) continue;
    const existing = out.get(key(t));
    if (existing !== undefined) {
      if (num(existing.DesiredState) < num(t.DesiredState)) continue;
      if (num(existing.DesiredState) === num(t.DesiredState) && num(existing.Status.State) <= num(t.Status.State)) continue;
    }
    if (activeNodes !== undefined && (t.NodeID ?? '') !== '' && !activeNodes.has(t.NodeID!)) continue;
    out.set(key(t), t);
  }
  return out;
}

/** One service's display state across polls (cli `replicatedProgressUpdater` / `globalProgressUpdater`). */
class Updater {
  private initialized = false;
  private done = false;
  private readonly slotMap = new Map<string, number>();

  constructor(private readonly line: (id: string, action: string) => void) {}

  update(service: EngineService, tasks: readonly EngineTask[], activeNodes: ReadonlySet<string>): boolean {
    const global = service.Spec.Mode.Global !== undefined;
    const picked = global ? pickTasks(tasks, (t) => t.NodeID ?? '', undefined) : pickTasks(tasks, (t) => String(t.Slot ?? 0), activeNodes);
    let total: number;
    if (global) {
      total = picked.size;
      if (!this.initialized) {
        if (total === 0) {
          this.line('overall progress', 'waiting for new tasks');
          return false;
        }
        this.line('overall progress', `0 out of ${total} tasks`);
        this.initialized = true;
      }
    } else {
      const replicas = service.Spec.Mode.Replicated?.Replicas;
      if (replicas === undefined) throw new StatusError('no replica count');
      total = replicas;
      if (!this.initialized) {
        this.line('overall progress', `0 out of ${total} tasks`);
        if (total <= MAX_PROGRESS_BARS) for (let i = 1; i <= total; i++) this.line(`${i}/${total}`, ' ');
        this.initialized = true;
      }
    }
    if (this.done && [...picked.values()].some((t) => t.Status.State !== 'running')) this.done = false;
    let running = 0;
    for (const [key, task] of picked) {
      if (global && !activeNodes.has(task.NodeID ?? '')) continue;
      let mapped = this.slotMap.get(key);
      if (mapped === undefined) {
        mapped = this.slotMap.size + 1;
        this.slotMap.set(key, mapped);
      }
      if (!terminal(task.DesiredState) && task.Status.State === 'running') running++;
      // Only a task error prints without a bar; a task's state is a bar, which a pipe never shows.
      const id = global ? truncateID(task.NodeID ?? '') : `${mapped}/${total}`;
      const shown = !this.done && total <= MAX_PROGRESS_BARS && (global || mapped <= total);
      if (shown && (task.Status.Err ?? '') !== '') this.line(id, truncError(task.Status.Err!));
    }
    if (!this.done) {
      this.line('overall progress', `${running} out of ${total} tasks`);
      if (running === total) this.done = true;
    }
    return running === total;
  }
}

/**
 * cli `ServiceProgress` for `serviceRef` (as the user named it), writing lines to `out`. Returns
 * when the service converged and stayed so for its monitor period, or when the time limit passes.
 */
export async function serviceProgress(engine: EngineApi, serviceRef: string, out: (text: string) => void, clock: ProgressClock): Promise<void> {
  const line = (id: string, action: string): void => out(`${id}: ${action}\n`);
  const updater = new Updater(line);
  const started = clock.now();
  let converged = false;
  let convergedAt: number | undefined;
  let monitorMs = DEFAULT_MONITOR_NS / 1e6;
  for (;;) {
    const service = await engine.call('serviceInspect', { id: serviceRef });
    const monitor = service.Spec.UpdateConfig?.Monitor ?? 0;
    if (monitor !== 0) monitorMs = monitor / 1e6;
    const status = service.UpdateStatus;
    switch (status?.State) {
      case 'completed':
        if (!converged) return;
        break;
      case 'paused':
        throw new StatusError(`service update paused: ${status.Message}`);
      case 'rollback_paused':
        throw new StatusError(`service rollback paused: ${status.Message}`);
      default:
        break;
    }
    if (converged && convergedAt !== undefined && clock.now() - convergedAt >= monitorMs) {
      line('verify', `Service ${serviceRef} converged`);
      return;
    }
    // `_up-to-date` is the cli's filter for tasks of the current spec; the daemon's plain
    // service filter lists history too, which the desired-state preference sorts out.
    const tasks = await engine.call('taskList', { filters: { service: [service.ID] } });
    const nodes = await engine.call('nodeList', {});
    const active = new Set(nodes.filter((n) => n.Status.State !== 'down').map((n) => n.ID));
    converged = updater.update(service, tasks, active);
    if (converged) {
      convergedAt ??= clock.now();
      const waitMs = monitorMs - (clock.now() - convergedAt);
      // Go's `wait/time.Second+1` with some time always elapsed: 5000 ms left reads 5, not 6.
      if (waitMs >= 0) line('verify', `Waiting ${Math.max(1, Math.ceil(waitMs / 1000))} seconds to verify that tasks are stable...`);
    } else {
      if (convergedAt !== undefined) line('verify', 'Detected task failure');
      convergedAt = undefined;
    }
    if (clock.now() - started >= PROGRESS_TIMEOUT_MS) {
      if (!converged) {
        out('Operation continuing in background.\n');
        out(`Use \`docker service ps ${serviceRef}\` to check progress.\n`);
      }
      return;
    }
    await clock.sleep(POLL_INTERVAL_MS);
  }
}
