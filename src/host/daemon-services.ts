/**
 * `docker service …` and `docker node ps` on a manager's daemon (moby `daemon/cluster/services.go`,
 * `tasks.go`, `helpers.go`, `networks.go` `populateNetworkID`): Engine API requests become
 * swarmkit control calls. The daemon's share of the work is what moby's does:
 *
 * - names → IDs: a service, task or node given by full ID, exact name or unique ID prefix, in that
 *   order (`service x not found`, `service x is ambiguous (2 matches found)`); network targets in
 *   a spec become swarm network IDs, and local networks are refused with moby's texts;
 * - filters validated against moby's accepted keys (`invalid filter 'x'`) and translated;
 * - `docker service ls` statuses (running / desired tasks), computed as swarmkit's
 *   `ListServiceStatuses` does, from the service's tasks.
 */
import type { PbLogMessage, PbLogSelector, PbLogSubscriptionOptions, PbNetwork, PbNode, PbService, PbServiceSpec, PbTask } from '../wire/swarmkit.js';
import { taskName } from '../swarm/task-naming.js';
import {
  EngineApiError,
  type EngineService,
  type EngineServiceSpec,
  type EngineTask,
  type ServiceListFilters,
  type ServiceLogLine,
  type TaskListFilters,
} from './engine-api.js';
import { serviceFromPb, serviceSpecToPb, taskFromPb } from './service-convert.js';
import { lookupSwarmObject, NETWORK_LOOKUP, NODE_LOOKUP, SERVICE_LOOKUP, TASK_LOOKUP, type ControlCall } from './swarm-lookup.js';


export interface ServiceContext {
  readonly control: ControlCall;
  /** This node's ID (`docker node ps` with no argument asks for `self`). */
  readonly nodeId: () => string;
  /** A local (non-swarm) network by name, if this host has one: `bridge`, `host`, a user bridge. */
  readonly localNetwork: (name: string) => { readonly name: string; readonly predefined: boolean } | undefined;
  /** A non-follow log subscription through the leader's log broker. */
  readonly subscribeLogs: (selector: PbLogSelector, options: PbLogSubscriptionOptions) => Promise<PbLogMessage[]>;
}

const SERVICE_FILTERS = new Set(['name', 'id', 'label', 'mode', 'runtime']);
const TASK_FILTERS = new Set(['name', 'id', 'label', 'service', 'node', 'desired-state', '_up-to-date', 'runtime']);
const SERVICE_MODES = new Set(['replicated', 'global', 'replicated-job', 'global-job']);

function validateFilters(filters: object | undefined, accepted: ReadonlySet<string>): void {
  for (const key of Object.keys(filters ?? {})) if (!accepted.has(key)) throw new EngineApiError(`invalid filter '${key}'`, 400);
}

