/**
 * memberlist's wire messages against bytes a real hashicorp/memberlist sent and accepted
 * (reference memberlist-wire.md §5–§7, captured on this machine from memberlist 0.2.2).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MemberlistKeyring } from '../../src/crypto/memberlist-keyring.js';
import {
  decodeMessage,
  ENCRYPT_OVERHEAD,
  encodeCompressed,
  encodeMessage,
  encodePushPull,
  encodeUserStream,
  makeCompound,
  parseStream,
  unpackPacket,
  withCrc,
  wrapStream,
  type MemberlistMessage,
} from '../../src/wire/memberlist.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const text = (s: string) => new TextEncoder().encode(s);
const LOOPBACK = Uint8Array.of(127, 0, 0, 1);

// §5.2–§5.4: captured from memberlist 0.2.2.
const PING = '0085a44e6f6465a26e32a55365714e6f01aa536f7572636541646472a47f000001aa536f757263654e6f6465a26e31aa536f75726365506f7274cdbb4a';
const ACK = '0282a75061796c6f6164c0a55365714e6f01';
const NACK = '0b81a55365714e6f05';
const SUSPECT = '0383a446726f6da26e31ab496e6361726e6174696f6e01a44e6f6465a26e33';
const LEAVE = '0583a446726f6da26e32ab496e6361726e6174696f6e01a44e6f6465a26e32';

describe('memberlist messages, byte for byte with a real memberlist', () => {
  const cases: [string, string, MemberlistMessage][] = [
    ['ping', PING, { type: 'ping', body: { seqNo: 1, node: 'n2', sourceAddr: LOOPBACK, sourcePort: 47946, sourceNode: 'n1' } }],
    ['ack', ACK, { type: 'ack', body: { seqNo: 1, payload: null } }],
    ['nack', NACK, { type: 'nack', body: { seqNo: 5 } }],
    ['suspect', SUSPECT, { type: 'suspect', body: { from: 'n1', incarnation: 1, node: 'n3' } }],
    ['dead (a graceful leave: From = Node)', LEAVE, { type: 'dead', body: { from: 'n2', incarnation: 1, node: 'n2' } }],
  ];
  it.each(cases)('%s decodes field by field and re-encodes to the same bytes', (_, golden, message) => {
    const decoded = decodeMessage(unhex(golden));
    expect(decoded).toEqual({ ok: true, value: message });
    expect(hex(encodeMessage(message))).toBe(golden);
  });

  it('alive: Addr, Meta and Vsn as str (not bin), keys in Go’s order', () => {
    const alive: MemberlistMessage = { type: 'alive', body: { incarnation: 1, node: 'n1', addr: LOOPBACK, port: 47946, meta: text('m1'), vsn: Uint8Array.of(1, 5, 2, 0, 0, 0) } };
    const want = '0486a441646472a47f000001ab496e6361726e6174696f6e01a44d657461a26d31a44e6f6465a26e31a4506f7274cdbb4aa356736ea6010502000000';
    expect(hex(encodeMessage(alive))).toBe(want);
    expect(encodeMessage(alive).length).toBe(60); // §5.4's compound lists each alive part as 60 bytes
  });

  it('a 41-character name is str16 (0xda), never str8', () => {
    const name = 'x'.repeat(41);
    const bytes = encodeMessage({ type: 'suspect', body: { from: name, incarnation: 1, node: 'n' } });
    expect(hex(bytes)).toContain('da0029');
    expect(bytes.includes(0xd9)).toBe(false);
  });

  it('accepts what Go accepts (§6): str8 names, non-minimal ints, keys in any order, Vsn as an array', () => {
    // Node as str8, SeqNo as uint32, keys reversed.
    const ping = unhex('0082a55365714e6fce00000007a44e6f6465d9026e32');
    expect(decodeMessage(ping)).toMatchObject({ ok: true, value: { type: 'ping', body: { seqNo: 7, node: 'n2' } } });
    const alive = unhex('0486a441646472c4047f000001ab496e6361726e6174696f6e01a44d657461c0a44e6f6465a26e31a4506f7274cdbb4aa356736e96010502000000');
    expect(decodeMessage(alive)).toMatchObject({ ok: true, value: { type: 'alive', body: { addr: LOOPBACK, meta: new Uint8Array(0), vsn: Uint8Array.of(1, 5, 2, 0, 0, 0) } } });
  });

  it('refuses what Go refuses (§6): a string field or a map key as bin', () => {
    expect(decodeMessage(unhex('0082a44e6f6465c4026e32a55365714e6f01'))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(decodeMessage(unhex('0082c4044e6f6465a26e32a55365714e6f01'))).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('every truncated prefix of every golden message is refused, never thrown', () => {
    for (const golden of [PING, ACK, NACK, SUSPECT, LEAVE]) {
      const bytes = unhex(golden);
      for (let n = 0; n < bytes.length; n++) {
        const r = decodeMessage(bytes.subarray(0, n));
        expect(r.ok, `${golden.slice(0, 4)}… cut at ${n}`).toBe(false);
      }
    }
  });
});

describe('packets: compound, CRC, compression', () => {
  it('the §5.4 gossip packet layout: CRC over compound(alive …, user)', () => {
    const alive = encodeMessage({ type: 'alive', body: { incarnation: 1, node: 'n1', addr: LOOPBACK, port: 47946, meta: text('m1'), vsn: Uint8Array.of(1, 5, 2, 0, 0, 0) } });
    const user = encodeMessage({ type: 'user', payload: text('hello-from-n3') });
    const packet = withCrc(makeCompound([alive, user]));
    expect(hex(packet.subarray(5, 9))).toBe(`0702${alive.length.toString(16).padStart(4, '0')}`);
    expect(hex(user)).toBe('0868656c6c6f2d66726f6d2d6e33');
    const unpacked = unpackPacket(packet);
    expect(unpacked.ok && unpacked.value.map((m) => m.type)).toEqual(['alive', 'user']);
    const corrupt = packet.slice();
    corrupt[20] ^= 1;
    expect(unpackPacket(corrupt)).toMatchObject({ ok: false, reason: 'bad-checksum' });
  });

  it('compress wraps {Algo: 0, Buf: LZW} and unpacks to the same messages', () => {
    const inner = makeCompound([unhex(PING), unhex(ACK)]);
    const wrapped = encodeCompressed(inner);
    expect(hex(wrapped.subarray(0, 12))).toBe('0982a4416c676f00a3427566');
    const unpacked = unpackPacket(withCrc(wrapped));
    expect(unpacked.ok && unpacked.value.map((m) => m.type)).toEqual(['ping', 'ack']);
  });

  it('a bad part of a compound is reported and the good parts still come back', () => {
    const drops: string[] = [];
    const r = unpackPacket(makeCompound([unhex(PING), Uint8Array.of(0x03, 0x81), unhex(ACK)]), { onDrop: (d) => drops.push(d.reason) });
    expect(r.ok && r.value.map((m) => m.type)).toEqual(['ping', 'ack']);
    expect(drops).toEqual(['truncated']);
    expect(unpackPacket(Uint8Array.of(0x07, 0xff, 0x00))).toMatchObject({ ok: false, reason: 'truncated' });
  });

  test.prop([fc.uint8Array({ maxLength: 300 })])('never throws on arbitrary packets', (bytes) => {
    expect(() => unpackPacket(bytes)).not.toThrow();
    expect(() => parseStream(bytes)).not.toThrow();
  });

  test.prop([fc.nat({ max: 0xffffffff }), fc.string({ maxLength: 40 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat({ max: 65535 })])(
    'decode(encode(m)) is m for alive, suspect and ping',
    (n, name, addr, port) => {
      const msgs: MemberlistMessage[] = [
        { type: 'alive', body: { incarnation: n, node: name, addr, port, meta: new Uint8Array(0), vsn: Uint8Array.of(1, 5, 2, 0, 0, 0) } },
        { type: 'suspect', body: { incarnation: n, node: name, from: name } },
        { type: 'ping', body: { seqNo: n, node: name, sourceAddr: addr, sourcePort: port, sourceNode: name } },
      ];
      for (const m of msgs) {
        const back = decodeMessage(encodeMessage(m));
        expect(back.ok).toBe(true);
        if (m.type === 'ping' && back.ok && back.value.type === 'ping') {
          // omitempty: an empty source name or a zero port is not sent and reads back empty.
          expect(back.value.body.seqNo).toBe(n);
          expect(back.value.body.node).toBe(name);
        } else {
          expect(back).toEqual({ ok: true, value: m });
        }
      }
    },
  );
});

describe('streams (TCP): push/pull, user messages, encryption', () => {
  const state = { name: 'n1', addr: LOOPBACK, port: 47946, meta: new Uint8Array(0), incarnation: 3, state: 0, vsn: Uint8Array.of(1, 5, 2, 0, 0, 0) };

  it('push/pull: §5.5’s header, node states and raw user state', () => {
    const body = encodePushPull({ join: true, states: [state], userState: text('st2') });
    expect(hex(body).startsWith('0683a44a6f696ec3a54e6f64657301ac5573657253746174654c656e0387a441646472a47f000001')).toBe(true);
    for (const compress of [false, true]) {
      const parsed = parseStream(wrapStream(body, { compress }));
      expect(parsed.kind).toBe('ok');
      if (parsed.kind === 'ok' && parsed.message.type === 'pushPull') {
        expect(parsed.message.header).toEqual({ nodes: 1, userStateLen: 3, join: true });
        expect(parsed.message.states).toEqual([state]);
        expect(new TextDecoder().decode(parsed.message.userState)).toBe('st2');
      }
    }
  });

  it('asks for more bytes until the whole message is there', () => {
    const body = encodeUserStream(text('bulk sync bytes'));
    for (const compress of [false, true]) {
      const stream = wrapStream(body, { compress });
      for (let n = 0; n < stream.length; n++) expect(parseStream(stream.subarray(0, n)).kind, `cut at ${n}`).toBe('incomplete');
      const whole = parseStream(stream);
      expect(whole.kind === 'ok' && whole.message.type === 'user' && new TextDecoder().decode(whole.message.payload)).toBe('bulk sync bytes');
    }
  });

  it('encrypted streams: 0x0a + length, AAD = those 5 bytes; wrong key and plaintext refused', () => {
    const ring = new MemberlistKeyring([new Uint8Array(16).fill(1)]);
    const seal = (p: Uint8Array, aad: Uint8Array) => ring.seal(p, aad);
    const open = (s: Uint8Array, aad: Uint8Array) => ring.open(s, aad);
    const frame = wrapStream(encodeUserStream(text('x')), { compress: true, seal });
    expect(frame[0]).toBe(0x0a);
    expect(new DataView(frame.buffer).getUint32(1)).toBe(frame.length - 5);
    const parsed = parseStream(frame, { open });
    expect(parsed.kind).toBe('ok');
    const tampered = frame.slice();
    tampered[3] ^= 0; // length unchanged, AAD intact …
    tampered[tampered.length - 1] ^= 1; // … but the tag broken
    expect(parseStream(tampered, { open })).toMatchObject({ kind: 'drop', drop: { reason: 'auth-failed' } });
    expect(parseStream(wrapStream(encodeUserStream(text('x')), { compress: true }), { open })).toMatchObject({ kind: 'drop', drop: { reason: 'auth-failed' } });
    const other = new MemberlistKeyring([new Uint8Array(16).fill(2)]);
    expect(parseStream(frame, { open: (s, aad) => other.open(s, aad) })).toMatchObject({ kind: 'drop', drop: { reason: 'auth-failed' } });
  });

  it('a stream claiming more than memberlist’s 20 MiB is refused at once', () => {
    const head = Uint8Array.of(0x0a, 0x02, 0x00, 0x00, 0x00);
    expect(parseStream(head, { open: () => ({ ok: true, value: new Uint8Array(0) }) })).toMatchObject({ kind: 'drop', drop: { reason: 'too-large' } });
  });
});

describe('AES-GCM packets (memberlist security.go)', () => {
  it('adds exactly 29 bytes; any key of the ring opens; the primary seals', () => {
    const k1 = new Uint8Array(16).fill(1);
    const k2 = new Uint8Array(16).fill(2);
    const ring = new MemberlistKeyring([k1, k2], k2);
    const sealed = ring.encryptPacket(unhex(PING));
    expect(sealed.length - unhex(PING).length).toBe(ENCRYPT_OVERHEAD);
    expect(sealed[0]).toBe(1);
    const onlyK2 = new MemberlistKeyring([k2]);
    expect(onlyK2.decryptPacket(sealed)).toMatchObject({ ok: true });
    expect(new MemberlistKeyring([k1]).decryptPacket(sealed)).toMatchObject({ ok: false, reason: 'auth-failed' });
    expect(ring.decryptPacket(Uint8Array.of(7, ...new Uint8Array(40)))).toMatchObject({ ok: false, reason: 'bad-version' });
    expect(ring.decryptPacket(sealed.subarray(0, 20))).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('keeps memberlist’s rules: the primary cannot be removed; rotation installs, switches, drops', () => {
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => new Uint8Array(16).fill(n)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const ring = new MemberlistKeyring([b, a, c], b);
    expect(() => ring.removeKey(b)).toThrow(/primary/);
    ring.setKeys(c, [c, b, d]);
    expect(ring.primary).toEqual(c);
    expect(ring.keys.length).toBe(3);
    expect(ring.keys.some((k) => k[0] === 1)).toBe(false);
    expect(() => new MemberlistKeyring([new Uint8Array(5)])).toThrow(/16, 24 or 32/);
  });
});
