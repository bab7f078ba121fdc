import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4Address as parseAddr } from '../../src/wire/address.js';
import {
  checksumAdd,
  checksumFinish,
  checksumFold,
  checksumUpdate16,
  checksumUpdate32,
  internetChecksum,
  pseudoHeaderSum,
} from '../../src/wire/checksum.js';
import { FUZZ_RUNS, hex } from '../support/codec.js';

/** Slow, obviously-correct reference: RFC 1071 §1 one's complement sum, folding after each add. */
function referenceChecksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) {
    sum += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
    if (sum > 0xffff) sum = (sum & 0xffff) + 1;
  }
  return ~sum & 0xffff;
}

function withChecksumAt(b: Uint8Array, at: number): Uint8Array {
  const out = b.slice();
  out[at] = out[at + 1] = 0;
  const c = internetChecksum(out);
  out[at] = c >>> 8;
  out[at + 1] = c & 0xff;
  return out;
}

const readWord = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];

describe('Internet checksum (RFC 1071)', () => {
  it('RFC 1071 §3 numerical example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d', () => {
    const b = hex('0001f203f4f5f6f7');
    expect(checksumAdd(b, 0, b.length)).toBe(0x2ddf0); // unfolded: 0001+f203+f4f5+f6f7
    expect(checksumFold(checksumAdd(b, 0, b.length))).toBe(0xddf2);
    expect(internetChecksum(b)).toBe(0x220d);
    expect(checksumFinish(0x2ddf0)).toBe(0x220d);
  });

  it('RFC 1071 §2(B): the sum is byte-order independent (swapped bytes give a swapped sum)', () => {
    const b = hex('0100 03f2 f5f4 f7f6');
    expect(checksumFold(checksumAdd(b, 0, b.length))).toBe(0xf2dd);
  });

  it('pads an odd trailing byte with zero on the right (RFC 1071 §4.1)', () => {
    expect(checksumAdd(hex('ab'), 0, 1)).toBe(0xab00);
    expect(internetChecksum(hex('ab'))).toBe(0x54ff);
    expect(internetChecksum(hex('0001f203f4f5f6f7ab'))).toBe(internetChecksum(hex('0001f203f4f5f6f7ab00')));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 99 }).filter((b) => b.length % 2 === 1), (b) => {
        expect(internetChecksum(b)).toBe(internetChecksum(new Uint8Array([...b, 0])));
      }),
      { numRuns: FUZZ_RUNS / 100 },
    );
  });

  it('empty data sums to 0 and checksums to ffff', () => {
    expect(checksumAdd(new Uint8Array(0), 0, 0)).toBe(0);
    expect(internetChecksum(new Uint8Array(0))).toBe(0xffff);
  });

  it('sums a sub-range, and chained sums over even splits equal the whole', () => {
    const b = hex('ffff 0001f203f4f5f6f7 ffff');
    expect(internetChecksum(b, 2, 10)).toBe(0x220d);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(100), (b, half) => {
        const cut = Math.min(2 * half, b.length - (b.length % 2));
        expect(checksumFinish(checksumAdd(b, cut, b.length, checksumAdd(b, 0, cut)))).toBe(internetChecksum(b));
      }),
      { numRuns: FUZZ_RUNS / 100 },
    );
  });

  it('equals the per-word folding reference, odd lengths included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(internetChecksum(b)).toBe(referenceChecksum(b));
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('folds sums far beyond 32 bits (jumbo payloads summed unfolded)', () => {
    const ones = new Uint8Array(1 << 20).fill(0xff); // 2^19 words of ffff
    expect(checksumFold(checksumAdd(ones, 0, ones.length))).toBe(0xffff);
    expect(checksumFold(0xffff * 0x1_0000_0000)).toBe(0xffff);
    expect(checksumFold(0x1_0000)).toBe(0x0001);
    expect(checksumFold(0)).toBe(0);
  });

  it('real IPv4 headers with known checksums', () => {
    const headers: [string, string, number][] = [
      // Wikipedia, "Internet checksum" / IPv4 header checksum worked example.
      ['wikipedia', '4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7', 0xb861],
      // Linux iputils ping (Zephyr tests/net/icmpv4 `icmpv4_echo_req`).
      ['linux ping', '4500 0054 ea8c 4000 4001 0000 c000 0202 c000 0201', 0xcc18],
      // Linux ping from a real capture (tshark: Identification 0x9c5a, "Header checksum: 0xfdde").
      ['capture', '4500 0054 9c5a 4000 4001 0000 6440 c733 6816 0ce6', 0xfdde],
    ];
    for (const [name, h, want] of headers) {
      const b = hex(h);
      expect(internetChecksum(b), name).toBe(want);
      b[10] = want >>> 8;
      b[11] = want & 0xff;
      expect(internetChecksum(b), `${name}: over a correct checksum`).toBe(0);
    }
  });

  it('over data that includes its correct checksum, the checksum is 0', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 200 }), fc.nat(), (b, at) => {
        const even = 2 * (at % Math.floor(b.length / 2));
        expect(internetChecksum(withChecksumAt(b, even))).toBe(0);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});

