/**
 * A container's network stack: the composition of interfaces, routes, IPv4 input/output,
 * reassembly, ICMP and UDP behind the `NetStack` surface (types.ts).
 *
 * Contract:
 * - `lo` exists from creation and is first in `interfaces()`; it cannot be removed or routed by
 *   hand. `routes()` lists the main table without `lo` (what busybox `ip route` prints).
 * - `addInterface` validates the configuration (unique name and index, MTU 68..65536, prefix
 *   1..32) and installs the connected route `subnet dev NAME scope link src ADDRESS`;
 *   `removeInterface` takes the interface's routes and pending resolutions with it.
 * - `addRoute` needs an existing device; a route already present is refused (`File exists`).
 * - Every timer goes through the injected clock; `close()` cancels them all (nothing stays
 *   pending on a ManualClock), closes every socket and detaches every interface.
 * - Drops are counted in the `DropCounters` passed in (or a private one).
 */
import type { FrameSink } from '../dataplane/link.js';
import { assertIpv4, assertMac, type Ipv4Addr } from '../wire/address.js';
import { IcmpTimeExceededCode, IcmpType, IcmpUnreachableCode } from '../wire/icmp.js';
import { ETHERNET_HEADER_LEN } from '../wire/ethernet.js';
import type { Clock } from '../util/clock.js';
import { DropCounters } from '../util/drop.js';
import { assertUint, InvalidArgumentError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { IPV4_MIN_MTU } from './fragment.js';
import { IcmpLayer } from './icmp.js';
import { NetInterface } from './interface.js';
import { Ipv4Input } from './ipv4-input.js';
import { Ipv4Output } from './ipv4-output.js';
import { LOOPBACK_CONFIG, LOOPBACK_MTU, LoopbackLink } from './loopback.js';
import { Reassembler } from './reassembly.js';
import { checkPrefixLength, networkOf, RouteTable } from './route.js';
import type { IcmpEchoSocket, InterfaceConfig, NetStack, RouteConfig, SocketError, StackInterface, UdpSocket } from './types.js';
import { UdpLayer, type UdpInterceptor } from './udp.js';

export interface NetStackOptions {
  readonly clock: Clock;
  readonly rng: Rng;
  /** Where drops are counted (the host's counters); a private set when absent. */
  readonly drops?: DropCounters;
}

/** Interfaces a container can have besides `lo` (Docker attaches one per network). */
export const STACK_INTERFACES_MAX = 64;

export function createNetStack(options: NetStackOptions): NetStack {
  return new ContainerStack(options);
}

class ContainerStack implements NetStack {
  readonly drops: DropCounters;
  readonly loopback: NetInterface;
  readonly #clock: Clock;
  readonly #loopLink: LoopbackLink;
  readonly #routes = new RouteTable();
  readonly #byName = new Map<string, NetInterface>();
  readonly #localAddresses = new Set<Ipv4Addr>();
  #list: readonly NetInterface[] = [];
  readonly #output: Ipv4Output;
  readonly #reassembler: Reassembler;
  readonly #icmp: IcmpLayer;
  readonly #udp: UdpLayer;
  readonly #input: Ipv4Input;
  readonly #receive: (iface: NetInterface, frame: Uint8Array) => void;
  #closed = false;

  constructor(options: NetStackOptions) {
    this.#clock = options.clock;
    this.drops = options.drops ?? new DropCounters();
    const devices = {
      loopback: undefined as unknown as NetInterface,
      interfaceByName: (name: string) => this.#byName.get(name),
      isLocalAddress: (ip: Ipv4Addr) => this.#localAddresses.has(ip),
    };
    this.#output = new Ipv4Output(this.#routes, devices, this.drops, options.rng);
    this.#icmp = new IcmpLayer(this.#output, devices);
    this.#udp = new UdpLayer(this.#output, this.#icmp, devices, options.rng);
    this.#icmp.udpErrors = (address, port, report) => this.#udp.deliverError(address, port, report);
    this.#reassembler = new Reassembler(this.#clock, this.drops, (first) =>
      // RFC 792: Time Exceeded code 1 quotes fragment 0 (Linux `ip_expire`).
      this.#icmp.sendError(first, IcmpType.TIME_EXCEEDED, IcmpTimeExceededCode.REASSEMBLY, 0, false, false),
    );
    this.#loopLink = new LoopbackLink(this.#clock, this.drops);
    this.#receive = (iface, frame) => this.#input.processFrame(iface, frame);
    this.loopback = this.#makeInterface(LOOPBACK_CONFIG, this.#loopLink);
    this.#loopLink.target = this.loopback;
    devices.loopback = this.loopback;
    this.#input = new Ipv4Input(devices, this.#reassembler, this.#icmp, this.#udp, this.drops);
    this.#byName.set('lo', this.loopback);
    this.#relist();
  }

  addInterface(config: InterfaceConfig, link: FrameSink): StackInterface {
    this.#checkOpen();
    checkInterfaceConfig(config);
    if (this.#byName.has(config.name)) throw new InvalidArgumentError(`interface ${config.name} already exists`);
    if (this.#list.some((i) => i.config.index === config.index)) {
      throw new InvalidArgumentError(`interface index ${config.index} already in use`);
    }
    if (this.#byName.size > STACK_INTERFACES_MAX) throw new InvalidArgumentError(`too many interfaces (${STACK_INTERFACES_MAX})`);
    const frozen: InterfaceConfig = Object.freeze({ ...config, address: config.address >>> 0 });
    const iface = this.#makeInterface(frozen, link);
    this.#byName.set(frozen.name, iface);
    this.#relist();
    this.#routes.add({
      destination: networkOf(frozen.address, frozen.prefixLength),
      prefixLength: frozen.prefixLength,
      device: frozen.name,
      source: frozen.address,
    });
    return iface;
  }

  removeInterface(name: string): void {
    if (name === 'lo') throw new InvalidArgumentError('cannot remove the loopback interface');
    const iface = this.#byName.get(name);
    if (iface === undefined) throw new InvalidArgumentError(`no interface named ${name}`);
    iface.remove();
    this.#byName.delete(name);
    this.#routes.removeDevice(name);
    this.#relist();
  }

  addRoute(route: RouteConfig): void {
    this.#checkOpen();
    checkPrefixLength(route.prefixLength);
    assertIpv4('route destination', route.destination);
    if (route.gateway !== undefined) assertIpv4('route gateway', route.gateway);
    if (route.source !== undefined) assertIpv4('route source', route.source);
    if (route.device === 'lo') throw new InvalidArgumentError('routes through lo are implicit (the local table)');
    if (!this.#byName.has(route.device)) throw new InvalidArgumentError(`Cannot find device "${route.device}"`);
    this.#routes.add(route);
  }

  interfaces(): readonly StackInterface[] {
    return this.#list;
  }

  routes(): readonly RouteConfig[] {
    return this.#routes.list();
  }

  openUdp(options?: { readonly address?: Ipv4Addr; readonly port?: number }): UdpSocket | SocketError {
    this.#checkOpen();
    return this.#udp.open(options?.address ?? 0, options?.port ?? 0);
  }

  openIcmpEcho(): IcmpEchoSocket {
    this.#checkOpen();
    return this.#icmp.openEcho();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#udp.close();
    this.#icmp.close();
    this.#reassembler.close();
    this.#loopLink.close();
    for (const iface of this.#list) iface.remove();
  }

  #makeInterface(config: InterfaceConfig, link: FrameSink): NetInterface {
    return new NetInterface(config, link, this.#receive, this.#clock, this.drops, (frame) =>
      // Linux `arp_error_report`: the sender hears ICMP host unreachable about each dropped datagram.
      this.#icmp.sendError(frame.subarray(ETHERNET_HEADER_LEN), IcmpType.DEST_UNREACHABLE, IcmpUnreachableCode.HOST, 0, false, false),
    );
  }

  tapLoopback(sink: FrameSink | undefined): void {
    this.#loopLink.tap = sink ?? null;
  }

  /** `ip addr add IP/32 dev NAME`: a further local address, answered in ARP on that interface. */
  addAddress(name: string, address: Ipv4Addr): void {
    this.#checkOpen();
    const iface = this.#byName.get(name);
    if (iface === undefined) throw new InvalidArgumentError(`no interface ${name}`);
    iface.secondary.add(address >>> 0);
    this.#localAddresses.add(address >>> 0);
  }

  /** `ip addr del`: the secondary address goes. */
  removeAddress(name: string, address: Ipv4Addr): void {
    this.#byName.get(name)?.secondary.delete(address >>> 0);
    this.#relist();
  }

  /** Datagrams for local addresses no socket holds go to `interceptor` first (a load balancer). */
  setUdpInterceptor(interceptor: UdpInterceptor | undefined): void {
    this.#udp.interceptor = interceptor;
  }

  #relist(): void {
    this.#list = Object.freeze([...this.#byName.values()]);
    this.#localAddresses.clear();
    for (const iface of this.#list) {
      this.#localAddresses.add(iface.address);
      for (const a of iface.secondary) this.#localAddresses.add(a);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new InvalidArgumentError('the network stack is closed');
  }
}

function checkInterfaceConfig(c: InterfaceConfig): void {
  if (typeof c.name !== 'string' || c.name.length === 0 || c.name.length > 15 || /[\s/:]/.test(c.name)) {
    // Linux IFNAMSIZ is 16 with the NUL; `/`, `:` and whitespace are refused by dev_valid_name.
    throw new InvalidArgumentError(`invalid interface name: ${JSON.stringify(c.name)}`);
  }
  if (c.name === 'lo') throw new InvalidArgumentError('interface name lo is the loopback');
  assertUint('interface index', c.index, 0x7fff_ffff);
  assertUint('interface peer index', c.peerIndex, 0x7fff_ffff);
  if (c.index <= LOOPBACK_CONFIG.index) throw new InvalidArgumentError(`interface index ${c.index} is taken by lo`);
  assertMac('interface MAC', c.mac);
  assertIpv4('interface address', c.address);
  if (!Number.isInteger(c.mtu) || c.mtu < IPV4_MIN_MTU || c.mtu > LOOPBACK_MTU) {
    throw new InvalidArgumentError(`interface MTU out of range ${IPV4_MIN_MTU}..${LOOPBACK_MTU}: ${c.mtu}`);
  }
  checkPrefixLength(c.prefixLength);
  if (c.prefixLength === 0) throw new InvalidArgumentError('interface prefix length must be 1..32');
}
