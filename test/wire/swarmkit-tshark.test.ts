/**
 * tshark reads swarmnet's 2377 bytes as swarmkit's: an `UpdateTaskStatus` call and an
 * `AssignmentsMessage` answer, encoded by our codec (src/wire/swarmkit.ts), framed as gRPC by
 * Node's HTTP/2 client exactly as on the wire (TLS aside), captured into a pcap as TCP segments,
 * and dissected with the .proto files `swarmnet proto` writes — field by field, swarmnet's
 * extension field 1000 (SessionMessage's gossip peers) included, nothing malformed.
 */
import http2 from 'node:http2';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protoCommand } from '../../src/cli/proto.js';
import { parseIpv4Address } from '../../src/wire/address.js';
import { encodeGossip, encodePeerRecord } from '../../src/wire/networkdb.js';
import { IpProtocol } from '../../src/wire/ipv4.js';
import { encodeSwarmkit } from '../../src/wire/swarmkit.js';
import { emitTcp, TcpFlag, tcpLen } from '../../src/wire/tcp.js';
import { ipv4Wrap, pcapOf, tsharkAvailable } from '../support/tshark.js';
import { LinkType } from '../../src/wire/pcap.js';

const run = promisify(execFile);
const CLIENT = parseIpv4Address('127.1.2.2');
const MANAGER = parseIpv4Address('127.1.2.1');

/** What Node's HTTP/2 client writes for one gRPC call carrying `message` (5-byte gRPC prefix). */
async function http2Request(path: string, message: Uint8Array): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  const client = http2.connect('http://swarm-manager', { createConnection: () => socket });
  client.on('error', () => undefined);
  const request = client.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc+proto', te: 'trailers' });
  request.on('error', () => undefined);
  const framed = Buffer.alloc(5 + message.length);
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, 5);
  request.end(framed);
  await new Promise((resolve) => setTimeout(resolve, 50));
  client.destroy();
  socket.destroy();
  return Buffer.concat(chunks);
}

/** `bytes` as TCP segments (≤ 1400 bytes each) from the client's port to 2377, with a handshake first. */
function tcpFrames(bytes: Uint8Array, srcPort: number): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  const segment = (seq: number, flags: number, payload: Uint8Array, reverse = false) => {
    const repr = { srcPort: reverse ? 2377 : srcPort, dstPort: reverse ? srcPort : 2377, seq, ack: reverse ? 1001 : 5001, flags, window: 65535, urgentPointer: 0, options: {}, payload };
    const out = new Uint8Array(tcpLen(repr));
    emitTcp(repr, out, 0, reverse ? MANAGER : CLIENT, reverse ? CLIENT : MANAGER);
    datagrams.push(ipv4Wrap(IpProtocol.TCP, reverse ? MANAGER : CLIENT, reverse ? CLIENT : MANAGER, out));
  };
  segment(1000, TcpFlag.SYN, new Uint8Array(0));
  segment(5000, TcpFlag.SYN | TcpFlag.ACK, new Uint8Array(0), true);
  for (let off = 0; off < bytes.length; off += 1400) segment(1001 + off, TcpFlag.ACK | TcpFlag.PSH, bytes.subarray(off, Math.min(bytes.length, off + 1400)));
  return datagrams;
}

const TASK_ID = 'x2y7kkh8hmr7e4dqbpfj0ljmq';

