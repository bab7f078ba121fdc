/**
 * The tshark harness: an independent decoder checks what swarmnet puts on the wire.
 *
 * Tests hand frames to `dissectFrames` (or write a pcap themselves and call `dissect`), which runs
 * `tshark -r FILE -T json --no-duplicate-keys` with checksum validation on, and assert on the
 * dissected fields and that nothing is malformed, carries an expert warning or has a bad checksum.
 * With `CI=true` tshark is required (its absence fails the run); elsewhere the tests skip with one
 * line saying how to install it.
 *
 * Why `--no-duplicate-keys`: tshark's JSON otherwise repeats a key within one object for each
 * occurrence of a field (every TCP NOP, every SACK edge, a second `eth`/`ip` layer), and JSON.parse
 * keeps only the last. With it, tshark merges the occurrences into one array at the place of the
 * first; the values keep their order, but their order relative to other keys of that object is
 * lost — `fieldValuesInFrameOrder` recovers the wire order where a test needs it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Ipv4Addr } from '../../src/wire/address.js';
import type { Ipv4Repr } from '../../src/wire/ipv4.js';
import { emitPcapHeader, emitPcapRecord, LinkType, pcapHeader, PCAP_HEADER_LEN, PCAP_RECORD_HEADER_LEN } from '../../src/wire/pcap.js';
import { ipv4Datagram, ipv4Header } from './frames.js';

const run = promisify(execFile);

const TSHARK = process.env.TSHARK ?? '/usr/bin/tshark';

export const INSTALL_HINT = 'tshark not found: install it with `apt-get install tshark` (Debian) to run the wire-format checks';

let announced = false;

/** True when tshark can run; under CI it must, so a missing tshark throws instead. */
export function tsharkAvailable(): boolean {
  const found = existsSync(TSHARK);
  if (!found && process.env.CI === 'true') {
    throw new Error(`CI=true but ${INSTALL_HINT}`);
  }
  if (!found && !announced) {
    announced = true;
    console.warn(`skipping tshark checks — ${INSTALL_HINT}`);
  }
  return found;
}

/** Preferences that make tshark validate every checksum it knows how to. */
export const CHECKSUM_PREFS = [
  'ip.check_checksum:TRUE',
  'udp.check_checksum:TRUE',
  'tcp.check_checksum:TRUE',
];

/** A dissected packet: tshark's JSON `_source.layers` object. */
export type Layers = Record<string, unknown>;

export interface DissectOptions {
  /** Extra `-o name:value` preferences, after `CHECKSUM_PREFS`. */
  readonly prefs?: readonly string[];
  /**
   * Also emit each field's `<name>_raw` entry (`tshark -x`): [hex, offset, length, bitmask, type].
   * Needed by `fieldValuesInFrameOrder`.
   */
  readonly raw?: boolean;
}

/** Runs tshark on a capture and returns each packet's layers. */
export async function dissect(pcapPath: string, prefs: readonly string[] = [], opts: Omit<DissectOptions, 'prefs'> = {}): Promise<Layers[]> {
  const args = ['-r', pcapPath, '-T', 'json', '--no-duplicate-keys', '-n'];
  if (opts.raw) args.push('-x');
  for (const p of [...CHECKSUM_PREFS, ...prefs]) args.push('-o', p);
  const { stdout } = await run(TSHARK, args, { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 });
  const packets = JSON.parse(stdout) as { _source: { layers: Layers } }[];
  return packets.map((p) => p._source.layers);
}

/**
 * A classic pcap holding `frames`, written with our own codec (`src/wire/pcap.ts`): one record per
 * frame, one microsecond apart from 1_700_000_000 s.
 */
export function pcapOf(frames: readonly Uint8Array[], linkType: number = LinkType.ETHERNET): Uint8Array {
  const header = pcapHeader(undefined, linkType);
  const total = frames.reduce((n, f) => n + PCAP_RECORD_HEADER_LEN + f.length, PCAP_HEADER_LEN);
  const out = new Uint8Array(total);
  let pos = emitPcapHeader(header, out, 0);
  frames.forEach((data, i) => {
    pos += emitPcapRecord({ tsSec: 1_700_000_000, tsFrac: i, origLen: data.length, data }, header, out, pos);
  });
  return out;
}

export interface DissectFramesOptions extends DissectOptions {
  /** A `LinkType` value; Ethernet unless given. `LinkType.RAW` for bare IP datagrams. */
  readonly linkType?: number;
}

