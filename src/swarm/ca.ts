/**
 * The swarm's root certificate authority, as swarmkit builds it (`ca/certificates.go`
 * `CreateRootCA`, `NewRootCA`, `ParseValidateAndSignCSR`; `ca/config.go` `SigningPolicy`; the
 * certificates themselves come out of cfssl's `initca` and `signer/local`, then Go's
 * `x509.CreateCertificate`).
 *
 * Root (`RootCA.create`): ECDSA P-256, self-signed, subject `CN=swarm-ca`, 20-year validity
 * (`RootCAExpiration`). It is backdated by cfssl's *default* 5 minutes, not by swarmkit's
 * `CertBackdate`: `CreateRootCA` passes no backdate to `initca`, and cfssl's `FillTemplate` then
 * uses 5 minutes. Extensions, in Go's order: KeyUsage keyCertSign+cRLSign (critical),
 * BasicConstraints CA:TRUE without a path length (critical), SubjectKeyIdentifier.
 *
 * Node certificates (`signNodeCsr`): only the CSR's public key is used (`SigningPolicy`'s CSR
 * whitelist); subject `O=<cluster>, OU=<role>, CN=<node>` (in that DER order: Go's
 * `pkix.Name` writes O before OU before CN), DNS names `[role, node]` plus `swarm-ca` for
 * managers (`PrepareCSR`), valid from `now - CertBackdate` for `DefaultNodeCertExpiration`
 * after `now` (swarmkit adds the backdate to the expiry so the end stays at now + 90 days).
 * Extensions, in Go's order: KeyUsage digitalSignature+keyEncipherment (critical), ExtKeyUsage
 * serverAuth, clientAuth, BasicConstraints CA:FALSE (critical), SubjectKeyIdentifier,
 * AuthorityKeyIdentifier, SubjectAltName.
 *
 * Both: `now` rounded to the minute before backdating (cfssl `time.Now().Round(time.Minute)`),
 * a random 20-byte serial with its top bit cleared (cfssl `local.Signer.Sign`),
 * `ecdsa-with-SHA256`, SubjectKeyIdentifier = SHA-1 of the public key bits (cfssl `ComputeSKI`).
 *
 * The digest that join tokens carry is SHA-256 over the root's PEM bytes (`NewRootCA`:
 * `digest.FromBytes(rootCertBytes)`, and `rootCertBytes` is cfssl's PEM), so the PEM layout is
 * Go's, byte for byte. Key material and serials come from node:crypto, never the seeded RNG.
 */
import 'reflect-metadata'; // before @peculiar/x509 (its DI container needs the polyfill)
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import {
  CA_ROLE,
  certificateDer,
  digestOfPem,
  EC_P256,
  ECDSA_SHA256,
  isNodeRole,
  MANAGER_ROLE,
  NodeCertificateError,
  pemBlocks,
  pemEncode,
  PEM_CERTIFICATE,
  PEM_CERTIFICATE_REQUEST,
  readNodeIdentity,
  type NodeIdentity,
  type NodeRole,
} from './node-certificate.js';

// The node side and the identity types are part of this module's surface (node-certificate.ts
// only exists to keep files short).
export {
  CA_ROLE,
  digestOfPem,
  generateNodeKeyAndCsr,
  MANAGER_ROLE,
  NODE_ROLES,
  NodeCertificateError,
  WORKER_ROLE,
  type NodeCertificateProblem,
  type NodeIdentity,
  type NodeRole,
} from './node-certificate.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** swarmkit `RootCAExpiration` = "630720000s" (20 × 365 days). */
export const ROOT_CA_EXPIRATION_MS = 630_720_000 * 1000;
/** swarmkit `DefaultNodeCertExpiration` = 2160 h (90 days). */
export const NODE_CERT_EXPIRATION_MS = 2160 * HOUR_MS;
/** swarmkit `CertBackdate`: node certificates start this long before they are signed. */
export const CERT_BACKDATE_MS = HOUR_MS;
/** cfssl `FillTemplate`'s backdate when the profile sets none: what the root CA gets. */
export const CFSSL_DEFAULT_BACKDATE_MS = 5 * MINUTE_MS;
/** cfssl: "Conforming CAs MUST NOT use serialNumber values longer than 20 octets" (RFC 5280). */
export const SERIAL_BYTES = 20;

