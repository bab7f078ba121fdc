/**
 * Per-RPC authorization on the manager, as swarmkit's `ca/auth.go` does it: the caller's TLS
 * client certificate must chain to this cluster's root CA, carry an allowed role in its OU, this
 * cluster's ID in its O, and name a node that was not removed. Failures are `PermissionDenied`
 * with swarmkit's texts.
 */
import type * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { NodeIdentity } from './node-certificate.js';
import { peerCertificateDer, rpcError, type AuthContextLike, type CertRole } from './rpc.js';

export type { NodeIdentity };

/** What authorization needs from the CA: verification of a presented certificate. */
export interface CertificateVerifier {
  verifyNodeCertificate(der: Uint8Array, now: Date): NodeIdentity;
}

export interface AuthorizationContext {
  readonly verifier: CertificateVerifier;
  readonly clusterId: string;
  readonly now: () => Date;
  /** Nodes removed from the swarm: their certificates are no longer honoured. */
  readonly isRemoved: (nodeId: string) => boolean;
}

export function authorizeCaller(call: { getAuthContext(): AuthContextLike | null }, context: AuthorizationContext, roles: readonly CertRole[]): NodeIdentity {
  const der = peerCertificateDer(call);
  if (der === null) throw denied(`Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = no client certificates in request`);
  let identity: NodeIdentity;
  try {
    identity = context.verifier.verifyNodeCertificate(der, context.now());
  } catch {
    throw denied(`Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = no verified chains for remote certificate`);
  }
  if (!roles.includes(identity.role)) throw denied(`Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = Permission denied: remote certificate not part of OUs: [${roles.join(' ')}]`);
  if (context.isRemoved(identity.nodeId)) throw denied(`Permission denied: node ${identity.nodeId} was removed from swarm`);
  if (identity.clusterId !== context.clusterId) throw denied(`Permission denied: remote certificate not part of organization: ${context.clusterId}`);
  return identity;
}

/** The identity of the caller if it presented a valid certificate of this cluster, else null. */
export function callerIdentity(call: { getAuthContext(): AuthContextLike | null }, context: AuthorizationContext): NodeIdentity | null {
  const der = peerCertificateDer(call);
  if (der === null) return null;
  try {
    const identity = context.verifier.verifyNodeCertificate(der, context.now());
    return identity.clusterId === context.clusterId && !context.isRemoved(identity.nodeId) ? identity : null;
  } catch {
    return null;
  }
}

function denied(details: string): grpc.ServiceError {
  return rpcError(status.PERMISSION_DENIED, details);
}
