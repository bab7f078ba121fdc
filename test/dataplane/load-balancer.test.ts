/**
 * The overlay load balancer (lb-<net> sandbox, IPVS NAT) on real container stacks joined by a
 * hub: VIPs answered in ARP and ping, UDP flows spread round-robin with SNAT to the LB address
 * and tracked until idle, draining backends skipped, a removed VIP gone.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer, UDP_FLOW_TIMEOUT } from '../../src/dataplane/load-balancer.js';
import type { FrameSink } from '../../src/dataplane/link.js';
import type { NetStack } from '../../src/stack/index.js';
import { ManualClock, ms } from '../../src/util/clock.js';
import { attach, ip, makeStack } from '../stack/helpers.js';

/** A shared segment: every frame goes to every other interface. */
function hub(stacks: { stack: NetStack; address: string }[]) {
  const ifaces: FrameSink[] = [];
  stacks.forEach(({ stack, address }, i) => {
    const a = attach(stack, 'eth0', 2, address, 24);
    ifaces.push(a.iface);
    a.out.far = { receiveFrame: (frame: Uint8Array) => ifaces.forEach((f, j) => j !== i && f.receiveFrame(frame.slice())) };
  });
}

const flush = async (clock: ManualClock, n = 20) => {
  for (let i = 0; i < n; i++) {
    clock.advance(ms(1));
    await new Promise((r) => setImmediate(r));
  }
};

function setup() {
  const clock = new ManualClock();
  const [lb, b1, b2, client] = [10, 11, 12, 13].map((seed) => makeStack(clock, seed)) as [ReturnType<typeof makeStack>, ReturnType<typeof makeStack>, ReturnType<typeof makeStack>, ReturnType<typeof makeStack>];
  hub([
    { stack: lb.stack, address: '10.0.1.10' },
    { stack: b1.stack, address: '10.0.1.3' },
    { stack: b2.stack, address: '10.0.1.4' },
    { stack: client.stack, address: '10.0.1.20' },
  ]);
  const seen = { b1: [] as number[], b2: [] as number[] };
  for (const [b, list] of [[b1, seen.b1], [b2, seen.b2]] as const) {
    const s = b.stack.openUdp({ port: 7 });
    if (typeof s === 'string') throw new Error(s);
    s.onMessage((payload, from, port) => {
      list.push(from);
      s.send(payload, from, port);
    });
  }
  const balancer = new LoadBalancer({ stack: lb.stack, iface: 'eth0', clock, drops: lb.drops });
  const VIP = ip('10.0.1.2');
  balancer.update(new Map([[VIP, [{ address: ip('10.0.1.3'), weight: 1 }, { address: ip('10.0.1.4'), weight: 1 }]]]));
  return { clock, lb, client, balancer, seen, VIP };
}

function clientFlow(stack: NetStack) {
  const socket = stack.openUdp();
  if (typeof socket === 'string') throw new Error(socket);
  const replies: { from: number; port: number }[] = [];
  socket.onMessage((_p, from, port) => replies.push({ from, port }));
  return { socket, replies };
}

describe('LoadBalancer (lb-<net>, IPVS NAT)', () => {
  it('answers ARP and ping for the VIP', async () => {
    const { clock, client, VIP } = setup();
    const echo = client.stack.openIcmpEcho();
    const replies: number[] = [];
    echo.onReply((r) => replies.push(r.from));
    echo.send(VIP, 1, 1, new Uint8Array(8));
    await flush(clock);
    expect(replies).toEqual([VIP]);
  });

  it('spreads new flows round-robin, SNATs them to its own address, and answers from the VIP', async () => {
    const { clock, client, seen, VIP } = setup();
    const flows = [clientFlow(client.stack), clientFlow(client.stack), clientFlow(client.stack)];
    for (const f of flows) f.socket.send(Uint8Array.of(1, 2, 3), VIP, 7);
    await flush(clock);
    expect(seen.b1.length + seen.b2.length).toBe(3);
    expect(Math.abs(seen.b1.length - seen.b2.length)).toBe(1);
    expect([...seen.b1, ...seen.b2].every((from) => from === ip('10.0.1.10'))).toBe(true); // SNAT to the LB IP
    for (const f of flows) expect(f.replies).toEqual([{ from: VIP, port: 7 }]);
    // A flow stays on its backend.
    const before = { b1: seen.b1.length, b2: seen.b2.length };
    for (let i = 0; i < 4; i++) flows[0]!.socket.send(Uint8Array.of(9), VIP, 7);
    await flush(clock);
    expect(seen.b1.length - before.b1 === 4 || seen.b2.length - before.b2 === 4).toBe(true);
  });

  it('skips draining backends for new flows and forgets idle flows after IPVS’s UDP timeout', async () => {
    const { clock, client, balancer, seen, VIP } = setup();
    balancer.update(new Map([[VIP, [{ address: ip('10.0.1.3'), weight: 0 }, { address: ip('10.0.1.4'), weight: 1 }]]]));
    for (let i = 0; i < 3; i++) clientFlow(client.stack).socket.send(Uint8Array.of(1), VIP, 7);
    await flush(clock);
    expect(seen.b1).toEqual([]);
    expect(seen.b2).toHaveLength(3);
    expect(balancer.flows).toBe(3);
    clock.advance(UDP_FLOW_TIMEOUT);
    clock.advance(ms(20_000));
    expect(balancer.flows).toBe(0);
  });

  it('a VIP removed is no longer answered; with no live backend a datagram is dropped and counted', async () => {
    const { clock, client, balancer, lb, VIP } = setup();
    balancer.update(new Map([[VIP, [{ address: ip('10.0.1.3'), weight: 0 }]]]));
    clientFlow(client.stack).socket.send(Uint8Array.of(1), VIP, 7);
    await flush(clock);
    expect(lb.drops.get('no-route')).toBe(1);
    balancer.update(new Map());
    expect(balancer.vips).toEqual([]);
    const echo = client.stack.openIcmpEcho();
    const replies: number[] = [];
    echo.onReply((r) => replies.push(r.from));
    echo.send(VIP, 1, 2, new Uint8Array(8));
    await flush(clock, 50);
    expect(replies).toEqual([]);
  });
});
