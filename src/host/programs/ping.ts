/**
 * busybox `ping` (networking/ping.c, FEATURE_FANCY_PING, IPv4), byte for byte: the header, one
 * line per reply (`64 bytes from 10.0.1.2: seq=0 ttl=64 time=0.071 ms`, `(DUP!)`), the
 * statistics block on exit (count reached, -W/-w expiry, SIGINT = ctx.signal) and
 * `exit(nrecv == 0 || (deadline && nrecv < pingcount))` (docker-cli-outputs.md §7.1).
 *
 * Behaviour kept from the C code, timers on ctx.clock:
 * - a send every `-i` (default 1 s; `-i 0` disarms the timer like setitimer does, so only one
 *   packet goes out unless `-A`); the `-w` deadline is checked only when a send is due;
 * - after the last of `-c N` sends, it waits `-W` seconds (default 10) if nothing came back yet,
 *   else about 2 RTTs (`tmax / 512Ki`, at least 1 s) — `-W 0` is `alarm(0)`: wait forever;
 * - the send timestamp rides in the first 4 data bytes (host order, µs, 32 bits) and the RTT is
 *   taken from the echoed copy, so `-s 0..3` prints no `time=` and no round-trip line;
 * - duplicates are spotted in a 1024-entry sequence bitmap (MAX_DUP_CHK);
 * - ICMP errors print nothing: busybox compares the error's id field with its own first, and it
 *   never matches, so unreachable hosts are silent.
 * Not emulated: IPv6 (`-6` and IPv6 literals end in `bad address`: Docker overlays have IPv6 off),
 * and `-I` only selects the `from` text (the stack's echo socket has no bind).
 */
import type { EchoReply, IcmpEchoSocket } from '../../stack/types.js';
import type { Timer } from '../../util/clock.js';
import { formatIpv4, type Ipv4Addr } from '../../wire/address.js';
import { getopt, inetAton, INT_MAX, parseDuration, xatoiPositive, xatou16, xstrtou } from './args.js';
import { AppletError, defineApplet, EXIT_INTERRUPTED, setLongTimer, UsageError } from './busybox.js';
import { formatMicrosAsMillis } from './format.js';
import { strerror } from './strerror.js';
import type { ProgramContext } from './types.js';

/** ping_trivial_usage + ping_full_usage (with PING6 configured, as in Alpine's busybox). */
const PING_USAGE =
  '[OPTIONS] HOST\n\nSend ICMP ECHO_REQUESTs to HOST\n' +
  '\n\t-4,-6\t\tForce IP or IPv6 name resolution' +
  '\n\t-c CNT\t\tSend only CNT pings' +
  '\n\t-s SIZE\t\tSend SIZE data bytes in packets (default 56)' +
  '\n\t-i SECS\t\tInterval' +
  '\n\t-A\t\tPing as soon as reply is received' +
  '\n\t-t TTL\t\tSet TTL' +
  '\n\t-I IFACE/IP\tSource interface or IP address' +
  '\n\t-W SEC\t\tSeconds to wait for the first response (default 10)' +
  '\n\t\t\t(after all -c CNT packets are sent)' +
  '\n\t-w SEC\t\tSeconds until ping exits (default:infinite)' +
  '\n\t\t\t(can exit earlier with -c CNT)' +
  '\n\t-q\t\tQuiet, only display output at start/finish' +
  '\n\t-p HEXBYTE\tPayload pattern';

/** `OPT_STRING "qvAc:+s:t:+w:+W:+I:np:i:4" IF_PING6("6")`. */
const OPT_STRING = 'qvAc:s:t:w:W:I:np:i:46';
const DEFDATALEN = 56;
const MAXWAIT_S = 10;
const ICMP_MINLEN = 8;
const IPV4_HEADER_LEN = 20;
/** Sequence numbers remembered for duplicate detection (ping.c MAX_DUP_CHK). */
const MAX_DUP_CHK = 8 * 128;
/** Replies that arrive while a send is in progress (a synchronous loopback), handled after it. */
const MAX_REPLIES_DURING_SEND = 64;
const UINT_MAX = 0xffff_ffff;
/** `INT_MAX / 1000000`: the clamp for -w and -i seconds. */
const MAX_SECONDS = Math.floor(INT_MAX / 1_000_000);

