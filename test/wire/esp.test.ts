import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyUdpEncapsulated,
  emitEsp,
  emitEspHeader,
  ESP_DEFAULT_ALIGN,
  ESP_HEADER_LEN,
  ESP_IN_UDP_PORT,
  ESP_MAX_ALIGN,
  ESP_MAX_PAD,
  ESP_MIN_LEN,
  ESP_NEXT_HEADER,
  espLen,
  EspPacket,
  espPadLength,
  espTrailerLen,
  formatEspNextHeader,
  NAT_KEEPALIVE_BYTE,
  NON_ESP_MARKER_LEN,
  parseEsp,
  parseEspTrailer,
  writeEspTrailer,
  type EspRepr,
} from '../../src/wire/esp.js';
import { BufferTooSmallError, InvalidArgumentError } from '../../src/util/errors.js';
import { IpProtocol } from '../../src/wire/ipv4.js';
import { emitUdp, udpLen, type UdpRepr } from '../../src/wire/udp.js';
import { expectDrop, expectEmits, expectNeverThrows, expectOk, expectPrefixesTruncated, filled, FUZZ_RUNS, hex, toHex } from '../support/codec.js';
import { complaints, dissectIpv4, field, fieldValues, ipv4Wrap, tsharkAvailable } from '../support/tshark.js';
import { GCM_ESP_CASES } from '../crypto/vectors/draft-mcgrew-gcm-test-01.js';

// draft-mcgrew-gcm-test-01 page 8: SPI 0x0000a5f8, sequence 10, then IV ‖ ciphertext ‖ ICV.
const GOLDEN = hex(GCM_ESP_CASES[0].packet);
const REPR: EspRepr = { spi: 0xa5f8, sequence: 10, body: GOLDEN.slice(ESP_HEADER_LEN) };

describe('ESP framing (RFC 4303 §2)', () => {
  it('parses golden bytes into fields; the body is a view', () => {
    const r = expectOk(parseEsp(GOLDEN));
    expect(r.spi).toBe(0xa5f8);
    expect(r.sequence).toBe(10);
    expect(toHex(r.body)).toBe(toHex(GOLDEN.subarray(8)));
    expect(r.body.buffer, 'body must be a view, not a copy').toBe(GOLDEN.buffer);
    expect(r.body.byteOffset).toBe(GOLDEN.byteOffset + ESP_HEADER_LEN);
  });

  it('emits golden bytes, at offset 0 and at an offset', () => {
    expectEmits((out, off) => emitEsp(REPR, out, off), GOLDEN);
    expectEmits((out, off) => emitEspHeader(REPR.spi, REPR.sequence, out, off), GOLDEN.subarray(0, ESP_HEADER_LEN));
    expect(espLen(REPR)).toBe(GOLDEN.length);
  });

  it('every prefix shorter than header + trailer is truncated', () => {
    expect(ESP_MIN_LEN).toBe(10);
    expectPrefixesTruncated(GOLDEN, ESP_MIN_LEN, parseEsp);
    expectOk(parseEsp(GOLDEN.subarray(0, ESP_MIN_LEN)));
  });

  it('refuses SPI 0 as malformed (§2.1: "MUST NOT be sent on the wire")', () => {
    const zero = GOLDEN.slice();
    zero.fill(0, 0, 4);
    expectDrop(parseEsp(zero), 'malformed', 0);
    expectDrop(EspPacket.checked(zero), 'malformed', 0);
    expect(() => emitEspHeader(0, 1, new Uint8Array(8), 0)).toThrow(InvalidArgumentError);
  });

  it('keeps the IANA-reserved SPIs 1..255 both ways (Docker`s hashed SPIs can land there)', () => {
    for (const spi of [1, 255]) {
      const out = filled(ESP_MIN_LEN);
      emitEspHeader(spi, 1, out, 0);
      expect(expectOk(parseEsp(out)).spi).toBe(spi);
    }
  });

  it('reads fields through the view without copying', () => {
    const v = expectOk(EspPacket.checked(GOLDEN));
    expect(v.spi).toBe(0xa5f8);
    expect(v.sequence).toBe(10);
    expect(v.body.buffer).toBe(GOLDEN.buffer);
    expect(EspPacket.unchecked(GOLDEN).sequence).toBe(10);
    expectDrop(EspPacket.checked(GOLDEN.subarray(0, 9)), 'truncated', 0);
  });

  it('reads u32 fields above 2^31 as unsigned', () => {
    const b = hex('ffffffff fffffffe 0000');
    const r = expectOk(parseEsp(b));
    expect([r.spi, r.sequence]).toEqual([0xffffffff, 0xfffffffe]);
  });

  it('refuses out-of-range header fields and short buffers on emit', () => {
    const out = new Uint8Array(8);
    expect(() => emitEspHeader(2 ** 32, 1, out, 0)).toThrow(InvalidArgumentError);
    expect(() => emitEspHeader(1.5, 1, out, 0)).toThrow(InvalidArgumentError);
    expect(() => emitEspHeader(1, -1, out, 0)).toThrow(InvalidArgumentError);
    expect(() => emitEspHeader(1, 2 ** 32, out, 0)).toThrow(InvalidArgumentError);
    expect(() => emitEspHeader(1, 1, out, 1)).toThrow(BufferTooSmallError);
    expect(() => emitEsp(REPR, new Uint8Array(GOLDEN.length - 1), 0)).toThrow(BufferTooSmallError);
  });

  it('names next headers, and prints unknown ones as hex', () => {
    expect(formatEspNextHeader(ESP_NEXT_HEADER.UDP)).toBe('UDP');
    expect(formatEspNextHeader(ESP_NEXT_HEADER.NO_NEXT_HEADER)).toBe('NO_NEXT_HEADER');
    expect(formatEspNextHeader(0x3d)).toBe('0x3d');
  });

  it('never throws on arbitrary input', () => {
    expectNeverThrows(parseEsp);
  });

  it('parse(emit(r)) equals r', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ minLength: 2, maxLength: 64 }),
        (spi, sequence, body) => {
          const repr: EspRepr = { spi, sequence, body };
          const out = new Uint8Array(espLen(repr));
          emitEsp(repr, out, 0);
          expect(expectOk(parseEsp(out))).toEqual(repr);
        },
      ),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});

