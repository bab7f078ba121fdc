/**
 * The tshark harness: an independent decoder checks what swarmnet puts on the wire.
 *
 * Tests write a pcap, run `tshark -r FILE -T json` with checksum validation on, and assert on the
 * dissected fields and that nothing is malformed or carries an expert warning. With `CI=true`
 * tshark is required (its absence fails the run); elsewhere the tests skip with one line saying
 * how to install it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

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

/** Runs tshark on a capture and returns each packet's layers. */
export async function dissect(pcapPath: string, prefs: readonly string[] = []): Promise<Layers[]> {
  const args = ['-r', pcapPath, '-T', 'json', '-n'];
  for (const p of [...CHECKSUM_PREFS, ...prefs]) args.push('-o', p);
  const { stdout } = await run(TSHARK, args, { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 });
  const packets = JSON.parse(stdout) as { _source: { layers: Layers } }[];
  return packets.map((p) => p._source.layers);
}

/** tshark's protocol stack for a packet, e.g. `eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data`. */
export function protocols(layers: Layers): string {
  const frame = layers.frame as Record<string, string>;
  return frame['frame.protocols'];
}

/**
 * Every value of `field` anywhere in the packet's tree, in dissection order (outer before inner).
 * tshark JSON nests subtrees under keys ending in `_tree` and repeats layers as arrays.
 */
export function fieldValues(layers: Layers, field: string): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === field) {
        if (Array.isArray(v)) out.push(...v.map(String));
        else if (typeof v !== 'object') out.push(String(v));
      }
      walk(v);
    }
  };
  walk(layers);
  return out;
}

/** The first value of `field`, or throws naming the field and the protocol stack. */
export function field(layers: Layers, name: string): string {
  const v = fieldValues(layers, name);
  if (v.length === 0) throw new Error(`tshark shows no ${name} in ${protocols(layers)}`);
  return v[0];
}

/**
 * Expert infos and malformed markers in a packet, as readable lines. A clean packet has none.
 * Expert items at "chat" severity (e.g. TCP "connection establish request (SYN)") are notes about
 * the conversation, not problems with the bytes, and are left out.
 */
export function complaints(layers: Layers): string[] {
  const out: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n) => walk(n, path));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '_ws.malformed') out.push(`${path}: malformed packet`);
      if (k === '_ws.expert') {
        const items = Array.isArray(v) ? v : [v];
        for (const item of items as Record<string, string>[]) {
          const severity = item['_ws.expert.severity'];
          // tshark severities: 2097152 chat, 4194304 note, 6291456 warn, 8388608 error.
          if (severity !== undefined && Number(severity) <= 2097152) continue;
          out.push(`${path}: ${item['_ws.expert.message'] ?? JSON.stringify(item)}`);
        }
      }
      if (/\.status$/.test(k) && v === '0' && /checksum/.test(k)) out.push(`${path}: ${k} = bad`);
      walk(v, `${path}/${k}`);
    }
  };
  walk(layers, '');
  return out;
}
