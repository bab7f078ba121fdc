/**
 * Streaming a capture to a pcap file beside the hot path (the I/O half of src/wire/pcap.ts).
 *
 * `write` and `writev` never wait and never throw for I/O. Each record is copied into one of two
 * preallocated buffers; when the filling buffer cannot take the next record it is handed to the
 * sink in one write and the other buffer takes over. If the other buffer is still being written —
 * the disk is slower than the traffic — the record is dropped and counted, as a capture ring
 * overflows, rather than queued without bound. The owner calls `flush()` periodically so a quiet
 * link still reaches the disk, and `close()` at the end.
 *
 * An I/O error (disk full, file closed under us) stops further writing: the records it loses and
 * any written afterwards are counted as dropped, and `close()` rejects with the first error. No
 * promise of this class is ever left rejected unobserved, so a failing disk cannot crash the host.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { InvalidArgumentError, SwarmnetError } from '../util/errors.js';
import {
  checkSnaplen,
  emitPcapHeader,
  emitPcapRecordHeader,
  LinkType,
  pcapHeader,
  PCAP_DEFAULT_SNAPLEN,
  PCAP_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  type PcapHeaderRepr,
} from '../wire/pcap.js';

/** Where the bytes go: a file, or memory in tests. `write` resolves once every byte is stored. */
export interface PcapSink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface PcapWriterOptions {
  /** Octets kept of each frame (default 262144, as tcpdump); longer frames are cut, orig_len kept. */
  readonly snaplen?: number;
  /** LINKTYPE_ of the frames (default Ethernet). */
  readonly linkType?: number;
  /** Size of each of the two buffers (default 1 MiB); at least one header and one full record. */
  readonly bufferSize?: number;
}

export const PCAP_WRITER_DEFAULT_BUFFER = 1 << 20;
const USEC_PER_SEC = 1_000_000;
const MAX_TIMESTAMP_US = 2 ** 32 * USEC_PER_SEC; // ts_sec is 32 bits: the year 2106

/** The capture could not be completed; `cause` holds the I/O error. */
export class PcapWriteError extends SwarmnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('pcap-write-failed', message, options);
    this.name = 'PcapWriteError';
  }
}

export class PcapWriter {
  /** Creates (or truncates) `path` and writes the file header with the first flush. */
  static async open(path: string, options: PcapWriterOptions = {}): Promise<PcapWriter> {
    const header = headerFor(options);
    const fh = await open(path, 'w');
    return new PcapWriter(fileSink(fh), header, options.bufferSize ?? PCAP_WRITER_DEFAULT_BUFFER, path);
  }

  /** A writer into any sink (an in-memory capture, a pipe). */
  static toSink(sink: PcapSink, options: PcapWriterOptions = {}, name = 'sink'): PcapWriter {
    return new PcapWriter(sink, headerFor(options), options.bufferSize ?? PCAP_WRITER_DEFAULT_BUFFER, name);
  }

  private readonly buffers: readonly [Uint8Array, Uint8Array];
  private active = 0;
  private fill = 0;
  private pendingRecords = 0;
  private inFlight: Promise<void> | null = null;
  private failure: unknown = undefined;
  private closed = false;
  private closing: Promise<void> | null = null;
  private written = 0;
  private dropped = 0;
  private bytes = 0;

  private constructor(
    private readonly sink: PcapSink,
    readonly header: PcapHeaderRepr,
    bufferSize: number,
    readonly name: string,
  ) {
    const minimum = PCAP_HEADER_LEN + PCAP_RECORD_HEADER_LEN + header.snaplen;
    if (!Number.isInteger(bufferSize) || bufferSize < minimum) {
      throw new InvalidArgumentError(`pcap buffer size must be an integer ≥ ${minimum} (header + one record at snaplen): ${bufferSize}`);
    }
    this.buffers = [new Uint8Array(bufferSize), new Uint8Array(bufferSize)];
    this.fill = emitPcapHeader(header, this.buffers[0], 0);
  }

  /** Records accepted and stored by the sink. */
  get packetsWritten(): number { return this.written; }
  /** Records refused: buffers full, an I/O error, or written after `close()`. */
  get packetsDropped(): number { return this.dropped; }
  /** Octets stored by the sink, file header included. */
  get bytesWritten(): number { return this.bytes; }
  /** The first I/O error, if any (also reported by `close()`). */
  get error(): unknown { return this.failure; }

  /**
   * Records `frame` captured at `timestampUs` (microseconds since the epoch). Returns false if the
   * record was dropped. Throws `InvalidArgumentError` only for a timestamp pcap cannot hold.
   */
  write(frame: Uint8Array, timestampUs: number): boolean {
    const at = this.begin(frame.length, timestampUs);
    if (at < 0) return false;
    const incl = Math.min(frame.length, this.header.snaplen);
    this.buffers[this.active].set(incl === frame.length ? frame : frame.subarray(0, incl), at);
    this.fill = at + incl;
    return true;
  }

