/**
 * `swarmnet proto DIR`: writes the .proto files of what swarmnet puts on the wire — swarmkit's
 * messages on 2377 (src/wire/swarmkit-schema.ts, with the two well-known types they use) and
 * NetworkDB's gossip payloads with the overlay and endpoint table records
 * (src/wire/networkdb-schema.ts) — so Wireshark/tshark can decode them: point
 * `protobuf.search_paths` at DIR, and give it the TLS keys that `node --tls-keylog=FILE` writes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SWARMKIT_SCHEMA } from '../wire/swarmkit-schema.js';
import { AGENT_PROTO, NETWORKDB_PROTO, OVERLAY_PROTO } from '../wire/networkdb-schema.js';
import type { Io } from './main.js';

export const PROTO_HELP = `
Usage:  swarmnet proto DIR

Write the protobuf definitions of swarmkit's messages on 2377 (swarmkit.proto and the
google/protobuf types it imports) and of NetworkDB's gossip on 7946 (networkdb.proto, with the
table records in overlay.proto and agent.proto) into DIR, for Wireshark's protobuf dissector:

  swarmnet proto protos
  tshark -r 2377.pcap -o tls.keylog_file:keys.log -d tcp.port==2377,tls \\
    -o 'uat:protobuf_search_paths:"protos","TRUE"' -Y grpc -V

Options:
  -h, --help   Print usage
`.trimStart();

const WELL_KNOWN: Readonly<Record<string, string>> = {
  'timestamp.proto': 'syntax = "proto3";\npackage google.protobuf;\nmessage Timestamp { int64 seconds = 1; int32 nanos = 2; }\n',
  'duration.proto': 'syntax = "proto3";\npackage google.protobuf;\nmessage Duration { int64 seconds = 1; int32 nanos = 2; }\n',
};

/** NetworkDB's messages and the two table records gossiped through it. */
const GOSSIP_PROTOS: Readonly<Record<string, string>> = { 'networkdb.proto': NETWORKDB_PROTO, 'overlay.proto': OVERLAY_PROTO, 'agent.proto': AGENT_PROTO };

/** swarmkit's schema as a stand-alone .proto file (the imports protobufjs did not need). */
export function swarmkitProtoFile(): string {
  return SWARMKIT_SCHEMA.trimStart().replace(
    'package docker.swarmkit.v1;',
    'package docker.swarmkit.v1;\n\nimport "google/protobuf/timestamp.proto";\nimport "google/protobuf/duration.proto";',
  );
}

export async function protoCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(PROTO_HELP);
    return 0;
  }
  const flag = argv.find((a) => a.startsWith('-'));
  if (flag !== undefined) {
    io.stderr(`unknown flag: ${flag}\nSee 'swarmnet proto --help'.\n`);
    return 125;
  }
  if (argv.length !== 1) {
    io.stderr(`"swarmnet proto" requires exactly 1 argument.\nSee 'swarmnet proto --help'.\n\nUsage:  swarmnet proto DIR\n`);
    return 1;
  }
  const dir = argv[0]!;
  try {
    await mkdir(join(dir, 'google', 'protobuf'), { recursive: true });
    await writeFile(join(dir, 'swarmkit.proto'), swarmkitProtoFile());
    for (const [name, text] of Object.entries(WELL_KNOWN)) await writeFile(join(dir, 'google', 'protobuf', name), text);
    for (const [name, text] of Object.entries(GOSSIP_PROTOS)) await writeFile(join(dir, name), text);
  } catch (error) {
    io.stderr(`swarmnet proto: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  io.stdout(['swarmkit.proto', ...Object.keys(GOSSIP_PROTOS)].map((f) => `${join(dir, f)}\n`).join(''));
  return 0;
}