describe.runIf(tsharkAvailable())('2377 bytes through tshark with swarmkit’s .proto', () => {
  let dir: string;
  let text: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'swarmnet-proto-'));
    const io = { stdout: () => undefined, stderr: (t: string) => void process.stderr.write(t) };
    expect(await protoCommand([join(dir, 'protos')], io)).toBe(0);
    const update = encodeSwarmkit('UpdateTaskStatusRequest', {
      session_id: 'sess1',
      updates: [{ task_id: TASK_ID, status: { state: 'RUNNING', message: 'started', container: { container_id: 'c'.repeat(64), pid: 4242, exit_code: 0 } } }],
    });
    const assignments = encodeSwarmkit('AssignmentsMessage', {
      type: 'COMPLETE',
      changes: [{ action: 'UPDATE', assignment: { task: { id: TASK_ID, slot: 2, desired_state: 'RUNNING', spec: { container: { image: 'nginx:latest', args: ['nginx'] } } } } }],
    });
    const session = encodeSwarmkit('SessionMessage', {
      session_id: 'sess1',
      network_bootstrap_keys: [{ subsystem: 'networking:gossip', algorithm: 'AES_128_GCM', key: new Uint8Array(16).fill(7), lamport_time: 42 }],
      swarmnet_gossip_peers: [{ node_id: 'node3', addr: '127.0.0.1:40123' }],
    });
    // Requests as a client sends them (tshark types a gRPC body by its path and direction).
    const frames = [
      ...tcpFrames(await http2Request('/docker.swarmkit.v1.Dispatcher/UpdateTaskStatus', update), 50001),
      ...tcpFrames(await http2Request('/docker.swarmkit.v1.Dispatcher/Assignments', encodeSwarmkit('AssignmentsRequest', { session_id: 'sess1' })), 50002),
    ];
    const file = join(dir, 'grpc.pcap');
    writeFileSync(file, pcapOf(frames, LinkType.RAW));
    const { stdout } = await run(
      'tshark',
      ['-r', file, '-n', '-d', 'tcp.port==2377,http2', '-o', `uat:protobuf_search_paths:"${join(dir, 'protos')}","TRUE"`, '-Y', 'grpc', '-V'],
      { maxBuffer: 16 << 20, timeout: 30_000 },
    );
    text = stdout;
    // A streamed answer needs the server's half of HTTP/2; its body is the same message bytes, so
    // tshark's protobuf dissector reads them directly, told the type (a UDP port mapped to it).
    const gossip = encodeGossip('TABLE_EVENT', {
      type: 'CREATE',
      l_time: 77,
      node_name: '3f2a9c1d7b6e',
      network_id: 'n'.repeat(25),
      table_name: 'overlay_peer_table',
      key: 'e'.repeat(64),
      value: encodePeerRecord({ endpoint_ip: '10.0.1.5/24', endpoint_mac: '02:42:0a:00:01:05', tunnel_endpoint_ip: '127.0.0.2' }),
    });
    const peer = encodePeerRecord({ endpoint_ip: '10.0.1.6/24', endpoint_mac: '02:42:0a:00:01:06', tunnel_endpoint_ip: '127.0.0.1', swarmnet_tunnel_endpoint_port: 40001 });
    for (const [name, bytes] of [
      ['docker.swarmkit.v1.AssignmentsMessage', assignments],
      ['docker.swarmkit.v1.SessionMessage', session],
      ['networkdb.GossipMessage', gossip],
      ['overlay.PeerRecord', peer],
    ] as const) {
      const answer = join(dir, `${name}.pcap`);
      writeFileSync(answer, pcapOf([udpDatagram(bytes)], LinkType.RAW));
      const decoded = await run(
        'tshark',
        ['-r', answer, '-n', '-o', `uat:protobuf_search_paths:"${join(dir, 'protos')}","TRUE"`, '-o', `uat:protobuf_udp_message_types:"9999","${name}"`, '-d', 'udp.port==9999,protobuf', '-V'],
        { maxBuffer: 16 << 20, timeout: 30_000 },
      );
      text += decoded.stdout;
    }
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('decodes UpdateTaskStatus as swarmkit’s UpdateTaskStatusRequest, field by field', () => {
    expect(text).toContain('GRPC Message: /docker.swarmkit.v1.Dispatcher/UpdateTaskStatus, Request');
    expect(text).toContain('Message: docker.swarmkit.v1.UpdateTaskStatusRequest');
    expect(text).toContain(`task_id = ${TASK_ID} (string)`);
    expect(text).toContain('state = RUNNING(512) (enum)');
    expect(text).toContain('pid = 4242 (int32)');
    expect(text).toContain('Message: docker.swarmkit.v1.AssignmentsRequest');
  });

  it('decodes an AssignmentsMessage with its task', () => {
    expect(text).toContain('Message: docker.swarmkit.v1.AssignmentsMessage');
    expect(text).toContain('image = nginx:latest (string)');
    expect(text).toContain('desired_state = RUNNING(512) (enum)');
    expect(text).not.toMatch(/malformed|Expert Info \(Error/i);
  });

  it('decodes NetworkDB gossip and a PeerRecord with swarmnet’s port (field 1000) from the .proto files `swarmnet proto` writes', () => {
    expect(text).toContain('Message: networkdb.GossipMessage');
    expect(text).toContain('type = TABLE_EVENT(2) (enum)');
    expect(text).toContain('Message: overlay.PeerRecord');
    expect(text).toContain('tunnel_endpoint_ip = 127.0.0.1 (string)');
    expect(text).toContain('swarmnet_tunnel_endpoint_port = 40001 (uint32)');
    expect(text).not.toMatch(/malformed|Expert Info \(Error/i);
  });

  it('decodes a SessionMessage with its gossip key and swarmnet’s gossip peers (field 1000)', () => {
    expect(text).toContain('Message: docker.swarmkit.v1.SessionMessage');
    expect(text).toContain('subsystem = networking:gossip (string)');
    expect(text).toContain('lamport_time = 42 (uint64)');
    expect(text).toContain('addr = 127.0.0.1:40123 (string)');
    expect(text).not.toMatch(/malformed|Expert Info \(Error/i);
  });
});

/** `payload` in a UDP datagram to port 9999 (where the test tells tshark to expect one message). */
function udpDatagram(payload: Uint8Array): Uint8Array {
  const udp = new Uint8Array(8 + payload.length);
  const view = new DataView(udp.buffer);
  view.setUint16(0, 40000);
  view.setUint16(2, 9999);
  view.setUint16(4, udp.length);
  udp.set(payload, 8);
  return ipv4Wrap(IpProtocol.UDP, CLIENT, MANAGER, udp);
}
