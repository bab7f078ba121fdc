/**
 * The `Control` API's service and task calls (swarmkit `manager/controlapi/{service,task}.go`):
 * validation, name conflicts, version checks and filters with swarmkit's texts and codes. The
 * store writes here are the user's intent only (`spec`, `previous_spec`); the reconciler turns
 * them into endpoints and tasks.
 */
import { newSwarmId } from '../util/ids.js';
import type { Rng } from '../util/rng.js';
import type { PbService, PbServiceSpec, PbTask, TaskStateName } from '../wire/swarmkit.js';
import { GrpcCode, GrpcStatusError } from './grpc-client.js';
import { interpolateServiceDefaults } from './service-defaults.js';
import { checkPortConflicts, INVALID_ARGUMENT, needsIngress, validateNetworks, validateServiceSpec } from './service-spec.js';
import { StoreVersionError, type ClusterStore } from './store.js';
import { sameJson } from './task-allocator.js';
import { taskName } from './task-naming.js';

/** `store.ErrNameConflict`. */
export const NAME_CONFLICT = 'name conflicts with an existing object';

export interface ServiceFilters {
  names?: string[];
  id_prefixes?: string[];
  labels?: Record<string, string>;
  name_prefixes?: string[];
  runtimes?: string[];
}

export interface TaskFilters {
  names?: string[];
  id_prefixes?: string[];
  labels?: Record<string, string>;
  service_ids?: string[];
  node_ids?: string[];
  desired_states?: TaskStateName[];
  name_prefixes?: string[];
  up_to_date?: boolean;
  runtimes?: string[];
}

export interface ServiceMethods {
  CreateService: { request: { spec: PbServiceSpec }; response: { service: PbService } };
  GetService: { request: { service_id: string; insert_defaults?: boolean }; response: { service: PbService } };
  ListServices: { request: { filters?: ServiceFilters | null }; response: { services: PbService[] } };
  UpdateService: {
    request: { service_id: string; service_version: { index: number } | null; spec: PbServiceSpec; rollback?: 'NONE' | 'PREVIOUS' };
    response: { service: PbService };
  };
  RemoveService: { request: { service_id: string }; response: Record<string, never> };
  GetTask: { request: { task_id: string }; response: { task: PbTask } };
  ListTasks: { request: { filters?: TaskFilters | null }; response: { tasks: PbTask[] } };
}

const contains = (value: string, wanted: readonly string[] | undefined): boolean => !wanted?.length || wanted.includes(value);
const hasPrefix = (value: string, prefixes: readonly string[] | undefined): boolean => !prefixes?.length || prefixes.some((p) => value.startsWith(p));
/** `filterMatchLabels`: a key with an empty value matches any value. */
function labelsMatch(labels: Record<string, string> | undefined, wanted: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(wanted ?? {})) {
    if (!labels || !(k in labels)) return false;
    if (v !== '' && labels[k] !== v) return false;
  }
  return true;
}

function notFound(kind: string, id: string): GrpcStatusError {
  return new GrpcStatusError(GrpcCode.NotFound, `${kind} ${id} not found`);
}

export class ServiceControl {
  constructor(
    private readonly store: ClusterStore,
    private readonly rng: Rng,
  ) {}

  CreateService(request: ServiceMethods['CreateService']['request']): ServiceMethods['CreateService']['response'] {
    const spec = request.spec;
    validateServiceSpec(spec);
    validateNetworks(this.store, spec);
    checkPortConflicts(this.store, spec, '');
    this.#requireIngress(spec);
    if (this.store.serviceByName(spec.annotations.name)) {
      throw new GrpcStatusError(GrpcCode.AlreadyExists, `${NAME_CONFLICT}: service ${spec.annotations.name} already exists`);
    }
    const service = this.store.putService({
      id: newSwarmId(this.rng),
      spec,
      endpoint: null,
      update_status: null,
      previous_spec: null,
      pending_delete: false,
      spec_version: { index: 0 },
      previous_spec_version: null,
    });
    return { service };
  }

  GetService(request: ServiceMethods['GetService']['request']): ServiceMethods['GetService']['response'] {
    if (!request.service_id) throw new GrpcStatusError(GrpcCode.InvalidArgument, INVALID_ARGUMENT);
    const service = this.store.service(request.service_id);
    if (!service) throw notFound('service', request.service_id);
    return { service: request.insert_defaults ? { ...service, spec: interpolateServiceDefaults(service.spec) } : service };
  }

