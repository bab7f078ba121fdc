import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriteError, PcapWriter, type PcapSink } from '../../src/dataplane/pcap-writer.js';
import { LinkType, pcapHeader, PCAP_HEADER_LEN, PCAP_RECORD_HEADER_LEN, readPcap, type PcapRecordRepr } from '../../src/wire/pcap.js';
import { expectOk, hex, toHex } from '../support/codec.js';
import { complaints, dissect, field, tsharkAvailable } from '../support/tshark.js';

// An ARP request (RFC 826) from 02:42:0a:00:00:02 (10.0.0.2) for 10.0.0.3: 42 octets.
const ARP = hex('ffffffffffff 02420a000002 0806 0001 0800 06 04 0001 02420a000002 0a000002 000000000000 0a000003');
// Outer Ethernet + IPv4 + UDP + VXLAN would precede an inner frame in a gathered send; any bytes do here.
const OUTER = new Uint8Array(50).map((_, i) => i);
const T0 = 1_700_000_000_000_000; // µs since the epoch

const tmp = mkdtempSync(join(tmpdir(), 'swarmnet-pcapw-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function records(bytes: Uint8Array): PcapRecordRepr[] {
  const cap = expectOk(readPcap(bytes));
  return [...cap.records].map((r) => expectOk(r, 'record'));
}

/** A sink in memory whose writes can be held back, or made to fail. */
class MemorySink implements PcapSink {
  readonly chunks: Uint8Array[] = [];
  writes = 0;
  closed = false;
  hold = false;
  fail: Error | undefined;
  private release: (() => void)[] = [];

  async write(bytes: Uint8Array): Promise<void> {
    this.writes++;
    if (this.fail) throw this.fail;
    if (this.hold) await new Promise<void>((resolve) => this.release.push(resolve));
    this.chunks.push(bytes.slice());
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  releaseAll(): void {
    this.hold = false;
    for (const r of this.release.splice(0)) r();
  }

  get bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.chunks));
  }
}