/** Writes `frames` as a pcap in a fresh temporary directory, dissects it, and removes the directory. */
export async function dissectFrames(frames: readonly Uint8Array[], opts: DissectFramesOptions = {}): Promise<Layers[]> {
  const dir = mkdtempSync(join(tmpdir(), 'swarmnet-tshark-'));
  try {
    const file = join(dir, 'capture.pcap');
    writeFileSync(file, pcapOf(frames, opts.linkType));
    return await dissect(file, opts.prefs, { raw: opts.raw });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bare IP datagrams (`LinkType.RAW`) through `dissectFrames`. */
export function dissectIpv4(datagrams: readonly Uint8Array[], opts: DissectOptions = {}): Promise<Layers[]> {
  return dissectFrames(datagrams, { ...opts, linkType: LinkType.RAW });
}

/**
 * `l4` behind an IPv4 header built by `emitIpv4` (checksum computed): no options, TTL 64, DF,
 * identification 0 unless `header` says otherwise.
 */
export function ipv4Wrap(
  protocol: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
  l4: Uint8Array,
  header: Partial<Omit<Ipv4Repr, 'protocol' | 'src' | 'dst' | 'payload'>> = {},
): Uint8Array {
  return ipv4Datagram(ipv4Header(src, dst, protocol, header), l4);
}

/** tshark's protocol stack for a packet, e.g. `eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data`. */
export function protocols(layers: Layers): string {
  const frame = layers.frame as Record<string, string>;
  return frame['frame.protocols'];
}

const isLeaf = (v: unknown): boolean => v === null || typeof v !== 'object';

/**
 * Every value of `field` anywhere in the packet's tree, in dissection order (outer before inner).
 * tshark JSON nests subtrees under keys ending in `_tree`; a field or layer that occurs more than
 * once in one object is an array (`--no-duplicate-keys`), whose every element is returned.
 */
export function fieldValues(layers: Layers, field: string): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (isLeaf(node)) return;
    for (const [k, v] of Object.entries(node as object)) {
      if (k === field) {
        for (const x of Array.isArray(v) ? v : [v]) if (isLeaf(x)) out.push(String(x));
      }
      walk(v);
    }
  };
  walk(layers);
  return out;
}

/**
 * Every value of `field` ordered by where its bytes start in the frame, for a packet dissected with
 * `raw: true`. `fieldValues` cannot give this order when the field sits in subtrees that tshark
 * merged into one array (every TCP NOP's kind ahead of the options that follow the first NOP).
 * Offsets count within the field's data source: use it for fields of the frame's own bytes, not
 * of decrypted or reassembled data.
 */
export function fieldValuesInFrameOrder(layers: Layers, field: string): string[] {
  const found: { value: string; offset: number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (isLeaf(node)) return;
    const obj = node as Record<string, unknown>;
    if (field in obj) {
      const values = Array.isArray(obj[field]) ? (obj[field] as unknown[]) : [obj[field]];
      const rawEntry = obj[`${field}_raw`];
      // One occurrence: [hex, offset, length, bitmask, type]; several: an array of those.
      const raws = Array.isArray(rawEntry) && Array.isArray(rawEntry[0]) ? (rawEntry as unknown[][]) : [rawEntry as unknown[]];
      if (rawEntry === undefined || raws.length !== values.length) {
        throw new Error(`tshark shows no ${field}_raw beside ${field}: dissect with { raw: true }`);
      }
      values.forEach((v, i) => found.push({ value: String(v), offset: Number(raws[i][1]) }));
    }
    for (const v of Object.values(obj)) walk(v);
  };
  walk(layers);
  return found.sort((a, b) => a.offset - b.offset).map((f) => f.value);
}

/** The first value of `field`, or throws naming the field and the protocol stack. */
export function field(layers: Layers, name: string): string {
  const v = fieldValues(layers, name);
  if (v.length === 0) throw new Error(`tshark shows no ${name} in ${protocols(layers)}`);
  return v[0];
}

/** `proto_checksum_enum_e` (epan/proto.h): the value tshark gives a `*.checksum.status` field. */
export const ChecksumStatus = { BAD: '0', GOOD: '1', UNVERIFIED: '2', NOT_PRESENT: '3' } as const;

/**
 * Expert infos, malformed markers and bad checksums in a packet, as readable lines. A clean packet
 * has none. Expert items at "chat" severity (e.g. TCP "connection establish request (SYN)") are
 * notes about the conversation, not problems with the bytes, and are left out.
 */
export function complaints(layers: Layers): string[] {
  const out: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n) => walk(n, path));
      return;
    }
    if (isLeaf(node)) return;
    for (const [k, v] of Object.entries(node as object)) {
      const occurrences: unknown[] = Array.isArray(v) ? v : [v];
      if (k === '_ws.malformed') for (const _ of occurrences) out.push(`${path}: malformed packet`);
      if (k === '_ws.expert') {
        for (const item of occurrences as Record<string, string>[]) {
          const severity = item['_ws.expert.severity'];
          // tshark severities: 2097152 chat, 4194304 note, 6291456 warn, 8388608 error.
          if (severity !== undefined && Number(severity) <= 2097152) continue;
          out.push(`${path}: ${item['_ws.expert.message'] ?? JSON.stringify(item)}`);
        }
      }
      if (/(checksum|fcs)\.status$/.test(k)) {
        for (const s of occurrences) if (String(s) === ChecksumStatus.BAD) out.push(`${path}: ${k} = bad`);
      }
      walk(v, `${path}/${k}`);
    }
  };
  walk(layers, '');
  return out;
}