/** cfssl accepts a CSR in a PEM block of either type. */
const CSR_PEM_LABELS = [PEM_CERTIFICATE_REQUEST, 'NEW CERTIFICATE REQUEST'];
/** swarmkit `validateSignatureAlgorithm`: what a root may be signed with. */
const ROOT_SIGNATURE_ALGORITHMS = ['ECDSA', 'RSASSA-PKCS1-v1_5'];
const ROOT_SIGNATURE_HASHES = ['SHA-256', 'SHA-384', 'SHA-512'];

/** A node's `Description.TLSInfo` as the Engine API shows it (`[]byte` fields are base64). */
export interface NodeTlsInfo {
  /** The root CA certificate(s), PEM. */
  readonly TrustRoot: string;
  /** DER of the issuer's subject, base64: `MBMxETAPBgNVBAMTCHN3YXJtLWNh` for `CN=swarm-ca`. */
  readonly CertIssuerSubject: string;
  /** DER of the issuer's SubjectPublicKeyInfo, base64. */
  readonly CertIssuerPublicKey: string;
}

export interface SignNodeCsrOptions {
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly clusterId: string;
  readonly now: Date;
}

/** The CSR handed to `signNodeCsr` is not a well-formed, self-signed certificate request. */
export class InvalidCsrError extends SwarmnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-csr', `invalid certificate signing request: ${message}`, options);
    this.name = 'InvalidCsrError';
  }
}

/** This RootCA holds no private key (swarmkit `ErrNoValidSigner`). */
export class NoValidSignerError extends SwarmnetError {
  constructor() {
    super('no-valid-signer', 'no valid signer found');
    this.name = 'NoValidSignerError';
  }
}

export class RootCA {
  /** The root certificate, PEM in Go's layout (ends with `\n`). */
  readonly certPem: string;
  /** SHA-256 of `certPem`'s bytes, 64 lower-case hex: what join tokens carry. */
  readonly digest: string;
  readonly #cert: X509Certificate;
  readonly #parsed: x509.X509Certificate;
  readonly #key: KeyObject | null;
  #signingKey: Promise<webcrypto.CryptoKey> | null = null;

  private constructor(certPem: string, der: Uint8Array, key: KeyObject | null) {
    this.certPem = certPem;
    this.digest = digestOfPem(certPem);
    this.#cert = new X509Certificate(der);
    this.#parsed = new x509.X509Certificate(der);
    this.#key = key;
  }

