/**
 * A host's underlay counters: VXLAN datagrams in and out (UDP payload bytes: VXLAN header plus
 * inner frame), beside the host's one `DropCounters`, for `swarmnet stats`. Plain number fields,
 * bumped on the hot path without allocation; `snapshot()` copies them into a plain object that
 * crosses a MessagePort as is.
 */
import { DropCounters, type DropReason } from '../util/drop.js';

export interface HostCountersSnapshot {
  readonly framesIn: number;
  readonly framesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Non-zero drop counters by reason. */
  readonly drops: Partial<Record<DropReason, number>>;
}

export class HostCounters {
  /** Datagrams received from the underlay (before any check: dropped ones included). */
  framesIn = 0;
  /** Datagrams handed to the underlay. */
  framesOut = 0;
  bytesIn = 0;
  bytesOut = 0;

  /** `drops` is the host's one drop counter set (shared with its bridges and stacks). */
  constructor(readonly drops: DropCounters = new DropCounters()) {}

  snapshot(): HostCountersSnapshot {
    return {
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      drops: this.drops.snapshot(),
    };
  }
}
