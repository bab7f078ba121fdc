/**
 * gRPC on 2377, as swarmkit speaks it: HTTP/2 over TLS (grpc-js), swarmkit's protobuf messages
 * (src/wire/swarmkit.ts), method paths `/docker.swarmkit.v1.<Service>/<Method>`.
 *
 * TLS policy, as swarmkit's manager listener (`ca/config.go` `NewServerTLSConfig`):
 * - the server presents its node certificate and *asks* for a client certificate without
 *   requiring one (Go's `tls.VerifyClientCertIfGiven`): a joining node has none yet;
 * - each RPC then authorizes its caller (`protobuf/plugin/authenticatedwrapper`): the CA's
 *   `GetRootCACertificate` and the NodeCA methods are open (`insecure: true`), everything else
 *   needs a certificate issued by this cluster's root CA with an allowed role (OU) and the
 *   cluster's organisation (O), or fails with `PermissionDenied`.
 * - clients (src/swarm/grpc-client.ts) verify the server against the pinned root CA with server
 *   name `swarm-ca`, except the one bootstrap call that fetches the root CA (then the digest in
 *   the join token is checked).
 */
import * as grpc from '@grpc/grpc-js';
import { decodeSwarmkit, encodeSwarmkit, swarmkitService, MAX_SWARMKIT_MESSAGE_BYTES } from '../wire/swarmkit.js';

/** The name clients verify the manager's certificate against (swarmkit `ca.CARole`). */
export const MANAGER_SERVER_NAME = 'swarm-ca';
export { MANAGER_ROLE, WORKER_ROLE, type NodeRole as CertRole } from './node-certificate.js';

/** grpc-js server options. */
export const GRPC_SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': MAX_SWARMKIT_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_SWARMKIT_MESSAGE_BYTES,
};

/** A grpc-js service definition for one swarmkit service, encoding with protobufjs. */
export function serviceDefinition(serviceName: string): grpc.ServiceDefinition {
  const service = swarmkitService(serviceName);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const requestType = method.resolvedRequestType!.name;
    const responseType = method.resolvedResponseType!.name;
    definition[method.name] = {
      path: `/docker.swarmkit.v1.${serviceName}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: (value: object) => Buffer.from(encodeSwarmkit(requestType, value)),
      requestDeserialize: (bytes: Buffer) => decodeSwarmkit<object>(requestType, bytes),
      responseSerialize: (value: object) => Buffer.from(encodeSwarmkit(responseType, value)),
      responseDeserialize: (bytes: Buffer) => decodeSwarmkit<object>(responseType, bytes),
      originalName: method.name,
    };
  }
  return definition;
}

export interface TlsIdentity {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * A certificate provider whose material never changes (grpc-js' experimental provider API). It
 * answers a new listener in a microtask: grpc-js registers the server's watcher only after adding
 * its listeners, so a synchronous answer would be lost, and one on a later tick would arrive
 * after `bindAsync` completed — either way the server drops connections "due to unloaded
 * credentials" until it arrives.
 */
class StaticCertificateProvider implements grpc.experimental.CertificateProvider {
  constructor(
    private readonly ca: Buffer | null,
    private readonly identity: { certificate: Buffer; privateKey: Buffer } | null,
  ) {}
  addCaCertificateListener(listener: grpc.experimental.CaCertificateUpdateListener): void {
    queueMicrotask(() => listener(this.ca === null ? null : { caCertificate: this.ca }));
  }
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(listener: grpc.experimental.IdentityCertificateUpdateListener): void {
    queueMicrotask(() => listener(this.identity));
  }
  removeIdentityCertificateListener(): void {}
}

/** Server credentials: our node certificate; client certificates requested, verified when given. */
export function managerServerCredentials(identity: TlsIdentity, rootCaPem: string): grpc.ServerCredentials {
  const identityProvider = new StaticCertificateProvider(null, {
    certificate: Buffer.from(identity.certPem),
    privateKey: Buffer.from(identity.keyPem),
  });
  const caProvider = new StaticCertificateProvider(Buffer.from(rootCaPem), null);
  return grpc.experimental.createCertificateProviderServerCredentials(identityProvider, caProvider, false);
}

/** A gRPC error with a status code, as grpc-go's `status.Errorf` makes them. */
export function rpcError(code: grpc.status, details: string): grpc.ServiceError {
  const error = new Error(`${code} ${grpc.status[code]}: ${details}`) as grpc.ServiceError;
  error.code = code;
  error.details = details;
  error.metadata = new grpc.Metadata();
  return error;
}

/** What grpc-js exposes of a call's TLS connection (its `AuthContext`, not exported by name). */
export interface AuthContextLike {
  readonly sslPeerCertificate?: { readonly raw?: Buffer };
}

/** The DER of the certificate the caller presented on this call's TLS connection, if any. */
export function peerCertificateDer(call: { getAuthContext(): AuthContextLike | null }): Buffer | null {
  const certificate = call.getAuthContext()?.sslPeerCertificate;
  if (!certificate || !certificate.raw || certificate.raw.length === 0) return null;
  return certificate.raw;
}

