/**
 * hashicorp/memberlist's wire messages (`net.go`, `util.go`, `security.go` framing), protocol
 * version 2 as Docker runs it (reference memberlist-wire.md, docker-overlay-facts.md §3).
 *
 * A message is one type byte and a msgpack map keyed by Go field names (msgpack.ts writes them
 * as Go does). Around messages: `compound` (count u8, u16 BE lengths, parts), `compress`
 * ({Algo: 0 = LZW, Buf}), `hasCrc` (CRC-32/IEEE BE of the rest), and on top the AES-GCM framing
 * whose sealing lives in crypto/memberlist-keyring.ts: UDP `[version][nonce 12][ct‖tag 16]`,
 * TCP `[0x0a][u32 BE length][version][nonce][ct‖tag]` with those first 5 bytes as AAD.
 *
 * Decoders never throw: malformed input comes back as a `Drop` with its reason and offset.
 */
import { crc32 } from 'node:zlib';
import { drop, ok, shiftDrop, type Drop, type Result } from '../util/drop.js';
import { lzwCompress, lzwDecompress } from './lzw.js';
import { fieldBool, fieldBytes, fieldString, fieldUint, MsgpackReader, MsgpackWriter, type MsgpackMap } from './msgpack.js';

/** memberlist's `messageType` values (wire protocol: append only). */
export const MEMBERLIST_MESSAGE_TYPES = {
  ping: 0,
  indirectPing: 1,
  ack: 2,
  suspect: 3,
  alive: 4,
  dead: 5,
  pushPull: 6,
  compound: 7,
  user: 8,
  compress: 9,
  encrypt: 10,
  nack: 11,
  hasCrc: 12,
  err: 13,
} as const;
const T = MEMBERLIST_MESSAGE_TYPES;

/** The name of a message type byte, or its hex for one we do not know. */
export function messageTypeName(type: number): string {
  const name = Object.entries(T).find(([, v]) => v === type)?.[0];
  return name ?? `0x${type.toString(16).padStart(2, '0')}`;
}

/** memberlist's `maxPushStateBytes`: the largest stream (push/pull state) accepted. */
export const MAX_STREAM_BYTES = 20 * 1024 * 1024;
/** Most nodes one push/pull may list. */
export const MAX_PUSH_NODES = 65_536;
/** A compound's count is one byte. */
export const MAX_COMPOUND_PARTS = 255;
/** Compound/compress/CRC wrappers nest at most this deep (memberlist nests two). */
export const MAX_PACKET_NESTING = 4;
/** Encryption version 1 (AES-GCM, no padding): what protocol ≥ 2 sends. */
export const ENCRYPTION_VERSION = 1;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
/** Version byte + nonce + tag: what encryption adds to a UDP packet (29 bytes). */
export const ENCRYPT_OVERHEAD = 1 + GCM_NONCE_BYTES + GCM_TAG_BYTES;
/** The TCP encrypt header: type byte + u32 length (the AES-GCM AAD). */
export const STREAM_ENCRYPT_HEADER = 5;
/** memberlist `lzwAlgo`. */
export const LZW_ALGO = 0;

export interface Ping {
  readonly seqNo: number;
  readonly node: string;
  readonly sourceAddr?: Uint8Array;
  readonly sourcePort?: number;
  readonly sourceNode?: string;
}
export interface IndirectPing {
  readonly seqNo: number;
  readonly target: Uint8Array;
  readonly port: number;
  readonly node: string;
  readonly nack: boolean;
  readonly sourceAddr?: Uint8Array;
  readonly sourcePort?: number;
  readonly sourceNode?: string;
}
export interface Ack {
  readonly seqNo: number;
  readonly payload: Uint8Array | null;
}
export interface Nack {
  readonly seqNo: number;
}
export interface Suspect {
  readonly incarnation: number;
  readonly node: string;
  readonly from: string;
}
export type Dead = Suspect;
export interface Alive {
  readonly incarnation: number;
  readonly node: string;
  readonly addr: Uint8Array;
  readonly port: number;
  readonly meta: Uint8Array;
  readonly vsn: Uint8Array;
}
export interface ErrResp {
  readonly error: string;
}
export interface PushPullHeader {
  readonly nodes: number;
  readonly userStateLen: number;
  readonly join: boolean;
}
export interface PushNodeState {
  readonly name: string;
  readonly addr: Uint8Array;
  readonly port: number;
  readonly meta: Uint8Array;
  readonly incarnation: number;
  readonly state: number;
  readonly vsn: Uint8Array;
}

