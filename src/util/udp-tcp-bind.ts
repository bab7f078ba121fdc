/**
 * One UDP socket and one TCP listener on the same address and port — what memberlist (7946) and
 * a DNS server (53) both need. With port 0 the kernel picks the UDP port and the TCP listener
 * takes the same number; if that number is taken for TCP, another is tried.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';

/** Attempts to find a port free for both UDP and TCP when any port will do. */
const PORT_ATTEMPTS = 20;

export async function bindUdpAndTcp(address: string, port: number, udpOptions: { recvBufferSize?: number } = {}): Promise<{ udp: Socket; tcp: Server; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < (port === 0 ? PORT_ATTEMPTS : 1); attempt++) {
    const udp = createSocket({ type: 'udp4', ...udpOptions });
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address, port, exclusive: true }, () => {
          udp.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      udp.close();
      throw error;
    }
    const bound = udp.address().port;
    const tcp = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port: bound, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      return { udp, tcp, port: bound };
    } catch (error) {
      lastError = error;
      udp.close();
      tcp.close();
    }
  }
  throw lastError;
}
