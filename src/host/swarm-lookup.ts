/**
 * How moby's daemon finds a swarm object the user named (`daemon/cluster/helpers.go`: `getNode`,
 * `getService`, `getTask`, `getNetwork`): by full ID, then by exact name, then by unique ID prefix,
 * with its texts — `service web not found`, `node w is ambiguous (2 matches found)`.
 */
import { GrpcCode, GrpcStatusError } from '../swarm/grpc-client.js';
import { EngineApiError } from './engine-api.js';

/** One control call to the leader (in-process or over 2377). */
export type ControlCall = <T>(method: string, request: object) => Promise<T>;

export interface LookupKind {
  /** `node`, `service`, `task`, `network`: the word in messages and the Get response's key. */
  readonly kind: string;
  readonly get: string;
  /** The Get request's ID field (`node_id` …). */
  readonly idField: string;
  readonly list: string;
  /** The List response's key (`nodes` …). */
  readonly listKey: string;
}

export const NODE_LOOKUP: LookupKind = { kind: 'node', get: 'GetNode', idField: 'node_id', list: 'ListNodes', listKey: 'nodes' };
export const SERVICE_LOOKUP: LookupKind = { kind: 'service', get: 'GetService', idField: 'service_id', list: 'ListServices', listKey: 'services' };
export const TASK_LOOKUP: LookupKind = { kind: 'task', get: 'GetTask', idField: 'task_id', list: 'ListTasks', listKey: 'tasks' };
export const NETWORK_LOOKUP: LookupKind = { kind: 'network', get: 'GetNetwork', idField: 'network_id', list: 'ListNetworks', listKey: 'networks' };

export async function lookupSwarmObject<T>(control: ControlCall, k: LookupKind, input: string): Promise<T> {
  if (input === '') throw new EngineApiError(`${k.kind}  not found`, 404);
  try {
    return (await control<Record<string, T>>(k.get, { [k.idField]: input }))[k.kind]!;
  } catch (error) {
    const lookupMiss = error instanceof GrpcStatusError && (error.code === GrpcCode.NotFound || error.code === GrpcCode.InvalidArgument);
    if (!lookupMiss) throw error;
  }
  let matches = (await control<Record<string, T[]>>(k.list, { filters: { names: [input] } }))[k.listKey] ?? [];
  if (matches.length === 0) matches = (await control<Record<string, T[]>>(k.list, { filters: { id_prefixes: [input] } }))[k.listKey] ?? [];
  if (matches.length === 0) throw new EngineApiError(`${k.kind} ${input} not found`, 404);
  if (matches.length > 1) throw new EngineApiError(`${k.kind} ${input} is ambiguous (${matches.length} matches found)`, 400);
  return matches[0]!;
}
