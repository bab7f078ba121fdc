/**
 * A hashicorp/memberlist node (SWIM with Lifeguard), speaking memberlist's wire protocol
 * version 2 as Docker's NetworkDB runs it, over a `GossipTransport`. One file per concern, as
 * memberlist has them: member-state.ts (state.go's transitions), suspicion.ts, broadcast-queue.ts
 * (queue.go), config.ts (config.go, util.go); this file is memberlist.go + net.go: the probe,
 * gossip and push/pull loops, the handlers of each message, join and leave.
 *
 * Sending (net.go `rawSendMsgPacket`): compress when smaller → CRC when the peer speaks protocol
 * ≥ 5 → encrypt with the keyring's primary key. Receiving undoes it in the other order; a packet
 * that fails any step is counted under its drop reason and nothing else happens.
 * Every ping and ack carries piggy-backed broadcasts (`sendMsg`), which is how a new node's alive
 * and every suspicion spread even between gossip rounds.
 */
import type { Clock, Duration, Timer } from '../util/clock.js';
import { DropCounters, type DropReason } from '../util/drop.js';
import type { Rng } from '../util/rng.js';
import type { MemberlistKeyring } from '../crypto/memberlist-keyring.js';
import {
  encodeCompressed,
  encodeMessage,
  encodePushPull,
  encodeUserStream,
  makeCompound,
  parseStream,
  unpackPacket,
  withCrc,
  wrapStream,
  type MemberlistMessage,
  type PushNodeState,
  type StreamMessage,
} from '../wire/memberlist.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { Awareness, LAN_TIMING, pushPullScale, type MemberlistTiming } from './config.js';
import { addressText, ipv4Bytes, MemberState, type Member, type MemberEvents } from './member-state.js';
import { formatAddress, type GossipAddress, type GossipStream, type GossipTransport } from './transport.js';

/** memberlist `compoundHeaderOverhead` (type + count) and `compoundOverhead` (a u16 length). */
const COMPOUND_HEADER_OVERHEAD = 2;
const COMPOUND_OVERHEAD = 2;
/** A delegate broadcast is framed with one `user` type byte. */
const USER_MSG_OVERHEAD = 1;
/** AES-GCM version 1: version byte + 12-byte nonce + 16-byte tag. */
const ENCRYPT_OVERHEAD = 29;

/** What NetworkDB plugs into memberlist (memberlist's `Delegate`). */
export interface MemberlistDelegate {
  /** A user message (NetworkDB gossip), by UDP or TCP. */
  notifyMsg(payload: Uint8Array): void;
  /** User broadcasts to piggy-back, each ≤ `limit` bytes all told with `overhead` each. */
  getBroadcasts(overhead: number, limit: number): Uint8Array[];
  /** Our user state for a push/pull. */
  localState(join: boolean): Uint8Array;
  mergeRemoteState(state: Uint8Array, join: boolean): void;
}

export interface MemberlistOptions {
  readonly name: string;
  readonly transport: GossipTransport;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timing?: MemberlistTiming;
  readonly delegate?: MemberlistDelegate;
  readonly events?: Partial<MemberEvents>;
  /** When set, every packet and stream is encrypted and plaintext is refused. */
  readonly keyring?: MemberlistKeyring;
  /** Where drops are counted (the host's counters). */
  readonly drops?: DropCounters;
  /** memberlist's `EnableCompression` (true by default, as Docker leaves it). */
  readonly compression?: boolean;
}

export interface MemberlistStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  streamsIn: number;
  streamsOut: number;
  probes: number;
  probeFailures: number;
}

interface AckHandler {
  readonly onAck: () => void;
  readonly onNack: () => void;
  readonly timer: Timer;
}

export class Memberlist {
  readonly name: string;
  readonly timing: MemberlistTiming;
  readonly drops: DropCounters;
  readonly stats: MemberlistStats = { packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, streamsIn: 0, streamsOut: 0, probes: 0, probeFailures: 0 };
  readonly #o: MemberlistOptions;
  readonly #transport: GossipTransport;
  readonly #clock: Clock;
  readonly #state: MemberState;
  readonly #awareness: Awareness;
  readonly #broadcasts: BroadcastQueue;
  readonly #acks = new Map<number, AckHandler>();
  readonly #timers = new Set<Timer>();
  readonly #streams = new Set<GossipStream>();
  #seq = 0;
  #leaving = false;
  #running = false;
  #closed = false;

