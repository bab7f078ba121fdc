import { afterEach, describe, expect, it } from 'vitest';
import { UdpUnderlay, UnderlayOpenError } from '../../src/dataplane/udp-underlay.js';
import { InvalidArgumentError } from '../../src/util/errors.js';

const open: UdpUnderlay[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((u) => u.close()));
});

async function underlay(port = 0): Promise<UdpUnderlay> {
  const u = await UdpUnderlay.open({ address: '127.0.0.1', port });
  open.push(u);
  return u;
}

/** Resolves with the next datagram `u` receives, or rejects after `ms` of real time. */
function nextDatagram(u: UdpUnderlay, ms = 5000): Promise<{ data: Uint8Array; from: string; port: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no datagram within ${ms} ms`)), ms);
    u.onDatagram((data, from, port) => {
      clearTimeout(timer);
      resolve({ data, from, port });
    });
  });
}

function udpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}

describe('UdpUnderlay', () => {
  it('carries a gathered datagram both ways between two underlays on 127.0.0.1', async () => {
    const a = await underlay();
    const b = await underlay();
    expect(a.local.port).toBeGreaterThan(0);
    expect(a.sourcePort, 'sends leave from a port of their own').not.toBe(a.local.port);

    const atB = nextDatagram(b);
    a.send([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])], b.local.address, b.local.port);
    const got = await atB;
    expect(new Uint8Array(got.data)).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
    expect(got.from).toBe('127.0.0.1');
    expect(got.port, 'the source is the tx socket port').toBe(a.sourcePort);

    const atA = nextDatagram(a);
    b.send([new Uint8Array([9])], a.local.address, a.local.port);
    expect(new Uint8Array((await atA).data)).toEqual(new Uint8Array([9]));
    expect(a.sendErrors + b.sendErrors).toBe(0);
  });

  it('close() releases both sockets and resolves once they are closed; twice is fine', async () => {
    const before = udpHandles();
    const u = await UdpUnderlay.open({ address: '127.0.0.1', port: 0 });
    expect(udpHandles()).toBe(before + 2);
    await u.close();
    await u.close();
    expect(udpHandles()).toBe(before);
  });

  it('reports a failed send (EMSGSIZE) through onSendError and never throws', async () => {
    const a = await underlay();
    const errors: Error[] = [];
    const reported = new Promise<void>((resolve) => a.onSendError((e) => {
      errors.push(e);
      resolve();
    }));
    // Larger than any UDP datagram over IPv4 (65 507 bytes of payload).
    expect(() => a.send([new Uint8Array(70_000)], '127.0.0.1', a.local.port)).not.toThrow();
    await reported;
    expect(a.sendErrors).toBe(1);
    expect(errors[0].message).toMatch(/EMSGSIZE/);
  });

  it('counts a send that fails synchronously (port 0, or after close) instead of throwing', async () => {
    const a = await UdpUnderlay.open({ address: '127.0.0.1', port: 0 });
    const errors: Error[] = [];
    a.onSendError((e) => errors.push(e));
    a.send([new Uint8Array(1)], '127.0.0.1', 0);
    await a.close();
    expect(() => a.send([new Uint8Array(1)], '127.0.0.1', 9)).not.toThrow();
    expect(a.sendErrors).toBe(2);
    expect(errors).toHaveLength(2);
  });

  it('survives an error event on a socket: counted, reported, not thrown', async () => {
    const a = await underlay();
    const seen: Error[] = [];
    a.onSocketError((e) => seen.push(e));
    // The sockets are private; emit on them the way libuv would report an asynchronous failure.
    const sockets = a as unknown as { rx: NodeJS.EventEmitter; tx: NodeJS.EventEmitter };
    sockets.rx.emit('error', new Error('ECONNREFUSED (test)'));
    sockets.tx.emit('error', new Error('ENOBUFS (test)'));
    expect(a.socketErrors).toBe(2);
    expect(seen.map((e) => e.message)).toEqual(['ECONNREFUSED (test)', 'ENOBUFS (test)']);
  });

  it('refuses a port in use with UnderlayOpenError and leaves no socket behind', async () => {
    const a = await underlay();
    const before = udpHandles();
    await expect(UdpUnderlay.open({ address: '127.0.0.1', port: a.local.port })).rejects.toThrow(UnderlayOpenError);
    expect(udpHandles()).toBe(before);
  });

  it('refuses a non-loopback address before opening anything', async () => {
    await expect(UdpUnderlay.open({ address: '10.0.0.1', port: 0 })).rejects.toThrow(InvalidArgumentError);
  });
});
