/**
 * The `ScenarioTarget` (what `swarmnet run` and `swarmnet shell` drive) over a real `Cluster`:
 * `docker` lines run through each host's docker command layer (with the step's input lines as
 * the command's standard input), placeholders read the cluster's state the way a user would (the
 * join token from a manager's `swarm inspect`, a task's container and host from a manager's task
 * and node lists).
 */
import type { Cluster } from '../cluster/index.js';
import { runDocker } from '../docker/index.js';
import type { EngineApi } from '../host/engine-api.js';
import type { CommandOutput, ScenarioTarget } from './scenario/target.js';

export class ClusterTarget implements ScenarioTarget {
  constructor(readonly cluster: Cluster) {}

  docker(host: string, argv: readonly string[], stdin: readonly string[] = []): Promise<CommandOutput> {
    const handle = this.cluster.host(host);
    if (stdin.length === 0) return handle.docker(argv);
    let next = 0;
    const readLine = async (): Promise<string | null> => (next < stdin.length ? stdin[next++]! : null);
    return runDocker(argv, handle.engine, { stdin: readLine });
  }

  address(host: string): string {
    return this.cluster.host(host).underlay.address;
  }

  /** The Engine API of a running manager, or undefined while there is none. */
  private async manager(): Promise<EngineApi | undefined> {
    for (const name of this.cluster.hosts) {
      const handle = this.cluster.host(name);
      if (handle.state !== 'running') continue;
      try {
        const info = await handle.engine.call('info', {});
        if (info.Swarm.ControlAvailable) return handle.engine;
      } catch {
        // A host that cannot answer is not the manager we are looking for.
      }
    }
    return undefined;
  }

  async joinToken(role: 'worker' | 'manager'): Promise<string> {
    const engine = await this.manager();
    if (engine === undefined) throw new Error(`no ${role} join token yet: no host is a swarm manager (run "docker swarm init" first)`);
    const swarm = await engine.call('swarmInspect', {});
    return role === 'worker' ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager;
  }

  /**
   * `{{task:SERVICE.SLOT}}` / `{{host:SERVICE.SLOT}}`: the running task of that slot, as a
   * manager lists it — its container name `<service>.<slot>.<task ID>` (the name docker gives a
   * task's container) and the host whose swarm node runs it (node hostname = host name).
   */
  async task(service: string, slot: number): Promise<{ readonly container: string; readonly host: string; readonly addresses: Readonly<Record<string, string>> }> {
    const notYet = (why: string): Error => new Error(`no task ${service}.${slot} yet: ${why}`);
    const engine = await this.manager();
    if (engine === undefined) throw notYet('no host is a swarm manager');
    let tasks;
    try {
      tasks = await engine.call('taskList', { filters: { service: [service], 'desired-state': ['running'] } });
    } catch (e) {
      throw notYet(e instanceof Error ? e.message : String(e));
    }
    const task = tasks.find((t) => t.Slot === slot && t.Status.State === 'running' && (t.NodeID ?? '') !== '');
    if (task === undefined) throw notYet(`slot ${slot} of service ${service} is not running`);
    const nodes = await engine.call('nodeList', {});
    const node = nodes.find((n) => n.ID === task.NodeID);
    const host = node?.Description.Hostname;
    if (host === undefined || !this.cluster.hosts.includes(host)) throw notYet(`its node ${task.NodeID} is not a known host`);
    const addresses = Object.fromEntries((task.NetworksAttachments ?? []).map((a) => [a.Network.Spec.Name, a.Addresses[0]?.split('/')[0] ?? '']));
    return { container: `${service}.${slot}.${task.ID}`, host, addresses };
  }

  kill(host: string): Promise<void> {
    return this.cluster.kill(host);
  }

  /** Asks each host in turn; the one that runs the container opens the sockets. */
  async exposeDns(container: string, address: string, port: number): Promise<{ address: string; port: number }> {
    for (const host of this.cluster.hosts) {
      try {
        return await this.cluster.host(host).exposeDns(container, address, port);
      } catch (error) {
        if (!(error instanceof Error) || !/No such container/.test(error.message)) throw error;
      }
    }
    throw new Error(`No such container: ${container}`);
  }
}
