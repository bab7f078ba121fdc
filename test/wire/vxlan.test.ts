import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emitVxlan,
  emitVxlanHeader,
  parseVxlan,
  VxlanPacket,
  vxlanLen,
  vxlanVniOf,
  VXLAN_HEADER_LEN,
  type VxlanRepr,
} from '../../src/wire/vxlan.js';
import { expectDrop, expectEmits, expectNeverThrows, expectOk, expectPrefixesTruncated, FUZZ_RUNS, hex } from '../support/codec.js';

// RFC 7348 §5 layout: flags 0x08, 3 reserved, VNI 4097 = 0x001001, 1 reserved; then an inner frame.
const GOLDEN = hex('08000000 00100100' + 'deadbeef');
const REPR: VxlanRepr = { vni: 4097, payload: hex('deadbeef') };

describe('VXLAN', () => {
  it('parses golden bytes into fields', () => {
    const r = expectOk(parseVxlan(GOLDEN));
    expect(r.vni).toBe(4097);
    expect(r.payload).toEqual(hex('deadbeef'));
    expect(r.payload.buffer, 'payload must be a view, not a copy').toBe(GOLDEN.buffer);
  });

  it('emits golden bytes, at offset 0 and at an offset', () => {
    expectEmits((out, off) => emitVxlan(REPR, out, off), GOLDEN);
    expect(vxlanLen(REPR)).toBe(GOLDEN.length);
  });

  it('ignores reserved bits on receive (RFC 7348 §5)', () => {
    const r = expectOk(parseVxlan(hex('ff123456 001001ff')));
    expect(r.vni).toBe(4097);
  });

  it('refuses a header without the I flag as bad-flags', () => {
    expectDrop(parseVxlan(hex('00000000 00100100')), 'bad-flags', 0);
    expectDrop(VxlanPacket.checked(hex('f7000000 00100100')), 'bad-flags', 0);
    expect(vxlanVniOf(hex('00000000 00100100'))).toBe(-1);
  });

  it('every truncated prefix is truncated', () => {
    expectPrefixesTruncated(GOLDEN, VXLAN_HEADER_LEN, parseVxlan);
    expect(vxlanVniOf(GOLDEN.subarray(0, 7))).toBe(-1);
  });

  it('view reads fields without copying', () => {
    const v = expectOk(VxlanPacket.checked(GOLDEN));
    expect(v.vni).toBe(4097);
    expect(v.flags).toBe(0x08);
    expect(v.payload.byteOffset).toBe(GOLDEN.byteOffset + VXLAN_HEADER_LEN);
    expect(vxlanVniOf(GOLDEN)).toBe(4097);
  });

  it('rejects a VNI outside 24 bits on emit', () => {
    expect(() => emitVxlanHeader(1 << 24, new Uint8Array(8), 0)).toThrow(/VNI out of range/);
    expect(() => emitVxlanHeader(-1, new Uint8Array(8), 0)).toThrow(/VNI out of range/);
  });

  it('never throws on arbitrary input', () => {
    expectNeverThrows(parseVxlan);
  });

  it('parse(emit(r)) equals r', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.uint8Array({ maxLength: 64 }), (vni, payload) => {
        const repr: VxlanRepr = { vni, payload };
        const out = new Uint8Array(vxlanLen(repr));
        emitVxlan(repr, out, 0);
        expect(expectOk(parseVxlan(out))).toEqual(repr);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});