describe('PcapWriter', () => {
  it('writes a file that reads back record for record, and tshark reads it cleanly', async () => {
    const path = join(tmp, 'basic.pcap');
    const w = await PcapWriter.open(path);
    expect(w.write(ARP, T0 + 1)).toBe(true);
    expect(w.write(ARP.subarray(0, 30), T0 + 1_000_000)).toBe(true);
    expect(w.writev([OUTER, ARP], T0 + 2_999_999.7)).toBe(true);
    await w.close();
    const file = new Uint8Array(readFileSync(path));
    expect(toHex(file.subarray(0, PCAP_HEADER_LEN))).toBe('d4c3b2a102000400000000000000000000000400' + '01000000');
    expect(expectOk(readPcap(file)).header).toEqual(pcapHeader());
    const recs = records(file);
    expect(recs.map((r) => [r.tsSec, r.tsFrac, r.origLen, r.data.length])).toEqual([
      [1_700_000_000, 1, 42, 42],
      [1_700_000_001, 0, 30, 30],
      [1_700_000_002, 999_999, 92, 92],
    ]);
    expect(toHex(recs[2].data)).toBe(toHex(OUTER) + toHex(ARP));
    expect([w.packetsWritten, w.packetsDropped, w.bytesWritten]).toEqual([3, 0, file.length]);

    if (!tsharkAvailable()) return;
    const pkts = await dissect(path);
    expect(pkts.length).toBe(3);
    expect(complaints(pkts[0])).toEqual([]);
    expect(field(pkts[0], 'arp.dst.proto_ipv4')).toBe('10.0.0.3');
    expect(field(pkts[2], 'frame.time_epoch')).toMatch(/^1700000002\.999999/);
  });

  it('an empty capture is a valid file with no packets', async () => {
    const path = join(tmp, 'empty.pcap');
    await (await PcapWriter.open(path, { linkType: LinkType.RAW, snaplen: 1500 })).close();
    const file = new Uint8Array(readFileSync(path));
    expect(file.length).toBe(PCAP_HEADER_LEN);
    expect(expectOk(readPcap(file)).header).toEqual(pcapHeader(1500, LinkType.RAW));
    if (tsharkAvailable()) expect(await dissect(path)).toEqual([]);
  });

  it('cuts frames longer than snaplen and keeps their original length, across writev chunks too', async () => {
    const sink = new MemorySink();
    const w = PcapWriter.toSink(sink, { snaplen: 60 });
    w.write(new Uint8Array(1500).fill(7), T0);
    w.writev([OUTER, ARP], T0); // 92 octets, cut inside the second chunk
    w.writev([ARP.subarray(0, 10), new Uint8Array(0), ARP.subarray(10)], T0); // 42, not cut
    await w.close();
    const recs = records(sink.bytes);
    expect(recs.map((r) => [r.origLen, r.data.length])).toEqual([[1500, 60], [92, 60], [42, 42]]);
    expect(recs[0].data.every((b) => b === 7)).toBe(true);
    expect(toHex(recs[1].data)).toBe(toHex(OUTER) + toHex(ARP.subarray(0, 10)));
    expect(toHex(recs[2].data)).toBe(toHex(ARP));
  });

  it('batches records: one sink write per buffer, not one per packet', async () => {
    const sink = new MemorySink();
    const w = PcapWriter.toSink(sink, { snaplen: 64, bufferSize: 4096 });
    for (let i = 0; i < 10; i++) w.write(ARP, T0 + i);
    expect(sink.writes, 'no write before the buffer fills').toBe(0);
    for (let i = 10; i < 100; i++) w.write(ARP, T0 + i);
    // 24 + 100 × 58 = 5824 octets: one write when the first 4096-octet buffer filled …
    expect(sink.writes).toBe(1);
    await w.flush();
    expect(sink.writes, '… and one on flush').toBe(2);
    expect([w.packetsWritten, w.packetsDropped, w.bytesWritten]).toEqual([100, 0, PCAP_HEADER_LEN + 100 * (PCAP_RECORD_HEADER_LEN + 42)]);
    await w.flush();
    expect(sink.writes, 'nothing new, nothing written').toBe(2);
    await w.close();
    expect(records(sink.bytes).length).toBe(100);
    expect(sink.closed).toBe(true);
  });

  it('drops and counts records while both buffers wait on a slow sink', async () => {
    const sink = new MemorySink();
    sink.hold = true;
    const bufferSize = PCAP_HEADER_LEN + 2 * (PCAP_RECORD_HEADER_LEN + 64);
    const w = PcapWriter.toSink(sink, { snaplen: 64, bufferSize });
    const accepted = Array.from({ length: 10 }, (_, i) => w.write(new Uint8Array(64).fill(i), T0 + i));
    // Buffer A: header + records 0–1, handed to the (stalled) sink; buffer B: records 2–3; then full.
    expect(accepted).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(w.packetsDropped).toBe(6);
    sink.releaseAll();
    await w.close();
    const recs = records(sink.bytes);
    expect(recs.map((r) => r.data[0])).toEqual([0, 1, 2, 3]);
    expect([w.packetsWritten, w.packetsDropped]).toEqual([4, 6]);
  });

  it('surfaces a failing sink on close, counts what it lost, and keeps the process alive', async () => {
    const sink = new MemorySink();
    const w = PcapWriter.toSink(sink, { snaplen: 64, bufferSize: PCAP_HEADER_LEN + PCAP_RECORD_HEADER_LEN + 64 });
    sink.fail = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    w.write(ARP, T0); // fills the buffer
    w.write(ARP, T0); // hands it to the failing sink, goes into the other buffer
    await w.flush(); // never rejects
    expect(w.error).toBe(sink.fail);
    expect(w.write(ARP, T0), 'after a failure').toBe(false);
    const err = await w.close().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PcapWriteError);
    expect((err as PcapWriteError).code).toBe('pcap-write-failed');
    expect((err as PcapWriteError).cause).toBe(sink.fail);
    expect((err as Error).message).toMatch(/3 records dropped.*ENOSPC/);
    expect([w.packetsWritten, w.packetsDropped]).toEqual([0, 3]);
    expect(sink.closed).toBe(true);
  });

  it('a full disk (/dev/full) is reported by close()', async () => {
    if (!existsSync('/dev/full')) {
      console.warn('skipping: no /dev/full on this system');
      return;
    }
    const w = await PcapWriter.open('/dev/full');
    w.write(ARP, T0);
    await expect(w.close()).rejects.toThrow(/ENOSPC/);
    expect(w.packetsDropped).toBe(1);
  });

  it('after close, writes are dropped and close is idempotent', async () => {
    const sink = new MemorySink();
    const w = PcapWriter.toSink(sink);
    const closing = w.close();
    expect(w.write(ARP, T0)).toBe(false);
    expect(w.writev([ARP], T0)).toBe(false);
    expect(w.close()).toBe(closing);
    await closing;
    expect([w.packetsWritten, w.packetsDropped]).toEqual([0, 2]);
    expect(records(sink.bytes)).toEqual([]);
  });

  it('rejects bad options and timestamps as caller errors', async () => {
    const sink = new MemorySink();
    expect(() => PcapWriter.toSink(sink, { snaplen: 0 })).toThrow(/snaplen/);
    expect(() => PcapWriter.toSink(sink, { snaplen: 262145 })).toThrow(/snaplen/);
    expect(() => PcapWriter.toSink(sink, { linkType: 0x10000 })).toThrow(/link type/);
    expect(() => PcapWriter.toSink(sink, { snaplen: 100, bufferSize: PCAP_HEADER_LEN + PCAP_RECORD_HEADER_LEN + 99 })).toThrow(/buffer size/);
    await expect(PcapWriter.open(join(tmp, 'x.pcap'), { snaplen: -1 })).rejects.toThrow(/snaplen/);
    await expect(PcapWriter.open(join(tmp, 'no-such-dir', 'x.pcap'))).rejects.toThrow(/ENOENT/);
    const w = PcapWriter.toSink(sink);
    expect(() => w.write(ARP, -1)).toThrow(/timestamp/);
    expect(() => w.write(ARP, Number.NaN)).toThrow(/timestamp/);
    expect(() => w.writev([ARP], 2 ** 32 * 1e6)).toThrow(/timestamp/);
    await w.close();
  });
});
