/**
 * What the scenario runner and the shell drive: one emulated cluster, seen the way a tutorial
 * reader sees it — a `docker` command line on each host, plus the few facts a scenario can name
 * in a placeholder. The cluster side implements it; this folder only consumes it, so every test
 * here runs against a fake.
 */

export interface CommandOutput { readonly stdout: string; readonly stderr: string; readonly exitCode: number }
export interface ScenarioTarget {
  /**
   * Run `docker <argv>` on host. `stdin` is what the user types into it, one line each; the
   * command sees end-of-file after the last (no lines: a closed input).
   */
  docker(host: string, argv: readonly string[], stdin?: readonly string[]): Promise<CommandOutput>;
  /** The host's advertise address (`{{addr:HOST}}`), e.g. 127.42.7.1 */
  address(host: string): string;
  /** Current join token (`{{token:worker}}` / `{{token:manager}}`); rejects if no manager exists yet. */
  joinToken(role: 'worker' | 'manager'): Promise<string>;
  /**
   * `{{task:SERVICE.SLOT}}` → container name, `{{host:SERVICE.SLOT}}` → host name,
   * `{{ip:SERVICE.SLOT@NETWORK}}` → the task's address on NETWORK (by network name); rejects with
   * a clear message if there's no such task (yet).
   */
  task(service: string, slot: number): Promise<{ readonly container: string; readonly host: string; readonly addresses?: Readonly<Record<string, string>> }>;
  /** `@kill HOST`: stop the host abruptly, as a crash would. */
  kill(host: string): Promise<void>;
  /**
   * `@expose-dns CONTAINER ADDR:PORT`: the container's embedded DNS on real UDP and TCP sockets
   * at a loopback address (port 0: any free one); resolves with where they are bound.
   */
  exposeDns(container: string, address: string, port: number): Promise<{ readonly address: string; readonly port: number }>;
}
