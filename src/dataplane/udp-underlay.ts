/**
 * The real underlay: VXLAN datagrams over UDP sockets on a loopback address.
 *
 * Two sockets, as a Linux host has them: `rx` bound to the data-path endpoint (address, port —
 * 4789 in address mode, any port in port mode) receives every host's datagrams; `tx` is bound to
 * (address, 0), so datagrams leave from an ephemeral port as Linux's vxlan does (its source port
 * comes from the ephemeral range, reference §1.1). `sourcePort` is that port. `rx` gets a large
 * receive buffer (default 4 MiB) right after binding: with Linux's default ~208 KiB a burst from
 * two other hosts' threads overflows it (measured: 3–9 % loss).
 *
 * Per peer, a connected socket bound to that same source port (SO_REUSEADDR) carries the sends
 * once connected, as Linux's vxlan keeps a cached route per remote VTEP: a connected dgram socket
 * sends without Node's per-send address lookup (a nextTick each) and without the kernel's route
 * lookup. Until the connect completes, sends go through `tx` unconnected. The number of peers is
 * bounded by `UDP_UNDERLAY_MAX_CONNECTED_PEERS`; beyond it sends stay unconnected.
 *
 * Nothing here throws after `open`: every socket 'error' event is handled (an unhandled one would
 * kill the host's worker thread); a send that fails — synchronously (socket closed, bad port) or
 * in the send callback (EMSGSIZE …) — is counted in `sendErrors` and reported to `onSendError`.
 */
import { createSocket, type Socket } from 'node:dgram';
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import type { DatagramHandler, Underlay, UnderlayEndpoint } from './underlay.js';

/** Receive buffer asked for on the data-path socket (the kernel caps it at net.core.rmem_max). */
export const UDP_UNDERLAY_DEFAULT_RECEIVE_BUFFER = 4 * 1024 * 1024;
/** Connected per-peer sockets kept at most (a cluster has at most 64 hosts; port mode peers). */
export const UDP_UNDERLAY_MAX_CONNECTED_PEERS = 256;

/** A peer's connected socket: `ready` once its connect completed. */
interface PeerSocket {
  readonly socket: Socket;
  ready: boolean;
}

export interface UdpUnderlayOptions {
  /** A loopback IPv4 address (127.x.y.z). */
  readonly address: string;
  /** 4789 in address mode; 0 picks a free port (port mode). */
  readonly port: number;
  /** SO_RCVBUF for the data-path socket, bytes. */
  readonly receiveBufferBytes?: number;
}

/** The underlay could not be opened (address in use, not a local address …). */
export class UnderlayOpenError extends SwarmnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('underlay-open-failed', message, options);
    this.name = 'UnderlayOpenError';
  }
}

