/**
 * Runs interop/mlpeer (a real hashicorp/memberlist node, Go, built offline from Debian's
 * golang-github-hashicorp-memberlist-dev by scripts/build-mlpeer.sh) as a child process on
 * loopback and reads its JSON-line events. Used by the interop tests and by `npm run bench` (the
 * gossip section's same-run baseline). Every process started here is killed by `stop()` or, at
 * the latest, by `killAllMlpeers()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The repository root, from here (interop/) or from the compiled copy (dist/interop/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4 && !existsSync(join(dir, 'scripts', 'build-mlpeer.sh')); i++) dir = dirname(dir);
  return dir;
}
const ROOT = repoRoot();

/** Whether Go and Debian's memberlist sources are installed. */
export function goMemberlistInstalled(): boolean {
  return existsSync('/usr/bin/go') && existsSync('/usr/share/gocode/src/github.com/hashicorp/memberlist');
}

let built: string | undefined;

/** Builds the peer once per run (cached on disk by the script); returns the binary's path. */
export function buildMlpeer(): string {
  built ??= join(ROOT, execFileSync('bash', [join(ROOT, 'scripts', 'build-mlpeer.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 }).trim());
  return built;
}

export interface MlEvent {
  readonly t: number;
  readonly event: string;
  readonly [field: string]: unknown;
}

const running = new Set<MlPeer>();

export class MlPeer {
  readonly events: MlEvent[] = [];
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();
  #stderr = '';
  #exited: Promise<number | null>;
  name = '';
  port = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    let partial = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          this.events.push(JSON.parse(line) as MlEvent);
        } catch {
          this.events.push({ t: Date.now(), event: 'garbled', line });
        }
      }
      for (const w of [...this.#waiters]) w();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-20_000);
    });
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.#exited.then(() => {
      running.delete(this);
      for (const w of [...this.#waiters]) w();
    });
  }

  /** Starts a peer and waits for its "ready" line. `keys`: primary first. */
  static async start(options: { name?: string; bind?: string; port?: number; join?: readonly string[]; keys?: readonly Uint8Array[] } = {}): Promise<MlPeer> {
    const args = ['-bind', options.bind ?? '127.0.0.1', '-port', String(options.port ?? 0)];
    if (options.name) args.push('-name', options.name);
    if (options.join?.length) args.push('-join', options.join.join(','));
    if (options.keys?.length) args.push('-keys', options.keys.map((k) => Buffer.from(k).toString('hex')).join(','));
    const child = spawn(buildMlpeer(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new MlPeer(child);
    running.add(peer);
    const ready = await peer.waitFor((e) => e.event === 'ready', 10_000);
    peer.name = String(ready['name']);
    peer.port = Number(ready['port']);
    return peer;
  }

  get address(): { address: string; port: number } {
    return { address: '127.0.0.1', port: this.port };
  }

  /** The first event (already seen or still to come) matching `match`; rejects after `timeoutMs`. */
  waitFor(match: (e: MlEvent) => boolean, timeoutMs: number): Promise<MlEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(match);
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
          done();
          reject(new Error(`mlpeer exited; events: ${JSON.stringify(this.events)}; stderr: ${this.#stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`mlpeer: no matching event within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}; stderr tail: ${this.#stderr.slice(-2000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** The alive members this peer lists now. */
  async members(): Promise<string[]> {
    const before = this.events.length;
    this.#child.stdin!.write('members\n');
    const e = await this.waitFor((x) => x.event === 'members' && this.events.indexOf(x) >= before, 5000);
    return ((e['alive'] as string[] | null) ?? []).slice().sort();
  }

  /** Polls `members()` until `want` holds. */
  async membersUntil(want: (alive: string[]) => boolean, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const alive = await this.members();
      if (want(alive)) return alive;
      if (Date.now() > deadline) throw new Error(`mlpeer members never matched: ${JSON.stringify(alive)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Graceful leave (memberlist Leave + Shutdown), bounded. */
  async leave(): Promise<void> {
    this.#child.stdin!.write('leave\n');
    await Promise.race([this.#exited, new Promise((r) => setTimeout(r, 5000))]);
    this.stop();
  }

  /** SIGKILL: a failure, no goodbye. */
  kill(): void {
    this.#child.kill('SIGKILL');
  }

  stop(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    running.delete(this);
  }
}

export function killAllMlpeers(): void {
  for (const p of [...running]) p.stop();
}