export type MemberlistMessage =
  | { readonly type: 'ping'; readonly body: Ping }
  | { readonly type: 'indirectPing'; readonly body: IndirectPing }
  | { readonly type: 'ack'; readonly body: Ack }
  | { readonly type: 'nack'; readonly body: Nack }
  | { readonly type: 'suspect'; readonly body: Suspect }
  | { readonly type: 'alive'; readonly body: Alive }
  | { readonly type: 'dead'; readonly body: Dead }
  | { readonly type: 'err'; readonly body: ErrResp }
  | { readonly type: 'user'; readonly payload: Uint8Array };

const U32 = 0xffff_ffff;
const U16 = 0xffff;

// ---- encoding ----

/** One message: type byte + msgpack body, fields in Go's (alphabetical) order. */
export function encodeMessage(m: MemberlistMessage): Uint8Array {
  if (m.type === 'user') {
    const out = new Uint8Array(1 + m.payload.length);
    out[0] = T.user;
    out.set(m.payload, 1);
    return out;
  }
  const w = new MsgpackWriter().byte(T[m.type]);
  writeBody(w, m);
  return w.bytes().slice();
}

/** The `omitempty` Source* fields of ping and indirectPing: how many are sent, and their writer. */
function sourceFields(b: { readonly sourceAddr?: Uint8Array; readonly sourcePort?: number; readonly sourceNode?: string }): { count: number; write: (w: MsgpackWriter) => void } {
  const hasAddr = b.sourceAddr !== undefined && b.sourceAddr.length > 0;
  const hasPort = b.sourcePort !== undefined && b.sourcePort !== 0;
  const hasNode = b.sourceNode !== undefined && b.sourceNode !== '';
  return {
    count: Number(hasAddr) + Number(hasPort) + Number(hasNode),
    write: (w) => {
      if (hasAddr) w.str('SourceAddr').rawStr(b.sourceAddr!);
      if (hasNode) w.str('SourceNode').str(b.sourceNode!);
      if (hasPort) w.str('SourcePort').uint(b.sourcePort!);
    },
  };
}

function writeBody(w: MsgpackWriter, m: Exclude<MemberlistMessage, { type: 'user' }>): void {
  switch (m.type) {
    case 'ping': {
      const b = m.body;
      const source = sourceFields(b);
      w.map(2 + source.count);
      w.str('Node').str(b.node).str('SeqNo').uint(b.seqNo);
      source.write(w);
      return;
    }
    case 'indirectPing': {
      const b = m.body;
      const source = sourceFields(b);
      w.map(5 + source.count);
      w.str('Nack').bool(b.nack).str('Node').str(b.node).str('Port').uint(b.port).str('SeqNo').uint(b.seqNo);
      source.write(w);
      w.str('Target').rawStr(b.target);
      return;
    }
    case 'ack':
      w.map(2).str('Payload');
      if (m.body.payload === null) w.nil();
      else w.rawStr(m.body.payload);
      w.str('SeqNo').uint(m.body.seqNo);
      return;
    case 'nack':
      w.map(1).str('SeqNo').uint(m.body.seqNo);
      return;
    case 'suspect':
    case 'dead':
      w.map(3).str('From').str(m.body.from).str('Incarnation').uint(m.body.incarnation).str('Node').str(m.body.node);
      return;
    case 'alive': {
      const b = m.body;
      w.map(6).str('Addr').rawStr(b.addr).str('Incarnation').uint(b.incarnation).str('Meta').rawStr(b.meta).str('Node').str(b.node).str('Port').uint(b.port).str('Vsn').rawStr(b.vsn);
      return;
    }
    case 'err':
      w.map(1).str('Error').str(m.body.error);
      return;
  }
}

