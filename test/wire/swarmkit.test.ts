/**
 * swarmkit protobuf messages: field numbers and wire types are the protocol. Golden bytes are
 * written by hand from swarmkit's .proto files (api/dispatcher.proto, ca.proto, types.proto):
 * tag = field_number << 3 | wire_type.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeSwarmkit, encodeSwarmkit, MAX_SWARMKIT_MESSAGE_BYTES, SwarmkitDecodeError, type PbNode } from '../../src/wire/swarmkit.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('swarmkit messages', () => {
  it('HeartbeatResponse{period: 5s} — period is field 1 (Duration: seconds field 1)', () => {
    expect(hex(encodeSwarmkit('HeartbeatResponse', { period: { seconds: 5, nanos: 0 } }))).toBe('0a020805');
    expect(decodeSwarmkit('HeartbeatResponse', Buffer.from('0a020805', 'hex'))).toEqual({ period: { seconds: 5, nanos: 0 } });
  });

  it('IssueNodeCertificateRequest: csr is field 2 (bytes), token field 3, availability field 4', () => {
    const bytes = encodeSwarmkit('IssueNodeCertificateRequest', { csr: Buffer.from('ab'), token: 'T', availability: 'DRAIN' });
    expect(hex(bytes)).toBe('1202' + '6162' + '1a0154' + '2002');
  });

  it('EncryptionKey: subsystem 1, algorithm 2, key 3, lamport_time 4 (uint64)', () => {
    const bytes = encodeSwarmkit('EncryptionKey', { subsystem: 'networking:ipsec', key: Buffer.alloc(16, 1), lamport_time: 300 });
    expect(hex(bytes)).toBe('0a106e6574776f726b696e673a6970736563' + '1a10' + '01'.repeat(16) + '20ac02');
  });

  it('Node: role is field 9 and status.state READY = 2; enums decode by name', () => {
    const bytes = encodeSwarmkit('Node', { id: 'n', status: { state: 'READY' }, role: 'MANAGER' });
    expect(hex(bytes)).toBe('0a016e' + '2a020802' + '4801');
    const node = decodeSwarmkit<PbNode>('Node', bytes);
    expect(node.role).toBe('MANAGER');
    expect(node.status.state).toBe('READY');
    expect(node.spec).toBeNull();
  });

  it('unknown fields from a newer peer are skipped', () => {
    // GetRootCACertificateResponse{certificate: "x"} followed by an unknown field 15 varint.
    const decoded = decodeSwarmkit<{ certificate: Uint8Array }>('GetRootCACertificateResponse', Buffer.from('0a0178' + '7801', 'hex'));
    expect(Buffer.from(decoded.certificate).toString()).toBe('x');
    expect(Object.keys(decoded)).toEqual(['certificate']);
  });

  it('oversized and malformed input is refused with a typed error', () => {
    expect(() => decodeSwarmkit('Node', new Uint8Array(MAX_SWARMKIT_MESSAGE_BYTES + 1))).toThrow(SwarmkitDecodeError);
    expect(() => decodeSwarmkit('Node', Buffer.from('0a05ab', 'hex'))).toThrow(SwarmkitDecodeError);
  });

  test.prop([fc.uint8Array({ maxLength: 512, size: 'large' })], { numRuns: 2_000 })('decoding arbitrary bytes throws only SwarmkitDecodeError', (bytes) => {
    for (const type of ['SessionMessage', 'Node', 'IssueNodeCertificateRequest']) {
      try {
        decodeSwarmkit(type, bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(SwarmkitDecodeError);
      }
    }
  });
});
