import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import {
  claimAddressBlock,
  DEFAULT_DATA_PATH_PORT,
  defaultUnderlayMode,
  MAX_CLAIM_ATTEMPTS,
  planUnderlay,
  validateDataPathPort,
} from '../../src/cluster/addressing.js';

const linuxOnly = process.platform === 'linux' ? it : it.skip;

describe('validateDataPathPort', () => {
  it('defaults to 4789 and accepts 1024..49151 like docker swarm init --data-path-port', () => {
    expect(validateDataPathPort(undefined)).toBe(DEFAULT_DATA_PATH_PORT);
    expect(validateDataPathPort(0)).toBe(4789);
    expect(validateDataPathPort(1024)).toBe(1024);
    expect(validateDataPathPort(49151)).toBe(49151);
  });

  it.each([1023, 49152, 65535, 4789.5, -1])('refuses %s with a clear error', (port) => {
    expect(() => validateDataPathPort(port)).toThrow(/data path port must be an integer in 1024-49151/);
  });
});

describe('defaultUnderlayMode', () => {
  it('is address mode on Linux and port mode elsewhere', () => {
    expect(defaultUnderlayMode('linux')).toBe('address');
    expect(defaultUnderlayMode('darwin')).toBe('port');
  });
});

describe('claimAddressBlock', () => {
  linuxOnly('claims 127.A.B.254 and retries another block when one is held', async () => {
    // Another "cluster" holds 127.9.9.254 on the port; the claim must move on to the next pick.
    const held = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      held.once('error', reject);
      held.bind({ address: '127.9.9.254', port: 0, exclusive: true }, resolve);
    });
    const port = held.address().port;
    const picks: [number, number][] = [[9, 9], [9, 10]];
    try {
      const block = await claimAddressBlock(port, () => picks.shift()!);
      expect([block.a, block.b]).toEqual([9, 10]);
      expect(block.hostAddress(1)).toBe('127.9.10.1');
      expect(() => block.hostAddress(254)).toThrow(RangeError);
      await block.release();
      await block.release(); // idempotent
    } finally {
      await new Promise<void>((resolve) => held.close(() => resolve()));
    }
  });

  linuxOnly('gives up after a bounded number of tries with a clear error', async () => {
    const held = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      held.once('error', reject);
      held.bind({ address: '127.9.11.254', port: 0, exclusive: true }, resolve);
    });
    const port = held.address().port;
    let tries = 0;
    try {
      await expect(
        claimAddressBlock(port, () => {
          tries++;
          return [9, 11];
        }),
      ).rejects.toThrow(/could not claim a free 127.A.B.0\/24 block/);
      expect(tries).toBe(MAX_CLAIM_ATTEMPTS);
    } finally {
      await new Promise<void>((resolve) => held.close(() => resolve()));
    }
  });

  it('port mode puts every host on 127.0.0.1 port 0', async () => {
    const plan = await planUnderlay('port', 4789);
    expect(plan.endpointFor(1)).toEqual({ address: '127.0.0.1', port: 0 });
    expect(plan.endpointFor(7)).toEqual({ address: '127.0.0.1', port: 0 });
    await plan.release();
  });
});