describe('incremental update (RFC 1624)', () => {
  it('RFC 1624 §4 example: m 5555 → 3285 with HC dd2f gives 0000 (eqn. 3), not ffff (eqn. 2)', () => {
    // "the one's complement sum of all other header octets is 0xCD7A": HC = ~(0xCD7A + 0x5555).
    expect(checksumFinish(0xcd7a + 0x5555)).toBe(0xdd2f);
    expect(checksumFinish(0xcd7a + 0x3285)).toBe(0x0000);
    expect(checksumUpdate16(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });

  it('an unchanged word leaves a 0000 checksum as 0000 (the RFC 1624 erratum 4782 case)', () => {
    expect(checksumUpdate16(0x0000, 0x5555, 0x5555)).toBe(0x0000);
    expect(checksumUpdate32(0x0000, 0x0a000003, 0x0a000003)).toBe(0x0000);
  });

  it('decrementing TTL in a real header equals recomputation', () => {
    const b = hex('4500 0054 ea8c 4000 4001 cc18 c000 0202 c000 0201');
    const updated = checksumUpdate16(0xcc18, 0x4001, 0x3f01);
    b[8] = 0x3f;
    expect(updated).toBe(0xcd18);
    expect(readWord(withChecksumAt(b, 10), 10)).toBe(updated);
  });

  it('checksumUpdate16 equals full recomputation for arbitrary data and changes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 0xffff }), (raw, c, w, m2) => {
        const b = raw.length % 2 ? raw.subarray(1) : raw;
        const words = b.length / 2;
        const at = 2 * (c % words);
        let i = 2 * (w % words);
        if (i === at) i = (i + 2) % b.length;
        const before = withChecksumAt(b, at);
        const hc = readWord(before, at);
        const after = before.slice();
        after[i] = m2 >>> 8;
        after[i + 1] = m2 & 0xff;
        // Eqn. 3 differs from recomputation only when the covered data becomes all zero (see below).
        fc.pre(after.some((x, k) => x !== 0 && k !== at && k !== at + 1));
        const want = readWord(withChecksumAt(after, at), at);
        expect(checksumUpdate16(hc, readWord(before, i), m2)).toBe(want);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('checksumUpdate32 equals full recomputation for a changed address (NAT)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 64 }), fc.nat(), fc.integer({ min: 0, max: 0xffff_ffff }), (raw, w, addr) => {
        const b = raw.length % 2 ? raw.subarray(1) : raw;
        // Checksum in the first word, the 32-bit value at an even offset after it.
        const i = 2 + 2 * (w % ((b.length - 6) / 2 + 1));
        const before = withChecksumAt(b, 0);
        const old = ((before[i] << 24) | (before[i + 1] << 16) | (before[i + 2] << 8) | before[i + 3]) >>> 0;
        const after = before.slice();
        after.set([addr >>> 24, (addr >>> 16) & 0xff, (addr >>> 8) & 0xff, addr & 0xff], i);
        fc.pre(after.subarray(2).some((x) => x !== 0));
        const want = readWord(withChecksumAt(after, 0), 0);
        expect(checksumUpdate32(readWord(before, 0), old, addr)).toBe(want);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('the one case eqn. 3 and recomputation differ: data that becomes all zero', () => {
    // Recomputation gives ffff (~0); eqn. 3 gives 0000, which no longer verifies. It cannot happen
    // for IPv4, UDP or TCP: the covered bytes always hold a non-zero version or protocol number.
    expect(internetChecksum(hex('0000 0000'))).toBe(0xffff);
    expect(checksumUpdate16(internetChecksum(hex('0000 1234')), 0x1234, 0)).toBe(0x0000);
  });
});

describe('pseudo-header sum (RFC 768; RFC 9293 §3.1)', () => {
  it('equals the sum over the explicit 12-byte pseudo-header', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffff }),
        (src, dst, protocol, length) => {
          const ph = new Uint8Array(12);
          const v = new DataView(ph.buffer);
          v.setUint32(0, src);
          v.setUint32(4, dst);
          ph[8] = 0;
          ph[9] = protocol;
          v.setUint16(10, length);
          expect(checksumFold(pseudoHeaderSum(src, dst, protocol, length))).toBe(checksumFold(checksumAdd(ph, 0, 12)));
        },
      ),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });

  it('gives the checksum of a UDP datagram that tshark reports as correct', () => {
    // DNS query 10.0.0.3:45000 → 10.0.0.2:53 for `web` A; tshark 4.0: "Checksum: 0xbda3 [correct]".
    const udp = hex('afc8 0035 001d bda3 1234 0100 0001 0000 0000 0000 0377 6562 0000 0100 01');
    const src = parseAddr('10.0.0.3');
    const dst = parseAddr('10.0.0.2');
    expect(checksumFinish(checksumAdd(udp, 0, udp.length, pseudoHeaderSum(src, dst, 17, udp.length)))).toBe(0);
    const zeroed = udp.slice();
    zeroed[6] = zeroed[7] = 0;
    expect(checksumFinish(checksumAdd(zeroed, 0, zeroed.length, pseudoHeaderSum(src, dst, 17, udp.length)))).toBe(0xbda3);
  });
});

describe('checksumAdd word loop', () => {
  // The byte-at-a-time definition of RFC 1071 §4.1, as the reference.
  const reference = (b: Uint8Array, start: number, end: number): number => {
    let s = 0;
    for (let i = start; i < end; i += 2) s += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
    return s;
  };
  const fold = (s: number): number => {
    while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
    return s;
  };

  it('equals the byte-wise sum at every alignment and length, long runs included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 1600, size: 'max' }), fc.nat(7), fc.nat(7), (bytes, lead, trail) => {
        const start = Math.min(lead, bytes.length);
        const end = Math.max(start, bytes.length - trail);
        const got = fold(checksumAdd(bytes, start, end));
        const want = fold(reference(bytes, start, end));
        // 0x0000 and 0xffff are the same one's complement value (both "zero").
        return got === want || (got % 0xffff === 0 && want % 0xffff === 0);
      }),
      { numRuns: 20_000 },
    );
  });

  it('handles all-0xff runs (largest carries) through the word loop', () => {
    const b = new Uint8Array(1502).fill(0xff);
    expect(fold(checksumAdd(b, 2, 1502)) % 0xffff).toBe(fold(reference(b, 2, 1502)) % 0xffff);
  });
});
