/**
 * swarmkit's service defaults (`api/defaults/service.go`) and `InterpolateService`: what a
 * `GetService` with `insert_defaults` fills into the unset parts of a spec, so that
 * `docker service inspect` shows the update/rollback/restart policies that are in force. The
 * orchestrator applies the same values to specs that leave them out.
 */
import type { PbRestartPolicy, PbServiceSpec, PbTimestamp, PbUpdateConfig } from '../wire/swarmkit.js';

const seconds = (s: number): PbTimestamp => ({ seconds: s, nanos: 0 });

/** `ContainerSpec.StopGracePeriod`: 10 s. */
export const DEFAULT_STOP_GRACE_PERIOD: PbTimestamp = seconds(10);

/** `RestartPolicy`: restart on any exit, after 5 s, without limit. */
export const DEFAULT_RESTART_POLICY: PbRestartPolicy = { condition: 'ANY', delay: seconds(5), max_attempts: 0, window: null };

/** `UpdateConfig` and `RollbackConfig`: one task at a time, pause on failure, 5 s monitor, stop-first. */
export const DEFAULT_UPDATE_CONFIG: PbUpdateConfig = {
  parallelism: 1,
  delay: seconds(0),
  failure_action: 'PAUSE',
  monitor: seconds(5),
  max_failure_ratio: 0,
  order: 'STOP_FIRST',
};

/** `InterpolateService`: a copy of `spec` with swarmkit's defaults where it leaves things unset. */
export function interpolateServiceDefaults(spec: PbServiceSpec): PbServiceSpec {
  const task = spec.task;
  const container = task.container ? { ...task.container, stop_grace_period: task.container.stop_grace_period ?? DEFAULT_STOP_GRACE_PERIOD } : task.container;
  const restart = task.restart ? { ...task.restart, delay: task.restart.delay ?? DEFAULT_RESTART_POLICY.delay } : DEFAULT_RESTART_POLICY;
  const withMonitor = (u: PbUpdateConfig | null): PbUpdateConfig => (u ? { ...u, monitor: u.monitor ?? DEFAULT_UPDATE_CONFIG.monitor } : DEFAULT_UPDATE_CONFIG);
  return {
    ...spec,
    task: { ...task, ...(container ? { container } : {}), restart, placement: task.placement ?? { constraints: [], max_replicas: 0 } },
    update: withMonitor(spec.update),
    rollback: withMonitor(spec.rollback),
  };
}
