/**
 * The daemon's refusals: Docker's texts for swarm states (moby `daemon/cluster/errors.go`,
 * `swarm.go`) and the mapping of every failure to the Engine API error the CLI prints — a
 * swarmkit gRPC status in grpc-go's `rpc error: code = … desc = …` form, as Docker shows it.
 */
import { JoinError } from '../swarm/agent.js';
import { GrpcCode, GrpcStatusError, grpcErrorText } from '../swarm/grpc-client.js';
import { EngineApiError } from './engine-api.js';

export const ERR_SWARM_EXISTS = 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
export const ERR_NO_SWARM = 'This node is not part of a swarm';
export const ERR_NOT_MANAGER_INACTIVE = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
export const ERR_NOT_MANAGER_WORKER =
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
export const ERR_JOIN_TIMEOUT =
  'Timeout was reached before node joined. The attempt to join the swarm will continue in the background. Use the "docker info" command to see the current swarm status of your node.';
export const LEAVE_MANAGER = 'You are attempting to leave the swarm on a node that is participating as a manager. ';

/** The HTTP status moby's API answers a swarmkit gRPC code with (`errdefs` classes). */
const HTTP_STATUS_OF_GRPC: Readonly<Record<number, number>> = {
  [GrpcCode.InvalidArgument]: 400,
  [GrpcCode.NotFound]: 404,
  [GrpcCode.AlreadyExists]: 409,
  [GrpcCode.PermissionDenied]: 403,
  [GrpcCode.FailedPrecondition]: 400,
  [GrpcCode.Unavailable]: 503,
};

/** Every failure as the Engine API error the CLI prints. */
export function toEngineError(error: unknown): EngineApiError {
  if (error instanceof EngineApiError) return error;
  if (error instanceof JoinError) return new EngineApiError(error.message, 400);
  if (error instanceof GrpcStatusError) {
    return new EngineApiError(grpcErrorText(error), HTTP_STATUS_OF_GRPC[error.code] ?? 500);
  }
  return new EngineApiError(error instanceof Error ? error.message : String(error), 500);
}
