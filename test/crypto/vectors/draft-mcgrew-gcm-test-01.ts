/**
 * AES-GCM-ESP test cases from draft-mcgrew-gcm-test-01 §4 ("Test Cases for the use of GCM and GMAC
 * in IPsec ESP", D. McGrew, March 2009; https://datatracker.ietf.org/doc/html/draft-mcgrew-gcm-test-01),
 * copied byte for byte. Every case uses an 8-byte IV and a 16-byte ICV.
 *
 * Only the cases with a 4-octet sequence number are here: the others use 64-bit Extended Sequence
 * Numbers (the high half goes into the AAD but not on the wire), which Docker's SAs do not use and
 * this implementation does not support. The AES-GMAC-ESP case (RFC 4543) is not AES-GCM.
 *
 * `payloadLen`/`nextHeader` are read off each plaintext's trailer by hand (Pad Length is the
 * second-to-last byte). The draft's trailers all say Next Header 1 although the payloads are IPv4
 * packets; the bytes are what they are, and the tests reproduce them.
 */
export interface GcmEspCase {
  readonly name: string;
  readonly key: string;
  readonly spi: number;
  readonly seq: number;
  /** salt (4) ‖ IV (8). */
  readonly nonce: string;
  readonly plaintext: string;
  readonly payloadLen: number;
  readonly nextHeader: number;
  readonly packet: string;
}

export const GCM_ESP_CASES: readonly GcmEspCase[] = [
  {
    name: 'page 8: AES-128, 64-byte plaintext, no padding',
    key: 'feffe9928665731c6d6a8f9467308308',
    spi: 0x0000a5f8,
    seq: 0x0000000a,
    nonce: 'cafebabefacedbaddecaf888',
    plaintext:
      '4500003e698f000080114dccc0a80102 c0a801010a980035002a2343b2d00100 ' +
      '00010000000000000373697009637962 65726369747902646b00000100010001',
    payloadLen: 62,
    nextHeader: 1,
    packet:
      '0000a5f80000000afacedbaddecaf888 deb22cd9b07c72c16e3a65beeb8df304 ' +
      'a5a5897d33ae530f1ba76d5d114d2a5c 3de81827c10e9a4f51330d0eec416642 ' +
      'cfbb85a5b47e48a4ec3b9ba95d918bd1 83b70d3aa8bc6ee4c309e9d85a41ad4a',
  },
  {
    name: 'page 9: AES-256, 52-byte plaintext, 2 padding bytes',
    key: 'abbccddef00112233445566778899aab abbccddef00112233445566778899aab',
    spi: 0x4a2cbfe3,
    seq: 0x00000002,
    nonce: '112233440102030405060708',
    plaintext:
      '4500003069a6400080062690c0a80102 9389155e0a9e008b2dc57ee000000000 ' +
      '7002400020bf0000020405b401010402 01020201',
    payloadLen: 48,
    nextHeader: 1,
    packet:
      '4a2cbfe3000000020102030405060708 ff425c9b724599df7a3bcd510194e00d ' +
      '6a78107f1b0b1cbf06efae9d65a5d763 748a637985771d347f0545659f14e99d ' +
      'ef842d8eb335f4eecfdbf831824b4c49 15956c96',
  },
  {
    name: 'page 12: AES-192, 40-byte plaintext, no padding',
    key: 'feffe9928665731c6d6a8f9467308308 feffe9928665731c',
    spi: 0x0000a5f8,
    seq: 0x0000000a,
    nonce: 'cafebabefacedbaddecaf888',
    plaintext: '45000028a4ad4000400678800a01038f 0a010612802306b8cb712602dd6bb03e 501016d075680001',
    payloadLen: 38,
    nextHeader: 1,
    packet:
      '0000a5f80000000afacedbaddecaf888 a5b1f8066029aea40e598b8122de0242 ' +
      '0938b3ab33f828e687b8858b5bfbdbd0 315b27452144cc7795457b9652037f53 18027b5b4cd7a636',
  },
  {
    name: 'page 17: AES-128, empty payload, sequence 0xffffffff',
    key: '7d773d00c144c525ac619d18c84a3f47',
    spi: 0x335467ae,
    seq: 0xffffffff,
    nonce: 'd966426743457e9182443bc6',
    plaintext: '01020201',
    payloadLen: 0,
    nextHeader: 1,
    packet: '335467aeffffffff43457e9182443bc6 437f866bcb3f699fe9b0822bac961c45 04bef270',
  },
];

/**
 * The draft's page-10 case uses SPI 0, which RFC 4303 §2.1 says "MUST NOT be sent on the wire":
 * we can neither build an SA for it nor accept its packet, and the tests check we refuse it.
 */
export const SPI_ZERO_CASE: GcmEspCase = {
  name: 'page 10: AES-128 all-zero key, SPI 0',
  key: '00000000000000000000000000000000',
  spi: 0,
  seq: 1,
  nonce: '000000000000000000000000',
  plaintext:
    '4500003c99c500008001cb7a40679318 010101010800075c0200440061626364 ' +
    '65666768696a6b6c6d6e6f7071727374 75767761626364656667686901020201',
  payloadLen: 60,
  nextHeader: 1,
  packet:
    '00000000000000010000000000000000 4688daf2f973a392732909c331d56d60 ' +
    'f694abaa414b5e7ff5fdcdfff5e9a284 456476492719ffb64de7d9dca1e1d894 ' +
    'bc3bd57873ed4d181d19d4d5c8c18af3 f821d496eeb096e98ad2b69e4799c71d',
};
