/**
 * A gRPC client for swarmkit's services over node:http2 + node:tls (the gRPC HTTP/2 protocol:
 * `POST /docker.swarmkit.v1.<Service>/<Method>`, `content-type: application/grpc`, messages
 * framed as 1 byte compressed-flag + 4 bytes big-endian length + protobuf, status in the
 * `grpc-status` / `grpc-message` trailers).
 *
 * Why not grpc-js' client (its server is what we serve with): it cannot choose the TCP source
 * address. Every emulated host owns one loopback address (127.A.B.N) and must dial from it, the
 * way a real node dials from its own IP — swarmkit's dispatcher records the address it *sees*
 * as the node's `Status.Addr` (`nodeIPFromContext`). Linux would otherwise pick 127.0.0.1 for
 * every host. Here the TLS socket is ours, so it binds `localAddress`.
 *
 * Every call has a deadline (real milliseconds) and every length read is bounded.
 */
import http2 from 'node:http2';
import tls from 'node:tls';
import { decodeSwarmkit, encodeSwarmkit, MAX_SWARMKIT_MESSAGE_BYTES } from '../wire/swarmkit.js';
import { MANAGER_SERVER_NAME, type TlsIdentity } from './rpc.js';

/** gRPC status codes, named as grpc-go's `codes.Code.String()` prints them (wire values). */
export const GrpcCode = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;

const GRPC_CODE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(GrpcCode).map(([name, code]) => [code, name]));

/** grpc-go's text for an error that crossed the wire: `rpc error: code = X desc = Y`. */
export function grpcErrorText(error: unknown): string {
  const e = error as { code?: unknown; details?: unknown };
  if (typeof e?.code === 'number' && typeof e.details === 'string') {
    return `rpc error: code = ${GRPC_CODE_NAMES[e.code] ?? String(e.code)} desc = ${e.details}`;
  }
  return error instanceof Error ? error.message : String(error);
}

const GRPC_FRAME_HEADER_BYTES = 5;