  /** Records one frame given as chunks (`[outerHeaders, innerFrame]`) without joining them first. */
  writev(chunks: readonly Uint8Array[], timestampUs: number): boolean {
    let origLen = 0;
    for (const c of chunks) origLen += c.length;
    const at = this.begin(origLen, timestampUs);
    if (at < 0) return false;
    const buf = this.buffers[this.active];
    let room = Math.min(origLen, this.header.snaplen);
    let p = at;
    for (const c of chunks) {
      if (room === 0) break;
      const n = Math.min(room, c.length);
      buf.set(n === c.length ? c : c.subarray(0, n), p);
      p += n;
      room -= n;
    }
    this.fill = p;
    return true;
  }

  /** Writes the record header and returns where the data goes, or -1 if the record is dropped. */
  private begin(origLen: number, timestampUs: number): number {
    if (!(timestampUs >= 0 && timestampUs < MAX_TIMESTAMP_US)) {
      throw new InvalidArgumentError(`pcap timestamp out of range (µs since the epoch, before 2106): ${timestampUs}`);
    }
    if (this.closed || this.failure !== undefined) {
      this.dropped++;
      return -1;
    }
    const need = PCAP_RECORD_HEADER_LEN + Math.min(origLen, this.header.snaplen);
    if (this.fill + need > this.buffers[this.active].length) {
      if (this.inFlight !== null) {
        this.dropped++;
        return -1;
      }
      this.swap();
    }
    const us = Math.floor(timestampUs);
    const sec = Math.floor(us / USEC_PER_SEC);
    const incl = need - PCAP_RECORD_HEADER_LEN;
    const at = this.fill + emitPcapRecordHeader(sec, us - sec * USEC_PER_SEC, incl, origLen, this.header, this.buffers[this.active], this.fill);
    this.pendingRecords++;
    return at;
  }

  /** Hands the filled buffer to the sink and switches to the other one. Needs `inFlight === null`. */
  private swap(): void {
    const buf = this.buffers[this.active];
    const len = this.fill;
    const records = this.pendingRecords;
    this.active ^= 1;
    this.fill = 0;
    this.pendingRecords = 0;
    if (len === 0) return;
    // Cleared in a callback, which always runs after this assignment (even if the sink throws at once).
    const p: Promise<void> = this.drain(buf.subarray(0, len), records).then(() => {
      if (this.inFlight === p) this.inFlight = null;
    });
    this.inFlight = p;
  }

  /** Never rejects: a failure is recorded and the buffer's records counted as dropped. */
  private async drain(bytes: Uint8Array, records: number): Promise<void> {
    try {
      await this.sink.write(bytes);
      this.written += records;
      this.bytes += bytes.length;
    } catch (e) {
      this.failure ??= e;
      this.dropped += records;
    }
  }

  /** Writes everything recorded so far. Never rejects: errors are kept for `close()`. */
  async flush(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
    if (this.failure === undefined && this.fill > 0) {
      this.swap();
      while (this.inFlight !== null) await this.inFlight;
    }
  }

  /** Flushes, closes the sink, and rejects with `PcapWriteError` if any record was lost to I/O. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    await this.flush();
    // Records still buffered here could not be written (the sink failed earlier).
    this.dropped += this.pendingRecords;
    this.pendingRecords = 0;
    try {
      await this.sink.close();
    } catch (e) {
      this.failure ??= e;
    }
    if (this.failure !== undefined) {
      const why = this.failure instanceof Error ? this.failure.message : String(this.failure);
      throw new PcapWriteError(`capture ${this.name} is incomplete (${this.dropped} records dropped): ${why}`, { cause: this.failure });
    }
  }
}

function headerFor(options: PcapWriterOptions): PcapHeaderRepr {
  const snaplen = options.snaplen ?? PCAP_DEFAULT_SNAPLEN;
  checkSnaplen(snaplen);
  const linkType = options.linkType ?? LinkType.ETHERNET;
  if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) {
    throw new InvalidArgumentError(`pcap link type out of range 0..65535: ${linkType}`);
  }
  return pcapHeader(snaplen, linkType);
}

function fileSink(fh: FileHandle): PcapSink {
  return {
    async write(bytes: Uint8Array): Promise<void> {
      let off = 0;
      while (off < bytes.length) {
        const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
        if (bytesWritten === 0) throw new Error('short write: 0 bytes written');
        off += bytesWritten;
      }
    },
    close: () => fh.close(),
  };
}
