import { describe, expect, it } from 'vitest';
import { gossipBootstrap } from '../../src/host/daemon.js';
import { gossipKeyOrder } from '../../src/host/network-agent.js';
import type { PbEncryptionKey, PbSessionMessage } from '../../src/wire/swarmkit.js';

const key = (subsystem: string, lamport: number): PbEncryptionKey => ({ subsystem, algorithm: 'AES_128_GCM', key: new Uint8Array(16).fill(lamport), lamport_time: lamport });

describe('the network agent’s keys and bootstrap (moby agent.go)', () => {
  it('uses the gossip keys only, the second-oldest as primary: [middle, oldest, newest]', () => {
    const keys = [key('networking:ipsec', 4), key('networking:gossip', 3), key('networking:gossip', 1), key('networking:ipsec', 5), key('networking:gossip', 2)];
    expect(gossipKeyOrder(keys).map((k) => k[0])).toEqual([2, 1, 3]);
    expect(gossipKeyOrder([key('networking:ipsec', 1)])).toEqual([]);
  });

  it('joins every manager on 7946, or on the port swarmnet’s session extension names', () => {
    const message = {
      managers: [
        { peer: { node_id: 'm1', addr: '127.1.2.1:2377' }, weight: 10000 },
        { peer: { node_id: 'm2', addr: '127.0.0.1:40001' }, weight: 10000 },
      ],
      swarmnet_gossip_peers: [{ node_id: 'm2', addr: '127.0.0.1:40123' }],
    } as unknown as PbSessionMessage;
    expect(gossipBootstrap(message)).toEqual([
      { address: '127.1.2.1', port: 7946 },
      { address: '127.0.0.1', port: 40123 },
    ]);
  });
});
