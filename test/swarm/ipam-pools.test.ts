/**
 * The cluster's subnets: the default pools cut in order, user subnets, libnetwork's refusals with
 * their exact texts, and a literal port of libnetwork's predefined-pool search
 * (`allocatePredefinedPool`, moby `ipams/defaultipam/address_space.go`) as the reference.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressPools, IpamError } from '../../src/swarm/ipam.js';
import { ERR_BAD_POOL, ERR_INVALID_POOL, ERR_NO_MORE_SUBNETS } from '../../src/swarm/ipam-errors.js';
import { formatIpv4, parseIpv4Address } from '../../src/wire/address.js';
import { caught, expectThrown } from './ipam-support.js';

const OVERLAP = 'invalid pool request: Pool overlaps with other one on this address space';

const ipamError = (run: () => unknown) => caught(run, IpamError);
const expectIpamError = (run: () => unknown, message: string, code?: string) => expectThrown(run, IpamError, message, code);

/** A subnet's outcome, comparable across implementations: `0` or `error:<code>`. */
function outcome(run: () => unknown): string {
  try {
    run();
    return '0';
  } catch (e) {
    return `error:${e instanceof IpamError ? e.code : (e as Error).message}`;
  }
}

const u32 = (n: number) => n >>> 0;
const maskOf = (bits: number) => (bits === 0 ? 0 : u32(0xffff_ffff << (32 - bits)));