export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code}: ${details}`);
    this.name = 'GrpcStatusError';
  }
}

export interface GrpcClientOptions {
  /** Loopback address and port of the manager (2377 or its stand-in). */
  readonly host: string;
  readonly port: number;
  /** The source address to dial from (this host's own loopback address). */
  readonly localAddress?: string;
  /** Pinned root CA; without it the server is not verified (root-CA bootstrap only). */
  readonly rootCaPem?: string;
  /** Our node certificate, for mutual TLS once we have one. */
  readonly identity?: TlsIdentity;
}

export interface CallSpec {
  /** `CA`, `NodeCA`, `Dispatcher`, `Control`. */
  readonly service: string;
  readonly method: string;
  readonly requestType: string;
  readonly responseType: string;
}

export class GrpcClient {
  readonly #options: GrpcClientOptions;
  #session: http2.ClientHttp2Session | undefined;
  #peerCertificate: tls.PeerCertificate | undefined;

  constructor(options: GrpcClientOptions) {
    this.#options = options;
  }

  /** The server's certificate from the last TLS handshake (DER in `.raw`). */
  get peerCertificate(): tls.PeerCertificate | undefined {
    return this.#peerCertificate;
  }

  async unary<Res>(spec: CallSpec, request: object, timeoutMs: number): Promise<Res> {
    let result: Res | undefined;
    let count = 0;
    await this.#call(spec, request, timeoutMs, undefined, (message) => {
      count += 1;
      result = decodeSwarmkit<Res>(spec.responseType, message);
    });
    if (count !== 1) throw new GrpcStatusError(GrpcCode.Internal, `${spec.method}: expected one response message, got ${count}`);
    return result as Res;
  }

  /** A server-streaming call: `onMessage` per message; resolves when the server ends the stream. */
  async serverStream<Res>(spec: CallSpec, request: object, onMessage: (message: Res) => void, signal: AbortSignal, metadata: Record<string, string> = {}): Promise<void> {
    await this.#call(spec, request, undefined, signal, (bytes) => onMessage(decodeSwarmkit<Res>(spec.responseType, bytes)), metadata);
  }

  close(): void {
    const session = this.#session;
    this.#session = undefined;
    if (session && !session.destroyed) session.destroy();
  }

  #connect(timeoutMs: number): http2.ClientHttp2Session {
    if (this.#session && !this.#session.destroyed && !this.#session.closed) return this.#session;
    const { host, port, localAddress, rootCaPem, identity } = this.#options;
    const session = http2.connect(`https://${MANAGER_SERVER_NAME}:${port}`, {
      createConnection: () => {
        const socket = tls.connect({
          host,
          port,
          ...(localAddress ? { localAddress } : {}),
          servername: MANAGER_SERVER_NAME,
          ALPNProtocols: ['h2'],
          ...(rootCaPem ? { ca: rootCaPem, rejectUnauthorized: true } : { rejectUnauthorized: false }),
          ...(identity ? { cert: identity.certPem, key: identity.keyPem } : {}),
          timeout: timeoutMs,
        });
        socket.once('secureConnect', () => {
          this.#peerCertificate = socket.getPeerCertificate();
          socket.setTimeout(0);
        });
        socket.once('timeout', () => socket.destroy(new Error(`dial tcp ${host}:${port}: i/o timeout`)));
        return socket;
      },
    });
    session.on('error', () => {
      /* surfaced on each stream; a session error must not become an unhandled event */
    });
    session.unref();
    this.#session = session;
    return session;
  }

  #call(
    spec: CallSpec,
    request: object,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    onMessage: (bytes: Uint8Array) => void,
    metadata: Record<string, string> = {},
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => {
        stream?.close(http2.constants.NGHTTP2_CANCEL);
        finish(new GrpcStatusError(GrpcCode.Canceled, 'context canceled'));
      };
      let stream: http2.ClientHttp2Stream | undefined;
      try {
        const session = this.#connect(timeoutMs ?? 10_000);
        stream = session.request({
          ':method': 'POST',
          ':path': `/docker.swarmkit.v1.${spec.service}/${spec.method}`,
          'content-type': 'application/grpc+proto',
          te: 'trailers',
          'user-agent': 'swarmnet-grpc/1',
          ...metadata,
          ...(timeoutMs !== undefined ? { 'grpc-timeout': `${Math.max(1, Math.ceil(timeoutMs))}m` } : {}),
        });
      } catch (error) {
        finish(unavailable(error));
        return;
      }
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          stream?.close(http2.constants.NGHTTP2_CANCEL);
          finish(new GrpcStatusError(GrpcCode.DeadlineExceeded, 'context deadline exceeded'));
        }, timeoutMs);
        timer.unref();
      }
      if (signal) {
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      }
      let buffered: Buffer = Buffer.alloc(0);
      let status: number | undefined;
      let statusMessage = '';
      const takeStatus = (headers: http2.IncomingHttpHeaders) => {
        const value = headers['grpc-status'];
        if (value !== undefined) {
          status = Number(value);
          statusMessage = decodeGrpcMessage(String(headers['grpc-message'] ?? ''));
        }
      };
      stream.on('response', (headers) => {
        const httpStatus = Number(headers[':status']);
        if (httpStatus !== 200) {
          finish(new GrpcStatusError(GrpcCode.Unknown, `unexpected HTTP status code received from server: ${httpStatus}`));
          return;
        }
        takeStatus(headers);
      });
      stream.on('trailers', takeStatus);
      stream.on('data', (chunk: Buffer) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        while (buffered.length >= GRPC_FRAME_HEADER_BYTES) {
          const compressed = buffered[0];
          const length = buffered.readUInt32BE(1);
          if (compressed !== 0) return finish(new GrpcStatusError(GrpcCode.Internal, 'compressed message without negotiated encoding'));
          if (length > MAX_SWARMKIT_MESSAGE_BYTES) {
            stream?.close(http2.constants.NGHTTP2_CANCEL);
            return finish(new GrpcStatusError(GrpcCode.ResourceExhausted, `received message larger than max (${length} vs. ${MAX_SWARMKIT_MESSAGE_BYTES})`));
          }
          if (buffered.length < GRPC_FRAME_HEADER_BYTES + length) break;
          const message = buffered.subarray(GRPC_FRAME_HEADER_BYTES, GRPC_FRAME_HEADER_BYTES + length);
          buffered = buffered.subarray(GRPC_FRAME_HEADER_BYTES + length);
          try {
            onMessage(message);
          } catch (error) {
            stream?.close(http2.constants.NGHTTP2_CANCEL);
            return finish(new GrpcStatusError(GrpcCode.Internal, error instanceof Error ? error.message : String(error)));
          }
        }
      });
      stream.on('error', (error) => finish(unavailable(error)));
      stream.on('close', () => {
        if (status === undefined) finish(new GrpcStatusError(GrpcCode.Unavailable, 'error reading from server: EOF'));
        else if (status !== GrpcCode.OK) finish(new GrpcStatusError(status, statusMessage));
        else finish();
      });
      const body = encodeSwarmkit(spec.requestType, request);
      const frame = Buffer.allocUnsafe(GRPC_FRAME_HEADER_BYTES + body.length);
      frame[0] = 0;
      frame.writeUInt32BE(body.length, 1);
      frame.set(body, GRPC_FRAME_HEADER_BYTES);
      stream.end(frame);
    });
  }
}

/** grpc-go's `connection error` for a dial or transport failure. */
function unavailable(error: unknown): GrpcStatusError {
  const text = error instanceof Error ? error.message : String(error);
  return new GrpcStatusError(GrpcCode.Unavailable, `connection error: desc = "transport: ${text}"`);
}

/** `grpc-message` is percent-encoded (gRPC HTTP/2 protocol spec). */
function decodeGrpcMessage(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
