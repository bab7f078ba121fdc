/**
 * The one contract every layer boundary on the frame path shares.
 *
 * A frame handed to `receiveFrame` is immutable from then on: its producer built it in a buffer
 * of its own (never a reused scratch buffer) and never writes to it again, so receivers may keep
 * views of it (reassembly, ARP-pending queues, the underlay send queue) without copying. An
 * element that must change bytes (NAT, TTL rewrite) copies first. Delivery is synchronous.
 */
export interface FrameSink {
  receiveFrame(frame: Uint8Array): void;
}
