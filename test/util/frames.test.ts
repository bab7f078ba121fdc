import { describe, expect, it } from 'vitest';
import { allocFrame, FRAME_HEADROOM, withHeadroom } from '../../src/util/frames.js';

describe('allocFrame / withHeadroom', () => {
  it('gives zero-filled frames with their own headroom, never overlapping', () => {
    const frames = Array.from({ length: 200 }, (_, i) => allocFrame(60 + (i % 7) * 100));
    for (const f of frames) {
      expect(f.every((b) => b === 0)).toBe(true);
      f.fill(0xee);
    }
    // Filling every frame must not have touched any other frame's bytes or headroom.
    for (const f of frames) {
      const d = withHeadroom(f)!;
      expect(d.length).toBe(f.length + FRAME_HEADROOM);
      expect(d.subarray(0, FRAME_HEADROOM).every((b) => b === 0)).toBe(true);
      expect(d.subarray(FRAME_HEADROOM).every((b) => b === 0xee)).toBe(true);
    }
  });

  it('writing the headroom leaves the frame itself untouched', () => {
    const f = allocFrame(64).fill(7);
    withHeadroom(f)!.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    expect(f.every((b) => b === 7)).toBe(true);
  });

  it('has headroom for large frames too', () => {
    const f = allocFrame(20_000);
    expect(withHeadroom(f)?.length).toBe(20_000 + FRAME_HEADROOM);
  });

  it('refuses frames that did not come from allocFrame, whatever their offset', () => {
    expect(withHeadroom(new Uint8Array(100))).toBeUndefined();
    expect(withHeadroom(new Uint8Array(100).subarray(20))).toBeUndefined();
    expect(withHeadroom(Buffer.alloc(100))).toBeUndefined();
  });
});
