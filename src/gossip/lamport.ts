/**
 * A Lamport clock as serf implements it (`hashicorp/serf/serf/lamport.go`), which NetworkDB uses
 * twice: `networkClock` orders node and network events, `tableClock` orders table events.
 * Times stay far below 2^53 (one tick per event), so a JS number holds them exactly.
 */
export class LamportClock {
  #counter = 0;

  time(): number {
    return this.#counter;
  }

  /** The next time for a local event. */
  increment(): number {
    this.#counter += 1;
    return this.#counter;
  }

  /** Seen a remote time: our next event must come after it. */
  witness(v: number): void {
    if (v >= this.#counter) this.#counter = v + 1;
  }
}
