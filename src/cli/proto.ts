/**
 * `swarmnet proto DIR`: writes the .proto files swarmnet speaks on 2377 (swarmkit's messages,
 * from src/wire/swarmkit-schema.ts, and the two well-known types they use) so Wireshark/tshark can
 * decode the gRPC bodies: point `protobuf.search_paths` at DIR, and give it the TLS keys that
 * `node --tls-keylog=FILE` writes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SWARMKIT_SCHEMA } from '../wire/swarmkit-schema.js';
import type { Io } from './main.js';

export const PROTO_HELP = `
Usage:  swarmnet proto DIR

Write the protobuf definitions of swarmkit's messages on 2377 (swarmkit.proto and the
google/protobuf types it imports) into DIR, for Wireshark's protobuf dissector:

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
  } catch (error) {
    io.stderr(`swarmnet proto: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  io.stdout(`${join(dir, 'swarmkit.proto')}\n`);
  return 0;
}
