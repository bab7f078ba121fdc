/**
 * `@expose-dns CONTAINER ADDR:PORT`: the container's embedded DNS on real sockets, so `dig` and
 * other tools on this machine can ask it. UDP and TCP (RFC 1035 §4.2.2: two-octet length prefix)
 * on one loopback address and port — never anything else: swarmnet's sockets stay in 127.0.0.0/8.
 * Each query is answered exactly as the container's resolver at 127.0.0.11 answers it.
 */
import type { Socket } from 'node:dgram';
import type { Server, Socket as TcpSocket } from 'node:net';
import { bindUdpAndTcp } from '../util/udp-tcp-bind.js';
import { SwarmnetError } from '../util/errors.js';

/** The largest DNS-over-TCP message (the length prefix is 16 bits). */
const MAX_TCP_MESSAGE = 65_535;

export type DnsAnswerer = (query: Uint8Array, transport: 'udp' | 'tcp') => Promise<Uint8Array | undefined>;

export class DnsExposure {
  readonly #udp: Socket;
  readonly #tcp: Server;
  readonly #open = new Set<TcpSocket>();
  readonly address: string;
  readonly port: number;

  private constructor(udp: Socket, tcp: Server, address: string, port: number) {
    this.#udp = udp;
    this.#tcp = tcp;
    this.address = address;
    this.port = port;
  }

  static async open(address: string, port: number, answer: DnsAnswerer): Promise<DnsExposure> {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) throw new SwarmnetError('invalid-argument', `the DNS can only be exposed on a loopback address (127.0.0.0/8), not ${address}`);
    const { udp, tcp, port: bound } = await bindUdpAndTcp(address, port);
    const exposure = new DnsExposure(udp, tcp, address, bound);
    udp.on('message', (msg, rinfo) => {
      void answer(new Uint8Array(msg), 'udp').then((reply) => {
        if (reply !== undefined) udp.send(reply, rinfo.port, rinfo.address, () => undefined);
      });
    });
    udp.on('error', () => undefined);
    tcp.on('connection', (socket) => exposure.#serveTcp(socket, answer));
    tcp.on('error', () => undefined);
    return exposure;
  }

  async close(): Promise<void> {
    for (const s of this.#open) s.destroy();
    await Promise.all([new Promise<void>((r) => this.#udp.close(() => r())), new Promise<void>((r) => this.#tcp.close(() => r()))]);
  }

  #serveTcp(socket: TcpSocket, answer: DnsAnswerer): void {
    this.#open.add(socket);
    socket.on('close', () => this.#open.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        const query = new Uint8Array(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        void answer(query, 'tcp').then((reply) => {
          if (socket.destroyed) return;
          if (reply === undefined || reply.length > MAX_TCP_MESSAGE) return void socket.destroy();
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([prefix, reply]));
        });
      }
    });
  }
}