export class UdpUnderlay implements Underlay {
  static async open(opts: UdpUnderlayOptions): Promise<UdpUnderlay> {
    const { address, port } = opts;
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) {
      throw new InvalidArgumentError(`underlay address must be a loopback IPv4 address (127.x.y.z): ${JSON.stringify(address)}`);
    }
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new InvalidArgumentError(`underlay port out of range 0..65535: ${port}`);
    const receiveBuffer = opts.receiveBufferBytes ?? UDP_UNDERLAY_DEFAULT_RECEIVE_BUFFER;
    if (!Number.isInteger(receiveBuffer) || receiveBuffer <= 0) {
      throw new InvalidArgumentError(`receive buffer must be a positive integer of bytes: ${receiveBuffer}`);
    }
    const rx = createSocket({ type: 'udp4' });
    const tx = createSocket({ type: 'udp4', reuseAddr: true });
    try {
      await bind(rx, address, port);
      await bind(tx, address, 0);
    } catch (e) {
      await Promise.all([closeSocket(rx), closeSocket(tx)]).then(handlesReleased);
      const why = e instanceof Error ? e.message : String(e);
      throw new UnderlayOpenError(`cannot open the underlay on ${address}:${port}: ${why}`, { cause: e });
    }
    const underlay = new UdpUnderlay(rx, tx, { address, port: rx.address().port }, tx.address().port);
    try {
      rx.setRecvBufferSize(receiveBuffer);
    } catch {
      // The kernel refused the size (a hardened sysctl): the default buffer still works, only burstier.
      underlay.receiveBufferRefused = true;
    }
    return underlay;
  }

  /** Sends that failed (counted, reported through `onSendError`). */
  sendErrors = 0;
  /** 'error' events on either socket that were not about a send. */
  socketErrors = 0;
  /** Datagrams received before a handler was installed. */
  unhandledDatagrams = 0;
  /** True when the kernel would not take the receive buffer size asked for. */
  receiveBufferRefused = false;

  private handler: DatagramHandler | undefined;
  /** Connected sockets by peer address, then port. */
  private readonly peers = new Map<string, Map<number, PeerSocket>>();
  private peerCount = 0;
  /** The peer of the last send: a flood goes to one peer, and the VTEP passes the same address
   * string each time, so two comparisons replace the two map lookups. */
  private lastAddress = '';
  private lastPort = -1;
  private lastPeer: PeerSocket | undefined;
  private sendErrorHandler: ((error: Error) => void) | undefined;
  private socketErrorHandler: ((error: Error) => void) | undefined;
  private closing: Promise<void> | undefined;
  private readonly afterSend = (error: Error | null): void => {
    if (error) this.failSend(error);
  };

  private constructor(
    private readonly rx: Socket,
    private readonly tx: Socket,
    readonly local: UnderlayEndpoint,
    readonly sourcePort: number,
  ) {
    rx.on('message', (msg, rinfo) => {
      const h = this.handler;
      if (h === undefined) this.unhandledDatagrams++;
      // A plain Uint8Array view of the datagram (no copy): every layer above takes subarrays of it,
      // and a Buffer's subarray builds a FastBuffer through Node's slower path each time.
      else h(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), rinfo.address, rinfo.port);
    });
    // A send error without a callback would surface here; ours all have callbacks, so these are
    // receive-side or socket-level errors.
    rx.on('error', (e) => this.failSocket(e));
    tx.on('error', (e) => this.failSocket(e));
  }

  send(chunks: readonly Uint8Array[], address: string, port: number): void {
    try {
      // dgram sends the chunks with one sendmsg (iovec); the callback counts send errors. It stays
      // although each successful send then costs a nextTick (~0.2 µs of a ~6 µs send here): Node
      // reports a send's error only to its callback (lib/dgram.js doSend: `if (err && callback)`;
      // no 'error' event), so without one an EMSGSIZE or a connected socket's ECONNREFUSED would
      // vanish uncounted.
      // One chunk goes as is: dgram wraps every element of a list in a new Buffer.
      const data = chunks.length === 1 ? chunks[0] : chunks;
      let peer = this.lastPeer;
      if (address !== this.lastAddress || port !== this.lastPort || peer === undefined) {
        peer = this.peers.get(address)?.get(port) ?? this.connectPeer(address, port);
        this.lastAddress = address;
        this.lastPort = port;
        this.lastPeer = peer;
      }
      if (peer !== undefined && peer.ready) peer.socket.send(data, this.afterSend);
      else this.tx.send(data, port, address, this.afterSend);
    } catch (e) {
      this.failSend(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Starts a connected socket towards one peer, sharing `tx`'s source port. */
  private connectPeer(address: string, port: number): PeerSocket | undefined {
    if (this.closing !== undefined || this.peerCount >= UDP_UNDERLAY_MAX_CONNECTED_PEERS) return undefined;
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    const peer: PeerSocket = { socket, ready: false };
    let byPort = this.peers.get(address);
    if (byPort === undefined) this.peers.set(address, (byPort = new Map()));
    byPort.set(port, peer);
    this.peerCount++;
    // ICMP errors from a dead peer come back on a connected socket (ECONNREFUSED): they reach the
    // send callback or this handler, never the event loop unhandled.
    socket.on('error', (e) => this.failSocket(e));
    // Datagrams a peer might send to our source port are not part of the protocol: drop them.
    socket.on('message', () => {});
    socket.bind({ address: this.local.address, port: this.sourcePort }, () => {
      socket.connect(port, address, () => {
        peer.ready = this.closing === undefined;
      });
    });
    return peer;
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  onSendError(handler: (error: Error) => void): void {
    this.sendErrorHandler = handler;
  }

  /** Errors of the sockets themselves (not of one send). */
  onSocketError(handler: (error: Error) => void): void {
    this.socketErrorHandler = handler;
  }

  /** Closes both sockets; resolves once both handles are released. Idempotent. */
  close(): Promise<void> {
    this.closing ??= Promise.all([
      closeSocket(this.rx),
      closeSocket(this.tx),
      ...[...this.peers.values()].flatMap((m) => [...m.values()].map((p) => closeSocket(p.socket))),
    ]).then(handlesReleased);
    return this.closing;
  }

  private failSend(error: Error): void {
    this.sendErrors++;
    this.sendErrorHandler?.(error);
  }

  private failSocket(error: Error): void {
    this.socketErrors++;
    this.socketErrorHandler?.(error);
  }
}

function bind(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    socket.once('error', onError);
    socket.bind({ address, port }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** Closes a socket, bound or not, and resolves when it is closed (at once if already closed). */
function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    // A late error on a socket being closed must not go unhandled (it would kill the thread).
    socket.on('error', ignoreError);
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // ERR_SOCKET_DGRAM_NOT_RUNNING: closed already
    }
  });
}

function ignoreError(): void {}

/**
 * dgram emits 'close' as soon as it asks libuv to close the handle; libuv releases it in the
 * close-callbacks phase that ends the current loop iteration. Two check-phase turns later that
 * phase has run, so the handle no longer shows in `process.getActiveResourcesInfo()`.
 */
function handlesReleased(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
