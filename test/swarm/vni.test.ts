/**
 * The manager's VXLAN IDs: ovmanager's serial allocation from 4096, the `vxlanid_list` option and
 * its texts (moby `drivers/overlay/ovmanager/ovmanager.go`, `overlayutils/utils.go`; reference
 * docker-overlay-facts.md §1.2).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIT_ALLOCATED, BIT_OUT_OF_SEQUENCE } from '../../src/swarm/serial-bitmap.js';
import {
  OVERLAY_VXLAN_ID_LIST,
  parseVxlanIdList,
  VniAllocator,
  VniError,
  VXLAN_ID_END,
  VXLAN_ID_PARSE_MAX,
  VXLAN_ID_START,
} from '../../src/swarm/vni.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { expectThrown } from './ipam-support.js';

const expectVniError = (run: () => unknown, message: string, code: string) => expectThrown(run, VniError, message, code);

describe('VniAllocator', () => {
  it('ingress gets 4096, the first overlay 4097; a released VNI is not reused at once', () => {
    const v = new VniAllocator();
    const got = [v.allocate('10.0.0.0/24'), v.allocate('10.0.1.0/24'), v.allocate('10.0.2.0/24')];
    expect(got, `got ${got}, want 4096,4097,4098`).toEqual([4096, 4097, 4098]);
    v.release(4097);
    expect(v.allocate()).toBe(4099);
    expect([v.has(4097), v.has(4099), v.inUse]).toEqual([false, true, 3]);
  });

  it('a user VNI is skipped by the scan, and does not move it', () => {
    const v = new VniAllocator();
    expect(v.reserve(4097, '10.0.1.0/24')).toBe(4097);
    expect([v.allocate(), v.allocate()], 'ingress first, then past the user\'s').toEqual([4096, 4098]);
    expect(v.reserve(5000)).toBe(5000);
    expect(v.allocate(), 'the scan goes on from 4099').toBe(4099);
  });

  it('accepts any VNI below 2^24 on request, 0..4095 included', () => {
    const v = new VniAllocator();
    for (const vni of [0, 1, 4095, VXLAN_ID_END]) expect(v.reserve(vni, 'p')).toBe(vni);
    expect(v.allocate(), 'still from 4096').toBe(VXLAN_ID_START);
  });

  it.each<[string, number, string]>([
    ['a VNI in use', 4096, `could not assign vxlan id 4096 to pool 10.0.1.0/24: ${BIT_ALLOCATED}`],
    ['2^24', VXLAN_ID_END + 1, `could not assign vxlan id 16777216 to pool 10.0.1.0/24: ${BIT_OUT_OF_SEQUENCE}`],
    ['the largest uint32', VXLAN_ID_PARSE_MAX, `could not assign vxlan id 4294967295 to pool 10.0.1.0/24: ${BIT_OUT_OF_SEQUENCE}`],
  ])('refuses %s with the driver\'s text', (_, vni, message) => {
    const v = new VniAllocator();
    v.allocate();
    expectVniError(() => v.reserve(vni, '10.0.1.0/24'), message, 'vxlan-id-unavailable');
  });

  it('refuses a VNI that is no uint32 as a programming error', () => {
    const v = new VniAllocator();
    for (const bad of [-1, 1.5, Number.NaN, VXLAN_ID_PARSE_MAX + 1]) expect(() => v.reserve(bad), `reserve(${bad})`).toThrow(InvalidArgumentError);
  });

  it('wraps past 16777215 to the freed VNIs, and reports exhaustion with the driver\'s text', () => {
    const v = new VniAllocator();
    const count = VXLAN_ID_END - VXLAN_ID_START + 1;
    let last = 0;
    for (let i = 0; i < count; i++) last = v.allocate();
    expect(last).toBe(VXLAN_ID_END);
    expectVniError(() => v.allocate('10.0.9.0/24'), 'could not obtain vxlan id for pool 10.0.9.0/24: no bit available', 'vxlan-ids-exhausted');
    expectVniError(() => v.allocate(), 'could not obtain vxlan id for pool <nil>: no bit available', 'vxlan-ids-exhausted');
    v.release(5000);
    v.release(4100);
    expect([v.allocate(), v.allocate()]).toEqual([4100, 5000]);
  });

  it('never hands out a VNI twice or below 4096', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 6000 })), { maxLength: 300 }), (ops) => {
        const v = new VniAllocator();
        const held = new Set<number>();
        for (const op of ops) {
          if (op < 0 || held.size === 0) {
            const vni = v.allocate();
            if (vni < VXLAN_ID_START || held.has(vni)) throw new Error(`got ${vni}, held ${[...held].join(',')}`);
            held.add(vni);
          } else if (!held.has(op)) {
            v.reserve(op);
            held.add(op);
          } else {
            v.release(op);
            held.delete(op);
          }
        }
      }),
    );
  });
});

describe('parseVxlanIdList (overlayutils AppendVNIList)', () => {
  it.each<[string, number[]]>([
    ['4097', [4097]],
    ['4097,4098', [4097, 4098]],
    ['007', [7]],
    ['4294967295', [VXLAN_ID_PARSE_MAX]],
  ])('reads %j', (csv, want) => {
    expect(parseVxlanIdList(csv)).toEqual(want);
  });

  it.each<[string, string]>([
    ['', ''],
    ['abc', 'abc'],
    ['-1', '-1'],
    ['+5', '+5'],
    [' 1', ' 1'],
    ['1,,2', ''],
    ['4097,x', 'x'],
    ['4294967296', '4294967296'],
  ])('refuses %j', (csv, field) => {
    expectVniError(() => parseVxlanIdList(csv), `invalid vxlan id value ${JSON.stringify(field)} passed`, 'invalid-vxlan-id');
  });
});

describe('VniAllocator.allocateNetwork (ovmanager NetworkAllocate)', () => {
  it('one VNI per subnet, the user\'s first, and the option written back next to the others', () => {
    const v = new VniAllocator();
    expect(v.allocateNetwork(['10.0.0.0/24'])).toEqual({ vnis: [4096], options: { [OVERLAY_VXLAN_ID_LIST]: '4096' } });
    const got = v.allocateNetwork(['10.0.1.0/24', '10.0.2.0/24'], { [OVERLAY_VXLAN_ID_LIST]: '5000', 'com.docker.network.driver.mtu': '1400' });
    expect(got).toEqual({ vnis: [5000, 4097], options: { 'com.docker.network.driver.mtu': '1400', [OVERLAY_VXLAN_ID_LIST]: '5000,4097' } });
    expect(v.allocateNetwork(['10.0.3.0/24'], { [OVERLAY_VXLAN_ID_LIST]: '6000,6001' }).vnis, 'extra VNIs are ignored').toEqual([6000]);
  });

  it('takes nothing when one VNI fails', () => {
    const v = new VniAllocator();
    v.reserve(5001);
    expectVniError(
      () => v.allocateNetwork(['10.0.1.0/24', '10.0.2.0/24'], { [OVERLAY_VXLAN_ID_LIST]: '5000,5001' }),
      `could not assign vxlan id 5001 to pool 10.0.2.0/24: ${BIT_ALLOCATED}`,
      'vxlan-id-unavailable',
    );
    expect([v.has(5000), v.inUse]).toEqual([false, 1]);
    expectVniError(() => v.allocateNetwork(['10.0.1.0/24'], { [OVERLAY_VXLAN_ID_LIST]: 'x' }), 'invalid vxlan id value "x" passed', 'invalid-vxlan-id');
    expectVniError(() => v.allocateNetwork([]), 'empty ipv4 data passed during overlay network creation', 'no-ipv4-data');
    v.releaseNetwork([5001]);
    expect(v.inUse).toBe(0);
  });
});