  ListServices(request: ServiceMethods['ListServices']['request']): ServiceMethods['ListServices']['response'] {
    const f = request.filters ?? {};
    const services = this.store.services.filter((s) => {
      const name = s.spec.annotations.name;
      return (
        contains(name, f.names) &&
        hasPrefix(name, f.name_prefixes) &&
        hasPrefix(s.id, f.id_prefixes) &&
        labelsMatch(s.spec.annotations.labels, f.labels) &&
        contains('container', f.runtimes)
      );
    });
    return { services };
  }

  UpdateService(request: ServiceMethods['UpdateService']['request']): ServiceMethods['UpdateService']['response'] {
    if (!request.service_id || !request.service_version) throw new GrpcStatusError(GrpcCode.InvalidArgument, INVALID_ARGUMENT);
    validateServiceSpec(request.spec);
    validateNetworks(this.store, request.spec);
    const service = this.store.service(request.service_id);
    if (!service) throw notFound('service', request.service_id);
    if (request.spec.endpoint && !sameJson(request.spec.endpoint, service.spec.endpoint)) checkPortConflicts(this.store, request.spec, service.id);
    if (!!service.spec.global !== !!request.spec.global) throw new GrpcStatusError(GrpcCode.Unimplemented, 'service mode change is not allowed');
    if (service.spec.annotations.name !== request.spec.annotations.name) throw new GrpcStatusError(GrpcCode.Unimplemented, 'renaming services is not supported');
    let next: PbService;
    if (request.rollback === 'PREVIOUS') {
      if (!service.previous_spec) throw new GrpcStatusError(GrpcCode.FailedPrecondition, `service ${service.id} does not have a previous spec`);
      next = {
        ...service,
        spec: service.previous_spec,
        spec_version: service.previous_spec_version,
        previous_spec: service.spec,
        previous_spec_version: service.spec_version,
        update_status: { state: 'ROLLBACK_STARTED', message: 'manually requested rollback', started_at: this.store.now(), completed_at: null },
      };
    } else {
      next = {
        ...service,
        previous_spec: service.spec,
        previous_spec_version: service.spec_version,
        spec: request.spec,
        spec_version: { index: service.meta.version.index },
        update_status: null,
      };
    }
    this.#requireIngress(next.spec);
    try {
      return { service: this.store.putService(next, request.service_version.index) };
    } catch (error) {
      if (error instanceof StoreVersionError) throw new GrpcStatusError(GrpcCode.Unknown, 'update out of sequence');
      throw error;
    }
  }

  RemoveService(request: ServiceMethods['RemoveService']['request']): ServiceMethods['RemoveService']['response'] {
    if (!request.service_id) throw new GrpcStatusError(GrpcCode.InvalidArgument, INVALID_ARGUMENT);
    if (!this.store.removeService(request.service_id)) throw notFound('service', request.service_id);
    return {};
  }

  GetTask(request: ServiceMethods['GetTask']['request']): ServiceMethods['GetTask']['response'] {
    if (!request.task_id) throw new GrpcStatusError(GrpcCode.InvalidArgument, INVALID_ARGUMENT);
    const task = this.store.task(request.task_id);
    if (!task) throw notFound('task', request.task_id);
    return { task };
  }

  ListTasks(request: ServiceMethods['ListTasks']['request']): ServiceMethods['ListTasks']['response'] {
    const f = request.filters ?? {};
    const tasks = this.store.tasks.filter((t) => {
      const name = taskName(t);
      return (
        contains(name, f.names) &&
        hasPrefix(name, f.name_prefixes) &&
        hasPrefix(t.id, f.id_prefixes) &&
        labelsMatch(t.service_annotations?.labels, f.labels) &&
        contains(t.service_id, f.service_ids) &&
        contains(t.node_id, f.node_ids) &&
        contains(t.spec.attachment ? 'attachment' : 'container', f.runtimes) &&
        (!f.desired_states?.length || f.desired_states.includes(t.desired_state))
      );
    });
    return { tasks };
  }

  #requireIngress(spec: PbServiceSpec): void {
    if (needsIngress(spec) && !this.store.networks.some((n) => n.spec.ingress)) {
      throw new GrpcStatusError(GrpcCode.FailedPrecondition, 'service needs ingress network, but no ingress network is present');
    }
  }
}