describe('ESP trailer (RFC 4303 §2.4)', () => {
  it('parses the trailers of the draft-mcgrew-gcm-test-01 plaintexts', () => {
    for (const c of GCM_ESP_CASES) {
      const plain = hex(c.plaintext);
      const t = expectOk(parseEspTrailer(plain), c.name);
      expect(t.payload.length, c.name).toBe(c.payloadLen);
      expect(t.nextHeader, c.name).toBe(c.nextHeader);
      expect(t.padLength, c.name).toBe(plain.length - 2 - c.payloadLen);
      expect(t.payload.buffer, 'payload is a view').toBe(plain.buffer);
    }
  });

  it('pads so that payload ‖ padding ‖ 2 ends on the alignment', () => {
    const table: Array<[number, number, number]> = [
      // [payload length, align, padding]
      [0, 4, 2],
      [1, 4, 1],
      [2, 4, 0],
      [3, 4, 3],
      [62, 4, 0],
      [48, 4, 2],
      [5, 1, 0],
      [0, 16, 14],
      [14, 16, 0],
      [15, 16, 15],
      [0, ESP_MAX_ALIGN, ESP_MAX_PAD - 1],
      [255, ESP_MAX_ALIGN, ESP_MAX_PAD],
    ];
    for (const [len, align, want] of table) {
      const got = espPadLength(len, align);
      expect(got, `espPadLength(${len}, ${align}): got ${got}, want ${want}`).toBe(want);
      expect(espTrailerLen(len, align)).toBe(want + 2);
    }
    expect(ESP_DEFAULT_ALIGN).toBe(4);
    expect(espPadLength(1)).toBe(1);
  });

  it('refuses alignments outside 1..ESP_MAX_ALIGN and bad lengths', () => {
    for (const align of [0, ESP_MAX_ALIGN + 1, 2.5]) {
      expect(() => espPadLength(4, align), `align ${align}`).toThrow(InvalidArgumentError);
    }
    expect(() => espPadLength(-1)).toThrow(InvalidArgumentError);
  });

  it('writes padding 1, 2, 3 … then pad length and next header', () => {
    expectEmits((out, off) => writeEspTrailer(3, ESP_NEXT_HEADER.UDP, out, off), hex('010203 03 11'));
    expectEmits((out, off) => writeEspTrailer(0, ESP_NEXT_HEADER.IPV4, out, off), hex('00 04'));
  });

  it('writes the largest padding, ESP_MAX_PAD, and refuses more', () => {
    const out = new Uint8Array(ESP_MAX_PAD + 2);
    expect(writeEspTrailer(ESP_MAX_PAD, 17, out, 0)).toBe(ESP_MAX_PAD + 2);
    const t = expectOk(parseEspTrailer(out));
    expect([t.padLength, t.payload.length, t.nextHeader]).toEqual([255, 0, 17]);
    expect(() => writeEspTrailer(ESP_MAX_PAD + 1, 17, new Uint8Array(300), 0)).toThrow(InvalidArgumentError);
    expect(() => writeEspTrailer(0, 256, out, 0)).toThrow(InvalidArgumentError);
    expect(() => writeEspTrailer(3, 17, new Uint8Array(4), 0)).toThrow(BufferTooSmallError);
  });

  it('refuses broken trailers with their offset', () => {
    const table: Array<[string, string, 'truncated' | 'malformed', number]> = [
      ['empty', '', 'truncated', 0],
      ['one byte', '11', 'truncated', 0],
      ['pad length beyond the start', 'aa 02 11', 'malformed', 1],
      ['pad length beyond the start, no payload', '01 02 11', 'malformed', 1],
      ['padding not starting at 1', 'aa 0201 02 11', 'malformed', 1],
      ['padding not increasing', 'aa 0101 02 11', 'malformed', 2],
      ['padding of zeros', '000000 03 11', 'malformed', 0],
    ];
    for (const [what, bytes, reason, offset] of table) {
      const r = parseEspTrailer(hex(bytes));
      if (r.ok || r.reason !== reason || r.offset !== offset) {
        throw new Error(`${what}: got ${r.ok ? 'ok' : `${r.reason} at ${r.offset}`}, want ${reason} at ${offset}`);
      }
    }
  });

  it('never throws on arbitrary plaintexts', () => {
    expectNeverThrows(parseEspTrailer, 300);
  });

  it('parse(write(payload, trailer)) returns the payload and next header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 255 }), (payload, align, nh) => {
        const pad = espPadLength(payload.length, align);
        const out = new Uint8Array(payload.length + pad + 2);
        out.set(payload);
        writeEspTrailer(pad, nh, out, payload.length);
        expect(out.length % align).toBe(0);
        const t = expectOk(parseEspTrailer(out));
        expect([toHex(t.payload), t.padLength, t.nextHeader]).toEqual([toHex(payload), pad, nh]);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});

describe('ESP in UDP (RFC 3948 §2)', () => {
  it('classifies keepalives, the Non-ESP Marker and ESP, and refuses the rest', () => {
    const table: Array<[string, string, string]> = [
      ['NAT-keepalive (§2.3)', 'ff', 'keepalive'],
      ['one byte that is not 0xff', '00', 'malformed@0'],
      ['empty', '', 'truncated@0'],
      ['two bytes', 'ffff', 'truncated@0'],
      ['three bytes', '000000', 'truncated@0'],
      ['bare Non-ESP Marker (§2.2)', '00000000', 'non-esp'],
      ['marker + IKE header', '00000000' + '11'.repeat(28), 'non-esp'],
      ['ESP header, no trailer', '0000a5f8 0000000a', 'truncated@0'],
      ['smallest ESP', '0000a5f8 0000000a 0000', 'esp'],
      ['draft ESP packet', GCM_ESP_CASES[0].packet, 'esp'],
    ];
    for (const [what, bytes, want] of table) {
      const r = classifyUdpEncapsulated(hex(bytes));
      const got = r.ok ? r.value : `${r.reason}@${r.offset}`;
      expect(got, `${what}: got ${got}, want ${want}`).toBe(want);
    }
    expect(ESP_IN_UDP_PORT).toBe(4500);
    expect(NON_ESP_MARKER_LEN).toBe(4);
    expect(NAT_KEEPALIVE_BYTE).toBe(0xff);
  });

  it('allocates no result per datagram', () => {
    expect(classifyUdpEncapsulated(GOLDEN)).toBe(classifyUdpEncapsulated(GOLDEN));
  });

  it('never throws on arbitrary input', () => {
    expectNeverThrows(classifyUdpEncapsulated);
  });
});

// --- External check: tshark reads our framing the same way. --------------------------------------

/** IPv4 10.0.0.1 → 10.0.0.2 + UDP from port 4500 to `dstPort`, UDP checksum computed. */
function ipv4Udp(dstPort: number, payload: Uint8Array): Uint8Array {
  const repr: UdpRepr = { srcPort: ESP_IN_UDP_PORT, dstPort, payload };
  const udp = new Uint8Array(udpLen(repr));
  emitUdp(repr, udp, 0, 0x0a000001, 0x0a000002);
  return ipv4Wrap(IpProtocol.UDP, 0x0a000001, 0x0a000002, udp, { dontFragment: false });
}

describe('tshark agrees', () => {
  it.skipIf(!tsharkAvailable())('on the ESP-in-UDP, NAT-keepalive and Non-ESP Marker datagrams we classify', async () => {
    const esp = new Uint8Array(espLen(REPR));
    emitEsp(REPR, esp, 0);
    const ike = new Uint8Array(NON_ESP_MARKER_LEN + 28);
    ike[NON_ESP_MARKER_LEN + 17] = 0x20; // IKEv2 version
    ike[NON_ESP_MARKER_LEN + 27] = 28; // IKE length
    const datagrams = [esp, new Uint8Array([NAT_KEEPALIVE_BYTE]), ike];
    const packets = await dissectIpv4(datagrams.map((d) => ipv4Udp(ESP_IN_UDP_PORT, d)));
    packets.forEach((layers, i) => expect(complaints(layers), `packet ${i}`).toEqual([]));
    expect(classifyUdpEncapsulated(datagrams[0])).toMatchObject({ ok: true, value: 'esp' });
    expect([field(packets[0], 'esp.spi'), field(packets[0], 'esp.sequence')]).toEqual(['0x0000a5f8', '10']);
    expect(classifyUdpEncapsulated(datagrams[1])).toMatchObject({ ok: true, value: 'keepalive' });
    expect(fieldValues(packets[1], 'udpencap.nat_keepalive')).toHaveLength(1);
    expect(classifyUdpEncapsulated(datagrams[2])).toMatchObject({ ok: true, value: 'non-esp' });
    expect(fieldValues(packets[2], 'udpencap.non_esp_marker')).toHaveLength(1);
    expect(fieldValues(packets[2], 'esp.spi')).toEqual([]);
  });
});
