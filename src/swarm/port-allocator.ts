/**
 * Published ports for services (swarmkit `manager/allocator/portallocator.go`): per protocol, a
 * master space 1–65535 for ports the user names, and the dynamic range 30000–32767 from which a
 * port published without a number gets one — serially (`idm.GetID(true)`), so a freed port is
 * not handed out again at once. A user-named port inside the dynamic range takes it from there too.
 */
import type { PbPortConfig } from '../wire/swarmkit.js';
import { SerialBitmap } from './serial-bitmap.js';

export const DYNAMIC_PORT_START = 30000;
export const DYNAMIC_PORT_END = 32767;

class PortSpace {
  readonly #named = new Set<number>();
  readonly #dynamic = new SerialBitmap(DYNAMIC_PORT_END - DYNAMIC_PORT_START + 1);

  reserve(port: number): boolean {
    if (this.#named.has(port)) return false;
    if (port >= DYNAMIC_PORT_START && port <= DYNAMIC_PORT_END && this.#dynamic.set(port - DYNAMIC_PORT_START) !== undefined) return false;
    this.#named.add(port);
    return true;
  }

  allocate(): number | undefined {
    for (let attempts = 0; attempts <= DYNAMIC_PORT_END - DYNAMIC_PORT_START; attempts += 1) {
      const ordinal = this.#dynamic.setAny(true);
      if (ordinal === undefined) return undefined;
      const port = ordinal + DYNAMIC_PORT_START;
      if (!this.#named.has(port)) {
        this.#named.add(port);
        return port;
      }
    }
    return undefined;
  }

  release(port: number): void {
    this.#named.delete(port);
    if (port >= DYNAMIC_PORT_START && port <= DYNAMIC_PORT_END) this.#dynamic.unset(port - DYNAMIC_PORT_START);
  }
}

export class PortAllocator {
  readonly #spaces = new Map<string, PortSpace>();

  #space(protocol: PbPortConfig['protocol']): PortSpace {
    let space = this.#spaces.get(protocol);
    if (!space) this.#spaces.set(protocol, (space = new PortSpace()));
    return space;
  }

  /**
   * The ports as allocated for `wanted` (the spec's ports), keeping what `current` already holds
   * for the same port; undefined when a named port is taken or the dynamic range is exhausted
   * (nothing is changed then). Host-mode ports are not allocated: they are per node.
   */
  allocate(wanted: readonly PbPortConfig[], current: readonly PbPortConfig[]): PbPortConfig[] | undefined {
    const kept = new Set<PbPortConfig>();
    const result: PbPortConfig[] = [];
    const fresh: PbPortConfig[] = [];
    for (const port of wanted) {
      const match = current.find(
        (c) => !kept.has(c) && c.protocol === port.protocol && c.target_port === port.target_port && c.publish_mode === port.publish_mode && (port.published_port === 0 || c.published_port === port.published_port),
      );
      if (match && port.publish_mode === 'INGRESS') {
        kept.add(match);
        result.push({ ...port, published_port: match.published_port });
        continue;
      }
      if (port.publish_mode !== 'INGRESS') {
        result.push({ ...port });
        continue;
      }
      const copy = { ...port };
      fresh.push(copy);
      result.push(copy);
    }
    const taken: PbPortConfig[] = [];
    for (const port of fresh) {
      const space = this.#space(port.protocol);
      const published = port.published_port ? (space.reserve(port.published_port) ? port.published_port : undefined) : space.allocate();
      if (published === undefined) {
        for (const t of taken) this.#space(t.protocol).release(t.published_port);
        return undefined;
      }
      port.published_port = published;
      taken.push(port);
    }
    for (const c of current) if (!kept.has(c) && c.publish_mode === 'INGRESS' && c.published_port) this.#space(c.protocol).release(c.published_port);
    return result;
  }

  release(ports: readonly PbPortConfig[]): void {
    for (const p of ports) if (p.publish_mode === 'INGRESS' && p.published_port) this.#space(p.protocol).release(p.published_port);
  }
}