/** `makeCompoundMessage`: count u8, u16 BE lengths, then the parts. */
export function makeCompound(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length > MAX_COMPOUND_PARTS) throw new RangeError(`a compound holds at most ${MAX_COMPOUND_PARTS} messages`);
  let size = 2 + 2 * parts.length;
  for (const p of parts) {
    if (p.length > U16) throw new RangeError(`a compound part is at most ${U16} bytes`);
    size += p.length;
  }
  const out = new Uint8Array(size);
  out[0] = T.compound;
  out[1] = parts.length;
  let at = 2 + 2 * parts.length;
  parts.forEach((p, i) => {
    out[2 + 2 * i] = p.length >>> 8;
    out[3 + 2 * i] = p.length & 0xff;
    out.set(p, at);
    at += p.length;
  });
  return out;
}

/** `hasCrc` + CRC-32/IEEE (big-endian) of `msg` + `msg`. */
export function withCrc(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + msg.length);
  out[0] = T.hasCrc;
  new DataView(out.buffer).setUint32(1, crc32(msg));
  out.set(msg, 5);
  return out;
}

/** `compressPayload`: a `compress` message {Algo: LZW, Buf: LZW(msg)}. */
export function encodeCompressed(msg: Uint8Array): Uint8Array {
  return new MsgpackWriter().byte(T.compress).map(2).str('Algo').uint(LZW_ALGO).str('Buf').rawStr(lzwCompress(msg)).bytes().slice();
}

/** A push/pull stream body: header, every node state, then the delegate's raw user state. */
export function encodePushPull(p: { readonly join: boolean; readonly states: readonly PushNodeState[]; readonly userState: Uint8Array }): Uint8Array {
  const w = new MsgpackWriter().byte(T.pushPull);
  w.map(3).str('Join').bool(p.join).str('Nodes').uint(p.states.length).str('UserStateLen').uint(p.userState.length);
  for (const s of p.states) {
    w.map(7).str('Addr').rawStr(s.addr).str('Incarnation').uint(s.incarnation).str('Meta').rawStr(s.meta).str('Name').str(s.name).str('Port').uint(s.port).str('State').uint(s.state).str('Vsn').rawStr(s.vsn);
  }
  return w.raw(p.userState).bytes().slice();
}

/** A user message on a stream (`SendReliable`): type, {UserMsgLen}, then the payload. */
export function encodeUserStream(payload: Uint8Array): Uint8Array {
  return new MsgpackWriter().byte(T.user).map(1).str('UserMsgLen').uint(payload.length).raw(payload).bytes().slice();
}

/** Seals stream bytes: given the 5-byte header as AAD, returns version + nonce + ct + tag. */
export type StreamSealer = (plaintext: Uint8Array, aad: Uint8Array) => Uint8Array;
/** Opens a sealed stream payload (tries every key); the AAD is the 5-byte header. */
export type StreamOpener = (sealed: Uint8Array, aad: Uint8Array) => Result<Uint8Array>;

/** `rawSendMsgStream`: compress (memberlist's default), then encrypt when a sealer is given. */
export function wrapStream(inner: Uint8Array, options: { readonly compress: boolean; readonly seal?: StreamSealer; readonly sealedLength?: (plain: number) => number }): Uint8Array {
  let out = options.compress ? encodeCompressed(inner) : inner;
  if (options.seal !== undefined) {
    const sealedLength = ENCRYPT_OVERHEAD + out.length;
    const header = new Uint8Array(STREAM_ENCRYPT_HEADER);
    header[0] = T.encrypt;
    new DataView(header.buffer).setUint32(1, sealedLength);
    const sealed = options.seal(out, header);
    const frame = new Uint8Array(STREAM_ENCRYPT_HEADER + sealed.length);
    frame.set(header);
    frame.set(sealed, STREAM_ENCRYPT_HEADER);
    out = frame;
  }
  return out;
}

// ---- decoding ----

function bodyOf(bytes: Uint8Array): Result<{ map: MsgpackMap; used: number }> {
  const r = new MsgpackReader(bytes, 1);
  const m = r.map();
  if (!m.ok) return m;
  return ok({ map: m.value, used: r.pos });
}

const bad = (field: string, at = 1): Drop => drop('malformed', at, field.length);