interface PingOptions {
  quiet: boolean;
  pingAsap: boolean;
  count: number;
  datalen: number;
  ttl: number;
  deadlineSeconds: number;
  waitSeconds: number;
  pattern: number;
  intervalUs: number;
  source: Ipv4Addr | undefined;
  ipv6: boolean;
}

export const ping = defineApplet('ping', PING_USAGE, async (ctx) => {
  const startedAt = ctx.clock.now();
  const opts = parseOptions(ctx);
  const host = opts.operand;
  const destination = await resolveHost(ctx, host, opts.ipv6);
  if (ctx.signal.aborted) return EXIT_INTERRUPTED; // SIGINT before ping installs its handler
  const source = opts.source === undefined ? '' : ` from ${formatIpv4(opts.source)}`;
  ctx.stdout.write(`PING ${host} (${formatIpv4(destination)})${source}: ${opts.datalen} data bytes\n`);
  // The deadline starts counting at option parsing, before name resolution, as in ping.c.
  const deadlineAt = opts.deadlineSeconds === 0 ? undefined : startedAt + Math.min(opts.deadlineSeconds, MAX_SECONDS) * 1000;
  return new PingRun(ctx, opts, host, destination, deadlineAt).run();
});

function parseOptions(ctx: ProgramContext): PingOptions & { operand: string } {
  const parsed = getopt(ctx.argv, OPT_STRING, ctx.libc, 'ping');
  const o: PingOptions = {
    quiet: false, pingAsap: false, count: 0, datalen: DEFDATALEN, ttl: 0, deadlineSeconds: 0,
    waitSeconds: MAXWAIT_S, pattern: 0, intervalUs: 1_000_000, source: undefined, ipv6: false,
  };
  let size: string | undefined;
  let iface: string | undefined;
  let pattern: string | undefined;
  let interval = '1';
  let verbose = false;
  // getopt32 converts `+` options as it meets them, and "q--v:v--q" fails on the second one.
  for (const { option, value } of parsed.options) {
    switch (option) {
      case 'q': if (verbose) throw new UsageError(); o.quiet = true; break;
      case 'v': if (o.quiet) throw new UsageError(); verbose = true; break;
      case 'A': o.pingAsap = true; break;
      case 'c': o.count = xatoiPositive(value!); break;
      case 's': size = value; break;
      case 't': o.ttl = xatoiPositive(value!); break;
      case 'w': o.deadlineSeconds = xatoiPositive(value!); break;
      case 'W': o.waitSeconds = xatoiPositive(value!); break;
      case 'I': iface = value; break;
      case 'p': pattern = value; break;
      case 'i': interval = value!; break;
      case '6': o.ipv6 = true; break;
      default: break; // -n, -4: accepted, nothing to do
    }
  }
  if (parsed.error !== undefined) {
    ctx.stderr.write(parsed.error);
    throw new UsageError();
  }
  if (parsed.operands.length !== 1) throw new UsageError(); // "=1": exactly one HOST
  if (size !== undefined) o.datalen = xatou16(size);
  if (iface !== undefined && !ctx.stack.interfaces().some((i) => i.config.name === iface)) {
    // Not an interface name: a source address (xdotted2sockaddr), or die.
    o.source = inetAton(iface);
    if (o.source === undefined) throw new AppletError(`bad address '${iface}'`);
  }
  if (pattern !== undefined) o.pattern = xstrtou(pattern, 16, 0, 255);
  // `interval_us = interval * 1000000` into an unsigned: truncated, clamped to INT_MAX/1e6 s.
  o.intervalUs = Math.trunc(Math.min(parseDuration(interval), MAX_SECONDS) * 1_000_000);
  return { ...o, operand: parsed.operands[0] };
}

