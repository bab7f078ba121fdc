/**
 * Frame buffers for the forwarding path, carved from per-thread slabs with headroom in front.
 *
 * Every frame a container stack (or a bridge responder) produces comes from `allocFrame`: a plain
 * Uint8Array view on a slab, with `FRAME_HEADROOM` spare bytes right before it that belong to that
 * frame alone — like Linux's skb headroom. The VTEP writes its 8-byte VXLAN header there and sends
 * header and frame as one contiguous view: one iovec, no gather list, and none of the Buffer
 * wrappers dgram builds for each element of a list. Frames stay immutable (link.ts): the headroom
 * is not part of the frame.
 *
 * Slabs are never reused, only dropped when full, so a frame's bytes can't be overwritten by a
 * later allocation, and a slab lives as long as any frame cut from it — as with Node's Buffer
 * pool, but without the FastBuffer construction on every allocation.
 */

/** Bytes reserved before each frame: room for a VXLAN header (RFC 7348 §5). */
export const FRAME_HEADROOM = 8;
/** Slab size: room for ~40 full-size frames. */
const SLAB_BYTES = 64 * 1024;
/** Frames larger than this get an ArrayBuffer of their own (still with headroom). */
const SLAB_MAX_FRAME = SLAB_BYTES / 8;

/** Slabs whose frames carry headroom; weak, so dropped slabs are collected. */
const headroomSlabs = new WeakSet<ArrayBufferLike>();

let slab = newSlab(SLAB_BYTES);
let used = 0;

function newSlab(bytes: number): ArrayBuffer {
  const b = new ArrayBuffer(bytes);
  headroomSlabs.add(b);
  return b;
}

/** A fresh, zero-filled frame of `length` bytes with `FRAME_HEADROOM` bytes of headroom. */
export function allocFrame(length: number): Uint8Array {
  const need = FRAME_HEADROOM + length;
  if (length > SLAB_MAX_FRAME) return new Uint8Array(newSlab(need), FRAME_HEADROOM, length);
  if (used + need > SLAB_BYTES) {
    slab = newSlab(SLAB_BYTES);
    used = 0;
  }
  const frame = new Uint8Array(slab, used + FRAME_HEADROOM, length);
  // Keep the next frame's headroom 8-byte aligned.
  used = (used + need + 7) & ~7;
  return frame;
}

/**
 * The frame with its headroom in front, as one view (`FRAME_HEADROOM + frame.length` bytes), or
 * undefined when the frame did not come from `allocFrame` (then the caller sends it gathered).
 */
export function withHeadroom(frame: Uint8Array): Uint8Array | undefined {
  const buffer = frame.buffer;
  // The current slab first: a frame is usually sent right after it was cut, and an identity test
  // costs far less than the WeakSet lookup.
  if (frame.byteOffset < FRAME_HEADROOM || (buffer !== slab && !headroomSlabs.has(buffer))) return undefined;
  return new Uint8Array(buffer, frame.byteOffset - FRAME_HEADROOM, frame.length + FRAME_HEADROOM);
}
