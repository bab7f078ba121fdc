import 'reflect-metadata';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, webcrypto, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CERT_BACKDATE_MS,
  CFSSL_DEFAULT_BACKDATE_MS,
  digestOfPem,
  generateNodeKeyAndCsr,
  InvalidCsrError,
  NODE_CERT_EXPIRATION_MS,
  NodeCertificateError,
  NoValidSignerError,
  ROOT_CA_EXPIRATION_MS,
  RootCA,
  roundToMinute,
  type NodeCertificateProblem,
} from '../../src/swarm/ca.js';
import { InvalidArgumentError } from '../../src/util/errors.js';

// Fixtures: two roots and three node keys for the whole file (each P-256 keygen costs ~1 ms,
// but certificates are many).
const NOW = new Date();
/** The second root and one node certificate are made at a fixed instant, to assert exact dates. */
const FIXED = new Date('2030-01-01T00:00:30Z');
const CLUSTER = 'q6l1pd8ti3mhdbqk1sq0r7a8e';
const MANAGER_ID = 'dxn1zf6l61qsb1josjja83ngz';
const WORKER_ID = '9j68exjopxe7wfl6yuxml7a7j';
const OID = { keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37', basicConstraints: '2.5.29.19', ski: '2.5.29.14', aki: '2.5.29.35', san: '2.5.29.17' };

interface NodeFixture {
  keyPem: string;
  csrPem: string;
  certPem: string;
}

let root: RootCA;
let other: RootCA;
let manager: NodeFixture;
let worker: NodeFixture;
let foreign: NodeFixture;
/** The worker's key signed by `other` at FIXED. */
let fixedCertPem: string;

async function node(ca: RootCA, nodeId: string, role: 'swarm-manager' | 'swarm-worker', now = NOW): Promise<NodeFixture> {
  const { keyPem, csrPem } = await generateNodeKeyAndCsr();
  return { keyPem, csrPem, certPem: await ca.signNodeCsr(csrPem, { nodeId, role, clusterId: CLUSTER, now }) };
}

beforeAll(async () => {
  [root, other] = await Promise.all([RootCA.create({ now: NOW }), RootCA.create({ now: FIXED })]);
  [manager, worker, foreign] = await Promise.all([
    node(root, MANAGER_ID, 'swarm-manager'),
    node(root, WORKER_ID, 'swarm-worker'),
    node(other, WORKER_ID, 'swarm-worker'),
  ]);
  fixedCertPem = await other.signNodeCsr(worker.csrPem, { nodeId: WORKER_ID, role: 'swarm-worker', clusterId: CLUSTER, now: FIXED });
});

const parse = (pem: string) => new X509Certificate(pem);
const peculiar = (pem: string) => new x509.X509Certificate(pem);
const iso = (ms: number) => new Date(ms).toISOString();

/** An independent minute rounding for the expected dates: whole minutes, 30 s and up round up. */
function minuteOf(d: Date): number {
  const floor = d.getTime() - (d.getTime() % 60_000);
  return d.getTime() % 60_000 >= 30_000 ? floor + 60_000 : floor;
}

function expectProblem(fn: () => unknown, problem: NodeCertificateProblem): NodeCertificateError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `want ${problem}`).toBeInstanceOf(NodeCertificateError);
  expect((error as NodeCertificateError).problem).toBe(problem);
  expect((error as NodeCertificateError).code).toBe(`node-cert-${problem}`);
  return error as NodeCertificateError;
}

function flipLastByte(pem: string): Uint8Array {
  const der = new Uint8Array(parse(pem).raw);
  der[der.length - 1] ^= 0x01; // inside the ECDSA signature's s
  return der;
}

/** Signs an arbitrary leaf with `ca`'s key, for the identity checks no CA path would produce. */
async function craft(ca: RootCA, subject: x509.JsonNameParams, extensions: x509.Extension[]): Promise<string> {
  const pkcs8 = createPrivateKey(ca.keyPem!).export({ type: 'pkcs8', format: 'der' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const caCert = peculiar(ca.certPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: new x509.Name(subject),
    issuer: caCert.subjectName,
    notBefore: new Date(NOW.getTime() - 3_600_000),
    notAfter: new Date(NOW.getTime() + 3_600_000),
    publicKey: new x509.Pkcs10CertificateRequest(worker.csrPem).publicKey,
    signingKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.AuthorityKeyIdentifierExtension(caCert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId), ...extensions],
  });
  return cert.toString('pem');
}

