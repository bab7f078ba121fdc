/**
 * Underlay addressing for a cluster's hosts (DESIGN.md "Underlay addressing, two modes").
 *
 * - **address mode** (default on Linux, where all of 127.0.0.0/8 is on `lo`): host N (1-based)
 *   gets `127.A.B.N` and the real data-path port (4789 unless `dataPathPort` says otherwise), so
 *   tshark decodes the underlay as VXLAN with no options. A.B is chosen per cluster so parallel
 *   clusters (parallel test files) never collide: the cluster claims the block by binding a UDP
 *   socket on `127.A.B.254` at the data-path port and holds it for its life; a block another
 *   cluster holds fails with EADDRINUSE and another A.B is tried (bounded).
 * - **port mode** (portable, e.g. macOS where only 127.0.0.1 exists): every host binds
 *   `127.0.0.1` port 0 and reports the port it got in its `ready` event.
 */
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';

export type UnderlayMode = 'address' | 'port';

/** IANA-assigned VXLAN port (RFC 7348 §5), moby `defaultVXLANUDPPort`. */
export const DEFAULT_DATA_PATH_PORT = 4789;
/** `docker swarm init --data-path-port` accepts 1024–49151 (moby `ConfigVXLANUDPPort`). */
export const MIN_DATA_PATH_PORT = 1024;
export const MAX_DATA_PATH_PORT = 49151;
/** The host octet of the claim socket; hosts use 1..MAX_HOSTS_PER_BLOCK. */
export const CLAIM_HOST_OCTET = 254;
export const MAX_HOSTS_PER_BLOCK = 253;
/** How many A.B blocks to try before giving up. */
export const MAX_CLAIM_ATTEMPTS = 32;
export const PORT_MODE_ADDRESS = '127.0.0.1';

export function defaultUnderlayMode(platform: NodeJS.Platform = process.platform): UnderlayMode {
  return platform === 'linux' ? 'address' : 'port';
}

/** Validates `dataPathPort` like Docker's `--data-path-port` (undefined or 0 → 4789). */
export function validateDataPathPort(port: number | undefined): number {
  if (port === undefined || port === 0) return DEFAULT_DATA_PATH_PORT;
  if (!Number.isInteger(port) || port < MIN_DATA_PATH_PORT || port > MAX_DATA_PATH_PORT) {
    throw new InvalidArgumentError(
      `data path port must be an integer in ${MIN_DATA_PATH_PORT}-${MAX_DATA_PATH_PORT} (like docker swarm init --data-path-port): ${port}`,
    );
  }
  return port;
}

/** A held loopback block `127.A.B.0/24`; `release` is idempotent. */
export interface AddressBlock {
  readonly a: number;
  readonly b: number;
  readonly port: number;
  /** `127.A.B.N` for host number `n` (1-based). */
  hostAddress(n: number): string;
  release(): Promise<void>;
}

/** Where each host binds: the address and port its task is given. */
export interface UnderlayPlan {
  readonly mode: UnderlayMode;
  /** The bind address and port for host number `n` (1-based). */
  endpointFor(n: number): { readonly address: string; readonly port: number };
  release(): Promise<void>;
}

function bindClaim(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    const onError = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      // Errors on an idle claim socket are not interesting, but must not crash the process.
      socket.on('error', () => {});
      // Kept referenced, like the hosts' control ports: a running cluster keeps the process up
      // until `stop()`, and a leaked claim shows in process.getActiveResourcesInfo().
      resolve(socket);
    });
  });
}

/**
 * Claims a free `127.A.B.0/24` block for `port` by binding `127.A.B.254:port`. A.B is drawn at
 * random (not from the cluster seed: two runs with the same seed in parallel must still differ).
 */
export async function claimAddressBlock(port: number, pick: () => [number, number] = randomBlock): Promise<AddressBlock> {
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
    const [a, b] = pick();
    try {
      const socket = await bindClaim(`127.${a}.${b}.${CLAIM_HOST_OCTET}`, port);
      let released: Promise<void> | undefined;
      return {
        a,
        b,
        port,
        hostAddress: (n) => {
          if (!Number.isInteger(n) || n < 1 || n > MAX_HOSTS_PER_BLOCK) throw new RangeError(`host number out of range 1..${MAX_HOSTS_PER_BLOCK}: ${n}`);
          return `127.${a}.${b}.${n}`;
        },
        release: () => (released ??= new Promise<void>((resolve) => socket.close(() => resolve()))),
      };
    } catch (error) {
      lastError = error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE') {
        throw new SwarmnetError(
          'underlay-unavailable',
          `cannot bind loopback address 127.${a}.${b}.${CLAIM_HOST_OCTET}:${port} (${code ?? String(error)}); use mode 'port' on systems where only 127.0.0.1 is on loopback`,
          { cause: error },
        );
      }
    }
  }
  throw new SwarmnetError(
    'underlay-unavailable',
    `could not claim a free 127.A.B.0/24 block for data path port ${port} after ${MAX_CLAIM_ATTEMPTS} tries (EADDRINUSE); is something bound to 0.0.0.0:${port}? Use another dataPathPort or mode 'port'`,
    { cause: lastError },
  );
}

/** A in 1..254 (127.0.x.x holds 127.0.0.1 and friends), B in 0..255. */
function randomBlock(): [number, number] {
  return [randomInt(1, 255), randomInt(0, 256)];
}

export async function planUnderlay(mode: UnderlayMode, dataPathPort: number): Promise<UnderlayPlan> {
  if (mode === 'port') {
    return { mode, endpointFor: () => ({ address: PORT_MODE_ADDRESS, port: 0 }), release: async () => {} };
  }
  const block = await claimAddressBlock(dataPathPort);
  return { mode, endpointFor: (n) => ({ address: block.hostAddress(n), port: block.port }), release: () => block.release() };
}
