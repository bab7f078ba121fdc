import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOOPBACK_BUDGET } from '../../src/stack/loopback.js';
import { ManualClock, ms } from '../../src/util/clock.js';
import { DROP_REASONS } from '../../src/util/drop.js';
import { IpProtocol } from '../../src/wire/ipv4.js';
import { ipv4Frame, ipv4Header, pingPayload } from '../support/frames.js';
import { attach, cabledPair, ip, makeStack } from './helpers.js';

/** Arbitrary inputs for each property (bounded: the machine has 2 cores). */
const RUNS = 10_000;

/** A pair of stacks that exchanged ARP, ping, UDP and fragments; returns what crossed the cable. */
function recordedExchange() {
  const { a, b, ea, eb } = cabledPair(new ManualClock(), 21, '10.0.0.2', '10.0.0.3', 1450);
  a.stack.openIcmpEcho().send(ip('10.0.0.3'), 1, 1, pingPayload());
  const server = b.stack.openUdp({ port: 9 });
  const client = a.stack.openUdp();
  if (typeof client === 'string' || typeof server === 'string') throw new Error('openUdp failed');
  client.send(new Uint8Array(3000), ip('10.0.0.3'), 9);
  client.send(new Uint8Array(20), ip('10.0.0.3'), 10);
  const frames = [...ea.out.tap, ...eb.out.tap];
  a.stack.close();
  b.stack.close();
  return frames;
}

describe('robustness', () => {
  it('receiveFrame never throws on arbitrary bytes or mutated valid frames, and every drop has a listed reason', () => {
    const valid = recordedExchange();
    expect(valid.length).toBeGreaterThan(5);
    const clock = new ManualClock();
    const { a: victim, b: peer } = cabledPair(clock, 23, '10.0.0.3', '10.0.0.2', 1450);
    victim.stack.openUdp({ port: 9 });
    victim.stack.openIcmpEcho();
    const nic = victim.stack.interfaces()[1];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1600 }), (bytes) => {
        nic.receiveFrame(bytes);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(
        fc.nat(valid.length - 1),
        fc.array(fc.tuple(fc.nat(1600), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(1600), { nil: undefined }),
        (which, edits, cut) => {
          const frame = new Uint8Array(valid[which]);
          for (const [at, value] of edits) frame[at % frame.length] = value;
          nic.receiveFrame(cut === undefined ? frame : frame.subarray(0, cut));
          clock.advance(ms(700));
        },
      ),
      { numRuns: RUNS },
    );
    expect(victim.drops.total()).toBeGreaterThan(0);
    expect(Object.keys(victim.drops.snapshot()).every((r) => (DROP_REASONS as readonly string[]).includes(r))).toBe(true);
    victim.stack.close();
    peer.stack.close();
    expect(clock.pending).toBe(0);
  });

  it('close leaves no pending timers: ARP resolution, reassembly, loopback backlog', () => {
    const clock = new ManualClock();
    const a = makeStack(clock, 31);
    attach(a.stack, 'eth0', 2, '10.0.0.2', 24, 1450);
    a.stack.openIcmpEcho().send(ip('10.0.0.77'), 1, 1, pingPayload());
    const resolving = clock.pending;
    expect(resolving).toBe(1);
    // A lone first fragment starts a reassembly timer.
    const first = ipv4Frame(ipv4Header(ip('10.0.0.5'), ip('10.0.0.2'), IpProtocol.UDP, { moreFragments: true, dontFragment: false, identification: 3 }), new Uint8Array(64));
    a.stack.interfaces()[1].receiveFrame(first);
    expect(clock.pending).toBe(resolving + 1);
    // More loopback frames than one turn's budget leave a deferred turn.
    const sink = a.stack.openUdp({ port: 7 });
    const burst = a.stack.openUdp();
    if (typeof sink === 'string' || typeof burst === 'string') throw new Error('openUdp failed');
    sink.onMessage(() => {
      for (let i = 0; i < 2; i++) burst.send(new Uint8Array(1), ip('127.0.0.1'), 7);
    });
    burst.send(new Uint8Array(1), ip('127.0.0.1'), 7);
    expect(clock.pending).toBe(resolving + 2);
    a.stack.close();
    expect(clock.pending).toBe(0);
  });

  it('two sockets answering each other over lo cannot hang the thread', () => {
    const clock = new ManualClock();
    const a = makeStack(clock, 41);
    const x = a.stack.openUdp({ port: 1000 });
    const y = a.stack.openUdp({ port: 2000 });
    if (typeof x === 'string' || typeof y === 'string') throw new Error('openUdp failed');
    let deliveries = 0;
    x.onMessage((p, from, port) => (deliveries++, x.send(p, from, port)));
    y.onMessage((p, from, port) => (deliveries++, y.send(p, from, port)));
    expect(x.send(new Uint8Array(1), ip('127.0.0.1'), 2000)).toBe('ok');
    expect(deliveries).toBeGreaterThan(0);
    expect(deliveries).toBeLessThanOrEqual(LOOPBACK_BUDGET);
    // The rest waits for the next turn (a zero-delay timer). Advancing a ManualClock would run the
    // endless exchange forever — as a real host would keep running it — so the test stops here.
    expect(clock.pending).toBe(1);
    a.stack.close();
    expect(clock.pending).toBe(0);
  });
});