  constructor(options: MemberlistOptions) {
    this.#o = options;
    this.name = options.name;
    this.timing = options.timing ?? LAN_TIMING;
    this.drops = options.drops ?? new DropCounters();
    this.#transport = options.transport;
    this.#clock = options.clock;
    this.#awareness = new Awareness(this.timing.awarenessMaxMultiplier);
    this.#broadcasts = new BroadcastQueue(this.timing.retransmitMult, () => this.#state.size);
    const events = options.events ?? {};
    this.#state = new MemberState({
      name: options.name,
      address: options.transport.local.address,
      port: options.transport.local.port,
      meta: new Uint8Array(0),
      timing: this.timing,
      clock: options.clock,
      rng: options.rng,
      awareness: this.#awareness,
      events: { join: (m) => events.join?.(m), leave: (m) => events.leave?.(m), update: (m) => events.update?.(m) },
      broadcast: (subject, message, onFinished) => this.#broadcasts.queue({ key: subject, message, ...(onFinished ? { onFinished } : {}) }),
      leaving: () => this.#leaving,
    });
    this.#transport.setHandlers({ packet: (bytes, from) => this.#onPacket(bytes, from), stream: (s) => void this.#onStream(s) });
  }

  get local(): GossipAddress {
    return this.#transport.local;
  }

  /** The health score (0 = healthy), Lifeguard's local awareness. */
  get health(): number {
    return this.#awareness.score;
  }

  /** Alive and suspect members, this node included (memberlist `Members`). */
  members(): Member[] {
    return this.#state.live();
  }

  /** Every listed member, dead and left ones too until they are reaped. */
  allMembers(): readonly Member[] {
    return this.#state.members();
  }

  member(name: string): Member | undefined {
    return this.#state.get(name);
  }

  /** `memberlist.Create`: our alive goes out, and the probe, gossip and push/pull timers start. */
  start(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#state.start();
    // Each ticker starts after a random stagger, as memberlist's `schedule` does.
    this.#every(this.timing.probeInterval, () => this.#probe(), true);
    this.#every(this.timing.gossipInterval, () => this.#gossip());
    this.#pushPullLoop();
  }

  /** `Join`: a push/pull with each address; resolves with how many answered, rejects if none. */
  async join(addresses: readonly GossipAddress[]): Promise<number> {
    let joined = 0;
    const errors: string[] = [];
    for (const a of addresses) {
      try {
        await this.#pushPull(a, true);
        joined++;
      } catch (error) {
        errors.push(`${formatAddress(a)}: ${(error as Error).message}`);
      }
    }
    if (joined === 0) throw new Error(`memberlist: failed to join any of ${addresses.length} nodes: ${errors.join('; ')}`);
    return joined;
  }

  /** Sends a user message over UDP (`SendBestEffort`). */
  sendBestEffort(to: Member, payload: Uint8Array): void {
    this.#sendRaw({ address: to.address, port: to.port }, encodeMessage({ type: 'user', payload }), to);
  }

  /** Sends a user message over TCP (`SendReliable`). */
  async sendReliable(to: Member, payload: Uint8Array): Promise<void> {
    const stream = await this.#dial({ address: to.address, port: to.port });
    try {
      stream.write(this.#wrapStream(encodeUserStream(payload)));
      stream.end();
    } finally {
      this.#streams.delete(stream);
    }
  }

  /**
   * `Leave`: announce our own death (From = us, so peers see a leave) and wait until the
   * announcement has been gossiped out, or `timeout` passes.
   */
  async leave(timeout: Duration): Promise<void> {
    if (this.#leaving || this.#closed) return;
    this.#leaving = true;
    const me = this.#state.get(this.name);
    if (me === undefined) return;
    const anyAlive = this.#state.members().some((m) => m.name !== this.name && m.state !== 'dead' && m.state !== 'left');
    await new Promise<void>((resolve) => {
      const timer = this.#clock.setTimer(timeout, resolve);
      this.#state.dead({ incarnation: me.incarnation, node: this.name, from: this.name }, () => {
        timer.cancel();
        resolve();
      });
      if (!anyAlive) {
        timer.cancel();
        resolve();
      }
    });
  }

  /** Stops every timer and the transport. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#running = false;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    for (const h of this.#acks.values()) h.timer.cancel();
    this.#acks.clear();
    for (const s of this.#streams) s.destroy();
    this.#streams.clear();
    this.#state.close();
    this.#broadcasts.reset();
    await this.#transport.close();
  }

  // ---- loops ----

  #every(interval: Duration, tick: () => void | Promise<void>, awaitTick = false): void {
    const stagger = this.#o.rng.float() * interval;
    let busy = false;
    const arm = (delay: number) => {
      const timer = this.#clock.setTimer(delay as Duration, () => {
        this.#timers.delete(timer);
        if (this.#closed) return;
        arm(interval);
        // A probe still in progress swallows the tick, as a Go ticker drops ticks for a slow reader.
        if (busy) return;
        const result = tick();
        if (awaitTick && result instanceof Promise) {
          busy = true;
          void result.finally(() => (busy = false));
        }
      });
      this.#timers.add(timer);
    };
    arm(stagger);
  }

  #pushPullLoop(): void {
    const arm = (delay: number) => {
      const timer = this.#clock.setTimer(delay as Duration, () => {
        this.#timers.delete(timer);
        if (this.#closed) return;
        const peer = this.#state.randomMembers(1, (m) => m.name !== this.name && m.state === 'alive')[0];
        if (peer !== undefined) void this.#pushPull({ address: peer.address, port: peer.port }, false).catch(() => undefined);
        arm(pushPullScale(this.timing.pushPullInterval, this.#state.size));
      });
      this.#timers.add(timer);
    };
    arm(this.#o.rng.float() * this.timing.pushPullInterval);
  }

  /** One probe round (`probe` + `probeNode`). */
  async #probe(): Promise<void> {
    const node = this.#state.nextProbeTarget();
    if (node === undefined) return;
    this.stats.probes++;
    const t = this.timing;
    const probeInterval = this.#awareness.scaleTimeout(t.probeInterval);
    const seqNo = this.#nextSeq();
    const target = { address: node.address, port: node.port };
    const ping = encodeMessage({
      type: 'ping',
      body: { seqNo, node: node.name, sourceAddr: ipv4Bytes(this.local.address), sourcePort: this.local.port, sourceNode: this.name },
    });
    let acked = false;
    let nacks = 0;
    const ackWindow = new Promise<void>((resolve) => {
      this.#expectAck(seqNo, probeInterval, {
        onAck: () => {
          acked = true;
          resolve();
        },
        onNack: () => void nacks++,
        onTimeout: resolve,
      });
    });
    if (node.state === 'alive') this.#sendMsg(target, ping, node);
    else this.#sendRaw(target, makeCompound([ping, encodeMessage({ type: 'suspect', body: { incarnation: node.incarnation, node: node.name, from: this.name } })]), node);
    let awarenessDelta = -1;
    try {
      await Promise.race([ackWindow, this.#clock.sleep(t.probeTimeout)]);
      if (acked || this.#closed) return;
      // Indirect probes through up to `indirectChecks` others, and a TCP ping beside them.
      const helpers = this.#state.randomMembers(t.indirectChecks, (m) => m.name !== this.name && m.name !== node.name && m.state === 'alive');
      let expectedNacks = 0;
      for (const h of helpers) {
        const nack = h.vsn[1]! >= 4;
        if (nack) expectedNacks++;
        const indirect = encodeMessage({
          type: 'indirectPing',
          body: { seqNo, target: ipv4Bytes(node.address), port: node.port, node: node.name, nack, sourceAddr: ipv4Bytes(this.local.address), sourcePort: this.local.port, sourceNode: this.name },
        });
        this.#sendMsg({ address: h.address, port: h.port }, indirect, h);
      }
      const fallback = node.vsn[1]! >= 3 ? this.#tcpPing(target, node.name, seqNo, probeInterval) : Promise.resolve(false);
      await ackWindow;
      if (acked || this.#closed) return;
      if (await fallback) return;
      awarenessDelta = expectedNacks > 0 ? Math.max(0, expectedNacks - nacks) : 1;
      this.stats.probeFailures++;
      const current = this.#state.get(node.name);
      if (current !== undefined) this.#state.suspect({ incarnation: current.incarnation, node: node.name, from: this.name });
    } finally {
      this.#awareness.applyDelta(awarenessDelta);
    }
  }

  /** One gossip round: pending broadcasts to up to `gossipNodes` random members. */
  #gossip(): void {
    const t = this.timing;
    const now = this.#clock.now();
    const targets = this.#state.randomMembers(t.gossipNodes, (m) => {
      if (m.name === this.name) return false;
      if (m.state === 'dead' || m.state === 'left') return now - m.stateChange <= t.gossipToTheDeadTime;
      return true;
    });
    let avail = t.udpBufferSize - COMPOUND_HEADER_OVERHEAD;
    if (this.#o.keyring?.enabled) avail -= ENCRYPT_OVERHEAD;
    for (const m of targets) {
      const msgs = this.#getBroadcasts(COMPOUND_OVERHEAD, avail);
      if (msgs.length === 0) return;
      this.#sendRaw({ address: m.address, port: m.port }, msgs.length === 1 ? msgs[0]! : makeCompound(msgs), m);
    }
  }

  // ---- sending ----

  #getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    const out = this.#broadcasts.getBroadcasts(overhead, limit);
    const delegate = this.#o.delegate;
    if (delegate === undefined) return out;
    let used = 0;
    for (const m of out) used += m.length + overhead;
    const avail = limit - used;
    if (avail <= overhead + USER_MSG_OVERHEAD) return out;
    for (const msg of delegate.getBroadcasts(overhead + USER_MSG_OVERHEAD, avail)) out.push(encodeMessage({ type: 'user', payload: msg }));
    return out;
  }

  /** `sendMsg`: piggy-backs whatever broadcasts fit beside `msg`. */
  #sendMsg(to: GossipAddress, msg: Uint8Array, node?: Member): void {
    let avail = this.timing.udpBufferSize - msg.length - COMPOUND_HEADER_OVERHEAD;
    if (this.#o.keyring?.enabled) avail -= ENCRYPT_OVERHEAD;
    const extra = this.#getBroadcasts(COMPOUND_OVERHEAD, avail);
    this.#sendRaw(to, extra.length === 0 ? msg : makeCompound([msg, ...extra]), node);
  }

  /** `rawSendMsgPacket`: compress if smaller, CRC for protocol ≥ 5 peers, encrypt. */
  #sendRaw(to: GossipAddress, msg: Uint8Array, node?: Member): void {
    if (this.#closed) return;
    let out = msg;
    if (this.#o.compression ?? true) {
      const compressed = encodeCompressed(out);
      if (compressed.length < out.length) out = compressed;
    }
    if (node !== undefined && node.vsn[1]! >= 5) out = withCrc(out);
    if (this.#o.keyring?.enabled) out = this.#o.keyring.encryptPacket(out);
    this.stats.packetsOut++;
    this.stats.bytesOut += out.length;
    this.#transport.sendPacket(to, out);
  }

  #wrapStream(inner: Uint8Array): Uint8Array {
    const keyring = this.#o.keyring;
    return wrapStream(inner, { compress: this.#o.compression ?? true, ...(keyring?.enabled ? { seal: (plain: Uint8Array, aad: Uint8Array) => keyring.seal(plain, aad) } : {}) });
  }

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0;
    return this.#seq;
  }

  #expectAck(seqNo: number, window: Duration, h: { onAck: () => void; onNack: () => void; onTimeout: () => void }): void {
    const timer = this.#clock.setTimer(window, () => {
      this.#acks.delete(seqNo);
      h.onTimeout();
    });
    this.#acks.set(seqNo, {
      onAck: () => {
        timer.cancel();
        this.#acks.delete(seqNo);
        h.onAck();
      },
      onNack: h.onNack,
      timer,
    });
  }

  // ---- receiving ----

  #drop(reason: DropReason): void {
    this.drops.count(reason);
  }

  #onPacket(bytes: Uint8Array, from: GossipAddress): void {
    if (this.#closed) return;
    this.stats.packetsIn++;
    this.stats.bytesIn += bytes.length;
    let plain = bytes;
    if (this.#o.keyring?.enabled) {
      const opened = this.#o.keyring.decryptPacket(bytes);
      if (!opened.ok) return this.#drop(opened.reason);
      plain = opened.value;
    }
    const unpacked = unpackPacket(plain, { onDrop: (d) => this.#drop(d.reason) });
    if (!unpacked.ok) return this.#drop(unpacked.reason);
    for (const m of unpacked.value) this.#handle(m, from);
  }

  #handle(m: MemberlistMessage, from: GossipAddress): void {
    switch (m.type) {
      case 'ping': {
        if (m.body.node !== '' && m.body.node !== this.name) return this.#drop('not-for-us');
        const to = m.body.sourceAddr !== undefined && m.body.sourceAddr.length > 0 && m.body.sourcePort !== undefined ? { address: addressText(m.body.sourceAddr), port: m.body.sourcePort } : from;
        this.#sendMsg(to, encodeMessage({ type: 'ack', body: { seqNo: m.body.seqNo, payload: null } }));
        return;
      }
      case 'indirectPing':
        return this.#relayPing(m.body, from);
      case 'ack':
        this.#acks.get(m.body.seqNo)?.onAck();
        return;
      case 'nack':
        this.#acks.get(m.body.seqNo)?.onNack();
        return;
      case 'suspect':
        return this.#state.suspect(m.body);
      case 'alive':
        return this.#state.alive(m.body);
      case 'dead':
        return this.#state.dead(m.body);
      case 'user':
        this.#o.delegate?.notifyMsg(m.payload);
        return;
      default:
        // pushPull and err belong on streams; anything else is not a packet message.
        return this.#drop('unsupported');
    }
  }

  /** `handleIndirectPing`: ping the target for the requester; ack or nack back to it. */
  #relayPing(ind: Extract<MemberlistMessage, { type: 'indirectPing' }>['body'], from: GossipAddress): void {
    const requester = ind.sourceAddr !== undefined && ind.sourceAddr.length > 0 && ind.sourcePort !== undefined ? { address: addressText(ind.sourceAddr), port: ind.sourcePort } : from;
    const seqNo = this.#nextSeq();
    this.#expectAck(seqNo, this.timing.probeTimeout, {
      onAck: () => this.#sendMsg(requester, encodeMessage({ type: 'ack', body: { seqNo: ind.seqNo, payload: null } })),
      onNack: () => undefined,
      onTimeout: () => {
        if (ind.nack) this.#sendMsg(requester, encodeMessage({ type: 'nack', body: { seqNo: ind.seqNo } }));
      },
    });
    const ping = encodeMessage({ type: 'ping', body: { seqNo, node: ind.node, sourceAddr: ipv4Bytes(this.local.address), sourcePort: this.local.port, sourceNode: this.name } });
    this.#sendMsg({ address: addressText(ind.target), port: ind.port }, ping);
  }

  // ---- streams ----

  async #dial(to: GossipAddress): Promise<GossipStream> {
    const stream = await this.#transport.dial(to, this.timing.tcpTimeout);
    this.stats.streamsOut++;
    this.#streams.add(stream);
    return stream;
  }

  /** `pushPullNode`: our state out, theirs in, merged. */
  async #pushPull(to: GossipAddress, join: boolean): Promise<void> {
    const stream = await this.#dial(to);
    try {
      stream.write(this.#wrapStream(this.#localState(join)));
      const reply = await this.#readStream(stream);
      if (reply.type !== 'pushPull') throw new Error(`expected a push/pull reply, got ${reply.type}`);
      this.#mergeRemote(reply, join);
    } finally {
      stream.destroy();
      this.#streams.delete(stream);
    }
  }

  #localState(join: boolean): Uint8Array {
    const states: PushNodeState[] = this.#state.localStates();
    const userState = this.#o.delegate?.localState(join) ?? new Uint8Array(0);
    return encodePushPull({ join, states, userState });
  }

  #mergeRemote(m: Extract<StreamMessage, { type: 'pushPull' }>, join: boolean): void {
    this.#state.merge(m.states);
    if (m.userState.length > 0) this.#o.delegate?.mergeRemoteState(m.userState, join);
  }

  /** `sendPingAndWaitForAck` over TCP: true when the node answered. */
  async #tcpPing(to: GossipAddress, node: string, seqNo: number, deadline: Duration): Promise<boolean> {
    let stream: GossipStream | undefined;
    try {
      stream = await this.#dial(to);
      stream.write(this.#wrapStream(encodeMessage({ type: 'ping', body: { seqNo, node, sourceAddr: ipv4Bytes(this.local.address), sourcePort: this.local.port, sourceNode: this.name } })));
      const reply = await this.#readStream(stream, deadline);
      return reply.type === 'ack' && reply.body.seqNo === seqNo;
    } catch {
      return false;
    } finally {
      if (stream) {
        stream.destroy();
        this.#streams.delete(stream);
      }
    }
  }

  /** `handleConn`: one message in, the answer out. */
  async #onStream(stream: GossipStream): Promise<void> {
    if (this.#closed) return stream.destroy();
    this.stats.streamsIn++;
    this.#streams.add(stream);
    try {
      const m = await this.#readStream(stream);
      switch (m.type) {
        case 'pushPull':
          stream.write(this.#wrapStream(this.#localState(m.header.join)));
          stream.end();
          this.#mergeRemote(m, m.header.join);
          break;
        case 'ping':
          if (m.body.node !== '' && m.body.node !== this.name) {
            this.#drop('not-for-us');
            break;
          }
          stream.write(this.#wrapStream(encodeMessage({ type: 'ack', body: { seqNo: m.body.seqNo, payload: null } })));
          stream.end();
          break;
        case 'user':
          this.#o.delegate?.notifyMsg(m.payload);
          break;
        default:
          this.#drop('unsupported');
      }
    } catch {
      /* counted where it was found (a drop reason or a timeout) */
    } finally {
      this.#streams.delete(stream);
      stream.end();
    }
  }

  /** Reads one stream message (decrypting and decompressing), bounded by `timeout`. */
  #readStream(stream: GossipStream, timeout: Duration = this.timing.tcpTimeout): Promise<StreamMessage> {
    return new Promise((resolve, reject) => {
      let buffered = new Uint8Array(0);
      let done = false;
      const finish = (error?: Error, message?: StreamMessage) => {
        if (done) return;
        done = true;
        timer.cancel();
        if (error) reject(error);
        else resolve(message!);
      };
      const timer = this.#clock.setTimer(timeout, () => {
        this.#drop('truncated');
        finish(new Error('stream read timed out'));
      });
      stream.onData((chunk) => {
        if (done) return;
        const next = new Uint8Array(buffered.length + chunk.length);
        next.set(buffered);
        next.set(chunk, buffered.length);
        buffered = next;
        this.stats.bytesIn += chunk.length;
        const keyring = this.#o.keyring;
        const parsed = parseStream(buffered, keyring?.enabled ? { open: (sealed, aad) => keyring.open(sealed, aad) } : {});
        if (parsed.kind === 'incomplete') return;
        if (parsed.kind === 'ok') return finish(undefined, parsed.message);
        this.#drop(parsed.drop.reason);
        finish(new Error(`bad stream: ${parsed.drop.reason}`));
      });
      stream.onClose(() => {
        if (!done) this.#drop('truncated');
        finish(new Error('stream closed before a whole message arrived'));
      });
    });
  }
}
