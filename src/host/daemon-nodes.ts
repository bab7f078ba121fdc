/**
 * `docker node …` on a manager's daemon (moby `daemon/cluster/nodes.go`): nodes found by ID, name
 * or ID prefix (swarm-lookup.ts), filters translated (engine-convert.ts), and the spec a
 * `node update` sends checked as moby's `NodeSpecToGRPC` checks it.
 */
import type { PbNode } from '../wire/swarmkit.js';
import { EngineApiError, type EngineParams, type SwarmNode } from './engine-api.js';
import { nodeFilters, nodeToEngine } from './engine-convert.js';
import { lookupSwarmObject, NODE_LOOKUP, type ControlCall } from './swarm-lookup.js';

export class DaemonNodes {
  constructor(private readonly control: ControlCall) {}

  async list(filters: EngineParams<'nodeList'>['filters']): Promise<SwarmNode[]> {
    const { nodes } = await this.control<{ nodes: PbNode[] }>('ListNodes', { filters: nodeFilters(filters) });
    return nodes.map(nodeToEngine);
  }

  async inspect(input: string): Promise<SwarmNode> {
    return nodeToEngine(await this.#node(input));
  }

  async update(p: EngineParams<'nodeUpdate'>): Promise<void> {
    // moby `daemon/cluster/convert/node.go` `NodeSpecToGRPC`: case-insensitive, else refused.
    const role = String(p.spec.Role).toUpperCase();
    if (role !== 'MANAGER' && role !== 'WORKER') throw new EngineApiError(`invalid Role: ${JSON.stringify(p.spec.Role)}`, 400);
    const availability = String(p.spec.Availability).toUpperCase();
    if (availability !== 'ACTIVE' && availability !== 'PAUSE' && availability !== 'DRAIN') {
      throw new EngineApiError(`invalid Availability: ${JSON.stringify(p.spec.Availability)}`, 400);
    }
    const node = await this.#node(p.id);
    await this.control('UpdateNode', {
      node_id: node.id,
      node_version: { index: p.version },
      spec: { annotations: { name: p.spec.Name ?? '', labels: { ...p.spec.Labels } }, desired_role: role, membership: node.spec.membership, availability },
    });
  }

  async remove(p: EngineParams<'nodeRemove'>): Promise<void> {
    const node = await this.#node(p.id);
    await this.control('RemoveNode', { node_id: node.id, force: p.force === true });
  }

  #node(input: string): Promise<PbNode> {
    return lookupSwarmObject<PbNode>(this.control, NODE_LOOKUP, input);
  }
}
