/**
 * The manager's `Control` service (swarmkit `manager/controlapi/{node,cluster,network,service,task}.go`),
 * the API the daemon calls for `docker node …`, `docker network …`, `docker service …` and
 * `docker swarm join-token …` (service and task calls: service-control.ts): in-process on the leader, over
 * 2377 (mutual TLS, managers only) from another manager. Errors are gRPC statuses with swarmkit's
 * texts; the daemon shows them as `rpc error: code = … desc = …`, as Docker does.
 */
import { status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Rng } from '../util/rng.js';
import type { NodeRoleName, PbCluster, PbClusterSpec, PbNetwork, PbNetworkSpec, PbNode, PbNodeSpec } from '../wire/swarmkit.js';
import { authorizeCaller, type AuthorizationContext } from './authorize.js';
import { GrpcCode, GrpcStatusError, type CallSpec } from './grpc-client.js';
import { generateJoinToken, newJoinTokenSecret } from './join-token.js';
import type { ListNetworksFilters, NetworkControl } from './network-control.js';
import { MANAGER_ROLE, rpcError } from './rpc.js';
import { ServiceControl, type ServiceMethods } from './service-control.js';
import { StoreVersionError, type ClusterStore } from './store.js';

export interface ControlMethods extends ServiceMethods {
  ListNodes: {
    request: { filters?: { names?: string[]; id_prefixes?: string[]; roles?: NodeRoleName[]; memberships?: string[]; name_prefixes?: string[] } | null };
    response: { nodes: PbNode[] };
  };
  GetNode: { request: { node_id: string }; response: { node: PbNode } };
  UpdateNode: { request: { node_id: string; node_version: { index: number }; spec: PbNodeSpec }; response: { node: PbNode } };
  RemoveNode: { request: { node_id: string; force: boolean }; response: Record<string, never> };
  GetCluster: { request: { cluster_id: string }; response: { cluster: PbCluster } };
  UpdateCluster: {
    request: { cluster_id: string; cluster_version: { index: number }; spec: PbClusterSpec; rotation: { worker_join_token: boolean; manager_join_token: boolean } };
    response: { cluster: PbCluster };
  };
  CreateNetwork: { request: { spec: PbNetworkSpec }; response: { network: PbNetwork } };
  GetNetwork: { request: { network_id: string }; response: { network: PbNetwork } };
  ListNetworks: { request: { filters?: ListNetworksFilters | null }; response: { networks: PbNetwork[] } };
  RemoveNetwork: { request: { network_id: string }; response: Record<string, never> };
}
export type ControlMethod = keyof ControlMethods;

export const CONTROL_CALLS: { readonly [M in ControlMethod]: CallSpec } = {
  ListNodes: { service: 'Control', method: 'ListNodes', requestType: 'ListNodesRequest', responseType: 'ListNodesResponse' },
  GetNode: { service: 'Control', method: 'GetNode', requestType: 'GetNodeRequest', responseType: 'GetNodeResponse' },
  UpdateNode: { service: 'Control', method: 'UpdateNode', requestType: 'UpdateNodeRequest', responseType: 'UpdateNodeResponse' },
  RemoveNode: { service: 'Control', method: 'RemoveNode', requestType: 'RemoveNodeRequest', responseType: 'RemoveNodeResponse' },
  GetCluster: { service: 'Control', method: 'GetCluster', requestType: 'GetClusterRequest', responseType: 'GetClusterResponse' },
  UpdateCluster: { service: 'Control', method: 'UpdateCluster', requestType: 'UpdateClusterRequest', responseType: 'UpdateClusterResponse' },
  CreateNetwork: { service: 'Control', method: 'CreateNetwork', requestType: 'CreateNetworkRequest', responseType: 'CreateNetworkResponse' },
  GetNetwork: { service: 'Control', method: 'GetNetwork', requestType: 'GetNetworkRequest', responseType: 'GetNetworkResponse' },
  ListNetworks: { service: 'Control', method: 'ListNetworks', requestType: 'ListNetworksRequest', responseType: 'ListNetworksResponse' },
  RemoveNetwork: { service: 'Control', method: 'RemoveNetwork', requestType: 'RemoveNetworkRequest', responseType: 'RemoveNetworkResponse' },
  CreateService: { service: 'Control', method: 'CreateService', requestType: 'CreateServiceRequest', responseType: 'CreateServiceResponse' },
  GetService: { service: 'Control', method: 'GetService', requestType: 'GetServiceRequest', responseType: 'GetServiceResponse' },
  ListServices: { service: 'Control', method: 'ListServices', requestType: 'ListServicesRequest', responseType: 'ListServicesResponse' },
  UpdateService: { service: 'Control', method: 'UpdateService', requestType: 'UpdateServiceRequest', responseType: 'UpdateServiceResponse' },
  RemoveService: { service: 'Control', method: 'RemoveService', requestType: 'RemoveServiceRequest', responseType: 'RemoveServiceResponse' },
  GetTask: { service: 'Control', method: 'GetTask', requestType: 'GetTaskRequest', responseType: 'GetTaskResponse' },
  ListTasks: { service: 'Control', method: 'ListTasks', requestType: 'ListTasksRequest', responseType: 'ListTasksResponse' },
};