describe('AddressPools', () => {
  it('cuts custom pools (--default-addr-pool 10.20.0.0/16 --default-addr-pool-mask-length 26)', () => {
    const pools = new AddressPools(['10.20.0.0/16'], 26);
    expect(pools.maskLength).toBe(26);
    expect([1, 2, 3, 4, 5].map(() => pools.allocateSubnet())).toEqual(['10.20.0.0/26', '10.20.0.64/26', '10.20.0.128/26', '10.20.0.192/26', '10.20.1.0/26']);
  });

  it('uses the pools in address order, drops one nested in another, then exhausts', () => {
    const pools = new AddressPools(['10.30.0.0/29', '10.20.0.0/28', '10.20.0.8/29'], 29);
    expect(pools.pools).toEqual(['10.20.0.0/28', '10.30.0.0/29']);
    expect([1, 2, 3].map(() => pools.allocateSubnet())).toEqual(['10.20.0.0/29', '10.20.0.8/29', '10.30.0.0/29']);
    expectIpamError(() => pools.allocateSubnet(), ERR_NO_MORE_SUBNETS, 'no-more-subnets');
    pools.releaseSubnet('10.20.0.8/29');
    expect(pools.allocateSubnet(), 'a released subnet is the first candidate again').toBe('10.20.0.8/29');
  });

  it('skips user subnets, whole or partial, and ignores those outside the pools', () => {
    const pools = new AddressPools(['10.0.0.0/22'], 24);
    expect(pools.reserveSubnet('10.0.1.128/25')).toBe('10.0.1.128/25');
    expect(pools.reserveSubnet('192.168.10.0/24')).toBe('192.168.10.0/24');
    expect([1, 2, 3].map(() => pools.allocateSubnet())).toEqual(['10.0.0.0/24', '10.0.2.0/24', '10.0.3.0/24']);
    expectIpamError(() => pools.allocateSubnet(), ERR_NO_MORE_SUBNETS);
    expect(pools.allocated).toEqual(['10.0.0.0/24', '10.0.1.128/25', '10.0.2.0/24', '10.0.3.0/24', '192.168.10.0/24']);
  });

  it('skips a user subnet wider than the mask length', () => {
    const pools = new AddressPools();
    pools.reserveSubnet('10.0.0.0/16');
    expect(pools.allocateSubnet()).toBe('10.1.0.0/24');
  });

  it.each([
    ['the same subnet', '10.0.0.0/24'],
    ['a subnet inside it', '10.0.0.128/25'],
    ['a subnet around it', '10.0.0.0/16'],
    ['the same with host bits', '10.0.0.77/24'],
  ])('refuses --subnet overlapping one in use: %s', (_, cidr) => {
    const pools = new AddressPools();
    pools.allocateSubnet();
    const e = ipamError(() => pools.reserveSubnet(cidr));
    expect(e.message, `got ${e.message}, want ${OVERLAP}`).toBe(OVERLAP);
    expect([e.code, e.kind, e.source]).toEqual(['pool-overlap', 'forbidden', 'libnetwork']);
  });

  it('drops host bits of a --subnet, and releases only a subnet in use', () => {
    const pools = new AddressPools();
    expect(pools.reserveSubnet('10.0.3.7/24')).toBe('10.0.3.0/24');
    expectIpamError(() => pools.releaseSubnet('10.0.3.0/25'), ERR_BAD_POOL, 'bad-pool');
    expectIpamError(() => pools.releaseSubnet('10.0.4.0/24'), ERR_BAD_POOL);
    pools.releaseSubnet('10.0.3.9/24');
    expect(pools.allocated).toEqual([]);
  });

  it('requestPool: a subnet from the pools, a /n of them for 0.0.0.0/n, or the user\'s', () => {
    const pools = new AddressPools();
    expect(pools.requestPool()).toBe('10.0.0.0/24');
    expect(pools.requestPool('')).toBe('10.0.1.0/24');
    expect(pools.requestPool('0.0.0.0/20')).toBe('10.0.16.0/20');
    expect(pools.requestPool('0.0.0.0/0'), '/0 means the default size').toBe('10.0.2.0/24');
    expect(pools.requestPool('172.28.0.0/16')).toBe('172.28.0.0/16');
    expectIpamError(() => pools.requestPool('0.0.0.0/4'), ERR_INVALID_POOL, 'invalid-pool');
    expectIpamError(
      () => pools.requestPool(undefined, '10.9.0.0/24'),
      'failed to parse pool request for address space "GlobalDefault" pool "" subpool "10.9.0.0/24": invalid address subpool',
      'invalid-subpool',
    );
  });

  it.each<[string, readonly string[], number, string, string]>([
    ['mask length above 29', ['10.0.0.0/8'], 30, 'subnet size is out of range: 30', 'daemon'],
    ['a pool narrower than the mask', ['10.0.0.0/16'], 8, 'invalid CIDR: "10.0.0.0/16". Subnet size is too small for pool: 8', 'daemon'],
    ['a pool that is no CIDR', ['10.0.0.0/33'], 24, 'invalid CIDR address: 10.0.0.0/33', 'cli'],
    ['a pool with a leading zero', ['010.0.0.0/8'], 24, 'invalid CIDR address: 010.0.0.0/8', 'cli'],
  ])('refuses %s', (_, list, mask, message, source) => {
    const e = ipamError(() => new AddressPools(list, mask));
    expect(e.message, `got ${e.message}, want ${message}`).toBe(message);
    expect(e.source).toBe(source);
  });

  it('reads mask length 0 as 24, and ignores the mask length without pools (as moby does)', () => {
    expect(new AddressPools(['10.0.0.0/8'], 0).maskLength).toBe(24);
    expect(new AddressPools([], 30).maskLength).toBe(24);
    expect(new AddressPools(['10.1.2.3/16'], 24).pools).toEqual(['10.1.0.0/16']);
  });
});