/** `key=value` label filters → swarmkit's label map (a bare key matches any value). */
function labelMap(labels: readonly string[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const l of labels ?? []) {
    const eq = l.indexOf('=');
    if (eq < 0) map[l] = '';
    else map[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return map;
}

export class DaemonServices {
  constructor(private readonly ctx: ServiceContext) {}

  async create(spec: EngineServiceSpec): Promise<{ ID: string }> {
    const pb = serviceSpecToPb(await this.#withNetworkIds(spec));
    const { service } = await this.ctx.control<{ service: PbService }>('CreateService', { spec: pb });
    return { ID: service.id };
  }

  async list(filters: ServiceListFilters | undefined, status: boolean): Promise<EngineService[]> {
    validateFilters(filters, SERVICE_FILTERS);
    for (const mode of filters?.mode ?? []) if (!SERVICE_MODES.has(mode)) throw new EngineApiError(`Invalid filter: 'mode'='${mode}'`, 400);
    const { services } = await this.ctx.control<{ services: PbService[] }>('ListServices', {
      filters: {
        ...(filters?.name?.length ? { name_prefixes: [...filters.name] } : {}),
        ...(filters?.id?.length ? { id_prefixes: [...filters.id] } : {}),
        ...(filters?.label?.length ? { labels: labelMap(filters.label) } : {}),
      },
    });
    const wanted = filters?.mode?.length ? services.filter((s) => filters.mode!.includes(s.spec.global ? 'global' : 'replicated')) : services;
    if (!status) return wanted.map((s) => serviceFromPb(s));
    const { tasks } = wanted.length ? await this.ctx.control<{ tasks: PbTask[] }>('ListTasks', { filters: { service_ids: wanted.map((s) => s.id) } }) : { tasks: [] };
    return wanted.map((s) => serviceFromPb(s, serviceStatus(s, tasks)));
  }

  /** With `insertDefaults`, the manager fills in swarmkit's defaults (moby `getService`). */
  async inspect(input: string, insertDefaults: boolean): Promise<EngineService> {
    const service = await this.#service(input);
    if (!insertDefaults) return serviceFromPb(service);
    const { service: withDefaults } = await this.ctx.control<{ service: PbService }>('GetService', { service_id: service.id, insert_defaults: true });
    return serviceFromPb(withDefaults);
  }

  async update(input: string, version: number, spec: EngineServiceSpec, rollback: 'previous' | undefined): Promise<{ Warnings?: string[] }> {
    const service = await this.#service(input);
    let pb: PbServiceSpec;
    if (rollback === 'previous') {
      if (!service.previous_spec) throw new EngineApiError(`service ${service.id} does not have a previous spec`, 400);
      pb = service.spec;
    } else {
      pb = serviceSpecToPb(await this.#withNetworkIds(spec));
    }
    await this.ctx.control('UpdateService', {
      service_id: service.id,
      service_version: { index: version },
      spec: pb,
      rollback: rollback === 'previous' ? 'PREVIOUS' : 'NONE',
    });
    return {};
  }

  async remove(input: string): Promise<void> {
    const service = await this.#service(input);
    await this.ctx.control('RemoveService', { service_id: service.id });
  }

  /**
   * `docker service logs` (moby `ServiceLogs`): one subscription for the service's tasks; each
   * message becomes a line named after its task, as the CLI prints them (`web.1.<id>@node | …`).
   */
  async logs(input: string, tail: number | undefined): Promise<ServiceLogLine[]> {
    const service = await this.#service(input);
    const messages = await this.ctx.subscribeLogs(
      { service_ids: [service.id], node_ids: [], task_ids: [] },
      { streams: ['LOG_STREAM_STDOUT', 'LOG_STREAM_STDERR'], follow: false, tail: tail !== undefined && tail >= 0 ? -tail : 0, since: null },
    );
    const { tasks } = await this.ctx.control<{ tasks: PbTask[] }>('ListTasks', { filters: { service_ids: [service.id] } });
    const byId = new Map(tasks.map((t) => [t.id, t]));
    return messages.map((m) => {
      const task = byId.get(m.context.task_id);
      const line = Buffer.from(m.data).toString('utf8');
      return {
        TaskID: m.context.task_id,
        TaskName: task ? taskName(task) : m.context.task_id,
        NodeID: m.context.node_id,
        Stream: m.stream === 'LOG_STREAM_STDERR' ? ('stderr' as const) : ('stdout' as const),
        Line: line.endsWith('\n') ? line.slice(0, -1) : line,
      };
    });
  }

  async tasks(filters: TaskListFilters | undefined): Promise<EngineTask[]> {
    validateFilters(filters, TASK_FILTERS);
    const serviceIds: string[] = [];
    for (const s of filters?.service ?? []) serviceIds.push((await this.#service(s)).id);
    const nodeIds: string[] = [];
    for (const n of filters?.node ?? []) nodeIds.push(n === 'self' ? this.ctx.nodeId() : (await lookupSwarmObject<PbNode>(this.ctx.control, NODE_LOOKUP, n)).id);
    const desired: string[] = [];
    for (const s of filters?.['desired-state'] ?? []) {
      const state = s.toUpperCase();
      if (['RUNNING', 'SHUTDOWN', 'ACCEPTED', 'READY', 'COMPLETE', 'NEW', 'PENDING', 'ASSIGNED', 'PREPARING', 'STARTING', 'FAILED', 'REJECTED', 'REMOVE', 'ORPHANED'].includes(state)) {
        desired.push(state);
      } else if (s !== '') {
        throw new EngineApiError(`Invalid desired-state filter: '${s}'`, 400);
      }
    }
    const { tasks } = await this.ctx.control<{ tasks: PbTask[] }>('ListTasks', {
      filters: {
        ...(filters?.name?.length ? { name_prefixes: [...filters.name] } : {}),
        ...(filters?.id?.length ? { id_prefixes: [...filters.id] } : {}),
        ...(filters?.label?.length ? { labels: labelMap(filters.label) } : {}),
        ...(serviceIds.length ? { service_ids: serviceIds } : {}),
        ...(nodeIds.length ? { node_ids: nodeIds } : {}),
        ...(desired.length ? { desired_states: desired } : {}),
      },
    });
    // Attachment tasks (standalone containers on attachable overlays) are not service tasks.
    return tasks.filter((t) => !t.spec.attachment).map(taskFromPb);
  }

  async task(input: string): Promise<EngineTask> {
    return taskFromPb(await lookupSwarmObject<PbTask>(this.ctx.control, TASK_LOOKUP, input));
  }

  #service(input: string): Promise<PbService> {
    return lookupSwarmObject<PbService>(this.ctx.control, SERVICE_LOOKUP, input);
  }

  /** moby `populateNetworkID`: every network target becomes a swarm network's ID. */
  async #withNetworkIds(spec: EngineServiceSpec): Promise<EngineServiceSpec> {
    const networks = spec?.TaskTemplate?.Networks;
    if (!networks?.length) return spec;
    const resolved = [];
    for (const n of networks) {
      let network: PbNetwork;
      try {
        network = await lookupSwarmObject<PbNetwork>(this.ctx.control, NETWORK_LOOKUP, n.Target);
      } catch (error) {
        const local = this.ctx.localNetwork(n.Target);
        if (local?.predefined) throw new EngineApiError(`could not find the corresponding predefined swarm network: network ${local.name} not found`, 404);
        if (local) {
          throw new EngineApiError(
            `The network ${local.name} cannot be used with services. Only networks scoped to the swarm can be used, such as those created with the overlay driver.`,
            403,
          );
        }
        throw error;
      }
      resolved.push({ ...n, Target: network.id });
    }
    return { ...spec, TaskTemplate: { ...spec.TaskTemplate, Networks: resolved } };
  }
}

/** swarmkit `ListServiceStatuses`: running tasks; desired = replicas, or (global) tasks meant to run. */
export function serviceStatus(service: PbService, tasks: readonly PbTask[]): NonNullable<EngineService['ServiceStatus']> {
  let running = 0;
  let desired = service.spec.global ? 0 : (service.spec.replicated?.replicas ?? 0);
  for (const t of tasks) {
    if (t.service_id !== service.id) continue;
    if (t.status.state === 'RUNNING') running++;
    if (service.spec.global && t.desired_state === 'RUNNING') desired++;
  }
  return { RunningTasks: running, DesiredTasks: desired, CompletedTasks: 0 };
}