/** Either the leader's in-process API or a remote one: the daemon does not care which. */
export interface ControlClient {
  call<M extends ControlMethod>(method: M, request: ControlMethods[M]['request']): Promise<ControlMethods[M]['response']>;
}

export interface ControlApiOptions {
  readonly store: ClusterStore;
  readonly rng: Rng;
  /** Root CA digest (hex) for newly generated join tokens. */
  readonly rootCaDigest: string;
  /** Called when a node is removed: its certificate stops being honoured, its addresses return. */
  readonly onRemove: (node: PbNode) => void;
  /** The leader's node ID: no Raft here, so the leader cannot be demoted or removed. */
  readonly leaderId: string;
  readonly networks: NetworkControl;
}

export class ControlApi implements ControlClient {
  readonly #options: ControlApiOptions;
  readonly #services: ServiceControl;

  constructor(options: ControlApiOptions) {
    this.#options = options;
    this.#services = new ServiceControl(options.store, options.rng);
  }

  async call<M extends ControlMethod>(method: M, request: ControlMethods[M]['request']): Promise<ControlMethods[M]['response']> {
    const handler = this[method] as (r: ControlMethods[M]['request']) => ControlMethods[M]['response'];
    return handler.call(this, request);
  }

  ListNodes(request: ControlMethods['ListNodes']['request']): ControlMethods['ListNodes']['response'] {
    const f = request.filters ?? {};
    const nodes = this.#options.store.nodes.filter((n) => {
      const name = n.spec.annotations.name || n.description?.hostname || '';
      if (f.names?.length && !f.names.includes(name)) return false;
      if (f.name_prefixes?.length && !f.name_prefixes.some((p) => name.startsWith(p))) return false;
      if (f.id_prefixes?.length && !f.id_prefixes.some((p) => n.id.startsWith(p))) return false;
      if (f.roles?.length && !f.roles.includes(n.role)) return false;
      if (f.memberships?.length && !f.memberships.includes(n.spec.membership)) return false;
      return true;
    });
    return { nodes };
  }

  GetNode(request: ControlMethods['GetNode']['request']): ControlMethods['GetNode']['response'] {
    const node = this.#options.store.node(request.node_id);
    if (!node) throw new GrpcStatusError(GrpcCode.NotFound, `node ${request.node_id} not found`);
    return { node };
  }

  UpdateNode(request: ControlMethods['UpdateNode']['request']): ControlMethods['UpdateNode']['response'] {
    const { store } = this.#options;
    const node = store.node(request.node_id);
    if (!node) throw new GrpcStatusError(GrpcCode.NotFound, `node ${request.node_id} not found`);
    const spec = request.spec;
    if (node.role === 'MANAGER' && spec.desired_role === 'WORKER') {
      const managers = store.nodes.filter((n) => n.role === 'MANAGER');
      if (managers.length <= 1) throw new GrpcStatusError(GrpcCode.FailedPrecondition, 'attempting to demote the last manager of the swarm');
      if (node.id === this.#options.leaderId) {
        throw new GrpcStatusError(GrpcCode.FailedPrecondition, `can't demote the leader: swarmnet managers do not replicate the store (no Raft), so leadership cannot move`);
      }
    }
    const role = spec.desired_role;
    try {
      const updated = store.putNode(
        {
          ...node,
          spec,
          role,
          manager_status:
            role === 'MANAGER' ? (node.manager_status ?? { raft_id: 0, addr: managerAddr(node), leader: false, reachability: node.status.state === 'READY' ? 'REACHABLE' : 'UNREACHABLE' }) : null,
        },
        request.node_version.index,
      );
      return { node: updated };
    } catch (error) {
      if (error instanceof StoreVersionError) throw new GrpcStatusError(GrpcCode.Unknown, 'update out of sequence');
      throw error;
    }
  }

  RemoveNode(request: ControlMethods['RemoveNode']['request']): ControlMethods['RemoveNode']['response'] {
    const { store } = this.#options;
    const node = store.node(request.node_id);
    if (!node) throw new GrpcStatusError(GrpcCode.NotFound, `node ${request.node_id} not found`);
    if (node.role === 'MANAGER') {
      throw new GrpcStatusError(GrpcCode.FailedPrecondition, `node ${node.id} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`);
    }
    if (!request.force && node.status.state === 'READY') {
      throw new GrpcStatusError(GrpcCode.FailedPrecondition, `node ${node.id} is not down and can't be removed`);
    }
    this.#options.onRemove(node);
    store.removeNode(node.id);
    return {};
  }

  GetCluster(request: ControlMethods['GetCluster']['request']): ControlMethods['GetCluster']['response'] {
    const cluster = this.#options.store.cluster;
    if (request.cluster_id !== cluster.id) throw new GrpcStatusError(GrpcCode.NotFound, `cluster ${request.cluster_id} not found`);
    return { cluster };
  }

  UpdateCluster(request: ControlMethods['UpdateCluster']['request']): ControlMethods['UpdateCluster']['response'] {
    const { store, rng, rootCaDigest } = this.#options;
    if (request.cluster_id !== store.cluster.id) throw new GrpcStatusError(GrpcCode.NotFound, `cluster ${request.cluster_id} not found`);
    try {
      const cluster = store.updateCluster((c) => {
        const tokens = { ...c.root_ca.join_tokens };
        if (request.rotation?.worker_join_token) tokens.worker = generateJoinToken(rootCaDigest, newJoinTokenSecret(rng));
        if (request.rotation?.manager_join_token) tokens.manager = generateJoinToken(rootCaDigest, newJoinTokenSecret(rng));
        return { ...c, spec: request.spec ?? c.spec, root_ca: { ...c.root_ca, join_tokens: tokens } };
      }, request.cluster_version.index);
      return { cluster };
    } catch (error) {
      if (error instanceof StoreVersionError) throw new GrpcStatusError(GrpcCode.Unknown, 'update out of sequence');
      throw error;
    }
  }

  CreateNetwork(request: ControlMethods['CreateNetwork']['request']): ControlMethods['CreateNetwork']['response'] {
    return { network: this.#options.networks.create(request.spec) };
  }

  GetNetwork(request: ControlMethods['GetNetwork']['request']): ControlMethods['GetNetwork']['response'] {
    return { network: this.#options.networks.get(request.network_id) };
  }

  ListNetworks(request: ControlMethods['ListNetworks']['request']): ControlMethods['ListNetworks']['response'] {
    return { networks: this.#options.networks.list(request.filters) };
  }

  RemoveNetwork(request: ControlMethods['RemoveNetwork']['request']): ControlMethods['RemoveNetwork']['response'] {
    this.#options.networks.remove(request.network_id);
    return {};
  }

  CreateService(request: ControlMethods['CreateService']['request']): ControlMethods['CreateService']['response'] {
    return this.#services.CreateService(request);
  }

  GetService(request: ControlMethods['GetService']['request']): ControlMethods['GetService']['response'] {
    return this.#services.GetService(request);
  }

  ListServices(request: ControlMethods['ListServices']['request']): ControlMethods['ListServices']['response'] {
    return this.#services.ListServices(request);
  }

  UpdateService(request: ControlMethods['UpdateService']['request']): ControlMethods['UpdateService']['response'] {
    return this.#services.UpdateService(request);
  }

  RemoveService(request: ControlMethods['RemoveService']['request']): ControlMethods['RemoveService']['response'] {
    return this.#services.RemoveService(request);
  }

  GetTask(request: ControlMethods['GetTask']['request']): ControlMethods['GetTask']['response'] {
    return this.#services.GetTask(request);
  }

  ListTasks(request: ControlMethods['ListTasks']['request']): ControlMethods['ListTasks']['response'] {
    return this.#services.ListTasks(request);
  }

  /** grpc-js handlers: the same methods, for managers calling over 2377. */
  handlers(auth: AuthorizationContext): UntypedServiceImplementation {
    const implementation: UntypedServiceImplementation = {};
    for (const method of Object.keys(CONTROL_CALLS) as ControlMethod[]) {
      implementation[method] = ((call: ServerUnaryCall<never, unknown>, callback: sendUnaryData<unknown>) => {
        try {
          authorizeCaller(call, auth, [MANAGER_ROLE]);
          callback(null, (this[method] as (r: unknown) => unknown).call(this, call.request));
        } catch (error) {
          callback(error instanceof GrpcStatusError ? rpcError(error.code, error.details) : (error as Error));
        }
      }) as UntypedServiceImplementation[string];
    }
    return implementation;
  }
}

/** A manager's 2377 address: the IP the dispatcher saw, with the management port it advertised. */
function managerAddr(node: PbNode): string {
  return `${node.status.addr}:2377`;
}

