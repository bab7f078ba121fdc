/**
 * The swarm manager's VXLAN network identifiers, as the overlay driver's network allocator hands
 * them out (moby `daemon/libnetwork/drivers/overlay/ovmanager/ovmanager.go` over
 * `bitmap/sequence.go`, `overlayutils/utils.go`; run by the leader's allocator, swarmkit
 * `manager/allocator/network.go`). Pure. Reference: docker-overlay-facts.md §1.2.
 *
 * - One VNI per IPv4 subnet of an overlay network, allocated **serially** from 4096 (Windows
 *   cannot use the 802.1Q VLAN IDs 0–4095) up to 2^24 − 1: `ingress` gets 4096 at `swarm init`,
 *   the first user overlay 4097, … A freed VNI comes back only when the scan wraps past 16777215.
 * - `--opt com.docker.network.driver.overlay.vxlanid_list=N[,M…]` names the VNIs of the first
 *   subnets. The driver checks only that each is a decimal `uint32` and is free in its 2^24-bit
 *   map: 0..4095 are accepted (0 included), 16777216 and above fail with the map's own
 *   `bit does not belong to the sequence`. A requested VNI does not move the serial scan.
 * - The VNIs go back to the network as that same option, comma-separated, next to the other
 *   driver options.
 */
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import { NO_BIT_AVAILABLE, SerialBitmap } from './serial-bitmap.js';

/** ovmanager `vxlanIDStart`: the lowest VNI handed out unasked. */
export const VXLAN_ID_START = 4096;
/** ovmanager `vxlanIDEnd`: the largest VNI (RFC 7348 §5: 24 bits). */
export const VXLAN_ID_END = 2 ** 24 - 1;
/** Go `strconv.ParseUint(s, 10, 32)`: the largest value the option's parser accepts. */
export const VXLAN_ID_PARSE_MAX = 2 ** 32 - 1;
/** moby netlabel `OverlayVxlanIDList`. */
export const OVERLAY_VXLAN_ID_LIST = 'com.docker.network.driver.overlay.vxlanid_list';
/** What Go prints for the pool of a VNI when there is none (a nil `*net.IPNet`). */
const NO_POOL = '<nil>';

export type VniErrorCode = 'invalid-vxlan-id' | 'vxlan-id-unavailable' | 'vxlan-ids-exhausted' | 'no-ipv4-data';

export class VniError extends SwarmnetError {
  constructor(
    override readonly code: VniErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'VniError';
  }
}

/**
 * overlayutils `AppendVNIList`: a comma-separated list of decimal `uint32`s; the first field
 * that is not one fails the list with `invalid vxlan id value "x" passed`.
 */
export function parseVxlanIdList(csv: string): number[] {
  return csv.split(',').map((field) => {
    if (!/^[0-9]+$/.test(field) || Number(field) > VXLAN_ID_PARSE_MAX) {
      // Go `%q`; JSON quotes printable ASCII the same way.
      throw new VniError('invalid-vxlan-id', `invalid vxlan id value ${JSON.stringify(field)} passed`);
    }
    return Number(field);
  });
}

export function formatVxlanIdList(vnis: readonly number[]): string {
  return vnis.join(',');
}

/** The leader's VNI map (ovmanager `driver.vxlanIdm`): all 2^24 IDs, 0..4095 only on request. */
export class VniAllocator {
  readonly #bitmap = new SerialBitmap(VXLAN_ID_END + 1);

  /** VNIs in use. */
  get inUse(): number {
    return this.#bitmap.ones;
  }

  has(vni: number): boolean {
    return this.#bitmap.isSet(vni);
  }

  /** The next free VNI after the last one handed out, wrapping within 4096..16777215. */
  allocate(pool: string = NO_POOL): number {
    const vni = this.#bitmap.setAnyInRange(VXLAN_ID_START, VXLAN_ID_END, true);
    if (vni === undefined) throw new VniError('vxlan-ids-exhausted', `could not obtain vxlan id for pool ${pool}: ${NO_BIT_AVAILABLE}`);
    return vni;
  }

  /** A VNI the user named for `pool`'s subnet: it must be free and below 2^24. Returns it. */
  reserve(vni: number, pool: string = NO_POOL): number {
    if (!Number.isInteger(vni) || vni < 0 || vni > VXLAN_ID_PARSE_MAX) {
      throw new InvalidArgumentError(`VXLAN ID out of range 0..${VXLAN_ID_PARSE_MAX}: ${vni}`);
    }
    const failure = this.#bitmap.set(vni);
    if (failure !== undefined) throw new VniError('vxlan-id-unavailable', `could not assign vxlan id ${vni} to pool ${pool}: ${failure}`);
    return vni;
  }

  /** Frees a VNI (a free or out-of-range one is ignored, as ovmanager ignores `Unset`'s error). */
  release(vni: number): void {
    this.#bitmap.unset(vni);
  }

  /**
   * ovmanager `NetworkAllocate`: a VNI for each of `pools` (the network's IPv4 subnets, in
   * order), the first ones from the `vxlanid_list` option when it is given, and the driver
   * options to keep with the network. All or nothing: a failure frees what this call took.
   */
  allocateNetwork(pools: readonly string[], options: Readonly<Record<string, string>> = {}): { vnis: number[]; options: Record<string, string> } {
    if (pools.length === 0) throw new VniError('no-ipv4-data', 'empty ipv4 data passed during overlay network creation');
    const driverOptions: Record<string, string> = {};
    let requested: number[] = [];
    for (const [key, value] of Object.entries(options)) {
      if (key === OVERLAY_VXLAN_ID_LIST) requested = parseVxlanIdList(value);
      else driverOptions[key] = value;
    }
    const vnis: number[] = [];
    try {
      for (const [i, pool] of pools.entries()) vnis.push(i < requested.length ? this.reserve(requested[i]!, pool) : this.allocate(pool));
    } catch (e) {
      this.releaseNetwork(vnis);
      throw e;
    }
    driverOptions[OVERLAY_VXLAN_ID_LIST] = formatVxlanIdList(vnis);
    return { vnis, options: driverOptions };
  }

  /** ovmanager `NetworkFree`: the network's VNIs, all at once. */
  releaseNetwork(vnis: readonly number[]): void {
    for (const vni of vnis) this.release(vni);
  }
}
