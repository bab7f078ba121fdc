import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { HostHandle, HostRequestError, HostTimeoutError, HostUnavailableError } from '../../src/cluster/host-handle.js';
import type { ControlRequest } from '../../src/host/control.js';

const open: MessagePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** A handle on one end of a channel, and the other end standing in for the host. */
function pair(options: { requestTimeoutMs?: number } = {}) {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const handle = new HostHandle('worker-1', port1, options);
  const requests: ControlRequest[] = [];
  const waiting: ((r: ControlRequest) => void)[] = [];
  port2.on('message', (m: ControlRequest) => {
    const w = waiting.shift();
    if (w) w(m);
    else requests.push(m);
  });
  const nextRequest = () => new Promise<ControlRequest>((resolve) => (requests.length > 0 ? resolve(requests.shift()!) : waiting.push(resolve)));
  return { handle, host: port2, nextRequest };
}

describe('HostHandle', () => {
  it('resolves ready with the underlay endpoint and matches responses to requests by id', async () => {
    const { handle, host, nextRequest } = pair();
    host.postMessage({ event: 'ready', host: 'worker-1', underlay: { address: '127.3.4.2', port: 4789 } });
    await expect(handle.ready(1000)).resolves.toEqual({ address: '127.3.4.2', port: 4789 });
    expect(handle.state).toBe('running');
    const a = handle.stats();
    const b = handle.removeNetwork('ov').catch((e: unknown) => e);
    const ra = await nextRequest();
    const rb = await nextRequest();
    expect([ra.type, rb.type]).toEqual(['stats', 'removeNetwork']);
    expect(rb.params).toEqual({ name: 'ov' });
    // answered out of order
    host.postMessage({ id: rb.id, ok: false, error: { code: 'no-such-network', message: 'network ov not found' } });
    host.postMessage({ id: ra.id, ok: true, value: { host: 'worker-1' } });
    await expect(a).resolves.toEqual({ host: 'worker-1' });
    const err = await b;
    expect(err).toBeInstanceOf(HostRequestError);
    expect(err).toMatchObject({ code: 'no-such-network', message: 'host "worker-1": network ov not found' });
  });

  it('times out a request with an error naming the host and the request', async () => {
    const { handle, host } = pair({ requestTimeoutMs: 30 });
    host.postMessage({ event: 'ready', host: 'worker-1', underlay: { address: '127.0.0.1', port: 40000 } });
    await handle.ready(1000);
    const err = await handle.stats().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostTimeoutError);
    expect((err as Error).message).toMatch(/^host "worker-1": request stats \(id \d+\) got no response within 30 ms$/);
  });

  it('rejects pending requests and later ones when the host reports fatal', async () => {
    const { handle, host, nextRequest } = pair();
    host.postMessage({ event: 'ready', host: 'worker-1', underlay: { address: '127.0.0.1', port: 40000 } });
    await handle.ready(1000);
    const failures: Error[] = [];
    handle.onFailure((e) => failures.push(e));
    const pending = handle.exec({ container: 'c', argv: ['sleep', '100'] });
    await nextRequest();
    host.postMessage({ event: 'fatal', host: 'worker-1', error: { code: 'crashed', message: 'boom' } });
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnavailableError);
    expect((err as Error).message).toBe('host "worker-1": exec failed: host failed: boom');
    expect(handle.state).toBe('failed');
    expect(failures.map((e) => e.message)).toEqual(['boom']);
    await expect(handle.stats()).rejects.toThrow(/host "worker-1": stats failed: host failed: boom/);
    await expect(handle.shutdown()).resolves.toBeUndefined();
  });

  it('rejects a ready wait when the host fails before it is ready, or after a bounded time', async () => {
    const a = pair();
    const ready = a.handle.ready(1000);
    a.handle.fail(new Error('could not bind'));
    await expect(ready).rejects.toThrow(/host "worker-1": ready failed: host failed: could not bind/);
    const b = pair();
    await expect(b.handle.ready(20)).rejects.toThrow(/not ready within 20 ms/);
  });

  it('close rejects what is pending and refuses new requests', async () => {
    const { handle, nextRequest } = pair();
    const pending = handle.captureStop();
    await nextRequest();
    handle.close();
    await expect(pending).rejects.toThrow(/captureStop failed: host is stopped/);
    await expect(handle.stats()).rejects.toBeInstanceOf(HostUnavailableError);
  });
});