/** libbb xconnect.c `str2sockaddr`: `HOST[:PORT]`, numeric IPv4 first, then the resolver. */
async function resolveHost(ctx: ProgramContext, typed: string, ipv6: boolean): Promise<Ipv4Addr> {
  let host = typed;
  const colon = typed.lastIndexOf(':');
  if (colon >= 0 && typed.indexOf(':') === colon) {
    host = typed.slice(0, colon);
    const port = typed.slice(colon + 1);
    if (!/^[0-9]+$/.test(port) || Number(port) > 0xffff) throw new AppletError(`bad port '${port}'`);
  }
  if (!ipv6) {
    const numeric = inetAton(host);
    if (numeric !== undefined) return numeric;
  }
  // With -6 nothing resolves: the embedded DNS has no AAAA records (IPv6 is off on overlays);
  // an IPv6 literal (several colons) would need an IPv6 stack, which containers here lack.
  const ipv6Literal = colon !== typed.indexOf(':');
  const resolved = ipv6 || ipv6Literal ? undefined : await ctx.resolve(host);
  if (resolved === undefined) throw new AppletError(`bad address '${typed}'`);
  return resolved;
}

/** One ping run after the header: sends, replies, timers, and the statistics at the end. */
class PingRun {
  #transmitted = 0;
  #received = 0;
  #repeats = 0;
  /** Round-trip extremes and sum, µs; tmin stays UINT_MAX until a timed reply. */
  #tmin = UINT_MAX;
  #tmax = 0;
  #tsum = 0;
  readonly #seen = new Uint8Array(MAX_DUP_CHK / 8);
  readonly #identifier: number;
  readonly #socket: IcmpEchoSocket;
  /** The one ITIMER_REAL / alarm() of the C program: the next send or the final wait. */
  #alarm: Timer | undefined;
  #sending = false;
  readonly #repliesDuringSend: EchoReply[] = [];
  #finished = false;
  #exit: (code: number) => void = () => {};
  readonly #onAbort = () => this.#printStatsAndExit();

  constructor(
    private readonly ctx: ProgramContext,
    private readonly opts: PingOptions,
    private readonly host: string,
    private readonly destination: Ipv4Addr,
    private readonly deadlineAt: number | undefined,
  ) {
    // ping.c uses htons(getpid()); a container's pids repeat, so a random id per run instead.
    this.#identifier = ctx.rng.int(0, 0xffff);
    this.#socket = ctx.stack.openIcmpEcho();
  }

  run(): Promise<number> {
    return new Promise((resolve) => {
      this.#exit = resolve;
      this.#socket.onReply((reply) => this.#onReply(reply));
      // signal(SIGINT, print_stats_and_exit): SIGINT stops ping through ctx.signal.
      this.ctx.signals.stopOn('SIGINT');
      this.ctx.signal.addEventListener('abort', this.#onAbort, { once: true });
      if (this.ctx.signal.aborted) this.#printStatsAndExit();
      else this.#sendPing();
    });
  }

  /**
   * Low 32 bits of the monotonic clock in µs (`monotonic_us()` into an unsigned). Rounded, not
   * truncated: the clock counts fractional ms, and 1000.081 ms must read as 1000081 µs.
   */
  #nowUs(): number {
    return Math.round(this.ctx.clock.now() * 1000) >>> 0;
  }