/** libnetwork `allocatePredefinedPool`, ported literally (numbers for prefixes; no `Exclude`). */
function libnetworkPredefined(pools: readonly [number, number][], allocated: readonly [number, number][], size: number): [number, number] | undefined {
  const last = ([a, b]: readonly [number, number]) => u32(a + 2 ** (32 - b) - 1);
  const overlaps = (p: readonly [number, number], q: readonly [number, number]) => p[0] <= last(q) && q[0] <= last(p);
  const between = (a1: number, a2: number) => (a2 < a1 ? 0 : Math.floor((u32(a2 & maskOf(size)) - u32(a1 & maskOf(size))) / 2 ** (32 - size)));
  const after = (prev: readonly [number, number]): [number, number] | undefined => {
    const s = Math.min(prev[1], size);
    const addr = u32(prev[0] + 2 ** (32 - s));
    return addr === 0 ? undefined : [u32(addr & maskOf(size)), size];
  };
  const pdfs = pools.filter(([, b]) => b <= size);
  let pdfID = 0;
  let partial = false;
  let prev: readonly [number, number] | undefined;
  let ia = 0;
  while (ia < allocated.length) {
    const a = allocated[ia]!;
    if (pdfID >= pdfs.length) return undefined;
    const pdf = pdfs[pdfID]!;
    if (overlaps(a, pdf)) {
      if (a[1] <= pdf[1]) {
        partial = false;
        prev = undefined;
        pdfID++;
        continue;
      }
      if (!partial && between(pdf[0], a[0]) >= 1) return [pdf[0], size];
      const afterPrev = prev && after(prev);
      if (partial && afterPrev && between(afterPrev[0], a[0]) >= 1) return afterPrev;
      ia++;
      if (last(a) === last(pdf)) {
        partial = false;
        prev = undefined;
        pdfID++;
        continue;
      }
      partial = true;
      prev = a;
      continue;
    }
    if (partial) {
      partial = false;
      const next = after(prev!);
      if (next && overlaps(pdf, next)) return next;
      pdfID++;
      continue;
    }
    if (pdf[0] < a[0]) return [pdf[0], size];
    ia++;
    prev = a;
  }
  if (pdfID >= pdfs.length) return undefined;
  if (partial) {
    const next = after(prev!);
    if (next && overlaps(pdfs[pdfID]!, next)) return next;
    pdfID++;
  }
  return pdfID < pdfs.length ? [pdfs[pdfID]![0], size] : undefined;
}

const parsePrefix = (cidr: string): [number, number] => {
  const [a, b] = cidr.split('/');
  return [parseIpv4Address(a!), Number(b)];
};

describe('AddressPools properties', () => {
  // Small pools around the top and bottom of the address space, subnets of /24../30.
  const poolText = fc.constantFrom('10.0.0.0/22', '10.0.4.0/23', '10.0.8.0/24', '192.168.0.0/23', '255.255.254.0/23', '0.0.0.0/23');
  const userSubnet = fc
    .record({ p: poolText, bits: fc.integer({ min: 21, max: 32 }), at: fc.nat(1023) })
    .map(({ p, bits, at }) => `${formatIpv4(u32((parsePrefix(p)[0] + at * 4) & maskOf(bits)))}/${bits}`);
  const op = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('allocate' as const), size: fc.option(fc.integer({ min: 22, max: 30 }), { nil: undefined }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('reserve' as const), cidr: userSubnet }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
  );

  it('allocates exactly as libnetwork\'s predefined-pool search, and never overlaps', () => {
    fc.assert(
      fc.property(fc.uniqueArray(poolText, { minLength: 1, maxLength: 4 }), fc.integer({ min: 24, max: 29 }), fc.array(op, { maxLength: 120 }), (list, mask, sequence) => {
        const pools = new AddressPools(list, mask);
        const predefined = pools.pools.map(parsePrefix);
        for (const o of sequence) {
          const before = new Set(pools.allocated);
          if (o.op === 'allocate') {
            const size = o.size ?? mask;
            const want = libnetworkPredefined(predefined, pools.allocated.map(parsePrefix), size);
            const wantText = want && `${formatIpv4(want[0])}/${want[1]}`;
            const result = outcome(() => pools.allocateSubnet(size));
            const got = result === '0' ? pools.allocated.find((s) => !before.has(s)) : undefined;
            if (got !== wantText) throw new Error(`allocateSubnet(${size}) with ${[...before].join(' ')}: got ${got ?? result}, want ${wantText}`);
          } else if (o.op === 'reserve') {
            const [c, d] = parsePrefix(o.cidr);
            const overlapping = [...before].some((s) => {
              const [a, b] = parsePrefix(s);
              return a <= u32(c + 2 ** (32 - d) - 1) && c <= u32(a + 2 ** (32 - b) - 1);
            });
            const got = outcome(() => pools.reserveSubnet(o.cidr));
            if (got !== (overlapping ? 'error:pool-overlap' : '0')) throw new Error(`reserveSubnet(${o.cidr}): got ${got}, overlapping ${overlapping}`);
          } else if (before.size > 0) {
            pools.releaseSubnet([...before][o.pick % before.size]!);
          }
          const all = pools.allocated.map(parsePrefix);
          for (let i = 1; i < all.length; i++) {
            if (all[i]![0] <= u32(all[i - 1]![0] + 2 ** (32 - all[i - 1]![1]) - 1)) throw new Error(`overlap: ${pools.allocated.join(' ')}`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
