/**
 * Bounded text sinks for what programs print: an exec keeps the head of its output (what a user
 * reads first, with a note where it was cut), a container's log keeps the tail (`docker logs`
 * shows the latest lines; the oldest are dropped, as a rotated json-file log does).
 */
import type { ProgramOutput } from './types.js';

/** Most characters kept of one exec's stdout or stderr; the rest is cut (and said so). */
export const MAX_EXEC_OUTPUT_CHARS = 1 << 20;
/** Most characters kept of a container's stdout or stderr log; the oldest are dropped. */
export const MAX_LOG_CHARS = 1 << 20;

/** Keeps the first MAX_EXEC_OUTPUT_CHARS characters. */
export class OutputBuffer implements ProgramOutput {
  #parts: string[] = [];
  #length = 0;
  #cut = false;

  write(text: string): void {
    if (this.#cut) return;
    const room = MAX_EXEC_OUTPUT_CHARS - this.#length;
    if (text.length > room) {
      this.#parts.push(text.slice(0, room), `\n[output cut at ${MAX_EXEC_OUTPUT_CHARS} characters]\n`);
      this.#cut = true;
      this.#length = MAX_EXEC_OUTPUT_CHARS;
      return;
    }
    this.#parts.push(text);
    this.#length += text.length;
  }

  text(): string {
    return this.#parts.join('');
  }
}

/** Keeps the last `limit` characters. */
export class LogBuffer implements ProgramOutput {
  #text = '';

  constructor(private readonly limit = MAX_LOG_CHARS) {}

  write(text: string): void {
    this.#text += text;
    // Trim in batches (at 2× the limit) so a chatty program costs amortised O(1) per write.
    if (this.#text.length > 2 * this.limit) this.#text = this.#text.slice(-this.limit);
  }

  text(): string {
    return this.#text.length > this.limit ? this.#text.slice(-this.limit) : this.#text;
  }
}

/** Writes to every sink of a set that may change while the program runs (attach/detach). */
export class FanOut implements ProgramOutput {
  readonly sinks = new Set<ProgramOutput>();

  write(text: string): void {
    for (const sink of this.sinks) sink.write(text);
  }
}
