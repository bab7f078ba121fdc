/**
 * The member list and its state transitions (hashicorp/memberlist `state.go`: `aliveNode`,
 * `suspectNode`, `deadNode`, `refute`, `mergeState`, `resetNodes`). Pure state plus suspicion
 * timers on the injected clock; what must go on the wire leaves through `broadcast`, what the
 * owner must hear through `events`.
 *
 * The rules that make SWIM converge, as memberlist applies them:
 * - news about a node counts only with an incarnation at least as new as ours (strictly newer for
 *   `alive`), so stale rumours die out;
 * - an accusation about this node is refuted with a higher incarnation, never accepted;
 * - a `dead` whose `From` is the node itself is a graceful leave (state `left`), not a failure;
 * - a suspect is declared dead only when its suspicion timer runs out (Lifeguard confirmations
 *   shorten it);
 * - dead and left nodes stay listed for `gossipToTheDeadTime`, then go at the next probe wrap.
 */
import type { Clock, Duration, Instant } from '../util/clock.js';
import type { Rng } from '../util/rng.js';
import type { Alive, Dead, MemberlistMessage, PushNodeState, Suspect } from '../wire/memberlist.js';
import { encodeMessage } from '../wire/memberlist.js';
import { PROTOCOL_VERSION, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN, suspicionTimeout, type Awareness, type MemberlistTiming } from './config.js';
import { Suspicion } from './suspicion.js';

export type MemberStateName = 'alive' | 'suspect' | 'dead' | 'left';

/** memberlist's `NodeStateType` numbers as push/pull carries them (wire protocol). */
export const NODE_STATE_NUMBERS: Readonly<Record<MemberStateName, number>> = { alive: 0, suspect: 1, dead: 2, left: 3 };
const NODE_STATE_NAMES: readonly MemberStateName[] = ['alive', 'suspect', 'dead', 'left'];

/** What a member looks like from here. */
export interface Member {
  readonly name: string;
  /** IPv4 dotted quad (memberlist carries the address as 4 raw bytes). */
  address: string;
  port: number;
  meta: Uint8Array;
  incarnation: number;
  state: MemberStateName;
  stateChange: Instant;
  /** [protocol min, max, current, delegate min, max, current]. */
  vsn: Uint8Array;
}

export interface MemberEvents {
  join(member: Member): void;
  leave(member: Member): void;
  update(member: Member): void;
}

export interface MemberStateOptions {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly meta: Uint8Array;
  readonly timing: MemberlistTiming;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly awareness: Awareness;
  readonly events: MemberEvents;
  /** Queues a memberlist broadcast about `subject` (a node name); `onFinished` when it is out. */
  readonly broadcast: (subject: string, message: Uint8Array, onFinished?: () => void) => void;
  /** Set once `leave` has begun: our own death is then announced, not refuted. */
  readonly leaving: () => boolean;
}

/** The version vector this node advertises: Docker's `[1, 5, 2, 0, 0, 0]`. */
export const OUR_VSN = Uint8Array.of(PROTOCOL_VERSION_MIN, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION, 0, 0, 0);

export function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split('.').map(Number);
  return Uint8Array.from(parts);
}

/** `Addr` bytes as text: 4 bytes are IPv4; anything else is shown in hex (IPv6 is not spoken). */
export function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  return Buffer.from(bytes).toString('hex');
}

export class MemberState {
  readonly #o: MemberStateOptions;
  /** Probe order: shuffled at every wrap (memberlist `m.nodes`). */
  #nodes: Member[] = [];
  readonly #byName = new Map<string, Member>();
  readonly #suspicions = new Map<string, Suspicion>();
  #incarnation = 0;
  #probeIndex = 0;

  constructor(options: MemberStateOptions) {
    this.#o = options;
  }

  get name(): string {
    return this.#o.name;
  }

  get incarnation(): number {
    return this.#incarnation;
  }

  /** memberlist's `estNumNodes`: every listed node, dead ones until they are reaped. */
  get size(): number {
    return this.#nodes.length;
  }

  get(name: string): Member | undefined {
    return this.#byName.get(name);
  }

  members(): readonly Member[] {
    return this.#nodes;
  }

  /** Members that are alive or suspect (memberlist's `Members()` returns those not dead or left). */
  live(): Member[] {
    return this.#nodes.filter((n) => n.state === 'alive' || n.state === 'suspect');
  }

