/**
 * VXLAN network identifiers for swarm overlays (moby's overlay driver manager, `ovmanager`, over
 * an ID bitmap; reference docker-overlay-facts.md §1.2): serial from 4096 — `ingress` gets 4096,
 * the first user overlay 4097 — with the bitmap's rolling pointer, so a released ID is not handed
 * out again until the pointer wraps. A user's `vxlanid_list` reserves its ID.
 */
export const FIRST_VNI = 4096;
/** VNIs are 24 bits (RFC 7348 §5). */
export const MAX_VNI = 0xff_ffff;

export class VniError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VniError';
  }
}

export class VniAllocator {
  readonly #taken = new Set<number>();
  #next = FIRST_VNI;

  allocate(): number {
    const size = MAX_VNI - FIRST_VNI + 1;
    for (let i = 0; i < size && i < this.#taken.size + 1; i++) {
      const candidate = FIRST_VNI + ((this.#next - FIRST_VNI + i) % size);
      if (this.#taken.has(candidate)) continue;
      this.#taken.add(candidate);
      this.#next = candidate === MAX_VNI ? FIRST_VNI : candidate + 1;
      return candidate;
    }
    throw new VniError('no more VXLAN network identifiers available');
  }

  /** `--opt com.docker.network.driver.overlay.vxlanid_list=N`. */
  reserve(vni: number): number {
    if (!Number.isInteger(vni) || vni < 1 || vni > MAX_VNI) throw new VniError(`invalid VXLAN ID ${vni}: must be 1 to ${MAX_VNI}`);
    if (this.#taken.has(vni)) throw new VniError(`VXLAN ID ${vni} is already in use`);
    this.#taken.add(vni);
    return vni;
  }

  release(vni: number): void {
    this.#taken.delete(vni);
  }
}
