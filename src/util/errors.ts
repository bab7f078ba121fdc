/**
 * Errors thrown by the public API and the CLI (never for bytes from a peer: those are `Drop`s).
 * Each carries a stable `code` that callers and tests can match on.
 */
export class SwarmnetError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SwarmnetError';
  }
}

/** A value passed by the caller is out of range or of the wrong shape. */
export class InvalidArgumentError extends SwarmnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-argument', message, options);
    this.name = 'InvalidArgumentError';
  }
}

/** The output buffer handed to an `emitX` function is too small for what it must hold. */
export class BufferTooSmallError extends SwarmnetError {
  constructor(needed: number, available: number) {
    super('buffer-too-small', `buffer too small: need ${needed} bytes, have ${available}`);
    this.name = 'BufferTooSmallError';
  }
}

/** Throws `BufferTooSmallError` unless `out` has `needed` bytes from `offset`. */
export function ensureRoom(out: Uint8Array, offset: number, needed: number): void {
  if (offset < 0 || offset + needed > out.length) {
    throw new BufferTooSmallError(needed, Math.max(0, out.length - offset));
  }
}

/**
 * Throws `InvalidArgumentError` unless `value` is an integer in `0..max`: the range check every
 * `emitX` makes on a caller's field before writing it. `what` names the field in full, as the
 * message reads: `TCP source port out of range 0..65535: 70000`.
 */
export function assertUint(what: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`${what} out of range 0..${max}: ${value}`);
  }
}