/** Reads one message's body from its msgpack map (the type byte already known). */
function messageFrom(type: number, m: MsgpackMap): Result<MemberlistMessage> {
  switch (type) {
    case T.ping: {
      const seqNo = fieldUint(m, 'SeqNo', U32);
      const node = fieldString(m, 'Node');
      const sourceAddr = fieldBytes(m, 'SourceAddr');
      const sourcePort = fieldUint(m, 'SourcePort', U16);
      const sourceNode = fieldString(m, 'SourceNode');
      if (seqNo === undefined || node === undefined || sourceAddr === undefined || sourcePort === undefined || sourceNode === undefined) return bad('ping');
      return ok({ type: 'ping', body: { seqNo, node, sourceAddr, sourcePort, sourceNode } });
    }
    case T.indirectPing: {
      const seqNo = fieldUint(m, 'SeqNo', U32);
      const target = fieldBytes(m, 'Target');
      const port = fieldUint(m, 'Port', U16);
      const node = fieldString(m, 'Node');
      const nack = fieldBool(m, 'Nack');
      const sourceAddr = fieldBytes(m, 'SourceAddr');
      const sourcePort = fieldUint(m, 'SourcePort', U16);
      const sourceNode = fieldString(m, 'SourceNode');
      if (seqNo === undefined || target === undefined || port === undefined || node === undefined || nack === undefined || sourceAddr === undefined || sourcePort === undefined || sourceNode === undefined) {
        return bad('indirectPing');
      }
      return ok({ type: 'indirectPing', body: { seqNo, target, port, node, nack, sourceAddr, sourcePort, sourceNode } });
    }
    case T.ack: {
      const seqNo = fieldUint(m, 'SeqNo', U32);
      const raw = m.get('Payload');
      const payload = raw === undefined || raw === null ? null : fieldBytes(m, 'Payload');
      if (seqNo === undefined || payload === undefined) return bad('ack');
      return ok({ type: 'ack', body: { seqNo, payload } });
    }
    case T.nack: {
      const seqNo = fieldUint(m, 'SeqNo', U32);
      if (seqNo === undefined) return bad('nack');
      return ok({ type: 'nack', body: { seqNo } });
    }
    case T.suspect:
    case T.dead: {
      const incarnation = fieldUint(m, 'Incarnation', U32);
      const node = fieldString(m, 'Node');
      const from = fieldString(m, 'From');
      if (incarnation === undefined || node === undefined || from === undefined) return bad('suspect');
      return ok({ type: type === T.suspect ? 'suspect' : 'dead', body: { incarnation, node, from } });
    }
    case T.alive: {
      const incarnation = fieldUint(m, 'Incarnation', U32);
      const node = fieldString(m, 'Node');
      const addr = fieldBytes(m, 'Addr');
      const port = fieldUint(m, 'Port', U16);
      const meta = fieldBytes(m, 'Meta');
      const vsn = fieldBytes(m, 'Vsn');
      if (incarnation === undefined || node === undefined || addr === undefined || port === undefined || meta === undefined || vsn === undefined) return bad('alive');
      return ok({ type: 'alive', body: { incarnation, node, addr, port, meta, vsn } });
    }
    case T.err: {
      const error = fieldString(m, 'Error');
      if (error === undefined) return bad('err');
      return ok({ type: 'err', body: { error } });
    }
    default:
      return drop('unsupported', 0, type);
  }
}

/** One message (not a compound, compress, CRC or encrypt wrapper). */
export function decodeMessage(bytes: Uint8Array): Result<MemberlistMessage> {
  if (bytes.length === 0) return drop('truncated', 0);
  const type = bytes[0]!;
  if (type === T.user) return ok({ type: 'user', payload: bytes.subarray(1) });
  if (type === T.compound || type === T.compress || type === T.hasCrc || type === T.encrypt || type === T.pushPull || type > T.err) return drop('unsupported', 0, type);
  const body = bodyOf(bytes);
  if (!body.ok) return body;
  return messageFrom(type, body.value.map);
}

/** A compound's parts (views into `bytes`); a length beyond the bytes is `truncated`. */
export function parseCompound(bytes: Uint8Array): Result<Uint8Array[]> {
  if (bytes.length < 2) return drop('truncated', bytes.length);
  if (bytes[0] !== T.compound) return drop('unsupported', 0, bytes[0]);
  const count = bytes[1]!;
  let at = 2 + 2 * count;
  if (at > bytes.length) return drop('truncated', bytes.length, count);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = (bytes[2 + 2 * i]! << 8) | bytes[3 + 2 * i]!;
    if (at + len > bytes.length) return drop('truncated', at, len);
    parts.push(bytes.subarray(at, at + len));
    at += len;
  }
  return ok(parts);
}