  /** `setAlive`: this node's own first alive, broadcast so the first pings carry it. */
  start(): void {
    this.alive({ incarnation: this.#nextIncarnation(), node: this.#o.name, addr: ipv4Bytes(this.#o.address), port: this.#o.port, meta: this.#o.meta, vsn: OUR_VSN }, true);
  }

  /** The next node to probe, or undefined when there is nobody (`probe` in state.go). */
  nextProbeTarget(): Member | undefined {
    let checked = 0;
    for (;;) {
      if (checked >= this.#nodes.length) return undefined;
      if (this.#probeIndex >= this.#nodes.length) {
        this.#resetNodes();
        this.#probeIndex = 0;
        checked++;
        continue;
      }
      const node = this.#nodes[this.#probeIndex++]!;
      if (node.name === this.#o.name || node.state === 'dead' || node.state === 'left') {
        checked++;
        continue;
      }
      return node;
    }
  }

  /** Up to `k` distinct random members passing `keep` (memberlist `kRandomNodes`). */
  randomMembers(k: number, keep: (m: Member) => boolean): Member[] {
    const picked: Member[] = [];
    for (const m of this.#o.rng.shuffle([...this.#nodes])) {
      if (picked.length >= k) break;
      if (keep(m)) picked.push(m);
    }
    return picked;
  }

  /** `aliveNode`. `bootstrap` is our own start (no refutation of ourselves). */
  alive(a: Alive, bootstrap = false): void {
    if (this.#o.leaving() && a.node === this.#o.name) return;
    const now = this.#o.clock.now();
    const address = addressText(a.addr);
    let member = this.#byName.get(a.node);
    let updatesAddress = false;
    if (member === undefined) {
      member = { name: a.node, address, port: a.port, meta: a.meta, incarnation: 0, state: 'dead', stateChange: now, vsn: a.vsn };
      this.#byName.set(a.node, member);
      // A random position, so that failure-detection bounds stay low on average.
      const offset = this.#nodes.length === 0 ? 0 : this.#o.rng.int(0, this.#nodes.length - 1);
      this.#nodes.push(member);
      [this.#nodes[offset], this.#nodes[this.#nodes.length - 1]] = [this.#nodes[this.#nodes.length - 1]!, this.#nodes[offset]!];
    } else if (member.address !== address || member.port !== a.port) {
      // Only a node that left may come back at a new address (memberlist logs a conflict otherwise).
      if (member.state !== 'left') return;
      updatesAddress = true;
    }
    const isLocal = member.name === this.#o.name;
    if (a.incarnation <= member.incarnation && !isLocal && !updatesAddress) return;
    if (a.incarnation < member.incarnation && isLocal) return;
    this.#cancelSuspicion(a.node);
    const oldState = member.state;
    const oldMeta = member.meta;
    if (!bootstrap && isLocal) {
      if (a.incarnation === member.incarnation && bytesEqual(a.meta, member.meta) && bytesEqual(a.vsn, OUR_VSN)) return;
      this.#refute(member, a.incarnation);
    } else {
      this.#o.broadcast(a.node, encodeMessage({ type: 'alive', body: a }));
      if (a.vsn.length > 0) member.vsn = a.vsn;
      member.incarnation = a.incarnation;
      member.meta = a.meta;
      member.address = address;
      member.port = a.port;
      if (member.state !== 'alive') {
        member.state = 'alive';
        member.stateChange = now;
      }
    }
    if (oldState === 'dead' || oldState === 'left') this.#o.events.join(member);
    else if (!bytesEqual(oldMeta, member.meta)) this.#o.events.update(member);
  }

  /** `suspectNode`. */
  suspect(s: Suspect): void {
    const member = this.#byName.get(s.node);
    if (member === undefined || s.incarnation < member.incarnation) return;
    const existing = this.#suspicions.get(s.node);
    if (existing !== undefined) {
      if (existing.confirm(s.from)) this.#o.broadcast(s.node, encodeMessage({ type: 'suspect', body: s }));
      return;
    }
    if (member.state !== 'alive') return;
    if (member.name === this.#o.name) {
      this.#refute(member, s.incarnation);
      return;
    }
    this.#o.broadcast(s.node, encodeMessage({ type: 'suspect', body: s }));
    member.incarnation = s.incarnation;
    member.state = 'suspect';
    const changedAt = this.#o.clock.now();
    member.stateChange = changedAt;
    // k confirmations expected, unless there are too few other members to give them.
    const n = this.size;
    const t = this.#o.timing;
    const k = n - 2 < t.suspicionMult - 2 ? 0 : t.suspicionMult - 2;
    const min = suspicionTimeout(t.suspicionMult, n, t.probeInterval);
    const max = (t.suspicionMaxTimeoutMult * min) as Duration;
    this.#suspicions.set(
      s.node,
      new Suspicion({
        clock: this.#o.clock,
        from: s.from,
        k,
        min,
        max,
        onTimeout: () => {
          this.#suspicions.delete(s.node);
          const m = this.#byName.get(s.node);
          if (m !== undefined && m.state === 'suspect' && m.stateChange === changedAt) {
            this.dead({ incarnation: m.incarnation, node: m.name, from: this.#o.name });
          }
        },
      }),
    );
  }

  /** `deadNode`. `onFinished` (our own leave) fires once the announcement has gone out. */
  dead(d: Dead, onFinished?: () => void): void {
    const member = this.#byName.get(d.node);
    if (member === undefined || d.incarnation < member.incarnation) return;
    this.#cancelSuspicion(d.node);
    if (member.state === 'dead' || member.state === 'left') return;
    if (member.name === this.#o.name) {
      if (!this.#o.leaving()) {
        this.#refute(member, d.incarnation);
        return;
      }
      this.#o.broadcast(d.node, encodeMessage({ type: 'dead', body: d }), onFinished);
    } else {
      this.#o.broadcast(d.node, encodeMessage({ type: 'dead', body: d }));
    }
    member.incarnation = d.incarnation;
    member.state = d.node === d.from ? 'left' : 'dead';
    member.stateChange = this.#o.clock.now();
    this.#o.events.leave(member);
  }

  /** `mergeState`: a push/pull's node list. A remote "dead" only makes us suspect. */
  merge(remote: readonly PushNodeState[]): void {
    for (const r of remote) {
      const state = NODE_STATE_NAMES[r.state];
      if (state === 'alive') this.alive({ incarnation: r.incarnation, node: r.name, addr: r.addr, port: r.port, meta: r.meta, vsn: r.vsn });
      else if (state === 'left') this.dead({ incarnation: r.incarnation, node: r.name, from: r.name });
      else if (state === 'dead' || state === 'suspect') this.suspect({ incarnation: r.incarnation, node: r.name, from: this.#o.name });
    }
  }

  /** Our side of a push/pull: every listed node (memberlist sends dead ones too). */
  localStates(): PushNodeState[] {
    return this.#nodes.map((n) => ({
      name: n.name,
      addr: ipv4Bytes(n.address),
      port: n.port,
      meta: n.meta,
      incarnation: n.incarnation,
      state: NODE_STATE_NUMBERS[n.state],
      vsn: n.vsn,
    }));
  }

  /** A message announcing ourselves (refutations, leave). */
  selfAlive(): MemberlistMessage {
    return { type: 'alive', body: { incarnation: this.#incarnation, node: this.#o.name, addr: ipv4Bytes(this.#o.address), port: this.#o.port, meta: this.#o.meta, vsn: OUR_VSN } };
  }

  /** Cancels every suspicion timer (shutdown). */
  close(): void {
    for (const s of this.#suspicions.values()) s.cancel();
    this.#suspicions.clear();
  }

  #refute(me: Member, accused: number): void {
    let inc = this.#nextIncarnation();
    if (accused >= inc) {
      this.#incarnation += accused - inc + 1;
      inc = this.#incarnation;
    }
    me.incarnation = inc;
    this.#o.awareness.applyDelta(1);
    this.#o.broadcast(me.name, encodeMessage(this.selfAlive()));
  }

  #nextIncarnation(): number {
    this.#incarnation += 1;
    return this.#incarnation;
  }

  #cancelSuspicion(name: string): void {
    const s = this.#suspicions.get(name);
    if (s === undefined) return;
    s.cancel();
    this.#suspicions.delete(name);
  }

  /** `resetNodes`: reap dead nodes past `gossipToTheDeadTime`, then reshuffle the probe order. */
  #resetNodes(): void {
    const now = this.#o.clock.now();
    const keep: Member[] = [];
    for (const n of this.#nodes) {
      const gone = (n.state === 'dead' || n.state === 'left') && now - n.stateChange > this.#o.timing.gossipToTheDeadTime;
      if (gone && n.name !== this.#o.name) this.#byName.delete(n.name);
      else keep.push(n);
    }
    this.#nodes = this.#o.rng.shuffle(keep);
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
