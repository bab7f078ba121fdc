/**
 * Node certificates: what a node's certificate says about it, and the node side of getting one.
 *
 * A swarm node's TLS certificate *is* its identity (swarmkit `ca/certificates.go` `PrepareCSR`,
 * `ca/auth.go`): subject `O=<cluster ID>, OU=<role>, CN=<node ID>`, role `swarm-manager` or
 * `swarm-worker`. `readNodeIdentity` pulls that out of a certificate already known to be signed
 * by the cluster's CA (`RootCA.verifyNodeCertificate` does the signature and time checks first),
 * and is strict: one of each field, a known role, a leaf usable for TLS client authentication.
 *
 * The node side, swarmkit `GenerateNewCSR`: a fresh ECDSA P-256 key (cfssl's default key request)
 * and a CSR signed by it with an *empty* subject: the CA ignores everything in a CSR but its
 * public key (`SigningPolicy`'s CSR whitelist) and writes the subject from the join request. The
 * key is returned as PKCS#8 PEM (`PRIVATE KEY`), as swarmkit converts it.
 *
 * Also here, shared with ca.ts: PEM in Go's `pem.EncodeToMemory` layout and the SHA-256 digest of
 * a PEM (`digest.FromBytes`), which must be byte-exact because join tokens carry it.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, webcrypto, X509Certificate } from 'node:crypto';
import { SwarmnetError } from '../util/errors.js';

// @peculiar/x509 signs and verifies through WebCrypto; Node's is complete for ECDSA P-256.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** swarmkit `ca.ManagerRole`: the OU of a manager's certificate, and one of its DNS names. */
export const MANAGER_ROLE = 'swarm-manager';
/** swarmkit `ca.WorkerRole`. */
export const WORKER_ROLE = 'swarm-worker';
/** swarmkit `ca.CARole` = `DefaultRootCN`: the root's CN, and a DNS name of every manager. */
export const CA_ROLE = 'swarm-ca';
export type NodeRole = typeof MANAGER_ROLE | typeof WORKER_ROLE;
export const NODE_ROLES: readonly NodeRole[] = [MANAGER_ROLE, WORKER_ROLE];

/** The only key and signature swarmkit makes: cfssl's ECDSA P-256 and `ecdsa-with-SHA256`. */
export const EC_P256: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
export const ECDSA_SHA256: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export const PEM_CERTIFICATE = 'CERTIFICATE';
export const PEM_CERTIFICATE_REQUEST = 'CERTIFICATE REQUEST';
/** Go's `encoding/pem` line length. */
const PEM_LINE = 64;

/** Who a valid node certificate says its holder is. */
export interface NodeIdentity {
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly clusterId: string;
}

/** Why a presented certificate is not a valid node certificate of this cluster's CA. */
export type NodeCertificateProblem =
  | 'malformed'
  | 'untrusted'
  | 'expired'
  | 'not-yet-valid'
  | 'missing-identity'
  | 'bad-role'
  | 'bad-usage';

/** Thrown by `RootCA.verifyNodeCertificate`; `code` is `node-cert-<problem>`. */
export class NodeCertificateError extends SwarmnetError {
  constructor(
    readonly problem: NodeCertificateProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`node-cert-${problem}`, message, options);
    this.name = 'NodeCertificateError';
  }
}

/**
 * The PEM Go's `pem.EncodeToMemory` writes: 64-character base64 lines, each ending in `\n`,
 * including the END line. The root CA digest is taken over these exact bytes.
 */
export function pemEncode(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  let body = '';
  for (let i = 0; i < b64.length; i += PEM_LINE) body += `${b64.slice(i, i + PEM_LINE)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

/** The DER of each PEM block in `pem` with one of `labels`, in order; other blocks are skipped. */
export function pemBlocks(pem: string, labels: readonly string[]): Uint8Array[] {
  let blocks: x509.PemStruct[];
  try {
    blocks = x509.PemConverter.decodeWithHeaders(pem);
  } catch {
    return [];
  }
  return blocks.filter((b) => labels.includes(b.type)).map((b) => new Uint8Array(b.rawData));
}

/** SHA-256 of the PEM bytes, 64 lower-case hex: swarmkit `digest.FromBytes(rootCertBytes)`. */
export function digestOfPem(pem: string | Uint8Array): string {
  return createHash('sha256').update(pem).digest('hex');
}

/**
 * A new node key and its CSR (swarmkit `GenerateNewCSR`): ECDSA P-256, empty subject, no
 * extensions, signed `ecdsa-with-SHA256`.
 */
export async function generateNodeKeyAndCsr(): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ keys, signingAlgorithm: ECDSA_SHA256 });
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { keyPem: pemEncode(pkcs8, 'PRIVATE KEY'), csrPem: pemEncode(new Uint8Array(csr.rawData), PEM_CERTIFICATE_REQUEST) };
}

/** The DER of a certificate given as PEM (exactly one certificate), DER, or a parsed one. */
export function certificateDer(cert: string | Uint8Array | X509Certificate): Uint8Array {
  if (cert instanceof X509Certificate) return new Uint8Array(cert.raw);
  if (typeof cert !== 'string') return cert;
  const blocks = pemBlocks(cert, [PEM_CERTIFICATE]);
  if (blocks.length !== 1) {
    throw new NodeCertificateError('malformed', `expected exactly one PEM certificate, found ${blocks.length}`);
  }
  return blocks[0];
}

/**
 * The identity in a node certificate's subject, after checking it is a leaf fit for TLS client
 * authentication. Signature, issuer and validity are the caller's checks (they need the CA).
 *
 * Stricter than swarmkit's `AuthorizeOrgAndRole` on purpose, as the certificates our CA issues
 * always pass: swarmkit takes Go's last CN and first O and accepts extra OUs; here a repeated or
 * missing CN, OU or O is refused. The client-auth usage is what Go's server checks before
 * swarmkit ever sees the certificate (`VerifyClientCertIfGiven` verifies with
 * `ExtKeyUsageClientAuth`).
 */
export function readNodeIdentity(cert: x509.X509Certificate): NodeIdentity {
  const constraints = cert.getExtension(x509.BasicConstraintsExtension);
  if (constraints?.ca) throw new NodeCertificateError('bad-usage', 'a CA certificate is not a node certificate');
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  if (!eku || !eku.usages.includes(x509.ExtendedKeyUsage.clientAuth)) {
    throw new NodeCertificateError('bad-usage', 'node certificate lacks the TLS client authentication usage');
  }
  const subject = cert.subjectName;
  const nodeId = single(subject, 'CN');
  const role = single(subject, 'OU');
  const clusterId = single(subject, 'O');
  if (!isNodeRole(role)) throw new NodeCertificateError('bad-role', `unknown node role (OU) ${JSON.stringify(role)}`);
  return { nodeId, role, clusterId };
}

export function isNodeRole(value: string): value is NodeRole {
  return (NODE_ROLES as readonly string[]).includes(value);
}

function single(name: x509.Name, field: 'CN' | 'OU' | 'O'): string {
  const values = name.getField(field);
  if (values.length !== 1 || values[0] === '') {
    throw new NodeCertificateError('missing-identity', `node certificate subject needs exactly one non-empty ${field}, has ${values.length}`);
  }
  return values[0];
}
