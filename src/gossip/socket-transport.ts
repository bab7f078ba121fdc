/**
 * memberlist's transport on real sockets (memberlist `net_transport.go`): one UDP socket and one
 * TCP listener on the same address and port — 7946 on the host's own loopback address in address
 * mode, any free port on 127.0.0.1 in port mode. Every socket error is caught and counted: a peer
 * that vanished must never take the host down.
 */
import type { Socket } from 'node:dgram';
import { connect, type Server, type Socket as TcpSocket } from 'node:net';
import { bindUdpAndTcp } from '../util/udp-tcp-bind.js';
import type { Duration } from '../util/clock.js';
import type { GossipAddress, GossipHandlers, GossipStream, GossipTransport } from './transport.js';

/** memberlist `udpRecvBufSize`: 2 MiB asked of the kernel. */
const UDP_RECEIVE_BUFFER = 2 * 1024 * 1024;
/** memberlist `udpPacketBufSize`: the largest datagram read. */
export const MAX_GOSSIP_PACKET = 65_536;

export interface SocketTransportStats {
  sendErrors: number;
  acceptErrors: number;
}

class TcpStream implements GossipStream {
  readonly remote: GossipAddress;
  readonly #socket: TcpSocket;
  constructor(socket: TcpSocket) {
    this.#socket = socket;
    this.remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.on('error', () => socket.destroy());
  }
  onData(handler: (chunk: Uint8Array) => void): void {
    this.#socket.on('data', handler);
  }
  onClose(handler: () => void): void {
    this.#socket.on('close', handler);
  }
  write(bytes: Uint8Array): void {
    if (!this.#socket.destroyed) this.#socket.write(bytes);
  }
  end(): void {
    if (!this.#socket.destroyed) this.#socket.end();
  }
  destroy(): void {
    this.#socket.destroy();
  }
}

export class SocketTransport implements GossipTransport {
  readonly stats: SocketTransportStats = { sendErrors: 0, acceptErrors: 0 };
  readonly #udp: Socket;
  readonly #tcp: Server;
  readonly #open = new Set<TcpSocket>();
  #local: GossipAddress;
  #handlers: GossipHandlers | undefined;
  #closed: Promise<void> | undefined;

  private constructor(udp: Socket, tcp: Server, local: GossipAddress) {
    this.#udp = udp;
    this.#tcp = tcp;
    this.#local = local;
    udp.on('message', (msg, rinfo) => {
      if (msg.length > MAX_GOSSIP_PACKET) return;
      this.#handlers?.packet(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), { address: rinfo.address, port: rinfo.port });
    });
    udp.on('error', () => void this.stats.sendErrors++);
    tcp.on('connection', (socket) => {
      this.#track(socket);
      if (this.#handlers === undefined) return socket.destroy();
      this.#handlers.stream(new TcpStream(socket));
    });
    tcp.on('error', () => void this.stats.acceptErrors++);
  }

  /** Binds UDP and TCP on `address:port`; port 0 finds one free for both. */
  static async bind(address: string, port: number): Promise<SocketTransport> {
    const { udp, tcp, port: bound } = await bindUdpAndTcp(address, port, { recvBufferSize: UDP_RECEIVE_BUFFER });
    return new SocketTransport(udp, tcp, { address, port: bound });
  }

  get local(): GossipAddress {
    return this.#local;
  }

  setHandlers(handlers: GossipHandlers): void {
    this.#handlers = handlers;
  }

  sendPacket(to: GossipAddress, bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#udp.send(bytes, to.port, to.address, (error) => {
      if (error) this.stats.sendErrors++;
    });
  }

  dial(to: GossipAddress, timeout: Duration): Promise<GossipStream> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new Error('transport closed'));
      const socket = connect({ host: to.address, port: to.port, localAddress: this.#local.address });
      this.#track(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`dial ${to.address}:${to.port}: timeout`));
      }, timeout);
      timer.unref();
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new TcpStream(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  close(): Promise<void> {
    return (this.#closed ??= (async () => {
      for (const s of this.#open) s.destroy();
      await Promise.all([new Promise<void>((r) => this.#udp.close(() => r())), new Promise<void>((r) => this.#tcp.close(() => r()))]);
    })());
  }

  #track(socket: TcpSocket): void {
    this.#open.add(socket);
    socket.on('close', () => this.#open.delete(socket));
  }
}
