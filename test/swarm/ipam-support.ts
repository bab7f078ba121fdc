/** Shared checks for the IPAM and VNI tests: the error a call throws, and its exact text. */
import { expect } from 'vitest';

/** The error `run` throws, which must be a `type`; "got X, want Y" otherwise. */
export function caught<E extends Error>(run: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    run();
  } catch (e) {
    if (e instanceof type) return e;
    throw new Error(`got ${String(e)}, want a ${type.name}`);
  }
  throw new Error(`got no error, want a ${type.name}`);
}

/** Asserts the message (and the code, when given) of what `run` throws. */
export function expectThrown<E extends Error & { readonly code: string }>(
  run: () => unknown,
  type: abstract new (...args: never[]) => E,
  message: string,
  code?: string,
): E {
  const e = caught(run, type);
  expect(e.message, `got ${JSON.stringify(e.message)}, want ${JSON.stringify(message)}`).toBe(message);
  if (code !== undefined) expect(e.code, `got code ${e.code}, want ${code}`).toBe(code);
  return e;
}
