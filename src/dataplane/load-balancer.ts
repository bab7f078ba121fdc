/**
 * One overlay network's load balancer on one host: moby's `lb-<network>` sandbox with IPVS in NAT
 * mode (`daemon/libnetwork/service_linux.go`). The sandbox's interface owns every VIP of the
 * network's services as a secondary address, so it answers ARP and ICMP echo for them, and each
 * new UDP flow to a VIP — any port, as IPVS's firewall-mark service takes them all — goes to the
 * next backend in round-robin order, source-NATed to the sandbox's own address (its LB IP), with
 * connection tracking so the backend's replies go back to the client from the VIP. A flow stays
 * on its backend until it has been idle `UDP_FLOW_TIMEOUT` (IPVS's UDP timeout); a backend being
 * drained (weight 0: its task is stopping) gets no new flows.
 */
import { seconds, type Clock, type Timer } from '../util/clock.js';
import type { DropCounters } from '../util/drop.js';
import type { NetStack, UdpSocket } from '../stack/types.js';
import type { Ipv4Addr } from '../wire/address.js';

/** IPVS's UDP connection timeout (`ipvsadm --set` default: 300 s). */
export const UDP_FLOW_TIMEOUT = seconds(300);
/** How often idle flows are swept. */
const SWEEP_PERIOD = seconds(10);
/** Flows one balancer tracks at most (beyond, new flows are dropped as `queue-full`). */
export const MAX_FLOWS = 65_536;

export interface LbBackend {
  readonly address: Ipv4Addr;
  /** 0: draining, no new flows (moby sets a disabled task's IPVS weight to 0). */
  readonly weight: number;
}

interface Flow {
  readonly backend: Ipv4Addr;
  readonly nat: UdpSocket;
  lastSeen: number;
}

interface Service {
  backends: LbBackend[];
  next: number;
}

export class LoadBalancer {
  readonly #stack: NetStack;
  readonly #iface: string;
  readonly #clock: Clock;
  readonly #drops: DropCounters | undefined;
  readonly #services = new Map<Ipv4Addr, Service>();
  readonly #flows = new Map<string, Flow>();
  /** One socket per (VIP, port) a client has used: what replies leave from. */
  readonly #fronts = new Map<string, UdpSocket>();
  #sweep: Timer | undefined;
  #closed = false;

  constructor(options: { stack: NetStack; iface: string; clock: Clock; drops?: DropCounters }) {
    this.#stack = options.stack;
    this.#iface = options.iface;
    this.#clock = options.clock;
    this.#drops = options.drops;
    this.#stack.setUdpInterceptor((payload, src, srcPort, dst, dstPort) => this.#take(payload, src, srcPort, dst, dstPort));
    const sweep = () => {
      this.#expire();
      if (!this.#closed) this.#sweep = this.#clock.setTimer(SWEEP_PERIOD, sweep);
    };
    this.#sweep = this.#clock.setTimer(SWEEP_PERIOD, sweep);
  }

  /** The VIPs served now. */
  get vips(): Ipv4Addr[] {
    return [...this.#services.keys()];
  }

  /** Flows being tracked. */
  get flows(): number {
    return this.#flows.size;
  }

  /** Sets the whole VIP → backends map: new VIPs are added to the interface, gone ones removed. */
  update(services: ReadonlyMap<Ipv4Addr, readonly LbBackend[]>): void {
    if (this.#closed) return;
    for (const vip of [...this.#services.keys()]) {
      if (services.has(vip)) continue;
      this.#services.delete(vip);
      this.#stack.removeAddress(this.#iface, vip);
    }
    for (const [vip, backends] of services) {
      const existing = this.#services.get(vip);
      if (existing !== undefined) {
        existing.backends = [...backends];
        continue;
      }
      this.#services.set(vip, { backends: [...backends], next: 0 });
      this.#stack.addAddress(this.#iface, vip);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sweep?.cancel();
    this.#stack.setUdpInterceptor(undefined);
    for (const f of this.#flows.values()) f.nat.close();
    for (const s of this.#fronts.values()) s.close();
    this.#flows.clear();
    this.#fronts.clear();
  }

  /** A datagram for a local address no socket holds: ours when it is for a VIP. */
  #take(payload: Uint8Array, src: Ipv4Addr, srcPort: number, dst: Ipv4Addr, dstPort: number): boolean {
    if (!this.#services.has(dst)) return false;
    const key = `${dst}:${dstPort}`;
    let front = this.#fronts.get(key);
    if (front === undefined) {
      const bound = this.#stack.openUdp({ address: dst, port: dstPort });
      if (typeof bound === 'string') {
        this.#drops?.count('queue-full');
        return true;
      }
      front = bound;
      this.#fronts.set(key, front);
      const socket = front;
      front.onMessage((p, from, fromPort) => this.#forward(socket, p, from, fromPort, dst, dstPort));
    }
    this.#forward(front, payload, src, srcPort, dst, dstPort);
    return true;
  }

  #forward(front: UdpSocket, payload: Uint8Array, client: Ipv4Addr, clientPort: number, vip: Ipv4Addr, port: number): void {
    const key = `${client}:${clientPort}>${vip}:${port}`;
    let flow = this.#flows.get(key);
    if (flow === undefined) {
      const backend = this.#pick(vip);
      if (backend === undefined || this.#flows.size >= MAX_FLOWS) {
        this.#drops?.count(backend === undefined ? 'no-route' : 'queue-full');
        return;
      }
      const nat = this.#stack.openUdp();
      if (typeof nat === 'string') {
        this.#drops?.count('queue-full');
        return;
      }
      const created: Flow = { backend, nat, lastSeen: this.#clock.now() };
      flow = created;
      this.#flows.set(key, created);
      // The backend's replies come back to the NAT port: out again from the VIP to the client.
      nat.onMessage((reply, from, fromPort) => {
        if (from !== backend || fromPort !== port) return;
        created.lastSeen = this.#clock.now();
        front.send(reply, client, clientPort);
      });
    }
    flow.lastSeen = this.#clock.now();
    flow.nat.send(payload, flow.backend, port);
  }

  /** The next backend with weight > 0, round-robin. */
  #pick(vip: Ipv4Addr): Ipv4Addr | undefined {
    const service = this.#services.get(vip);
    if (service === undefined) return undefined;
    const n = service.backends.length;
    for (let i = 0; i < n; i++) {
      const b = service.backends[(service.next + i) % n]!;
      if (b.weight > 0) {
        service.next = (service.next + i + 1) % n;
        return b.address;
      }
    }
    return undefined;
  }

  #expire(): void {
    const now = this.#clock.now();
    for (const [key, f] of this.#flows) {
      if (now - f.lastSeen < UDP_FLOW_TIMEOUT) continue;
      f.nat.close();
      this.#flows.delete(key);
    }
  }
}