/** Unwraps a `compress` message into the message it holds. */
export function decodeCompressed(bytes: Uint8Array, maxOutput = MAX_STREAM_BYTES): Result<{ inner: Uint8Array; used: number }> {
  const body = bodyOf(bytes);
  if (!body.ok) return body;
  const algo = fieldUint(body.value.map, 'Algo', 255);
  const buf = fieldBytes(body.value.map, 'Buf');
  if (algo === undefined || buf === undefined) return bad('compress');
  if (algo !== LZW_ALGO) return drop('unsupported', 1, algo);
  const inner = lzwDecompress(buf, maxOutput);
  if (!inner.ok) return shiftDrop(inner, 1);
  if (inner.value.length === 0) return drop('truncated', 1);
  return ok({ inner: inner.value, used: body.value.used });
}

/**
 * A whole UDP payload (already decrypted): CRC checked, compression and compounds undone, the
 * messages inside returned in order. A bad part of a compound is reported through `onDrop` and
 * the others still come back, as memberlist handles each part on its own.
 */
export function unpackPacket(bytes: Uint8Array, options: { readonly onDrop?: (d: Drop) => void } = {}): Result<MemberlistMessage[]> {
  const out: MemberlistMessage[] = [];
  const walk = (b: Uint8Array, depth: number): Drop | undefined => {
    if (b.length === 0) return drop('truncated', 0);
    if (depth > MAX_PACKET_NESTING) return drop('too-large', 0, depth);
    switch (b[0]) {
      case T.hasCrc: {
        if (b.length < 5) return drop('truncated', b.length);
        const want = new DataView(b.buffer, b.byteOffset + 1, 4).getUint32(0);
        if (crc32(b.subarray(5)) !== want) return drop('bad-checksum', 1, want);
        return walk(b.subarray(5), depth + 1);
      }
      case T.compress: {
        const inner = decodeCompressed(b, 65_536);
        if (!inner.ok) return inner;
        return walk(inner.value.inner, depth + 1);
      }
      case T.compound: {
        const parts = parseCompound(b);
        if (!parts.ok) return parts;
        for (const p of parts.value) {
          const d = walk(p, depth + 1);
          if (d !== undefined) options.onDrop?.(d);
        }
        return undefined;
      }
      default: {
        const m = decodeMessage(b);
        if (!m.ok) return m;
        out.push(m.value);
        return undefined;
      }
    }
  };
  const d = walk(bytes, 0);
  if (d !== undefined) return d;
  return ok(out);
}

/** What one direction of a TCP connection carries. */
export type StreamMessage =
  | { readonly type: 'pushPull'; readonly header: PushPullHeader; readonly states: PushNodeState[]; readonly userState: Uint8Array }
  | { readonly type: 'ping'; readonly body: Ping }
  | { readonly type: 'ack'; readonly body: Ack }
  | { readonly type: 'err'; readonly body: ErrResp }
  | { readonly type: 'user'; readonly payload: Uint8Array };

export type StreamParse = { readonly kind: 'incomplete' } | { readonly kind: 'ok'; readonly message: StreamMessage; readonly used: number } | { readonly kind: 'drop'; readonly drop: Drop };

const INCOMPLETE: StreamParse = { kind: 'incomplete' };
const streamDrop = (d: Drop): StreamParse => ({ kind: 'drop', drop: d });

/**
 * One stream message from the bytes received so far (`readStream`): decrypted when `open` is
 * given (plaintext is then refused, as `GossipVerifyIncoming` does), decompressed, then parsed;
 * `incomplete` asks for more bytes.
 */
