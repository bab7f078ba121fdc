import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { HostHandle, HostRequestError } from '../../src/cluster/host-handle.js';
import { MemoryNetwork } from '../../src/dataplane/index.js';
import { ControlServer } from '../../src/host/control-server.js';
import { isControlRequest, isControlResponse, isHostEvent } from '../../src/host/control.js';
import { Host } from '../../src/host/host.js';
import { ManualClock } from '../../src/util/clock.js';
import { RecordingStack, TEST_PROGRAMS } from './fixtures.js';

const ports: MessagePort[] = [];
const hosts: Host[] = [];
afterEach(async () => {
  for (const p of ports.splice(0)) p.close();
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

function serve() {
  const network = new MemoryNetwork();
  const host = new Host({
    name: 'worker-1',
    underlay: network.attach('127.6.6.1', 4789),
    clock: new ManualClock(),
    seed: 1,
    programs: TEST_PROGRAMS,
    createStack: () => new RecordingStack(),
  });
  hosts.push(host);
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const server = new ControlServer(port2, host);
  const handle = new HostHandle('worker-1', port1, { requestTimeoutMs: 2000 });
  return { host, server, handle, client: port1 };
}

describe('control protocol', () => {
  it('recognises requests, responses and events by shape', () => {
    expect(isControlRequest({ id: 1, type: 'stats', params: {} })).toBe(true);
    expect(isControlRequest({ id: 1, type: 'format-disk', params: {} })).toBe(false);
    expect(isControlRequest({ id: '1', type: 'stats', params: {} })).toBe(false);
    expect(isControlRequest({ id: 1, type: 'stats' })).toBe(false);
    expect(isControlResponse({ id: 1, ok: true, value: null })).toBe(true);
    expect(isHostEvent({ event: 'ready', host: 'h', underlay: { address: '127.0.0.1', port: 1 } })).toBe(true);
    expect(isHostEvent({ event: 'other' })).toBe(false);
  });
});

describe('ControlServer with HostHandle', () => {
  it('announces ready and serves requests end to end', async () => {
    const { server, handle } = serve();
    server.announceReady();
    expect(await handle.ready(1000)).toEqual({ address: '127.6.6.1', port: 4789 });
    await handle.createNetwork({ name: 'ov', driver: 'overlay', vni: 4097, subnet: '10.0.1.0', prefixLength: 24, gateway: '10.0.1.1' });
    const info = await handle.createContainer({ name: 'c', networks: [{ network: 'ov', ip: '10.0.1.2' }] });
    expect(info.interfaces.map((i) => i.ip)).toEqual(['10.0.1.2', '172.18.0.2']);
    expect(await handle.exec({ container: 'c', argv: ['echo', 'x'], timeoutMs: 1000 })).toMatchObject({ stdout: expect.stringMatching(/^x @/), exitCode: 0 });
    expect(await handle.addPeer({ network: 'ov', ip: '10.0.1.3', mac: '02:42:0a:00:01:03', vtepAddress: '127.6.6.1', vtepPort: 4789 })).toEqual({ ignored: true });
    const stats = await handle.stats();
    expect(stats.interfaces).toHaveLength(2);
    expect(stats.drops).toEqual({});
    const err = await handle.createNetwork({ name: 'ov', driver: 'overlay', vni: 4098, subnet: '10.0.2.0', prefixLength: 24, gateway: '10.0.2.1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostRequestError);
    expect(err).toMatchObject({ code: 'already-exists', message: 'host "worker-1": network with name ov already exists' });
  });

  it('answers a malformed request with bad-request instead of failing', async () => {
    const { client } = serve();
    const reply = new Promise((resolve) => client.once('message', resolve));
    client.postMessage({ id: 99, type: 'format-disk', params: {} });
    expect(await reply).toEqual({ id: 99, ok: false, error: { code: 'bad-request', message: 'not a control request' } });
  });

  it('shutdown closes the host, acknowledges, settles done, and refuses later requests', async () => {
    const { server, handle, client } = serve();
    server.announceReady();
    await handle.ready(1000);
    await handle.createContainer({ name: 'c', networks: [{ network: 'bridge' }] });
    await handle.shutdown();
    await expect(server.done).resolves.toBeUndefined();
    expect(handle.state).toBe('stopped');
    const reply = new Promise((resolve) => client.once('message', resolve));
    client.postMessage({ id: 5, type: 'stats', params: {} });
    expect(await reply).toEqual({ id: 5, ok: false, error: { code: 'host-closed', message: 'host worker-1 is shut down' } });
  });

  it('a crash request makes done reject (the worker turns that into a fatal event)', async () => {
    const { server, handle } = serve();
    server.announceReady();
    await handle.ready(1000);
    const done = server.done.catch((e: unknown) => e);
    const crash = handle.request('crash', { message: 'injected' }, 200).catch((e: unknown) => e);
    expect(await done).toMatchObject({ code: 'crashed', message: 'injected' });
    // never answered: the client learns of it from the fatal event (here: the timeout)
    expect(await crash).toMatchObject({ code: 'host-timeout' });
  });
});
