/**
 * The `ResourceAllocator` service (swarmkit `manager/resourceapi/allocator.go`): how a node gets
 * an address on a swarm overlay for a standalone container (`docker run --network <attachable
 * overlay>`). `AttachNetwork` creates an attachment task on the calling node — the allocator gives
 * it an address, the scheduler marks it ASSIGNED, and it reaches the node through `Assignments`
 * like any task; its ID is the attachment ID. `DetachNetwork` deletes it (its address returns).
 * Callable by workers and managers alike; a node may only detach its own attachments.
 */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { newSwarmId } from '../util/ids.js';
import type { Rng } from '../util/rng.js';
import type { PbNetwork, PbNetworkAttachmentConfig } from '../wire/swarmkit.js';
import { authorizeCaller, type AuthorizationContext } from './authorize.js';
import { GrpcCode, GrpcStatusError, type CallSpec } from './grpc-client.js';
import { CREATED_MESSAGE } from './orchestrator.js';
import { MANAGER_ROLE, rpcError, WORKER_ROLE } from './rpc.js';
import { INVALID_ARGUMENT } from './service-spec.js';
import type { ClusterStore } from './store.js';

export interface ResourceMethods {
  AttachNetwork: { request: { config: PbNetworkAttachmentConfig | null; container_id: string }; response: { attachment_id: string } };
  DetachNetwork: { request: { attachment_id: string }; response: Record<string, never> };
}
export type ResourceMethod = keyof ResourceMethods;

export const RESOURCE_CALLS: { readonly [M in ResourceMethod]: CallSpec } = {
  AttachNetwork: { service: 'ResourceAllocator', method: 'AttachNetwork', requestType: 'AttachNetworkRequest', responseType: 'AttachNetworkResponse' },
  DetachNetwork: { service: 'ResourceAllocator', method: 'DetachNetwork', requestType: 'DetachNetworkRequest', responseType: 'DetachNetworkResponse' },
};

export class ResourceAllocator {
  constructor(
    private readonly store: ClusterStore,
    private readonly rng: Rng,
  ) {}

  /** A network by full ID, then unique name, then unique ID prefix (what the user typed). */
  #resolve(target: string): PbNetwork | undefined {
    const byId = this.store.network(target);
    if (byId) return byId;
    const byName = this.store.networks.filter((n) => n.spec.annotations.name === target);
    if (byName.length === 1) return byName[0];
    const byPrefix = target ? this.store.networks.filter((n) => n.id.startsWith(target)) : [];
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  AttachNetwork(nodeId: string, request: ResourceMethods['AttachNetwork']['request']): ResourceMethods['AttachNetwork']['response'] {
    const target = request.config?.target ?? '';
    const network = this.#resolve(target);
    if (!network) throw new GrpcStatusError(GrpcCode.NotFound, `network ${target} not found`);
    if (!network.spec.attachable) throw new GrpcStatusError(GrpcCode.PermissionDenied, `network ${target} not manually attachable`);
    const task = this.store.putTask({
      id: newSwarmId(this.rng),
      spec: {
        attachment: { container_id: request.container_id },
        restart: null,
        placement: null,
        log_driver: null,
        networks: [{ target: network.id, aliases: [...(request.config?.aliases ?? [])], addresses: [...(request.config?.addresses ?? [])], driver_attachment_opts: {} }],
        force_update: 0,
      },
      service_id: '',
      slot: 0,
      node_id: nodeId,
      annotations: { name: '', labels: {} },
      service_annotations: { name: '', labels: {} },
      status: { timestamp: this.store.now(), state: 'NEW', message: CREATED_MESSAGE, err: '', port_status: null, applied_by: '', applied_at: null },
      desired_state: 'RUNNING',
      networks: [],
      endpoint: null,
      log_driver: null,
      spec_version: null,
    });
    return { attachment_id: task.id };
  }

  DetachNetwork(nodeId: string, request: ResourceMethods['DetachNetwork']['request']): ResourceMethods['DetachNetwork']['response'] {
    if (!request.attachment_id) throw new GrpcStatusError(GrpcCode.InvalidArgument, INVALID_ARGUMENT);
    const task = this.store.task(request.attachment_id);
    if (!task) throw new GrpcStatusError(GrpcCode.NotFound, `attachment ${request.attachment_id} not found`);
    if (task.node_id !== nodeId) throw new GrpcStatusError(GrpcCode.PermissionDenied, `attachment ${request.attachment_id} doesn't belong to this node`);
    this.store.removeTask(task.id);
    return {};
  }

  /** grpc-js handlers: workers and managers, identified by their certificates. */
  handlers(auth: AuthorizationContext): UntypedServiceImplementation {
    const implementation: UntypedServiceImplementation = {};
    for (const method of Object.keys(RESOURCE_CALLS) as ResourceMethod[]) {
      implementation[method] = ((call: ServerUnaryCall<never, unknown>, callback: sendUnaryData<unknown>) => {
        try {
          const caller = authorizeCaller(call, auth, [WORKER_ROLE, MANAGER_ROLE]);
          callback(null, (this[method] as (nodeId: string, r: unknown) => unknown).call(this, caller.nodeId, call.request));
        } catch (error) {
          callback(error instanceof GrpcStatusError ? rpcError(error.code, error.details) : (error as Error));
        }
      }) as UntypedServiceImplementation[string];
    }
    return implementation;
  }
}
