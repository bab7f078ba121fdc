/**
 * Placing a payload after a header. Packets are built inside out in one buffer: the payload is
 * written first at its final offset, then each header is emitted in front of it. When the payload
 * handed to `emitX` already sits where it belongs, nothing is copied.
 */
export function placePayload(payload: Uint8Array, out: Uint8Array, offset: number): void {
  if (payload.buffer === out.buffer && payload.byteOffset === out.byteOffset + offset) return;
  out.set(payload, offset);
}