const CLIENT_EKU = () => new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);

describe('RootCA.create (swarmkit CreateRootCA)', () => {
  it('is a self-signed ECDSA P-256 CA named swarm-ca', () => {
    const cert = parse(root.certPem);
    expect(cert.subject).toBe('CN=swarm-ca');
    expect(cert.issuer).toBe('CN=swarm-ca');
    expect(cert.ca).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(peculiar(root.certPem).signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
  });

  it('is valid 20 years from now rounded to the minute, backdated by cfssl\'s 5 minutes', () => {
    const c = peculiar(root.certPem);
    const start = minuteOf(NOW) - 5 * 60_000;
    expect(iso(c.notBefore.getTime())).toBe(iso(start));
    expect(iso(c.notAfter.getTime())).toBe(iso(start + 630_720_000_000));
    // Exact dates at a fixed instant (python3: 2030-01-01 00:01 - 5 min + 630720000 s).
    const o = parse(other.certPem);
    expect([o.validFrom, o.validTo]).toEqual(['Dec 31 23:56:00 2029 GMT', 'Dec 26 23:56:00 2049 GMT']);
    expect([CFSSL_DEFAULT_BACKDATE_MS, ROOT_CA_EXPIRATION_MS]).toEqual([300_000, 20 * 365 * 86_400_000]);
  });

  it('carries KeyUsage certSign+cRLSign and CA:TRUE (both critical, no path length), then the SKI', () => {
    const c = peculiar(root.certPem);
    expect(c.extensions.map((e) => [e.type, e.critical])).toEqual([
      [OID.keyUsage, true],
      [OID.basicConstraints, true],
      [OID.ski, false],
    ]);
    expect(c.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    const bc = c.getExtension(x509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.pathLength]).toEqual([true, undefined]);
    // RFC 5280 §4.2.1.2 method (1), as cfssl ComputeSKI: SHA-1 of the subjectPublicKey bits.
    const spki = parse(root.certPem).publicKey.export({ type: 'spki', format: 'der' });
    expect(c.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId).toBe(createHash('sha1').update(spki.subarray(spki.length - 65)).digest('hex'));
  });

  it('has a positive serial of at most 20 bytes, different per certificate', () => {
    const serials = [root.certPem, other.certPem, manager.certPem, worker.certPem].map((p) => parse(p).serialNumber);
    for (const s of serials) {
      expect(s).toMatch(/^[0-9A-F]+$/);
      expect(s.length).toBeLessThanOrEqual(40);
      expect(Number.parseInt(s.slice(0, 2), 16)).toBeLessThan(0x80);
    }
    expect(new Set(serials).size).toBe(serials.length);
  });

  it('writes PEM as Go does and digests its bytes', () => {
    expect(root.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
    expect(root.digest).toBe(createHash('sha256').update(Buffer.from(root.certPem)).digest('hex'));
    expect(digestOfPem(root.certPem)).toBe(root.digest);
    // FIPS 180-2 appendix B.1 ("abc").
    expect(digestOfPem('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(root.keyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(root.canSign).toBe(true);
  });

  it('gives the TLS info docker node inspect shows', () => {
    const info = root.tlsInfo();
    expect(info.TrustRoot).toBe(root.certPem);
    expect(info.CertIssuerSubject).toBe('MBMxETAPBgNVBAMTCHN3YXJtLWNh');
    const spki = parse(root.certPem).publicKey.export({ type: 'spki', format: 'der' });
    expect(info.CertIssuerPublicKey).toBe(spki.toString('base64'));
    expect(info.CertIssuerPublicKey).toMatch(/^MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/);
  });
});

describe('RootCA.fromPem', () => {
  it('holds the certificate alone (a worker) or with its key (a manager)', async () => {
    const certOnly = RootCA.fromPem(root.certPem);
    expect(certOnly.canSign).toBe(false);
    expect(certOnly.keyPem).toBeUndefined();
    expect(certOnly.digest).toBe(root.digest);
    expect(certOnly.tlsInfo()).toEqual(root.tlsInfo());
    expect(certOnly.verifyNodeCertificate(worker.certPem, NOW)).toEqual({ nodeId: WORKER_ID, role: 'swarm-worker', clusterId: CLUSTER });
    await expect(certOnly.signNodeCsr(worker.csrPem, { nodeId: WORKER_ID, role: 'swarm-worker', clusterId: CLUSTER, now: NOW })).rejects.toThrow(NoValidSignerError);

    for (const keyPem of [root.keyPem!, createPrivateKey(root.keyPem!).export({ type: 'pkcs8', format: 'pem' }).toString()]) {
      const withKey = RootCA.fromPem(root.certPem, keyPem);
      expect(withKey.canSign).toBe(true);
      const pem = await withKey.signNodeCsr(worker.csrPem, { nodeId: WORKER_ID, role: 'swarm-worker', clusterId: CLUSTER, now: NOW });
      expect(root.verifyNodeCertificate(pem, NOW).nodeId).toBe(WORKER_ID);
    }
  });

  it.each([
    ['a key that is not the certificate\'s', () => RootCA.fromPem(root.certPem, other.keyPem), 'certificate key mismatch'],
    ['a key that is not a key', () => RootCA.fromPem(root.certPem, 'nonsense'), 'malformed private key'],
    ['a node certificate', () => RootCA.fromPem(worker.certPem), 'not a valid self-signed certificate'],
    ['two certificates', () => RootCA.fromPem(root.certPem + other.certPem), 'exactly one certificate, found 2'],
    ['no certificate', () => RootCA.fromPem('hello'), 'exactly one certificate, found 0'],
  ])('refuses %s', (_, make, message) => {
    expect(make).toThrow(InvalidArgumentError);
    expect(make).toThrow(message);
  });

  it('refuses a root whose signature was tampered with', () => {
    const pem = new X509Certificate(flipLastByte(root.certPem)).toString();
    expect(() => RootCA.fromPem(pem)).toThrow('not a valid self-signed certificate');
  });
});

describe('generateNodeKeyAndCsr (swarmkit GenerateNewCSR)', () => {
  it('makes a PKCS#8 P-256 key and a self-signed CSR with an empty subject', () => {
    expect(worker.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(worker.keyPem);
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(worker.csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]*\n-----END CERTIFICATE REQUEST-----\n$/);
    const csr = new x509.Pkcs10CertificateRequest(worker.csrPem);
    expect(csr.subject).toBe('');
    expect(Buffer.from(csr.subjectName.toArrayBuffer()).toString('hex')).toBe('3000');
    expect(csr.extensions).toEqual([]);
    expect(csr.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    expect(Buffer.from(csr.publicKey.rawData)).toEqual(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  });
});

describe('RootCA.signNodeCsr (swarmkit ParseValidateAndSignCSR)', () => {
  it('writes the manager identity: subject O, OU, CN and DNS names role, node, swarm-ca', () => {
    const cert = parse(manager.certPem);
    expect(cert.subject).toBe(`O=${CLUSTER}\nOU=swarm-manager\nCN=${MANAGER_ID}`);
    expect(cert.issuer).toBe('CN=swarm-ca');
    expect(cert.subjectAltName).toBe(`DNS:swarm-manager, DNS:${MANAGER_ID}, DNS:swarm-ca`);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    const rootCert = parse(root.certPem);
    expect(cert.checkIssued(rootCert)).toBe(true);
    expect(cert.checkIssued(parse(other.certPem))).toBe(false);
    expect(cert.verify(rootCert.publicKey)).toBe(true);
    expect(cert.verify(parse(other.certPem).publicKey)).toBe(false);
  });

  it('writes the worker identity without the swarm-ca name', () => {
    const cert = parse(worker.certPem);
    expect(cert.subject).toBe(`O=${CLUSTER}\nOU=swarm-worker\nCN=${WORKER_ID}`);
    expect(cert.subjectAltName).toBe(`DNS:swarm-worker, DNS:${WORKER_ID}`);
  });

  it('certifies the CSR\'s key', () => {
    for (const n of [manager, worker]) {
      const fromKey = createPublicKey(createPrivateKey(n.keyPem)).export({ type: 'spki', format: 'der' });
      expect(parse(n.certPem).publicKey.export({ type: 'spki', format: 'der' })).toEqual(fromKey);
    }
  });

  it('carries Go\'s extensions in Go\'s order', () => {
    const c = peculiar(manager.certPem);
    expect(c.extensions.map((e) => [e.type, e.critical])).toEqual([
      [OID.keyUsage, true],
      [OID.extKeyUsage, false],
      [OID.basicConstraints, true],
      [OID.ski, false],
      [OID.aki, false],
      [OID.san, false],
    ]);
    expect(c.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    expect(c.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    expect(c.getExtension(x509.BasicConstraintsExtension)!.ca).toBe(false);
    const rootSki = peculiar(root.certPem).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    expect(c.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(rootSki);
    expect(c.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
  });

  it('is valid from an hour before now (to the minute) to 90 days after', () => {
    const c = peculiar(worker.certPem);
    expect(iso(c.notBefore.getTime())).toBe(iso(minuteOf(NOW) - 3_600_000));
    expect(iso(c.notAfter.getTime())).toBe(iso(minuteOf(NOW) + 90 * 86_400_000));
    // python3: 2030-01-01 00:01 (00:00:30 rounds up) - 1 h, + 90 days.
    const f = parse(fixedCertPem);
    expect([f.validFrom, f.validTo]).toEqual(['Dec 31 23:01:00 2029 GMT', 'Apr  1 00:01:00 2030 GMT']);
    expect([CERT_BACKDATE_MS, NODE_CERT_EXPIRATION_MS]).toEqual([3_600_000, 2160 * 3_600_000]);
  });

  it('rounds like Go\'s Time.Round(time.Minute)', () => {
    expect(iso(roundToMinute(new Date('2030-01-01T00:00:29.999Z')))).toBe('2030-01-01T00:00:00.000Z');
    expect(iso(roundToMinute(new Date('2030-01-01T00:00:30.000Z')))).toBe('2030-01-01T00:01:00.000Z');
    expect(iso(roundToMinute(new Date('2030-01-01T00:00:00.000Z')))).toBe('2030-01-01T00:00:00.000Z');
  });

  it('accepts the NEW CERTIFICATE REQUEST label too (cfssl)', async () => {
    const pem = worker.csrPem.replaceAll('CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST');
    const cert = await root.signNodeCsr(pem, { nodeId: WORKER_ID, role: 'swarm-worker', clusterId: CLUSTER, now: NOW });
    expect(root.verifyNodeCertificate(cert, NOW).role).toBe('swarm-worker');
  });

  it.each([
    ['a CSR whose signature was tampered with', () => {
      const der = new Uint8Array(new x509.Pkcs10CertificateRequest(worker.csrPem).rawData);
      der[der.length - 1] ^= 0x01;
      return new x509.Pkcs10CertificateRequest(der).toString('pem');
    }, 'does not verify'],
    ['a certificate instead of a CSR', () => worker.certPem, 'no PEM CERTIFICATE REQUEST block'],
    ['no PEM at all', () => 'not a csr', 'no PEM CERTIFICATE REQUEST block'],
    ['a CSR block holding garbage', () => '-----BEGIN CERTIFICATE REQUEST-----\nAAECAw==\n-----END CERTIFICATE REQUEST-----\n', 'malformed request'],
  ])('refuses %s', async (_, csr, message) => {
    const signing = root.signNodeCsr(csr(), { nodeId: WORKER_ID, role: 'swarm-worker', clusterId: CLUSTER, now: NOW });
    await expect(signing).rejects.toThrow(InvalidCsrError);
    await expect(signing).rejects.toThrow(message);
  });

  it.each([
    ['an unknown role', { role: 'swarm-ca' }],
    ['an empty node ID', { nodeId: '' }],
    ['an empty cluster ID', { clusterId: '' }],
    ['an invalid time', { now: new Date(Number.NaN) }],
  ])('refuses %s', async (_, change) => {
    const options = { nodeId: WORKER_ID, role: 'swarm-worker', clusterId: CLUSTER, now: NOW, ...change } as Parameters<RootCA['signNodeCsr']>[1];
    await expect(root.signNodeCsr(worker.csrPem, options)).rejects.toThrow(InvalidArgumentError);
  });
});

describe('RootCA.verifyNodeCertificate', () => {
  it('returns the identity from PEM, DER or a parsed certificate', () => {
    const want = { nodeId: MANAGER_ID, role: 'swarm-manager', clusterId: CLUSTER };
    expect(root.verifyNodeCertificate(manager.certPem, NOW)).toEqual(want);
    expect(root.verifyNodeCertificate(new Uint8Array(parse(manager.certPem).raw), NOW)).toEqual(want);
    expect(root.verifyNodeCertificate(parse(manager.certPem), NOW)).toEqual(want);
  });

  it('refuses a certificate from another root, even with the same names', () => {
    const e = expectProblem(() => root.verifyNodeCertificate(foreign.certPem, NOW), 'untrusted');
    expect(e.message).toBe('node certificate is not signed by this swarm root CA');
    expectProblem(() => other.verifyNodeCertificate(worker.certPem, NOW), 'untrusted');
  });

  it('refuses a certificate with one signature byte flipped', () => {
    expectProblem(() => root.verifyNodeCertificate(flipLastByte(worker.certPem), NOW), 'untrusted');
  });

  it('checks the validity window with the injected time, ends inclusive', () => {
    const verify = (at: string) => other.verifyNodeCertificate(fixedCertPem, new Date(at));
    expect(verify('2030-04-01T00:01:00.000Z').nodeId).toBe(WORKER_ID);
    expect(verify('2030-01-01T00:00:00.000Z').nodeId).toBe(WORKER_ID);
    expectProblem(() => verify('2030-04-01T00:01:00.001Z'), 'expired');
    expectProblem(() => verify('2029-12-31T23:00:59.999Z'), 'not-yet-valid');
    // The root's own window counts too: valid node certificate, root not yet valid.
    const e = expectProblem(() => verify('2029-12-31T23:30:00.000Z'), 'not-yet-valid');
    expect(e.message).toMatch(/^root CA certificate/);
  });

  it('refuses a node certificate once the root has expired', async () => {
    const rootEnd = peculiar(root.certPem).notAfter.getTime();
    const late = await root.signNodeCsr(worker.csrPem, { nodeId: WORKER_ID, role: 'swarm-worker', clusterId: CLUSTER, now: new Date(rootEnd - 86_400_000) });
    expect(root.verifyNodeCertificate(late, new Date(rootEnd)).nodeId).toBe(WORKER_ID);
    const e = expectProblem(() => root.verifyNodeCertificate(late, new Date(rootEnd + 86_400_000)), 'expired');
    expect(e.message).toMatch(/^root CA certificate expired/);
  });

  it.each([
    ['no OU', [{ O: [CLUSTER] }, { CN: [WORKER_ID] }], 'missing-identity'],
    ['no O', [{ OU: ['swarm-worker'] }, { CN: [WORKER_ID] }], 'missing-identity'],
    ['no CN', [{ O: [CLUSTER] }, { OU: ['swarm-worker'] }], 'missing-identity'],
    ['two CNs', [{ O: [CLUSTER] }, { OU: ['swarm-worker'] }, { CN: [WORKER_ID] }, { CN: [MANAGER_ID] }], 'missing-identity'],
    ['two OUs', [{ O: [CLUSTER] }, { OU: ['swarm-worker'] }, { OU: ['swarm-manager'] }, { CN: [WORKER_ID] }], 'missing-identity'],
    ['an empty CN', [{ O: [CLUSTER] }, { OU: ['swarm-worker'] }, { CN: [''] }], 'missing-identity'],
    ['the CA role', [{ O: [CLUSTER] }, { OU: ['swarm-ca'] }, { CN: [WORKER_ID] }], 'bad-role'],
    ['a role in the wrong case', [{ O: [CLUSTER] }, { OU: ['Swarm-Worker'] }, { CN: [WORKER_ID] }], 'bad-role'],
  ] as const)('refuses a CA-signed certificate with %s', async (_, subject, problem) => {
    const pem = await craft(root, subject as unknown as x509.JsonNameParams, [CLIENT_EKU()]);
    expectProblem(() => root.verifyNodeCertificate(pem, NOW), problem);
  });

  it('refuses a CA-signed leaf that is a CA or is not for client authentication', async () => {
    const subject: x509.JsonNameParams = [{ O: [CLUSTER] }, { OU: ['swarm-worker'] }, { CN: [WORKER_ID] }];
    const good = await craft(root, subject, [CLIENT_EKU()]);
    expect(root.verifyNodeCertificate(good, NOW).nodeId).toBe(WORKER_ID);
    const asCa = await craft(root, subject, [new x509.BasicConstraintsExtension(true, undefined, true), CLIENT_EKU()]);
    expectProblem(() => root.verifyNodeCertificate(asCa, NOW), 'bad-usage');
    const serverOnly = await craft(root, subject, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth])]);
    expectProblem(() => root.verifyNodeCertificate(serverOnly, NOW), 'bad-usage');
    const noEku = await craft(root, subject, []);
    expectProblem(() => root.verifyNodeCertificate(noEku, NOW), 'bad-usage');
  });

  it('refuses what is not one certificate', () => {
    expectProblem(() => root.verifyNodeCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), NOW), 'malformed');
    expectProblem(() => root.verifyNodeCertificate(new Uint8Array(0), NOW), 'malformed');
    expectProblem(() => root.verifyNodeCertificate('no pem here', NOW), 'malformed');
    expectProblem(() => root.verifyNodeCertificate(worker.certPem + manager.certPem, NOW), 'malformed');
  });
});

const opensslAvailable = spawnSync('openssl', ['version']).status === 0;

// Under CI (CI=true, .ci/run installs openssl) a missing openssl fails these instead of skipping.
describe.skipIf(!opensslAvailable && process.env['CI'] !== 'true')('openssl 3 agrees', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const openssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const epoch = (d: Date) => String(Math.floor(d.getTime() / 1000));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'swarmnet-ca-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies node certificates against their root, and only their root', () => {
    const ca = file('ca.pem', root.certPem);
    const otherCa = file('other.pem', other.certPem);
    for (const [name, pem] of [['manager.pem', manager.certPem], ['worker.pem', worker.certPem]]) {
      const path = file(name, pem);
      expect(openssl('verify', '-CAfile', ca, path)).toEqual({ status: 0, out: `${path}: OK\n` });
      expect(openssl('verify', '-purpose', 'sslclient', '-CAfile', ca, path).status).toBe(0);
      expect(openssl('verify', '-purpose', 'sslserver', '-CAfile', ca, path).status).toBe(0);
      expect(openssl('verify', '-CAfile', otherCa, path).status).not.toBe(0);
    }
    const tampered = file('tampered.pem', new X509Certificate(flipLastByte(worker.certPem)).toString());
    const r = openssl('verify', '-CAfile', ca, tampered);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/signature failure/);
  });

  it('checks the fixed-date certificate\'s window at the same instants', () => {
    const ca = file('other-ca.pem', other.certPem);
    const cert = file('fixed.pem', fixedCertPem);
    expect(openssl('verify', '-attime', epoch(FIXED), '-CAfile', ca, cert).status).toBe(0);
    const late = openssl('verify', '-attime', epoch(new Date('2030-04-01T00:01:01Z')), '-CAfile', ca, cert);
    expect(late.out).toMatch(/certificate has expired/);
  });

  it('reads the subject, names and usages swarmkit writes', () => {
    const out = execFileSync('openssl', ['x509', '-noout', '-subject', '-ext', 'subjectAltName,extendedKeyUsage,keyUsage,basicConstraints', '-in', file('m.pem', manager.certPem)], { encoding: 'utf8' });
    expect(out).toContain(`subject=O = ${CLUSTER}, OU = swarm-manager, CN = ${MANAGER_ID}\n`);
    expect(out).toMatch(/X509v3 Subject Alternative Name: \n\s+DNS:swarm-manager, DNS:dxn1zf6l61qsb1josjja83ngz, DNS:swarm-ca\n/);
    expect(out).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication, TLS Web Client Authentication\n/);
    expect(out).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    expect(out).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
  });

  it('reads the root as a CA with the right key, usages and signature', () => {
    const out = execFileSync('openssl', ['x509', '-noout', '-text', '-in', file('root.pem', root.certPem)], { encoding: 'utf8' });
    expect(out).toContain('Subject: CN = swarm-ca');
    expect(out).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(out).toContain('NIST CURVE: P-256');
    expect(out).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
    expect(out).toMatch(/X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    expect(out).not.toContain('pathlen');
    expect(out).not.toContain('Authority Key Identifier');
  });

  it('verifies the CSR\'s self-signature and sees an empty subject', () => {
    const r = openssl('req', '-noout', '-verify', '-subject', '-in', file('w.csr', worker.csrPem));
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/verify OK/);
    expect(r.out).toMatch(/subject=\s*\n/);
  });
});

describe('mutual TLS with these certificates', () => {
  let server: tls.Server;
  let port: number;
  const seen: tls.TLSSocket[] = [];

  beforeAll(async () => {
    server = tls.createServer({ cert: manager.certPem, key: manager.keyPem, ca: root.certPem, requestCert: true, rejectUnauthorized: false });
    server.on('secureConnection', (socket) => {
      seen.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of seen) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** One handshake; resolves with what each side saw, once the server has the connection. */
  async function handshake(options: tls.ConnectionOptions): Promise<{ client: { authorized: boolean; error?: string }; server: tls.TLSSocket }> {
    const before = seen.length;
    const accepted = new Promise<tls.TLSSocket>((resolve) => {
      const check = () => (seen.length > before ? resolve(seen[before]) : setTimeout(check, 5));
      check();
    });
    const socket = tls.connect({ host: '127.0.0.1', port, ca: root.certPem, ...options });
    try {
      const client = await new Promise<{ authorized: boolean; error?: string }>((resolve, reject) => {
        socket.once('secureConnect', () => resolve({ authorized: socket.authorized, error: socket.authorizationError?.message }));
        socket.once('error', reject);
      });
      return { client, server: await accepted };
    } finally {
      socket.destroy();
    }
  }

  it('authenticates a worker to the manager both ways (server name swarm-ca)', async () => {
    const { client, server: s } = await handshake({ servername: 'swarm-ca', cert: worker.certPem, key: worker.keyPem });
    expect(client).toEqual({ authorized: true, error: undefined });
    expect(s.authorized).toBe(true);
    expect(root.verifyNodeCertificate(s.getPeerX509Certificate()!, NOW)).toEqual({ nodeId: WORKER_ID, role: 'swarm-worker', clusterId: CLUSTER });
  });

  it('also answers to swarm-manager, the name swarmkit clients use for managers', async () => {
    const { client } = await handshake({ servername: 'swarm-manager', cert: worker.certPem, key: worker.keyPem });
    expect(client.authorized).toBe(true);
  });

  it('does not authorize a client whose certificate comes from another root', async () => {
    const { client, server: s } = await handshake({ servername: 'swarm-ca', cert: foreign.certPem, key: foreign.keyPem });
    expect(client.authorized).toBe(true);
    expect(s.authorized).toBe(false);
    const peer = s.getPeerX509Certificate();
    expect(peer?.subject).toBe(`O=${CLUSTER}\nOU=swarm-worker\nCN=${WORKER_ID}`);
    expectProblem(() => root.verifyNodeCertificate(peer!, NOW), 'untrusted');
  });

  it('sees no certificate from a client that has none (a node that is joining)', async () => {
    const { client, server: s } = await handshake({ servername: 'swarm-ca' });
    expect(client.authorized).toBe(true);
    expect(s.authorized).toBe(false);
    expect(s.getPeerX509Certificate()).toBeUndefined();
  });
});