  /** A new root CA, as `docker swarm init` makes one (swarmkit `CreateRootCA(DefaultRootCN)`). */
  static async create(options: { now: Date }): Promise<RootCA> {
    const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
    const notBefore = new Date(roundToMinute(options.now) - CFSSL_DEFAULT_BACKDATE_MS);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerialHex(),
      name: new x509.Name([{ CN: [CA_ROLE] }]),
      notBefore,
      notAfter: new Date(notBefore.getTime() + ROOT_CA_EXPIRATION_MS),
      keys,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        new x509.BasicConstraintsExtension(true, undefined, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const der = new Uint8Array(cert.rawData);
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    return new RootCA(pemEncode(der, PEM_CERTIFICATE), der, createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
  }

  /**
   * A root CA from its certificate PEM (exactly one certificate) and, on managers, its key
   * (PKCS#8 or SEC1 PEM, ECDSA P-256). Checks what swarmkit's `NewRootCA` checks except the
   * validity period (there is no `now` here; `verifyNodeCertificate` checks it): an accepted
   * signature algorithm, a valid self-signature, and a key that matches the certificate. It also
   * insists on CA:TRUE, which every swarmkit root has.
   */
  static fromPem(certPem: string, keyPem?: string): RootCA {
    const blocks = pemBlocks(certPem, [PEM_CERTIFICATE]);
    if (blocks.length !== 1) throw new InvalidArgumentError(`root CA PEM must hold exactly one certificate, found ${blocks.length}`);
    let cert: X509Certificate;
    let parsed: x509.X509Certificate;
    try {
      cert = new X509Certificate(blocks[0]);
      parsed = new x509.X509Certificate(blocks[0]);
    } catch (cause) {
      throw new InvalidArgumentError('invalid root certificates', { cause });
    }
    const alg = parsed.signatureAlgorithm as { name?: string; hash?: { name?: string } };
    if (!ROOT_SIGNATURE_ALGORITHMS.includes(alg.name ?? '') || !ROOT_SIGNATURE_HASHES.includes(alg.hash?.name ?? '')) {
      throw new InvalidArgumentError(`unsupported signature algorithm: ${alg.name}/${alg.hash?.name}`);
    }
    if (!cert.checkIssued(cert) || !cert.verify(cert.publicKey)) {
      throw new InvalidArgumentError('error while validating Root CA Certificate: not a valid self-signed certificate');
    }
    if (!parsed.getExtension(x509.BasicConstraintsExtension)?.ca) throw new InvalidArgumentError('root certificate is not a CA');
    let key: KeyObject | null = null;
    if (keyPem !== undefined) {
      try {
        key = createPrivateKey(keyPem);
      } catch (cause) {
        throw new InvalidArgumentError('malformed private key', { cause });
      }
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new InvalidArgumentError('root CA key must be ECDSA P-256');
      }
      const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
      if (!fromKey.equals(cert.publicKey.export({ type: 'spki', format: 'der' }))) throw new InvalidArgumentError('certificate key mismatch');
    }
    return new RootCA(certPem, blocks[0], key);
  }

  /** Whether this node holds the CA key (managers do; workers only hold the certificate). */
  get canSign(): boolean {
    return this.#key !== null;
  }

  /** The CA key as cfssl writes it (SEC1 `EC PRIVATE KEY` PEM), if held. */
  get keyPem(): string | undefined {
    return this.#key?.export({ type: 'sec1', format: 'pem' }).toString();
  }

  /** What `docker node inspect` shows as TLS Info for nodes whose certificate this root issued. */
  tlsInfo(): NodeTlsInfo {
    return {
      TrustRoot: this.certPem,
      CertIssuerSubject: Buffer.from(this.#parsed.subjectName.toArrayBuffer()).toString('base64'),
      CertIssuerPublicKey: Buffer.from(this.#parsed.publicKey.rawData).toString('base64'),
    };
  }

  /**
   * A node certificate for the key in `csrPem` (swarmkit `ParseValidateAndSignCSR`; the layout is
   * in the module doc). Throws `NoValidSignerError` without the key, `InvalidCsrError` for a CSR
   * that does not parse or whose self-signature does not verify, `InvalidArgumentError` for bad
   * options.
   */
  async signNodeCsr(csrPem: string, options: SignNodeCsrOptions): Promise<string> {
    if (this.#key === null) throw new NoValidSignerError();
    const { nodeId, role, clusterId, now } = options;
    if (!nodeId || !clusterId) throw new InvalidArgumentError('node ID and cluster ID must not be empty');
    if (!isNodeRole(role)) throw new InvalidArgumentError(`unknown node role ${JSON.stringify(role)}`);
    if (Number.isNaN(now.getTime())) throw new InvalidArgumentError('invalid signing time');
    const csr = await verifiedCsr(csrPem);
    const notBefore = new Date(roundToMinute(now) - CERT_BACKDATE_MS);
    const hosts = role === MANAGER_ROLE ? [role, nodeId, CA_ROLE] : [role, nodeId];
    const rootKeyId = this.#parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerialHex(),
      subject: new x509.Name([{ O: [clusterId] }, { OU: [role] }, { CN: [nodeId] }]),
      issuer: this.#parsed.subjectName,
      notBefore,
      notAfter: new Date(notBefore.getTime() + NODE_CERT_EXPIRATION_MS + CERT_BACKDATE_MS),
      publicKey: csr.publicKey,
      signingKey: await this.#importSigningKey(),
      signingAlgorithm: ECDSA_SHA256,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
        // Go copies the parent's SubjectKeyId; a root without one gets no AKI in its leaves.
        ...(rootKeyId ? [new x509.AuthorityKeyIdentifierExtension(rootKeyId)] : []),
        new x509.SubjectAlternativeNameExtension(hosts.map((value) => ({ type: 'dns' as const, value }))),
      ],
    });
    return pemEncode(new Uint8Array(cert.rawData), PEM_CERTIFICATE);
  }

  /**
   * The identity in a node certificate (PEM, DER, or a TLS peer's `X509Certificate`) if this
   * root signed it and it is valid at `now`; otherwise `NodeCertificateError`: `untrusted` (other
   * issuer, bad signature), `expired` / `not-yet-valid` (the certificate's or this root's window,
   * both ends inclusive as in Go), `malformed`, and `readNodeIdentity`'s `missing-identity`,
   * `bad-role`, `bad-usage`. The manager authorizes RPCs with this.
   */
  verifyNodeCertificate(cert: string | Uint8Array | X509Certificate, now: Date): NodeIdentity {
    let leaf: X509Certificate;
    let parsed: x509.X509Certificate;
    try {
      const der = certificateDer(cert);
      leaf = cert instanceof X509Certificate ? cert : new X509Certificate(der);
      parsed = new x509.X509Certificate(der);
    } catch (cause) {
      if (cause instanceof NodeCertificateError) throw cause;
      throw new NodeCertificateError('malformed', 'node certificate does not parse', { cause });
    }
    // Trust first: nothing else a stranger's certificate claims is worth reporting.
    if (!leaf.checkIssued(this.#cert) || !leaf.verify(this.#cert.publicKey)) {
      throw new NodeCertificateError('untrusted', 'node certificate is not signed by this swarm root CA');
    }
    for (const [what, c] of [['node certificate', parsed], ['root CA certificate', this.#parsed]] as const) {
      if (now.getTime() < c.notBefore.getTime()) {
        throw new NodeCertificateError('not-yet-valid', `${what} is not valid before ${c.notBefore.toISOString()}`);
      }
      if (now.getTime() > c.notAfter.getTime()) {
        throw new NodeCertificateError('expired', `${what} expired at ${c.notAfter.toISOString()}`);
      }
    }
    return readNodeIdentity(parsed);
  }

  #importSigningKey(): Promise<webcrypto.CryptoKey> {
    const key = this.#key;
    if (key === null) throw new NoValidSignerError();
    this.#signingKey ??= webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), EC_P256, false, ['sign']);
    return this.#signingKey;
  }
}

/** Parses `csrPem` (first CSR block, as cfssl) and checks the CSR's self-signature. */
async function verifiedCsr(csrPem: string): Promise<x509.Pkcs10CertificateRequest> {
  const [der] = pemBlocks(csrPem, CSR_PEM_LABELS);
  if (!der) throw new InvalidCsrError('no PEM CERTIFICATE REQUEST block');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch (cause) {
    throw new InvalidCsrError('malformed request', { cause });
  }
  let valid: boolean;
  try {
    valid = await csr.verify();
  } catch (cause) {
    throw new InvalidCsrError('unsupported key or signature algorithm', { cause });
  }
  if (!valid) throw new InvalidCsrError('its signature does not verify with its public key');
  return csr;
}

/** Go's `Time.Round(time.Minute)` (halfway rounds up), in epoch milliseconds. */
export function roundToMinute(at: Date): number {
  return Math.floor((at.getTime() + MINUTE_MS / 2) / MINUTE_MS) * MINUTE_MS;
}

/**
 * cfssl's serial: 20 random bytes with the top bit cleared, so the integer is positive. The
 * library writes it as the minimal DER INTEGER, as Go's `big.Int` does (leading zeros dropped).
 */
function randomSerialHex(): string {
  const bytes = randomBytes(SERIAL_BYTES);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}