  /** sendping4 + sendping_tail. */
  #sendPing(): void {
    if (this.#finished) return;
    const nowUs = this.#nowUs();
    if (this.deadlineAt !== undefined && this.ctx.clock.now() >= this.deadlineAt) {
      this.#printStatsAndExit();
      return;
    }
    const sequence = this.#transmitted & 0xffff;
    this.#seen[(sequence % MAX_DUP_CHK) >> 3] &= ~(1 << (sequence & 7));
    this.#transmitted++;
    // Pattern bytes, the timestamp over the first four (a datalen < 4 carries only its prefix).
    const data = new Uint8Array(Math.max(this.opts.datalen, 4)).fill(this.opts.pattern);
    new DataView(data.buffer).setUint32(0, nowUs, true);
    this.#sending = true;
    const result = this.#socket.send(this.destination, this.#identifier, sequence, data.subarray(0, this.opts.datalen), {
      pmtu: 'want',
      ...(this.opts.ttl !== 0 ? { ttl: this.opts.ttl } : {}),
    });
    this.#sending = false;
    if (result !== 'ok') {
      // xsendto: bb_perror_msg_and_die("sendto"), no statistics.
      this.ctx.stderr.write(`ping: sendto: ${strerror(result, this.ctx.libc)}\n`);
      this.#finish(1);
      return;
    }
    if (this.opts.count === 0 || this.#transmitted < this.opts.count) {
      this.#setAlarm(this.opts.intervalUs / 1000, () => this.#sendPing());
    } else {
      let expireSeconds = this.opts.waitSeconds;
      if (this.#received > 0) expireSeconds = Math.max(1, Math.floor(this.#tmax / (512 * 1024)));
      this.#setAlarm(expireSeconds * 1000, () => this.#printStatsAndExit());
    }
    const pending = this.#repliesDuringSend.splice(0);
    for (const reply of pending) this.#onReply(reply);
  }

  /** setitimer/alarm semantics: a new one replaces the old, a zero delay only disarms. */
  #setAlarm(delayMs: number, fn: () => void): void {
    this.#alarm?.cancel();
    this.#alarm = delayMs > 0 ? setLongTimer(this.ctx.clock, delayMs, fn) : undefined;
  }

  /** unpack4 + unpack_tail, then the receive loop's checks. */
  #onReply(reply: EchoReply): void {
    if (this.#finished || reply.identifier !== this.#identifier) return; // not our ping
    if (this.#sending) {
      if (this.#repliesDuringSend.length < MAX_REPLIES_DURING_SEND) this.#repliesDuringSend.push(reply);
      return;
    }
    const icmpLength = ICMP_MINLEN + reply.payload.length;
    if (IPV4_HEADER_LEN + icmpLength < this.opts.datalen + ICMP_MINLEN) return; // too short
    let time = '';
    if (icmpLength >= ICMP_MINLEN + 4) {
      const p = reply.payload;
      const sentUs = (p[0] | (p[1] << 8) | (p[2] << 16) | (p[3] << 24)) >>> 0;
      const tripUs = (this.#nowUs() - sentUs) >>> 0;
      this.#tsum += tripUs;
      this.#tmin = Math.min(this.#tmin, tripUs);
      this.#tmax = Math.max(this.#tmax, tripUs);
      time = ` time=${formatMicrosAsMillis(tripUs)} ms`;
    }
    const slot = reply.sequence % MAX_DUP_CHK;
    const mask = 1 << (slot & 7);
    const duplicate = (this.#seen[slot >> 3] & mask) !== 0;
    if (duplicate) this.#repeats++;
    else {
      this.#seen[slot >> 3] |= mask;
      this.#received++;
    }
    if (!this.opts.quiet) {
      const dup = duplicate ? ' (DUP!)' : '';
      this.ctx.stdout.write(`${icmpLength} bytes from ${formatIpv4(reply.from)}: seq=${reply.sequence} ttl=${reply.ttl}${time}${dup}\n`);
    }
    if (this.opts.count !== 0 && this.#received >= this.opts.count) this.#printStatsAndExit();
    else if (this.opts.pingAsap) this.#sendPing();
  }

  /** print_stats_and_exit. */
  #printStatsAndExit(): void {
    if (this.#finished) return;
    const transmitted = this.#transmitted;
    const received = this.#received;
    let out = `\n--- ${this.host} ping statistics ---\n${transmitted} packets transmitted, ${received} packets received, `;
    if (this.#repeats !== 0) out += `${this.#repeats} duplicates, `;
    // Unsigned long arithmetic, as in C (it can only wrap if stray replies outnumber sends).
    const loss = transmitted === 0 ? 0n : BigInt.asUintN(64, BigInt.asUintN(64, BigInt(transmitted - received)) * 100n) / BigInt(transmitted);
    out += `${loss}% packet loss\n`;
    if (this.#tmin !== UINT_MAX) {
      const tavg = Math.floor(this.#tsum / (received + this.#repeats));
      out += `round-trip min/avg/max = ${formatMicrosAsMillis(this.#tmin)}/${formatMicrosAsMillis(tavg)}/${formatMicrosAsMillis(this.#tmax)} ms\n`;
    }
    this.ctx.stdout.write(out);
    const failed = received === 0 || (this.deadlineAt !== undefined && received < this.opts.count);
    this.#finish(failed ? 1 : 0);
  }

  #finish(code: number): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#alarm?.cancel();
    this.ctx.signal.removeEventListener('abort', this.#onAbort);
    this.#socket.close();
    this.#exit(code);
  }
}