export function parseStream(bytes: Uint8Array, options: { readonly open?: StreamOpener } = {}): StreamParse {
  if (bytes.length === 0) return INCOMPLETE;
  let plain = bytes;
  let used: number;
  if (bytes[0] === T.encrypt) {
    if (options.open === undefined) return streamDrop(drop('unsupported', 0, T.encrypt));
    if (bytes.length < STREAM_ENCRYPT_HEADER) return INCOMPLETE;
    const length = new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0);
    if (length > MAX_STREAM_BYTES) return streamDrop(drop('too-large', 1, length));
    if (bytes.length < STREAM_ENCRYPT_HEADER + length) return INCOMPLETE;
    const opened = options.open(bytes.subarray(STREAM_ENCRYPT_HEADER, STREAM_ENCRYPT_HEADER + length), bytes.subarray(0, STREAM_ENCRYPT_HEADER));
    if (!opened.ok) return streamDrop(shiftDrop(opened, STREAM_ENCRYPT_HEADER));
    plain = opened.value;
    used = STREAM_ENCRYPT_HEADER + length;
  } else if (options.open !== undefined) {
    return streamDrop(drop('auth-failed', 0, bytes[0]));
  } else {
    used = -1; // decided by the parse below
  }
  const complete = used >= 0;
  if (plain.length === 0) return complete ? streamDrop(drop('truncated', 0)) : INCOMPLETE;
  let body = plain;
  let wrapperUsed = -1;
  if (plain[0] === T.compress) {
    const inner = decodeCompressed(plain);
    if (!inner.ok) return inner.reason === 'truncated' && !complete ? INCOMPLETE : streamDrop(inner);
    body = inner.value.inner;
    wrapperUsed = inner.value.used;
  }
  const parsed = parseStreamBody(body);
  if (parsed.kind === 'incomplete') return wrapperUsed >= 0 || complete ? streamDrop(drop('truncated', body.length)) : INCOMPLETE;
  if (parsed.kind === 'drop') return parsed;
  return { kind: 'ok', message: parsed.message, used: complete ? used : wrapperUsed >= 0 ? wrapperUsed : parsed.used };
}

/** The message inside a stream, after decryption and decompression. */
function parseStreamBody(b: Uint8Array): StreamParse {
  const type = b[0]!;
  const r = new MsgpackReader(b, 1);
  const head = r.map();
  if (!head.ok) return head.reason === 'truncated' ? INCOMPLETE : streamDrop(head);
  switch (type) {
    case T.pushPull: {
      const nodes = fieldUint(head.value, 'Nodes', MAX_PUSH_NODES);
      const userStateLen = fieldUint(head.value, 'UserStateLen', MAX_STREAM_BYTES);
      const join = fieldBool(head.value, 'Join');
      if (nodes === undefined || userStateLen === undefined || join === undefined) return streamDrop(drop('too-large', 1));
      const states: PushNodeState[] = [];
      for (let i = 0; i < nodes; i++) {
        const m = r.map();
        if (!m.ok) return m.reason === 'truncated' ? INCOMPLETE : streamDrop(m);
        const s = m.value;
        const name = fieldString(s, 'Name');
        const addr = fieldBytes(s, 'Addr');
        const port = fieldUint(s, 'Port', U16);
        const meta = fieldBytes(s, 'Meta');
        const incarnation = fieldUint(s, 'Incarnation', U32);
        const state = fieldUint(s, 'State', 255);
        const vsn = fieldBytes(s, 'Vsn');
        if (name === undefined || addr === undefined || port === undefined || meta === undefined || incarnation === undefined || state === undefined || vsn === undefined) {
          return streamDrop(drop('malformed', r.pos));
        }
        states.push({ name, addr, port, meta, incarnation, state, vsn });
      }
      if (b.length - r.pos < userStateLen) return INCOMPLETE;
      const userState = b.slice(r.pos, r.pos + userStateLen);
      return { kind: 'ok', message: { type: 'pushPull', header: { nodes, userStateLen, join }, states, userState }, used: r.pos + userStateLen };
    }
    case T.user: {
      const len = fieldUint(head.value, 'UserMsgLen', MAX_STREAM_BYTES);
      if (len === undefined) return streamDrop(drop('too-large', 1));
      if (b.length - r.pos < len) return INCOMPLETE;
      return { kind: 'ok', message: { type: 'user', payload: b.slice(r.pos, r.pos + len) }, used: r.pos + len };
    }
    case T.ping:
    case T.ack:
    case T.err: {
      const m = messageFrom(type, head.value);
      if (!m.ok) return streamDrop(m);
      return { kind: 'ok', message: m.value as StreamMessage, used: r.pos };
    }
    default:
      return streamDrop(drop('unsupported', 0, type));
  }
}
